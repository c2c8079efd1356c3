/**
 * Lowering a port rule's TLS against the secrets in force: every secret it names must exist, hold
 * the key it names, and that key must be what the use needs (a certificate chain whose leaf
 * matches the private key, valid now, allowed for TLS servers or clients; CA certificates that are
 * CAs; a credential that can be a header value). What is found is a problem at the field that
 * named the secret. The chain then names each secret by its SDS name, and the node is given the
 * values: only the secrets its chains name. A secret that is not available makes the chain refuse
 * its connections (fail closed), never serve them half-configured.
 */
import type { CatalogSecret, CertificateFacts, SecretCatalog } from '../model/secrets.js';
import type { CertificateRef, PortTls, SecretKeyRef, TrustRef } from '../model/types.js';
import type { ChainTls, IrSecret } from '../ir/types.js';
import { issuedKey, parseObjectKey, SDS_NAMES } from '../names.js';

export interface TlsProblem {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  /** Below the port rule: `terminatingTLS.secret`. */
  readonly field: string;
  readonly message: string;
}

export interface TlsResolution {
  readonly tls: ChainTls;
  readonly secrets: readonly IrSecret[];
  readonly problems: readonly TlsProblem[];
  /** The field below the port rule that named what is unavailable (`terminatingTLS.secret`), when `tls.unavailable` is set. */
  readonly unavailableField?: string;
}

/** Whether a certificate's DNS name covers a server name (RFC 6125: a wildcard covers one label; a wildcard name only the same wildcard). */
export function dnsCovers(san: string, name: string): boolean {
  if (san === name) return true;
  if (!san.startsWith('*.') || name.startsWith('*.')) return false;
  const dot = name.indexOf('.');
  return dot > 0 && name.slice(dot) === san.slice(1);
}

class Resolver {
  readonly problems: TlsProblem[] = [];
  readonly secrets = new Map<string, IrSecret>();
  unavailable: string | undefined;
  unavailableField: string | undefined;

  constructor(private readonly catalog: SecretCatalog | undefined) {}

  private problem(severity: TlsProblem['severity'], code: string, field: string, message: string): void {
    this.problems.push({ severity, code, field, message });
  }

  /** Marks the chain unusable (the first reason, and the field it is at, are kept). */
  private refuse(field: string, message: string): void {
    if (this.unavailable !== undefined) return;
    this.unavailable = message;
    this.unavailableField = field;
  }

  /** Marks the chain unusable and reports why. */
  private fail(code: string, field: string, message: string): undefined {
    this.refuse(field, message);
    this.problem('error', code, field, message);
    return undefined;
  }

  /** The secret in force, or undefined (reported). */
  private secret(name: string, field: string): CatalogSecret | undefined {
    if (!this.catalog) {
      this.refuse(field, `secret ${name} is not checked: no secret source`);
      this.problem('warning', 'secret.unchecked', field, `secret ${name} cannot be checked without a secret source (sluice compile --secrets DIR, sluice serve --secrets DIR)`);
      return undefined;
    }
    const found = this.catalog.secrets.get(name);
    if (found) return found;
    const broken = this.catalog.broken.get(name);
    if (broken !== undefined) return this.fail('secret.invalid', field, `secret ${name} has no usable version: ${broken}`);
    const ref = parseObjectKey(name);
    return this.fail('secret.missing', field, `secret ${name} does not exist (in a cluster: the Secret ${ref?.name ?? name} in namespace ${ref?.namespace ?? name}; standalone: the directory ${name} under serve --secrets)`);
  }

  /** A certificate chain and its key from one secret, fit for a TLS server or client. */
  private pair(secret: CatalogSecret, certKey: string, keyKey: string, usage: 'server' | 'client', field: string): CertificateFacts | undefined {
    const cert = secret.values.get(certKey);
    const key = secret.values.get(keyKey);
    if (!cert) return this.fail('secret.key-missing', field, `secret ${secret.key} has no key ${certKey} (it has ${[...secret.values.keys()].join(', ') || 'no keys'})`);
    if (!key) return this.fail('secret.key-missing', field, `secret ${secret.key} has no key ${keyKey} (it has ${[...secret.values.keys()].join(', ') || 'no keys'})`);
    if (cert.kind !== 'certificates') return this.fail('secret.not-certificate', field, `${certKey} of secret ${secret.key} is not PEM certificates`);
    if (key.kind !== 'private-key') return this.fail('secret.not-private-key', field, `${keyKey} of secret ${secret.key} is not a PEM private key`);
    const leaf = cert.certificates[0];
    if (!leaf) return this.fail('secret.not-certificate', field, `${certKey} of secret ${secret.key} holds no certificate`);
    if (leaf.publicKey !== key.publicKey) return this.fail('secret.key-mismatch', field, `${keyKey} of secret ${secret.key} is not the key of the certificate in ${certKey} (${leaf.subject || 'empty subject'})`);
    const invalid = secret.invalidNow?.get(certKey);
    if (invalid !== undefined) this.problem('error', 'cert.invalid-now', field, `${certKey} of secret ${secret.key}: ${invalid}; it is served until a valid version replaces it`);
    if (leaf.ca) return this.fail('cert.is-ca', field, `${certKey} of secret ${secret.key} is a CA certificate (${leaf.subject}), not a TLS ${usage} certificate`);
    const allowed = usage === 'server' ? leaf.serverAuth : leaf.clientAuth;
    if (!allowed) return this.fail('cert.usage', field, `${certKey} of secret ${secret.key} may not be used by a TLS ${usage}: its extended key usage lacks ${usage === 'server' ? 'serverAuth' : 'clientAuth'}`);
    if (!leaf.digitalSignature) return this.fail('cert.usage', field, `${certKey} of secret ${secret.key} may not sign handshakes: its key usage lacks digitalSignature`);
    return leaf;
  }

