/** The ACK and NACK records a stream keeps per type, and what its status reports of each type (pure). */
import type { AckStatus, NackStatus, StreamTypeStatus, XdsApi } from './status.js';
import type { Sent, TypeState } from './protocol.js';
import { PUSH_ORDER, type TypeUrl } from './type-urls.js';

const records = new WeakMap<ReadonlyMap<string, string>, Record<string, string>>();
/** A versions map as a plain record, memoized: the maps are shared by every stream sent the same set. */
export function record(m: ReadonlyMap<string, string>): Record<string, string> {
  let r = records.get(m);
  if (!r) records.set(m, (r = Object.freeze(Object.fromEntries(m))));
  return r;
}

export function ackStatus(sent: Sent, at: number, streamId: number): AckStatus {
  return { version: sent.version, nonce: sent.nonce, at, streamId, resources: record(sent.versions) };
}

/** Over Delta the accepted version is the last ACKed one, and the record names the resources the rejected response carried. */
export function nackStatus(api: XdsApi, st: TypeState, sent: Sent, acceptedVersion: string, error: { readonly code: number; readonly message: string }, at: number, streamId: number): NackStatus {
  return {
    rejectedVersion: sent.version,
    acceptedVersion: api === 'delta' ? (st.lastAcked?.version ?? '') : acceptedVersion,
    nonce: sent.nonce,
    code: error.code,
    message: error.message,
    at,
    streamId,
    ...(api === 'delta' ? { resources: Object.freeze(Object.fromEntries(sent.carried.map((r) => [r.name, r.version]))) } : {}),
  };
}

/** A stream's types as its status reports them, in push order. */
export function typeStatuses(types: ReadonlyMap<TypeUrl, TypeState>): StreamTypeStatus[] {
  return PUSH_ORDER.flatMap((t) => {
    const st = types.get(t.typeUrl);
    if (!st) return [];
    const sent = st.lastSent;
    return [
      {
        typeUrl: t.typeUrl,
        type: t.short,
        subscription: { wildcard: st.sub.wildcard, names: st.sub.selector.names },
        lastSent: sent && { version: sent.version, nonce: sent.nonce, at: sent.at, count: sent.count, ...(sent.removed ? { removed: sent.removed } : {}) },
        lastAcked: st.lastAcked,
        lastNack: st.lastNack,
        ...(st.rejected.size > 0 ? { rejected: record(st.rejected) } : {}),
        pending: st.pending !== 'none',
      },
    ];
  });
}
