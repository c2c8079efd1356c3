/* Generated from policy-compiler/schema/l7policy.schema.json by scripts/gen-types.mjs (npm run gen). Do not edit. */

/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "LabelValue".
 */
export type LabelValue = string;
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "LabelKey".
 */
export type LabelKey = string;
/**
 * Exactly one of `selector` (workloads by label, with `namespaces`) or `ipBlock`.
 *
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "Peer".
 */
export type Peer = {
  selector?: LabelSelector1;
  /**
   * Namespaces the selector looks in (default: the policy's own). `*` means all.
   *
   * @minItems 1
   * @maxItems 64
   */
  namespaces?: [string, ...string[]];
  ipBlock?: IpBlock;
} & Peer1;
export type Peer1 = {
  [k: string]: unknown;
};
/**
 * A DNS name, or `*.` and a DNS name for every name below it.
 *
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "ServerNamePattern".
 */
export type ServerNamePattern = string;
/**
 * The proxy terminates TLS on these ports (on ingress, facing the remote client; on egress, facing the workload) with a certificate from a secret or issued by sluice's CA.
 */
export type TerminatingTls = {
  secret?: SecretRef;
  /**
   * The key holding the certificate chain (default `tls.crt`).
   */
  certificate?: string;
  /**
   * The key holding the private key (default `tls.key`).
   */
  privateKey?: string;
  /**
   * sluice's CA (`serve --ca-dir`) issues and renews a certificate for `serverNames`; clients must trust that CA.
   */
  issue?: true;
  clientCA?: SecretCa;
} & {
  [k: string]: unknown;
};
/**
 * Who may sign the destination's certificate.
 */
export type TrustedCa = {
  secret?: SecretRef1;
  /**
   * The key holding the CA certificates (default `ca.crt`).
   */
  key?: string;
  /**
   * The system trust bundle of the proxy's host.
   */
  system?: true;
} & {
  [k: string]: unknown;
};
/**
 * The request path, without the query string.
 */
export type StringMatch = {
  exact?: string;
  prefix?: string;
  suffix?: string;
  regex?: string;
  present?: true;
} & {
  [k: string]: unknown;
};
/**
 * The :authority (Host) header.
 */
export type StringMatch1 = {
  exact?: string;
  prefix?: string;
  suffix?: string;
  regex?: string;
  present?: true;
} & {
  [k: string]: unknown;
};
/**
 * A header `name` and exactly one of `exact`, `prefix`, `suffix`, `regex` or `present`.
 *
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "HeaderMatch".
 */
export type HeaderMatch = {
  name: string;
  exact?: string;
  prefix?: string;
  suffix?: string;
  regex?: string;
  present?: true;
} & HeaderMatch1;
export type HeaderMatch1 = {
  [k: string]: unknown;
};
/**
 * Exactly one of `exact` or `prefix`.
 *
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "NameMatch".
 */
export type NameMatch = {
  exact?: string;
  prefix?: string;
} & NameMatch1;
export type NameMatch1 = {
  [k: string]: unknown;
};
export type StringMatch2 = {
  [k: string]: unknown;
};
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "DnsLabel".
 */
export type DnsLabel = string;
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "DnsSubdomain".
 */
export type DnsSubdomain = string;
/**
 * A DNS name (no wildcard).
 *
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "ServerName".
 */
export type ServerName = string;
/**
 * A key of a secret (a file of its directory), as Kubernetes names them: `tls.crt`, `tls.key`, `ca.crt`, `token`.
 *
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "SecretKey".
 */
export type SecretKey = string;
export type TerminatingTls1 = {
  [k: string]: unknown;
};
export type TrustedCa1 = {
  [k: string]: unknown;
};

/**
 * An API-aware (L7) policy: which HTTP requests, gRPC methods and Kafka operations the selected workloads accept (ingress) or make (egress).
 */
export interface L7Policy {
  apiVersion: 'sluice.dev/v1alpha1';
  kind: 'L7Policy';
  metadata: ObjectMeta;
  spec: L7PolicySpec;
}
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "ObjectMeta".
 */
export interface ObjectMeta {
  /**
   * The policy's name, unique within its namespace.
   */
  name: string;
  /**
   * The policy's namespace (default: `default`). Selectors match workloads in this namespace.
   */
  namespace?: string;
  labels?: LabelMap;
  annotations?: StringMap;
}
/**
 * Label keys and values, as in Kubernetes.
 *
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "LabelMap".
 */
export interface LabelMap {
  [k: string]: LabelValue;
}
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "StringMap".
 */
export interface StringMap {
  [k: string]: string;
}
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "L7PolicySpec".
 */
export interface L7PolicySpec {
  /**
   * `enforce` (default) drops what the policy does not allow; `audit` only evaluates, logs and counts the would-be verdict.
   */
  mode?: 'enforce' | 'audit';
  selector: LabelSelector;
  /**
   * @maxItems 256
   */
  ingress?: IngressRule[];
  /**
   * @maxItems 256
   */
  egress?: EgressRule[];
}
/**
 * The workloads this policy protects, in the policy's namespace. `{}` selects every workload of the namespace.
 */