  certificate(ref: CertificateRef, usage: 'server' | 'client', field: string): { name: string; leaf: CertificateFacts } | undefined {
    const secret = this.secret(ref.secret, field);
    const leaf = secret && this.pair(secret, ref.certificate, ref.privateKey, usage, field);
    if (!secret || !leaf) return undefined;
    const name = SDS_NAMES.certificate(ref.secret, ref.certificate, ref.privateKey);
    this.secrets.set(name, { name, kind: 'certificate', certificateChain: text(secret, ref.certificate), privateKey: text(secret, ref.privateKey) });
    return { name, leaf };
  }

  issued(serverNames: readonly string[], field: string): { name: string; leaf: CertificateFacts } | undefined {
    if (!this.catalog) {
      this.refuse(field, 'the issued certificate is not checked: no secret source');
      this.problem('warning', 'secret.unchecked', field, `the certificate sluice issues for ${serverNames.join(', ')} is only known to sluice serve (--ca-dir DIR)`);
      return undefined;
    }
    if (!this.catalog.issuer) return this.fail('tls.no-issuer', field, 'sluice has no CA to issue certificates with (sluice serve --ca-dir DIR)');
    const issued = this.catalog.issued.get(issuedKey(serverNames));
    if (!issued) return this.fail('tls.not-issued', field, `no certificate has been issued yet for ${serverNames.join(', ')}`);
    const leaf = this.pair(issued, 'tls.crt', 'tls.key', 'server', field);
    if (!leaf) return undefined;
    const name = SDS_NAMES.issued(serverNames);
    this.secrets.set(name, { name, kind: 'certificate', certificateChain: text(issued, 'tls.crt'), privateKey: text(issued, 'tls.key') });
    return { name, leaf };
  }

  trust(trust: TrustRef, field: string): string | undefined {
    if (trust.kind === 'system') {
      this.secrets.set(SDS_NAMES.systemTrust, { name: SDS_NAMES.systemTrust, kind: 'system-trust' });
      return SDS_NAMES.systemTrust;
    }
    return this.ca(trust.ref, field);
  }

  /** CA certificates from one key of a secret: each must be a CA (a self-signed leaf is not). */
  ca(ref: SecretKeyRef, field: string): string | undefined {
    const secret = this.secret(ref.secret, field);
    if (!secret) return undefined;
    const value = secret.values.get(ref.key);
    if (!value) return this.fail('secret.key-missing', field, `secret ${ref.secret} has no key ${ref.key} (it has ${[...secret.values.keys()].join(', ') || 'no keys'})`);
    if (value.kind !== 'certificates' || value.certificates.length === 0) return this.fail('secret.not-certificate', field, `${ref.key} of secret ${ref.secret} is not PEM certificates`);
    const notCa = value.certificates.findIndex((c) => !c.ca);
    if (notCa >= 0) {
      const c = value.certificates[notCa];
      const what = c?.selfSigned ? 'a self-signed certificate that is not a CA' : 'not a CA certificate';
      return this.fail('ca.not-ca', field, `${ref.key} of secret ${ref.secret}: certificate ${notCa + 1} (${c?.subject || 'empty subject'}) is ${what}; trust needs CA certificates (basicConstraints CA:TRUE)`);
    }
    const invalid = secret.invalidNow?.get(ref.key);
    if (invalid !== undefined) this.problem('warning', 'cert.invalid-now', field, `${ref.key} of secret ${ref.secret}: ${invalid}`);
    const name = SDS_NAMES.trust(ref.secret, ref.key);
    this.secrets.set(name, { name, kind: 'trust', trustedCa: value.text });
    return name;
  }

  credential(ref: SecretKeyRef, prefix: string, field: string): string | undefined {
    const secret = this.secret(ref.secret, field);
    if (!secret) return undefined;
    const value = secret.values.get(ref.key);
    if (!value) return this.fail('secret.key-missing', field, `secret ${ref.secret} has no key ${ref.key} (it has ${[...secret.values.keys()].join(', ') || 'no keys'})`);
    if (value.kind !== 'text') return this.fail('secret.not-credential', field, `${ref.key} of secret ${ref.secret} is ${value.kind === 'private-key' ? 'a private key' : 'certificates'}, not a credential: it is never put in a header`);
    const credential = value.text.replace(/\r?\n$/, '');
    if (credential === '') return this.fail('secret.empty', field, `${ref.key} of secret ${ref.secret} is empty`);
    // eslint-disable-next-line no-control-regex
    if (/[^\t\x20-\x7e\x80-\xff]/.test(credential)) return this.fail('secret.header-value', field, `${ref.key} of secret ${ref.secret} cannot be a header value: it holds a line break or another control character`);
    const name = SDS_NAMES.credential(ref.secret, ref.key, prefix);
    this.secrets.set(name, { name, kind: 'credential', value: `${prefix}${credential}` });
    return name;
  }

