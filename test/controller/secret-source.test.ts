/**
 * `serve --secrets DIR` read and judged: the Kubernetes volume layout (keys as symbolic links into
 * `..data`, swapped atomically) and a plain directory rename both read as one version; hostile
 * versions (bad or truncated PEM, a key that does not match, a huge file, two private keys, an
 * empty directory) never replace the last good one, and say why; expired and not-yet-valid
 * certificates are recorded for the compiler to report at the field that uses them.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCa, encodePem, issueLeaf, privateKeyPem } from '../../certs/index.js';
import { directorySecrets } from '../../controller/index.js';
import { testEnv } from '../certs/support.js';
import { leaf, newCa, writeSecret, type Pem } from '../support/tls.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-secrets-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const NOW = new Date();

/** A Kubernetes secret volume: `..data -> ..<version>`, each key `k -> ..data/k`. */
function kubeVolume(dir: string, version: string, keys: Record<string, string>): void {
  fs.mkdirSync(path.join(dir, `..${version}`), { recursive: true });
  for (const [k, v] of Object.entries(keys)) fs.writeFileSync(path.join(dir, `..${version}`, k), v);
  const tmp = path.join(dir, '..data_tmp');
  fs.symlinkSync(`..${version}`, tmp);
  fs.renameSync(tmp, path.join(dir, '..data'));
  for (const k of Object.keys(keys)) if (!fs.existsSync(path.join(dir, k))) fs.symlinkSync(path.join('..data', k), path.join(dir, k));
}

