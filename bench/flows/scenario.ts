/**
 * The flows scenario on real Envoy, for the collection test and bench:flows: three loopback
 * workloads (orders 127.0.0.10 serving HTTP and gRPC, web 127.0.0.11, batch 127.0.0.12), an
 * enforcing policy and an audit policy on orders, compiled by sluice. Each compiled inbound chain's
 * HttpConnectionManager (its RBAC filters, the route carrying the chain's rules, the router) is
 * served on a static loopback listener at the workload's own address and port, routed to a static
 * upstream; only its access log is replaced, by the `envoy.access_loggers.http_grpc` logger that
 * `flowAccessLog` builds: the config the compiler emits.
 */
import { compile, loadSources, type CompileOutput, type HttpChain, type Inventory } from '../../policy-compiler/index.js';
import { flowAccessLog } from '../../policy-compiler/index.js';

type Json = Record<string, unknown>;

export const NODE = 'node-a';
export const ORDERS = '127.0.0.10';
export const WEB = '127.0.0.11';
export const BATCH = '127.0.0.12';

export interface ScenarioPorts {
  readonly http: number;
  readonly grpc: number;
  /** Where `web` is (default 127.0.0.11); bench:flows puts it at 127.0.0.1, where wrk connects from. */
  readonly web?: string;
}

export function inventoryText(ports: ScenarioPorts): string {
  return `apiVersion: sluice.dev/v1alpha1
kind: Inventory
# stdout too: bench:flows compares the gRPC access logger with the same fields written to a file.
proxies: [ { node: ${NODE}, accessLog: [flows, stdout] } ]
workloads:
  - { name: orders, namespace: shop, labels: { app: orders, tier: backend }, addresses: [${ORDERS}], ports: [ { port: ${ports.http}, name: http }, { port: ${ports.grpc}, name: grpc } ], proxy: { node: ${NODE} } }
  - { name: web, namespace: shop, labels: { app: web }, addresses: [${ports.web ?? WEB}], proxy: { node: ${NODE} } }
  - { name: batch, namespace: ops, labels: { app: batch }, addresses: [${BATCH}], proxy: { node: ${NODE} } }
`;
}

export function policyText(ports: ScenarioPorts): string {
  return `apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: orders-api, namespace: shop }
spec:
  selector: { matchLabels: { app: orders } }
  ingress:
    - from: [ { selector: { matchLabels: { app: web } } } ]
      toPorts:
        - ports: [ { port: ${ports.http} } ]
          rules:
            http: [ { method: GET, path: { prefix: /v1/orders } } ]
          deny:
            http: [ { path: { prefix: /v1/orders/admin } } ]
    - from: [ { selector: { matchLabels: { app: web } }, namespaces: [shop] }, { selector: { matchLabels: { app: batch } }, namespaces: [ops] } ]
      toPorts:
        - ports: [ { port: ${ports.grpc} } ]
          rules:
            grpc: [ { service: shop.v1.Orders, methods: [ Get ] } ]
---
apiVersion: sluice.dev/v1alpha1
kind: L7Policy
metadata: { name: orders-tighten, namespace: shop }
spec:
  mode: audit
  selector: { matchLabels: { app: orders } }
  ingress:
    - toPorts:
        - ports: [ { port: ${ports.http} } ]
          deny:
            http: [ { path: { prefix: /v1/orders/legacy } } ]
    - from: [ { selector: { matchLabels: { app: batch } }, namespaces: [ops] } ]
      toPorts:
        - ports: [ { port: ${ports.grpc} } ]
          deny:
            grpc: [ { service: shop.v1.Orders, methods: [ Get ] } ]
`;
}

export interface CompiledScenario {
  readonly output: CompileOutput;
  readonly inventory: Inventory;
  readonly ports: ScenarioPorts;
  /** Per workload port: the chain and its HttpConnectionManager and routes, as compiled. */
  readonly chains: ReadonlyMap<number, { readonly chain: HttpChain; readonly hcm: Json; readonly routes: Json }>;
}

