/** Where a policy's rules end up, so status can say which proxies must ACK before it is enforced. */
import { MESSAGES } from '../../envoy-api/index.js';
import type { EnvoyNode, HttpChain, Ir } from '../ir/types.js';
import type { PolicyKey } from '../model/types.js';
import type { ResourceRef } from './resource.js';
import { agentNodeId } from '../names.js';

export type PolicyTarget =
  | ({ readonly kind: 'node'; readonly node: string } & ResourceRef)
  /** A proxyless gRPC server port: whichever client asks for a Listener resolving to it. */
  | { readonly kind: 'proxyless'; readonly workload: string; readonly port: number };

type Targets = Map<PolicyKey, PolicyTarget[]>;

/** Adds targets to a map, each once per policy (by node, message and name). */
class TargetSet {
  readonly byPolicy: Targets = new Map();
  private readonly seen = new Map<PolicyKey, Set<string>>();

  add(key: PolicyKey, t: PolicyTarget): void {
    const id = t.kind === 'node' ? `${t.node}\u0000${t.message}\u0000${t.name}` : `\u0001${t.workload}\u0000${t.port}`;
    let seen = this.seen.get(key);
    if (!seen) this.seen.set(key, (seen = new Set()));
    if (seen.has(id)) return;
    seen.add(id);
    let list = this.byPolicy.get(key);
    if (!list) this.byPolicy.set(key, (list = []));
    list.push(t);
  }
}

/**
 * One Envoy node's targets, remembered by the node's IR object: lowering keeps an unchanged node's
 * object, so a compile after one policy changed recomputes only the nodes it touched.
 */
const envoyNodeTargets = new WeakMap<EnvoyNode, Targets>();

function targetsOfEnvoyNode(n: EnvoyNode): Targets {
  const known = envoyNodeTargets.get(n);
  if (known) return known;
  const set = new TargetSet();
  // An Envoy chain is two resources: its filter chain in the listener, and its rules on its route.
  for (const [listener, chains] of [['inbound', n.inbound], ['outbound', n.outbound]] as const) {
    for (const c of chains) {
      for (const p of c.policies) {
        set.add(p.key, { kind: 'node', node: n.node, message: MESSAGES.listener, name: listener });
        // A chain whose secrets are not available closes its connections: it has no route.
        if (c.tls?.unavailable === undefined) set.add(p.key, { kind: 'node', node: n.node, message: MESSAGES.routeConfiguration, name: c.name });
        // Envoy keeps a TLS chain's listener warming until its secrets arrive: they must be ACKed too.
        for (const name of c.tls?.unavailable === undefined ? chainSecretNames(c) : []) set.add(p.key, { kind: 'node', node: n.node, message: MESSAGES.secret, name });
      }
    }
  }
  envoyNodeTargets.set(n, set.byPolicy);
  return set.byPolicy;
}

/** `agentHosts`: per policy, the hosts whose node agent must ACK its redirects (node-redirects.ts). */
export function policyTargets(ir: Ir, agentHosts: ReadonlyMap<PolicyKey, readonly string[]> = new Map()): Map<PolicyKey, PolicyTarget[]> {
  const out: Targets = new Map();
  const merge = (from: Targets) => {
    for (const [key, list] of from) {
      const into = out.get(key);
      if (into) into.push(...list);
      else out.set(key, [...list]);
    }
  };
  // Targets name their node, so no two nodes' targets are the same: the merge needs no de-duplication.
  for (const n of ir.envoyNodes) merge(targetsOfEnvoyNode(n));
  const rest = new TargetSet();
  for (const s of ir.proxyless) for (const p of s.policies) rest.add(p.key, { kind: 'proxyless', workload: s.workload, port: s.port });
  for (const k of ir.kafkaNodes) for (const c of k.chains) for (const p of c.policies) rest.add(p.key, { kind: 'node', node: k.node, message: MESSAGES.kafkaPolicy, name: c.name });
  // The redirects that steer its traffic into those proxies are the node agents' to program: their ACK counts too.
  for (const [key, hosts] of agentHosts) for (const host of hosts) rest.add(key, { kind: 'node', node: agentNodeId(host), message: MESSAGES.nodeRedirects, name: host });
  merge(rest.byPolicy);
  return out;
}

/** The SDS secrets a chain names. */
function chainSecretNames(c: HttpChain): string[] {
  const t = c.tls;
  if (!t) return [];
  const names = [t.terminate?.certificate, t.terminate?.clientCa, t.originate?.trust, t.originate?.clientCertificate, t.inject?.credential];
  return names.filter((n): n is string => n !== undefined);
}
