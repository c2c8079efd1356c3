/**
 * Issuance, proven by openssl: chains verify with `openssl verify`; validity, serials, SANs, key
 * usage, extended key usage, basic constraints, key identifiers and key types are checked field by
 * field with openssl's parser and with @peculiar/x509; PEM round-trips through openssl.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  BACKDATE_MS,
  createCa,
  issueLeaf,
  privateKeyPem,
  x509,
  type Ca,
  type IssuedLeaf,
  type KeyType,
} from '../../certs/index.js';
import { openssl, opensslExt, opensslStatus, T0, tempDir, testEnv, value } from './support.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

let n = 0;
function write(cert: x509.X509Certificate | readonly x509.X509Certificate[]): string {
  const list = Array.isArray(cert) ? cert : [cert as x509.X509Certificate];
  return tmp.file(`c${++n}.pem`, list.map((c) => c.toString('pem') + '\n').join(''));
}

/** `openssl verify` at the injected clock (its -attime), so the fixed test clock is the one judged. */
function verify(root: x509.X509Certificate, leaf: IssuedLeaf, intermediates: readonly x509.X509Certificate[] = []) {
  const args = ['verify', '-attime', String(Math.floor(T0.getTime() / 1000) + 60), '-x509_strict', '-CAfile', write(root)];
  if (intermediates.length > 0) args.push('-untrusted', write(intermediates));
  if (leaf.usages.includes('server')) args.push('-purpose', 'sslserver');
  return opensslStatus([...args, write(leaf.certificate)]);
}

