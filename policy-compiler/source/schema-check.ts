/**
 * Structural validation against the JSON Schemas in `policy-compiler/schema/` (the single source
 * of truth, reused by the Kubernetes CRDs). Ajv collects every error; this file turns each into a
 * diagnostic a person can act on: the field path, and a message that says what is expected.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic, PathSegment } from '../diagnostics.js';
import { formatPath } from '../diagnostics.js';
import type { ParsedDocument } from './yaml-documents.js';

const require = createRequire(import.meta.url);
// Ajv ships CommonJS; its default export does not survive ESM interop under every loader.
const Ajv = require('ajv') as typeof import('ajv').default;

export type SchemaKind = 'L7Policy' | 'Inventory';

const SCHEMA_FILES: Readonly<Record<SchemaKind, string>> = { L7Policy: 'l7policy.schema.json', Inventory: 'inventory.schema.json' };

/**
 * Reads a schema beside the compiled code (`policy-compiler/schema/`, which the build copies into
 * `dist/`). Read when first needed, not at import: an installation without them fails the command
 * that needs them with this message, instead of every command crashing while it loads.
 */
function readSchema(kind: SchemaKind): object {
  const file = fileURLToPath(new URL(`../schema/${SCHEMA_FILES[kind]}`, import.meta.url));
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`cannot read the ${kind} JSON Schema ${file} (${reason}): this sluice build is incomplete; build it with \`npm run build\` (or \`make build\`), which copies policy-compiler/schema/ beside the compiled code`);
  }
  return JSON.parse(text) as object;
}

let schemas: Record<SchemaKind, object> | undefined;
let validators: Record<SchemaKind, ValidateFunction> | undefined;

function loadSchemas(): Record<SchemaKind, object> {
  schemas ??= { L7Policy: readSchema('L7Policy'), Inventory: readSchema('Inventory') };
  return schemas;
}

function getValidators(): Record<SchemaKind, ValidateFunction> {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, verbose: true, allowUnionTypes: true });
    const s = loadSchemas();
    validators = { L7Policy: ajv.compile(s.L7Policy), Inventory: ajv.compile(s.Inventory) };
  }
  return validators;
}

/** The schema's own JSON, for the CRD generator and `sluice schema` (read on first access). */
export const SCHEMAS: Readonly<Record<SchemaKind, object>> = {
  get L7Policy() {
    return loadSchemas().L7Policy;
  },
  get Inventory() {
    return loadSchemas().Inventory;
  },
};

/** Validates a document against the schema of its kind; returns every violation as a diagnostic. */
export function checkSchema(kind: SchemaKind, doc: ParsedDocument): Diagnostic[] {
  const validate = getValidators()[kind];
  if (validate(doc.value)) return [];
  return translateErrors(validate.errors ?? []).map(({ path, message, code }) => ({
    severity: 'error' as const,
    code,
    file: doc.file,
    document: doc.index,
    path: formatPath(path),
    ...doc.locate(path),
    message,
  }));
}

function instancePath(pointer: string): PathSegment[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
}

interface Translated {
  readonly path: PathSegment[];
  readonly message: string;
  readonly code: string;
}

