/**
 * Per-message "field plans": everything the walker needs about a message type, derived once from
 * protobufjs reflection and cached, so checking ten thousand resources never re-reads options.
 */
import protobuf from 'protobufjs';
import { hasMangledRuleLiteral } from './literal-escapes.js';
import { parseFieldRules, type FieldRules, type NumericKind } from './pgv-rules.js';
import type { ProtoSourceReader } from './proto-source.js';
import { messageRulesOff, oneofRequired, rawFieldRules, readOption } from './raw-options.js';

export type ScalarKind = NumericKind | 'bool' | 'string' | 'bytes';

const SCALARS = new Set<string>([
  'double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64',
  'bool', 'string', 'bytes',
]);

/** What one element of a field holds. */
export type ValueKind =
  | { readonly kind: 'scalar'; readonly scalar: ScalarKind }
  | { readonly kind: 'enum'; readonly enumType: EnumPlan }
  | { readonly kind: 'message'; readonly typeName: string };

export interface EnumPlan {
  readonly fullName: string;
  readonly byName: ReadonlyMap<string, number>;
  readonly byNumber: ReadonlyMap<number, string>;
  /** Upper-cased name → name, for the hint when Envoy (case-insensitive) and the codec disagree. */
  readonly byUpperName: ReadonlyMap<string, string>;
  readonly deprecatedValues: ReadonlySet<string>;
  readonly disallowedValues: ReadonlySet<string>;
}

export type Cardinality = { readonly kind: 'single' } | { readonly kind: 'repeated' } | { readonly kind: 'map'; readonly keyType: ScalarKind };

export interface FieldPlan {
  readonly name: string;
  readonly cardinality: Cardinality;
  readonly value: ValueKind;
  readonly rules: FieldRules | undefined;
  /** The real (or proto3 `optional` synthetic) oneof this field belongs to. */
  readonly oneof: string | undefined;
  /** Set means "present" even at the default value: message fields, oneof members, `optional`. */
  readonly hasPresence: boolean;
  readonly deprecated: boolean;
  readonly disallowedByDefault: boolean;
}

export interface OneofPlan {
  readonly name: string;
  readonly fields: readonly string[];
  readonly required: boolean;
}

/** Well-known types with special handling. */
export type WellKnown = 'any' | 'duration' | 'timestamp' | 'struct' | undefined;

export interface MessagePlan {
  readonly fullName: string;
  readonly fields: ReadonlyMap<string, FieldPlan>;
  /** Fields whose PGV rules can fail while the field is absent (the walker checks them then). */
  readonly ruledFields: readonly FieldPlan[];
  readonly oneofs: readonly OneofPlan[];
  /** `(validate.disabled)`/`(validate.ignored)`: PGV does not validate this message or below. */
  readonly rulesOff: boolean;
  readonly wellKnown: WellKnown;
  /** Field name by its loose spelling (lower case, no underscores), to suggest the right key. */
  readonly byLooseName: ReadonlyMap<string, string>;
}

const WELL_KNOWN: ReadonlyMap<string, WellKnown> = new Map<string, WellKnown>([
  ['google.protobuf.Any', 'any'],
  ['google.protobuf.Duration', 'duration'],
  ['google.protobuf.Timestamp', 'timestamp'],
  ['google.protobuf.Struct', 'struct'],
]);

