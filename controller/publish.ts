/**
 * Compiled resources → xDS snapshots: each resource encoded once, a snapshot per Envoy node and
 * Kafka enforcer, a default snapshot for every other client (proxyless gRPC), and the resolver
 * that builds proxyless server Listeners on demand. The incremental compiler hands back the same
 * objects for what did not change, so bytes and snapshots are remembered by identity: a reload
 * after one policy changed encodes and hashes only what that policy touched (of a Listener, only
 * the filter chains that changed: envoy-api/element-codec.ts). A snapshot that fails
 * its consistency check is never published: that would be a compiler bug, reported as such.
 */
import { ElementWiseEncoder, resourceType } from '../envoy-api/index.js';
import type { CompileOutput, Diagnostic, EnvoyResource } from '../policy-compiler/index.js';
import { createSnapshot, TYPE_URL, type ResourceInput, type Resolver, type Snapshot, type SnapshotResult } from '../xds-server/index.js';

export interface PublishPlan {
  readonly nodes: ReadonlyMap<string, Snapshot>;
  readonly defaultSnapshot: Snapshot;
  readonly resolver: Resolver;
}

export type PublishResult = { readonly ok: true; readonly plan: PublishPlan } | { readonly ok: false; readonly problems: readonly Diagnostic[] };

/** A snapshot problem, as one node's (or the proxyless clients', `*`). */
function onNode(p: Diagnostic, node: string): Diagnostic {
  return { ...p, subject: p.subject?.kind === 'resource' ? { ...p.subject, node } : { kind: 'node', node } };
}

/** Encoded inputs and built snapshots, remembered by the identity of what they were built from. */
export class SnapshotPlanner {
  private readonly inputs = new WeakMap<EnvoyResource, ResourceInput>();
  private readonly snapshots = new WeakMap<readonly EnvoyResource[], SnapshotResult>();
  /** A changed Listener is encoded again only in the filter chains that changed. */
  private readonly encoder = new ElementWiseEncoder();

  plan(output: CompileOutput): PublishResult {
    const problems: Diagnostic[] = [];
    const nodes = new Map<string, Snapshot>();
    for (const n of output.nodes) {
      const result = this.snapshot(n.resources);
      if (result.ok) nodes.set(n.node, result.snapshot);
      else problems.push(...result.problems.map((p) => onNode(p, n.node)));
    }
    const shared = this.snapshot(output.shared);
    if (!shared.ok) problems.push(...shared.problems.map((p) => onNode(p, '*')));
    if (problems.length > 0 || !shared.ok) return { ok: false, problems };

    const resolved = new Map<string, ResourceInput | undefined>();
    const resolver: Resolver = (_nodeId, typeUrl, name) => {
      if (typeUrl !== TYPE_URL.LDS) return undefined;
      if (!resolved.has(name)) {
        const listener = output.resolveServerListener(name);
        resolved.set(name, listener ? this.input(listener) : undefined);
      }
      return resolved.get(name);
    };
    return { ok: true, plan: { nodes, defaultSnapshot: shared.snapshot, resolver } };
  }

  private snapshot(resources: readonly EnvoyResource[]): SnapshotResult {
    let result = this.snapshots.get(resources);
    if (!result) this.snapshots.set(resources, (result = createSnapshot(resources.map((r) => this.input(r)))));
    return result;
  }

  private input(resource: EnvoyResource): ResourceInput {
    let input = this.inputs.get(resource);
    if (!input) {
      input = {
        typeUrl: resourceType(resource.message).typeUrl,
        name: resource.name,
        body: this.encoder.encode(resource.message, resource.json),
        references: resource.references.map((r) => ({ typeUrl: resourceType(r.message).typeUrl, name: r.name })),
      };
      this.inputs.set(resource, input);
    }
    return input;
  }
}
