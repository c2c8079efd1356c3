/**
 * Hostile and broken input: every case a precise diagnostic (code, file, field path or line) or a
 * CertsError naming the file, never a crash. CA files made by openssl are read too.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import {
  CertsError,
  checkSecret,
  createCa,
  issueLeaf,
  loadCa,
  loadCaFromPem,
  MAX_PEM_BYTES,
  parseCertificates,
  parsePem,
  parsePrivateKeyPem,
  privateKeyPem,
  saveCa,
  saveSecret,
  x509,
  type Ca,
} from '../../certs/index.js';
import { openssl, opensslStatus, problems, T0, tempDir, testEnv, value } from './support.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const env = testEnv();
const pem = (c: x509.X509Certificate) => c.toString('pem') + '\n';
const source = (file: string, text: string) => ({ file, text });

async function caPem(ca: Ca) {
  return { root: pem(ca.root), rootKey: await privateKeyPem(env.crypto, ca.signer.key) };
}

describe('PEM text', () => {
  const block = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;

  it.each<[string, string, string, number | undefined]>([
    ['an empty file', '', 'pem.none', undefined],
    ['text without a block', 'hello\n', 'pem.none', undefined],
    ['binary (DER)', '\x30\x82\x01\x00\x00', 'pem.binary', undefined],
    ['a BEGIN without END', 'x\n-----BEGIN CERTIFICATE-----\nMIIB\n', 'pem.truncated', 2],
    ['a block cut by the next BEGIN', '-----BEGIN CERTIFICATE-----\nMIIB\n-----BEGIN CERTIFICATE-----\n', 'pem.truncated', 1],
    ['END of another label', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END PRIVATE KEY-----\n', 'pem.label-mismatch', 3],
    ['not base64', block('CERTIFICATE', 'MII!B'), 'pem.base64', 2],
    ['base64 cut short', block('CERTIFICATE', 'MIIBx'), 'pem.base64', 1],
    ['an empty block', block('CERTIFICATE', ''), 'pem.empty-block', 1],
  ])('%s', (_what, text, code, line) => {
    expect(problems(parsePem(text))).toEqual([expect.objectContaining({ code, ...(line !== undefined ? { line } : {}) })]);
  });

  it('allows explanatory text around blocks (openssl writes subject= lines)', () => {
    const r = value(parsePem(`subject=CN = x\n${block('CERTIFICATE', 'AAEC')}\ntrailing words\n${block('CERTIFICATE', 'AwQ=')}`));
    expect(r.map((b) => [b.label, [...b.der], b.line])).toEqual([
      ['CERTIFICATE', [0, 1, 2], 2],
      ['CERTIFICATE', [3, 4], 7],
    ]);
  });

  it('bounds the size and the number of blocks', () => {
    expect(problems(parsePem('x'.repeat(MAX_PEM_BYTES + 1)))).toEqual([expect.objectContaining({ code: 'file.too-large' })]);
    expect(problems(parsePem(block('CERTIFICATE', 'AAEC').repeat(101)))).toEqual([expect.objectContaining({ code: 'pem.too-many-blocks' })]);
  });

  it('a certificate block holding something else, a truncated DER, trailing bytes, a key among certificates', async () => {
    const ca = value(await createCa({}, env));
    const der = new Uint8Array(ca.root.rawData);
    const asPem = (bytes: Uint8Array) => block('CERTIFICATE', Buffer.from(bytes).toString('base64'));
    expect(problems(parseCertificates(asPem(der.subarray(0, der.length - 10))))).toEqual([expect.objectContaining({ code: 'cert.unparsable', path: 'certificate[0]', line: 1 })]);
    expect(problems(parseCertificates(asPem(Uint8Array.from([...der, 0, 0]))))).toEqual([expect.objectContaining({ code: 'cert.unparsable', message: expect.stringMatching(/2 bytes after the certificate/) })]);
    expect(problems(parseCertificates(asPem(Uint8Array.from([1, 2, 3]))))).toEqual([expect.objectContaining({ code: 'cert.unparsable' })]);
    const key = await privateKeyPem(env.crypto, ca.signer.key);
    expect(problems(parseCertificates(pem(ca.root) + key))).toEqual([expect.objectContaining({ code: 'pem.unexpected-label', path: 'certificate[1]', message: expect.stringMatching(/found PRIVATE KEY \(a key where certificates belong\)/) })]);
  });
});

describe('private keys', () => {
  const gen = (args: string[]) => openssl(args);

  it('reads PKCS#8, traditional SEC1 EC (with its EC PARAMETERS block) and PKCS#1 RSA keys', async () => {
    const sec1 = gen(['ecparam', '-genkey', '-name', 'prime256v1']);
    expect(sec1).toMatch(/BEGIN EC PARAMETERS[\s\S]*BEGIN EC PRIVATE KEY/);
    expect(value(await parsePrivateKeyPem(env.crypto, sec1)).type).toBe('ecdsa-p256');
    const pkcs1 = gen(['genrsa', '-traditional', '2048']);
    expect(pkcs1).toMatch(/BEGIN RSA PRIVATE KEY/);
    const rsa = value(await parsePrivateKeyPem(env.crypto, pkcs1));
    expect(rsa.type).toBe('rsa-2048');
    // Written back as PKCS#8, it is the same key for openssl.
    const out = await privateKeyPem(env.crypto, rsa);
    expect(out).toMatch(/BEGIN PRIVATE KEY/);
    expect(openssl(['pkey', '-pubout'], out)).toBe(openssl(['pkey', '-pubout'], pkcs1));
  });

  it.each<[string, string[], string]>([
    ['an encrypted PKCS#8 key', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-aes256', '-pass', 'pass:secret'], 'key.encrypted'],
    ['Ed25519', ['genpkey', '-algorithm', 'ed25519'], 'key.unsupported'],
    ['P-384', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], 'key.unsupported'],
    ['RSA-1024', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024'], 'key.unsupported'],
  ])('refuses %s', async (_what, args, code) => {
    expect(problems(await parsePrivateKeyPem(env.crypto, gen(args)))).toEqual([expect.objectContaining({ code, path: 'privateKey' })]);
  });

  it('refuses a legacy encrypted EC key (Proc-Type header), two keys, a certificate, a garbage key', async () => {
    const legacy = openssl(['ec', '-aes256', '-passout', 'pass:secret'], gen(['ecparam', '-genkey', '-name', 'prime256v1', '-noout']));
    expect(legacy).toMatch(/Proc-Type: 4,ENCRYPTED/);
    expect(problems(await parsePrivateKeyPem(env.crypto, legacy))).toEqual([expect.objectContaining({ code: 'key.encrypted' })]);
    const one = gen(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    expect(problems(await parsePrivateKeyPem(env.crypto, one + one))).toEqual([expect.objectContaining({ code: 'key.multiple', line: 6, message: 'more than one private key (lines 1 and 6)' })]);
    const ca = value(await createCa({}, env));
    expect(problems(await parsePrivateKeyPem(env.crypto, pem(ca.root)))).toEqual([expect.objectContaining({ code: 'pem.unexpected-label', message: expect.stringMatching(/found CERTIFICATE/) })]);
    expect(problems(await parsePrivateKeyPem(env.crypto, '-----BEGIN PRIVATE KEY-----\nAAECAwQ=\n-----END PRIVATE KEY-----\n'))).toEqual([expect.objectContaining({ code: 'key.unparsable', line: 1 })]);
  });
});

describe('loading a CA', () => {
  it('refuses a key that does not belong to the root', async () => {
    const [a, b] = [value(await createCa({}, env)), value(await createCa({}, env))];
    const r = await loadCaFromPem({ root: source('root.crt', pem(a.root)), rootKey: source('root.key', (await caPem(b)).rootKey) }, env);
    expect(problems(r)).toEqual([{ code: 'key.mismatch', path: 'privateKey', file: 'root.key', message: expect.stringMatching(/does not belong to root\.crt \(CN=sluice root CA\)/) }]);
  });

  it('refuses an expired and a not-yet-valid root, at the injected clock', async () => {
    const ca = value(await createCa({ days: 1 }, env));
    const files = await caPem(ca);
    const load = (now: Date) => loadCaFromPem({ root: source('root.crt', files.root), rootKey: source('root.key', files.rootKey) }, { now: () => now, crypto: env.crypto });
    expect(problems(await load(new Date(T0.getTime() + 2 * 86_400_000)))).toEqual([expect.objectContaining({ code: 'cert.expired', path: 'root.validity.notAfter', file: 'root.crt' })]);
    expect(problems(await load(new Date(T0.getTime() - 3_600_000)))).toEqual([expect.objectContaining({ code: 'cert.not-yet-valid', path: 'root.validity.notBefore' })]);
    value(await load(T0));
  });

  it('refuses a leaf used as the CA', async () => {
    const ca = value(await createCa({}, env));
    const leaf = value(await issueLeaf(ca, { dns: ['leaf.example.com'] }, env));
    const r = await loadCaFromPem({ root: source('root.crt', pem(leaf.certificate)), rootKey: source('root.key', await privateKeyPem(env.crypto, leaf.key)) }, env);
    expect(problems(r)).toEqual([
      expect.objectContaining({ code: 'ca.not-ca', path: 'root.extensions.basicConstraints', message: expect.stringMatching(/CA:FALSE: it is not a CA/) }),
      expect.objectContaining({ code: 'ca.key-usage', path: 'root.extensions.keyUsage' }),
    ]);
  });

  it('refuses an intermediate given as the root (not self-signed), and an intermediate of another root', async () => {
    const [a, b] = [value(await createCa({ intermediate: true }, env)), value(await createCa({ intermediate: true }, env))];
    const aInt = a.intermediate ?? a.root;
    const asRoot = await loadCaFromPem({ root: source('root.crt', pem(aInt)), rootKey: source('root.key', await privateKeyPem(env.crypto, a.signer.key)) }, env);
    expect(problems(asRoot)).toEqual([expect.objectContaining({ code: 'ca.not-self-signed', path: 'root' })]);
    const mixed = await loadCaFromPem(
      { root: source('root.crt', pem(b.root)), intermediate: source('intermediate.crt', pem(aInt)), intermediateKey: source('intermediate.key', await privateKeyPem(env.crypto, a.signer.key)) },
      env,
    );
    expect(problems(mixed)).toEqual([expect.objectContaining({ code: 'chain.issuer', path: 'intermediate', file: 'intermediate.crt' })]);
  });

  it('loads a CA openssl made (SEC1 key), whose leaves openssl verifies', async () => {
    const key = tmp.file('openssl-ca.key', openssl(['ecparam', '-genkey', '-name', 'prime256v1', '-noout']));
    const cert = openssl(['req', '-x509', '-key', key, '-subj', '/O=elsewhere/CN=openssl CA', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
    // openssl starts the CA at its clock's current second: the test clock starts after that.
    const now = testEnv(new Date(Date.now() + 1000));
    const ca = value(await loadCaFromPem({ root: source('root.crt', cert), rootKey: source('root.key', fs.readFileSync(key, 'utf8')) }, now));
    const leaf = value(await issueLeaf(ca, { dns: ['via-openssl-ca.example.com'] }, now));
    expect(leaf.certificate.issuer).toBe('O=elsewhere, CN=openssl CA');
    // The backdate stops at the CA's own notBefore: the leaf is never valid before its issuer.
    expect(leaf.certificate.notBefore).toEqual(ca.root.notBefore);
    const out = opensslStatus(['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', tmp.file('openssl-ca.crt', cert), tmp.file('openssl-leaf.crt', pem(leaf.certificate))]);
    expect(out).toEqual({ status: 0, out: expect.stringMatching(/OK\n$/) });
  });

  it('refuses self-signed certificates that are not CAs, and a CA without keyCertSign (made by openssl)', async () => {
    const now = testEnv(new Date(Date.now() + 60_000)); // after the certificates openssl makes below start
    const key = tmp.file('k.key', openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']));
    const load = (cert: string) => loadCaFromPem({ root: source('root.crt', cert), rootKey: source('root.key', fs.readFileSync(key, 'utf8')) }, now);
    const selfSignedLeaf = openssl(['req', '-x509', '-key', key, '-subj', '/CN=just a server', '-days', '2', '-addext', 'basicConstraints=critical,CA:FALSE']);
    expect(problems(await load(selfSignedLeaf))).toEqual([expect.objectContaining({ code: 'ca.not-ca', message: 'CN=just a server has basicConstraints CA:FALSE: it is not a CA (a leaf certificate cannot sign others)' })]);
    const signingOnly = openssl(['req', '-x509', '-key', key, '-subj', '/CN=no cert sign', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,digitalSignature']);
    expect(problems(await load(signingOnly))).toEqual([expect.objectContaining({ code: 'ca.key-usage', path: 'root.extensions.keyUsage', message: expect.stringMatching(/lacks keyCertSign/) })]);
  });
});

describe('CA and secret directories', () => {
  it('names the missing file, a directory where a file belongs, and a huge or truncated file', async () => {
    const d = tempDir();
    try {
      await expect(loadCa(d.dir, env)).rejects.toEqual(new CertsError('file-missing', `${path.join(d.dir, 'root.crt')}: no such file (create a CA with \`sluice certs init --dir ${d.dir}\`)`));
      const ca = value(await createCa({}, env));
      await saveCa(d.dir, ca, env.crypto);
      fs.rmSync(path.join(d.dir, 'root.key'));
      await expect(loadCa(d.dir, env)).rejects.toMatchObject({ code: 'file-missing', path: path.join(d.dir, 'root.key') });
      fs.mkdirSync(path.join(d.dir, 'root.key'));
      await expect(loadCa(d.dir, env)).rejects.toMatchObject({ code: 'file-unreadable', message: `${path.join(d.dir, 'root.key')}: is a directory` });
      fs.rmdirSync(path.join(d.dir, 'root.key'));
      const key = await privateKeyPem(env.crypto, ca.signer.key);
      fs.writeFileSync(path.join(d.dir, 'root.key'), 'A'.repeat(MAX_PEM_BYTES + 1));
      expect(problems(await loadCa(d.dir, env))).toEqual([expect.objectContaining({ code: 'file.too-large', file: path.join(d.dir, 'root.key') })]);
      fs.writeFileSync(path.join(d.dir, 'root.key'), key);
      const root = fs.readFileSync(path.join(d.dir, 'root.crt'), 'utf8');
      fs.writeFileSync(path.join(d.dir, 'root.crt'), root.slice(0, root.length / 2));
      expect(problems(await loadCa(d.dir, env))).toEqual([expect.objectContaining({ code: 'pem.truncated', file: path.join(d.dir, 'root.crt'), line: 1 })]);
    } finally {
      d.remove();
    }
  });

  it('checkSecret: a chain out of order, a foreign ca.crt, a key of another certificate', async () => {
    const ca = value(await createCa({ intermediate: true }, env));
    const other = value(await createCa({}, env));
    const leaf = value(await issueLeaf(ca, { dns: ['s.example.com'] }, env));
    const d = tempDir();
    try {
      await saveSecret(d.dir, leaf, env.crypto);
      const read = (name: string) => source(name, fs.readFileSync(path.join(d.dir, name), 'utf8'));
      const good = { cert: read('tls.crt'), key: read('tls.key'), ca: read('ca.crt') };
      expect((await checkSecret(good, T0, env.crypto)).diagnostics).toEqual([]);
      const swapped = { ...good, cert: source('tls.crt', leaf.chain.slice().reverse().map(pem).join('')) };
      expect((await checkSecret(swapped, T0, env.crypto)).diagnostics).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'chain.issuer', path: 'certificate[0]' })]));
      const foreign = { ...good, ca: source('ca.crt', pem(other.root)) };
      expect((await checkSecret(foreign, T0, env.crypto)).diagnostics).toEqual([expect.objectContaining({ code: 'chain.untrusted', path: 'certificate[1]', file: 'tls.crt' })]);
      const wrongKey = { ...good, key: source('tls.key', await privateKeyPem(env.crypto, other.signer.key)) };
      expect((await checkSecret(wrongKey, T0, env.crypto)).diagnostics).toEqual([expect.objectContaining({ code: 'key.mismatch', file: 'tls.key' })]);
      const late = await checkSecret(good, new Date(T0.getTime() + 91 * 86_400_000), env.crypto);
      expect(late.diagnostics).toEqual([expect.objectContaining({ code: 'cert.expired', path: 'certificate[0].validity.notAfter' })]);
    } finally {
      d.remove();
    }
  });
});
