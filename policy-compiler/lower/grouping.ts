/**
 * Policies' contributions grouped by the chain they go to (one group per chain id), in chain
 * order. Rebuilt in full when the list of policies changes shape; when only some policies changed
 * (the same keys in the same order, a few new objects, the common reload), only the groups those
 * policies contribute to are rebuilt, and a group nobody touched is the same object as before.
 * Either way the result equals a fresh grouping: contributions in policy order, each group's key
 * and sort key from its first contribution, groups ordered by sort key.
 */
import type { Policy } from '../model/types.js';
import type { ChainKey, Contribution, PolicyContributions } from './contributions.js';

export interface ChainGroup {
  readonly key: ChainKey;
  readonly sort: string;
  readonly contributions: readonly Contribution[];
}

export interface Grouping {
  readonly groups: ReadonlyMap<string, ChainGroup>;
  /** Chain ids by sort key. */
  readonly order: readonly string[];
}

/** Above this share of changed policies a full rebuild is cheaper than tracking what moved. */
const INCREMENTAL_SHARE = 1 / 8;

export class ChainGrouping {
  private policies: readonly Policy[] = [];
  private lowered: readonly PolicyContributions[] = [];
  private last: Grouping = { groups: new Map(), order: [] };
  /** Per chain id, the indexes (ascending) of the policies that contribute to it. */
  private contributors = new Map<string, number[]>();

  group(policies: readonly Policy[], lowered: readonly PolicyContributions[]): Grouping {
    const changed = this.changedIndexes(policies, lowered);
    const next = changed === undefined ? this.full(lowered) : changed.length === 0 ? this.last : this.partial(lowered, changed);
    this.policies = policies;
    this.lowered = lowered;
    this.last = next;
    return next;
  }

  /** Indexes of the policies that are new objects, or undefined when the list changed shape (or too much). */
  private changedIndexes(policies: readonly Policy[], lowered: readonly PolicyContributions[]): number[] | undefined {
    if (policies.length !== this.policies.length || policies.length === 0) return undefined;
    const changed: number[] = [];
    for (let i = 0; i < policies.length; i++) {
      if (policies[i]?.key !== this.policies[i]?.key) return undefined;
      if (lowered[i] !== this.lowered[i]) changed.push(i);
    }
    return changed.length > policies.length * INCREMENTAL_SHARE ? undefined : changed;
  }

  private full(lowered: readonly PolicyContributions[]): Grouping {
    const building = new Map<string, { key: ChainKey; sort: string; contributions: Contribution[] }>();
    const contributors = new Map<string, number[]>();
    lowered.forEach((l, index) => {
      for (const { key, id, sort, contribution } of l.entries) {
        let group = building.get(id);
        if (!group) {
          building.set(id, (group = { key, sort, contributions: [] }));
          contributors.set(id, []);
        }
        group.contributions.push(contribution);
        const list = contributors.get(id);
        if (list && list[list.length - 1] !== index) list.push(index);
      }
    });
    this.contributors = contributors;
    return { groups: building, order: sortedIds(building) };
  }

  private partial(lowered: readonly PolicyContributions[], changed: readonly number[]): Grouping {
    const touched = new Set<string>();
    for (const index of changed) {
      for (const e of this.lowered[index]?.entries ?? []) touched.add(e.id);
      for (const e of lowered[index]?.entries ?? []) touched.add(e.id);
    }
    const groups = new Map(this.last.groups);
    let idsChanged = false;
    for (const id of touched) {
      const before = this.contributors.get(id) ?? [];
      const indexes = [...before.filter((i) => !changed.includes(i)), ...changed.filter((i) => lowered[i]?.entries.some((e) => e.id === id))].sort((a, b) => a - b);
      if (indexes.length === 0) {
        this.contributors.delete(id);
        groups.delete(id);
        idsChanged = true;
        continue;
      }
      const entries = indexes.flatMap((i) => (lowered[i]?.entries ?? []).filter((e) => e.id === id));
      const first = entries[0];
      if (!first) continue;
      if (!groups.has(id)) idsChanged = true;
      this.contributors.set(id, indexes);
      groups.set(id, { key: first.key, sort: first.sort, contributions: entries.map((e) => e.contribution) });
    }
    return { groups, order: idsChanged ? sortedIds(groups) : this.last.order };
  }
}

function sortedIds(groups: ReadonlyMap<string, ChainGroup>): string[] {
  const ids = [...groups.keys()];
  const sortOf = (id: string) => groups.get(id)?.sort ?? '';
  return ids.sort((a, b) => {
    const x = sortOf(a);
    const y = sortOf(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
