/**
 * PGV rules on single values: numbers (and the range semantics durations and timestamps share),
 * bools, enums, strings and bytes. Each returns the failed rules; an empty list means "valid".
 */
import { bytesFormatProblem, stringFormatProblem } from './formats.js';
import type { BoolRules, BytesRules, EnumRules, Num, NumericRules, RangeRules, StringRules } from './pgv-rules.js';
import type { EnumPlan } from './plan.js';

export interface RuleFailure {
  readonly rule: string;
  readonly message: string;
}

/**
 * PGV's bounds, as its generated code evaluates them: with a lower bound (gt/gte) and an upper
 * bound (lt/lte), an ordinary range when lower < upper, and an *exclusive* range (the value must
 * lie outside [upper, lower]) when the lower bound is the larger. Each check is written as PGV's
 * failure condition, so NaN satisfies every bound, as it does in PGV.
 */
export function checkRange<T extends Num>(prefix: string, r: RangeRules<T>, v: T, show: (x: T) => string, out: RuleFailure[]): void {
  if (r.const !== undefined && v !== r.const) out.push({ rule: `${prefix}.const`, message: `value must equal ${show(r.const)}, got ${show(v)}` });
  const fail = (key: string, message: string): void => {
    out.push({ rule: `${prefix}.${key}`, message: `value must be ${message}, got ${show(v)}` });
  };
  const { lt, lte, gt, gte } = r;
  if (lt !== undefined) {
    if (gt !== undefined) {
      if (lt > gt) {
        if (v <= gt) fail('gt', `inside range (${show(gt)}, ${show(lt)})`);
        else if (v >= lt) fail('lt', `inside range (${show(gt)}, ${show(lt)})`);
      } else if (v >= lt && v <= gt) fail('lt', `outside range [${show(lt)}, ${show(gt)}]`);
    } else if (gte !== undefined) {
      if (lt > gte) {
        if (v < gte) fail('gte', `inside range [${show(gte)}, ${show(lt)})`);
        else if (v >= lt) fail('lt', `inside range [${show(gte)}, ${show(lt)})`);
      } else if (v >= lt && v < gte) fail('lt', `outside range [${show(lt)}, ${show(gte)})`);
    } else if (v >= lt) fail('lt', `less than ${show(lt)}`);
  } else if (lte !== undefined) {
    if (gt !== undefined) {
      if (lte > gt) {
        if (v <= gt) fail('gt', `inside range (${show(gt)}, ${show(lte)}]`);
        else if (v > lte) fail('lte', `inside range (${show(gt)}, ${show(lte)}]`);
      } else if (v > lte && v <= gt) fail('lte', `outside range (${show(lte)}, ${show(gt)}]`);
    } else if (gte !== undefined) {
      if (lte > gte) {
        if (v < gte) fail('gte', `inside range [${show(gte)}, ${show(lte)}]`);
        else if (v > lte) fail('lte', `inside range [${show(gte)}, ${show(lte)}]`);
      } else if (v > lte && v < gte) fail('lte', `outside range (${show(lte)}, ${show(gte)})`);
    } else if (v > lte) fail('lte', `less than or equal to ${show(lte)}`);
  } else if (gt !== undefined) {
    if (v <= gt) fail('gt', `greater than ${show(gt)}`);
  } else if (gte !== undefined && v < gte) fail('gte', `greater than or equal to ${show(gte)}`);
  if (r.in !== undefined && !r.in.includes(v)) out.push({ rule: `${prefix}.in`, message: `value must be in list [${r.in.map(show).join(', ')}], got ${show(v)}` });
  if (r.not_in?.includes(v)) out.push({ rule: `${prefix}.not_in`, message: `value must not be in list [${r.not_in.map(show).join(', ')}]` });
}

export function checkNumeric(rules: NumericRules, value: Num, out: RuleFailure[]): void {
  if (rules.ignore_empty && (value === 0 || value === 0n)) return;
  checkRange(rules.kind, rules, value, String, out);
}

export function checkBool(rules: BoolRules, value: boolean, out: RuleFailure[]): void {
  if (rules.const !== undefined && value !== rules.const) out.push({ rule: 'bool.const', message: `value must equal ${rules.const}` });
}

export function checkEnum(rules: EnumRules, enumType: EnumPlan, value: number, out: RuleFailure[]): void {
  const show = (n: number): string => enumType.byNumber.get(n) ?? String(n);
  if (rules.const !== undefined && value !== rules.const) out.push({ rule: 'enum.const', message: `value must equal ${show(rules.const)}, got ${show(value)}` });
  if (rules.defined_only && !enumType.byNumber.has(value)) out.push({ rule: 'enum.defined_only', message: `value ${value} is not a defined value of ${enumType.fullName}` });
  if (rules.in !== undefined && !rules.in.includes(value)) out.push({ rule: 'enum.in', message: `value must be in list [${rules.in.map(show).join(', ')}], got ${show(value)}` });
  if (rules.not_in?.includes(value)) out.push({ rule: 'enum.not_in', message: `value must not be in list [${rules.not_in.map(show).join(', ')}]` });
}

