/**
 * protoc-gen-validate field rules, normalized once per field into typed values the walker can
 * apply without looking at option objects again.
 *
 * Every key of validate.proto is understood. A key that is not (a newer PGV rule, a typo in a
 * proto, a value of the wrong type) lands in `problems`, and the walker reports it as a
 * `pgv.unsupported` violation wherever the field is checked: an annotation this checker cannot
 * evaluate is never treated as satisfied.
 */
import { isPlainObject, type RawRules } from './raw-options.js';
import { compileRe2 } from './re2.js';

export type NumericKind =
  | 'float' | 'double' | 'int32' | 'int64' | 'uint32' | 'uint64'
  | 'sint32' | 'sint64' | 'fixed32' | 'fixed64' | 'sfixed32' | 'sfixed64';

export const NUMERIC_KINDS: readonly NumericKind[] = [
  'float', 'double', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64',
];

/** 64-bit kinds are compared as `bigint`, the others as `number`. */
export type Num = number | bigint;

/** Shared by numeric, duration and timestamp rules: the PGV range semantics over comparable values. */
export interface RangeRules<T> {
  readonly const?: T;
  readonly lt?: T;
  readonly lte?: T;
  readonly gt?: T;
  readonly gte?: T;
  readonly in?: readonly T[];
  readonly not_in?: readonly T[];
}

export interface NumericRules extends RangeRules<Num> {
  readonly type: 'numeric';
  readonly kind: NumericKind;
  readonly ignore_empty: boolean;
}

export interface BoolRules {
  readonly type: 'bool';
  readonly const?: boolean;
}

export type StringFormat =
  | 'email' | 'hostname' | 'ip' | 'ipv4' | 'ipv6' | 'uri' | 'uri_ref' | 'address' | 'uuid'
  | 'http_header_name' | 'http_header_value';

export interface CompiledPattern {
  readonly source: string;
  readonly test: (input: string) => boolean;
}

export interface StringRules {
  readonly type: 'string';
  readonly const?: string;
  readonly len?: number;
  readonly min_len?: number;
  readonly max_len?: number;
  readonly len_bytes?: number;
  readonly min_bytes?: number;
  readonly max_bytes?: number;
  readonly pattern?: CompiledPattern;
  readonly prefix?: string;
  readonly suffix?: string;
  readonly contains?: string;
  readonly not_contains?: string;
  readonly in?: readonly string[];
  readonly not_in?: readonly string[];
  readonly format?: StringFormat;
  /** `strict` as PGV defines it: default true; false loosens the two HTTP header formats. */
  readonly strict: boolean;
  readonly ignore_empty: boolean;
}

export type BytesFormat = 'ip' | 'ipv4' | 'ipv6';

export interface BytesRules {
  readonly type: 'bytes';
  readonly const?: Uint8Array;
  readonly len?: number;
  readonly min_len?: number;
  readonly max_len?: number;
  readonly pattern?: CompiledPattern;
  readonly prefix?: Uint8Array;
  readonly suffix?: Uint8Array;
  readonly contains?: Uint8Array;
  readonly in?: readonly Uint8Array[];
  readonly not_in?: readonly Uint8Array[];
  readonly format?: BytesFormat;
  readonly ignore_empty: boolean;
}

export interface EnumRules {
  readonly type: 'enum';
  readonly const?: number;
  readonly defined_only: boolean;
  readonly in?: readonly number[];
  readonly not_in?: readonly number[];
}

export interface RepeatedRules {
  readonly type: 'repeated';
  readonly min_items?: number;
  readonly max_items?: number;
  readonly unique: boolean;
  readonly items?: FieldRules;
  readonly ignore_empty: boolean;
}

export interface MapRules {
  readonly type: 'map';
  readonly min_pairs?: number;
  readonly max_pairs?: number;
  readonly no_sparse: boolean;
  readonly keys?: FieldRules;
  readonly values?: FieldRules;
  readonly ignore_empty: boolean;
}

export interface AnyRules {
  readonly type: 'any';
  readonly required: boolean;
  readonly in?: readonly string[];
  readonly not_in?: readonly string[];
}

/** Durations and timestamps are compared as total nanoseconds. */
export interface DurationRules extends RangeRules<bigint> {
  readonly type: 'duration';
  readonly required: boolean;
}

export interface TimestampRules extends RangeRules<bigint> {
  readonly type: 'timestamp';
  readonly required: boolean;
  readonly lt_now: boolean;
  readonly gt_now: boolean;
  readonly within?: bigint;
}

export type TypeRules =
  | NumericRules | BoolRules | StringRules | BytesRules | EnumRules
  | RepeatedRules | MapRules | AnyRules | DurationRules | TimestampRules;

/** One field's rules (also the `items` of a repeated rule and the `keys`/`values` of a map rule). */
export interface FieldRules {
  readonly message?: { readonly skip: boolean; readonly required: boolean };
  readonly rules?: TypeRules;
  /** Rule kinds (`string.foo`) that could not be understood: reported, never ignored. */
  readonly problems: readonly string[];
}

