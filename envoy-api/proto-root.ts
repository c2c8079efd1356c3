/**
 * The protobuf root holding Envoy's v3 API, loaded from the `.proto` files that
 * `@grpc/grpc-js-xds` ships (the same definitions Envoy itself is generated from, with their
 * protoc-gen-validate annotations). Loaded once per process, lazily: about 200 ms.
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { PROTO_DEPS, PROTO_FILES, addNewerFields } from './protos.js';

const require = createRequire(import.meta.url);
const xdsPackageDir = path.dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
const protobufjsDir = path.dirname(require.resolve('protobufjs/package.json'));
/** sluice's own protos (the Kafka enforcer's resource type), beside this file in the source tree. */
const ownProtoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'proto');
const ownProtoDirFromSource = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'proto');

/** Include directories, in lookup order, for every proto sluice loads. */
export const INCLUDE_DIRS: readonly string[] = [
  ...PROTO_DEPS.map((d) => path.join(xdsPackageDir, 'deps', d)),
  fs.existsSync(ownProtoDirFromSource) ? ownProtoDirFromSource : ownProtoDir,
];


let cached: protobuf.Root | undefined;

/** The shared root. The first call parses the protos; later calls return the same object. */
export function protoRoot(): protobuf.Root {
  if (cached) return cached;
  const root = new protobuf.Root();
  root.resolvePath = (_origin: string, target: string): string => {
    for (const dir of [...INCLUDE_DIRS, protobufjsDir]) {
      const candidate = path.join(dir, target);
      if (fs.existsSync(candidate)) return candidate;
    }
    return target;
  };
  const own = fs.existsSync(INCLUDE_DIRS[INCLUDE_DIRS.length - 1] ?? '')
    ? fs.readdirSync(INCLUDE_DIRS[INCLUDE_DIRS.length - 1] ?? '', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.proto'))
    : [];
  root.loadSync([...PROTO_FILES, ...own], { keepCase: true });
  addNewerFields(root, (name, id, type) => new protobuf.Field(name, id, type));
  root.resolveAll();
  cached = root;
  return root;
}

const types = new Map<string, protobuf.Type>();

/** Looks up a message type by its fully qualified name (no leading dot), once per name. Throws on an unknown name: a bug. */
export function messageType(fullName: string): protobuf.Type {
  let type = types.get(fullName);
  if (!type) types.set(fullName, (type = protoRoot().lookupType(fullName)));
  return type;
}
