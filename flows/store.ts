/**
 * The flow store: a bounded in-memory ring of the newest `capacity` flows, with postings lists
 * (flow sequence numbers per key) for the fields filters name most: verdict, protocol, namespace
 * (either side), workload (either side), policy and node. A query walks the smallest postings
 * list its filter allows, newest first, instead of the whole ring; one without an indexed field
 * scans the ring back to its `since` (arrival times are monotonic, record times nearly so).
 * Strings that repeat across flows (rule ids, paths, node names) are interned, so memory per flow
 * stays near the size of the flow's own object.
 */
import type { FlowFilter } from './filter.js';
import { compilePredicate, type Predicate } from './predicate.js';
import { workloadKey, type FlowEndpoint, type FlowRecord } from './record.js';
import { SeqList } from './seq-list.js';

type IndexName = 'verdict' | 'protocol' | 'namespace' | 'workload' | 'policy' | 'node';

export interface StoredFlow {
  /** Position in the store's history (ascending, never reused). */
  readonly seq: number;
  readonly flow: FlowRecord;
}

export interface StoreStats {
  readonly capacity: number;
  readonly size: number;
  /** Every flow ever added (the ring keeps the newest `capacity`). */
  readonly total: number;
  readonly evicted: number;
  readonly oldest?: number;
  readonly newest?: number;
}

export interface QueryOptions {
  /** At most this many, newest first (default: all). */
  readonly limit?: number;
  /** Flows can arrive this late after their own time (Envoy batches its log); default 60 s. */
  readonly lateMs?: number;
}

export type FlowListener = (flow: StoredFlow) => void;

/** How far a record's time may trail its arrival before a `since` scan stops looking. */
const DEFAULT_LATE_MS = 60_000;
const INTERN_LIMIT = 200_000;

export class FlowStore {
  private readonly ring: Array<FlowRecord | undefined>;
  private readonly arrivals: Float64Array;
  private readonly indexes = new Map<IndexName, Map<string, SeqList>>();
  private readonly interned = new Map<string, string>();
  private readonly listeners = new Set<FlowListener>();
  private next = 0;

