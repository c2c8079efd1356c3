/**
 * Encode → decode → compare: what the binary form sluice sends (protobufjs `fromObject` + `encode`)
 * keeps of a resource's JSON form. protobufjs drops unknown fields and enum names silently, and
 * coerces some values; this finds each field that was lost, changed or appeared.
 *
 * The comparison is semantic, with proto3's rules: a scalar without presence at its default value
 * equals an absent one, an empty list or map equals an absent one, 64-bit integers compare as
 * integers whether written as numbers or strings, enums by number whether written as names or
 * numbers, bytes by their decoded content, floats at float precision. Message presence counts: an
 * empty message is not the same as no message (for wrappers it is the difference between 0 and
 * "unset").
 */
import { decodeBase64 } from './json-scalars.js';
import type { FieldPlan, MessagePlan, PlanCache, ScalarKind, ValueKind } from './plan.js';
import { isPlainObject } from './raw-options.js';
import { fieldPath, indexPath, keyPath, renderPath, type Path } from './violation.js';
import { TYPE_URL_PREFIX } from '../protos.js';

export type DifferenceKind = 'lost' | 'changed' | 'added' | 'encode_failed' | 'decode_failed';

/** One field whose value did not survive the binary round trip. */
export interface RoundTripDifference {
  readonly path: string;
  readonly kind: DifferenceKind;
  readonly message: string;
}

export interface Codec {
  encode(messageName: string, json: Record<string, unknown>): Uint8Array;
  decode(messageName: string, bytes: Uint8Array): Record<string, unknown>;
}

const MAX_DEPTH = 200;

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** A canonical string for one scalar value, or `undefined` for "unset". */
function canonScalar(kind: ScalarKind, value: unknown, presence: boolean): string | undefined {
  if (value === undefined || value === null) return undefined;
  let canon: string;
  switch (kind) {
    case 'string':
      canon = typeof value === 'string' ? value : `?${show(value)}`;
      if (!presence && canon === '') return undefined;
      return `s:${canon}`;
    case 'bool':
      canon = value === true ? 'true' : value === false ? 'false' : `?${show(value)}`;
      return !presence && canon === 'false' ? undefined : canon;
    case 'bytes': {
      const bytes = typeof value === 'string' ? decodeBase64(value) : undefined;
      canon = bytes ? Buffer.from(bytes).toString('hex') : `?${show(value)}`;
      return !presence && canon === '' ? undefined : `b:${canon}`;
    }
    case 'float': case 'double': {
      const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
      const v = kind === 'float' ? Math.fround(n) : n;
      canon = typeof value === 'number' || typeof value === 'string' ? String(v) : `?${show(value)}`;
      return !presence && canon === '0' ? undefined : canon;
    }
    default:
      try {
        canon = typeof value === 'number' || typeof value === 'string' || typeof value === 'bigint' ? BigInt(value).toString() : `?${show(value)}`;
      } catch {
        canon = `?${show(value)}`;
      }
      return !presence && canon === '0' ? undefined : canon;
  }
}

function canonEnum(kind: Extract<ValueKind, { kind: 'enum' }>, value: unknown, presence: boolean): string | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' ? kind.enumType.byName.get(value) : typeof value === 'number' ? value : undefined;
  if (n === undefined) return `?${show(value)}`;
  return !presence && n === 0 ? undefined : String(n);
}

class Comparer {
  readonly out: RoundTripDifference[] = [];

  constructor(private readonly plans: PlanCache) {}

  private add(path: Path, kind: DifferenceKind, message: string): void {
    this.out.push({ path: renderPath(path), kind, message });
  }

  private differ(path: Path, before: string | undefined, after: string | undefined, b: unknown, a: unknown): void {
    if (before === after) return;
    if (after === undefined) this.add(path, 'lost', `was ${show(b)}, absent after encode/decode`);
    else if (before === undefined) this.add(path, 'added', `absent before, ${show(a)} after encode/decode`);
    else this.add(path, 'changed', `was ${show(b)}, became ${show(a)}`);
  }

  message(plan: MessagePlan, before: unknown, after: unknown, path: Path, depth: number): void {
    if (depth > MAX_DEPTH) {
      this.add(path, 'changed', `nesting deeper than ${MAX_DEPTH}; not compared`);
      return;
    }
    if (!isPlainObject(before) || !isPlainObject(after)) {
      if (show(before) !== show(after)) this.add(path, 'changed', `was ${show(before)}, became ${show(after)}`);
      return;
    }
    if (plan.wellKnown === 'any') {
      this.any(before, after, path, depth);
      return;
    }
    this.fields(plan, before, after, path, depth);
  }

