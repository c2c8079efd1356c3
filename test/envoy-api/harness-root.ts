/**
 * protoc-gen-validate's own test-harness messages (`tests/harness/cases/*.proto`, shipped with
 * `@grpc/grpc-js-xds` beside validate.proto): one small message per rule, the messages PGV's
 * implementations are conformance-tested on. The values checked against them in these tests are
 * ours, written from validate.proto's definitions.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import protobuf from 'protobufjs';
import { createEnvoyChecker, INCLUDE_DIRS, type EnvoyChecker } from '../../envoy-api/index.js';

const pgvDir = INCLUDE_DIRS.find((d) => d.endsWith(`${path.sep}protoc-gen-validate`));
if (!pgvDir) throw new Error('protoc-gen-validate include dir not found');
export const HARNESS_DIR = path.join(pgvDir, 'tests', 'harness', 'cases');
/** protobufjs ships google/protobuf/descriptor.proto, which validate.proto imports. */
const protobufjsDir = path.dirname(createRequire(import.meta.url).resolve('protobufjs/package.json'));

export const HARNESS_FILES = [
  'bool', 'bytes', 'enums', 'maps', 'messages', 'numbers', 'oneofs', 'repeated', 'strings',
  'wkt_any', 'wkt_timestamp', 'wkt_wrappers', 'kitchen_sink',
].map((f) => `tests/harness/cases/${f}.proto`);

/**
 * protobufjs 7 cannot parse wkt_duration.proto (`in: [{seconds: 1}, {nanos: 1000}]`, a list of
 * messages inside an option), so duration rules are exercised on Envoy's own messages and on
 * synthetic.proto instead; a test asserts the refusal so the file is added back once it parses.
 */
export const UNPARSEABLE_HARNESS_FILE = 'tests/harness/cases/wkt_duration.proto';

/** A fixed "now" for the timestamp rules: 2023-11-14T22:13:20Z. */
export const NOW_MS = 1_700_000_000_000;

let cached: { root: protobuf.Root; checker: EnvoyChecker } | undefined;

/** A root that resolves imports against the protoc-gen-validate dir and protobufjs's own protos. */
export function harnessLoader(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    for (const dir of [pgvDir ?? '', protobufjsDir]) {
      const candidate = path.join(dir, target);
      if (fs.existsSync(candidate)) return candidate;
    }
    return target;
  };
  return root;
}

export function harness(): { root: protobuf.Root; checker: EnvoyChecker } {
  if (cached) return cached;
  const root = harnessLoader();
  root.loadSync(HARNESS_FILES, { keepCase: true });
  root.resolveAll();
  cached = { root, checker: createEnvoyChecker({ root, now: () => NOW_MS }) };
  return cached;
}

/** Every message type declared in the harness package. */
export function harnessMessages(root: protobuf.Root): string[] {
  const out: string[] = [];
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Type) out.push(nested.fullName.slice(1));
      if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) visit(nested);
    }
  };
  visit(root.lookup('tests.harness.cases') as protobuf.Namespace);
  return out;
}
