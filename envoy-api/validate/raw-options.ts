/**
 * Reading protoc-gen-validate annotations off protobufjs reflection objects.
 *
 * protobufjs exposes an option in two forms:
 * - `parsedOptions`: an array of `{ "(validate.rules)": { string: { min_len: 1 } } }` entries, one
 *   per option statement, with nested messages as objects and repeated values as arrays. This is
 *   the faithful form: it keeps empty messages (`duration = { gt: {} }`) and every element of a
 *   repeated rule (`in: [a, b]`).
 * - `options`: a flat object `{ "(validate.rules).string.min_len": 1 }`. It loses empty messages
 *   (`duration.gt {}` does not appear at all) and keeps only the last element of a repeated rule.
 *
 * So the structured form is read first, entries for the same option are merged, and the flat form
 * is used only when no structured entry exists (then rebuilt into the nested shape).
 */
import type protobuf from 'protobufjs';

/** A rule object as written in the proto file, before normalization. */
export type RawRules = { readonly [key: string]: unknown };

/** The extension names protoc-gen-validate defines (field, oneof, message). */
export const PGV_FIELD_OPTION = '(validate.rules)';
export const PGV_ONEOF_OPTION = '(validate.required)';
export const PGV_MESSAGE_DISABLED = '(validate.disabled)';
export const PGV_MESSAGE_IGNORED = '(validate.ignored)';

/** Rule keys that are `repeated` in validate.proto: two statements add up instead of replacing. */
const REPEATED_RULE_KEYS = new Set(['in', 'not_in']);

/**
 * A JSON object: `Object.prototype` (of any realm: objects from `structuredClone`, a vm context or
 * a worker count) or no prototype at all. Class instances, Maps, Dates and arrays are not.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isPlainObject(existing) && isPlainObject(value)) {
      const copy = { ...existing };
      mergeInto(copy, value);
      target[key] = copy;
    } else if (existing !== undefined && REPEATED_RULE_KEYS.has(key)) {
      target[key] = [...(Array.isArray(existing) ? existing : [existing]), ...(Array.isArray(value) ? value : [value])];
    } else {
      target[key] = value;
    }
  }
}

/** A protobufjs field, oneof or type (its typings declare `parsedOptions` loosely). */
interface OptionCarrier {
  readonly options?: { readonly [key: string]: unknown } | undefined;
  readonly parsedOptions?: unknown;
}

/** The structured option entries, each `{ "(option.name)": value }`. */
function parsedEntries(carrier: OptionCarrier): Array<Record<string, unknown>> {
  const entries = carrier.parsedOptions;
  return Array.isArray(entries) ? entries.filter(isPlainObject) : [];
}

/** Rebuilds `{ "(x).a.b": 1 }` flat entries of one option into `{ a: { b: 1 } }`. */
function fromFlatOptions(carrier: OptionCarrier, option: string): Record<string, unknown> | undefined {
  const flat = carrier.options;
  if (!flat) return undefined;
  let out: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(flat)) {
    if (key !== option && !key.startsWith(`${option}.`)) continue;
    out ??= {};
    if (key === option) {
      if (isPlainObject(value)) mergeInto(out, value);
      continue;
    }
    const parts = key.slice(option.length + 1).split('.');
    let node: Record<string, unknown> = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i] ?? '';
      const next = node[part];
      if (isPlainObject(next)) node = next;
      else {
        const created: Record<string, unknown> = {};
        node[part] = created;
        node = created;
      }
    }
    node[parts[parts.length - 1] ?? ''] = value;
  }
  return out;
}

/**
 * The value of one option on a field, oneof or message: the merged structured entries, else the
 * rebuilt flat form, else `undefined`.
 */
export function readOption(carrier: OptionCarrier, option: string): unknown {
  let found = false;
  let merged: unknown;
  for (const entry of parsedEntries(carrier)) {
    if (!Object.prototype.hasOwnProperty.call(entry, option)) continue;
    const value = entry[option];
    if (found && isPlainObject(merged) && isPlainObject(value)) {
      const copy = { ...merged };
      mergeInto(copy, value);
      merged = copy;
    } else {
      merged = isPlainObject(value) ? { ...value } : value;
    }
    found = true;
  }
  if (found) return merged;
  const flat = fromFlatOptions(carrier, option);
  if (flat) return flat;
  return carrier.options?.[option];
}

/** The `(validate.rules)` of a field, or `undefined` when it has none. */
export function rawFieldRules(field: protobuf.Field): RawRules | undefined {
  const value = readOption(field, PGV_FIELD_OPTION);
  return isPlainObject(value) ? value : undefined;
}

/** True when a oneof carries `(validate.required) = true`. */
export function oneofRequired(oneof: protobuf.OneOf): boolean {
  return readOption(oneof, PGV_ONEOF_OPTION) === true;
}

/** True when a message carries `(validate.disabled)` or `(validate.ignored)`: PGV skips it whole. */
export function messageRulesOff(type: protobuf.Type): boolean {
  return readOption(type, PGV_MESSAGE_DISABLED) === true || readOption(type, PGV_MESSAGE_IGNORED) === true;
}

/** Every option name a reflection object carries (both forms), for the coverage listing. */
export function optionNames(carrier: OptionCarrier): Set<string> {
  const names = new Set<string>();
  for (const entry of parsedEntries(carrier)) for (const key of Object.keys(entry)) names.add(key);
  for (const key of Object.keys(carrier.options ?? {})) {
    const close = key.indexOf(')');
    names.add(key.startsWith('(') && close > 0 ? key.slice(0, close + 1) : key);
  }
  return names;
}
