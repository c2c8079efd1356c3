// Generates envoy-api/generated/messages.ts: TypeScript types, in the JSON form sluice's codec
// (envoy-api/codec.ts, protobufjs `fromObject` with `keepCase`) reads, for every message sluice
// emits (`MESSAGES` in envoy-api/protos.ts) and every message and enum those contain, from
// Envoy's protos (as @grpc/grpc-js-xds ships them) and sluice's own under proto/.
//
// The JSON form: field names as in the .proto (snake_case); every field optional (proto3); lists
// as readonly arrays; maps as string-keyed objects; enums as the union of their value names;
// 64-bit integers as number or decimal string; bytes as base64 strings; oneof members as optional
// fields; well-known types as the messages protobufjs defines them (`Duration` is
// `{ seconds, nanos }`, `UInt32Value` is `{ value }`, `Struct` is `{ fields }` of
// `Value`s with camelCase members, as protobufjs's bundled definition has them); and
// `google.protobuf.Any` as `{ '@type': 'type.googleapis.com/<message>' }` plus that message's
// fields, for exactly the messages of `MESSAGES`.
//
// `npm run gen` writes it; envoy-api/generated/messages.test.ts fails when it is stale.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import ts from 'typescript';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
export const OUTPUT = 'envoy-api/generated/messages.ts';
const TABLE = 'envoy-api/protos.ts';

