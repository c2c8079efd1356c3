/**
 * When a stream answers, and with what: pure decisions over plain facts (docs/xds-server.md lists
 * the rules; respond.test.ts is the table). SotW has two, one per request and one per response;
 * Delta has one, the per-resource difference between what the client holds and what it should.
 *
 * 1. `planRequest`: a request either forces an answer (a first request, a subscription change, a
 *    re-request without nonce, warming) or only lets changes through ("push"). A first request
 *    with an empty nonce and a non-empty `version_info` also *claims* that the client already
 *    holds that version (it reconnected, e.g. after a control-plane restart).
 * 2. `planResponse`: given the set the stream would be sent now, send all of it, only what
 *    changed (partial types), nothing, or — when the claim is exactly the set's version and
 *    nothing was sent on this stream yet — *resume*: send nothing and record the set as held.
 */

import type { Resource } from './snapshot.js';
import type { ResourceSet } from './view.js';

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
  /** A CDS response that created or changed clusters was sent since the last EDS response: answer once. */
  readonly warm: boolean;
  /**
   * The request ACKs our last response for the first time: an ACK the client sent before it read
   * a later CDS response, not the warming request that CDS response makes it send.
   */
  readonly newAck: boolean;
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
  const force = !f.sent || f.subscriptionChanged || (!nack && ((f.warm && !f.newAck) || f.nonce === ''));
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

export interface DeltaFacts {
  /** What the stream should hold now (its subscribed resources that exist). */
  readonly set: ResourceSet;
  /** name → version the client holds (only subscribed names). */
  readonly held: ReadonlyMap<string, string>;
  /** name → version the client NACKed: not sent again at that version. */
  readonly rejected: ReadonlyMap<string, string>;
  /** Answer even with nothing to send: a fresh wildcard subscription (the client waits for a first response). */
  readonly answerEmpty: boolean;
  /** The names the client subscribed to explicitly (sorted), and whether it also holds `*`. */
  readonly named: readonly string[];
  readonly wildcard: boolean;
  /** Explicitly subscribed names the client was already told do not exist (in `removed_resources`). */
  readonly absent: ReadonlySet<string>;
}

export interface DeltaPlan {
  readonly resources: readonly Resource[];
  readonly removed: readonly string[];
}

/**
 * Names subscribed explicitly that do not exist, that the client neither holds nor was told of:
 * the incremental protocol says so in `removed_resources` (once; the name stays subscribed, and the
 * resource is sent if it appears). Without it Envoy waits for them until its initial_fetch_timeout.
 */
export function unreportedMissing(f: Pick<DeltaFacts, 'set' | 'held' | 'named' | 'wildcard' | 'absent'>): string[] {
  // Cheap common case: every explicitly named resource is in the set (the set is a subset of the names).
  if (f.named.length === 0 || (!f.wildcard && f.named.length === f.set.resources.length)) return [];
  return f.named.filter((n) => !f.set.versions.has(n) && !f.held.has(n) && !f.absent.has(n));
}

/**
 * The resources whose version the client does not hold, the held names that no longer exist and the
 * subscribed names never reported missing; `undefined`: nothing to send.
 */
export function planDelta(f: DeltaFacts): DeltaPlan | undefined {
  const missing = unreportedMissing(f);
  // The common case, an ACK: the client holds exactly the set (the same shared map), nothing to compute.
  if (f.held === f.set.versions && f.rejected.size === 0 && !f.answerEmpty && missing.length === 0) return undefined;
  const resources = f.set.resources.filter((r) => f.held.get(r.name) !== r.version && f.rejected.get(r.name) !== r.version);
  const removed: string[] = missing;
  for (const name of f.held.keys()) if (!f.set.versions.has(name)) removed.push(name);
  if (resources.length === 0 && removed.length === 0 && !f.answerEmpty) return undefined;
  return { resources, removed: removed.sort() };
}
