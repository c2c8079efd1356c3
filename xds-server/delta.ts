/**
 * Delta (incremental) xDS, as a protocol of the stream core: requests change the subscription
 * (subscribe / unsubscribe) and, on a stream's first request of a type, say what the client holds
 * (`initial_resource_versions`); a response carries only the resources whose version the client
 * does not hold and, in `removed_resources`, held names that no longer exist. Delta's own rules: a
 * stale nonce voids only the request's ACK/NACK meaning, never its subscription change; a name
 * (re)subscribed is sent even if the client held it; a NACK leaves the client on its earlier
 * versions and the rejected versions are not sent again; a reconnecting client whose resources are
 * all current is sent nothing (resume).
 */
import { planDelta, unreportedMissing, type DeltaFacts } from './respond.js';
import type { Outgoing, Protocol, StreamCore, TypeState } from './protocol.js';
import type { ResourceSet } from './view.js';
import { TYPE_URL } from './type-urls.js';
import { setVersion } from './snapshot.js';
import { decodeDeltaRequest, encodeDeltaBody, type DeltaDiscoveryRequest } from './delta-wire.js';

const NOTHING_HELD: ReadonlyMap<string, string> = new Map();

/**
 * The response for a set and what the client holds, planned once for every stream in the same
 * position: after a change, every stream that ACKed the previous set holds the same shared
 * versions map and is sent the same difference, so a fan-out plans (and keys) it once. Only the
 * plain case is kept (nothing rejected or reported absent, no empty answer owed, no name missing);
 * `undefined`: nothing to send.
 */
const lastPlain = new WeakMap<ResourceSet, { readonly held: ReadonlyMap<string, string>; readonly out: Outgoing | undefined }>();

function without(m: ReadonlyMap<string, string>, names: readonly string[]): ReadonlyMap<string, string> {
  if (!names.some((n) => m.has(n))) return m;
  const out = new Map(m);
  for (const n of names) out.delete(n);
  return out;
}

/** What the first request says the client holds, limited to what it subscribes to. */
function initiallyHeld(st: TypeState, initial: ReadonlyMap<string, string>): ReadonlyMap<string, string> {
  const held = new Map<string, string>();
  for (const [name, version] of initial) if (st.sub.covers(name)) held.set(name, version);
  return held;
}

/**
 * Envoy (1.40, Delta) re-creates a cluster whose definition changed and the new cluster waits for
 * an EDS response, but it asks for nothing — the name is already subscribed — so without one it
 * warms only at its initial_fetch_timeout (15 s, measured). After a CDS response that created or
 * changed clusters, their endpoints are sent again, right behind it.
 */
function rewarmEndpoints(core: StreamCore, out: Outgoing, heldBefore: ReadonlyMap<string, string> | undefined): void {
  // On a per-type CDS stream the endpoints are another stream's (Envoy re-subscribes there for a new cluster).
  if (core.transport !== 'DELTA_ADS') return;
  const eds = core.stateOf(TYPE_URL.EDS);
  const edsHeld = eds.held ?? new Map<string, string>();
  const before = heldBefore ?? new Map<string, string>();
  // Changed clusters; and new ones whose endpoints' name the stream already holds (Envoy will not
  // subscribe to it anew) — except on the stream's first CDS response, before any cluster existed.
  const names = out.resources.flatMap((r) => {
    const was = before.get(r.name);
    const refs = r.references.filter((x) => x.typeUrl === TYPE_URL.EDS).map((x) => x.name);
    if (was !== undefined) return was === r.version ? [] : refs;
    return before.size > 0 ? refs.filter((n) => edsHeld.has(n)) : [];
  });
  if (names.length === 0) return;
  if (!eds.sub.started) {
    // A reconnect: the EDS request (with what Envoy held) is still to be read; do not trust it for these.
    eds.resend = new Set([...eds.resend, ...names]);
    return;
  }
  eds.held = without(edsHeld, names);
  core.push(new Set([TYPE_URL.EDS]));
}

