/**
 * The JSON shapes sluice's codec (protobufjs `fromObject`) turns into the intended protobuf value
 * without loss, for each scalar type, and the value each one stands for.
 *
 * This is stricter than protobufjs itself, which coerces where Envoy's JSON parser would refuse:
 * `String(5)` for a string field, `Boolean("false") === true` for a bool, `x | 0` for an int.
 * It follows the proto3 JSON mapping where the codec agrees with it: 64-bit integers as decimal
 * strings or safe-integer numbers, 32-bit integers as numbers or decimal strings, doubles as
 * numbers or "NaN"/"Infinity"/"-Infinity", bytes as standard base64.
 */
import type { NumericKind } from './pgv-rules.js';
import type { ScalarKind } from './plan.js';

export type ScalarValue = number | bigint | boolean | string | Uint8Array;

export type Parsed = { readonly ok: true; readonly value: ScalarValue } | { readonly ok: false; readonly message: string };

const INT_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

const DECIMAL = /^-?(0|[1-9]\d*)$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const LONE_SURROGATE = /\p{Surrogate}/u;
const FLOAT_MAX = 3.4028234663852886e38;

/** True for 64-bit integer kinds (compared as bigint). */
function isWide(kind: NumericKind): boolean {
  return kind.endsWith('64') && kind !== 'double';
}

function describe(json: unknown): string {
  if (json === null) return 'null';
  if (Array.isArray(json)) return 'a list';
  if (typeof json === 'string') return `the string ${JSON.stringify(json.length > 40 ? `${json.slice(0, 40)}…` : json)}`;
  if (typeof json === 'object') return 'an object';
  return `${typeof json} ${String(json)}`;
}

function parseInteger(kind: NumericKind, json: unknown): Parsed {
  const range = INT_RANGES[kind];
  if (!range) throw new Error(`no range for ${kind}`);
  let value: bigint;
  if (typeof json === 'number') {
    if (!Number.isInteger(json)) return { ok: false, message: `${kind} expects an integer, got ${json}` };
    if (isWide(kind) && !Number.isSafeInteger(json)) {
      return { ok: false, message: `${json} is beyond 2^53 and has lost precision as a JSON number; write 64-bit integers as decimal strings` };
    }
    value = BigInt(json);
  } else if (typeof json === 'string' && DECIMAL.test(json)) {
    value = BigInt(json);
  } else {
    return { ok: false, message: `${kind} expects an integer (number or decimal string), got ${describe(json)}` };
  }
  if (value < range[0] || value > range[1]) return { ok: false, message: `${value} is out of range for ${kind} [${range[0]}, ${range[1]}]` };
  return { ok: true, value: isWide(kind) ? value : Number(value) };
}

function parseFloating(kind: 'float' | 'double', json: unknown): Parsed {
  let value: number;
  if (typeof json === 'number') value = json;
  else if (json === 'NaN') value = NaN;
  else if (json === 'Infinity') value = Infinity;
  else if (json === '-Infinity') value = -Infinity;
  else if (typeof json === 'string' && json.trim() !== '' && Number.isFinite(Number(json))) value = Number(json);
  else return { ok: false, message: `${kind} expects a number (or "NaN", "Infinity", "-Infinity"), got ${describe(json)}` };
  if (kind === 'float') {
    if (Number.isFinite(value) && Math.abs(value) > FLOAT_MAX) return { ok: false, message: `${value} is out of range for float` };
    return { ok: true, value: Math.fround(value) };
  }
  return { ok: true, value };
}

/** Decodes standard base64 (padding optional), or `undefined` when it is not base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const body = text.replace(/=+$/, '');
  if (body.length % 4 === 1) return undefined;
  if (text.length !== body.length && text.length % 4 !== 0) return undefined;
  return Uint8Array.from(Buffer.from(body, 'base64'));
}

/** Checks one scalar value's JSON shape; on success returns the value it stands for. */
export function parseScalar(kind: ScalarKind, json: unknown): Parsed {
  switch (kind) {
    case 'string':
      if (typeof json !== 'string') return { ok: false, message: `string expects a JSON string, got ${describe(json)}` };
      if (LONE_SURROGATE.test(json)) return { ok: false, message: 'string is not valid UTF-8 (it holds a lone surrogate)' };
      return { ok: true, value: json };
    case 'bool':
      return typeof json === 'boolean' ? { ok: true, value: json } : { ok: false, message: `bool expects true or false, got ${describe(json)}` };
    case 'bytes': {
      if (typeof json !== 'string') return { ok: false, message: `bytes expects a base64 string, got ${describe(json)}` };
      const bytes = decodeBase64(json);
      return bytes ? { ok: true, value: bytes } : { ok: false, message: 'bytes expects standard base64 (A-Z a-z 0-9 + /, optional = padding)' };
    }
    case 'float':
    case 'double':
      return parseFloating(kind, json);
    case 'int32': case 'uint32': case 'sint32': case 'fixed32': case 'sfixed32':
    case 'int64': case 'uint64': case 'sint64': case 'fixed64': case 'sfixed64':
      return parseInteger(kind, json);
    default: {
      const never: never = kind;
      throw new Error(`unknown scalar kind ${String(never)}`);
    }
  }
}

/** The proto3 default of a scalar kind: what an absent field without presence reads as. */
export function scalarDefault(kind: ScalarKind): ScalarValue {
  switch (kind) {
    case 'string': return '';
    case 'bool': return false;
    case 'bytes': return new Uint8Array(0);
    case 'int64': case 'uint64': case 'sint64': case 'fixed64': case 'sfixed64': return 0n;
    default: return 0;
  }
}

/** True when a scalar value equals its proto3 default (counts as unset for fields without presence). */
export function isScalarDefault(value: ScalarValue): boolean {
  if (value instanceof Uint8Array) return value.length === 0;
  return value === '' || value === false || value === 0 || value === 0n;
}

/** Parses a map key (always a JSON object key, so a string) as its key type. */
export function parseMapKey(kind: ScalarKind, key: string): Parsed {
  if (kind === 'string') return parseScalar('string', key);
  if (kind === 'bool') {
    if (key === 'true' || key === 'false') return { ok: true, value: key === 'true' };
    return { ok: false, message: `bool map key must be "true" or "false", got ${JSON.stringify(key)}` };
  }
  if (kind === 'bytes' || kind === 'float' || kind === 'double') return { ok: false, message: `${kind} cannot be a map key` };
  return parseInteger(kind, key);
}