/** Unicode code points, as PGV counts string length. */
function codePoints(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

export function checkString(rules: StringRules, value: string, out: RuleFailure[]): void {
  if (rules.ignore_empty && value === '') return;
  const quote = (s: string): string => JSON.stringify(s);
  if (rules.const !== undefined && value !== rules.const) out.push({ rule: 'string.const', message: `value must equal ${quote(rules.const)}` });
  if (rules.len !== undefined || rules.min_len !== undefined || rules.max_len !== undefined) {
    const n = codePoints(value);
    if (rules.len !== undefined && n !== rules.len) out.push({ rule: 'string.len', message: `value length must be ${rules.len} characters, got ${n}` });
    if (rules.min_len !== undefined && n < rules.min_len) out.push({ rule: 'string.min_len', message: `value length must be at least ${rules.min_len} characters, got ${n}` });
    if (rules.max_len !== undefined && n > rules.max_len) out.push({ rule: 'string.max_len', message: `value length must be at most ${rules.max_len} characters, got ${n}` });
  }
  if (rules.len_bytes !== undefined || rules.min_bytes !== undefined || rules.max_bytes !== undefined) {
    const n = Buffer.byteLength(value, 'utf8');
    if (rules.len_bytes !== undefined && n !== rules.len_bytes) out.push({ rule: 'string.len_bytes', message: `value length must be ${rules.len_bytes} bytes, got ${n}` });
    if (rules.min_bytes !== undefined && n < rules.min_bytes) out.push({ rule: 'string.min_bytes', message: `value length must be at least ${rules.min_bytes} bytes, got ${n}` });
    if (rules.max_bytes !== undefined && n > rules.max_bytes) out.push({ rule: 'string.max_bytes', message: `value length must be at most ${rules.max_bytes} bytes, got ${n}` });
  }
  if (rules.pattern && !rules.pattern.test(value)) out.push({ rule: 'string.pattern', message: `value does not match regex pattern ${quote(rules.pattern.source)}` });
  if (rules.prefix !== undefined && !value.startsWith(rules.prefix)) out.push({ rule: 'string.prefix', message: `value does not have prefix ${quote(rules.prefix)}` });
  if (rules.suffix !== undefined && !value.endsWith(rules.suffix)) out.push({ rule: 'string.suffix', message: `value does not have suffix ${quote(rules.suffix)}` });
  if (rules.contains !== undefined && !value.includes(rules.contains)) out.push({ rule: 'string.contains', message: `value does not contain substring ${quote(rules.contains)}` });
  if (rules.not_contains !== undefined && value.includes(rules.not_contains)) out.push({ rule: 'string.not_contains', message: `value contains substring ${quote(rules.not_contains)}` });
  if (rules.in !== undefined && !rules.in.includes(value)) out.push({ rule: 'string.in', message: `value must be in list [${rules.in.map(quote).join(', ')}]` });
  if (rules.not_in?.includes(value)) out.push({ rule: 'string.not_in', message: `value must not be in list [${rules.not_in.map(quote).join(', ')}]` });
  if (rules.format) {
    const problem = stringFormatProblem(rules.format, value, rules.strict);
    if (problem) {
      const rule = rules.format === 'http_header_name' || rules.format === 'http_header_value' ? 'string.well_known_regex' : `string.${rules.format}`;
      out.push({ rule, message: problem });
    }
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array, at = 0): boolean {
  if (at + b.length > a.length) return false;
  for (let i = 0; i < b.length; i++) if (a[at + i] !== b[i]) return false;
  return true;
}

function bytesIndexOf(haystack: Uint8Array, needle: Uint8Array): number {
  for (let i = 0; i + needle.length <= haystack.length; i++) if (bytesEqual(haystack, needle, i)) return i;
  return -1;
}

export function checkBytes(rules: BytesRules, value: Uint8Array, out: RuleFailure[]): void {
  if (rules.ignore_empty && value.length === 0) return;
  const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && bytesEqual(a, b);
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  if (rules.const !== undefined && !same(value, rules.const)) out.push({ rule: 'bytes.const', message: `value must equal 0x${hex(rules.const)}` });
  if (rules.len !== undefined && value.length !== rules.len) out.push({ rule: 'bytes.len', message: `value length must be ${rules.len} bytes, got ${value.length}` });
  if (rules.min_len !== undefined && value.length < rules.min_len) out.push({ rule: 'bytes.min_len', message: `value length must be at least ${rules.min_len} bytes, got ${value.length}` });
  if (rules.max_len !== undefined && value.length > rules.max_len) out.push({ rule: 'bytes.max_len', message: `value length must be at most ${rules.max_len} bytes, got ${value.length}` });
  // PGV matches a bytes pattern against the raw bytes; here each byte is one Latin-1 character.
  if (rules.pattern && !rules.pattern.test(Buffer.from(value).toString('latin1'))) out.push({ rule: 'bytes.pattern', message: `value does not match regex pattern ${JSON.stringify(rules.pattern.source)}` });
  if (rules.prefix !== undefined && !bytesEqual(value, rules.prefix)) out.push({ rule: 'bytes.prefix', message: `value does not have prefix 0x${hex(rules.prefix)}` });
  if (rules.suffix !== undefined && !bytesEqual(value, rules.suffix, value.length - rules.suffix.length)) out.push({ rule: 'bytes.suffix', message: `value does not have suffix 0x${hex(rules.suffix)}` });
  if (rules.contains !== undefined && bytesIndexOf(value, rules.contains) < 0) out.push({ rule: 'bytes.contains', message: `value does not contain 0x${hex(rules.contains)}` });
  if (rules.in !== undefined && !rules.in.some((b) => same(b, value))) out.push({ rule: 'bytes.in', message: 'value must be in the listed values' });
  if (rules.not_in?.some((b) => same(b, value))) out.push({ rule: 'bytes.not_in', message: 'value must not be in the listed values' });
  if (rules.format) {
    const problem = bytesFormatProblem(rules.format, value);
    if (problem) out.push({ rule: `bytes.${rules.format}`, message: problem });
  }
}