  /** Warns about server names the certificate does not cover: clients checking the name refuse it. */
  covers(leaf: CertificateFacts, serverNames: readonly string[], field: string): void {
    const uncovered = serverNames.filter((n) => !leaf.dns.some((san) => dnsCovers(san, n)));
    if (uncovered.length > 0) this.problem('warning', 'tls.name-not-covered', field, `the certificate (${leaf.dns.join(', ') || 'no DNS names'}) does not cover ${uncovered.join(', ')}: clients that check the name refuse it`);
  }
}

function text(secret: CatalogSecret, key: string): string {
  const v = secret.values.get(key);
  return v ? v.text : '';
}

/** A port rule's TLS, resolved against the secrets in force. */
export function resolveTls(tls: PortTls, catalog: SecretCatalog | undefined): TlsResolution {
  const r = new Resolver(catalog);
  let terminate: ChainTls['terminate'];
  if (tls.terminate) {
    const c = tls.terminate.certificate;
    const got = c.kind === 'secret' ? r.certificate(c, 'server', 'terminatingTLS.secret') : r.issued(tls.serverNames, 'terminatingTLS.issue');
    if (got && c.kind === 'secret') r.covers(got.leaf, tls.serverNames, 'terminatingTLS.secret');
    const clientCa = tls.terminate.clientCa ? r.ca(tls.terminate.clientCa, 'terminatingTLS.clientCA') : undefined;
    if (got) terminate = { certificate: got.name, ...(clientCa ? { clientCa } : {}) };
  }
  let originate: ChainTls['originate'];
  if (tls.originate) {
    const o = tls.originate;
    const trust = r.trust(o.trust, 'originatingTLS.trustedCA');
    const client = o.clientCertificate ? r.certificate(o.clientCertificate, 'client', 'originatingTLS.clientCertificate') : undefined;
    if (trust) {
      originate = {
        trust,
        ...(o.serverName !== undefined ? { serverName: o.serverName } : {}),
        subjectAltNames: o.subjectAltNames,
        ...(client ? { clientCertificate: client.name } : {}),
        ...(o.port !== undefined ? { port: o.port } : {}),
      };
    }
  }
  let inject: ChainTls['inject'];
  if (tls.inject) {
    const credential = r.credential(tls.inject.credential, tls.inject.prefix, 'injectHeaders[0].secret');
    if (credential) inject = { header: tls.inject.header, credential, overwrite: tls.inject.when === 'mismatch' };
  }
  const chain: ChainTls = {
    serverNames: tls.serverNames,
    ...(terminate ? { terminate } : {}),
    ...(originate ? { originate } : {}),
    ...(inject ? { inject } : {}),
    ...(r.unavailable !== undefined ? { unavailable: r.unavailable } : {}),
  };
  // A chain that refuses its connections needs no secret.
  const secrets = r.unavailable !== undefined ? [] : [...r.secrets.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { tls: chain, secrets, problems: r.problems, ...(r.unavailableField !== undefined ? { unavailableField: r.unavailableField } : {}) };
}

/** The secrets (`namespace/name`) a port rule's TLS names, sorted: what `resolveTls` looks up in the catalog. */
export function tlsSecretNames(tls: PortTls): string[] {
  const names = new Set<string>();
  if (tls.terminate?.certificate.kind === 'secret') names.add(tls.terminate.certificate.secret);
  if (tls.terminate?.clientCa) names.add(tls.terminate.clientCa.secret);
  if (tls.originate?.trust.kind === 'secret') names.add(tls.originate.trust.ref.secret);
  if (tls.originate?.clientCertificate) names.add(tls.originate.clientCertificate.secret);
  if (tls.inject) names.add(tls.inject.credential.secret);
  return [...names].sort();
}

/** The catalog entries a port rule's TLS reads, as one string: equal strings, equal resolutions. */
export function tlsDependencies(tls: PortTls, catalog: SecretCatalog | undefined): string {
  if (!catalog) return 'no catalog';
  const names = tlsSecretNames(tls);
  const state = (s: CatalogSecret | undefined) => (s ? `${s.version}:${[...(s.invalidNow ?? new Map<string, string>()).entries()].join(';')}` : 'none');
  const parts = [...names].sort().map((n) => `${n}=${state(catalog.secrets.get(n))}/${catalog.broken.get(n) ?? ''}`);
  if (tls.terminate?.certificate.kind === 'issued') parts.push(`issued=${catalog.issuer}:${state(catalog.issued.get(issuedKey(tls.serverNames)))}`);
  return parts.join('\n');
}
