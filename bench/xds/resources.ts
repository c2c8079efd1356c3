/**
 * The configuration both servers stream in the bench: clusters with endpoints, API listeners with
 * an RBAC filter (the shape sluice's policies compile to) and their route configs. Snapshot k
 * (1…changes) is snapshot k−1 with one policy change: the first listener's RBAC gains a rule (an
 * LDS-only change, given to every node; each one new content, so no server answers it from what
 * it encoded before); the last snapshot is snapshot `changes` with a second listener's RBAC
 * gaining a rule (given to one node: a change that touches a single node).
 */
import { encodeMessage } from '../../envoy-api/index.js';
import { TYPE_URL, type ResourceInput } from '../../xds-server/index.js';

export interface BenchShape {
  readonly clusters: number;
  readonly listeners: number;
  readonly rulesPerListener: number;
}

const ADS = { ads: {}, resource_api_version: 'V3' };

function rbac(rules: number): Record<string, unknown> {
  const policies: Record<string, unknown> = {};
  for (let i = 0; i < rules; i++) {
    policies[`allow-${i}`] = {
      permissions: [{ and_rules: { rules: [{ header: { name: ':method', string_match: { exact: 'GET' } } }, { url_path: { path: { prefix: `/v1/resource-${i}/` } } }] } }],
      principals: [{ direct_remote_ip: { address_prefix: `10.${i % 250}.0.0`, prefix_len: { value: 16 } } }],
    };
  }
  return {
    name: 'envoy.filters.http.rbac',
    typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC', rules: { action: 'ALLOW', policies } },
  };
}

/** `extra[i]`: how many rules listener i has beyond `rulesPerListener`. */
function snapshotInputs(shape: BenchShape, extra: readonly number[]): ResourceInput[] {
  const out: ResourceInput[] = [];
  for (let i = 0; i < shape.clusters; i++) {
    const name = `svc-${i}`;
    out.push({
      typeUrl: TYPE_URL.CDS,
      name,
      body: encodeMessage('envoy.config.cluster.v3.Cluster', { name, type: 'EDS', eds_cluster_config: { eds_config: ADS, service_name: name }, lb_policy: 'ROUND_ROBIN', connect_timeout: { seconds: 1 } }),
      references: [{ typeUrl: TYPE_URL.EDS, name }],
    });
    out.push({
      typeUrl: TYPE_URL.EDS,
      name,
      body: encodeMessage('envoy.config.endpoint.v3.ClusterLoadAssignment', {
        cluster_name: name,
        endpoints: [
          {
            locality: { region: 'r1', zone: 'z1' },
            load_balancing_weight: { value: 1 },
            lb_endpoints: [1, 2, 3].map((k) => ({ endpoint: { address: { socket_address: { address: `10.1.${i % 250}.${k}`, port_value: 8080 } } } })),
          },
        ],
      }),
    });
  }
  for (let i = 0; i < shape.listeners; i++) {
    const name = `svc-${i}.mesh`;
    const rc = `rc-${i}`;
    out.push({
      typeUrl: TYPE_URL.LDS,
      name,
      body: encodeMessage('envoy.config.listener.v3.Listener', {
        name,
        api_listener: {
          api_listener: {
            '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
            stat_prefix: name,
            rds: { route_config_name: rc, config_source: ADS },
            http_filters: [rbac(shape.rulesPerListener + (extra[i] ?? 0)), { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
          },
        },
      }),
      references: [{ typeUrl: TYPE_URL.RDS, name: rc }],
    });
    out.push({
      typeUrl: TYPE_URL.RDS,
      name: rc,
      body: encodeMessage('envoy.config.route.v3.RouteConfiguration', {
        name: rc,
        virtual_hosts: [{ name: 'vh', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster: `svc-${i % shape.clusters}` } }] }],
      }),
    });
  }
  return out;
}

/**
 * Snapshot 0, one per every-node change (1…`changes`: Listener 0 has k extra rules), then one per
 * single-node change (`changes` + j, j = 1…`singles`: Listener 1 also has j extra rules).
 */
export function benchSnapshots(shape: BenchShape, changes: number, singles = changes): ResourceInput[][] {
  const out = Array.from({ length: changes + 1 }, (_, k) => snapshotInputs(shape, [k]));
  for (let j = 1; j <= singles; j++) out.push(snapshotInputs(shape, [changes, j]));
  return out;
}

/** The names a stream subscribes to for EDS and RDS (CDS and LDS are wildcard, as Envoy does). */
export function benchNames(shape: BenchShape): { eds: string[]; rds: string[] } {
  return {
    eds: Array.from({ length: shape.clusters }, (_, i) => `svc-${i}`),
    rds: Array.from({ length: shape.listeners }, (_, i) => `rc-${i}`),
  };
}