describe('a root CA', () => {
  it('is self-signed, CA:TRUE pathlen:0, keyCertSign+cRLSign, with the injected validity and a random positive serial', async () => {
    const env = testEnv();
    const ca = value(await createCa({ days: 365, commonName: 'shop CA, "prod"' }, env));
    const file = write(ca.root);
    expect(ca.root.notBefore).toEqual(new Date(T0.getTime() - BACKDATE_MS));
    expect(ca.root.notAfter).toEqual(new Date(T0.getTime() + 365 * 86_400_000));
    // The counter source gave 01 02 ... 10; the first byte is forced into 0x40-0x7f (positive, minimal DER).
    expect(ca.root.serialNumber).toBe('4102030405060708090a0b0c0d0e0f10');
    expect(openssl(['x509', '-in', file, '-noout', '-serial', '-dates', '-subject', '-issuer', '-nameopt', 'RFC2253']).trim().split('\n')).toEqual([
      'serial=4102030405060708090A0B0C0D0E0F10',
      'notBefore=Mar  1 11:55:00 2026 GMT',
      'notAfter=Mar  1 12:00:00 2027 GMT',
      'subject=CN=shop CA\\, \\"prod\\"',
      'issuer=CN=shop CA\\, \\"prod\\"',
    ]);
    expect(opensslExt(file, 'basicConstraints')).toBe('CA:TRUE, pathlen:0');
    expect(openssl(['x509', '-in', file, '-noout', '-ext', 'basicConstraints,keyUsage'])).toMatch(/Basic Constraints: critical[\s\S]*Key Usage: critical\n\s+Certificate Sign, CRL Sign\n/);
    const ski = ca.root.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ?? '';
    // RFC 5280 method 1 (SHA-1 of the public key bits), as @peculiar/x509 computes it on its own.
    expect(ski).toBe(Buffer.from(await ca.root.publicKey.getKeyIdentifier(env.crypto)).toString('hex'));
    expect(opensslExt(file, 'subjectKeyIdentifier').replace(/:/g, '').toLowerCase()).toBe(ski);
    expect(opensslStatus(['verify', '-attime', String(T0.getTime() / 1000), '-x509_strict', '-CAfile', file, file]).status).toBe(0);
  });

  it('with an intermediate: root pathlen:1, intermediate pathlen:0 issued by it, AKI = the root SKI, the same validity', async () => {
    const env = testEnv();
    const ca = value(await createCa({ intermediate: true, days: 100 }, env));
    const intermediate = ca.intermediate;
    if (!intermediate) throw new Error('no intermediate');
    expect(ca.signer.certificate).toBe(intermediate);
    expect(opensslExt(write(ca.root), 'basicConstraints')).toBe('CA:TRUE, pathlen:1');
    const file = write(intermediate);
    expect(opensslExt(file, 'basicConstraints')).toBe('CA:TRUE, pathlen:0');
    expect(opensslExt(file, 'keyUsage')).toBe('Certificate Sign, CRL Sign');
    expect(intermediate.subject).toBe('CN=sluice root CA intermediate');
    expect(intermediate.issuer).toBe('CN=sluice root CA');
    const rootSki = ca.root.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
    expect(intermediate.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(rootSki);
    expect(intermediate.notBefore).toEqual(ca.root.notBefore);
    expect(intermediate.notAfter).toEqual(ca.root.notAfter);
    expect(intermediate.serialNumber).not.toBe(ca.root.serialNumber);
  });
});

describe('a server leaf', () => {
  let env: ReturnType<typeof testEnv>;
  let ca: Ca;
  let leaf: IssuedLeaf;
  let file: string;

  beforeAll(async () => {
    env = testEnv();
    ca = value(await createCa({ intermediate: true }, env));
    leaf = value(await issueLeaf(ca, { dns: ['orders.shop.svc', '*.shop.svc.cluster.local', 'Orders.Shop.Svc'], ips: ['10.1.0.7', '2001:DB8::0:1'], days: 30 }, env));
    file = write(leaf.certificate);
  });

  it('is issued for DNS names (a wildcard too) and IPs, and verifies with openssl through the intermediate', () => {
    const intermediate = ca.intermediate ? [ca.intermediate] : [];
    expect(verify(ca.root, leaf, intermediate)).toEqual({ status: 0, out: expect.stringMatching(/: OK\n$/) });
    // Without the intermediate the chain does not build: the leaf really hangs off it.
    expect(verify(ca.root, leaf).status).not.toBe(0);
    expect(leaf.chain).toEqual([leaf.certificate, ca.intermediate]);
  });

  it('carries exactly the SANs, lower-cased, deduplicated and canonical', () => {
    expect(opensslExt(file, 'subjectAltName')).toBe('DNS:orders.shop.svc, DNS:*.shop.svc.cluster.local, IP Address:10.1.0.7, IP Address:2001:DB8:0:0:0:0:0:1');
    const san = leaf.certificate.getExtension(x509.SubjectAlternativeNameExtension);
    expect(san?.critical).toBe(false); // the subject is not empty
    expect(san?.names.toJSON()).toEqual([
      { type: 'dns', value: 'orders.shop.svc' },
      { type: 'dns', value: '*.shop.svc.cluster.local' },
      { type: 'ip', value: '10.1.0.7' },
      { type: 'ip', value: '2001:db8::1' },
    ]);
    expect(leaf.certificate.subject).toBe('CN=orders.shop.svc');
  });

  it('has CA:FALSE (critical), digitalSignature only for ECDSA (critical), serverAuth, SKI and AKI = the intermediate SKI', async () => {
    const text = openssl(['x509', '-in', file, '-noout', '-text']);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:FALSE\n/);
    expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Server Authentication\n/);
    expect(text).toMatch(/Public Key Algorithm: id-ecPublicKey[\s\S]*NIST CURVE: P-256/);
    expect(text).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
    expect(leaf.certificate.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(leaf.certificate.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.serverAuth]);
    const intermediateSki = ca.intermediate?.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ?? 'none';
    expect(leaf.certificate.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(intermediateSki);
    expect(opensslExt(file, 'authorityKeyIdentifier').replace(/:/g, '').toLowerCase()).toBe(intermediateSki);
    expect(leaf.certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toBe(Buffer.from(await leaf.certificate.publicKey.getKeyIdentifier(env.crypto)).toString('hex'));
  });

  it('is valid from now minus the backdate for the days asked, with a fresh serial', () => {
    expect(leaf.certificate.notBefore).toEqual(new Date(T0.getTime() - BACKDATE_MS));
    expect(leaf.certificate.notAfter).toEqual(new Date(T0.getTime() + 30 * 86_400_000));
    expect(leaf.clamped).toBe(false);
    expect(leaf.certificate.serialNumber).toMatch(/^[4-7][0-9a-f]{31}$/);
    expect(new Set([ca.root.serialNumber, ca.intermediate?.serialNumber, leaf.certificate.serialNumber]).size).toBe(3);
  });

  it('round-trips through openssl x509 and its key through openssl pkey (PKCS#8), matching the certificate', async () => {
    const pem = leaf.certificate.toString('pem');
    expect(openssl(['x509'], pem).trim()).toBe(pem.trim());
    const keyPem = await privateKeyPem(env.crypto, leaf.key);
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(openssl(['pkey'], keyPem)).toBe(keyPem);
    const keyPub = openssl(['pkey', '-pubout'], keyPem);
    const certPub = openssl(['x509', '-noout', '-pubkey'], pem);
    expect(keyPub).toBe(certPub);
  });

  it('is never valid past its issuer: a leaf asked for longer than the CA lives ends with the CA', async () => {
    const shortCa = value(await createCa({ days: 10 }, env));
    const long = value(await issueLeaf(shortCa, { dns: ['a.example.com'], days: 90 }, env));
    expect(long.clamped).toBe(true);
    expect(long.certificate.notAfter).toEqual(shortCa.root.notAfter);
  });
});

describe('a client leaf', () => {
  it('for the xDS channel: a SPIFFE URI SAN only, clientAuth, an empty subject with a critical SAN', async () => {
    const env = testEnv();
    const ca = value(await createCa({}, env));
    const uri = 'spiffe://cluster.local/node/node-a-with-a-long-name-that-does-not-fit-into-a-common-name-at-all';
    const leaf = value(await issueLeaf(ca, { uris: [uri], usages: ['client'] }, env));
    const file = write(leaf.certificate);
    expect(leaf.certificate.subject).toBe('');
    expect(openssl(['x509', '-in', file, '-noout', '-ext', 'subjectAltName,extendedKeyUsage'])).toBe(
      `X509v3 Extended Key Usage: \n    TLS Web Client Authentication\nX509v3 Subject Alternative Name: critical\n    URI:${uri}\n`,
    );
    expect(opensslStatus(['verify', '-attime', String(T0.getTime() / 1000), '-x509_strict', '-purpose', 'sslclient', '-CAfile', write(ca.root), file]).status).toBe(0);
    expect(opensslStatus(['verify', '-attime', String(T0.getTime() / 1000), '-purpose', 'sslserver', '-CAfile', write(ca.root), file]).status).not.toBe(0);
  });

  it('for both ends of a proxy: serverAuth and clientAuth', async () => {
    const env = testEnv();
    const ca = value(await createCa({}, env));
    const leaf = value(await issueLeaf(ca, { dns: ['node-a.sluice'], uris: ['spiffe://td/node/node-a'], usages: ['server', 'client'], commonName: 'node-a' }, env));
    const file = write(leaf.certificate);
    expect(opensslExt(file, 'extendedKeyUsage')).toBe('TLS Web Server Authentication, TLS Web Client Authentication');
    expect(leaf.certificate.subject).toBe('CN=node-a');
  });
});

// RSA-3072 key generation takes seconds on a loaded 2-core machine: that case goes without the intermediate.
describe.each<[KeyType, RegExp, boolean]>([
  ['rsa-2048', /Public-Key: \(2048 bit\)/, true],
  ['rsa-3072', /Public-Key: \(3072 bit\)/, false],
])('%s on request', (keyType, bits, withIntermediate) => {
  it('makes the CA and the leaf of that type, signed sha256WithRSAEncryption, verified by openssl', async () => {
    const env = testEnv();
    const ca = value(await createCa({ keyType, intermediate: withIntermediate }, env));
    const leaf = value(await issueLeaf(ca, { dns: ['rsa.example.com'], keyType }, env));
    const text = openssl(['x509', '-in', write(leaf.certificate), '-noout', '-text']);
    expect(text).toMatch(/Public Key Algorithm: rsaEncryption/);
    expect(text).toMatch(bits);
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(opensslExt(write(leaf.certificate), 'keyUsage')).toBe('Digital Signature, Key Encipherment');
    expect(openssl(['x509', '-in', write(ca.root), '-noout', '-text'])).toMatch(bits);
    expect(leaf.certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toBe(Buffer.from(await leaf.certificate.publicKey.getKeyIdentifier(env.crypto)).toString('hex'));
    expect(verify(ca.root, leaf, ca.intermediate ? [ca.intermediate] : []).status).toBe(0);
    const keyPem = await privateKeyPem(env.crypto, leaf.key);
    expect(openssl(['pkey', '-noout', '-text'], keyPem)).toMatch(new RegExp(`Private-Key: \\(${keyType.slice(4)} bit, 2 primes\\)`));
  }, 120_000); // RSA key generation: seconds each on a loaded 2-core machine
});

describe('a bad request is a diagnostic, and nothing is signed', () => {
  it('names each bad field', async () => {
    const env = testEnv();
    const ca = value(await createCa({}, env));
    const keysBefore = env.keys.length;
    const r = await issueLeaf(ca, { dns: ['ok.example.com', 'bad..example.com', '*.com'], ips: ['10.0.0.256'], uris: ['spiffe://TD/x'], days: 0, commonName: 'x'.repeat(65) }, env);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ['request.dns', 'dns[1]'],
      ['request.dns', 'dns[2]'],
      ['request.ip', 'ips[0]'],
      ['request.uri', 'uris[0]'],
      ['request.days', 'days'],
      ['request.common-name', 'commonName'],
    ]);
    expect(r.diagnostics[0]?.message).toBe('"bad..example.com": has an empty label');
    expect(env.keys.length).toBe(keysBefore);
  });

  it('takes a lifetime in milliseconds instead of days (lifetimeMs), checked the same way', async () => {
    const env = testEnv();
    const ca = value(await createCa({ lifetimeMs: 40_000 }, env));
    expect(ca.root.notAfter.getTime() - T0.getTime()).toBe(40_000);
    const leaf = value(await issueLeaf(ca, { dns: ['short.example.com'], lifetimeMs: 12_000 }, env));
    expect(leaf.certificate.notAfter.getTime() - T0.getTime()).toBe(12_000);
    expect(leaf.clamped).toBe(false);
    expect(value(await issueLeaf(ca, { dns: ['short.example.com'], lifetimeMs: 60_000 }, env)).clamped).toBe(true);
    for (const lifetimeMs of [999, 1.5e3 + 0.5, 36_501 * 86_400_000]) {
      const r = await issueLeaf(ca, { dns: ['short.example.com'], lifetimeMs }, env);
      expect(r).toEqual({ ok: false, diagnostics: [expect.objectContaining({ code: 'request.days', path: 'lifetimeMs', message: `${lifetimeMs}: expected a whole number of milliseconds from 1000 to 36500 days` })] });
    }
    expect((await createCa({ lifetimeMs: 10 }, env)).ok).toBe(false);
  });

  it('refuses a certificate without names', async () => {
    const env = testEnv();
    const ca = value(await createCa({}, env));
    const r = await issueLeaf(ca, { usages: ['client'] }, env);
    expect(r).toEqual({ ok: false, diagnostics: [expect.objectContaining({ code: 'request.names', message: expect.stringMatching(/at least one name/) })] });
  });

  it('refuses to issue from a CA that has expired (at the injected clock)', async () => {
    const env = testEnv();
    const ca = value(await createCa({ days: 1 }, env));
    env.setNow(new Date(T0.getTime() + 2 * 86_400_000));
    const r = await issueLeaf(ca, { dns: ['late.example.com'] }, env);
    expect(r).toEqual({ ok: false, diagnostics: [expect.objectContaining({ code: 'cert.expired', path: 'signer.validity.notAfter' })] });
  });
});
