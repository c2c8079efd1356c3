/**
 * Listeners for proxyless gRPC servers (gRFC A36). A server asks for
 * `grpc/server?xds.resource.listening_address=IP:PORT`, naming the address it binds; the Listener
 * must carry exactly that address. It is built on demand from the name: the port's policies if a
 * proxyless workload of the inventory owns that address and port, otherwise no RBAC at all (a
 * workload no policy selects is not touched).
 */
import { isIP } from 'node:net';
import type { Authz, ProxylessServer } from '../ir/types.js';
import { canonicalIp } from '../model/ip.js';
import { MESSAGES } from '../../envoy-api/index.js';
import { httpConnectionManager } from './http-connection-manager.js';
import type { EnvoyResource } from './resource.js';

export const SERVER_LISTENER_PREFIX = 'grpc/server?xds.resource.listening_address=';

/** `grpc/server?xds.resource.listening_address=[::1]:50051` → `{ host: '::1', port: 50051 }`. */
export function parseServerListenerName(name: string): { host: string; port: number } | undefined {
  if (!name.startsWith(SERVER_LISTENER_PREFIX)) return undefined;
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(name.slice(SERVER_LISTENER_PREFIX.length));
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!host || !isIP(host) || !(port >= 1 && port <= 65535)) return undefined;
  return { host, port };
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

/**
 * The policies for a listening address: an exact address match first; for a wildcard bind
 * (0.0.0.0 or ::), the one proxyless server on that port, if exactly one exists.
 */
export function findProxylessServer(servers: readonly ProxylessServer[], host: string, port: number): ProxylessServer | undefined {
  const addr = canonicalIp(host);
  const onPort = servers.filter((s) => s.port === port);
  const exact = onPort.find((s) => s.addresses.includes(addr));
  if (exact) return exact;
  return WILDCARDS.has(addr) && onPort.length === 1 ? onPort[0] : undefined;
}

/** The Listener for `name`, or `undefined` when the name is not a server listener name. */
export function serverListener(name: string, servers: readonly ProxylessServer[]): EnvoyResource<typeof MESSAGES.listener> | undefined {
  const parsed = parseServerListenerName(name);
  if (!parsed) return undefined;
  const server = findProxylessServer(servers, parsed.host, parsed.port);
  const authz: Authz = server?.authz ?? {};
  const chainName = server ? `inbound|${server.port}|${server.workload}` : `inbound|${parsed.port}|unprotected`;
  return {
    message: MESSAGES.listener,
    name,
    references: [],
    json: {
      name,
      address: { socket_address: { address: parsed.host, port_value: parsed.port } },
      filter_chains: [
        {
          name: chainName,
          filters: [
            httpConnectionManager(chainName, authz, 'inbound', 'grpc', {
              kind: 'inline',
              routeConfig: { name: chainName, virtual_hosts: [{ name: chainName, domains: ['*'], routes: [{ match: { prefix: '' }, non_forwarding_action: {} }] }] },
            }),
          ],
        },
      ],
    },
  };
}
