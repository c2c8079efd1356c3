/** What enforcement decides for one request frame, and what it needs to know to decide. */
import type { KafkaPolicy } from '../policy/resource.js';
import type { UnitKind, Verdict } from '../policy/evaluate.js';
import type { TopicIds } from '../policy/topic-ids.js';

/** Rewrites a broker address advertised in a response (fixed-upstream mode); undefined keeps it. */
export type BrokerRewriter = (nodeId: number, host: string, port: number) => { host: string; port: number } | Promise<{ host: string; port: number }>;

export interface EnforceEnv {
  /** The policy covering this connection's upstream; undefined when none does (everything passes). */
  readonly policy: KafkaPolicy | undefined;
  /** The client's address. */
  readonly peer: string;
  /** Fixed-upstream mode: where clients must be told brokers are. Transparent mode: undefined. */
  readonly rewriteBroker?: BrokerRewriter;
  /**
   * True when the rules changed since this connection's last full Fetch: an incremental fetch
   * session may then hold topics the new rules deny, so it is reset (FETCH_SESSION_ID_NOT_FOUND).
   */
  readonly fetchSessionStale?: boolean;
  /** Topic ids learned from Metadata answers; without it, requests naming topics by id are denied. */
  readonly topicIds?: TopicIds;
  /** Decisions made later, while a response is filtered (topics of an all-topics Metadata). */
  readonly late?: (decision: FlowDecision) => void;
}

/** Turns the upstream's response payload (after the size prefix) into the frame sent to the client. */
export type ResponseTransform = (payload: Buffer) => Buffer | Promise<Buffer>;

export type Plan =
  /** Send `frame` upstream; the response (if any) goes through `transform` (or unchanged). */
  | { readonly kind: 'forward'; readonly frame: Buffer; readonly expectResponse: boolean; readonly transform?: ResponseTransform; readonly rewritten: boolean }
  /** Answer the client with `response` (a whole frame), in order behind earlier responses. */
  | { readonly kind: 'respond'; readonly response: Buffer }
  /** Close the connection (acks=0 denials, what cannot be answered). */
  | { readonly kind: 'close'; readonly reason: string };

/** One decision on one unit of a request, for the flow log and metrics. */
export interface FlowDecision {
  readonly kind: UnitKind;
  readonly name: string;
  readonly verdict: Verdict;
}

export interface Enforcement {
  readonly plan: Plan;
  readonly decisions: readonly FlowDecision[];
  /** Whether this was a full (non-incremental) Fetch, which resets fetch-session staleness. */
  readonly fullFetch?: boolean;
}

/** Kafka error codes the proxy sends (`clients/.../protocol/Errors.java`). */
export const ERR = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  UNSUPPORTED_VERSION: 35,
  INVALID_REQUEST: 42,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  FETCH_SESSION_ID_NOT_FOUND: 70,
  UNKNOWN_TOPIC_ID: 100,
} as const;
