/**
 * The IR: proxy-centric and free of policy syntax. Per proxy it says which listeners exist, which
 * filter chains they hold (matched by port and address), and which compiled rules each chain
 * enforces or audits. Every rule keeps the id of the policy rule it came from.
 */
import type { Cidr } from '../../ip/index.js';
import type { AccessLogSink, HeaderCondition, KafkaRule, Mode, PolicyKey, RuleId, StringMatcher } from '../model/types.js';
import type { RedirectEntry } from './redirect.js';

/** Addresses a rule applies to: the client (ingress) or the destination (egress). */
export type AddressMatch =
  | { readonly kind: 'any' }
  /** One or more ranges, each minus its exceptions; an empty list matches nothing. */
  | { readonly kind: 'ranges'; readonly ranges: readonly { readonly cidr: Cidr; readonly except: readonly Cidr[] }[] };

export type RequestMatch =
  | { readonly kind: 'any' }
  | {
      readonly kind: 'http';
      readonly method?: string;
      readonly path?: StringMatcher;
      readonly host?: StringMatcher;
      readonly headers: readonly HeaderCondition[];
    }
  | { readonly kind: 'grpc'; readonly service: string; readonly methods: readonly string[] | 'all'; readonly headers: readonly HeaderCondition[] };

export interface CompiledRule {
  /** The policy rule this came from (an L7 rule, or a port rule that allows everything). */
  readonly id: RuleId;
  readonly policy: PolicyKey;
  readonly peers: AddressMatch;
  readonly request: RequestMatch;
}

export interface RuleSet {
  readonly deny: readonly CompiledRule[];
  readonly allow: readonly CompiledRule[];
}

/**
 * What a chain decides. `enforce` is present when at least one enforcing policy covers the chain
 * (then whatever it does not allow is denied). `audit` is present when an audit-mode policy covers
 * it: the would-be rule set if the audit policies were enforced too (enforce ∪ audit rules),
 * evaluated as shadow rules whose verdict is only logged and counted.
 */
export interface Authz {
  readonly enforce?: RuleSet;
  readonly audit?: RuleSet;
}

export type TrafficDirection = 'inbound' | 'outbound';

export interface HttpChain {
  /** `inbound|8080|shop/orders`, `outbound|443|shop/web`: unique within a node. */
  readonly name: string;
  readonly direction: TrafficDirection;
  readonly port: number;
  /** Inbound: the protected workload's addresses (filter chain `prefix_ranges`). */
  readonly destinations: readonly Cidr[];
  /** Outbound: the selected source workload's addresses (`source_prefix_ranges`). */
  readonly sources: readonly Cidr[];
  readonly workload: string;
  /** Outbound: the workload's cgroup v2 path, when the inventory names it (its connections' identity). */
  readonly cgroup?: string;
  /** Outbound: its Pod's UID, when the inventory names it (Kubernetes: the identity the node agent resolves to the Pod's cgroup). */
  readonly podUid?: string;
  /** The policies whose rules are in this chain, with their modes. */
  readonly policies: readonly { readonly key: PolicyKey; readonly mode: Mode }[];
  readonly authz: Authz;
  /** TLS and the injected credential; every secret by its SDS name (the node's `secrets` hold the values). */
  readonly tls?: ChainTls;
}

export interface ChainTls {
  /** The SNI allow list the filter chain matches (empty: any server name, or none). */
  readonly serverNames: readonly string[];
  readonly terminate?: { readonly certificate: string; readonly clientCa?: string };
  readonly originate?: {
    readonly trust: string;
    /** The SNI sent and the name verified; absent: the request's :authority (Envoy's auto SNI and SAN validation). */
    readonly serverName?: string;
    /** The names the peer's certificate must carry one of (empty: the server name). */
    readonly subjectAltNames: readonly string[];
    readonly clientCertificate?: string;
    readonly port?: number;
  };
  readonly inject?: { readonly header: string; readonly credential: string; readonly overwrite: boolean };
  /** A secret the chain needs is not available: it refuses its connections (fail closed), and says why. */
  readonly unavailable?: string;
  /** With `unavailable`: the rule id of the field that named it (`shop/orders-tls#spec.ingress[0].toPorts[1].terminatingTLS.clientCA`), the rule of its connections' flows. */
  readonly unavailableRule?: string;
}

/** A secret served to a node over SDS, with its value (golden files and `--show ir` redact it). */
export type IrSecret =
  | { readonly name: string; readonly kind: 'certificate'; readonly certificateChain: string; readonly privateKey: string }
  | { readonly name: string; readonly kind: 'trust'; readonly trustedCa: string }
  /** The trust bundle of the proxy's host. */
  | { readonly name: string; readonly kind: 'system-trust' }
  | { readonly name: string; readonly kind: 'credential'; readonly value: string };

