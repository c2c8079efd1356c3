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
