/**
 * Compiled resources → xDS snapshots: each resource encoded once (bytes memoized by content, so a
 * recompile after one policy change re-encodes only what changed), a snapshot per Envoy node and
 * Kafka enforcer, a default snapshot for every other client (proxyless gRPC), and the resolver
 * that builds proxyless server Listeners on demand. A snapshot that fails its consistency check is
 * never published: that would be a compiler bug, reported as such.
 */
import { encodeMessage } from '../envoy-api/index.js';
import type { CompileOutput, EnvoyResource } from '../policy-compiler/index.js';
import { createSnapshot, TYPE_URL, type ConsistencyProblem, type ResourceInput, type Resolver, type Snapshot, type TypeUrl } from '../xds-server/index.js';

export interface PublishPlan {
  readonly nodes: ReadonlyMap<string, Snapshot>;
  readonly defaultSnapshot: Snapshot;
  readonly resolver: Resolver;
}

export type PublishResult = { readonly ok: true; readonly plan: PublishPlan } | { readonly ok: false; readonly problems: readonly string[] };

/** Remembers encoded bytes by resource content across publishes. */
export class EncodingCache {
  private current = new Map<string, Uint8Array>();
  private previous = new Map<string, Uint8Array>();

  encode(resource: EnvoyResource): Uint8Array {
    const key = `${resource.message}\n${JSON.stringify(resource.json)}`;
    let bytes = this.current.get(key) ?? this.previous.get(key);
    if (!bytes) bytes = encodeMessage(resource.message, resource.json);
    this.current.set(key, bytes);
    return bytes;
  }

  /** Starts a new generation: entries not used since the last call are dropped on the next one. */
  rotate(): void {
    this.previous = this.current;
    this.current = new Map();
  }
}

function typeUrlOf(resource: { message: string }): TypeUrl {
  return `type.googleapis.com/${resource.message}` as TypeUrl;
}

function toInput(resource: EnvoyResource, cache: EncodingCache): ResourceInput {
  return {
    typeUrl: typeUrlOf(resource),
    name: resource.name,
    body: cache.encode(resource),
    references: resource.references.map((r) => ({ typeUrl: typeUrlOf(r), name: r.name })),
  };
}

function describe(owner: string, problems: readonly ConsistencyProblem[]): string[] {
  return problems.map((p) => `${owner}: ${p.message}`);
}

export function planSnapshots(output: CompileOutput, cache: EncodingCache): PublishResult {
  cache.rotate();
  const problems: string[] = [];
  const nodes = new Map<string, Snapshot>();
  for (const n of output.nodes) {
    const result = createSnapshot(n.resources.map((r) => toInput(r, cache)));
    if (result.ok) nodes.set(n.node, result.snapshot);
    else problems.push(...describe(`node ${n.node}`, result.problems));
  }
  const shared = createSnapshot(output.shared.map((r) => toInput(r, cache)));
  if (!shared.ok) problems.push(...describe('proxyless clients', shared.problems));
  if (problems.length > 0 || !shared.ok) return { ok: false, problems };

  const resolved = new Map<string, ResourceInput | undefined>();
  const resolver: Resolver = (_nodeId, typeUrl, name) => {
    if (typeUrl !== TYPE_URL.LDS) return undefined;
    if (!resolved.has(name)) {
      const listener = output.resolveServerListener(name);
      resolved.set(name, listener ? toInput(listener, cache) : undefined);
    }
    return resolved.get(name);
  };
  return { ok: true, plan: { nodes, defaultSnapshot: shared.snapshot, resolver } };
}
