/**
 * Which PGV rule kinds this checker evaluates, and an audit that lists every rule kind annotated
 * anywhere in the transitive closure of a set of message types, so a new message (or a new Envoy
 * proto release) that brings a rule kind the checker does not evaluate fails a test loudly.
 *
 * The audit reads the annotations raw (not through the normalizer the checker uses), so a rule the
 * normalizer would mishandle is still listed.
 */
import protobuf from 'protobufjs';
import { hasMangledRuleLiteral } from './literal-escapes.js';
import { NUMERIC_KINDS, parseFieldRules, type FieldRules } from './pgv-rules.js';
import { fileSourceReader, type ProtoSourceReader } from './proto-source.js';
import { isPlainObject, optionNames, PGV_FIELD_OPTION, PGV_MESSAGE_DISABLED, PGV_MESSAGE_IGNORED, PGV_ONEOF_OPTION, rawFieldRules, type RawRules } from './raw-options.js';

const RANGE = ['const', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in'];

/** Every rule kind the checker evaluates: all of validate.proto, plus upstream PGV's `ignore_empty` and `(validate.ignored)`. */
export const SUPPORTED_RULE_KINDS: ReadonlySet<string> = new Set([
  ...NUMERIC_KINDS.flatMap((k) => [...RANGE, 'ignore_empty'].map((r) => `${k}.${r}`)),
  'bool.const',
  ...['const', 'len', 'min_len', 'max_len', 'len_bytes', 'min_bytes', 'max_bytes', 'pattern', 'prefix', 'suffix', 'contains',
    'not_contains', 'in', 'not_in', 'email', 'hostname', 'ip', 'ipv4', 'ipv6', 'uri', 'uri_ref', 'address', 'uuid',
    'well_known_regex', 'strict', 'ignore_empty'].map((r) => `string.${r}`),
  ...['const', 'len', 'min_len', 'max_len', 'pattern', 'prefix', 'suffix', 'contains', 'in', 'not_in', 'ip', 'ipv4', 'ipv6', 'ignore_empty'].map((r) => `bytes.${r}`),
  ...['const', 'defined_only', 'in', 'not_in'].map((r) => `enum.${r}`),
  'message.skip', 'message.required',
  ...['min_items', 'max_items', 'unique', 'items', 'ignore_empty'].map((r) => `repeated.${r}`),
  ...['min_pairs', 'max_pairs', 'no_sparse', 'keys', 'values', 'ignore_empty'].map((r) => `map.${r}`),
  'any.required', 'any.in', 'any.not_in',
  ...['required', ...RANGE].map((r) => `duration.${r}`),
  ...['required', ...RANGE.filter((r) => r !== 'in' && r !== 'not_in'), 'lt_now', 'gt_now', 'within'].map((r) => `timestamp.${r}`),
  'oneof.required',
  'message.disabled',
  'message.ignored',
]);

/** Lists the rule kinds of one raw `FieldRules` object, recursing into items, keys and values. */
function rawRuleKinds(raw: RawRules): string[] {
  const kinds: string[] = [];
  for (const [type, value] of Object.entries(raw)) {
    if (!isPlainObject(value)) {
      kinds.push(type);
      continue;
    }
    for (const [key, inner] of Object.entries(value)) {
      kinds.push(`${type}.${key}`);
      const nested = (type === 'repeated' && key === 'items') || (type === 'map' && (key === 'keys' || key === 'values'));
      if (nested && isPlainObject(inner)) kinds.push(...rawRuleKinds(inner));
    }
  }
  return kinds;
}

function normalizerProblems(rules: FieldRules): string[] {
  const out = [...rules.problems];
  const r = rules.rules;
  if (r?.type === 'repeated' && r.items) out.push(...normalizerProblems(r.items));
  if (r?.type === 'map') {
    if (r.keys) out.push(...normalizerProblems(r.keys));
    if (r.values) out.push(...normalizerProblems(r.values));
  }
  return out;
}

export interface RuleKindAudit {
  /** Rule kind → where it occurs (`message.field`), over the closure. */
  readonly kinds: ReadonlyMap<string, readonly string[]>;
  /** Kinds outside `SUPPORTED_RULE_KINDS`, or that the normalizer could not read, with where. */
  readonly unsupported: ReadonlyArray<{ readonly kind: string; readonly where: string }>;
  /** Message types visited. */
  readonly messageTypes: number;
}

/**
 * Walks every message type reachable from `roots` through message-typed fields (lists and map
 * values included) and lists the PGV rule kinds annotated on them, their oneofs and themselves.
 */
export function auditRuleKinds(root: protobuf.Root, roots: readonly string[], readSource: ProtoSourceReader = fileSourceReader()): RuleKindAudit {
  const kinds = new Map<string, string[]>();
  const unsupported: Array<{ kind: string; where: string }> = [];
  const add = (kind: string, where: string): void => {
    const list = kinds.get(kind) ?? [];
    list.push(where);
    kinds.set(kind, list);
    if (!SUPPORTED_RULE_KINDS.has(kind)) unsupported.push({ kind, where });
  };
  const seen = new Set<string>();
  const queue: protobuf.Type[] = roots.map((name) => root.lookupType(name));
  for (let type = queue.pop(); type; type = queue.pop()) {
    const name = type.fullName.slice(1);
    if (seen.has(name)) continue;
    seen.add(name);
    for (const option of optionNames(type)) {
      if (option === PGV_MESSAGE_DISABLED) add('message.disabled', name);
      else if (option === PGV_MESSAGE_IGNORED) add('message.ignored', name);
      else if (option.startsWith('(validate.')) add(`message-option ${option}`, name);
    }
    for (const oneof of type.oneofsArray) {
      for (const option of optionNames(oneof)) {
        if (option === PGV_ONEOF_OPTION) add('oneof.required', `${name}.${oneof.name}`);
        else if (option.startsWith('(validate.')) add(`oneof-option ${option}`, `${name}.${oneof.name}`);
      }
    }
    for (const field of type.fieldsArray) {
      const where = `${name}.${field.name}`;
      for (const option of optionNames(field)) {
        if (option.startsWith('(validate.') && option !== PGV_FIELD_OPTION) add(`field-option ${option}`, where);
      }
      const raw = rawFieldRules(field);
      if (raw) {
        for (const kind of rawRuleKinds(raw)) add(kind, where);
        for (const problem of normalizerProblems(parseFieldRules(raw))) unsupported.push({ kind: `unreadable ${problem}`, where });
        const source = field.filename ? readSource(field.filename) : undefined;
        if (source !== undefined && hasMangledRuleLiteral(source, field.parent?.name ?? '', field.name, field.id)) unsupported.push({ kind: 'string literal misread by protobufjs', where });
      }
      field.resolve();
      if (field.resolvedType instanceof protobuf.Type) queue.push(field.resolvedType);
    }
  }
  return { kinds, unsupported, messageTypes: seen.size };
}
