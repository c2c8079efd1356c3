/**
 * Applying one field's PGV rules to one present (or defaulted) value, after its JSON shape has
 * been checked. Rules whose type does not fit the field (which PGV's generator would refuse) are
 * reported as `pgv.unsupported`, like rule keys this checker does not know.
 */
import type { ScalarValue } from './json-scalars.js';
import type { FieldRules, TypeRules } from './pgv-rules.js';
import type { EnumPlan, ScalarKind } from './plan.js';
import { checkBool, checkBytes, checkEnum, checkNumeric, checkString, type RuleFailure } from './scalar-rules.js';

/** What a value is, for choosing which rules fit it. */
export type RuledValue =
  | { readonly kind: 'scalar'; readonly scalar: ScalarKind; readonly value: ScalarValue }
  | { readonly kind: 'enum'; readonly enumType: EnumPlan; readonly value: number };

function mismatch(rules: TypeRules, what: string, out: RuleFailure[]): void {
  out.push({ rule: 'pgv.unsupported', message: `${rules.type === 'numeric' ? rules.kind : rules.type} rules cannot apply to a ${what} value` });
}

/** Applies a rule set's type rules to a scalar or enum value. */
export function applyValueRules(field: FieldRules, value: RuledValue, out: RuleFailure[]): void {
  const rules = field.rules;
  if (!rules) return;
  if (value.kind === 'enum') {
    if (rules.type === 'enum') checkEnum(rules, value.enumType, value.value, out);
    else mismatch(rules, `enum ${value.enumType.fullName}`, out);
    return;
  }
  const v = value.value;
  switch (rules.type) {
    case 'numeric':
      if (rules.kind === value.scalar && (typeof v === 'number' || typeof v === 'bigint')) checkNumeric(rules, v, out);
      else mismatch(rules, value.scalar, out);
      return;
    case 'bool':
      if (typeof v === 'boolean') checkBool(rules, v, out);
      else mismatch(rules, value.scalar, out);
      return;
    case 'string':
      if (value.scalar === 'string' && typeof v === 'string') checkString(rules, v, out);
      else mismatch(rules, value.scalar, out);
      return;
    case 'bytes':
      if (v instanceof Uint8Array) checkBytes(rules, v, out);
      else mismatch(rules, value.scalar, out);
      return;
    case 'enum': case 'repeated': case 'map': case 'any': case 'duration': case 'timestamp':
      mismatch(rules, value.scalar, out);
      return;
    default: {
      const never: never = rules;
      throw new Error(`unknown rule type ${String(never)}`);
    }
  }
}

/** The rule problems (unknown keys, bad values) of a rule set, as failures. */
export function ruleProblems(field: FieldRules, out: RuleFailure[]): void {
  for (const problem of field.problems) {
    out.push({ rule: 'pgv.unsupported', message: `cannot evaluate the PGV rule ${problem}; the field is not known to be valid` });
  }
}
