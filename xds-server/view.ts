/**
 * What one node can be sent: its snapshot (or the default) plus the resources the resolver built
 * for names it asked for. Views are immutable; the cache replaces a node's view when anything
 * under it changes. Nodes without resolved resources share their snapshot's view, so what is
 * computed for one node (selections, versions) is reused by every node on the same snapshot.
 */
import { setVersion, typeResources, type Resource, type Snapshot, type TypeResources } from './snapshot.js';
import type { TypeUrl } from './type-urls.js';

/** What a stream subscribed to, in the form a view selects by. */
export interface Selector {
  readonly wildcard: boolean;
  /** Explicitly named resources, sorted. */
  readonly names: readonly string[];
  /** `'*'` for wildcard, else the sorted names joined: equal selectors have equal keys. */
  readonly key: string;
}

/** The resources one selector picks, with the version of exactly that set. */
export interface ResourceSet {
  /** Hash of the selected resources' `name:version` pairs (the type version for wildcard). */
  readonly version: string;
  /** The selected resources, in name order. */
  readonly resources: readonly Resource[];
  /** name → version of every selected resource. */
  readonly versions: ReadonlyMap<string, string>;
}

const NO_RESOLVED: ReadonlyMap<TypeUrl, ReadonlyMap<string, Resource>> = new Map();
const shared = new WeakMap<Snapshot, ResourceView>();

export class ResourceView {
  private readonly merged = new Map<TypeUrl, TypeResources>();
  /** Per type, per selector key (two levels: no key string is built per lookup). */
  private readonly selections = new Map<TypeUrl, Map<string, ResourceSet>>();

  private constructor(
    readonly snapshot: Snapshot,
    private readonly resolved: ReadonlyMap<TypeUrl, ReadonlyMap<string, Resource>>,
  ) {}

  /** The view of a snapshot plus resolved resources; shared per snapshot when nothing was resolved. */
  static of(snapshot: Snapshot, resolved: ReadonlyMap<TypeUrl, ReadonlyMap<string, Resource>> = NO_RESOLVED): ResourceView {
    if (resolved.size > 0) return new ResourceView(snapshot, resolved);
    let view = shared.get(snapshot);
    if (!view) shared.set(snapshot, (view = new ResourceView(snapshot, NO_RESOLVED)));
    return view;
  }

  /** Every resource of a type this node may be sent, with the type version. */
  of(typeUrl: TypeUrl): TypeResources {
    const extra = this.resolved.get(typeUrl);
    if (!extra || extra.size === 0) return this.snapshot.of(typeUrl);
    let merged = this.merged.get(typeUrl);
    if (!merged) {
      const all = new Map(this.snapshot.of(typeUrl).byName);
      for (const [name, r] of extra) if (!all.has(name)) all.set(name, r);
      merged = typeResources([...all.values()]);
      this.merged.set(typeUrl, merged);
    }
    return merged;
  }

  version(typeUrl: TypeUrl): string {
    return this.of(typeUrl).version;
  }

  /** The resources a selector picks (memoized per view, type and selector key). */
  select(typeUrl: TypeUrl, selector: Selector): ResourceSet {
    let memo = this.selections.get(typeUrl);
    if (!memo) this.selections.set(typeUrl, (memo = new Map()));
    let set = memo.get(selector.key);
    if (set) return set;
    const all = this.of(typeUrl);
    if (selector.wildcard) {
      const resources = [...all.byName.values()];
      set = { version: all.version, resources, versions: new Map(resources.map((r) => [r.name, r.version])) };
    } else {
      const resources: Resource[] = [];
      for (const name of selector.names) {
        const r = all.byName.get(name);
        if (r) resources.push(r);
      }
      set = { version: setVersion(resources), resources, versions: new Map(resources.map((r) => [r.name, r.version])) };
    }
    memo.set(selector.key, set);
    return set;
  }
}
