import { describe, expect, it } from '@jest/globals';
import { checkResource } from '../../envoy-api/index.js';
import { RULE_CASES } from './rule-cases.js';

describe('every PGV rule kind in the emitted closure, on real Envoy messages', () => {
  it.each(RULE_CASES.map((c) => [c.kind, c] as const))('%s: the valid resource checks clean', (_kind, c) => {
    expect(checkResource(c.type, c.valid)).toEqual([]);
  });

  it.each(RULE_CASES.filter((c) => c.invalid !== undefined).map((c) => [c.kind, c] as const))('%s: the invalid resource fails with exactly that rule at that path', (_kind, c) => {
    const violations = checkResource(c.type, c.invalid);
    expect(violations.map((v) => ({ rule: v.rule, path: v.path }))).toEqual([c.expect]);
    expect(violations[0]?.message).toMatch(/\S/);
  });
});
