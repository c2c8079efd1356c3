/**
 * The validated model: what a policy means, after every check passed. Readonly, normalized
 * (defaults applied, matchers as discriminated unions, CIDRs canonical), free of YAML and of
 * Kubernetes types. Every rule carries an id that is also its source path, so a verdict in a log
 * leads back to the line that caused it.
 */
import type { Cidr } from '../../ip/index.js';

export type Mode = 'enforce' | 'audit';

/** `namespace/name`. */
export type PolicyKey = string;

/** `namespace/name#spec.ingress[0].toPorts[1].rules.http[2]`: a rule's identity and source path. */
export type RuleId = string;

export type StringMatcher =
  | { readonly kind: 'exact'; readonly value: string }
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'suffix'; readonly value: string }
  | { readonly kind: 'regex'; readonly value: string }
  | { readonly kind: 'present' };

export type NameMatcher = { readonly kind: 'exact'; readonly value: string } | { readonly kind: 'prefix'; readonly value: string };

export interface HeaderCondition {
  /** Lower-case, as HTTP/2 and Envoy see header names. */
  readonly name: string;
  readonly match: StringMatcher;
}

export interface HttpRule {
  readonly kind: 'http';
  readonly id: RuleId;
  readonly method?: string;
  readonly path?: StringMatcher;
  readonly host?: StringMatcher;
  readonly headers: readonly HeaderCondition[];
}

export interface GrpcRule {
  readonly kind: 'grpc';
  readonly id: RuleId;
  readonly service: string;
  /** Method names, or `all` for every method of the service. */
  readonly methods: readonly string[] | 'all';
  readonly headers: readonly HeaderCondition[];
}

export interface KafkaRule {
  readonly kind: 'kafka';
  readonly id: RuleId;
  readonly role?: string;
  /** Kafka API names as written (validated against the Kafka API table). */
  readonly apiKeys?: readonly string[];
  readonly apiVersion?: { readonly min?: number; readonly max?: number };
  readonly clientID?: NameMatcher;
  readonly topic?: NameMatcher;
  readonly group?: NameMatcher;
  readonly transactionalID?: NameMatcher;
}

export type L7Rule = HttpRule | GrpcRule | KafkaRule;

/** The application protocol a port rule speaks, derived from its rules. */
export type PortProtocol = 'http' | 'kafka';

export interface LabelSelector {
  readonly matchLabels: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly {
    readonly key: string;
    readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    readonly values: readonly string[];
  }[];
}

export type Peer =
  | { readonly kind: 'selector'; readonly selector: LabelSelector; readonly namespaces: readonly string[] | 'all' }
  | { readonly kind: 'cidr'; readonly cidr: Cidr; readonly except: readonly Cidr[] };

export type PortRef = { readonly kind: 'number'; readonly port: number } | { readonly kind: 'name'; readonly name: string };

export interface PortRule {
  /** `namespace/name#spec.ingress[0].toPorts[1]`. */
  readonly id: RuleId;
  readonly ports: readonly PortRef[];
  readonly protocol: PortProtocol;
  /** What is allowed; `all` when the port rule has no `rules` (every request from the peers). */
  readonly allow: readonly L7Rule[] | 'all';
  readonly deny: readonly L7Rule[];
  /** TLS termination, origination, the SNI allow list and injected credentials (docs/tls.md); absent: plain traffic. */
  readonly tls?: PortTls;
}

/** A key of a secret of the policy's namespace: `{ secret: 'shop/api-token', key: 'token' }`. */
export interface SecretKeyRef {
  /** `namespace/name`. */
  readonly secret: string;
  readonly key: string;
}

/** A certificate chain and its private key, two keys of one secret. */
export interface CertificateRef {
  readonly secret: string;
  readonly certificate: string;
  readonly privateKey: string;
}

export type TrustRef = { readonly kind: 'secret'; readonly ref: SecretKeyRef } | { readonly kind: 'system' };