  constructor(readonly capacity: number, private readonly now: () => number = Date.now) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`FlowStore: capacity must be a positive integer, got ${capacity}`);
    this.ring = new Array<FlowRecord | undefined>(capacity);
    this.arrivals = new Float64Array(capacity);
    for (const name of ['verdict', 'protocol', 'namespace', 'workload', 'policy', 'node'] as const) this.indexes.set(name, new Map());
  }

  private get oldestSeq(): number {
    return Math.max(0, this.next - this.capacity);
  }

  stats(): StoreStats {
    const size = this.next - this.oldestSeq;
    const oldest = size > 0 ? this.ring[this.oldestSeq % this.capacity]?.time : undefined;
    const newest = size > 0 ? this.ring[(this.next - 1) % this.capacity]?.time : undefined;
    return { capacity: this.capacity, size, total: this.next, evicted: this.oldestSeq, ...(oldest !== undefined ? { oldest } : {}), ...(newest !== undefined ? { newest } : {}) };
  }

  /** Adds a flow (the oldest is overwritten once the ring is full) and tells the followers. */
  add(flow: FlowRecord): StoredFlow {
    const seq = this.next++;
    const record = this.intern(flow);
    this.ring[seq % this.capacity] = record;
    this.arrivals[seq % this.capacity] = this.now();
    this.post('verdict', record.verdict, seq);
    this.post('protocol', record.protocol, seq);
    this.post('namespace', record.source.namespace, seq);
    this.post('namespace', record.destination.namespace, seq);
    this.post('workload', workloadKey(record.source) || `@${record.source.address}`, seq);
    this.post('workload', workloadKey(record.destination) || `@${record.destination.address}`, seq);
    this.post('policy', record.policy, seq);
    this.post('node', record.node, seq);
    if (seq > 0 && seq % this.capacity === 0) this.sweep();
    const stored = { seq, flow: record };
    for (const l of this.listeners) l(stored);
    return stored;
  }

  /** Calls `listener` for every flow added from now on; returns the unsubscribe function. */
  follow(listener: FlowListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get followers(): number {
    return this.listeners.size;
  }

  /** The matching flows, newest first. */
  query(filter: FlowFilter, options: QueryOptions = {}): StoredFlow[] {
    const { predicate, problems } = compilePredicate(filter);
    try {
      if (problems.length > 0) return [];
      return this.run(filter, predicate, options);
    } finally {
      predicate.dispose();
    }
  }

  /** As `query`, with a predicate the caller compiled (and disposes). */
  run(filter: FlowFilter, predicate: Predicate, options: QueryOptions = {}): StoredFlow[] {
    const limit = options.limit ?? Infinity;
    const out: StoredFlow[] = [];
    if (limit <= 0) return out;
    const oldest = this.oldestSeq;
    const lists = this.candidates(filter);
    const stopBefore = filter.since !== undefined ? filter.since - (options.lateMs ?? DEFAULT_LATE_MS) : -Infinity;
    const consider = (seq: number): boolean => {
      const slot = seq % this.capacity;
      if ((this.arrivals[slot] ?? 0) < stopBefore) return false;
      const flow = this.ring[slot];
      if (flow && predicate.test(flow)) out.push({ seq, flow });
      return out.length < limit;
    };
    if (!lists) {
      for (let seq = this.next - 1; seq >= oldest; seq--) if (!consider(seq)) break;
      return out;
    }
    if (lists.length === 1) {
      const only = lists[0] as SeqList;
      for (let i = 0; ; i++) {
        const seq = only.fromNewest(i);
        if (seq === undefined || seq < oldest || !consider(seq)) break;
      }
      return out;
    }
    // Merge the postings lists newest first; a flow can sit in two (both sides in one namespace).
    const cursors = new Array<number>(lists.length).fill(0);
    let last = Infinity;
    for (;;) {
      let best = -1;
      let bestSeq = -1;
      for (let i = 0; i < lists.length; i++) {
        const s = (lists[i] as SeqList).fromNewest(cursors[i] as number);
        if (s !== undefined && s > bestSeq) {
          bestSeq = s;
          best = i;
        }
      }
      if (best < 0 || bestSeq < oldest) break;
      cursors[best] = (cursors[best] as number) + 1;
      if (bestSeq === last) continue;
      last = bestSeq;
      if (!consider(bestSeq)) break;
    }
    return out;
  }

  /** Bytes the indexes hold (their typed arrays). */
  indexBytes(): number {
    let n = this.arrivals.byteLength;
    for (const index of this.indexes.values()) for (const l of index.values()) n += l.bytes;
    return n;
  }

  /** The postings lists of the filter's most selective indexed field, or undefined for a scan. */
  private candidates(f: FlowFilter): SeqList[] | undefined {
    const options: Array<SeqList[]> = [];
    const lists = (name: IndexName, keys: readonly string[]) => {
      const index = this.indexes.get(name);
      const found: SeqList[] = [];
      for (const k of new Set(keys)) {
        const l = index?.get(k);
        if (l) {
          l.pruneBelow(this.oldestSeq);
          found.push(l);
        }
      }
      options.push(found);
    };
    if (f.verdicts) lists('verdict', f.verdicts);
    if (f.protocols) lists('protocol', f.protocols);
    if (f.namespaces) lists('namespace', f.namespaces);
    if (f.policies) lists('policy', f.policies);
    if (f.nodes) lists('node', f.nodes);
    for (const side of [f.from, f.to]) {
      if (side && side.every((p) => p.kind === 'workload' && p.namespace !== undefined)) lists('workload', side.map((p) => (p.kind === 'workload' ? `${p.namespace}/${p.name}` : '')));
    }
    if (options.length === 0) return undefined;
    const size = (ls: SeqList[]) => ls.reduce((n, l) => n + l.length, 0);
    return options.reduce((a, b) => (size(b) < size(a) ? b : a));
  }

  private post(name: IndexName, key: string, seq: number): void {
    const index = this.indexes.get(name);
    if (!index) return;
    let list = index.get(key);
    if (!list) {
      list = new SeqList();
      index.set(key, list);
    }
    list.push(seq);
  }

  /** Forgets postings of overwritten flows, and keys with none left (once per ring turn). */
  private sweep(): void {
    const oldest = this.oldestSeq;
    for (const index of this.indexes.values()) {
      for (const [key, list] of index) {
        list.pruneBelow(oldest);
        if (list.length === 0) index.delete(key);
      }
    }
    if (this.interned.size > INTERN_LIMIT) this.interned.clear();
  }

  private s(v: string): string {
    if (v.length > 256) return v;
    const known = this.interned.get(v);
    if (known !== undefined) return known;
    this.interned.set(v, v);
    return v;
  }

  private endpoint(e: FlowEndpoint): FlowEndpoint {
    return { address: this.s(e.address), port: e.port, workload: this.s(e.workload), namespace: this.s(e.namespace), labels: e.labels };
  }

  private intern(f: FlowRecord): FlowRecord {
    return {
      time: f.time,
      node: this.s(f.node),
      direction: f.direction,
      source: this.endpoint(f.source),
      destination: this.endpoint(f.destination),
      protocol: f.protocol,
      ...(f.http ? { http: { method: this.s(f.http.method), path: this.s(f.http.path), authority: this.s(f.http.authority), status: f.http.status, version: this.s(f.http.version) } } : {}),
      ...(f.grpc ? { grpc: { service: this.s(f.grpc.service), method: this.s(f.grpc.method), status: this.s(f.grpc.status) } } : {}),
      ...(f.kafka ? { kafka: { api: this.s(f.kafka.api), apiVersion: f.kafka.apiVersion, topic: this.s(f.kafka.topic), group: this.s(f.kafka.group), clientId: this.s(f.kafka.clientId) } } : {}),
      verdict: f.verdict,
      policy: this.s(f.policy),
      rule: this.s(f.rule),
      reason: this.s(f.reason),
      durationMs: f.durationMs,
      bytesReceived: f.bytesReceived,
      bytesSent: f.bytesSent,
    };
  }
}
