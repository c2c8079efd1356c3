/** Renewal decisions at an injected clock, and rotation: same names and usages, new key and serial. */
import { describe, expect, it } from '@jest/globals';
import { KeyObject } from 'node:crypto';
import { createCa, DAY_MS, formatDuration, issueLeaf, parseDuration, renewalDecision, rotateLeaf, rotationDecision, x509 } from '../../certs/index.js';
import { T0, testEnv, value } from './support.js';

const at = (ms: number) => new Date(T0.getTime() + ms);
// A 90-day certificate issued at T0.
const validity = { notBefore: T0, notAfter: at(90 * DAY_MS) };

describe('renewalDecision', () => {
  it.each([
    ['at issuance', 0, false, 'not-due'],
    ['one millisecond before the window', 60 * DAY_MS - 1, false, 'not-due'],
    ['at the start of the window', 60 * DAY_MS, true, 'within-window'],
    ['inside the window', 89 * DAY_MS, true, 'within-window'],
    ['at notAfter (still valid: notAfter is inclusive)', 90 * DAY_MS, true, 'within-window'],
    ['after notAfter', 90 * DAY_MS + 1, true, 'expired'],
    ['before notBefore', -1, true, 'not-yet-valid'],
  ])('%s, 30d window', (_what, offset, due, reason) => {
    const d = renewalDecision(validity, at(offset), 30 * DAY_MS);
    expect([d.due, d.reason]).toEqual([due, reason]);
    expect(d.renewAt).toEqual(at(60 * DAY_MS));
    expect(d.windowClamped).toBe(false);
  });

  it('applies a third of the lifetime when the window is not shorter than the lifetime, so a fresh certificate is not due at once', () => {
    const d = renewalDecision(validity, at(DAY_MS), 90 * DAY_MS);
    expect(d).toMatchObject({ due: false, reason: 'not-due', windowClamped: true, windowMs: 30 * DAY_MS, renewAt: at(60 * DAY_MS) });
    expect(renewalDecision(validity, at(61 * DAY_MS), 365 * DAY_MS)).toMatchObject({ due: true, reason: 'within-window' });
  });

  it('defaults to a 30-day window', () => {
    expect(renewalDecision(validity, at(59 * DAY_MS)).due).toBe(false);
    expect(renewalDecision(validity, at(60 * DAY_MS)).due).toBe(true);
  });
});

describe('durations', () => {
  it.each([
    ['30d', 30 * DAY_MS],
    ['12h', 12 * 3_600_000],
    ['90m', 90 * 60_000],
    ['45s', 45_000],
    ['1d12h', 36 * 3_600_000],
  ])('%s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
    expect(parseDuration(formatDuration(ms))).toBe(ms);
  });

  it.each(['', '30', 'd', '1x', '-1d', '1h1d', '1.5d', ' 1d'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('rotateLeaf', () => {
  it('keeps the names, usages, common name, key type and lifetime; changes the serial and the key', async () => {
    const env = testEnv();
    const ca = value(await createCa({ intermediate: true }, env));
    const first = value(await issueLeaf(ca, { dns: ['orders.shop.svc', '*.orders.shop.svc'], ips: ['10.1.0.7'], uris: ['spiffe://td/ns/shop/sa/orders'], usages: ['server', 'client'], commonName: 'orders', days: 45 }, env));
    env.setNow(at(40 * DAY_MS));
    const second = value(await rotateLeaf(ca, first.certificate, env));
    const sans = (c: x509.X509Certificate) => c.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON();
    expect(sans(second.certificate)).toEqual(sans(first.certificate));
    expect(second.certificate.subject).toBe('CN=orders');
    expect(second.certificate.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]);
    expect(second.certificate.serialNumber).not.toBe(first.certificate.serialNumber);
    expect(KeyObject.from(second.key.publicKey).equals(KeyObject.from(first.key.publicKey))).toBe(false);
    expect(second.key.type).toBe('ecdsa-p256');
    expect(second.certificate.notBefore).toEqual(new Date(at(40 * DAY_MS).getTime() - 5 * 60_000));
    expect(second.certificate.notAfter).toEqual(at(85 * DAY_MS));
  });

  it('keeps an RSA key type, and takes a new lifetime or key type when asked', async () => {
    const env = testEnv();
    const ca = value(await createCa({}, env));
    const rsa = value(await issueLeaf(ca, { dns: ['rsa.example.com'], keyType: 'rsa-2048' }, env));
    const again = value(await rotateLeaf(ca, rsa.certificate, env, { days: 7 }));
    expect(again.key.type).toBe('rsa-2048');
    expect(again.certificate.notAfter).toEqual(at(7 * DAY_MS));
    const ec = value(await rotateLeaf(ca, rsa.certificate, env, { keyType: 'ecdsa-p256' }));
    expect(ec.key.type).toBe('ecdsa-p256');
  });

  it('refuses a certificate without names to reissue with', async () => {
    const env = testEnv();
    const ca = value(await createCa({}, env));
    // The root itself has no SAN: it is not a leaf to rotate.
    const r = await rotateLeaf(ca, ca.root, env);
    expect(r).toEqual({ ok: false, diagnostics: [expect.objectContaining({ code: 'leaf.no-names' })] });
  });
});

describe('rotationDecision', () => {
  it('is due when the CA that signs leaves did not sign this one, even far from expiry', async () => {
    const env = testEnv();
    const ca = value(await createCa({}, env));
    const leaf = value(await issueLeaf(ca, { dns: ['a.example.com'] }, env));
    expect(await rotationDecision(leaf.certificate, ca, T0, 30 * DAY_MS, env.crypto)).toMatchObject({ due: false, reason: 'not-due' });
    const replaced = value(await createCa({}, env));
    expect(await rotationDecision(leaf.certificate, replaced, T0, 30 * DAY_MS, env.crypto)).toMatchObject({ due: true, reason: 'issuer-changed' });
  });
});