export interface LabelSelector {
  matchLabels?: LabelMap;
  /**
   * @maxItems 64
   */
  matchExpressions?: {
    key: LabelKey;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    /**
     * @maxItems 256
     */
    values?: LabelValue[];
  }[];
}
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "IngressRule".
 */
export interface IngressRule {
  /**
   * Who may connect. Absent: any peer.
   *
   * @minItems 1
   * @maxItems 256
   */
  from?: [Peer, ...Peer[]];
  /**
   * @minItems 1
   * @maxItems 64
   */
  toPorts: [PortRule, ...PortRule[]];
}
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "LabelSelector".
 */
export interface LabelSelector1 {
  matchLabels?: LabelMap;
  /**
   * @maxItems 64
   */
  matchExpressions?: {
    key: LabelKey;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    /**
     * @maxItems 256
     */
    values?: LabelValue[];
  }[];
}
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "IpBlock".
 */
export interface IpBlock {
  /**
   * An IPv4 or IPv6 CIDR, e.g. `10.1.0.0/16`.
   */
  cidr: string;
  /**
   * @maxItems 64
   */
  except?: string[];
}
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "PortRule".
 */
export interface PortRule {
  /**
   * @minItems 1
   * @maxItems 40
   */
  ports: [PortProtocol, ...PortProtocol[]];
  /**
   * SNI allow list: a TLS connection on these ports is handled by this rule only if its server name is one of these (`*.example.com` matches any name below example.com). Needs `terminatingTLS`: the HTTP rules apply to the decrypted requests, and requests whose :authority is not one of these names are refused.
   *
   * @minItems 1
   * @maxItems 64
   */
  serverNames?: [ServerNamePattern, ...ServerNamePattern[]];
  terminatingTLS?: TerminatingTls;
  originatingTLS?: OriginatingTls;
  /**
   * A header the proxy sets on every allowed request (after the rules decided), its value from a secret the workload never sees (Envoy's credential injector: one header per port rule).
   *
   * @minItems 1
   * @maxItems 1
   */
  injectHeaders?: [InjectedHeader];
  rules?: L7Rules;
  deny?: L7Rules1;
}
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "PortProtocol".
 */
export interface PortProtocol {
  /**
   * A port number (1–65535) or the name of a workload port.
   */
  port: number | string;
  /**
   * Only TCP carries L7 traffic (default TCP).
   */
  protocol?: 'TCP';
}
/**
 * The secret holding the certificate chain (leaf first) and its private key. A `ca.crt` in it is ignored: client certificates are required only by `clientCA`.
 */
export interface SecretRef {
  /**
   * A secret in the policy's namespace (standalone: the directory `<namespace>/<name>` under `serve --secrets`; in Kubernetes, a Secret). Policies never hold secret values.
   */
  name: string;
}
/**
 * Require a client certificate issued by this CA (mutual TLS); without it, no client certificate is asked for.
 */
export interface SecretCa {
  secret: SecretRef1;
  /**
   * The key holding the CA certificates (default `ca.crt`).
   */
  key?: string;
}
/**
 * A secret of the policy's own namespace, by name.
 *
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "SecretRef".
 */
export interface SecretRef1 {
  /**
   * A secret in the policy's namespace (standalone: the directory `<namespace>/<name>` under `serve --secrets`; in Kubernetes, a Secret). Policies never hold secret values.
   */
  name: string;
}
/**
 * The proxy originates TLS to the destination (on egress, the remote service; on ingress, the workload), verifying its certificate, optionally with a client certificate (mutual TLS). The workload may speak plain HTTP.
 */
export interface OriginatingTls {
  trustedCA: TrustedCa;
  /**
   * The SNI sent, and the name the certificate must carry. Default: the request's :authority (without its port), which `serverNames` constrains when set.
   */
  serverName?: string;
  /**
   * DNS names the destination's certificate must carry one of (default: the server name).
   *
   * @maxItems 32
   */
  subjectAltNames?: ServerNamePattern[];
  clientCertificate?: ClientCertificate;
  /**
   * Connect to this port of the destination instead of the one the workload connected to (e.g. 443 for a workload that calls http://host:80).
   */
  port?: number;
}
/**
 * Present this certificate to the destination (mutual TLS).
 */
export interface ClientCertificate {
  secret: SecretRef1;
  /**
   * Default `tls.crt`.
   */
  certificate?: string;
  /**
   * Default `tls.key`.
   */
  privateKey?: string;
}
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "InjectedHeader".
 */
export interface InjectedHeader {
  /**
   * The header, e.g. `Authorization`.
   */
  name: string;
  secret: SecretRef1;
  /**
   * The key whose value is the credential (one trailing newline is dropped).
   */
  key: string;
  /**
   * Written before the secret's value, e.g. `Bearer `.
   */
  prefix?: string;
  /**
   * `mismatch` (default): the header is set to the secret's value whenever the request lacks it or carries another value. `absent`: set only when the request has no such header (a value the client sent is kept).
   */
  when?: 'mismatch' | 'absent';
}
/**
 * What is allowed. Absent: every request on these ports is allowed from the rule's peers.
 */
