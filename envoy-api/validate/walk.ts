/**
 * The walk: one pass over a resource's JSON, guided by the cached message plans, that checks the
 * shape (what Envoy's JSON loader accepts and sluice's codec encodes without loss) and, where
 * protoc-gen-validate would run, the PGV rules, recursing into every `Any` by its `@type`.
 */
import { TYPE_URL_PREFIX } from '../protos.js';
import { applyValueRules, ruleProblems } from './apply-rules.js';
import { checkEnvoySemantics } from './envoy-semantics.js';
import { isScalarDefault, parseMapKey, parseScalar, scalarDefault } from './json-scalars.js';
import type { FieldRules } from './pgv-rules.js';
import { looseName, type FieldPlan, type MessagePlan, type PlanCache, type ValueKind } from './plan.js';
import { isPlainObject } from './raw-options.js';
import type { RuleFailure } from './scalar-rules.js';
import { fieldPath, indexPath, keyPath, type Path, type ViolationSink } from './violation.js';
import { checkAnyRules, checkDuration, checkTimestamp, durationNanos, envoyDurationProblem, WRAPPERS, wrapperValue } from './well-known.js';

export interface WalkContext {
  readonly plans: PlanCache;
  readonly sink: ViolationSink;
  readonly maxDepth: number;
  /** Now, in nanoseconds since the epoch, for `timestamp.lt_now`/`gt_now`/`within`. */
  readonly now: () => bigint;
  readonly reportDeprecated: boolean;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function report(ctx: WalkContext, path: Path, failures: readonly RuleFailure[]): void {
  for (const f of failures) ctx.sink.add(path, f.rule, f.message);
}

function describe(json: unknown): string {
  if (json === null) return 'null';
  if (Array.isArray(json)) return 'a list';
  return typeof json === 'object' ? 'a non-plain object' : `${typeof json}`;
}

function unknownField(ctx: WalkContext, plan: MessagePlan, key: string, path: Path): void {
  const at = fieldPath(path, key);
  let why = `unknown field "${key}" in ${plan.fullName}`;
  const near = plan.byLooseName.get(looseName(key));
  if (FORBIDDEN_KEYS.has(key)) why = `forbidden key "${key}" (not a field of ${plan.fullName})`;
  else if (near) why += `; sluice's codec knows this field only as "${near}" (it would drop "${key}")`;
  else if (key === '@type') why = `"@type" belongs only in a google.protobuf.Any, not in ${plan.fullName}`;
  else if (plan.wellKnown === 'struct') why += '; a Struct is written as { fields: { key: { stringValue: … } } } in this JSON form';
  ctx.sink.add(at, 'json.unknown_field', why);
}

/** Checks one message. `skipKey` is the `@type` of an Any whose payload this is. */
export function walkMessage(ctx: WalkContext, plan: MessagePlan, json: unknown, path: Path, depth: number, pgv: boolean, skipKey?: string): void {
  if (ctx.sink.full) return;
  if (depth > ctx.maxDepth) {
    ctx.sink.add(path, 'json.depth', `nesting deeper than ${ctx.maxDepth} levels; not checked further`);
    return;
  }
  if (!isPlainObject(json)) {
    const hint = plan.wellKnown === 'duration' && typeof json === 'string' ? ' (a Duration is written { seconds, nanos } in this JSON form, not "5s")' : '';
    ctx.sink.add(path, 'json.type', `${plan.fullName} expects a JSON object, got ${describe(json)}${hint}`);
    return;
  }
  if (plan.wellKnown === 'any' && skipKey === undefined) {
    walkAny(ctx, json, path, depth, pgv);
    return;
  }
  const active = pgv && !plan.rulesOff;
  let present: Set<string> | undefined;
  let oneofSeen: Map<string, string> | undefined;
  for (const key of Object.keys(json)) {
    if (key === skipKey) continue;
    const field = plan.fields.get(key);
    if (!field) {
      unknownField(ctx, plan, key, path);
      continue;
    }
    const value = json[key];
    if (value === null || value === undefined) continue;
    (present ??= new Set()).add(key);
    const at = fieldPath(path, key);
    if (field.oneof !== undefined) {
      oneofSeen ??= new Map();
      const other = oneofSeen.get(field.oneof);
      if (other !== undefined) ctx.sink.add(at, 'json.oneof', `"${key}" and "${other}" are both members of oneof ${field.oneof}; set at most one`);
      else oneofSeen.set(field.oneof, key);
    }
    if ((field.disallowedByDefault || field.deprecated) && !isUnset(field, value)) {
      if (field.disallowedByDefault) ctx.sink.add(at, 'envoy.disallowed_by_default', `${plan.fullName}.${key} is deprecated and refused by default (fatal-by-default)`);
      else if (ctx.reportDeprecated) ctx.sink.add(at, 'envoy.deprecated', `${plan.fullName}.${key} is deprecated`);
    }
    walkField(ctx, field, value, at, depth, active);
  }
  if (active) {
    for (const oneof of plan.oneofs) {
      if (oneof.required && !oneof.fields.some((f) => present?.has(f))) {
        ctx.sink.add(fieldPath(path, oneof.name), 'oneof.required', `exactly one of [${oneof.fields.join(', ')}] must be set`);
      }
    }
    for (const field of plan.ruledFields) if (!present?.has(field.name)) checkAbsent(ctx, field, fieldPath(path, field.name));
  }
  if (plan.wellKnown === 'duration') {
    const problem = envoyDurationProblem(json);
    if (problem) ctx.sink.add(path, 'envoy.duration', problem);
  }
  checkEnvoySemantics(ctx, plan.fullName, json, path);
}

/** Envoy's "in use" test for a field (protobuf `HasField`): a scalar at its default or an empty list is not. */
function isUnset(field: FieldPlan, value: unknown): boolean {
  if (field.cardinality.kind === 'repeated') return Array.isArray(value) && value.length === 0;
  if (field.cardinality.kind === 'map') return isPlainObject(value) && Object.keys(value).length === 0;
  if (field.hasPresence) return false;
  if (field.value.kind === 'scalar') {
    const parsed = parseScalar(field.value.scalar, value);
    return parsed.ok && isScalarDefault(parsed.value);
  }
  if (field.value.kind === 'enum') return value === 0 || (typeof value === 'string' && field.value.enumType.byName.get(value) === 0);
  return false;
}

function walkAny(ctx: WalkContext, json: Record<string, unknown>, path: Path, depth: number, pgv: boolean): void {
  const typeUrl = json['@type'];
  if (typeUrl === undefined || typeUrl === null) {
    const hint = 'type_url' in json ? ' (write the payload\'s fields beside "@type", not type_url/value)' : '';
    ctx.sink.add(path, 'json.any', `google.protobuf.Any needs "@type"${hint}`);
    return;
  }
  const at = fieldPath(path, '@type');
  if (typeof typeUrl !== 'string') {
    ctx.sink.add(at, 'json.any', `"@type" must be a string, got ${describe(typeUrl)}`);
    return;
  }
  if (!typeUrl.startsWith(TYPE_URL_PREFIX)) {
    ctx.sink.add(at, 'json.any', `type URL must be of the form "${TYPE_URL_PREFIX}<message>", got ${JSON.stringify(typeUrl)}`);
    return;
  }
  const name = typeUrl.slice(TYPE_URL_PREFIX.length);
  const plan = ctx.plans.lookup(name);
  if (!plan) {
    ctx.sink.add(at, 'json.any', `${JSON.stringify(typeUrl)} does not resolve to a loaded message type`);
    return;
  }
  if (plan.wellKnown === 'any') {
    ctx.sink.add(at, 'json.any', 'an Any that holds an Any is not supported by this JSON form');
    return;
  }
  walkMessage(ctx, plan, json, path, depth, pgv, '@type');
}

function walkField(ctx: WalkContext, field: FieldPlan, value: unknown, path: Path, depth: number, pgv: boolean): void {
  const rules = pgv ? field.rules : undefined;
  const failures: RuleFailure[] = [];
  if (rules) ruleProblems(rules, failures);
  switch (field.cardinality.kind) {
    case 'single':
      walkValue(ctx, field.value, rules, value, path, depth, pgv);
      break;
    case 'repeated': {
      if (!Array.isArray(value)) {
        ctx.sink.add(path, 'json.type', `repeated field expects a JSON list, got ${describe(value)}`);
        return;
      }
      if (depth + 1 > ctx.maxDepth) {
        ctx.sink.add(path, 'json.depth', `nesting deeper than ${ctx.maxDepth} levels; not checked further`);
        return;
      }
      const r = rules?.rules?.type === 'repeated' ? rules.rules : undefined;
      const items = r?.items;
      if (items && value.length > 0) ruleProblems(items, failures);
      for (let i = 0; i < value.length && !ctx.sink.full; i++) {
        const item: unknown = value[i];
        if (item === null || item === undefined) ctx.sink.add(indexPath(path, i), 'json.type', 'null is not allowed as a list element');
        else walkValue(ctx, field.value, items, item, indexPath(path, i), depth + 1, pgv);
      }
      if (r) checkRepeated(field, r, value, failures);
      else if (rules?.rules) failures.push({ rule: 'pgv.unsupported', message: `${rules.rules.type} rules cannot apply to a repeated field` });
      break;
    }
    case 'map':
      walkMap(ctx, field, rules, value, path, depth, pgv, failures);
      break;
    default: {
      const never: never = field.cardinality;
      throw new Error(`unknown cardinality ${String(never)}`);
    }
  }
  report(ctx, path, failures);
}

function walkMap(ctx: WalkContext, field: FieldPlan, rules: FieldRules | undefined, value: unknown, path: Path, depth: number, pgv: boolean, failures: RuleFailure[]): void {
  if (field.cardinality.kind !== 'map') return;
  if (!isPlainObject(value)) {
    ctx.sink.add(path, 'json.type', `map field expects a JSON object, got ${describe(value)}`);
    return;
  }
  if (depth + 1 > ctx.maxDepth) {
    ctx.sink.add(path, 'json.depth', `nesting deeper than ${ctx.maxDepth} levels; not checked further`);
    return;
  }
  const r = rules?.rules?.type === 'map' ? rules.rules : undefined;
  if (rules?.rules && !r) failures.push({ rule: 'pgv.unsupported', message: `${rules.rules.type} rules cannot apply to a map field` });
  const keys = Object.keys(value);
  if (r?.values && keys.length > 0) ruleProblems(r.values, failures);
  for (const key of keys) {
    if (ctx.sink.full) return;
    const at = keyPath(path, key);
    const parsedKey = parseMapKey(field.cardinality.keyType, key);
    if (!parsedKey.ok) ctx.sink.add(at, 'json.type', `map key: ${parsedKey.message}`);
    else if (r?.keys) {
      const keyFailures: RuleFailure[] = [];
      ruleProblems(r.keys, keyFailures);
      applyValueRules(r.keys, { kind: 'scalar', scalar: field.cardinality.keyType, value: parsedKey.value }, keyFailures);
      report(ctx, at, keyFailures);
    }
    const entry: unknown = value[key];
    if (entry === null || entry === undefined) {
      ctx.sink.add(at, r?.no_sparse ? 'map.no_sparse' : 'json.type', 'map values cannot be null');
      continue;
    }
    walkValue(ctx, field.value, r?.values, entry, at, depth + 1, pgv);
  }
  if (r && !(r.ignore_empty && keys.length === 0)) {
    if (r.min_pairs !== undefined && keys.length < r.min_pairs) failures.push({ rule: 'map.min_pairs', message: `value must contain at least ${r.min_pairs} pair(s), got ${keys.length}` });
    if (r.max_pairs !== undefined && keys.length > r.max_pairs) failures.push({ rule: 'map.max_pairs', message: `value must contain no more than ${r.max_pairs} pair(s), got ${keys.length}` });
  }
}

function checkRepeated(field: FieldPlan, r: Extract<NonNullable<FieldRules['rules']>, { type: 'repeated' }>, value: readonly unknown[], failures: RuleFailure[]): void {
  if (r.ignore_empty && value.length === 0) return;
  if (r.min_items !== undefined && value.length < r.min_items) failures.push({ rule: 'repeated.min_items', message: `value must contain at least ${r.min_items} item(s), got ${value.length}` });
  if (r.max_items !== undefined && value.length > r.max_items) failures.push({ rule: 'repeated.max_items', message: `value must contain no more than ${r.max_items} item(s), got ${value.length}` });
  if (r.unique) {
    if (field.value.kind === 'message') {
      failures.push({ rule: 'pgv.unsupported', message: 'repeated.unique cannot apply to message items' });
      return;
    }
    const seen = new Set<string>();
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      const parsed = field.value.kind === 'scalar' ? parseScalar(field.value.scalar, item) : undefined;
      const key = parsed?.ok ? (parsed.value instanceof Uint8Array ? `b:${Buffer.from(parsed.value).toString('hex')}` : `${typeof parsed.value}:${String(parsed.value)}`) : `j:${JSON.stringify(item)}`;
      if (seen.has(key)) {
        failures.push({ rule: 'repeated.unique', message: `repeated value must contain unique items; item ${i} repeats an earlier one` });
        return;
      }
      seen.add(key);
    }
  }
}