describe('the secret source', () => {
  let pem: Pem;
  let other: Pem;
  const source = directorySecrets(root);

  it('reads a directory per namespace/name, each file a key; a token is text, PEM is judged', async () => {
    const ca = await newCa('source CA');
    pem = await leaf(ca, { dns: ['a.shop'] });
    other = await leaf(ca, { dns: ['b.shop'] });
    writeSecret(root, 'shop/a-tls', { 'tls.crt': pem.cert, 'tls.key': pem.key, 'ca.crt': pem.ca });
    writeSecret(root, 'shop/token', { token: 'abc\n' });
    const { catalog, problems } = source.read(NOW);
    expect(problems).toEqual([]);
    expect([...catalog.secrets.keys()].sort()).toEqual(['shop/a-tls', 'shop/token']);
    const a = catalog.secrets.get('shop/a-tls');
    expect(a?.values.get('tls.crt')?.kind).toBe('certificates');
    expect(a?.values.get('tls.key')?.kind).toBe('private-key');
    expect(catalog.secrets.get('shop/token')?.values.get('token')).toEqual({ kind: 'text', text: 'abc\n' });
  });

  it('a Kubernetes secret volume (..data symlink swapped) reads as its current version', async () => {
    const dir = path.join(root, 'shop', 'kube');
    kubeVolume(dir, 'v1', { 'tls.crt': pem.cert, 'tls.key': pem.key });
    const v1 = source.read(NOW).catalog.secrets.get('shop/kube');
    kubeVolume(dir, 'v2', { 'tls.crt': other.cert, 'tls.key': other.key });
    const v2 = source.read(NOW).catalog.secrets.get('shop/kube');
    expect(v1?.version).toBeDefined();
    expect(v2?.version).not.toBe(v1?.version);
    expect(v2?.values.get('tls.crt')?.text).toBe(other.cert);
  });

  const hostile: Array<[string, () => Record<string, string>, RegExp]> = [
    ['a key that does not match the certificate', () => ({ 'tls.crt': pem.cert, 'tls.key': other.key }), /tls\.key is not the key of tls\.crt's certificate \(CN=a\.shop\)/],
    ['a truncated certificate', () => ({ 'tls.crt': pem.cert.slice(0, pem.cert.length / 2), 'tls.key': pem.key }), /tls\.crt/],
    ['PEM that is not base64', () => ({ 'tls.crt': '-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n', 'tls.key': pem.key }), /not base64/],
    ['a garbage private key', () => ({ 'tls.crt': pem.cert, 'tls.key': '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }), /tls\.key: not a usable private key/],
    ['two private keys in one key', () => ({ 'tls.crt': pem.cert, 'tls.key': pem.key + other.key }), /a private key must be the only PEM block/],
    ['a huge file', () => ({ 'tls.crt': 'x'.repeat(300 * 1024), 'tls.key': pem.key }), /tls\.crt: 307200 bytes; the limit is 262144/],
  ];
  for (const [what, keys, why] of hostile) {
    it(`${what}: the last good version stays in force, marked stale with the reason`, () => {
      const good = source.read(NOW).catalog.secrets.get('shop/a-tls');
      writeSecret(root, 'shop/a-tls', keys());
      const { catalog, problems } = source.read(NOW);
      const now = catalog.secrets.get('shop/a-tls');
      expect(now?.version).toBe(good?.version);
      expect(now?.values.get('tls.crt')?.text).toBe(pem.cert);
      expect(now?.stale).toMatch(why);
      expect(problems.join('\n')).toMatch(/secret shop\/a-tls: .*\(the last good version stays in force\)/);
      writeSecret(root, 'shop/a-tls', { 'tls.crt': pem.cert, 'tls.key': pem.key });
      expect(source.read(NOW).catalog.secrets.get('shop/a-tls')?.stale).toBeUndefined();
    });
  }

  it('a rotation to an expired or not-yet-valid certificate keeps the valid one in force', async () => {
    const past = testEnv(new Date('2024-01-01T00:00:00Z'));
    const oldCa = await createCa({ days: 3650 }, past);
    if (!oldCa.ok) throw new Error('no CA');
    const expired = await issueLeaf(oldCa.value, { dns: ['a.shop'], days: 1 }, past);
    if (!expired.ok) throw new Error('no leaf');
    const good = source.read(NOW).catalog.secrets.get('shop/a-tls');
    writeSecret(root, 'shop/a-tls', { 'tls.crt': encodePem('CERTIFICATE', expired.value.certificate.rawData), 'tls.key': await privateKeyPem(past.crypto, expired.value.key) });
    const now = source.read(NOW).catalog.secrets.get('shop/a-tls');
    expect(now?.version).toBe(good?.version);
    expect(now?.stale).toMatch(/^the new version's tls\.crt expired at 2024-01-02/);
    writeSecret(root, 'shop/a-tls', { 'tls.crt': pem.cert, 'tls.key': pem.key });
    expect(source.read(NOW).catalog.secrets.get('shop/a-tls')?.stale).toBeUndefined();
  });

  it('a secret that never had a good version is broken, with the reason; an empty directory too', () => {
    writeSecret(root, 'shop/never', { 'tls.crt': pem.cert, 'tls.key': other.key });
    fs.mkdirSync(path.join(root, 'shop', 'empty'));
    const { catalog } = source.read(NOW);
    expect(catalog.secrets.has('shop/never')).toBe(false);
    expect(catalog.broken.get('shop/never')).toMatch(/tls\.key is not the key/);
    expect(catalog.broken.get('shop/empty')).toBe('it holds no keys');
  });

  it('expired and not-yet-valid certificates are kept, with when (the compiler reports them at the field)', () => {
    const later = new Date(Date.now() + 400 * 86_400_000);
    const earlier = new Date(Date.now() - 86_400_000);
    const s = directorySecrets(root);
    expect(s.read(later).catalog.secrets.get('shop/a-tls')?.invalidNow?.get('tls.crt')).toMatch(/^expired at /);
    expect(s.read(earlier).catalog.secrets.get('shop/a-tls')?.invalidNow?.get('tls.crt')).toMatch(/^not valid before /);
  });

  it('a removed secret is gone', () => {
    fs.rmSync(path.join(root, 'shop', 'token'), { recursive: true });
    expect(source.read(NOW).catalog.secrets.has('shop/token')).toBe(false);
  });
});
