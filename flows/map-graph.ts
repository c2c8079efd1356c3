/**
 * The service map's graph, from flows: workloads (and addresses that are no workload's) as nodes,
 * grouped by namespace; observed source → destination pairs as edges with request counts per
 * verdict and the policies that decided them. Pure; the page (map-page.ts) draws it with
 * Cytoscape.js and keeps it current from the `/flows` stream with the same `edgeOf`/`nodeOf` rules.
 */
import { VERDICTS, type FlowEndpoint, type FlowRecord, type Verdict } from './record.js';

export interface MapNode {
  /** `namespace/name`, or the address for an endpoint that is no workload's. */
  readonly id: string;
  readonly label: string;
  /** '' for an address outside the inventory. */
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface MapEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly counts: Readonly<Record<Exclude<Verdict, 'unknown'>, number>>;
  readonly total: number;
  /** The deciding policies, with how many flows each decided. */
  readonly policies: Readonly<Record<string, number>>;
  readonly last: number;
}

export interface MapGraph {
  readonly nodes: readonly MapNode[];
  readonly edges: readonly MapEdge[];
  readonly namespaces: readonly string[];
  readonly flows: number;
}

export function nodeOf(e: FlowEndpoint): MapNode {
  return e.workload ? { id: `${e.namespace}/${e.workload}`, label: e.workload, namespace: e.namespace, labels: e.labels } : { id: e.address, label: e.address, namespace: '', labels: {} };
}

export function edgeId(source: string, target: string): string {
  return `${source} -> ${target}`;
}

/** The graph of `flows`, optionally only edges touching `namespace`. */
export function buildGraph(flows: Iterable<FlowRecord>, namespace?: string): MapGraph {
  const nodes = new Map<string, MapNode>();
  const edges = new Map<string, { id: string; source: string; target: string; counts: Record<string, number>; total: number; policies: Record<string, number>; last: number }>();
  const namespaces = new Set<string>();
  let count = 0;
  for (const f of flows) {
    if (f.source.namespace) namespaces.add(f.source.namespace);
    if (f.destination.namespace) namespaces.add(f.destination.namespace);
    if (namespace && f.source.namespace !== namespace && f.destination.namespace !== namespace) continue;
    count += 1;
    const s = nodeOf(f.source);
    const t = nodeOf(f.destination);
    nodes.set(s.id, s);
    nodes.set(t.id, t);
    const id = edgeId(s.id, t.id);
    let e = edges.get(id);
    if (!e) {
      e = { id, source: s.id, target: t.id, counts: Object.fromEntries(VERDICTS.filter((v) => v !== 'unknown').map((v) => [v, 0])), total: 0, policies: {}, last: 0 };
      edges.set(id, e);
    }
    if (f.verdict !== 'unknown') e.counts[f.verdict] = (e.counts[f.verdict] ?? 0) + 1;
    e.total += 1;
    if (f.policy) e.policies[f.policy] = (e.policies[f.policy] ?? 0) + 1;
    e.last = Math.max(e.last, f.time);
  }
  return {
    nodes: [...nodes.values()].sort((a, b) => a.id.localeCompare(b.id)),
    edges: [...edges.values()].sort((a, b) => a.id.localeCompare(b.id)) as MapEdge[],
    namespaces: [...namespaces].sort(),
    flows: count,
  };
}
