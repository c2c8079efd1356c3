/* Generated from policy-compiler/schema/inventory.schema.json by scripts/gen-types.mjs (npm run gen). Do not edit. */

/**
 * This interface was referenced by `Inventory`'s JSON-Schema
 * via the `definition` "NodeId".
 */
export type NodeId = string;
/**
 * This interface was referenced by `Inventory`'s JSON-Schema
 * via the `definition` "Port".
 */
export type Port = number;
/**
 * Exactly one of `node` (the Envoy node id fronting the workload, optionally with `kafka`, the Kafka enforcer's node id) or `grpcProxyless: true` (a gRPC service that is its own xDS client).
 *
 * This interface was referenced by `Inventory`'s JSON-Schema
 * via the `definition` "ProxyRef".
 */
export type ProxyRef = {
  node?: NodeId;
  kafka?: NodeId;
  grpcProxyless?: true;
} & ProxyRef1;
export type ProxyRef1 = {
  [k: string]: unknown;
};

/**
 * Standalone mode's view of the world: which workloads exist and which proxy fronts each. In Kubernetes the controller builds the same inventory from Pods and Services.
 */
export interface Inventory {
  apiVersion: 'sluice.dev/v1alpha1';
  kind: 'Inventory';
  /**
   * Settings per proxy node; a node a workload names and this list omits is an Envoy with default ports.
   *
   * @maxItems 4096
   */
  proxies?: Proxy[];
  /**
   * @maxItems 65536
   */
  workloads: Workload[];
  /**
   * The names proxyless gRPC clients reach (`xds:///name.namespace:port`), each with its endpoints: in Kubernetes, the controller lists Services and their EndpointSlices here. When the list is given (even empty), it replaces the names every workload port otherwise gets (`xds:///<workload>.<namespace>:<port>`).
   *
   * @maxItems 65536
   */
  services?: Service[];
}
/**
 * This interface was referenced by `Inventory`'s JSON-Schema
 * via the `definition` "Proxy".
 */
export interface Proxy {
  node: NodeId;
  /**
   * `envoy` (default): an Envoy sidecar or node proxy; `kafka`: sluice's Kafka enforcer.
   */
  kind?: 'envoy' | 'kafka';
  /**
   * Envoy: the inbound listener for redirected traffic (default 15006).
   */
  inboundPort?: number;
  /**
   * Envoy: the outbound listener (default 15001).
   */
  outboundPort?: number;
  /**
   * Kafka enforcer: the port it listens on for redirected connections (default 15092).
   */
  listenPort?: number;
  /**
   * Envoy: where each request's access log entry goes. `flows` (the default): to sluice's flow collector over gRPC (sluice observe, /flows, the metrics, audit reports); `stdout`: also one JSON line per request on Envoy's stdout, for log shipping or a proxy run without sluice. [] for none (the flows then lack this proxy's requests).
   *
   * @maxItems 2
   */
  accessLog?: [] | ['flows' | 'stdout'] | ['flows' | 'stdout', 'flows' | 'stdout'];
  /**
   * With a node agent: the host whose own network namespace this proxy runs in (a node proxy or Kafka enforcer; in Kubernetes the node's name). A workload with a network namespace of its own (a Pod) reaches it at the host's address; absent: the proxy shares its workloads' network namespace (a sidecar) and is reached on loopback.
   */
  host?: string;
  /**
   * With eBPF redirection: while this proxy is not listening (stopped, restarting, booting), new connections to the ports its policies protect reach the workload unchecked instead of being dropped. Default false (fail closed). Trades enforcement for availability: /status and the metrics say so for every policy it carries.
   */
  failOpen?: boolean;
}
/**
 * This interface was referenced by `Inventory`'s JSON-Schema
 * via the `definition` "Workload".
 */
export interface Workload {
  name: string;
  namespace?: string;
  labels?: {
    [k: string]: string;
  };
  /**
   * The workload's IP addresses (IPv4 or IPv6).
   *
   * @minItems 1
   * @maxItems 64
   */
  addresses: [string, ...string[]];
  /**
   * @maxItems 256
   */
  ports?: WorkloadPort[];
  proxy: ProxyRef;
  /**
   * With a node agent: the host the workload runs on (in Kubernetes the Pod's node). The redirect entries that concern it are served to that host's node agent (node id `<host>.agent`), which programs them into the host's eBPF maps.
   */
  host?: string;
  /**
   * Kubernetes: the Pod's UID. It is the workload's identity for eBPF redirection: the node agent resolves it to the Pod's cgroup (both kubelet layouts), so every container of the Pod is this workload.
   */
  podUID?: string;
  /**
   * Kubernetes, a Pod fronted by its node's proxy (node mode): the path at which its node agent reported a link to the Pod's network namespace. The node proxy opens the Pod's inbound listener inside that namespace (network_namespace_filepath); absent, it has none there yet and the Pod's inbound rules are not enforced.
   */
  netnsLink?: string;
  /**
   * Kubernetes: the ids (without the runtime prefix) of this Pod's proxy containers (the injected sluice-proxy sidecar): the node agent registers their cgroups as proxy cgroups, so their connections are never redirected.
   *
   * @maxItems 16
   */
  proxyContainers?:
    | []
    | [string]
    | [string, string]
    | [string, string, string]
    | [string, string, string, string]
    | [string, string, string, string, string]
    | [string, string, string, string, string, string]
    | [string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string, string, string, string]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string
      ];
  /**
   * The workload's cgroup v2 path as /proc/PID/cgroup shows it (e.g. /system.slice/web.service). With eBPF redirection, connections opened by processes in it (or below it) are this workload's, whatever source address they bind; egress rules need it when a node fronts more than one workload with egress rules.
   */
  cgroup?: string;
}
/**
 * This interface was referenced by `Inventory`'s JSON-Schema
 * via the `definition` "WorkloadPort".
 */
export interface WorkloadPort {
  port: Port;
  protocol?: 'TCP';
  name?: string;
}
/**
 * This interface was referenced by `Inventory`'s JSON-Schema
 * via the `definition` "Service".
 */
export interface Service {
  name: string;
  namespace?: string;
  /**
   * @maxItems 256
   */
  ports: ServicePort[];
}
/**
 * This interface was referenced by `Inventory`'s JSON-Schema
 * via the `definition` "ServicePort".
 */
export interface ServicePort {
  /**
   * The port clients name (`xds:///name.namespace:<port>`).
   */
  port: number;
  /**
   * Where its connections go: the ready endpoints, each an address and the port it listens on.
   *
   * @maxItems 65536
   */
  endpoints: Endpoint[];
}
/**
 * This interface was referenced by `Inventory`'s JSON-Schema
 * via the `definition` "Endpoint".
 */
export interface Endpoint {
  address: string;
  port: Port;
}