/** Parses an enum value: a defined name, or an int32 number (proto3 enums are open). */
function enumNumber(ctx: WalkContext, kind: Extract<ValueKind, { kind: 'enum' }>, json: unknown, path: Path): number | undefined {
  const e = kind.enumType;
  if (typeof json === 'string') {
    const n = e.byName.get(json);
    if (n !== undefined) {
      if (e.disallowedValues.has(json)) ctx.sink.add(path, 'envoy.disallowed_by_default', `enum value ${json} of ${e.fullName} is deprecated and refused by default`);
      else if (ctx.reportDeprecated && e.deprecatedValues.has(json)) ctx.sink.add(path, 'envoy.deprecated', `enum value ${json} of ${e.fullName} is deprecated`);
      return n;
    }
    const near = e.byUpperName.get(json.toUpperCase());
    const hint = near ? `; Envoy matches enum names case-insensitively, sluice's codec does not: write "${near}"` : '';
    ctx.sink.add(path, 'json.enum', `unknown enum value ${JSON.stringify(json)} for ${e.fullName}${hint}`);
    return undefined;
  }
  if (typeof json === 'number' && Number.isInteger(json) && json >= -(2 ** 31) && json < 2 ** 31) return json;
  ctx.sink.add(path, 'json.type', `enum ${e.fullName} expects a value name or an int32, got ${describe(json)}`);
  return undefined;
}

