/**
 * The one place that decides the order of what features contribute to an ordered list. Every
 * position is listed here with the reason it is there; a feature names the position of each piece
 * it contributes, and `ordered` sorts the pieces by it. Two features may not take one position.
 */

/** HTTP filters of a chain's HttpConnectionManager, in order. */
export const HTTP_FILTER_ORDER = [
  { position: 'server-names', why: 'first: a request on a connection or for a host outside the SNI allow list (a wildcard is one label) is denied before any rule is evaluated' },
  { position: 'rbac-deny', why: 'deny rules first, so a deny wins over any allow' },
  { position: 'rbac-allow', why: 'then the allow list; what it does not allow is denied' },
  { position: 'credential-injection', why: 'after the rules decided, so a denied request never carries the credential' },
  { position: 'router', why: 'last, as Envoy and gRPC both require' },
] as const;

/** Listener filters of an Envoy node's inbound and outbound listeners, in order. */
export const LISTENER_FILTER_ORDER = [
  { position: 'original-dst', why: 'first: it recovers where the connection was going, which every filter chain matches on' },
  { position: 'tls-inspector', why: 'reads the server name from the ClientHello (it waits for the client\'s first bytes), which SNI chains match on, before a filter chain is chosen' },
  { position: 'original-src', why: "outbound: the leg to the destination leaves from the workload's own address" },
] as const;

export type HttpFilterPosition = (typeof HTTP_FILTER_ORDER)[number]['position'];
export type ListenerFilterPosition = (typeof LISTENER_FILTER_ORDER)[number]['position'];

/** A piece a feature contributes to an ordered list, and where it goes. */
export interface Placed<P extends string, T> {
  readonly position: P;
  readonly value: T;
}

/** The values in the order of `order`; throws on two pieces at one position (two features would fight over it: a bug). */
export function ordered<P extends string, T>(order: readonly { readonly position: P }[], pieces: readonly Placed<P, T>[]): T[] {
  const rank = (p: Placed<P, T>) => order.findIndex((o) => o.position === p.position);
  const sorted = [...pieces].sort((a, b) => rank(a) - rank(b));
  for (let i = 1; i < sorted.length; i++) if (sorted[i]?.position === sorted[i - 1]?.position) throw new Error(`two features contribute at position ${sorted[i]?.position}`);
  return sorted.map((p) => p.value);
}