type Converter<T> = (value: unknown) => T | undefined;

const toCount: Converter<number> = (v) => {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
};
const toBool: Converter<boolean> = (v) => (typeof v === 'boolean' ? v : undefined);
const toStr: Converter<string> = (v) => (typeof v === 'string' ? v : undefined);
const toInt32: Converter<number> = (v) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
function listOf<T>(convert: Converter<T>): Converter<T[]> {
  return (v) => {
    const items = Array.isArray(v) ? v : [v];
    const out: T[] = [];
    for (const item of items) {
      const c = convert(item);
      if (c === undefined) return undefined;
      out.push(c);
    }
    return out;
  };
}
/** Bytes literals in protos reach protobufjs as strings of byte-valued characters. */
const toBytes: Converter<Uint8Array> = (v) => {
  if (typeof v !== 'string') return undefined;
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c > 0xff) return Uint8Array.from(Buffer.from(v, 'utf8'));
    out[i] = c;
  }
  return out;
};
const toPattern: Converter<CompiledPattern> = (v) => {
  if (typeof v !== 'string') return undefined;
  const compiled = compileRe2(v);
  return compiled.ok ? { source: v, test: compiled.test } : undefined;
};
function toNum(kind: NumericKind): Converter<Num> {
  const wide = kind.endsWith('64') && kind !== 'double';
  return (v) => {
    if (wide) {
      if (typeof v === 'bigint') return v;
      if ((typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v))) return BigInt(v);
      return undefined;
    }
    const n = typeof v === 'string' ? Number(v) : v;
    if (typeof n !== 'number') return undefined;
    return kind === 'float' ? Math.fround(n) : n;
  };
}
/** A `google.protobuf.Duration`/`Timestamp` literal `{ seconds, nanos }` as total nanoseconds. */
export const toNanos: Converter<bigint> = (v) => {
  if (!isPlainObject(v)) return undefined;
  const { seconds = 0, nanos = 0 } = v;
  const okInt = (x: unknown): x is number | string => (typeof x === 'number' && Number.isInteger(x)) || (typeof x === 'string' && /^-?\d+$/.test(x));
  if (!okInt(seconds) || !okInt(nanos)) return undefined;
  return BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
};

type Table = { readonly [key: string]: Converter<unknown> };

/** Applies a key table to a raw rule object: converted values, and the keys that failed. */
function convert(kind: string, raw: unknown, table: Table, problems: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isPlainObject(raw)) {
    problems.push(kind);
    return out;
  }
  for (const [key, value] of Object.entries(raw)) {
    const converter = table[key];
    const converted = converter ? converter(value) : undefined;
    if (converted === undefined) problems.push(`${kind}.${key}`);
    else out[key] = converted;
  }
  return out;
}

function rangeTable(c: Converter<unknown>): Table {
  return { const: c, lt: c, lte: c, gt: c, gte: c, in: listOf(c), not_in: listOf(c) };
}

const STRING_FORMATS: readonly StringFormat[] = ['email', 'hostname', 'ip', 'ipv4', 'ipv6', 'uri', 'uri_ref', 'address', 'uuid'];
const BYTES_FORMATS: readonly BytesFormat[] = ['ip', 'ipv4', 'ipv6'];

function stringRules(raw: unknown, problems: string[]): StringRules {
  const table: Table = {
    const: toStr, len: toCount, min_len: toCount, max_len: toCount, len_bytes: toCount, min_bytes: toCount,
    max_bytes: toCount, pattern: toPattern, prefix: toStr, suffix: toStr, contains: toStr, not_contains: toStr,
    in: listOf(toStr), not_in: listOf(toStr), strict: toBool, ignore_empty: toBool,
    well_known_regex: (v) => (v === 'HTTP_HEADER_NAME' || v === 1 ? 'http_header_name' : v === 'HTTP_HEADER_VALUE' || v === 2 ? 'http_header_value' : v === 'UNKNOWN' || v === 0 ? 'none' : undefined),
    ...Object.fromEntries(STRING_FORMATS.map((f) => [f, toBool])),
  };
  const c = convert('string', raw, table, problems);
  let format: StringFormat | undefined;
  for (const f of STRING_FORMATS) if (c[f] === true) format = f;
  if (c.well_known_regex === 'http_header_name' || c.well_known_regex === 'http_header_value') format = c.well_known_regex;
  return {
    type: 'string', ...pick(c, ['const', 'len', 'min_len', 'max_len', 'len_bytes', 'min_bytes', 'max_bytes', 'pattern', 'prefix', 'suffix', 'contains', 'not_contains', 'in', 'not_in']),
    ...(format ? { format } : {}), strict: c.strict !== false, ignore_empty: c.ignore_empty === true,
  } as StringRules;
}