export interface EnvoyNode {
  readonly node: string;
  readonly inboundPort: number;
  readonly outboundPort: number;
  /** New connections to protected ports reach the workload while the proxy is not listening. */
  readonly failOpen: boolean;
  /** Where its chains' access log entries go: the flow collector, Envoy's stdout (both, one, none). */
  readonly accessLog: readonly AccessLogSink[];
  /** A workload it fronts has an IPv6 address: its listeners bind `::` too (a host without IPv6 could not). */
  readonly ipv6: boolean;
  readonly inbound: readonly HttpChain[];
  readonly outbound: readonly HttpChain[];
  /** The secrets its chains name, by name (absent: none); no node is served a secret it does not name. */
  readonly secrets?: readonly IrSecret[];
  /**
   * A node proxy's node-mode Pods with inbound chains (absent: none), by workload. A Pod has a
   * network namespace of its own, where its inbound connections are looked up: the node proxy
   * serves them from a listener of its own inside that namespace, not from `inboundPort`.
   */
  readonly pods?: readonly PodInbound[];
}

/** A node-mode Pod whose inbound chains its node proxy serves from a listener inside the Pod's network namespace. */
export interface PodInbound {
  /** `namespace/name`. */
  readonly workload: string;
  readonly podUid: string;
  /** The Pod's own port on its node (lower/node-pod-ports.ts); absent: the range is exhausted and its inbound is not steered. */
  readonly port?: number;
  /** The node agent's link to the Pod's network namespace (the inventory's `netnsLink`); absent: not reported yet, so no listener. */
  readonly netnsPath?: string;
  /** It has an IPv6 address: its listener binds `::` too. */
  readonly ipv6: boolean;
}

/** A proxyless gRPC server port: its Listener is built on demand for the address it binds. */
export interface ProxylessServer {
  readonly workload: string;
  readonly addresses: readonly string[];
  readonly port: number;
  readonly policies: readonly { readonly key: PolicyKey; readonly mode: Mode }[];
  readonly authz: Authz;
}

/** A workload port that proxyless gRPC clients reach through `xds:///name.namespace:port`. */
export interface Service {
  /** `orders.shop:8080`: the xDS listener name clients ask for. */
  readonly target: string;
  /** The key of the workload it reaches, or of the inventory's service (a Kubernetes Service). */
  readonly workload: string;
  readonly port: number;
  readonly endpoints: readonly { readonly address: string; readonly port: number }[];
}

export interface KafkaCompiledRule {
  readonly id: RuleId;
  readonly policy: PolicyKey;
  readonly peers: AddressMatch;
  /** `undefined`: the port rule allows every Kafka request from the peers. */
  readonly rule?: KafkaRule;
}

/** A Kafka port of a workload, enforced by a Kafka enforcer node. */
export interface KafkaChain {
  readonly name: string;
  readonly direction: TrafficDirection;
  readonly port: number;
  readonly workload: string;
  readonly addresses: readonly string[];
  /** Outbound: the workload's cgroup v2 path, when the inventory names it. */
  readonly cgroup?: string;
  /** Outbound: its Pod's UID, when the inventory names it. */
  readonly podUid?: string;
  readonly policies: readonly { readonly key: PolicyKey; readonly mode: Mode }[];
  readonly enforce?: { readonly deny: readonly KafkaCompiledRule[]; readonly allow: readonly KafkaCompiledRule[] };
  readonly audit?: { readonly deny: readonly KafkaCompiledRule[]; readonly allow: readonly KafkaCompiledRule[] };
}

export interface KafkaNode {
  readonly node: string;
  readonly listenPort: number;
  readonly failOpen: boolean;
  readonly chains: readonly KafkaChain[];
}

export interface Ir {
  readonly envoyNodes: readonly EnvoyNode[];
  readonly proxyless: readonly ProxylessServer[];
  readonly services: readonly Service[];
  readonly kafkaNodes: readonly KafkaNode[];
  readonly redirects: readonly RedirectEntry[];
  /** Where workloads and proxies run, for the node agents (absent: the inventory names no host). */
  readonly placement?: Placement;
}

/** With node agents: the host of each workload and proxy the inventory places (nothing else). */
export interface Placement {
  readonly workloads: readonly WorkloadPlacement[];
  /** Proxies that run in a host's own network namespace (node proxies, Kafka enforcers), by node id. */
  readonly proxies: readonly { readonly node: string; readonly host: string }[];
}

export interface WorkloadPlacement {
  /** `namespace/name`. */
  readonly workload: string;
  readonly host: string;
  /** Kubernetes: the Pod's UID; such a workload has a network namespace of its own. */
  readonly podUid?: string;
  readonly proxyContainers?: readonly string[];
}
