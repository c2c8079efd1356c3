/**
 * The seam between the one stream state machine (stream.ts) and the two xDS variants: SotW
 * (sotw.ts) and Delta (delta.ts). The core owns everything the protocols share — the node, ACK and
 * NACK bookkeeping and status, push order, warming state, backpressure, the shared body cache,
 * metrics and events — and asks its protocol only how requests read and responses are made.
 */
import type { BaseRequest } from './admit.js';
import type { ResponseBody } from './proto-wire.js';
import type { Resource } from './snapshot.js';
import type { AckStatus, NackStatus, SentStatus, Transport, XdsApi } from './status.js';
import type { Mode } from './respond.js';
import type { Subscription } from './subscription.js';
import type { ResourceTypeInfo, TypeUrl } from './type-urls.js';
import type { ResourceSet } from './view.js';

export type Pending = 'none' | Mode;

/** A response as sent: its status, and the per-resource versions the client holds once it applies it. */
export interface Sent extends SentStatus {
  /** The nonce's counter in the shared body cache: increases with every response of the type on the stream. */
  readonly seq: number;
  readonly versions: ReadonlyMap<string, string>;
  /** What the client held before this response (what it keeps if it NACKs it). */
  readonly before: ReadonlyMap<string, string> | undefined;
  /** The resources this response carried (the protocol's own array: no copy per response). */
  readonly carried: readonly Pick<Resource, 'name' | 'version'>[];
}

/** One type on one stream: the state both protocols keep. */
export interface TypeState {
  readonly info: ResourceTypeInfo;
  readonly sub: Subscription;
  lastSent: Sent | undefined;
  /** name → version of what the client holds (or will, once it applies our last response); `undefined`: unknown. */
  held: ReadonlyMap<string, string> | undefined;
  /** SotW: the version of the held set (its `version_info`). */
  heldVersion: string | undefined;
  /** name → version the client NACKed (Delta: never sent again at that version). */
  rejected: ReadonlyMap<string, string>;
  /** SotW: the version the first request said the client holds (see respond.ts); until the next request. */
  claim: string | undefined;
  lastAcked: AckStatus | undefined;
  lastNack: NackStatus | undefined;
  /** SotW: answer the next EDS request even if nothing changed (a CDS response re-created clusters). */
  warm: boolean;
  /** Delta: answer even with nothing to send (a fresh wildcard subscription waits for a first response). */
  answerEmpty: boolean;
  /** Delta: explicitly subscribed names reported in `removed_resources` as not existing (not reported again until re-subscribed). */
  absent: ReadonlySet<string>;
  /** Delta: names to send even if the client's first request says it holds them (their parent was re-created). */
  resend: ReadonlySet<string>;
  /** What to send once the stream drains (backpressure): only the latest state is ever sent. */
  pending: Pending;
}

/** What the protocol asks the core to send. */
export interface Outgoing {
  /** `version_info` (SotW) or `system_version_info` (Delta). */
  readonly version: string;
  readonly resources: readonly Resource[];
  readonly removed: readonly string[];
  /** What the client holds once it applies this response (default: the whole set). */
  readonly holds?: ReadonlyMap<string, string>;
  /** Equal keys ⇒ equal bodies, on every stream and node (the shared body cache's key). */
  readonly bodyKey: string;
  /** Encodes the body (everything but the nonce, with room for it); called once per key (a function value: passed on uncalled). */
  readonly encode: () => ResponseBody;
}

/** What the core tells a protocol about a request it is applying. */
export interface RequestContext {
  /** No request for this type came on this stream before. */
  readonly first: boolean;
  /** The request's nonce is our last response's for the type. */
  readonly answersLast: boolean;
  /** …and it carries error_detail. */
  readonly nack: boolean;
  /** …and it ACKs that response for the first time. */
  readonly newAck: boolean;
}

/** The stream operations a protocol may use (its view of the core). */
export interface StreamCore {
  /** The service the stream came on: only an aggregated stream carries more than one type. */
  readonly transport: Transport;
  typeState(typeUrl: TypeUrl): TypeState | undefined;
  /** The type's state, created (not yet subscribed) if the stream has had no request of it yet. */
  stateOf(typeUrl: TypeUrl): TypeState;
  /** Sends, in push order, what these types' states now call for. */
  push(types: ReadonlySet<TypeUrl>): void;
}

export interface Protocol<R extends BaseRequest> {
  readonly api: XdsApi;
  decode(bytes: Uint8Array, maxNames: number): R;
  /**
   * SotW: a request whose nonce is not our last response's is ignored whole. Delta: only its
   * ACK/NACK meaning is; its subscription changes are applied.
   */
  readonly staleIgnoresRequest: boolean;
  /** What the `request` event reports. */
  describe(req: R): { readonly names: readonly string[]; readonly versionInfo: string };
  /** Applies the request's subscription (and what it says the client holds); returns how to answer and whether the names changed. */
  apply(st: TypeState, req: R, ctx: RequestContext): { readonly mode: Mode; readonly subscriptionChanged: boolean };
  /** What to send now for the type: a response, nothing, or (first request, client holds it all) resume. */
  plan(st: TypeState, set: ResourceSet, mode: Mode): Outgoing | 'none' | 'resume';
  /** The client NACKed our last response: what it holds and rejected now. */
  nacked(st: TypeState, sent: Sent): void;
  /** A response was just sent (SotW: warming of dependent types). */
  afterSend(core: StreamCore, st: TypeState, out: Outgoing, heldBefore: ReadonlyMap<string, string> | undefined): void;
}