function translateErrors(errors: readonly ErrorObject[]): Translated[] {
  // A failed oneOf also reports why each branch failed; those are noise once the oneOf itself
  // says "set exactly one of …".
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  const relevant = errors.filter((e) => !oneOfPaths.some((p) => e.schemaPath.startsWith(p)));
  // A value of the wrong type also fails its enum/const/pattern; the type error says it all.
  const typeErrors = new Set(relevant.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const seen = new Set<string>();
  const out: Translated[] = [];
  for (const error of relevant) {
    if (error.keyword !== 'type' && typeErrors.has(error.instancePath) && ['enum', 'const', 'pattern'].includes(error.keyword)) continue;
    const t = translate(error);
    const key = `${formatPath(t.path)}|${t.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(t);
    }
  }
  return out;
}

function translate(e: ErrorObject): Translated {
  const path = instancePath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: [...path, String(p.missingProperty)], code: 'schema.required', message: 'required field is missing' };
    case 'additionalProperties': {
      const field = String(p.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const hint = suggest(field, known);
      const allowed = known.length > 0 ? `; allowed here: ${known.join(', ')}` : '';
      return { path: [...path, field], code: 'schema.unknown-field', message: `unknown field "${field}"${hint ? ` (did you mean "${hint}"?)` : allowed}` };
    }
    case 'type':
      return { path, code: 'schema.type', message: `must be ${String(p.type).split(',').map(typeName).join(' or ')}, not ${describe(e.data)}` };
    case 'const':
      return { path, code: 'schema.const', message: `must be ${JSON.stringify(p.allowedValue)}, not ${JSON.stringify(e.data)}` };
    case 'enum':
      return { path, code: 'schema.enum', message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, not ${JSON.stringify(e.data)}` };
    case 'oneOf': {
      const branches = ((e.schema as { required?: string[] }[]) ?? []).flatMap((b) => b.required ?? []);
      const present = branches.filter((k) => typeof e.data === 'object' && e.data !== null && k in e.data);
      const which = present.length > 1 ? ` (found ${present.join(' and ')})` : '';
      return { path, code: 'schema.one-of', message: `set exactly one of ${branches.join(', ')}${which}` };
    }
    case 'pattern': {
      const hint = PATTERN_HINTS[String(p.pattern)];
      return { path, code: 'schema.pattern', message: `${JSON.stringify(e.data)} is not ${hint ?? `in the expected form (${String(p.pattern)})`}` };
    }
    case 'minLength':
      return { path, code: 'schema.min-length', message: Number(p.limit) === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters` };
    case 'maxLength':
      return { path, code: 'schema.max-length', message: `must be at most ${String(p.limit)} characters` };
    case 'minItems':
      return { path, code: 'schema.min-items', message: `must have at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}` };
    case 'maxItems':
      return { path, code: 'schema.max-items', message: `must have at most ${String(p.limit)} items` };
    case 'maxProperties':
      return { path, code: 'schema.max-properties', message: `must have at most ${String(p.limit)} entries` };
    case 'minimum':
    case 'maximum':
      return { path, code: `schema.${e.keyword}`, message: `must be ${e.keyword === 'minimum' ? '>=' : '<='} ${String(p.limit)}, not ${JSON.stringify(e.data)}` };
    default:
      return { path, code: `schema.${e.keyword}`, message: e.message ?? 'is invalid' };
  }
}

/** Plain words for the schema's patterns, keyed by the pattern itself. */
const PATTERN_HINTS: Readonly<Record<string, string>> = {
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$': 'a valid name: lower-case letters, digits, "-" and ".", starting and ending with a letter or digit',
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$': 'a valid name: lower-case letters, digits and "-", starting and ending with a letter or digit',
  '^[A-Z][A-Z0-9_-]{0,31}$': 'an HTTP method in upper case, e.g. GET',
  '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$': 'a fully qualified gRPC service name, e.g. shop.v1.Orders',
  '^(\\*|[A-Za-z_][A-Za-z0-9_]*)$': 'a gRPC method name or *',
  "^:?[0-9A-Za-z!#$%&'*+.^_`|~-]+$": 'a valid HTTP header name',
  '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$': 'a valid label value (at most 63 letters, digits, "-", "_", ".")',
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?|\\*)$': 'a namespace name or *',
  '^[A-Za-z0-9]([-A-Za-z0-9_.:]*[A-Za-z0-9])?$': 'a valid node id (letters, digits, "-", "_", ".", ":")',
};

/** JSON Schema type names in the words of YAML: a mapping, a list. */
function typeName(type: string): string {
  const words: Record<string, string> = { object: 'a mapping', array: 'a list', integer: 'an integer', string: 'a string', boolean: 'a boolean', number: 'a number', null: 'null' };
  return words[type] ?? type;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** The known name closest to `field` (edit distance ≤ 2, or a case-only difference). */
function suggest(field: string, known: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = name.toLowerCase() === field.toLowerCase() ? 0 : editDistance(field, name);
    if (d <= 2 && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] ?? 0;
      prev[j] = Math.min((prev[j] ?? 0) + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length] ?? 0;
}
