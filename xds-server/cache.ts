/**
 * The snapshot cache: the only contract between "what configuration exists" (the runtime sets
 * snapshots and a resolver) and "how it is streamed" (the servers watch nodes and read views).
 */
import { formatDiagnostic } from '../problems/index.js';
import type { Logger } from '../telemetry/index.js';
import { silentLogger } from '../telemetry/index.js';
import { EMPTY_SNAPSHOT, toResource, type Resource, type ResourceInput, type Snapshot } from './snapshot.js';
import { PUSH_ORDER, type TypeUrl } from './type-urls.js';
import { ResourceView } from './view.js';

/**
 * Builds, on demand, a resource a client asked for by name that no snapshot holds (e.g. the
 * Listener `grpc/server?xds.resource.listening_address=IP:PORT` a proxyless gRPC server asks for).
 * Returns `undefined` when the name means nothing (the name stays remembered and is resolved again
 * whenever the node's snapshot, the default or the resolver changes). Must be pure and quick: it
 * runs inside request handling. A throw is logged and treated as `undefined`.
 */
export type Resolver = (nodeId: string, typeUrl: TypeUrl, name: string) => ResourceInput | undefined;

/** Called with the types whose resources changed for the watched node. */
export type ChangeListener = (types: ReadonlySet<TypeUrl>) => void;

/** A watch on one node: its view without a lookup by node id (what a stream reads per response), and its end. */
export interface NodeWatch {
  /** What the node can be sent now (`SnapshotCache.view`). */
  view(): ResourceView;
  /** Ends the watch; the node's wanted names go with its last watcher. */
  cancel(): void;
}

/** No name resolved (every wanted name is in the snapshot): shared, as that is every node of a fleet on one snapshot. */
const NONE_RESOLVED: ReadonlyMap<TypeUrl, ReadonlyMap<string, Resource | null>> = new Map();

interface NodeState {
  own: Snapshot | undefined;
  /** Names streams of this node asked for, per type (the union over its streams). */
  wanted: Map<TypeUrl, ReadonlySet<string>>;
  /** What the resolver answered per wanted name (`null`: nothing), until the next re-resolve. */
  resolved: ReadonlyMap<TypeUrl, ReadonlyMap<string, Resource | null>>;
  /**
   * Per type, the version of the set in which every wanted name was found (cleared when the names
   * change). A set of the same version holds the same names, so they need not be looked up again:
   * a change to a fleet's listeners does not walk each node's EDS and RDS names.
   */
  complete: Map<TypeUrl, string>;
  view: ResourceView | undefined;
  watchers: Set<ChangeListener>;
}

export interface SnapshotCacheOptions {
  readonly logger?: Logger;
}

export class SnapshotCache {
  private readonly nodes = new Map<string, NodeState>();
  private fallback: Snapshot | undefined;
  private resolver: Resolver | undefined;
  private readonly log: Logger;
  /** While `batch` runs: each touched node's view before the batch. */
  private batching: Map<string, { n: NodeState; before: ResourceView }> | undefined;
  /** The last comparison of two views (`changedTypes`). */
  private lastChanged: { readonly before: ResourceView; readonly after: ResourceView; readonly changed: ReadonlySet<TypeUrl> } | undefined;

  constructor(options: SnapshotCacheOptions = {}) {
    this.log = (options.logger ?? silentLogger).child({ component: 'xds-cache' });
  }

  /** Publishes a node's snapshot. Streams of that node get every type whose resources changed, in push order. */
  set(nodeId: string, snapshot: Snapshot): void {
    this.update(nodeId, (n) => {
      n.own = snapshot;
    });
  }

  /** Removes a node's own snapshot: the node falls back to the default snapshot. */
  clear(nodeId: string): void {
    this.update(nodeId, (n) => {
      n.own = undefined;
    });
  }

  /** The snapshot of nodes that have none of their own (`undefined`: such nodes see nothing). */
  setDefault(snapshot: Snapshot | undefined): void {
    for (const n of this.nodes.values()) n.view ??= this.buildView(n);
    this.fallback = snapshot;
    for (const [nodeId, n] of this.nodes) if (!n.own) this.refresh(nodeId, n, true);
  }