/** Reads the self-contained table of envoy-api/protos.ts (it imports nothing) by transpiling it. */
function readTable() {
  const source = fs.readFileSync(path.join(root, TABLE), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const exports = {};
  new Function('exports', js)(exports);
  return exports;
}

function loadRoot(table) {
  const xds = path.dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
  const protobufjsDir = path.dirname(require.resolve('protobufjs/package.json'));
  const ownDir = path.join(root, 'proto');
  const dirs = [...table.PROTO_DEPS.map((d) => path.join(xds, 'deps', d)), ownDir, protobufjsDir];
  const pb = new protobuf.Root();
  pb.resolvePath = (_origin, target) => dirs.map((d) => path.join(d, target)).find((c) => fs.existsSync(c)) ?? target;
  const own = fs.readdirSync(ownDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.proto')).sort();
  pb.loadSync([...table.PROTO_FILES, ...own], { keepCase: true });
  table.addNewerFields(pb, (name, id, type) => new protobuf.Field(name, id, type));
  pb.resolveAll();
  return pb;
}

const ANY = 'google.protobuf.Any';
const NUMBER = new Set(['double', 'float', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);
const WIDE = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
/** Top-level names the generated file declares besides the proto packages. */
const OWN_NAMES = new Set(['Int64Json', 'EmptyMessage', 'AnyJson', 'AnyOf', 'MessageTypes']);

const nameOf = (reflection) => reflection.fullName.replace(/^\./, '');

/** Every message and enum reachable from the roots (Any is not walked into: it holds the roots). */
function closure(pb, roots) {
  const types = new Map();
  const queue = roots.map((r) => pb.lookupType(r));
  for (let t = queue.pop(); t; t = queue.pop()) {
    const name = nameOf(t);
    if (types.has(name) || name === ANY) continue;
    types.set(name, t);
    if (!(t instanceof protobuf.Type)) continue;
    for (const f of t.fieldsArray) {
      f.resolve();
      if (f.resolvedType) queue.push(f.resolvedType);
    }
  }
  return types;
}

function fieldType(f) {
  let base;
  if (f.resolvedType) base = nameOf(f.resolvedType) === ANY ? 'AnyJson' : nameOf(f.resolvedType);
  else if (NUMBER.has(f.type)) base = 'number';
  else if (WIDE.has(f.type)) base = 'Int64Json';
  else if (f.type === 'bool') base = 'boolean';
  else if (f.type === 'string' || f.type === 'bytes') base = 'string';
  else throw new Error(`${nameOf(f.parent)}.${f.name}: unknown field type ${f.type}`);
  if (f.map) return `{ readonly [key: string]: ${base} }`;
  return f.repeated ? `readonly ${base}[]` : base;
}

const quote = (s) => `'${s}'`;
const propName = (n) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(n) ? n : quote(n));

function declaration(name, t) {
  const short = name.slice(name.lastIndexOf('.') + 1);
  if (t instanceof protobuf.Enum) return [`  type ${short} = ${Object.keys(t.values).map(quote).join(' | ')};`];
  const fields = [...t.fieldsArray].sort((a, b) => a.id - b.id);
  if (fields.length === 0) return [`  type ${short} = EmptyMessage;`];
  const lines = [`  interface ${short} {`];
  for (const f of fields) {
    if (f.options?.deprecated) lines.push('    /** @deprecated */');
    lines.push(`    readonly ${propName(f.name)}?: ${fieldType(f)};`);
  }
  lines.push('  }');
  return lines;
}

/** The generated module's text. */
export function generateMessageTypes() {
  const table = readTable();
  const pb = loadRoot(table);
  const roots = Object.values(table.MESSAGES);
  const types = closure(pb, roots);
  const tops = new Set([...types.keys()].map((n) => n.split('.')[0]));
  const byScope = new Map();
  for (const [name, t] of [...types].sort(([a], [b]) => a.localeCompare(b))) {
    const scope = name.slice(0, name.lastIndexOf('.'));
    // A scope segment named like a top-level package would shadow it inside the namespace.
    for (const seg of scope.split('.').slice(1)) if (tops.has(seg) || OWN_NAMES.has(seg)) throw new Error(`${name}: scope segment "${seg}" shadows a top-level name`);
    if (OWN_NAMES.has(name.slice(name.lastIndexOf('.') + 1))) throw new Error(`${name}: its name is one the generated file declares itself`);
    if (!byScope.has(scope)) byScope.set(scope, []);
    byScope.get(scope).push(...declaration(name, t));
  }
  const out = [
    `/* Generated from Envoy's protos (@grpc/grpc-js-xds deps) and proto/ by scripts/gen-message-types.mjs (npm run gen). Do not edit. */`,
    `/* ${types.size} messages and enums: the closure of MESSAGES in ${TABLE}, in the JSON form envoy-api/codec.ts reads. */`,
    `import type { MESSAGES } from '../protos.js';`,
    '',
    '/** A 64-bit integer: a number while it is a safe integer, else a decimal string. */',
    'export type Int64Json = number | string;',
    '/** A message with no fields: `{}`, and no field may be added. */',
    'export type EmptyMessage = { readonly [field: string]: never };',
    '',
  ];
  for (const [scope, lines] of byScope) out.push(`export declare namespace ${scope} {`, ...lines, '}', '');
  out.push('/** Every generated message by its fully qualified name. */', 'export interface MessageTypes {');
  for (const [name, t] of types) if (t instanceof protobuf.Type) out.push(`  ${quote(name)}: ${name};`);
  out.push('}', '');
  out.push('/** A `google.protobuf.Any` holding one of `MESSAGES`, in JSON form: its type URL as `@type`, then its fields. */', 'export interface AnyOf {');
  for (const name of [...roots].sort()) {
    const url = `{ readonly '@type': 'type.googleapis.com/${name}' }`;
    const empty = types.get(name).fieldsArray.length === 0;
    out.push(`  ${quote(name)}: ${empty ? url : `${url} & ${name}`};`);
  }
  out.push('}', '');
  out.push('/** What an `Any` field may hold. */', 'export type AnyJson = AnyOf[(typeof MESSAGES)[keyof typeof MESSAGES]];', '');
  return out.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  fs.mkdirSync(path.dirname(path.join(root, OUTPUT)), { recursive: true });
  fs.writeFileSync(path.join(root, OUTPUT), generateMessageTypes());
  console.log(`wrote ${OUTPUT}`);
}
