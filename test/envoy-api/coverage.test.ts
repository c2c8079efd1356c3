import { describe, expect, it } from '@jest/globals';
import protobuf from 'protobufjs';
import { auditRuleKinds, protoRoot, SLUICE_EMITTED_TYPES, SUPPORTED_RULE_KINDS } from '../../envoy-api/index.js';
import { RULE_CASES } from './rule-cases.js';

/** The same closure the audit walks, for cross-checks that look at raw reflection objects. */
function closureFields(root: protobuf.Root, roots: readonly string[]): protobuf.Field[] {
  const seen = new Set<string>();
  const fields: protobuf.Field[] = [];
  const queue = roots.map((n) => root.lookupType(n));
  for (let t = queue.pop(); t; t = queue.pop()) {
    if (seen.has(t.fullName)) continue;
    seen.add(t.fullName);
    for (const f of t.fieldsArray) {
      fields.push(f);
      f.resolve();
      if (f.resolvedType instanceof protobuf.Type) queue.push(f.resolvedType);
    }
  }
  return fields;
}

describe('rule-kind coverage of the messages sluice emits', () => {
  const audit = auditRuleKinds(protoRoot(), SLUICE_EMITTED_TYPES);

  it('walks the whole closure (hundreds of message types, dozens of rule kinds)', () => {
    expect(audit.messageTypes).toBeGreaterThan(300);
    expect(audit.kinds.size).toBeGreaterThan(30);
    expect(audit.kinds.get('oneof.required')?.length).toBeGreaterThan(10);
  });

  it('finds no rule kind the checker does not evaluate, and no annotation it cannot read', () => {
    const missing = audit.unsupported.map((u) => `${u.kind} at ${u.where}`);
    expect(missing).toEqual([]);
    for (const kind of audit.kinds.keys()) expect(SUPPORTED_RULE_KINDS.has(kind)).toBe(true);
  });

  it('has a valid and (where any real message can fail it) an invalid case for every kind present', () => {
    const cased = new Set(RULE_CASES.map((c) => c.kind));
    const uncovered = [...audit.kinds.keys()].filter((k) => !cased.has(k));
    expect(uncovered).toEqual([]);
    const stale = RULE_CASES.filter((c) => !audit.kinds.has(c.kind)).map((c) => c.kind);
    expect(stale).toEqual([]);
  });

  it('holds no map with a 64-bit key but in CEL checked expressions (protobufjs decodes such keys as hash strings)', () => {
    // RBAC's checked_condition can carry a google.api.expr CheckedExpr; sluice does not emit one,
    // and roundTrip would report its keys as lost if it ever did.
    const wideKeys = closureFields(protoRoot(), SLUICE_EMITTED_TYPES)
      .filter((f) => f instanceof protobuf.MapField && /64$/.test(f.keyType))
      .map((f) => `${f.parent?.fullName ?? ''}.${f.name}`);
    expect(wideKeys.filter((name) => !name.startsWith('.google.api.expr.v1alpha1.'))).toEqual([]);
    expect(wideKeys.length).toBeLessThanOrEqual(4);
  });

  it('reads the structured option form, which keeps what the flat form loses', () => {
    // protobufjs flattens options into "(validate.rules).a.b" keys, dropping empty messages
    // (`duration.gt {}`) and all but the last element of a repeated rule. Every flat key must be
    // present in the structured form the checker reads.
    const fields = closureFields(protoRoot(), SLUICE_EMITTED_TYPES);
    let flatKeys = 0;
    for (const field of fields) {
      const structured: Record<string, unknown> = {};
      for (const entry of (field.parsedOptions as unknown as Array<Record<string, unknown>> | null) ?? []) {
        const rules = entry['(validate.rules)'];
        if (rules && typeof rules === 'object') Object.assign(structured, rules);
      }
      for (const key of Object.keys(field.options ?? {})) {
        if (!key.startsWith('(validate.rules).')) continue;
        flatKeys++;
        let node: unknown = structured;
        for (const part of key.slice('(validate.rules).'.length).split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
        expect([key, node !== undefined]).toEqual([key, true]);
      }
    }
    expect(flatKeys).toBeGreaterThan(300);
    const connectTimeout = protoRoot().lookupType('envoy.config.cluster.v3.Cluster').fields.connect_timeout;
    expect(Object.keys(connectTimeout?.options ?? {})).toEqual([]);
  });
});