  /** Installs (or removes) the on-demand resolver; every remembered name is resolved again. */
  setResolver(resolver: Resolver | undefined): void {
    this.resolver = resolver;
    for (const [nodeId, n] of this.nodes) if (n.wanted.size > 0) this.refresh(nodeId, n, true);
  }

  /**
   * Applies several changes (resolver, default, node snapshots) as one: watchers hear once per node,
   * after `fn` returns, with every type that differs from before the batch, so each stream gets one
   * ordered push (CDS → … → Kafka) instead of one per call. Nested calls join the outer batch.
   */
  batch(fn: () => void): void {
    if (this.batching) {
      fn();
      return;
    }
    const batch = new Map<string, { n: NodeState; before: ResourceView }>();
    this.batching = batch;
    try {
      fn();
    } finally {
      this.batching = undefined;
      for (const [nodeId, { n, before }] of batch) if (this.nodes.get(nodeId) === n && n.view) this.notify(n, before, n.view);
    }
  }

  /** A node's own snapshot, if set. */
  snapshotOf(nodeId: string): Snapshot | undefined {
    return this.nodes.get(nodeId)?.own;
  }

  /** The default snapshot, if set. */
  defaultSnapshot(): Snapshot | undefined {
    return this.fallback;
  }

  /** Node ids that have their own snapshot. */
  nodeIds(): string[] {
    return [...this.nodes].filter(([, n]) => n.own).map(([id]) => id);
  }

  // ---- the server's side of the seam ----

  /** What a node can be sent now. */
  view(nodeId: string): ResourceView {
    const n = this.nodes.get(nodeId);
    if (!n) return ResourceView.of(this.fallback ?? EMPTY_SNAPSHOT);
    return (n.view ??= this.buildView(n));
  }

  /**
   * Declares every name the node's streams currently ask for, for one type. Names the snapshot
   * lacks are resolved; watchers hear about the types whose resources changed as a result.
   */
  setWanted(nodeId: string, typeUrl: TypeUrl, names: ReadonlySet<string>): void {
    const n = this.nodes.get(nodeId);
    if (!n) return;
    if (names.size === 0) n.wanted.delete(typeUrl);
    else n.wanted.set(typeUrl, names);
    n.complete.delete(typeUrl);
    this.refresh(nodeId, n, false, typeUrl);
  }

  /** Watches a node's view. Returns the cancel function; the node's wanted names go with its last watcher. */
  watch(nodeId: string, listener: ChangeListener): () => void {
    const w = this.watchNode(nodeId, listener);
    return () => w.cancel();
  }

  /** Watches a node's view, with the view at hand (`NodeWatch`). */
  watchNode(nodeId: string, listener: ChangeListener): NodeWatch {
    const n = this.state(nodeId);
    n.watchers.add(listener);
    let live = true;
    return {
      // While watched, `n` is the node's state (a watched node's state is never dropped).
      view: () => (live ? (n.view ??= this.buildView(n)) : this.view(nodeId)),
      cancel: () => {
        if (!live) return;
        live = false;
        n.watchers.delete(listener);
        if (n.watchers.size === 0) {
          n.wanted.clear();
          n.complete.clear();
          n.resolved = NONE_RESOLVED;
          n.view = undefined;
          if (!n.own) this.nodes.delete(nodeId);
        }
      },
    };
  }

  private state(nodeId: string): NodeState {
    let n = this.nodes.get(nodeId);
    if (!n) this.nodes.set(nodeId, (n = { own: undefined, wanted: new Map(), resolved: NONE_RESOLVED, complete: new Map(), view: undefined, watchers: new Set() }));
    return n;
  }

  private update(nodeId: string, change: (n: NodeState) => void): void {
    const n = this.state(nodeId);
    n.view ??= this.buildView(n);
    change(n);
    this.refresh(nodeId, n, true);
    if (!n.own && n.watchers.size === 0) this.nodes.delete(nodeId);
  }

