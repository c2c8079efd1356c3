/**
 * Certificates from PEM, and the checks every certificate sluice loads goes through: validity at
 * the injected clock, what a CA must be (CA:TRUE, keyCertSign), what a TLS leaf must be, and
 * whether one certificate was issued by another (names and signature).
 */
import type { webcrypto } from 'node:crypto';
import type { Diagnostic } from '../policy-compiler/index.js';
import { reason } from './keys.js';
import { parsePem } from './pem.js';
import { problem } from './problems.js';
import { failed, ok, type Result, type Usage } from './types.js';
import { UNTRUSTED_PARSE, x509 } from './x509-lib.js';

/** Every certificate of a PEM bundle, in file order; `name` prefixes the field paths (`certificate[1]`). */
export function parseCertificates(text: string, name = 'certificate'): Result<x509.X509Certificate[]> {
  const pem = parsePem(text);
  if (!pem.ok) return pem;
  const certificates: x509.X509Certificate[] = [];
  for (const [i, block] of pem.value.entries()) {
    const path = `${name}[${i}]`;
    if (block.label !== 'CERTIFICATE') {
      return failed([problem('pem.unexpected-label', path, `expected CERTIFICATE, found ${block.label}${block.label.includes('PRIVATE KEY') ? ' (a key where certificates belong)' : ''}`, { line: block.line })]);
    }
    try {
      const length = derSequenceLength(block.der);
      if (length !== undefined && length < block.der.byteLength) throw new Error(`${block.der.byteLength - length} bytes after the certificate`);
      const certificate = new x509.X509Certificate(block.der, UNTRUSTED_PARSE);
      // Touch the fields later code reads, so that a malformed one fails here, with its line.
      void [certificate.notBefore, certificate.notAfter, certificate.subjectName, certificate.issuerName, certificate.extensions, certificate.publicKey.rawData];
      certificates.push(certificate);
    } catch (error) {
      return failed([problem('cert.unparsable', path, `not an X.509 certificate: ${reason(error)}`, { line: block.line })]);
    }
  }
  return ok(certificates);
}

/** The encoded length of the DER SEQUENCE at the start of `der` (the parser ignores what follows it). */
function derSequenceLength(der: Uint8Array): number | undefined {
  const first = der[1];
  if (der[0] !== 0x30 || first === undefined) return undefined;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || der.length < 2 + n) return undefined;
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + (der[2 + i] ?? 0);
  return 2 + n + length;
}

/** One certificate, the only one in the text. */
export function parseCertificate(text: string, name = 'certificate'): Result<x509.X509Certificate> {
  const all = parseCertificates(text, name);
  if (!all.ok) return all;
  const [first, second] = all.value;
  if (!first || second) return failed([problem('pem.too-many-blocks', name, `expected one certificate, found ${all.value.length}`)]);
  return ok(first);
}

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');

/** Expired (now after notAfter) or not yet valid (now before notBefore), at the injected clock. */
export function validityProblem(cert: x509.X509Certificate, now: Date, path: string): Diagnostic | undefined {
  if (now.getTime() > cert.notAfter.getTime()) return problem('cert.expired', `${path}.validity.notAfter`, `${cert.subject || 'the certificate'} expired at ${iso(cert.notAfter)} (now ${iso(now)})`);
  if (now.getTime() < cert.notBefore.getTime()) return problem('cert.not-yet-valid', `${path}.validity.notBefore`, `${cert.subject || 'the certificate'} is not valid before ${iso(cert.notBefore)} (now ${iso(now)})`);
  return undefined;
}

