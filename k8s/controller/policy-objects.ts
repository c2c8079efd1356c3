/**
 * L7Policy objects → the source documents the runtime loads, one per object, named
 * `k8s://<namespace>/<name>` (the webhook names them the same, k8s/admission/policy-source.ts), so
 * the runtime's rules apply unchanged: a document that no longer validates (an object stored while
 * the webhook was off, or by a newer sluice) keeps its last good version in force, and only a
 * deleted object removes its policy. Pure.
 */
import { policySource } from '../admission/policy-source.js';
import { selectorMatches, type Policy, type SourceFile } from '../../policy-compiler/index.js';
import { keyOf, metaOf } from './objects.js';
import type { HostNetworkPod } from './workloads.js';

export interface PolicyObjectInfo {
  readonly key: string;
  readonly generation: number;
}

export interface PolicySources {
  readonly files: readonly SourceFile[];
  /** Per policy key: the generation its document was made from. */
  readonly generations: ReadonlyMap<string, number>;
}

export function policySources(objects: readonly unknown[]): PolicySources {
  const withMeta = objects.map((o) => ({ o, meta: metaOf(o) })).filter(({ meta }) => meta.name !== '' && meta.namespace !== '');
  withMeta.sort((a, b) => keyOf(a.meta).localeCompare(keyOf(b.meta)));
  return {
    files: withMeta.map(({ o, meta }) => policySource(o, meta.namespace)),
    generations: new Map(withMeta.map(({ meta }) => [keyOf(meta), meta.generation])),
  };
}

/**
 * What a policy's selectors mean for hostNetwork Pods, which are not workloads (workloads.ts):
 * a selector that matches one protects nothing there, and a peer selector that matches one allows
 * nothing from it (its traffic has the node's address).
 */
export function hostNetworkNotes(policy: Policy, pods: readonly HostNetworkPod[]): string[] {
  const notes: string[] = [];
  const list = (found: readonly HostNetworkPod[]) => `${found.slice(0, 5).map((p) => p.key).join(', ')}${found.length > 5 ? ` and ${found.length - 5} more` : ''}`;
  const selected = pods.filter((p) => p.namespace === policy.namespace && selectorMatches(policy.selector, p.labels));
  if (selected.length > 0) notes.push(`spec.selector matches hostNetwork Pod ${list(selected)}: a hostNetwork Pod has its node's address and no proxy of its own, so this policy is not enforced on it`);
  const peers = new Map<string, HostNetworkPod>();
  for (const rule of policy.rules) {
    if (rule.peers === 'any') continue;
    for (const peer of rule.peers) {
      if (peer.kind !== 'selector') continue;
      for (const p of pods) if ((peer.namespaces === 'all' || peer.namespaces.includes(p.namespace)) && selectorMatches(peer.selector, p.labels)) peers.set(p.key, p);
    }
  }
  if (peers.size > 0) notes.push(`a peer selector matches hostNetwork Pod ${list([...peers.values()])}: its connections come from its node's address, which a selector never allows (use an ipBlock with the node's address to allow the node)`);
  return notes;
}