/** Checks one element (a single field's value, a list item or a map value). */
function walkValue(ctx: WalkContext, kind: ValueKind, rules: FieldRules | undefined, json: unknown, path: Path, depth: number, pgv: boolean): void {
  const failures: RuleFailure[] = [];
  switch (kind.kind) {
    case 'scalar': {
      const parsed = parseScalar(kind.scalar, json);
      if (!parsed.ok) ctx.sink.add(path, 'json.type', parsed.message);
      else if (rules) applyValueRules(rules, { kind: 'scalar', scalar: kind.scalar, value: parsed.value }, failures);
      break;
    }
    case 'enum': {
      const n = enumNumber(ctx, kind, json, path);
      if (n !== undefined && rules) applyValueRules(rules, { kind: 'enum', enumType: kind.enumType, value: n }, failures);
      break;
    }
    case 'message': {
      const plan = ctx.plans.get(kind.typeName);
      walkMessage(ctx, plan, json, path, depth + 1, pgv && rules?.message?.skip !== true);
      if (rules?.rules && isPlainObject(json)) messageValueRules(ctx, plan, rules, json, failures);
      break;
    }
    default: {
      const never: never = kind;
      throw new Error(`unknown value kind ${String(never)}`);
    }
  }
  report(ctx, path, failures);
}

