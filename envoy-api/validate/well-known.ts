/**
 * Rules on well-known message types: PGV's `duration`, `timestamp` and `any` rules, scalar rules
 * on wrapper messages (`google.protobuf.UInt32Value` with `uint32` rules applies them to `value`),
 * and the Duration check Envoy's C++ adds on top of PGV (`MessageUtil::validateDurationFields`:
 * every Duration anywhere in a config must be non-negative and in range).
 */
import { isPlainObject } from './raw-options.js';
import { parseScalar, scalarDefault, type ScalarValue } from './json-scalars.js';
import { toNanos, type AnyRules, type DurationRules, type TimestampRules } from './pgv-rules.js';
import type { ScalarKind } from './plan.js';
import { checkRange, type RuleFailure } from './scalar-rules.js';

/** Wrapper message → the scalar kind of its `value`. */
export const WRAPPERS: ReadonlyMap<string, ScalarKind> = new Map<string, ScalarKind>([
  ['google.protobuf.DoubleValue', 'double'],
  ['google.protobuf.FloatValue', 'float'],
  ['google.protobuf.Int64Value', 'int64'],
  ['google.protobuf.UInt64Value', 'uint64'],
  ['google.protobuf.Int32Value', 'int32'],
  ['google.protobuf.UInt32Value', 'uint32'],
  ['google.protobuf.BoolValue', 'bool'],
  ['google.protobuf.StringValue', 'string'],
  ['google.protobuf.BytesValue', 'bytes'],
]);

/** The scalar a present wrapper message stands for (its default when `value` is absent). */
export function wrapperValue(kind: ScalarKind, json: unknown): ScalarValue | undefined {
  if (!isPlainObject(json)) return undefined;
  const raw = json.value;
  if (raw === undefined || raw === null) return scalarDefault(kind);
  const parsed = parseScalar(kind, raw);
  return parsed.ok ? parsed.value : undefined;
}

const NANOS_PER_SECOND = 1_000_000_000n;
/** Protobuf's Duration bound: ±10,000 years. */
const DURATION_MAX_SECONDS = 315_576_000_000n;

/** A Duration's total nanoseconds, when its `{seconds, nanos}` object is well formed. */
export function durationNanos(json: unknown): bigint | undefined {
  return toNanos(json);
}

/** Renders nanoseconds as Envoy's YAML would write them: `1.5s`, `-0.000000001s`. */
function showDuration(nanos: bigint): string {
  const sign = nanos < 0n ? '-' : '';
  const abs = nanos < 0n ? -nanos : nanos;
  const seconds = abs / NANOS_PER_SECOND;
  const frac = abs % NANOS_PER_SECOND;
  return frac === 0n ? `${sign}${seconds}s` : `${sign}${seconds}.${frac.toString().padStart(9, '0').replace(/0+$/, '')}s`;
}

function showTimestamp(nanos: bigint): string {
  const millis = Number(nanos / 1_000_000n);
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? `${nanos}ns since the epoch` : date.toISOString();
}

function integer(value: unknown): bigint | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  return undefined;
}

/**
 * Envoy's own Duration check (not PGV): negative seconds or nanos, nanos above 999,999,999, or
 * seconds beyond protobuf's ±10,000 years are refused wherever a Duration appears.
 */
export function envoyDurationProblem(json: Record<string, unknown>): string | undefined {
  const s = integer(json.seconds ?? 0);
  const n = integer(json.nanos ?? 0);
  // A malformed seconds or nanos is the shape check's to report.
  if (s === undefined || n === undefined) return undefined;
  if (s < 0n || n < 0n) return `Envoy expects a non-negative duration, got ${showDuration(s * NANOS_PER_SECOND + n)}`;
  if (n > 999_999_999n) return `Duration nanos must be at most 999999999, got ${n}`;
  if (s > DURATION_MAX_SECONDS) return `Duration seconds must be at most ${DURATION_MAX_SECONDS}, got ${s}`;
  return undefined;
}

export function checkDuration(rules: DurationRules, nanos: bigint, out: RuleFailure[]): void {
  checkRange('duration', rules, nanos, showDuration, out);
}

/** PGV's timestamp rules, `lt_now`/`gt_now`/`within` against the injected clock. */
export function checkTimestamp(rules: TimestampRules, nanos: bigint, now: bigint, out: RuleFailure[]): void {
  checkRange('timestamp', rules, nanos, showTimestamp, out);
  const within = rules.within;
  if (rules.lt_now) {
    if (nanos >= now || (within !== undefined && nanos < now - within)) {
      out.push({ rule: 'timestamp.lt_now', message: within === undefined ? 'value must be less than now' : `value must be less than now within ${showDuration(within)}` });
    }
  } else if (rules.gt_now) {
    if (nanos <= now || (within !== undefined && nanos > now + within)) {
      out.push({ rule: 'timestamp.gt_now', message: within === undefined ? 'value must be greater than now' : `value must be greater than now within ${showDuration(within)}` });
    }
  } else if (within !== undefined && (nanos < now - within || nanos > now + within)) {
    out.push({ rule: 'timestamp.within', message: `value must be within ${showDuration(within)} of now` });
  }
}

export function checkAnyRules(rules: AnyRules, typeUrl: string, out: RuleFailure[]): void {
  if (rules.in !== undefined && !rules.in.includes(typeUrl)) out.push({ rule: 'any.in', message: `type URL must be in list [${rules.in.join(', ')}], got ${typeUrl}` });
  if (rules.not_in?.includes(typeUrl)) out.push({ rule: 'any.not_in', message: `type URL must not be in list [${rules.not_in.join(', ')}]` });
}
