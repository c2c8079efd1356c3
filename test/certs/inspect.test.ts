/** What inspect reports, exactly, at an injected clock (everything but the signature is deterministic). */
import { describe, expect, it } from '@jest/globals';
import { createCa, DAY_MS, formatCertificateInfo, inspectCertificate, issueLeaf, x509 } from '../../certs/index.js';
import { openssl, T0, testEnv, value } from './support.js';

describe('inspectCertificate', () => {
  it('reports every field of a leaf, its key identifiers matching the issuer, its fingerprint matching openssl', async () => {
    const env = testEnv();
    const ca = value(await createCa({ intermediate: true }, env));
    const leaf = value(await issueLeaf(ca, { dns: ['orders.shop.svc'], ips: ['::1'], uris: ['spiffe://td/node/a'], usages: ['server', 'client'], days: 10 }, env)).certificate;
    const info = inspectCertificate(leaf, T0);
    const intermediateSki = ca.intermediate?.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
    expect(info).toEqual({
      subject: 'CN=orders.shop.svc',
      issuer: 'CN=sluice root CA intermediate',
      serial: '6122232425262728292a2b2c2d2e2f30', // the third serial of the counter source (0x21 → 0x61: into 0x40-0x7f)
      notBefore: '2026-03-01T11:55:00Z',
      notAfter: '2026-03-11T12:00:00Z',
      state: 'valid',
      keyType: 'ecdsa-p256',
      sans: { dns: ['orders.shop.svc'], ip: ['::1'], uri: ['spiffe://td/node/a'], email: [] },
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: ['serverAuth', 'clientAuth'],
      basicConstraints: { ca: false },
      subjectKeyId: expect.stringMatching(/^[0-9a-f]{40}$/),
      authorityKeyId: intermediateSki,
      fingerprintSha256: openssl(['x509', '-noout', '-fingerprint', '-sha256'], leaf.toString('pem')).trim().replace('sha256 Fingerprint=', ''),
      publicKeySha256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
    });
    expect(inspectCertificate(leaf, new Date(T0.getTime() + 11 * DAY_MS)).state).toBe('expired');
    expect(inspectCertificate(leaf, new Date(T0.getTime() - DAY_MS)).state).toBe('not-yet-valid');
  });

  it('formats the validity relative to the clock', async () => {
    const env = testEnv();
    const ca = value(await createCa({ days: 30 }, env));
    const info = inspectCertificate(ca.root, T0);
    expect(formatCertificateInfo(info, 'root.crt', T0)).toMatch(/^root\.crt\n  subject            CN=sluice root CA\n[\s\S]*\n  valid              2026-03-01T11:55:00Z to 2026-03-31T12:00:00Z \(expires in 30d\)\n/);
    const later = new Date(T0.getTime() + 33 * DAY_MS + 3_600_000);
    expect(formatCertificateInfo(inspectCertificate(ca.root, later), 'root.crt', later)).toMatch(/\(EXPIRED 3d1h ago\)\n/);
    expect(formatCertificateInfo(info, 'root.crt', T0)).toMatch(/\n  basic constraints  CA:TRUE, pathlen:0\n/);
  });
});
