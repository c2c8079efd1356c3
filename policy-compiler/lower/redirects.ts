/** Redirect entries, derived from the same chains as the listeners so the two never disagree. */
import type { EnvoyNode, KafkaNode } from '../ir/types.js';
import { redirectKey, type RedirectEntry } from '../ir/redirect.js';

export function redirectEntries(envoyNodes: readonly EnvoyNode[], kafkaNodes: readonly KafkaNode[]): RedirectEntry[] {
  const entries = new Map<string, RedirectEntry>();
  const add = (e: RedirectEntry) => entries.set(redirectKey(e), e);
  for (const n of envoyNodes) {
    for (const c of n.inbound) for (const d of c.destinations) add({ node: n.node, direction: 'inbound', address: d.address, port: c.port, proxyPort: n.inboundPort });
    for (const c of n.outbound) add({ node: n.node, direction: 'outbound', port: c.port, proxyPort: n.outboundPort });
  }
  for (const k of kafkaNodes) {
    for (const c of k.chains) {
      if (c.direction === 'inbound') for (const address of c.addresses) add({ node: k.node, direction: 'inbound', address, port: c.port, proxyPort: k.listenPort });
      else add({ node: k.node, direction: 'outbound', port: c.port, proxyPort: k.listenPort });
    }
  }
  return [...entries.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, e]) => e);
}
