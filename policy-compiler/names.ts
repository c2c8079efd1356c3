/**
 * Every name the compiler builds and something later reads back, built and parsed here in pairs:
 * object keys (`namespace/name`), rule ids (`namespace/name#spec.ingress[0]…`), chain names
 * (`inbound|8080|shop/orders`), the names of the resources proxyless gRPC clients ask for, and the
 * Listener names proxyless gRPC servers ask for (gRFC A36). Nothing else writes these shapes.
 */
import { formatHostPort, isIpAddress, splitHostPort, type IpFamily } from '../ip/index.js';
import { formatPath, type PathSegment } from './diagnostics.js';

/** `namespace/name`: a policy's or a workload's key. */
export function objectKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The inverse of `objectKey`: the key splits at its first `/` (a namespace has none); `undefined` without one. */
export function parseObjectKey(key: string): { namespace: string; name: string } | undefined {
  const slash = key.indexOf('/');
  return slash < 0 ? undefined : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** `namespace/name#spec.ingress[0].toPorts[1]`: a rule's id is its policy's key and its source path. */
export function ruleId(policyKey: string, path: readonly PathSegment[]): string {
  return `${policyKey}#${formatPath(path)}`;
}

/** The inverse of `ruleId`: `{ policy: 'namespace/name', path: 'spec.ingress[0].toPorts[1]' }`, or `undefined` when `id` is not a rule id. */
export function parseRuleId(id: string): { policy: string; path: string } | undefined {
  const hash = id.indexOf('#');
  return hash < 0 ? undefined : { policy: id.slice(0, hash), path: id.slice(hash + 1) };
}

/** The source path of a rule id: `spec.ingress[0].toPorts[1]`. */
export function ruleIdPath(id: string): string {
  return parseRuleId(id)?.path ?? id;
}

export type ChainDirection = 'inbound' | 'outbound';

/**
 * `inbound|8080|shop/orders`: the chain of a workload port in one direction (unique within a node).
 * A port rule with an SNI allow list has a chain of its own, named by the first of its server
 * names: `outbound|443|shop/web@api.example.com` (a server name is in one list only).
 */
export function chainName(direction: ChainDirection, port: number, workload: string, serverNames: readonly string[] = []): string {
  return `${direction}|${port}|${workload}${serverNames[0] !== undefined ? `@${serverNames[0]}` : ''}`;
}

/** The inverse of `chainName` (`serverName`: the first name of the chain's SNI allow list). */
export function parseChainName(name: string): { direction: ChainDirection; port: number; workload: string; serverName?: string } | undefined {
  const match = /^(inbound|outbound)\|(\d{1,5})\|([^@]+)(?:@([^@]+))?$/.exec(name);
  if (!match?.[1] || !match[3]) return undefined;
  return { direction: match[1] === 'inbound' ? 'inbound' : 'outbound', port: Number(match[2]), workload: match[3], ...(match[4] !== undefined ? { serverName: match[4] } : {}) };
}

/**
 * The prefix every chain that closes each connection it takes shares, and no workload chain has
 * (theirs start with their direction): the listeners' access logs keep exactly the connections of
 * these chains (`closingChainFilter`, one expression built from it), each a denied TCP flow.
 */
export const CLOSING_CHAIN_PREFIX = 'sluice|';

/** The default filter chain of an Envoy node's listeners: a connection no workload chain matches (nothing allows it) is closed there. */
export const UNMATCHED_CHAIN = `${CLOSING_CHAIN_PREFIX}unmatched`;

const TLS_UNAVAILABLE_PREFIX = `${CLOSING_CHAIN_PREFIX}tls-unavailable|`;

/** `sluice|inbound|pod|shop/web-0`: the node proxy's listener inside a node-mode Pod's network namespace (envoy-node.ts podInboundListener). */
export function podInboundListenerName(workload: string): string {
  return `${CLOSING_CHAIN_PREFIX}inbound|pod|${workload}`;
}

/** `sluice|tls-unavailable|inbound|8443|shop/orders`: the chain of a workload port whose TLS cannot be served (a secret it needs is missing or unusable), which closes its connections. */
export function tlsUnavailableChainName(chain: string): string {
  return `${TLS_UNAVAILABLE_PREFIX}${chain}`;
}

/** The inverse of `UNMATCHED_CHAIN` and `tlsUnavailableChainName`: which closing chain a name is (`chain`: the workload chain it stands for), or `undefined`. */
export function parseClosingChain(name: string): { kind: 'unmatched' } | { kind: 'tls-unavailable'; chain: string } | undefined {
  if (name === UNMATCHED_CHAIN) return { kind: 'unmatched' };
  if (name.startsWith(TLS_UNAVAILABLE_PREFIX)) return { kind: 'tls-unavailable', chain: name.slice(TLS_UNAVAILABLE_PREFIX.length) };
  return undefined;
}

/** The CEL expression that is true exactly for the connections a closing chain took (Envoy's `xds.filter_chain_name` attribute). */
export function closingChainFilter(): string {
  return `xds.filter_chain_name.startsWith('${CLOSING_CHAIN_PREFIX}')`;
}

/**
 * The connection's filter-state keys a closing chain sets for its refusal (Envoy's
 * `set_filter_state`), which the listener's logs carry: the deciding policy, the rule (the field
 * that named the secret) and the reason in words. The default chain sets none (the collector
 * knows its reason).
 */
export const REFUSAL_STATE = { policy: 'sluice.refused.policy', rule: 'sluice.refused.rule', reason: 'sluice.refused.reason' } as const;

const TLS_UNAVAILABLE_REASON = 'TLS unavailable: ';

/** A TLS-unavailable flow's reason: `TLS unavailable: secret shop/orders-tls does not exist (...)`. */
export function tlsUnavailableReason(why: string): string {
  return `${TLS_UNAVAILABLE_REASON}${why}`;
}

/** Whether a flow's reason is `tlsUnavailableReason`'s. */
export function isTlsUnavailableReason(reason: string): boolean {
  return reason.startsWith(TLS_UNAVAILABLE_REASON);
}

/** The `log_name` of the gRPC access log each listener direction streams to the flow collector. */
export const ACCESS_LOG_NAME = { inbound: 'sluice.inbound', outbound: 'sluice.outbound' } as const;

/** The inverse of `ACCESS_LOG_NAME`. */
export function directionOfAccessLog(logName: string): ChainDirection | undefined {
  if (logName === ACCESS_LOG_NAME.inbound) return 'inbound';
  if (logName === ACCESS_LOG_NAME.outbound) return 'outbound';
  return undefined;
}

/** The RBAC filters' stat prefixes, so the deny and allow filters' counters and metadata keys stay apart. */
export const RBAC_PREFIX = {
  deny: 'sluice_deny_',
  allow: 'sluice_allow_',
  auditDeny: 'sluice_audit_deny_',
  auditAllow: 'sluice_audit_allow_',
} as const;

/** The dynamic-metadata namespace Envoy's RBAC filters write their results in. */
export const RBAC_METADATA_NAMESPACE = 'envoy.filters.http.rbac';

/**
 * The keys Envoy's RBAC filters write under their prefixes (`enforced_…` for the rules, `shadow_…`
 * for the shadow rules): the access logs carry them and flows read the verdict back from them.
 */
export const RBAC_METADATA_KEYS = {
  denyResult: `${RBAC_PREFIX.deny}enforced_engine_result`,
  denyRule: `${RBAC_PREFIX.deny}enforced_effective_policy_id`,
  allowResult: `${RBAC_PREFIX.allow}enforced_engine_result`,
  allowRule: `${RBAC_PREFIX.allow}enforced_effective_policy_id`,
  auditDenyResult: `${RBAC_PREFIX.auditDeny}shadow_engine_result`,
  auditDenyRule: `${RBAC_PREFIX.auditDeny}shadow_effective_policy_id`,
  auditAllowResult: `${RBAC_PREFIX.auditAllow}shadow_engine_result`,
  auditAllowRule: `${RBAC_PREFIX.auditAllow}shadow_effective_policy_id`,
} as const;

/** The workload part of the chain of a proxyless server port no policy protects. */
export const UNPROTECTED_WORKLOAD = 'unprotected';

/**
 * The order chains are listed in (IR lists, filter chains, routes): by direction, then workload,
 * then port compared as text. This is the order every golden file and proxy has seen; it is not
 * the order of the name's parts.
 */
export function compareChains(a: ChainKeyParts, b: ChainKeyParts): number {
  const x = chainSortKey(a);
  const y = chainSortKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

interface ChainKeyParts {
  readonly direction: ChainDirection;
  readonly workload: string;
  readonly port: number;
  readonly serverNames?: readonly string[];
}

/** The text `compareChains` compares (compute it once per chain to sort many): a port's plain chain first, then its SNI chains. */
export function chainSortKey(c: ChainKeyParts): string {
  const sni = c.serverNames?.[0];
  return `${c.direction}|${c.workload}|${c.port}${sni !== undefined ? `@${sni}` : ''}`;
}

/**
 * The names of the SDS secrets a node is served, one per use of a secret: a certificate with its
 * key (`tls|shop/orders-tls`, or with the key names when they are not tls.crt and tls.key), one
 * issued by sluice's CA (`issued|api.example.com,www.example.com`), trusted CA certificates
 * (`ca|shop/upstream-ca`, `ca|shop/bundle|roots.pem`, the host's bundle `ca|system`) and an
 * injected credential with the prefix written before it (`credential|shop/api-token|token|Bearer%20`).
 */
export const SDS_NAMES = {
  certificate: (secret: string, certificate: string, privateKey: string): string =>
    `tls|${secret}${certificate === 'tls.crt' && privateKey === 'tls.key' ? '' : `|${certificate}|${privateKey}`}`,
  issued: (serverNames: readonly string[]): string => `issued|${serverNames.join(',')}`,
  trust: (secret: string, key: string): string => `ca|${secret}${key === 'ca.crt' ? '' : `|${key}`}`,
  systemTrust: 'ca|system',
  credential: (secret: string, key: string, prefix: string): string => `credential|${secret}|${key}${prefix === '' ? '' : `|${encodeURIComponent(prefix)}`}`,
} as const;

/** The names sluice's CA issues a certificate for, as the catalog of issued certificates keys them. */
export function issuedKey(serverNames: readonly string[]): string {
  return serverNames.join(',');
}

/** The cluster that originates TLS for one chain: `tls|outbound|443|shop/web@api.example.com`. */
export function originatingClusterName(chain: string): string {
  return `tls|${chain}`;
}

/** `orders.shop:8080`: the listener name proxyless gRPC clients ask for through `xds:///orders.shop:8080`. */
export function serviceTarget(name: string, namespace: string, port: number): string {
  return `${name}.${namespace}:${port}`;
}

/** The route configuration of a service's client listener. */
export function serviceRouteName(target: string): string {
  return `client|${target}`;
}

/** The EDS cluster (and its endpoints) of a service: `outbound|8080|shop/orders`. */
export function serviceClusterName(port: number, workload: string): string {
  return chainName('outbound', port, workload);
}

export const SERVER_LISTENER_PREFIX = 'grpc/server?xds.resource.listening_address=';

/** `grpc/server?xds.resource.listening_address=[::1]:50051`: the Listener a proxyless server bound to that address asks for. */
export function serverListenerName(host: string, port: number): string {
  return `${SERVER_LISTENER_PREFIX}${formatHostPort(host, port)}`;
}

/** The inverse of `serverListenerName`: `{ host: '::1', port: 50051 }`, or `undefined` for any other name. */
export function parseServerListenerName(name: string): { host: string; port: number; family: IpFamily } | undefined {
  if (!name.startsWith(SERVER_LISTENER_PREFIX)) return undefined;
  const address = splitHostPort(name.slice(SERVER_LISTENER_PREFIX.length));
  const family = address ? isIpAddress(address.host) : undefined;
  if (!address || !family || address.port < 1) return undefined;
  return { host: address.host, port: address.port, family };
}

/** The suffix of a node agent's xDS node id: `<host>.agent` receives the host's NodeRedirects. */
export const AGENT_NODE_SUFFIX = '.agent';

/** The xDS node id of a host's node agent. */
export function agentNodeId(host: string): string {
  return `${host}${AGENT_NODE_SUFFIX}`;
}

/** The host a node agent's node id names, or undefined when `node` is not an agent's. */
export function hostOfAgent(node: string): string | undefined {
  return node.endsWith(AGENT_NODE_SUFFIX) && node.length > AGENT_NODE_SUFFIX.length ? node.slice(0, -AGENT_NODE_SUFFIX.length) : undefined;
}
