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

const require = createRequire(import.meta.url);
const xdsPackageDir = path.dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
const protobufjsDir = path.dirname(require.resolve('protobufjs/package.json'));
/** sluice's own protos (the Kafka enforcer's resource type), beside this file in the source tree. */
const ownProtoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'proto');
const ownProtoDirFromSource = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'proto');

/** Include directories, in lookup order, for every proto sluice loads. */
export const INCLUDE_DIRS: readonly string[] = [
  ...['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(xdsPackageDir, 'deps', d)),
  fs.existsSync(ownProtoDirFromSource) ? ownProtoDirFromSource : ownProtoDir,
];

/** Every proto file whose messages sluice emits or serves. */
export const PROTO_FILES: readonly string[] = [
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/listener/v3/lds.proto',
  'envoy/service/route/v3/rds.proto',
  'envoy/service/cluster/v3/cds.proto',
  'envoy/service/endpoint/v3/eds.proto',
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/network/direct_response/v3/config.proto',
  'envoy/extensions/filters/listener/original_dst/v3/original_dst.proto',
  'envoy/extensions/filters/listener/original_src/v3/original_src.proto',
  'envoy/extensions/filters/http/rbac/v3/rbac.proto',
  'envoy/extensions/filters/network/rbac/v3/rbac.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/access_loggers/stream/v3/stream.proto',
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
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
  root.resolveAll();
  cached = root;
  return root;
}

/** Looks up a message type by its fully qualified name (no leading dot). Throws on an unknown name: a bug. */
export function messageType(fullName: string): protobuf.Type {
  return protoRoot().lookupType(fullName);
}