/** The response for the type's state, or `undefined`: nothing to send (see planDelta). */
function planOutgoing(st: TypeState, set: ResourceSet, held: ReadonlyMap<string, string>, facts: DeltaFacts): Outgoing | undefined {
  const plan = planDelta(facts);
  if (!plan) return undefined;
  const { resources, removed } = plan;
  // What the client holds afterwards: the set, except resources it rejected at their current version.
  let holds: ReadonlyMap<string, string> = set.versions;
  if (st.rejected.size > 0 && set.resources.some((r) => st.rejected.get(r.name) === r.version)) {
    const h = new Map(set.versions);
    for (const r of set.resources) {
      if (st.rejected.get(r.name) !== r.version) continue;
      const before = held.get(r.name);
      if (before === undefined) h.delete(r.name);
      else h.set(r.name, before);
    }
    holds = h;
  }
  const version = holds === set.versions ? set.version : setVersion([...holds].map(([name, v]) => ({ name, version: v })));
  const key = `delta\n${st.info.typeUrl}\n${version}\n${resources.map((r) => `${r.name}:${r.version}`).join('\n')}\n-${removed.join('\n')}`;
  return { version, resources, removed, holds, bodyKey: key, encode: () => encodeDeltaBody(st.info.typeUrl, version, resources, removed) };
}

export const DELTA: Protocol<DeltaDiscoveryRequest> = {
  api: 'delta',
  decode: decodeDeltaRequest,
  staleIgnoresRequest: false,
  describe: (req) => ({ names: req.subscribe, versionInfo: '' }),

  apply(st, req, ctx) {
    const change = st.sub.updateDelta(req.subscribe, req.unsubscribe, st.held ?? NOTHING_HELD);
    if (ctx.first) {
      st.held = without(initiallyHeld(st, req.initialVersions), [...st.resend]);
      st.resend = new Set();
      // A fresh wildcard subscription is answered even when there is nothing to send: the client
      // waits for a first response before it finishes initializing.
      st.answerEmpty = st.sub.wildcard && req.initialVersions.size === 0;
      st.claim = req.initialVersions.size > 0 ? 'initial' : undefined;
    } else {
      st.claim = undefined;
      // An ACK (nothing (un)subscribed) leaves what the client holds as it is.
      if (change.resubscribed.length > 0 || change.dropped.length > 0 || !st.held) st.held = without(without(st.held ?? new Map(), change.resubscribed), change.dropped);
    }
    // A name asked for again is answered again (also "does not exist"); one no longer named is forgotten.
    if (st.absent.size > 0) {
      const again = new Set(change.resubscribed);
      st.absent = new Set([...st.absent].filter((n) => st.sub.names.has(n) && !again.has(n)));
    }
    return { mode: 'push', subscriptionChanged: change.changed };
  },

  plan(st, set) {
    const held = st.held ?? NOTHING_HELD;
    const facts = { set, held, rejected: st.rejected, answerEmpty: st.answerEmpty, named: st.sub.selector.names, wildcard: st.sub.wildcard, absent: st.absent };
    // (An ACK, holding exactly the set, is answered by nothing at once: not worth a memo entry.)
    const plain = held !== set.versions && st.rejected.size === 0 && !st.answerEmpty && st.absent.size === 0 && unreportedMissing(facts).length === 0;
    const memo = plain ? lastPlain.get(set) : undefined;
    const out = memo && memo.held === held ? memo.out : planOutgoing(st, set, held, facts);
    if (plain && memo?.held !== held) lastPlain.set(set, { held, out });
    if (!out) return st.claim !== undefined && st.lastSent === undefined && st.lastAcked?.resumed !== true ? 'resume' : 'none';
    return out;
  },

  nacked(st, sent) {
    // The client keeps what it held before that response; the versions it rejected are not sent again.
    const rejected = new Map(st.rejected);
    for (const { name, version } of sent.carried) rejected.set(name, version);
    st.rejected = rejected;
    st.held = sent.before ?? new Map();
  },

  afterSend(core, st, out, heldBefore) {
    if (st.info.short === 'CDS') rewarmEndpoints(core, out, heldBefore);
    // Explicit names now known to the client as not existing; a resource sent is no longer absent.
    const told = out.removed.filter((n) => st.sub.names.has(n));
    if (told.length > 0 || (st.absent.size > 0 && out.resources.length > 0)) {
      const absent = new Set([...st.absent, ...told]);
      for (const r of out.resources) absent.delete(r.name);
      st.absent = absent;
    }
    if (st.rejected.size === 0) return;
    // A resource sent at a new version is no longer rejected.
    const rejected = new Map(st.rejected);
    for (const r of out.resources) rejected.delete(r.name);
    st.rejected = rejected;
  },
};
