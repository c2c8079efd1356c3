/**
 * The flow record in TypeScript: the form the collector builds, the store keeps, the metrics, the
 * map and the reports read, and `-o json` / the JSON-lines exports print. It mirrors
 * `sluice.flow.v1alpha1.Flow` (proto/sluice/flow/v1alpha1/flow.proto) field for field; the enum
 * values are the proto's names in lower-case kebab form (`AUDIT_DENIED` ↔ `audit-denied`), time is
 * milliseconds since the epoch, durations milliseconds. `codec.ts` converts to and from the proto
 * (binary and its canonical JSON, `-o jsonpb`); test/flows/record.test.ts holds the two in
 * agreement, field by field and value by value.
 */

export const DIRECTIONS = ['unknown', 'ingress', 'egress'] as const;
export const PROTOCOLS = ['unknown', 'http', 'grpc', 'kafka', 'tcp'] as const;
export const VERDICTS = ['unknown', 'forwarded', 'denied', 'audit-denied'] as const;

export type Direction = (typeof DIRECTIONS)[number];
export type Protocol = (typeof PROTOCOLS)[number];
export type Verdict = (typeof VERDICTS)[number];

/** The proto enum value name of a TS enum value: `audit-denied` → `AUDIT_DENIED`, `unknown` → `VERDICT_UNKNOWN`. */
export function protoEnumName(prefix: 'DIRECTION' | 'PROTOCOL' | 'VERDICT', value: string): string {
  return value === 'unknown' ? `${prefix}_UNKNOWN` : value.toUpperCase().replace(/-/g, '_');
}

export interface FlowEndpoint {
  readonly address: string;
  readonly port: number;
  /** The workload's name, or '' when the address is no workload of the inventory. */
  readonly workload: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface HttpFields {
  readonly method: string;
  readonly path: string;
  readonly authority: string;
  /** 0: no response (the stream was reset). */
  readonly status: number;
  readonly version: string;
}

export interface GrpcFields {
  readonly service: string;
  readonly method: string;
  /** `OK`, `PERMISSION_DENIED`, ...; '' when no grpc-status was sent. */
  readonly status: string;
}

export interface KafkaFields {
  readonly api: string;
  readonly apiVersion: number;
  readonly topic: string;
  readonly group: string;
  readonly clientId: string;
}

export interface FlowRecord {
  /** Milliseconds since the epoch (fractional: Envoy reports microseconds). */
  readonly time: number;
  readonly node: string;
  readonly direction: Direction;
  readonly source: FlowEndpoint;
  readonly destination: FlowEndpoint;
  readonly protocol: Protocol;
  readonly http?: HttpFields;
  readonly grpc?: GrpcFields;
  readonly kafka?: KafkaFields;
  readonly verdict: Verdict;
  /** `namespace/name` of the deciding policy ('' when none covers the port). */
  readonly policy: string;
  /** The deciding rule's id ('' for a default deny or when no policy covers the port). */
  readonly rule: string;
  readonly reason: string;
  /** Milliseconds. */
  readonly durationMs: number;
  readonly bytesReceived: number;
  readonly bytesSent: number;
}

/** The workload key (`namespace/name`) of an endpoint, or '' when it is no workload's. */
export function workloadKey(e: FlowEndpoint): string {
  return e.workload ? `${e.namespace}/${e.workload}` : '';
}

/** The L7 summary of a flow in one line: `GET /v1/orders`, `shop.v1.Orders/Get`, `Produce invoices`. */
export function l7Summary(f: FlowRecord): string {
  if (f.http) return `${f.http.method} ${f.http.path}`;
  if (f.grpc) return `${f.grpc.service}/${f.grpc.method}`;
  if (f.kafka) return `${f.kafka.api} ${f.kafka.topic || f.kafka.group}`.trim();
  return '';
}

export const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});