/** Type rules on a present message value: well-known types and wrappers. */
function messageValueRules(ctx: WalkContext, plan: MessagePlan, rules: FieldRules, json: Record<string, unknown>, failures: RuleFailure[]): void {
  const r = rules.rules;
  if (!r) return;
  const wrapped = WRAPPERS.get(plan.fullName);
  if (r.type === 'duration' && plan.wellKnown === 'duration') {
    const nanos = durationNanos(json);
    if (nanos !== undefined) checkDuration(r, nanos, failures);
  } else if (r.type === 'timestamp' && plan.wellKnown === 'timestamp') {
    const nanos = durationNanos(json);
    if (nanos !== undefined) checkTimestamp(r, nanos, ctx.now(), failures);
  } else if (r.type === 'any' && plan.wellKnown === 'any') {
    if (typeof json['@type'] === 'string') checkAnyRules(r, json['@type'], failures);
  } else if (wrapped !== undefined && (r.type === 'numeric' || r.type === 'bool' || r.type === 'string' || r.type === 'bytes')) {
    const v = wrapperValue(wrapped, json);
    if (v !== undefined) applyValueRules(rules, { kind: 'scalar', scalar: wrapped, value: v }, failures);
  } else {
    failures.push({ rule: 'pgv.unsupported', message: `${r.type} rules cannot apply to a ${plan.fullName} value` });
  }
}

/** PGV rules that still apply to a field the JSON leaves out. */
function checkAbsent(ctx: WalkContext, field: FieldPlan, path: Path): void {
  const rules = field.rules;
  // A oneof member's rules (even `message.required`) apply only when that member is the one set.
  if (!rules || field.oneof !== undefined) return;
  const failures: RuleFailure[] = [];
  // An unreadable rule might be one that an absent field fails: report it here too.
  ruleProblems(rules, failures);
  const r = rules.rules;
  if (field.cardinality.kind === 'repeated') {
    if (r?.type === 'repeated' && !r.ignore_empty && r.min_items !== undefined && r.min_items > 0) {
      failures.push({ rule: 'repeated.min_items', message: `value must contain at least ${r.min_items} item(s), got 0` });
    }
  } else if (field.cardinality.kind === 'map') {
    if (r?.type === 'map' && !r.ignore_empty && r.min_pairs !== undefined && r.min_pairs > 0) {
      failures.push({ rule: 'map.min_pairs', message: `value must contain at least ${r.min_pairs} pair(s), got 0` });
    }
  } else if (field.value.kind === 'message') {
    if (rules.message?.required) failures.push({ rule: 'message.required', message: 'value is required' });
    if ((r?.type === 'duration' || r?.type === 'timestamp' || r?.type === 'any') && r.required) failures.push({ rule: `${r.type}.required`, message: 'value is required' });
  } else if (!field.hasPresence) {
    if (field.value.kind === 'enum') applyValueRules(rules, { kind: 'enum', enumType: field.value.enumType, value: 0 }, failures);
    else applyValueRules(rules, { kind: 'scalar', scalar: field.value.scalar, value: scalarDefault(field.value.scalar) }, failures);
  }
  report(ctx, path, failures);
}
