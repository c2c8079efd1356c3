import { describe, expect, it } from '@jest/globals';
import { checkResource, roundTrip } from '../../envoy-api/index.js';
import { realisticResources } from './fixtures.js';
import { seededRandom as generator } from '../support/random.js';


const ODD_VALUES: readonly unknown[] = [
  null, undefined, 0, -1, 1.5, 2 ** 64, -(2 ** 70), Number.NaN, '', 'NaN', '-0', '1e3', '9223372036854775808', 'abc', 'é\ud800',
  true, false, [], [null], {}, { '@type': 'type.googleapis.com/google.protobuf.Empty' }, { seconds: 'x', nanos: 1.5 }, { value: {} },
  { __proto__: { polluted: 1 } }, '__proto__', [[[[]]]],
];

/** Replaces one randomly chosen entry (list element or object value, leaves included) by an odd value, or adds a key. */
function mutate(json: unknown, random: () => number): unknown {
  const copy: unknown = structuredClone(json);
  const slots: Array<{ container: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach((item, i) => { slots.push({ container: node, key: i }); collect(item); });
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) { slots.push({ container: node as Record<string, unknown>, key }); collect(value); }
    }
  };
  collect(copy);
  const slot = slots[Math.floor(random() * slots.length)];
  const odd = ODD_VALUES[Math.floor(random() * ODD_VALUES.length)];
  if (!slot) return copy;
  if (Array.isArray(slot.container)) slot.container[slot.key as number] = odd;
  else if (random() < 0.1) slot.container[random() < 0.5 ? 'unknown_key' : 'statPrefix'] = odd;
  else slot.container[slot.key as string] = odd;
  return copy;
}

describe('mutation fuzzing of realistic resources (seeded)', () => {
  it('never throws, always returns well-formed violations and differences', () => {
    const random = generator(20261125);
    const resources = realisticResources();
    let violations = 0;
    for (let i = 0; i < 3000; i++) {
      const resource = resources[i % resources.length];
      if (!resource) continue;
      let json: unknown = resource.json;
      for (let k = 1 + Math.floor(random() * 3); k > 0; k--) json = mutate(json, random);
      const found = checkResource(resource.type, json);
      const diffs = roundTrip(resource.type, json);
      for (const v of found) expect(typeof v.path === 'string' && typeof v.rule === 'string' && v.message.length > 0).toBe(true);
      for (const d of diffs) expect(typeof d.path === 'string' && typeof d.kind === 'string').toBe(true);
      violations += found.length;
    }
    // Most mutations break a rule; none may hide behind a root-level refusal.
    expect(violations).toBeGreaterThan(3000);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
