/** The ACK and NACK records a stream keeps per type and reports to status (pure). */
import type { AckStatus, NackStatus, XdsApi } from './status.js';
import type { Sent, TypeState } from './protocol.js';

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
    ...(api === 'delta' ? { resources: record(sent.carried) } : {}),
  };
}
