/**
 * Binding a stream's node id to its client certificate (mutual TLS on the xDS server): the
 * certificate must carry the URI SAN `spiffe://<trust-domain>/node/<id>` of the id the stream's
 * first request claims. A stream with no client certificate, or claiming another id, gets
 * nothing: it is ended with UNAUTHENTICATED or PERMISSION_DENIED before any response.
 */
import { status as GrpcStatus, type ServerDuplexStream } from '@grpc/grpc-js';

type AuthContext = ReturnType<ServerDuplexStream<Buffer, Buffer>['getAuthContext']>;

export interface NodeIdentityOptions {
  /** The SPIFFE trust domain of node identities (`sluice.local`). */
  readonly trustDomain: string;
}

export type IdentityVerdict = { readonly ok: true } | { readonly ok: false; readonly code: GrpcStatus; readonly details: string };

/** The node ids a certificate's subjectaltname (Node's `DNS:a, URI:spiffe://td/node/x` form) names in this trust domain. */
export function nodeIdsOf(subjectAltName: string | undefined, trustDomain: string): string[] {
  const prefix = `URI:spiffe://${trustDomain}/node/`;
  return (subjectAltName ?? '').split(/,\s*/).filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length));
}

export function checkNodeIdentity(auth: AuthContext | null | undefined, nodeId: string, options: NodeIdentityOptions): IdentityVerdict {
  const cert = auth?.sslPeerCertificate;
  if (!cert || Object.keys(cert).length === 0) {
    return { ok: false, code: GrpcStatus.UNAUTHENTICATED, details: `node "${nodeId}": this xDS server requires a client certificate (mutual TLS) naming spiffe://${options.trustDomain}/node/${nodeId}` };
  }
  const ids = nodeIdsOf(cert.subjectaltname, options.trustDomain);
  if (ids.includes(nodeId)) return { ok: true };
  const whose = ids.length > 0 ? `node ${ids.map((i) => `"${i}"`).join(', ')}` : `no node of trust domain ${options.trustDomain}`;
  return { ok: false, code: GrpcStatus.PERMISSION_DENIED, details: `the stream claims node "${nodeId}" but its client certificate is for ${whose}` };
}