/** `stat_prefix`, `statPrefix` and `StatPrefix` all loosen to `statprefix`. */
export function looseName(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

function scalarKind(type: string): ScalarKind {
  if (!SCALARS.has(type)) throw new Error(`not a scalar type: ${type}`);
  return type as ScalarKind;
}

/** Builds and caches plans for one protobufjs root. */
export class PlanCache {
  private readonly messages = new Map<string, MessagePlan>();
  private readonly enums = new Map<string, EnumPlan>();

  /** `readSource` lets plans detect rule literals protobufjs misparses; without it that check is skipped. */
  constructor(readonly root: protobuf.Root, private readonly readSource?: ProtoSourceReader) {}

  /** Normalized rules of a field, with a problem added when its literals were misparsed. */
  private fieldRules(field: protobuf.Field): FieldRules | undefined {
    const raw = rawFieldRules(field);
    if (!raw) return undefined;
    const rules = parseFieldRules(raw);
    const source = field.filename && this.readSource ? this.readSource(field.filename) : undefined;
    if (source !== undefined && hasMangledRuleLiteral(source, field.parent?.name ?? '', field.name, field.id)) {
      // The type rules were read wrong: drop them (evaluating them would mislead) and report instead.
      return { ...(rules.message ? { message: rules.message } : {}), problems: [...rules.problems, 'string literal (its escapes are misread by the protobufjs parser)'] };
    }
    return rules;
  }

  /** The plan of a message type by fully qualified name (no leading dot); `undefined` if unknown. */
  lookup(fullName: string): MessagePlan | undefined {
    const cached = this.messages.get(fullName);
    if (cached) return cached;
    let type: protobuf.Type;
    try {
      type = this.root.lookupType(fullName.startsWith('.') ? fullName : `.${fullName}`);
    } catch {
      return undefined;
    }
    const plan = this.build(type);
    this.messages.set(fullName, plan);
    return plan;
  }

  /** Like `lookup`, but a missing type is a bug in sluice (a resolved field pointing nowhere). */
  get(fullName: string): MessagePlan {
    const plan = this.lookup(fullName);
    if (!plan) throw new Error(`message type ${fullName} is not loaded`);
    return plan;
  }

  private enumPlan(type: protobuf.Enum): EnumPlan {
    const fullName = type.fullName.slice(1);
    const cached = this.enums.get(fullName);
    if (cached) return cached;
    const byName = new Map<string, number>();
    const byNumber = new Map<number, string>();
    const byUpperName = new Map<string, string>();
    const deprecatedValues = new Set<string>();
    const disallowedValues = new Set<string>();
    const valuesOptions = (type as unknown as { valuesOptions?: Record<string, Record<string, unknown> | undefined> }).valuesOptions ?? {};
    for (const [name, number] of Object.entries(type.values)) {
      byName.set(name, number);
      if (!byNumber.has(number)) byNumber.set(number, name);
      byUpperName.set(name.toUpperCase(), name);
      const options = valuesOptions[name];
      if (options?.deprecated === true) deprecatedValues.add(name);
      if (options?.['(envoy.annotations.disallowed_by_default_enum)'] === true) disallowedValues.add(name);
    }
    const plan: EnumPlan = { fullName, byName, byNumber, byUpperName, deprecatedValues, disallowedValues };
    this.enums.set(fullName, plan);
    return plan;
  }

  private valueKind(field: protobuf.Field): ValueKind {
    field.resolve();
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Enum) return { kind: 'enum', enumType: this.enumPlan(resolved) };
    if (resolved instanceof protobuf.Type) return { kind: 'message', typeName: resolved.fullName.slice(1) };
    return { kind: 'scalar', scalar: scalarKind(field.type) };
  }

  private build(type: protobuf.Type): MessagePlan {
    const fields = new Map<string, FieldPlan>();
    const byLooseName = new Map<string, string>();
    const ruledFields: FieldPlan[] = [];
    for (const field of type.fieldsArray) {
      const value = this.valueKind(field);
      const cardinality: Cardinality = field instanceof protobuf.MapField
        ? { kind: 'map', keyType: scalarKind(field.keyType) }
        : field.repeated ? { kind: 'repeated' } : { kind: 'single' };
      const rules = this.fieldRules(field);
      const oneof = field.partOf?.name;
      const plan: FieldPlan = {
        name: field.name,
        cardinality,
        value,
        rules,
        oneof,
        hasPresence: cardinality.kind === 'single' && (value.kind === 'message' || oneof !== undefined || field.options?.proto3_optional === true),
        deprecated: field.options?.deprecated === true,
        disallowedByDefault: readOption(field, '(envoy.annotations.disallowed_by_default)') === true,
      };
      fields.set(field.name, plan);
      byLooseName.set(looseName(field.name), field.name);
      if (plan.rules) ruledFields.push(plan);
    }
    const oneofs: OneofPlan[] = type.oneofsArray.map((o) => ({
      name: o.name,
      fields: o.fieldsArray.map((f) => f.name),
      required: oneofRequired(o),
    }));
    const fullName = type.fullName.slice(1);
    return { fullName, fields, ruledFields, oneofs, rulesOff: messageRulesOff(type), wellKnown: WELL_KNOWN.get(fullName), byLooseName };
  }
}
