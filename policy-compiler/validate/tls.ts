/**
 * A port rule's TLS (schema-valid) → the model: the SNI allow list, termination, origination and
 * the injected credential, each secret named as `namespace/name` of the policy's own namespace and
 * never by value. What needs the secrets themselves (do they exist, does the key match the
 * certificate, is it expired) is checked when the policy is lowered against them (lower/tls.ts).
 */
import type { PortRule as SourcePortRule } from '../generated/l7policy.js';
import type { PathSegment } from '../diagnostics.js';
import { objectKey } from '../names.js';
import type { CertificateRef, PortProtocol, PortTls, SecretKeyRef, TrustRef } from '../model/types.js';
import type { DocumentContext } from './context.js';

/** The keys a Kubernetes TLS Secret uses. */
export const TLS_KEYS = { certificate: 'tls.crt', privateKey: 'tls.key', ca: 'ca.crt' } as const;

/** Headers the proxy owns or HTTP/2 forbids: a credential must not replace them. */
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'te', 'keep-alive', 'proxy-connection']);

type Source = Pick<SourcePortRule, 'serverNames' | 'terminatingTLS' | 'originatingTLS' | 'injectHeaders'>;

export function portTls(ctx: DocumentContext, namespace: string, path: readonly PathSegment[], p: Source, direction: 'ingress' | 'egress', protocol: PortProtocol): PortTls | undefined {
  if (!p.serverNames && !p.terminatingTLS && !p.originatingTLS && !p.injectHeaders) return undefined;
  if (protocol === 'kafka') {
    ctx.error([...path], 'tls.kafka', 'TLS and injected headers apply to HTTP and gRPC ports; the Kafka enforcer passes Kafka over TCP as it is');
  }
  const ref = (name: string) => objectKey(namespace, name);
  const serverNames = [...new Set((p.serverNames ?? []).map((n) => n.toLowerCase()))].sort();
  if (p.serverNames && serverNames.length < p.serverNames.length) ctx.warn([...path, 'serverNames'], 'tls.server-names-duplicate', 'a server name is listed twice (names are case-insensitive)');
  if (p.serverNames && !p.terminatingTLS) {
    ctx.error([...path, 'serverNames'], 'tls.server-names-without-termination', 'serverNames needs terminatingTLS: the proxy reads the server name to pick the rules, then terminates TLS so that the HTTP rules see the requests (TLS passthrough by SNI is not supported)');
  }

  let terminate: PortTls['terminate'];
  const t = p.terminatingTLS;
  if (t) {
    const at = [...path, 'terminatingTLS'];
    if (t.issue && (t.certificate !== undefined || t.privateKey !== undefined)) ctx.error(at, 'tls.issue-keys', '`certificate` and `privateKey` name keys of `secret`; an issued certificate has none');
    if (t.issue && serverNames.length === 0) ctx.error([...at, 'issue'], 'tls.issue-without-names', 'sluice issues a certificate for the names in serverNames: list them');
    if (t.issue && serverNames.some((n) => n.split('.').length < 2 || (n.startsWith('*.') && n.split('.').length < 3))) {
      ctx.error([...path, 'serverNames'], 'tls.issue-name', 'sluice issues certificates for names of at least two labels, and wildcards over at least two (`*.example.com`)');
    }
    const certificate: NonNullable<PortTls['terminate']>['certificate'] = t.secret
      ? { kind: 'secret', secret: ref(t.secret.name), certificate: t.certificate ?? TLS_KEYS.certificate, privateKey: t.privateKey ?? TLS_KEYS.privateKey }
      : { kind: 'issued' };
    const clientCa: SecretKeyRef | undefined = t.clientCA ? { secret: ref(t.clientCA.secret.name), key: t.clientCA.key ?? TLS_KEYS.ca } : undefined;
    terminate = { certificate, ...(clientCa ? { clientCa } : {}) };
  }

  let originate: PortTls['originate'];
  const o = p.originatingTLS;
  if (o) {
    const trust: TrustRef = o.trustedCA.secret ? { kind: 'secret', ref: { secret: ref(o.trustedCA.secret.name), key: o.trustedCA.key ?? TLS_KEYS.ca } } : { kind: 'system' };
    if (o.trustedCA.system && o.trustedCA.key !== undefined) ctx.error([...path, 'originatingTLS', 'trustedCA', 'key'], 'tls.system-key', '`key` names a key of `secret`; the system bundle has none');
    const clientCertificate: CertificateRef | undefined = o.clientCertificate
      ? { secret: ref(o.clientCertificate.secret.name), certificate: o.clientCertificate.certificate ?? TLS_KEYS.certificate, privateKey: o.clientCertificate.privateKey ?? TLS_KEYS.privateKey }
      : undefined;
    const subjectAltNames = [...new Set((o.subjectAltNames ?? []).map((n) => n.toLowerCase()))].sort();
    originate = {
      trust,
      ...(o.serverName !== undefined ? { serverName: o.serverName.toLowerCase() } : {}),
      subjectAltNames,
      ...(clientCertificate ? { clientCertificate } : {}),
      ...(o.port !== undefined ? { port: o.port } : {}),
    };
  }

  let inject: PortTls['inject'];
  const h = p.injectHeaders?.[0];
  if (h) {
    const header = h.name.toLowerCase();
    const at = [...path, 'injectHeaders', 0];
    if (RESERVED_HEADERS.has(header)) ctx.error([...at, 'name'], 'inject.reserved-header', `"${h.name}" is managed by the proxy and the HTTP protocol; a credential cannot be carried in it`);
    if (direction === 'egress' && !o) {
      ctx.warn(at, 'inject.plaintext', 'without originatingTLS the credential leaves the proxy in plain text: add originatingTLS unless the destination is reached over a network you trust');
    }
    inject = { header, credential: { secret: ref(h.secret.name), key: h.key }, prefix: h.prefix ?? '', when: h.when ?? 'mismatch' };
  }

  return { serverNames, ...(terminate ? { terminate } : {}), ...(originate ? { originate } : {}), ...(inject ? { inject } : {}) };
}
