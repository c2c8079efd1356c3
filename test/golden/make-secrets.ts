/**
 * Writes the secrets of the TLS golden cases (`compile/<case>.secrets.yaml`): fixture CAs and
 * leaves from sluice's certs/ module, valid for about a century from 2024-2026 (the golden clock is
 * GOLDEN_NOW), one expired and one not yet valid. Test material only; re-run by hand
 * (compile it with tsc and run it with the compile directory as its argument) if the cases need new ones.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { webcrypto } from 'node:crypto';
import { stringify } from 'yaml';
import { createCa, encodePem, generateKeyMaterial, issueLeaf, privateKeyPem, type Ca, type CertsEnv, type LeafRequest } from '../../certs/index.js';

const DIR = process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), 'compile');

function envAt(date: string): CertsEnv {
  return { now: () => new Date(date), crypto: webcrypto, generateKey: (t) => generateKeyMaterial(webcrypto, t), randomBytes: (n) => webcrypto.getRandomValues(new Uint8Array(n)) };
}

const must = <T>(r: { ok: true; value: T } | { ok: false; diagnostics: readonly { message: string }[] }): T => {
  if (!r.ok) throw new Error(r.diagnostics.map((d) => d.message).join('; '));
  return r.value;
};

async function tlsSecret(ca: Ca, request: LeafRequest, at = '2026-01-01T00:00:00Z'): Promise<Record<string, string>> {
  const leaf = must(await issueLeaf(ca, request, envAt(at)));
  return { 'tls.crt': leaf.chain.map((c) => encodePem('CERTIFICATE', c.rawData)).join(''), 'tls.key': await privateKeyPem(webcrypto, leaf.key) };
}

async function main(): Promise<void> {
  const env = envAt('2024-01-01T00:00:00Z');
  const ca = must(await createCa({ commonName: 'golden CA', days: 36_000 }, env));
  const other = must(await createCa({ commonName: 'golden other CA', days: 36_000 }, env));
  const caPem = encodePem('CERTIFICATE', ca.root.rawData);
  const orders = await tlsSecret(ca, { dns: ['orders.shop'], days: 36_000 });
  const tls = {
    'shop/orders-tls': { ...orders, 'ca.crt': caPem },
    'shop/clients-ca': { 'ca.crt': caPem },
    'shop/api-intercept': await tlsSecret(ca, { dns: ['api.example.com'], days: 36_000 }),
    'shop/upstream-ca': { 'ca.crt': encodePem('CERTIFICATE', other.root.rawData) },
    'shop/api-token': { token: 'golden-token\n' },
    'shop/web-client': await tlsSecret(ca, { dns: ['web.shop'], usages: ['client'], days: 36_000 }),
  };
  const mismatched = await tlsSecret(ca, { dns: ['a.shop'], days: 36_000 });
  const invalid = {
    'shop/orders-tls': orders,
    'shop/no-key': { 'tls.crt': orders['tls.crt'] ?? '' },
    'shop/mismatch': { 'tls.crt': orders['tls.crt'] ?? '', 'tls.key': mismatched['tls.key'] ?? '' },
    'shop/expired': await tlsSecret(ca, { dns: ['old.shop'], days: 1 }, '2025-01-01T00:00:00Z'),
    'shop/future': await tlsSecret(ca, { dns: ['new.shop'], days: 1 }, '2027-01-01T00:00:00Z'),
    'shop/not-a-ca': { 'ca.crt': orders['tls.crt'] ?? '' },
    'shop/bad-pem': { 'tls.crt': '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n', 'tls.key': orders['tls.key'] ?? '' },
    'shop/client-only': await tlsSecret(ca, { dns: ['client.shop'], usages: ['client'], days: 36_000 }),
    'shop/key-as-token': { token: orders['tls.key'] ?? '' },
  };
  fs.writeFileSync(path.join(DIR, 'tls.secrets.yaml'), stringify(tls, { lineWidth: 0 }));
  // tls-inject: the same interception certificate, upstream CA and token.
  const inject = { 'shop/api-intercept': tls['shop/api-intercept'], 'shop/upstream-ca': tls['shop/upstream-ca'], 'shop/api-token': tls['shop/api-token'] };
  fs.writeFileSync(path.join(DIR, 'tls-inject.secrets.yaml'), stringify(inject, { lineWidth: 0 }));
  // tls-wildcard: a certificate for *.orders.shop and orders.shop.
  const wildcard = { 'shop/wildcard-tls': await tlsSecret(ca, { dns: ['*.orders.shop', 'orders.shop'], days: 36_000 }) };
  fs.writeFileSync(path.join(DIR, 'tls-wildcard.secrets.yaml'), stringify(wildcard, { lineWidth: 0 }));
  fs.writeFileSync(path.join(DIR, 'invalid-tls.secrets.yaml'), stringify(invalid, { lineWidth: 0 }));
}

await main();
