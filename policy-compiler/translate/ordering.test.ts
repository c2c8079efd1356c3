import { describe, expect, it } from '@jest/globals';
import { HTTP_FILTER_ORDER, LISTENER_FILTER_ORDER, ordered } from './ordering.js';
import { FEATURES } from './registry.js';

describe('the one ordering function', () => {
  it('puts pieces in the order of the positions, whatever order features contribute them in', () => {
    expect(ordered(HTTP_FILTER_ORDER, [{ position: 'router', value: 'r' }, { position: 'rbac-allow', value: 'a' }, { position: 'rbac-deny', value: 'd' }])).toEqual(['d', 'a', 'r']);
    expect(ordered(LISTENER_FILTER_ORDER, [{ position: 'original-src', value: 's' }, { position: 'original-dst', value: 'd' }])).toEqual(['d', 's']);
  });

  it('refuses two pieces at one position', () => {
    expect(() => ordered(HTTP_FILTER_ORDER, [{ position: 'router', value: 1 }, { position: 'router', value: 2 }])).toThrow('two features contribute at position router');
  });

  it('gives every position a reason, and the registry a name per feature', () => {
    for (const o of [...HTTP_FILTER_ORDER, ...LISTENER_FILTER_ORDER]) expect(o.why.length).toBeGreaterThan(10);
    expect(new Set(FEATURES.map((f) => f.name)).size).toBe(FEATURES.length);
  });
});
