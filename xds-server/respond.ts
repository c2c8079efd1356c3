/**
 * When a SotW stream answers, and with what: two pure decisions, one per request and one per
 * response, over plain facts (docs/xds-server.md lists the rules; respond.test.ts is the table).
 *
 * 1. `planRequest`: a request either forces an answer (a first request, a subscription change, a
 *    re-request without nonce, warming) or only lets changes through ("push"). A first request
 *    with an empty nonce and a non-empty `version_info` also *claims* that the client already
 *    holds that version (it reconnected, e.g. after a control-plane restart).
 * 2. `planResponse`: given the set the stream would be sent now, send all of it, only what
 *    changed (partial types), nothing, or — when the claim is exactly the set's version and
 *    nothing was sent on this stream yet — *resume*: send nothing and record the set as held.
 */

export type Mode = 'force' | 'push';

export interface RequestFacts {
  /** No request for this type came on this stream before this one. */
  readonly first: boolean;
  /** A response of this type was sent on this stream. */
  readonly sent: boolean;
  /** The nonce is the last one sent for this type (the request is an ACK or a NACK). */
  readonly answersLast: boolean;
  /** The request carries `error_detail`. */
  readonly hasError: boolean;
  readonly nonce: string;
  readonly versionInfo: string;
  /** The request changed the subscription (names or wildcard). */
  readonly subscriptionChanged: boolean;
  /** A CDS (LDS) response was sent since the last EDS (RDS) response: answer once. */
  readonly warm: boolean;
}

export interface RequestPlan {
  readonly mode: Mode;
  /** The version the client says it holds, if it may be resumed at that version. */
  readonly claim: string | undefined;
}

/**
 * Only the first request for a type on a stream can claim: Envoy and the gRPC xDS clients send
 * it when the stream opens, before they have read any response on it, so it states what they
 * held before. Later requests (e.g. Envoy's EDS request for a cluster that our CDS response
 * re-created) are answered as before: a stream that sent nothing of a type answers any request.
 */
export function planRequest(f: RequestFacts): RequestPlan {
  const nack = f.answersLast && f.hasError;
  const claim = f.first && !f.sent && f.nonce === '' && !f.hasError && f.versionInfo !== '' ? f.versionInfo : undefined;
  const force = !f.sent || f.subscriptionChanged || (!nack && (f.warm || f.nonce === ''));
  return { mode: force ? 'force' : 'push', claim };
}

export interface ResponseFacts {
  readonly mode: Mode;
  /** The version of exactly the set the stream would be sent now. */
  readonly setVersion: string;
  /** A response of this type was sent on this stream. */
  readonly sent: boolean;
  /** What the client holds (or will hold once it applies our last response): its version. */
  readonly heldVersion: string | undefined;
  readonly claim: string | undefined;
  /** LDS, CDS, Kafka: every response carries the whole set. */
  readonly fullState: boolean;
}

/** `all`: the whole set; `changed`: only resources whose version differs from what is held. */
export type ResponseAction = 'all' | 'changed' | 'none' | 'resume';

export function planResponse(f: ResponseFacts): ResponseAction {
  if (!f.sent && f.claim !== undefined && f.claim === f.setVersion) return f.heldVersion === f.setVersion ? 'none' : 'resume';
  if (f.mode === 'push' && f.heldVersion === f.setVersion) return 'none';
  if (f.mode === 'push' && !f.fullState && f.heldVersion !== undefined) return 'changed';
  return 'all';
}
