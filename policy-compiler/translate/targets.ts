/** Where a policy's rules end up, so status can say which proxies must ACK before it is enforced. */
import { MESSAGES } from '../../envoy-api/index.js';
import type { HttpChain, Ir } from '../ir/types.js';
import type { PolicyKey } from '../model/types.js';
import type { ResourceRef } from './resource.js';
import { agentNodeId } from '../names.js';

export type PolicyTarget =
  | ({ readonly kind: 'node'; readonly node: string } & ResourceRef)
  /** A proxyless gRPC server port: whichever client asks for a Listener resolving to it. */
  | { readonly kind: 'proxyless'; readonly workload: string; readonly port: number };

/** `agentHosts`: per policy, the hosts whose node agent must ACK its redirects (node-redirects.ts). */
export function policyTargets(ir: Ir, agentHosts: ReadonlyMap<PolicyKey, readonly string[]> = new Map()): Map<PolicyKey, PolicyTarget[]> {
  const targets = new Map<PolicyKey, Map<string, PolicyTarget>>();
  const add = (key: PolicyKey, t: PolicyTarget) => {
    let list = targets.get(key);
    if (!list) targets.set(key, (list = new Map()));
    list.set(t.kind === 'node' ? `${t.node}\u0000${t.message}\u0000${t.name}` : `\u0001${t.workload}\u0000${t.port}`, t);
  };
  // An Envoy chain is two resources: its filter chain in the listener, and its rules on its route.
  for (const n of ir.envoyNodes) {
    for (const [listener, chains] of [['inbound', n.inbound], ['outbound', n.outbound]] as const) {
      for (const c of chains) {
        for (const p of c.policies) {
          add(p.key, { kind: 'node', node: n.node, message: MESSAGES.listener, name: listener });
          // A chain whose secrets are not available closes its connections: it has no route.
          if (c.tls?.unavailable === undefined) add(p.key, { kind: 'node', node: n.node, message: MESSAGES.routeConfiguration, name: c.name });
          // Envoy keeps a TLS chain's listener warming until its secrets arrive: they must be ACKed too.
          for (const name of c.tls?.unavailable === undefined ? chainSecretNames(c) : []) add(p.key, { kind: 'node', node: n.node, message: MESSAGES.secret, name });
        }
      }
    }
  }
  for (const s of ir.proxyless) for (const p of s.policies) add(p.key, { kind: 'proxyless', workload: s.workload, port: s.port });
  for (const k of ir.kafkaNodes) for (const c of k.chains) for (const p of c.policies) add(p.key, { kind: 'node', node: k.node, message: MESSAGES.kafkaPolicy, name: c.name });
  // The redirects that steer its traffic into those proxies are the node agents' to program: their ACK counts too.
  for (const [key, hosts] of agentHosts) for (const host of hosts) add(key, { kind: 'node', node: agentNodeId(host), message: MESSAGES.nodeRedirects, name: host });
  return new Map([...targets].map(([k, m]) => [k, [...m.values()]]));
}

/** The SDS secrets a chain names. */
function chainSecretNames(c: HttpChain): string[] {
  const t = c.tls;
  if (!t) return [];
  const names = [t.terminate?.certificate, t.terminate?.clientCa, t.originate?.trust, t.originate?.clientCertificate, t.inject?.credential];
  return names.filter((n): n is string => n !== undefined);
}
