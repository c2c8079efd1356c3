/**
 * Listeners for proxyless gRPC servers (gRFC A36). A server asks for
 * `grpc/server?xds.resource.listening_address=IP:PORT`, naming the address it binds; the Listener
 * must carry exactly that address. It is built on demand from the name: the port's policies if a
 * proxyless workload of the inventory owns that address and port, otherwise no RBAC at all (a
 * workload no policy selects is not touched).
 */
import { MESSAGES } from '../../../envoy-api/index.js';
import { canonicalIp, isUnspecified } from '../../../ip/index.js';
import type { Authz, ProxylessServer } from '../../ir/types.js';
import { chainName, UNPROTECTED_WORKLOAD } from '../../names.js';
import type { FeatureTranslator } from '../feature.js';
import { httpConnectionManager } from '../http-connection-manager.js';

/**
 * The server a listening address belongs to: an exact address match first; for a wildcard bind
 * (0.0.0.0 or ::), the one proxyless server on that port, if exactly one exists.
 */
export function findProxylessServer(servers: readonly ProxylessServer[], host: string, port: number): ProxylessServer | undefined {
  const addr = canonicalIp(host);
  const onPort = servers.filter((s) => s.port === port);
  const exact = onPort.find((s) => s.addresses.includes(addr));
  if (exact) return exact;
  return isUnspecified(addr) && onPort.length === 1 ? onPort[0] : undefined;
}

export const PROXYLESS_LISTENER_FEATURE: FeatureTranslator = {
  name: 'proxyless server listener: the Listener a gRPC server asks for by its address, its RBAC inline (gRFC A36, A41)',
  serverListener: (name, host, port, server) => {
    const authz: Authz = server?.authz ?? {};
    const chain = server ? chainName('inbound', server.port, server.workload) : chainName('inbound', port, UNPROTECTED_WORKLOAD);
    return {
      message: MESSAGES.listener,
      name,
      references: [],
      json: {
        name,
        address: { socket_address: { address: host, port_value: port } },
        filter_chains: [
          {
            name: chain,
            filters: [
              httpConnectionManager({ chainName: chain, authz, direction: 'inbound', flavor: 'grpc', accessLog: [] }, {
                kind: 'inline',
                routeConfig: { name: chain, virtual_hosts: [{ name: chain, domains: ['*'], routes: [{ match: { prefix: '' }, non_forwarding_action: {} }] }] },
              }),
            ],
          },
        ],
      },
    };
  },
};
