/** Which chain of the IR handles a connection, as the proxy's filter chain match would pick it. */
import { canonicalIp } from '../../ip/index.js';
import type { Authz, ChainTls, Ir } from '../ir/types.js';
import { findProxylessServer } from '../translate/features/proxyless-listener.js';
import { chainName } from '../names.js';

export interface FoundChain {
  readonly where: string;
  readonly chain: string;
  readonly direction: 'inbound' | 'outbound';
  readonly authz: Authz;
  /** An Envoy chain's TLS (absent: plain, or a proxyless server). */
  readonly tls?: ChainTls;
}

/** Inbound: the chain protecting `destination:port`. Outbound: the chain of the workload at `source` for `port`. */
export function findChain(ir: Ir, direction: 'inbound' | 'outbound', source: string, destination: string, port: number): FoundChain | undefined {
  const src = canonicalIp(source);
  const dst = canonicalIp(destination);
  for (const node of ir.envoyNodes) {
    const chains = direction === 'inbound' ? node.inbound : node.outbound;
    const hit = chains.find((c) => c.port === port && (direction === 'inbound' ? c.destinations.some((d) => d.address === dst) : c.sources.some((s) => s.address === src)));
    if (hit) return { where: `Envoy node ${node.node}`, chain: hit.name, direction, authz: hit.authz, ...(hit.tls ? { tls: hit.tls } : {}) };
  }
  if (direction === 'inbound') {
    const server = findProxylessServer(ir.proxyless, dst, port);
    if (server) return { where: 'proxyless gRPC server', chain: chainName('inbound', server.port, server.workload), direction, authz: server.authz };
  }
  return undefined;
}