const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
function at(value: unknown, ...keys: Array<string | number>): unknown {
  let v = value;
  for (const k of keys) v = isJson(v) || Array.isArray(v) ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

export function compileScenario(ports: ScenarioPorts): CompiledScenario {
  const load = loadSources([
    { name: 'inventory.yaml', text: inventoryText(ports) },
    { name: 'policies.yaml', text: policyText(ports) },
  ]);
  const errors = load.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !load.inventory) throw new Error(`flows scenario does not load: ${errors.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
  const output = compile(load.policies, load.inventory);
  const problems = output.diagnostics.filter((d) => d.severity === 'error');
  if (problems.length > 0) throw new Error(`flows scenario does not compile: ${problems.map((d) => d.message).join('; ')}`);
  const node = output.ir.envoyNodes.find((n) => n.node === NODE);
  const resources = output.nodes.find((n) => n.node === NODE)?.resources ?? [];
  const inbound = resources.find((r) => r.name === 'inbound' && r.message.endsWith('Listener'));
  const filterChains = at(inbound?.json, 'filter_chains');
  if (!node || !Array.isArray(filterChains)) throw new Error('flows scenario: no inbound listener');
  const chains = new Map<number, { chain: HttpChain; hcm: Json; routes: Json }>();
  for (const chain of node.inbound) {
    const hcm = at(filterChains.find((c) => at(c, 'name') === chain.name), 'filters', 0);
    const routes = resources.find((r) => r.name === chain.name && r.message.endsWith('RouteConfiguration'))?.json;
    if (!isJson(hcm) || !isJson(routes)) throw new Error(`flows scenario: chain ${chain.name} has no HttpConnectionManager or routes`);
    chains.set(chain.port, { chain, hcm, routes });
  }
  return { output, inventory: load.inventory, ports, chains };
}

export interface BootstrapOptions {
  readonly admin: { readonly host: string; readonly port: number };
  /** The collector's gRPC address (the access-log service). */
  readonly collector: { readonly host: string; readonly port: number };
  readonly upstreams: { readonly http: { host: string; port: number }; readonly grpc: { host: string; port: number } };
  /** `als` (default): the gRPC access logger only; `file`: a JSON file log instead (bench:flows' peer); `none`. */
  readonly accessLog?: { readonly kind: 'als' } | { readonly kind: 'file'; readonly path: string } | { readonly kind: 'none' };
  /** ALS batching: how long Envoy buffers entries before a flush (default 0.1 s). */
  readonly flushIntervalMs?: number;
}

/** The bootstrap's cluster of the collector (the access logs' gRPC service). */
export const COLLECTOR_CLUSTER = 'sluice_flows';

function cluster(name: string, to: { host: string; port: number }, http2: boolean): Json {
  return {
    name,
    type: 'STATIC',
    connect_timeout: '5s',
    load_assignment: { cluster_name: name, endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: to.host, port_value: to.port } } } }] }] },
    typed_extension_protocol_options: {
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
        ...(http2 ? { explicit_http_config: { http2_protocol_options: {} } } : { explicit_http_config: { http_protocol_options: {} } }),
      },
    },
  };
}

/** The file access log bench:flows compares against: the compiler's JSON fields, one line per request. */
function fileAccessLog(hcm: Json, file: string): Json[] {
  const logs = at(hcm, 'typed_config', 'access_log');
  const stdout = Array.isArray(logs) ? logs.find((l) => at(l, 'name') === 'envoy.access_loggers.stdout') : undefined;
  const format = at(stdout, 'typed_config', 'log_format', 'json_format', 'fields');
  if (!isJson(format)) throw new Error('the compiled chain has no stdout access log to copy the fields of');
  const fields = Object.fromEntries(Object.entries(format).map(([k, v]) => [k, at(v, 'stringValue')]));
  return [{ name: 'envoy.access_loggers.file', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog', path: file, log_format: { json_format: fields } } }];
}

/** A static bootstrap: one listener per compiled chain, at the workload's address and port. */
export function scenarioBootstrap(compiled: CompiledScenario, o: BootstrapOptions): Json {
  const listeners: Json[] = [];
  for (const [port, entry] of compiled.chains) {
    const hcm = structuredClone(entry.hcm);
    const config = hcm['typed_config'] as Json;
    const routes = structuredClone(entry.routes);
    const grpc = port === compiled.ports.grpc;
    for (const vh of (routes['virtual_hosts'] ?? []) as Json[]) for (const r of (vh['routes'] ?? []) as Json[]) (r['route'] as Json)['cluster'] = grpc ? 'up_grpc' : 'up_http';
    delete config['rds'];
    config['route_config'] = routes;
    const kind = o.accessLog?.kind ?? 'als';
    config['access_log'] = kind === 'als'
      ? [flowAccessLog(entry.chain.direction, { clusterName: COLLECTOR_CLUSTER, flushIntervalMs: o.flushIntervalMs ?? 100 })]
      : o.accessLog?.kind === 'file' ? fileAccessLog(entry.hcm, o.accessLog.path) : [];
    listeners.push({ name: entry.chain.name, address: { socket_address: { address: ORDERS, port_value: port } }, filter_chains: [{ filters: [hcm] }] });
  }
  return {
    node: { id: NODE, cluster: 'sluice' },
    admin: { address: { socket_address: { address: o.admin.host, port_value: o.admin.port } } },
    static_resources: {
      listeners,
      clusters: [cluster('up_http', o.upstreams.http, false), cluster('up_grpc', o.upstreams.grpc, true), cluster(COLLECTOR_CLUSTER, o.collector, true)],
    },
  };
}