  private any(before: Record<string, unknown>, after: Record<string, unknown>, path: Path, depth: number): void {
    const tb = before['@type'];
    const ta = after['@type'];
    if (tb !== ta) {
      this.differ(fieldPath(path, '@type'), tb === undefined ? undefined : show(tb), ta === undefined ? undefined : show(ta), tb, ta);
      return;
    }
    const plan = typeof tb === 'string' && tb.startsWith(TYPE_URL_PREFIX) ? this.plans.lookup(tb.slice(TYPE_URL_PREFIX.length)) : undefined;
    if (plan) this.fields(plan, before, after, path, depth, '@type');
    else if (show(before) !== show(after)) this.add(path, 'changed', `was ${show(before)}, became ${show(after)}`);
  }

  private fields(plan: MessagePlan, before: Record<string, unknown>, after: Record<string, unknown>, path: Path, depth: number, skipKey?: string): void {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of keys) {
      if (key === skipKey) continue;
      const field = plan.fields.get(key);
      const b = before[key];
      const a = after[key];
      if (!field) {
        if (b !== undefined && b !== null) this.add(fieldPath(path, key), 'lost', `unknown field ${JSON.stringify(key)} was dropped by the codec`);
        else if (a !== undefined && a !== null) this.add(fieldPath(path, key), 'added', `unknown field ${JSON.stringify(key)} appeared`);
        continue;
      }
      this.field(field, b, a, fieldPath(path, key), depth);
    }
  }

  private field(field: FieldPlan, b: unknown, a: unknown, path: Path, depth: number): void {
    switch (field.cardinality.kind) {
      case 'single':
        this.value(field.value, field.hasPresence, b, a, path, depth);
        return;
      case 'repeated': {
        const lb = Array.isArray(b) ? b : [];
        const la = Array.isArray(a) ? a : [];
        if (lb.length !== la.length) {
          this.add(path, lb.length > la.length ? 'lost' : 'changed', `a list of ${lb.length} item(s) became ${la.length}`);
          return;
        }
        for (let i = 0; i < lb.length; i++) this.value(field.value, true, lb[i], la[i], indexPath(path, i), depth + 1);
        return;
      }
      case 'map': {
        const mb = isPlainObject(b) ? b : {};
        const ma = isPlainObject(a) ? a : {};
        for (const key of new Set([...Object.keys(mb), ...Object.keys(ma)])) this.value(field.value, true, mb[key], ma[key], keyPath(path, key), depth + 1);
        return;
      }
      default: {
        const never: never = field.cardinality;
        throw new Error(`unknown cardinality ${String(never)}`);
      }
    }
  }

  private value(kind: ValueKind, presence: boolean, b: unknown, a: unknown, path: Path, depth: number): void {
    switch (kind.kind) {
      case 'scalar':
        this.differ(path, canonScalar(kind.scalar, b, presence), canonScalar(kind.scalar, a, presence), b, a);
        return;
      case 'enum':
        this.differ(path, canonEnum(kind, b, presence), canonEnum(kind, a, presence), b, a);
        return;
      case 'message': {
        const hasB = b !== undefined && b !== null;
        const hasA = a !== undefined && a !== null;
        if (hasB && hasA) this.message(this.plans.get(kind.typeName), b, a, path, depth + 1);
        else if (hasB) this.add(path, 'lost', `was ${show(b)}, absent after encode/decode`);
        else if (hasA) this.add(path, 'added', `absent before, ${show(a)} after encode/decode`);
        return;
      }
      default: {
        const never: never = kind;
        throw new Error(`unknown value kind ${String(never)}`);
      }
    }
  }
}

/**
 * Encodes `json` as `messageName`, decodes the bytes, and lists every field whose value did not
 * survive. Never throws on bad JSON: an encoder refusal is one `encode_failed` difference.
 * Throws only when `messageName` is not loaded.
 */
export function roundTripWith(plans: PlanCache, codec: Codec, messageName: string, json: unknown): RoundTripDifference[] {
  const plan = plans.get(messageName);
  if (!isPlainObject(json)) return [{ path: '', kind: 'encode_failed', message: `${messageName} expects a JSON object` }];
  let bytes: Uint8Array;
  try {
    bytes = codec.encode(messageName, json);
  } catch (error) {
    return [{ path: '', kind: 'encode_failed', message: error instanceof Error ? error.message : String(error) }];
  }
  let decoded: Record<string, unknown>;
  try {
    decoded = codec.decode(messageName, bytes);
  } catch (error) {
    return [{ path: '', kind: 'decode_failed', message: error instanceof Error ? error.message : String(error) }];
  }
  const comparer = new Comparer(plans);
  comparer.message(plan, json, decoded, undefined, 0);
  return comparer.out;
}
