/**
 * What the server tells the runtime: per node, its streams and, per type, what was subscribed,
 * sent, ACKed and NACKed; and the events (connect, disconnect, request, ack, resume, nack, response) it
 * can subscribe to. Plain data; times are milliseconds from the injected clock.
 */
import type { ShortName, TypeUrl } from './type-urls.js';
import type { JsonValue } from './node-metadata.js';
import type { NodeInfo } from './wire.js';

/** Which service a stream came in on: ADS, Delta ADS (`DeltaAggregatedResources`), or one per-type SotW service. */
/** The service a stream came on: aggregated (SotW `ADS`, `DELTA_ADS`) or one type's own (SotW `LDS`…, Delta `DELTA_LDS`…). */
export type Transport = 'ADS' | 'DELTA_ADS' | ShortName | `DELTA_${ShortName}`;

/** The xDS variant a stream speaks: state of the world or incremental (Delta). */
export type XdsApi = 'sotw' | 'delta';

export interface SentStatus {
  /** SotW: the response's `version_info`; Delta: `system_version_info`, the version of the whole set the client then holds. */
  readonly version: string;
  readonly nonce: string;
  readonly at: number;
  /** How many resources the response carried (partial types may carry only the changed ones). */
  readonly count: number;
  /** Delta: how many names it listed in `removed_resources`. */
  readonly removed?: number;
}

export interface AckStatus {
  readonly version: string;
  /** The response's nonce ('' for a resume: nothing was sent on that stream). */
  readonly nonce: string;
  readonly at: number;
  readonly streamId: number;
  /** name → version of every resource the client holds at that version. */
  readonly resources: Readonly<Record<string, string>>;
  /**
   * Set when no response was sent: the client reconnected stating (`version_info`) that it
   * already holds exactly this set, so the server resumed the stream at that version.
   */
  readonly resumed?: boolean;
}

export interface NackStatus {
  /** The version the client rejected (what we sent with that nonce). */
  readonly rejectedVersion: string;
  /** The `version_info` the NACK carried: the last version the client accepted ('' if none). */
  readonly acceptedVersion: string;
  readonly nonce: string;
  /** `error_detail.code` and `.message` as the client sent them. */
  readonly code: number;
  readonly message: string;
  readonly at: number;
  readonly streamId: number;
  /** Delta: name → version of each resource the rejected response carried (the client keeps its earlier ones). */
  readonly resources?: Readonly<Record<string, string>>;
}

export interface SubscriptionStatus {
  /** Explicit `*`, or legacy wildcard (empty names on a stream that never named any). */
  readonly wildcard: boolean;
  readonly names: readonly string[];
}

/** One type on one stream. */
export interface StreamTypeStatus {
  readonly typeUrl: TypeUrl;
  readonly type: ShortName;
  readonly subscription: SubscriptionStatus;
  readonly lastSent: SentStatus | undefined;
  readonly lastAcked: AckStatus | undefined;
  readonly lastNack: NackStatus | undefined;
  /** Delta: name → version the client NACKed (not sent again at that version). */
  readonly rejected?: Readonly<Record<string, string>>;
  /** A response is waiting for the stream to drain (backpressure). */
  readonly pending: boolean;
}

export interface StreamStatus {
  readonly id: number;
  readonly peer: string;
  readonly transport: Transport;
  readonly api: XdsApi;
  readonly connectedAt: number;
  readonly types: readonly StreamTypeStatus[];
}

/** One type for one node, across its streams (kept after they disconnect). */
export interface NodeTypeStatus {
  readonly typeUrl: TypeUrl;
  readonly type: ShortName;
  readonly lastAck: AckStatus | undefined;
  readonly lastNack: NackStatus | undefined;
}

export interface NodeStatus {
  readonly nodeId: string;
  /** The node as its latest stream described it. */
  readonly node: NodeInfo;
  readonly connected: boolean;
  readonly streams: readonly StreamStatus[];
  readonly types: readonly NodeTypeStatus[];
}

interface EventBase {
  readonly at: number;
  readonly streamId: number;
  readonly nodeId: string;
}

/** What the runtime can subscribe to with `XdsServer.on`. */
export type XdsEvent =
  | (EventBase & { readonly kind: 'connect'; readonly peer: string; readonly transport: Transport; readonly api: XdsApi })
  | (EventBase & { readonly kind: 'disconnect'; readonly peer: string; readonly reason: string })
  | (EventBase & { readonly kind: 'request'; readonly type: ShortName; readonly names: readonly string[]; readonly versionInfo: string; readonly nonce: string })
  | (EventBase & { readonly kind: 'ack'; readonly type: ShortName; readonly ack: AckStatus })
  /** A reconnecting client holds exactly what it would be sent: nothing is sent, `ack` is recorded as `lastAck`. */
  | (EventBase & { readonly kind: 'resume'; readonly type: ShortName; readonly ack: AckStatus })
  | (EventBase & { readonly kind: 'nack'; readonly type: ShortName; readonly nack: NackStatus })
  /** A later request restated the node with other `sluice.dev/` metadata (`node.metadata` is then that). */
  | (EventBase & { readonly kind: 'metadata'; readonly metadata: Readonly<Record<string, JsonValue>> })
  | (EventBase & {
      readonly kind: 'response';
      readonly type: ShortName;
      readonly version: string;
      readonly nonce: string;
      readonly names: readonly string[];
      /** Delta: the names listed in `removed_resources`. */
      readonly removed?: readonly string[];
      readonly bytes: number;
    });

export type XdsEventListener = (event: XdsEvent) => void;
