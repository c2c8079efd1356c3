import { describe, expect, it } from '@jest/globals';
import { seededRandom } from '../../test/support/random.js';
import type { Policy } from '../model/types.js';
import type { ChainKey, Contribution, PolicyContributions } from './contributions.js';
import { ChainGrouping, type Grouping } from './grouping.js';

// Grouping reads only a policy's key and its entries' id, sort, key and contribution (compared by identity).
const policy = (key: string) => ({ key }) as unknown as Policy;
const lowered = (ids: readonly string[], tag: string): PolicyContributions => ({
  entries: ids.map((id) => ({ id, sort: `sort:${id}`, key: { id } as unknown as ChainKey, contribution: { tag, id } as unknown as Contribution })),
  diagnostics: [],
});
// The groups' map order is not part of the result (consumers walk `order`).
const plain = (g: Grouping) => ({ order: g.order, groups: [...g.groups].sort(([a], [b]) => a.localeCompare(b)).map(([id, x]) => [id, x.sort, x.contributions]) });

describe('ChainGrouping', () => {
  it('equals a fresh grouping after every step of 300 random edits of one or a few policies, and rebuilds only the groups they touch', () => {
    const next = seededRandom(7);
    const random = (n: number) => Math.floor(next() * n);
    const ids = Array.from({ length: 30 }, (_, i) => `chain-${String(i).padStart(2, '0')}`);
    const pick = () => Array.from({ length: 1 + random(3) }, () => ids[random(ids.length)] ?? 'chain-00');
    const policies = Array.from({ length: 40 }, (_, i) => policy(`ns/p${i}`));
    let contributions = policies.map((_, i) => lowered(pick(), `v0-${i}`));
    const grouping = new ChainGrouping();
    grouping.group(policies, contributions);
    let partialSteps = 0;
    for (let step = 1; step <= 300; step++) {
      const before = grouping.group(policies, contributions);
      const previous = contributions;
      const edited = new Set(Array.from({ length: 1 + random(4) }, () => random(policies.length)));
      contributions = contributions.map((c, i) => (edited.has(i) ? lowered(pick(), `v${step}-${i}`) : c));
      const after = grouping.group(policies, contributions);
      expect({ step, ...plain(after) }).toEqual({ step, ...plain(new ChainGrouping().group(policies, contributions)) });
      if (edited.size > policies.length / 8) continue;
      partialSteps++;
      // A group none of the edited policies contributed to, before or after, is the same object.
      const touched = new Set([...edited].flatMap((i) => [...(previous[i]?.entries ?? []), ...(contributions[i]?.entries ?? [])].map((e) => e.id)));
      for (const [id, g] of after.groups) if (!touched.has(id)) expect(g).toBe(before.groups.get(id));
    }
    expect(partialSteps).toBeGreaterThan(200);
  });

  it('rebuilds in full when policies are added, removed or reordered', () => {
    const grouping = new ChainGrouping();
    const a = [policy('ns/a'), policy('ns/b')];
    const la = [lowered(['c1'], 'a'), lowered(['c2', 'c1'], 'b')];
    expect(plain(grouping.group(a, la)).order).toEqual(['c1', 'c2']);
    const reordered = grouping.group([a[1] as Policy, a[0] as Policy], [la[1] as PolicyContributions, la[0] as PolicyContributions]);
    expect(reordered.groups.get('c1')?.contributions.map((c) => (c as unknown as { tag: string }).tag)).toEqual(['b', 'a']);
    const fewer = grouping.group([a[0] as Policy], [la[0] as PolicyContributions]);
    expect(plain(fewer).order).toEqual(['c1']);
  });
});
