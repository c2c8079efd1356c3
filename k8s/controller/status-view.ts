/**
 * What the controller knows about each policy, in one place for `/status` and for the status
 * writer: the runtime's per-policy status (controller/policy-status.ts, the same function the
 * file-based `/status` uses) computed against every proxy's ACKs (this replica's own and, on the
 * leader, the other replicas'), the generation each policy's document came from, and the notes
 * that belong with its warnings (hostNetwork Pods; Secrets it references that are not read yet, or
 * whose newest version is not used: stale, the last good one in force). A Secret that is missing
 * or has no usable version is the compiler's error, at the field that names it.
 * Statuses are computed once per change (`invalidate`), not once per policy written.
 */
import { mergeProblems, policyStatuses, unresolvedPodProblems, unsteeredProblems, type PolicyRuntime, type PolicyStatus, type StatusInputs } from '../../controller/index.js';
import { objectKey, type SecretCatalog } from '../../policy-compiler/index.js';
import type { NodeStatus, SnapshotCache } from '../../xds-server/index.js';
import { hostNetworkNotes } from './policy-objects.js';
import { desiredStatus, type L7PolicyStatus } from './policy-conditions.js';
import type { SecretState } from './secrets.js';
import type { HostNetworkPod } from './workloads.js';

/** What the last apply was made from. */
export interface Applied {
  readonly generations: ReadonlyMap<string, number>;
  readonly hostNetwork: readonly HostNetworkPod[];
}

export interface StatusViewOptions {
  readonly runtime: PolicyRuntime;
  readonly cache: SnapshotCache;
  readonly nodes: () => readonly NodeStatus[];
  readonly secrets: () => readonly SecretState[];
  /** The secrets in force the last compile read. */
  readonly catalog: () => SecretCatalog;
  /** Which Secrets a policy references (the same function the secret watch follows). */
  readonly secretsOf: (key: string) => readonly { readonly namespace: string; readonly name: string }[];
  readonly now: () => number;
  /** The would-deny counts of audit policies (the flows), as `serve`'s `/status` has them. */
  readonly audit?: StatusInputs['audit'];
  /**
   * Node agents program the redirects (`--steering agents`, the default): their ACKs count towards Enforced, and
   * the inbound rules of Pods, which nothing steers, are named (Bypassed). Without: as before.
   */
  readonly nodeAgents?: boolean;
}

export class StatusView {
  private applied: Applied = { generations: new Map(), hostNetwork: [] };
  private memo: Map<string, PolicyStatus> | undefined;

  constructor(private readonly o: StatusViewOptions) {}

  setApplied(applied: Applied): void {
    this.applied = applied;
    this.invalidate();
  }

  /** Something changed: an apply, an ACK or NACK, a proxy gone, the peers' view. */
  invalidate(): void {
    this.memo = undefined;
  }

  keys(): string[] {
    return [...this.applied.generations.keys()];
  }

  statuses(): Map<string, PolicyStatus> {
    if (!this.memo) {
      const state = this.o.runtime.state();
      const agents = this.o.nodeAgents === true;
      const nodes = this.o.nodes();
      // What nothing steers: Pods' inbound (never sent), and the Pods the agents report they cannot find.
      const dataPath = agents && state.output ? { dataPath: mergeProblems(unsteeredProblems(state.output.unsteered), unresolvedPodProblems(state.output.ir, nodes, state.output.targets)) } : {};
      const list = policyStatuses({ runtime: state, nodes, view: (id) => this.o.cache.view(id), countAgents: agents, ...dataPath, ...(this.o.audit ? { audit: this.o.audit } : {}) });
      this.memo = new Map(list.map((s) => [s.key, s]));
    }
    return this.memo;
  }

  notes(key: string): string[] {
    const entry = this.o.runtime.state().policies.get(key);
    const notes = entry?.policy ? hostNetworkNotes(entry.policy, this.applied.hostNetwork) : [];
    const states = this.o.secrets();
    const catalog = this.o.catalog();
    for (const ref of this.o.secretsOf(key)) {
      const name = objectKey(ref.namespace, ref.name);
      const s = states.find((x) => x.ref.namespace === ref.namespace && x.ref.name === ref.name);
      if (s?.state === 'pending') notes.push(s.error !== undefined ? `Secret ${name} it references cannot be read (${s.error}); its TLS port refuses connections until it is` : `Secret ${name} it references has not been read yet`);
      const stale = catalog.secrets.get(name);
      if (stale?.stale !== undefined) notes.push(`Secret ${name} is stale: its newest version is not used (${stale.stale}); the last good version (${stale.version}) stays in force`);
    }
    return notes;
  }

  /** The status to write for `key` against the stored `object`; undefined before its document was applied. */
  desired(key: string, object: unknown): L7PolicyStatus | undefined {
    const generation = this.applied.generations.get(key);
    const policy = this.statuses().get(key);
    if (generation === undefined || !policy) return undefined;
    return desiredStatus({ policy, generation, current: (object as { status?: unknown }).status, notes: this.notes(key), now: this.o.now() });
  }
}