export interface L7Rules {
  /**
   * @maxItems 1024
   */
  http?: HttpRule[];
  /**
   * @maxItems 1024
   */
  grpc?: GrpcRule[];
  /**
   * @maxItems 1024
   */
  kafka?: KafkaRule[];
}
/**
 * Matches a request when every field set matches (fields are AND-ed; an empty rule matches every request).
 *
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "HttpRule".
 */
export interface HttpRule {
  /**
   * An HTTP method, e.g. GET.
   */
  method?: string;
  path?: StringMatch;
  host?: StringMatch1;
  /**
   * @maxItems 64
   */
  headers?: HeaderMatch[];
}
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "GrpcRule".
 */
export interface GrpcRule {
  /**
   * The fully qualified gRPC service, e.g. shop.v1.Orders.
   */
  service: string;
  /**
   * Method names; absent or `*` means every method of the service.
   *
   * @minItems 1
   * @maxItems 256
   */
  methods?: [string, ...string[]];
  /**
   * Request metadata that must match.
   *
   * @maxItems 64
   */
  headers?: HeaderMatch[];
}
/**
 * Matches a Kafka request when every field set matches.
 *
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "KafkaRule".
 */
export interface KafkaRule {
  /**
   * A bundle of API keys: the complete set a client of that kind needs.
   */
  role?: 'produce' | 'consume' | 'describe' | 'admin';
  /**
   * Kafka API names (e.g. Produce, Metadata).
   *
   * @minItems 1
   * @maxItems 128
   */
  apiKeys?: [string, ...string[]];
  apiVersion?: VersionRange;
  clientID?: NameMatch;
  topic?: NameMatch;
  group?: NameMatch;
  transactionalID?: NameMatch;
}
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "VersionRange".
 */
export interface VersionRange {
  min?: number;
  max?: number;
}
/**
 * What is denied even if allowed. Deny rules are evaluated first and win.
 */
export interface L7Rules1 {
  /**
   * @maxItems 1024
   */
  http?: HttpRule[];
  /**
   * @maxItems 1024
   */
  grpc?: GrpcRule[];
  /**
   * @maxItems 1024
   */
  kafka?: KafkaRule[];
}
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "EgressRule".
 */
export interface EgressRule {
  /**
   * Where the selected workloads may connect. Absent: any destination.
   *
   * @minItems 1
   * @maxItems 256
   */
  to?: [Peer, ...Peer[]];
  /**
   * @minItems 1
   * @maxItems 64
   */
  toPorts: [PortRule, ...PortRule[]];
}
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "L7Rules".
 */
export interface L7Rules2 {
  /**
   * @maxItems 1024
   */
  http?: HttpRule[];
  /**
   * @maxItems 1024
   */
  grpc?: GrpcRule[];
  /**
   * @maxItems 1024
   */
  kafka?: KafkaRule[];
}
export interface StringMatch3 {
  exact?: string;
  prefix?: string;
  suffix?: string;
  regex?: string;
  present?: true;
}
export interface TerminatingTls2 {
  secret?: SecretRef;
  /**
   * The key holding the certificate chain (default `tls.crt`).
   */
  certificate?: string;
  /**
   * The key holding the private key (default `tls.key`).
   */
  privateKey?: string;
  /**
   * sluice's CA (`serve --ca-dir`) issues and renews a certificate for `serverNames`; clients must trust that CA.
   */
  issue?: true;
  clientCA?: SecretCa;
}
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "SecretCa".
 */
export interface SecretCa1 {
  secret: SecretRef1;
  /**
   * The key holding the CA certificates (default `ca.crt`).
   */
  key?: string;
}
export interface TrustedCa2 {
  secret?: SecretRef1;
  /**
   * The key holding the CA certificates (default `ca.crt`).
   */
  key?: string;
  /**
   * The system trust bundle of the proxy's host.
   */
  system?: true;
}
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "OriginatingTls".
 */
export interface OriginatingTls1 {
  trustedCA: TrustedCa;
  /**
   * The SNI sent, and the name the certificate must carry. Default: the request's :authority (without its port), which `serverNames` constrains when set.
   */
  serverName?: string;
  /**
   * DNS names the destination's certificate must carry one of (default: the server name).
   *
   * @maxItems 32
   */
  subjectAltNames?: ServerNamePattern[];
  clientCertificate?: ClientCertificate;
  /**
   * Connect to this port of the destination instead of the one the workload connected to (e.g. 443 for a workload that calls http://host:80).
   */
  port?: number;
}
/**
 * This interface was referenced by `L7Policy`'s JSON-Schema
 * via the `definition` "ClientCertificate".
 */
export interface ClientCertificate1 {
  secret: SecretRef1;
  /**
   * Default `tls.crt`.
   */
  certificate?: string;
  /**
   * Default `tls.key`.
   */
  privateKey?: string;
}
