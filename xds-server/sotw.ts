/**
 * State of the World, as a protocol of the stream core: requests carry the whole subscription and
 * the version the client holds; a response carries the whole set (full-state types, and every
 * forced answer) or only the resources that changed (partial types). SotW's own rules: a request
 * with a stale nonce is ignored whole; a reconnecting client's first request may claim a version
 * (resume); after a CDS response that created or changed clusters, the next EDS request is
 * answered once even if nothing changed, so Envoy can warm them.
 */
import { planRequest, planResponse } from './respond.js';
import type { Outgoing, Protocol } from './protocol.js';
import { TYPE_URL, type ResourceTypeInfo } from './type-urls.js';
import type { Resource } from './snapshot.js';
import type { ResourceSet } from './view.js';
import { decodeRequest, encodeResponseBody, type DiscoveryRequest } from './wire.js';

/**
 * Responses are planned once per distinct set, not per stream: streams of nodes on the same
 * snapshot and subscription share one `ResourceSet` (view.ts), so a fan-out to 10,000 of them
 * plans (and keys) one response. The whole set, per set; the changed part, per set and the
 * version it is computed from (the last one asked for: a fan-out asks for the same one throughout).
 */
const whole = new WeakMap<ResourceSet, Outgoing>();
const partial = new WeakMap<ResourceSet, { readonly from: string; readonly out: Outgoing }>();

function wholeOf(info: ResourceTypeInfo, set: ResourceSet): Outgoing {
  let out = whole.get(set);
  if (!out) whole.set(set, (out = outgoing(info, set, set.resources, '*')));
  return out;
}

function outgoing(info: ResourceTypeInfo, set: ResourceSet, resources: readonly Resource[], subsetKey: string): Outgoing {
  return {
    version: set.version,
    resources,
    removed: [],
    bodyKey: `sotw\n${info.typeUrl}\n${set.version}\n${subsetKey}`,
    encode: () => encodeResponseBody(info.typeUrl, set.version, resources),
  };
}

export const SOTW: Protocol<DiscoveryRequest> = {
  api: 'sotw',
  decode: decodeRequest,
  staleIgnoresRequest: true,
  describe: (req) => ({ names: req.resourceNames, versionInfo: req.versionInfo }),

  apply(st, req, ctx) {
    const changed = st.sub.update(req.resourceNames);
    const plan = planRequest({
      first: ctx.first,
      sent: st.lastSent !== undefined,
      answersLast: ctx.answersLast,
      hasError: req.errorDetail !== undefined,
      nonce: req.responseNonce,
      versionInfo: req.versionInfo,
      subscriptionChanged: changed,
      warm: st.warm,
      newAck: ctx.newAck,
    });
    // Set before resolving new names: a push that resolution triggers must honour the claim too.
    st.claim = plan.claim;
    return { mode: plan.mode, subscriptionChanged: changed };
  },

  plan(st, set, mode) {
    const { info, held } = st;
    const action = planResponse({ mode, setVersion: set.version, sent: st.lastSent !== undefined, heldVersion: st.heldVersion, claim: st.claim, fullState: info.fullState });
    if (action === 'none' || action === 'resume') return action;
    // Full-state types and forced answers carry the whole set; partial pushes only what changed.
    if (action === 'changed' && held) {
      // The subset is determined by the two set versions (each a hash of name:version pairs).
      const from = st.heldVersion ?? '';
      const memo = partial.get(set);
      if (memo && memo.from === from) return memo.out;
      const resources = set.resources.filter((r) => held.get(r.name) !== r.version);
      const out = resources.length !== set.resources.length ? outgoing(info, set, resources, `from ${from}`) : wholeOf(info, set);
      partial.set(set, { from, out });
      return out;
    }
    return wholeOf(info, set);
  },

  nacked() {
    // The client keeps its last accepted set; the rejected version is never sent again (held stays at it).
  },

  afterSend(core, st, out, heldBefore) {
    st.warm = false;
    if (st.info.short !== 'CDS') return;
    // Envoy re-creates a cluster whose definition changed (or that is new) and re-requests its
    // endpoints to warm it; a response that only removed clusters warms nothing. An unchanged route
    // name needs no RDS answer after LDS: Envoy keeps its route provider across listener updates.
    const recreated = out.resources.some((r) => heldBefore?.get(r.name) !== r.version);
    const eds = core.typeState(TYPE_URL.EDS);
    if (recreated && eds) eds.warm = true;
  },
};