  /**
   * Resolves wanted names the snapshot lacks (all again when `again`; else only names of `only`
   * not asked before), rebuilds the view and notifies watchers of the types that changed.
   */
  private refresh(nodeId: string, n: NodeState, again: boolean, only?: TypeUrl): void {
    const before = n.view ?? this.buildView(n);
    const snapshot = n.own ?? this.fallback ?? EMPTY_SNAPSHOT;
    // Maps are made only for names the snapshot lacks (usually none: then nothing is allocated).
    let resolved: Map<TypeUrl, ReadonlyMap<string, Resource | null>> | undefined;
    for (const [typeUrl, names] of n.wanted) {
      const previous = n.resolved.get(typeUrl);
      if (!again && only !== typeUrl && previous) {
        (resolved ??= new Map()).set(typeUrl, previous);
        continue;
      }
      const of = snapshot.of(typeUrl);
      if (n.complete.get(typeUrl) === of.version) continue;
      let table: Map<string, Resource | null> | undefined;
      for (const name of names) {
        if (of.byName.has(name)) continue;
        const known = again ? undefined : previous?.get(name);
        (table ??= new Map()).set(name, known !== undefined ? known : (this.resolve(nodeId, typeUrl, name) ?? null));
      }
      if (table) {
        (resolved ??= new Map()).set(typeUrl, table);
        n.complete.delete(typeUrl);
      } else n.complete.set(typeUrl, of.version);
    }
    n.resolved = resolved ?? NONE_RESOLVED;
    n.view = this.buildView(n);
    if (this.batching) {
      if (!this.batching.has(nodeId)) this.batching.set(nodeId, { n, before });
      return;
    }
    this.notify(n, before, n.view);
  }

  private notify(n: NodeState, before: ResourceView, after: ResourceView): void {
    const changed = this.changedTypes(before, after);
    if (changed.size === 0) return;
    // The usual one watcher (the server) is called without copying the set; several, over a copy.
    if (n.watchers.size === 1) n.watchers.values().next().value?.(changed);
    else for (const w of [...n.watchers]) w(changed);
  }

  /**
   * The types whose version differs between two views. Nodes on the same snapshot share their
   * views, so a change to a fleet compares (and allocates) once, not once per node.
   */
  private changedTypes(before: ResourceView, after: ResourceView): ReadonlySet<TypeUrl> {
    const last = this.lastChanged;
    if (last && last.before === before && last.after === after) return last.changed;
    const changed = new Set<TypeUrl>();
    for (const t of PUSH_ORDER) if (before.version(t.typeUrl) !== after.version(t.typeUrl)) changed.add(t.typeUrl);
    this.lastChanged = { before, after, changed };
    return changed;
  }

  private resolve(nodeId: string, typeUrl: TypeUrl, name: string): Resource | undefined {
    if (!this.resolver) return undefined;
    try {
      const input = this.resolver(nodeId, typeUrl, name);
      if (!input) return undefined;
      if (input.typeUrl !== typeUrl || input.name !== name) {
        this.log.warn('resolver returned a different resource than asked', { nodeId, typeUrl, name, got: `${String(input.typeUrl)} ${String(input.name)}` });
        return undefined;
      }
      const r = toResource(input, 'resolved');
      if (!('version' in r)) {
        this.log.warn('resolver returned an invalid resource', { nodeId, typeUrl, name, problem: formatDiagnostic(r, 'brief') });
        return undefined;
      }
      return r;
    } catch (err) {
      this.log.error('resolver threw', { nodeId, typeUrl, name, err });
      return undefined;
    }
  }

  private buildView(n: NodeState): ResourceView {
    const snapshot = n.own ?? this.fallback ?? EMPTY_SNAPSHOT;
    if (n.resolved.size === 0) return ResourceView.of(snapshot);
    const found = new Map<TypeUrl, Map<string, Resource>>();
    for (const [typeUrl, table] of n.resolved) {
      const hits = new Map<string, Resource>();
      for (const [name, r] of table) if (r) hits.set(name, r);
      if (hits.size > 0) found.set(typeUrl, hits);
    }
    return ResourceView.of(snapshot, found);
  }
}