function bytesRules(raw: unknown, problems: string[]): BytesRules {
  const table: Table = {
    const: toBytes, len: toCount, min_len: toCount, max_len: toCount, pattern: toPattern, prefix: toBytes,
    suffix: toBytes, contains: toBytes, in: listOf(toBytes), not_in: listOf(toBytes), ignore_empty: toBool,
    ...Object.fromEntries(BYTES_FORMATS.map((f) => [f, toBool])),
  };
  const c = convert('bytes', raw, table, problems);
  let format: BytesFormat | undefined;
  for (const f of BYTES_FORMATS) if (c[f] === true) format = f;
  return {
    type: 'bytes', ...pick(c, ['const', 'len', 'min_len', 'max_len', 'pattern', 'prefix', 'suffix', 'contains', 'in', 'not_in']),
    ...(format ? { format } : {}), ignore_empty: c.ignore_empty === true,
  } as BytesRules;
}

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

function typeRules(kind: string, raw: unknown, problems: string[]): TypeRules | undefined {
  if ((NUMERIC_KINDS as readonly string[]).includes(kind)) {
    const numeric = kind as NumericKind;
    const c = convert(kind, raw, { ...rangeTable(toNum(numeric)), ignore_empty: toBool }, problems);
    return { type: 'numeric', kind: numeric, ...pick(c, ['const', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in']), ignore_empty: c.ignore_empty === true } as NumericRules;
  }
  switch (kind) {
    case 'bool':
      return { type: 'bool', ...pick(convert(kind, raw, { const: toBool }, problems), ['const']) } as BoolRules;
    case 'string':
      return stringRules(raw, problems);
    case 'bytes':
      return bytesRules(raw, problems);
    case 'enum': {
      const c = convert(kind, raw, { const: toInt32, defined_only: toBool, in: listOf(toInt32), not_in: listOf(toInt32) }, problems);
      return { type: 'enum', ...pick(c, ['const', 'in', 'not_in']), defined_only: c.defined_only === true } as EnumRules;
    }
    case 'repeated': {
      const c = convert(kind, raw, { min_items: toCount, max_items: toCount, unique: toBool, ignore_empty: toBool, items: (v) => (isPlainObject(v) ? v : undefined) }, problems);
      const items = c.items === undefined ? undefined : parseFieldRules(c.items as RawRules);
      return { type: 'repeated', ...pick(c, ['min_items', 'max_items']), ...(items ? { items } : {}), unique: c.unique === true, ignore_empty: c.ignore_empty === true } as RepeatedRules;
    }
    case 'map': {
      const sub = (v: unknown): unknown => (isPlainObject(v) ? v : undefined);
      const c = convert(kind, raw, { min_pairs: toCount, max_pairs: toCount, no_sparse: toBool, ignore_empty: toBool, keys: sub, values: sub }, problems);
      const keys = c.keys === undefined ? undefined : parseFieldRules(c.keys as RawRules);
      const values = c.values === undefined ? undefined : parseFieldRules(c.values as RawRules);
      return { type: 'map', ...pick(c, ['min_pairs', 'max_pairs']), ...(keys ? { keys } : {}), ...(values ? { values } : {}), no_sparse: c.no_sparse === true, ignore_empty: c.ignore_empty === true } as MapRules;
    }
    case 'any': {
      const c = convert(kind, raw, { required: toBool, in: listOf(toStr), not_in: listOf(toStr) }, problems);
      return { type: 'any', ...pick(c, ['in', 'not_in']), required: c.required === true } as AnyRules;
    }
    case 'duration': {
      const c = convert(kind, raw, { ...rangeTable(toNanos), required: toBool }, problems);
      return { type: 'duration', ...pick(c, ['const', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in']), required: c.required === true } as DurationRules;
    }
    case 'timestamp': {
      const c = convert(kind, raw, { ...rangeTable(toNanos), required: toBool, lt_now: toBool, gt_now: toBool, within: toNanos }, problems);
      return { type: 'timestamp', ...pick(c, ['const', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in', 'within']), required: c.required === true, lt_now: c.lt_now === true, gt_now: c.gt_now === true } as TimestampRules;
    }
    default:
      problems.push(kind);
      return undefined;
  }
}

/** Normalizes one `FieldRules` object (a field's `(validate.rules)`, or a nested items/keys/values). */
export function parseFieldRules(raw: RawRules): FieldRules {
  const problems: string[] = [];
  let message: FieldRules['message'];
  let rules: TypeRules | undefined;
  for (const [kind, value] of Object.entries(raw)) {
    if (kind === 'message') {
      const c = convert('message', value, { skip: toBool, required: toBool }, problems);
      message = { skip: c.skip === true, required: c.required === true };
    } else if (rules !== undefined) {
      problems.push(`${kind} (a second rule type beside ${rules.type})`);
    } else {
      rules = typeRules(kind, value, problems);
    }
  }
  return { ...(message ? { message } : {}), ...(rules ? { rules } : {}), problems };
}
