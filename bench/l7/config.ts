/**
 * The Envoy configuration bench:l7 boots: sluice compiles the benchmark's policies (rules.ts) for
 * one node, and each compiled inbound chain's HttpConnectionManager — its RBAC filters, the route
 * carrying the chain's rules (`RBACPerRoute`), the access log, the router — is served verbatim on
 * a plain loopback listener of its own, routed to a static cluster for the upstream. Only the
 * front is changed, identically for every variant: no `original_dst` filter and no filter-chain
 * match (the load generator connects to the listener itself; redirection is bench:redirect's
 * subject), routes inline instead of over RDS (the same RouteConfiguration), and a STATIC
 * cluster instead of ORIGINAL_DST (the same protocol options). One Envoy holds every variant, so
 * every variant runs on the same process, worker and upstream.
 *
 * Variants of a chain:
 *   compiled        what sluice emits
 *   no-rbac         the same chain with both RBAC filters and the route's RBAC config removed:
 *                   the fair "no RBAC" peer (an allow-all policy still runs both filters)
 *   no-rule-stats   compiled, with `track_per_rule_stats` off (a per-request stat lookup by name)
 *   matcher         the allow rules as a matcher tree keyed by path prefix (shape.ts)
 */
import { compile, loadSources, type HttpChain } from '../../policy-compiler/index.js';
import { inventoryFile, NODE, policyFile, type RuleSet } from './rules.js';
import { rbacMatcher } from './shape.js';

type Json = Record<string, unknown>;
export type Variant = 'compiled' | 'no-rbac' | 'no-rule-stats' | 'matcher';

export interface Listener {
  readonly name: string;
  readonly port: number;
  readonly set: RuleSet;
  readonly variant: Variant;
}

const clone = <T>(value: T): T => structuredClone(value);
const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function at(value: unknown, ...keys: Array<string | number>): unknown {
  let v = value;
  for (const k of keys) v = isJson(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

/** protobufjs' field-by-field Struct (`{ fields: { k: { stringValue } } }`) as Envoy's JSON reads a Struct. */
function plainStruct(value: unknown): unknown {
  const fields = at(value, 'fields');
  if (!isJson(fields)) return value;
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, at(v, 'stringValue')]));
}

export interface Compiled {
  readonly chains: ReadonlyMap<number, { readonly chain: HttpChain; readonly hcm: Json; readonly routes: Json }>;
  readonly upstreamOptions: unknown;
}

/** Compiles the rule sets' policies; fails on any diagnostic error (the benchmark's input is ours). */
export function compileSets(sets: readonly RuleSet[]): Compiled {
  const load = loadSources([inventoryFile(sets), ...sets.map(policyFile)]);
  const problems = load.diagnostics.filter((d) => d.severity === 'error');
  if (problems.length > 0 || !load.inventory) throw new Error(`bench:l7 policies do not load: ${problems.map((d) => d.message).join('; ') || 'no inventory'}`);
  const output = compile(load.policies, load.inventory);
  const errors = output.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`bench:l7 policies do not compile: ${errors.map((d) => d.message).join('; ')}`);
  const node = output.ir.envoyNodes.find((n) => n.node === NODE);
  const resources = output.nodes.find((n) => n.node === NODE)?.resources ?? [];
  const inbound = resources.find((r) => r.name === 'inbound' && r.message.endsWith('Listener'));
  const cluster = resources.find((r) => r.message.endsWith('Cluster'));
  const filterChains = at(inbound?.json, 'filter_chains');
  if (!node || !Array.isArray(filterChains) || !cluster) throw new Error('bench:l7: the compiler produced no inbound listener or cluster for the node');
  const chains = new Map<number, { chain: HttpChain; hcm: Json; routes: Json }>();
  for (const chain of node.inbound) {
    const fc = filterChains.find((c) => at(c, 'name') === chain.name);
    const hcm = at(fc, 'filters', 0);
    const routes = resources.find((r) => r.name === chain.name && r.message.endsWith('RouteConfiguration'))?.json;
    if (!isJson(hcm) || !routes) throw new Error(`bench:l7: chain ${chain.name} has no HttpConnectionManager or routes`);
    chains.set(chain.port, { chain, hcm, routes: routes as Json });
  }
  return { chains, upstreamOptions: at(cluster.json, 'typed_extension_protocol_options') };
}

const UPSTREAM_CLUSTER = 'bench_upstream';

/** One variant of a compiled chain's HttpConnectionManager, on inline routes to the upstream. */
function connectionManager(compiled: Compiled, l: Listener): Json {
  const entry = compiled.chains.get(l.set.port);
  if (!entry) throw new Error(`bench:l7: no compiled chain for port ${l.set.port}`);
  const hcm = clone(entry.hcm);
  const config = hcm.typed_config as Json;
  const routes = clone(entry.routes);
  for (const vh of (routes.virtual_hosts ?? []) as Json[]) for (const r of (vh.routes ?? []) as Json[]) (r.route as Json).cluster = UPSTREAM_CLUSTER;
  delete config.rds;
  config.route_config = routes;
  config.stat_prefix = `bench_${l.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  for (const log of (config.access_log ?? []) as Json[]) {
    const format = at(log, 'typed_config', 'log_format');
    if (isJson(format) && format.json_format) format.json_format = plainStruct(format.json_format);
  }
  const filters = config.http_filters as Json[];
  const vhosts = routes.virtual_hosts as Json[];
  const perRoute = (kind: 'allow' | 'deny'): Json[] => vhosts.map((vh) => at(vh, 'typed_per_filter_config', `sluice.rbac.${kind}`, 'rbac')).filter(isJson);
  switch (l.variant) {
    case 'compiled':
      break;
    case 'no-rbac':
      config.http_filters = filters.filter((f) => !String(f.name).startsWith('sluice.rbac.'));
      for (const vh of vhosts) delete vh.typed_per_filter_config;
      break;
    case 'no-rule-stats':
      for (const f of filters) if (isJson(f.typed_config) && 'track_per_rule_stats' in f.typed_config) f.typed_config.track_per_rule_stats = false;
      for (const rbac of [...perRoute('allow'), ...perRoute('deny')]) rbac.track_per_rule_stats = false;
      break;
    case 'matcher':
      for (const rbac of perRoute('allow')) {
        delete rbac.rules;
        rbac.matcher = rbacMatcher(entry.chain.authz.enforce?.allow ?? []);
      }
      break;
  }
  return hcm;
}

/** A static bootstrap: every listener (on all addresses of Envoy's namespace), the upstream cluster, the admin endpoint. */
export function bootstrap(compiled: Compiled, listeners: readonly Listener[], upstream: { host: string; port: number }, admin: { host: string; port: number }): Json {
  return {
    node: { id: NODE, cluster: 'sluice' },
    admin: { address: { socket_address: { address: admin.host, port_value: admin.port } } },
    static_resources: {
      listeners: listeners.map((l) => ({
        name: l.name,
        address: { socket_address: { address: '0.0.0.0', port_value: l.port } },
        filter_chains: [{ filters: [connectionManager(compiled, l)] }],
      })),
      clusters: [
        {
          name: UPSTREAM_CLUSTER,
          type: 'STATIC',
          connect_timeout: '5s',
          load_assignment: {
            cluster_name: UPSTREAM_CLUSTER,
            endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: upstream.host, port_value: upstream.port } } } }] }],
          },
          typed_extension_protocol_options: clone(compiled.upstreamOptions),
        },
      ],
    },
  };
}