export interface PortTls {
  /** The SNI allow list, lower-case, sorted, each once; empty: any server name (or none). */
  readonly serverNames: readonly string[];
  readonly terminate?: {
    /** From a secret, or issued by sluice's CA for `serverNames`. */
    readonly certificate: ({ readonly kind: 'secret' } & CertificateRef) | { readonly kind: 'issued' };
    /** Client certificates are required and must chain to this CA. */
    readonly clientCa?: SecretKeyRef;
  };
  readonly originate?: {
    readonly trust: TrustRef;
    /** The SNI sent; absent: the request's :authority. */
    readonly serverName?: string;
    /** Names the peer certificate must carry one of; empty: the server name. */
    readonly subjectAltNames: readonly string[];
    readonly clientCertificate?: CertificateRef;
    readonly port?: number;
  };
  readonly inject?: {
    /** Lower-case. */
    readonly header: string;
    readonly credential: SecretKeyRef;
    readonly prefix: string;
    /** `mismatch`: set whenever the value differs or is missing; `absent`: only when missing. */
    readonly when: 'mismatch' | 'absent';
  };
}

export interface TrafficRule {
  readonly direction: 'ingress' | 'egress';
  /** `namespace/name#spec.ingress[0]`. */
  readonly id: RuleId;
  /** `from` (ingress) or `to` (egress); `any` when absent. */
  readonly peers: readonly Peer[] | 'any';
  readonly ports: readonly PortRule[];
}

export interface Policy {
  readonly key: PolicyKey;
  readonly name: string;
  readonly namespace: string;
  readonly mode: Mode;
  readonly selector: LabelSelector;
  readonly rules: readonly TrafficRule[];
  /** Where the policy came from, for diagnostics and status. */
  readonly source: { readonly file: string; readonly document: number };
}

export type ProxyRef =
  | { readonly kind: 'envoy'; readonly node: string; readonly kafkaNode?: string }
  | { readonly kind: 'grpc-proxyless' };

export interface WorkloadPort {
  readonly port: number;
  readonly name?: string;
}

export interface Workload {
  /** `namespace/name`. */
  readonly key: string;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Canonical IP addresses. */
  readonly addresses: readonly string[];
  readonly ports: readonly WorkloadPort[];
  readonly proxy: ProxyRef;
  /** The cgroup v2 path of its processes (as /proc/PID/cgroup names it), when the inventory says. */
  readonly cgroup?: string;
  /** With a node agent: the host it runs on, whose agent programs its redirects. */
  readonly host?: string;
  /** Kubernetes: its Pod's UID (its identity for redirection; the agent finds the Pod's cgroup). */
  readonly podUid?: string;
  /** Kubernetes: the ids of its Pod's own proxy containers (never redirected). */
  readonly proxyContainers?: readonly string[];
  /** Kubernetes, a node-mode Pod: its agent's link to the Pod's network namespace, where the node proxy opens the Pod's inbound listener. */
  readonly netnsLink?: string;
}

export interface ProxyNode {
  readonly node: string;
  readonly kind: 'envoy' | 'kafka';
  readonly inboundPort: number;
  readonly outboundPort: number;
  readonly listenPort: number;
  /** With eBPF redirection: deliver to the workload while the proxy is not listening (default false). */
  readonly failOpen: boolean;
  /** Envoy: where each request's access log entry goes (default: the flow collector only). */
  readonly accessLog: readonly AccessLogSink[];
  /** The host whose own network namespace it runs in (a node proxy); absent: its workloads' namespace. */
  readonly host?: string;
}

/** `flows`: Envoy's gRPC access logger to sluice's flow collector; `stdout`: a JSON line per request on Envoy's stdout. */
export type AccessLogSink = 'flows' | 'stdout';

export const DEFAULT_ACCESS_LOG: readonly AccessLogSink[] = Object.freeze(['flows']);

/** A name proxyless gRPC clients reach (`xds:///name.namespace:port`) and where it leads (a Kubernetes Service and its EndpointSlices). */
export interface InventoryService {
  /** `namespace/name`. */
  readonly key: string;
  readonly name: string;
  readonly namespace: string;
  readonly ports: readonly { readonly port: number; readonly endpoints: readonly { readonly address: string; readonly port: number }[] }[];
}

export interface Inventory {
  readonly workloads: readonly Workload[];
  /** When given, the names proxyless clients reach instead of one per workload port. */
  readonly services?: readonly InventoryService[];
  /** Every proxy node: those the inventory lists and those workloads name (with defaults). */
  readonly proxies: ReadonlyMap<string, ProxyNode>;
}

export const DEFAULT_PORTS = { inbound: 15006, outbound: 15001, kafka: 15092 } as const;