/** What stops `cert` from signing certificates: no CA:TRUE, or a key usage without keyCertSign. */
export function caProblems(cert: x509.X509Certificate, path: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const bc = cert.getExtension(x509.BasicConstraintsExtension);
  if (!bc?.ca) {
    const what = !bc ? 'has no basicConstraints extension' : 'has basicConstraints CA:FALSE';
    out.push(problem('ca.not-ca', `${path}.extensions.basicConstraints`, `${cert.subject || 'the certificate'} ${what}: it is not a CA (a leaf certificate cannot sign others)`));
  }
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  if (ku && (ku.usages & x509.KeyUsageFlags.keyCertSign) === 0) {
    out.push(problem('ca.key-usage', `${path}.extensions.keyUsage`, `${cert.subject || 'the certificate'} may not sign certificates: its key usage lacks keyCertSign`));
  }
  return out;
}

/** What stops `cert` from being a TLS leaf for `usages`. */
export function leafProblems(cert: x509.X509Certificate, path: string, usages: readonly Usage[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (cert.getExtension(x509.BasicConstraintsExtension)?.ca) out.push(problem('leaf.is-ca', `${path}.extensions.basicConstraints`, `${cert.subject} is a CA certificate, not a leaf`));
  const ku = cert.getExtension(x509.KeyUsagesExtension);
  if (ku && (ku.usages & x509.KeyUsageFlags.digitalSignature) === 0) {
    out.push(problem('leaf.key-usage', `${path}.extensions.keyUsage`, `${cert.subject || 'the certificate'}: key usage lacks digitalSignature, TLS handshakes would fail`));
  }
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages;
  for (const usage of usages) {
    const oid = usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth;
    if (eku && !eku.includes(oid)) out.push(problem('leaf.extended-key-usage', `${path}.extensions.extendedKeyUsage`, `${cert.subject || 'the certificate'} is not for ${usage === 'server' ? 'serverAuth' : 'clientAuth'}`));
  }
  return out;
}

function sameName(a: x509.Name, b: x509.Name): boolean {
  return Buffer.from(a.toArrayBuffer()).equals(Buffer.from(b.toArrayBuffer()));
}

/** True when `child` names `parent` as its issuer and `parent`'s key verifies its signature. */
export async function issuedBy(child: x509.X509Certificate, parent: x509.X509Certificate, crypto: webcrypto.Crypto): Promise<boolean> {
  if (!sameName(child.issuerName, parent.subjectName)) return false;
  try {
    return await child.verify({ publicKey: parent.publicKey, signatureOnly: true }, crypto);
  } catch {
    return false;
  }
}

/** True when the certificate names itself as issuer and its own key verifies its signature. */
export function selfSigned(cert: x509.X509Certificate, crypto: webcrypto.Crypto): Promise<boolean> {
  return issuedBy(cert, cert, crypto);
}

/**
 * Checks a served chain (leaf first, then intermediates, in order) against a trust bundle: each
 * certificate valid now and issued by the next, the CAs able to sign, the last one issued by (or
 * being) a certificate of the bundle.
 */
export async function chainProblems(chain: readonly x509.X509Certificate[], trust: readonly x509.X509Certificate[], now: Date, crypto: webcrypto.Crypto): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const [i, cert] of chain.entries()) {
    const path = `certificate[${i}]`;
    const invalid = validityProblem(cert, now, path);
    if (invalid) out.push(invalid);
    if (i > 0) out.push(...caProblems(cert, path));
    const next = chain[i + 1];
    if (next && !(await issuedBy(cert, next, crypto))) out.push(problem('chain.issuer', path, `${cert.subject || 'the certificate'} is not issued by the next certificate in the file (${next.subject}): the chain is out of order or mixed up`));
  }
  const last = chain[chain.length - 1];
  if (!last) return out;
  for (const anchor of trust) {
    if (Buffer.from(anchor.rawData).equals(Buffer.from(last.rawData)) || (await issuedBy(last, anchor, crypto))) return out;
  }
  out.push(problem('chain.untrusted', `certificate[${chain.length - 1}]`, `${last.subject || 'the certificate'} is not issued by any certificate of the trust bundle (issuer ${last.issuer})`));
  return out;
}
