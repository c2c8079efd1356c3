/**
 * Generates `kafka-proxy/protocol/messages.generated.ts` from Apache Kafka's official JSON message
 * definitions (`common/message/*.json`), read straight out of the `kafka-clients` jar in the
 * Maven cache (`.ci/deps/kafka.sh` resolves it). Only the request and response messages of the
 * APIs the proxy enforces are emitted, in sluice's own compact form (no `about` text).
 *
 *   node dist/kafka-proxy/codegen/generate-schema.js /var/cache/sluice/kafka-4.1.1/libs/kafka-clients-4.1.1.jar
 *
 * I/O at the edge: this script is the only code that reads the jar; the proxy imports the table.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROXY_API_KEYS } from '../../kafka-apis/index.js';

interface JsonField {
  readonly name: string;
  readonly type: string;
  readonly versions?: string;
  readonly nullableVersions?: string;
  readonly taggedVersions?: string;
  readonly tag?: number;
  readonly default?: string | number | boolean;
  readonly flexibleVersions?: string;
  readonly fields?: readonly JsonField[];
}
interface JsonMessage {
  readonly apiKey?: number;
  readonly type: string;
  readonly name: string;
  readonly validVersions: string;
  readonly flexibleVersions: string;
  readonly fields: readonly JsonField[];
  readonly commonStructs?: readonly { readonly name: string; readonly versions: string; readonly fields: readonly JsonField[] }[];
}

const MAX = 32767;

function range(spec: string | undefined): readonly [number, number] | null {
  if (spec === undefined || spec === 'none' || spec === '') return null;
  const plus = /^(\d+)\+$/.exec(spec);
  if (plus) return [Number(plus[1]), MAX];
  const span = /^(\d+)-(\d+)$/.exec(spec);
  if (span) return [Number(span[1]), Number(span[2])];
  if (/^\d+$/.test(spec)) return [Number(spec), Number(spec)];
  throw new Error(`unparseable version spec ${spec}`);
}

const PRIMITIVES = new Set(['bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'records', 'uuid']);

function convertField(field: JsonField, common: ReadonlyMap<string, readonly JsonField[]>): unknown {
  const isArray = field.type.startsWith('[]');
  const inner = isArray ? field.type.slice(2) : field.type;
  const out: Record<string, unknown> = { n: field.name };
  out['t'] = isArray ? (PRIMITIVES.has(inner) ? `[]${inner}` : '[]struct') : PRIMITIVES.has(inner) ? inner : 'struct';
  out['v'] = range(field.versions ?? '0+');
  const nv = range(field.nullableVersions);
  if (nv) out['nv'] = nv;
  const tv = range(field.taggedVersions);
  if (tv) {
    out['tv'] = tv;
    out['tag'] = field.tag;
  }
  if (field.flexibleVersions !== undefined) out['fv'] = range(field.flexibleVersions);
  if (field.default !== undefined) out['d'] = String(field.default);
  if (!PRIMITIVES.has(inner)) {
    const fields = field.fields ?? common.get(inner);
    if (!fields) throw new Error(`struct ${inner} of ${field.name} has no fields`);
    out['f'] = fields.map((f) => convertField(f, common));
  }
  return out;
}

function convert(message: JsonMessage): unknown {
  const common = new Map((message.commonStructs ?? []).map((s) => [s.name, s.fields] as const));
  return {
    name: message.name,
    valid: range(message.validVersions),
    flexible: range(message.flexibleVersions),
    fields: message.fields.map((f) => convertField(f, common)),
  };
}

function readMessage(jar: string, file: string): JsonMessage {
  const text = execFileSync('unzip', ['-p', jar, `common/message/${file}`], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(text.replace(/^\s*\/\/.*$/gm, '')) as JsonMessage;
}

/** One message per line, so a regenerated table diffs by API. */
function table(messages: Record<number, unknown>): string {
  const lines = Object.entries(messages).map(([key, schema]) => `  ${key}: ${JSON.stringify(schema)},`);
  return `{\n${lines.join('\n')}\n}`;
}

function main(): void {
  const jar = process.argv[2];
  if (!jar) throw new Error('usage: generate-schema <kafka-clients.jar>');
  const names = execFileSync('unzip', ['-Z1', jar], { encoding: 'utf8', maxBuffer: 1 << 24 })
    .split('\n')
    .filter((f) => /^common\/message\/\w+(Request|Response)\.json$/.test(f))
    .map((f) => f.slice('common/message/'.length));
  const wanted = new Set<number>(PROXY_API_KEYS);
  const requests: Record<number, unknown> = {};
  const responses: Record<number, unknown> = {};
  for (const file of names.sort()) {
    const message = readMessage(jar, file);
    if (message.apiKey === undefined || !wanted.has(message.apiKey)) continue;
    (message.type === 'request' ? requests : responses)[message.apiKey] = convert(message);
  }
  const missing = [...wanted].filter((k) => !(k in requests) || !(k in responses));
  if (missing.length > 0) throw new Error(`no definitions for API keys ${missing.join(', ')}`);
  const source = path.basename(jar);
  const text = [
    '/* eslint-disable */',
    `// GENERATED by kafka-proxy/codegen/generate-schema.ts from the JSON message definitions in ${source}`,
    '// (Apache Kafka, Apache License 2.0). Do not edit by hand: regenerate. sluice\'s own compact form:',
    '// n name, t type, v versions, nv nullable versions, tv/tag tagged, fv flexible override, d default, f fields.',
    "import type { MessageSchema } from './schema.js';",
    '',
    `export const SCHEMA_SOURCE = ${JSON.stringify(source)};`,
    `export const REQUESTS: Readonly<Record<number, MessageSchema>> = ${table(requests)};`,
    `export const RESPONSES: Readonly<Record<number, MessageSchema>> = ${table(responses)};`,
    '',
  ].join('\n');
  const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'kafka-proxy', 'protocol', 'messages.generated.ts');
  writeFileSync(process.argv[3] ?? out, text);
  process.stdout.write(`wrote ${Object.keys(requests).length} request and ${Object.keys(responses).length} response schemas to ${process.argv[3] ?? out}\n`);
}

main();
