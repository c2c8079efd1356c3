/**
 * `sluice certs` as users meet it, through runCli: help, precise usage errors, and the round trip
 * init → issue → inspect → rotate in a temp dir, judged by openssl.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../support/run-cli.js';
import { openssl, opensslStatus, tempDir } from './support.js';

const tmp = tempDir('sluice-certs-cli-');
afterAll(() => tmp.remove());
const at = (...parts: string[]) => path.join(tmp.dir, ...parts);

describe('sluice certs help and usage', () => {
  it('lists the four commands in sluice --help', async () => {
    const r = await runCli(['--help']);
    for (const name of ['certs init', 'certs issue', 'certs inspect', 'certs rotate']) expect(r.stdout).toMatch(new RegExp(`\\n  ${name} +\\S`));
  });

  it('sluice certs --help lists the four commands and exits 0; sluice certs alone is a usage error with the same list', async () => {
    const help = await runCli(['certs', '--help']);
    expect(help.code).toBe(0);
    expect(help.stderr).toBe('');
    expect(help.stdout.split('\n').filter((l) => l.startsWith('  certs ')).map((l) => l.trim().split(/\s{2,}/)[0])).toEqual(['certs init', 'certs issue', 'certs inspect', 'certs rotate']);
    expect(await runCli(['certs'])).toEqual({ code: 2, stdout: '', stderr: help.stdout });
    const unknown = await runCli(['certs', 'bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(`sluice: unknown command "certs bogus"\n\n${help.stdout}`);
  });

  it.each(['init', 'issue', 'inspect', 'rotate'])('certs %s --help prints usage and exits 0', async (name) => {
    const r = await runCli(['certs', name, '--help']);
    expect(r).toEqual({ code: 0, stdout: expect.stringMatching(new RegExp(`^Usage: sluice certs ${name} `)), stderr: '' });
  });

  it.each<[string[], string]>([
    [['certs', 'init'], '--dir DIR is required'],
    [['certs', 'init', '--dir', 'x', '--key-type', 'rsa-1024'], '--key-type: expected ecdsa-p256, rsa-2048, rsa-3072, got "rsa-1024"'],
    [['certs', 'init', '--dir', 'x', '--days', '1.5'], '--days: expected a whole number of days from 1 to 36500, got "1.5"'],
    [['certs', 'init', '--dir', 'x', '--days', '0'], '--days: expected a whole number of days from 1 to 36500, got "0"'],
    [['certs', 'rotate', '--ca-dir', 'x', '--dir', 'y', '--days', '36501'], '--days: expected a whole number of days from 1 to 36500, got "36501"'],
    [['certs', 'init', '--dir', 'x', '--intermediate', '--name', 'n'.repeat(60)], `--name: "${'n'.repeat(60)}": with " intermediate" appended, 73 characters, more than 64 (keep it under 52)`],
    [['certs', 'init', '--dir', 'x', '--bogus'], "Unknown option '--bogus'"],
    [['certs', 'issue', '--out', 'x', '--dns', 'a'], '--ca-dir DIR is required'],
    [['certs', 'issue', '--ca-dir', 'x', '--dns', 'a'], '--out DIR is required'],
    [['certs', 'issue', '--ca-dir', 'x', '--out', 'y'], 'give at least one name: --dns NAME, --ip IP or --uri URI'],
    [['certs', 'inspect'], 'give the FILE or DIR to inspect'],
    [['certs', 'inspect', 'a', 'b'], 'inspect takes one FILE or DIR, got also "b"'],
    [['certs', 'inspect', '-o', 'yaml', 'a'], '--output: expected text or json, got "yaml"'],
    [['certs', 'rotate', '--ca-dir', 'x'], '--dir SECRETDIR is required'],
    [['certs', 'rotate', '--ca-dir', 'x', '--dir', 'y', '--window', '30'], '--window: expected a duration such as 30d, 12h or 1d12h, got "30"'],
  ])('%j is a usage error: %s', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    // parseArgs's own messages carry its error code first (TypeError [ERR_PARSE_ARGS_UNKNOWN_OPTION]: ...).
    expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^sluice ${args.slice(0, 2).join(' ')}: (TypeError \\[ERR_PARSE_ARGS_\\w+\\]: )?${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
    expect(r.stderr).toMatch(/\n\nUsage: sluice certs /);
  });

  it('refuses bad names as usage errors naming the flag, after the CA loads', async () => {
    expect((await runCli(['certs', 'init', '--dir', at('names-ca')])).code).toBe(0);
    const r = await runCli(['certs', 'issue', '--ca-dir', at('names-ca'), '--out', at('names-out'), '--dns', 'ok.example', '--dns', '*.com', '--ip', '10.0.0.300', '--uri', 'spiffe://TD/x']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').slice(0, 3)).toEqual([
      'sluice certs issue: --dns: "*.com": a wildcard must cover a name of at least two labels (*.example.com)',
      '--ip: "10.0.0.300": not an IPv4 or IPv6 address',
      '--uri: "spiffe://TD/x": the trust domain "TD" may hold only a-z, 0-9, ".", "-" and "_" (no port, user or upper case)',
    ]);
    expect(fs.existsSync(at('names-out'))).toBe(false);
  });

  it('names a missing CA (exit 3) and a broken one (exit 1), and never overwrites a CA', async () => {
    const missing = await runCli(['certs', 'issue', '--ca-dir', at('nowhere'), '--out', at('o'), '--dns', 'a.example']);
    expect(missing).toMatchObject({ code: 3, stderr: `sluice certs issue: ${at('nowhere', 'root.crt')}: no such file (create a CA with \`sluice certs init --dir ${at('nowhere')}\`) [file-missing]\n` });
    fs.mkdirSync(at('broken-ca'));
    fs.writeFileSync(at('broken-ca', 'root.crt'), '-----BEGIN CERTIFICATE-----\nMIIB\n');
    fs.writeFileSync(at('broken-ca', 'root.key'), '');
    const broken = await runCli(['certs', 'issue', '--ca-dir', at('broken-ca'), '--out', at('o'), '--dns', 'a.example']);
    expect(broken).toMatchObject({ code: 1, stderr: `${at('broken-ca', 'root.crt')}:1: error: "-----BEGIN CERTIFICATE-----" is not closed before the end of the file: the file is truncated [pem.truncated]\n` });
    const again = await runCli(['certs', 'init', '--dir', at('broken-ca')]);
    expect(again).toMatchObject({ code: 3, stderr: expect.stringMatching(/root\.crt exists: .* already holds a CA .*\[exists\]\n$/) });
  });
});

describe('init → issue → inspect → rotate', () => {
  const ca = at('ca');
  const secret = at('orders-tls');

  it('init makes a CA with an intermediate', async () => {
    const r = await runCli(['certs', 'init', '--dir', ca, '--intermediate', '--name', 'shop CA']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^created a CA in .*: root\.crt, root\.key, intermediate\.crt, intermediate\.key \(keys 0600\)\n/);
    expect(fs.statSync(path.join(ca, 'intermediate.key')).mode & 0o777).toBe(0o600);
  });

  it('issue writes a secret directory whose chain openssl verifies', async () => {
    const r = await runCli(['certs', 'issue', '--ca-dir', ca, '--out', secret, '--dns', 'orders.shop.svc', '--dns', '*.orders.shop.svc', '--ip', '10.1.0.7', '--days', '20']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^issued .*orders-tls: tls\.crt \(leaf \+ 1 intermediate\), tls\.key \(0600\), ca\.crt\n  subject  CN=orders\.shop\.svc\n  names    DNS:orders\.shop\.svc, DNS:\*\.orders\.shop\.svc, IP:10\.1\.0\.7\n  usage    serverAuth\n  key      ecdsa-p256\n/);
    expect(fs.statSync(path.join(secret, 'tls.key')).mode & 0o777).toBe(0o600);
    // tls.crt is the leaf then the intermediate: openssl takes the intermediate from it as untrusted.
    const verify = opensslStatus(['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', path.join(secret, 'ca.crt'), '-untrusted', path.join(secret, 'tls.crt'), path.join(secret, 'tls.crt')]);
    expect(verify).toEqual({ status: 0, out: `${path.join(secret, 'tls.crt')}: OK\n` });
    expect(openssl(['pkey', '-in', path.join(secret, 'tls.key'), '-pubout'])).toBe(openssl(['x509', '-in', path.join(secret, 'tls.crt'), '-noout', '-pubkey']));
  });

  it('issue refuses to replace a certificate without --force', async () => {
    const r = await runCli(['certs', 'issue', '--ca-dir', ca, '--out', secret, '--dns', 'other.example']);
    expect(r).toMatchObject({ code: 3, stderr: expect.stringMatching(/tls\.crt exists: renew it with `sluice certs rotate`, or replace it with --force \[exists\]/) });
  });

  it('inspect prints the fields, and -o json the same as data', async () => {
    const text = await runCli(['certs', 'inspect', secret]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/tls\.crt certificate\[0\]\n  subject            CN=orders\.shop\.svc\n  issuer             CN=shop CA intermediate\n/);
    expect(text.stdout).toMatch(/  SANs               DNS:orders\.shop\.svc, DNS:\*\.orders\.shop\.svc, IP:10\.1\.0\.7\n  key usage          digitalSignature\n  ext key usage      serverAuth\n  basic constraints  CA:FALSE\n/);
    expect(text.stdout).toMatch(/: ok \(the key matches the leaf; the chain verifies to ca\.crt; all valid now\)\n$/);
    const json = await runCli(['certs', 'inspect', '-o', 'json', path.join(secret, 'tls.crt')]);
    const report = JSON.parse(json.stdout) as { kind: string; certificates: { subject: string; fingerprintSha256: string; sans: { dns: string[] }; basicConstraints: unknown; keyType: string; state: string }[] };
    expect(report.kind).toBe('certificates');
    expect(report.certificates.map((c) => [c.subject, c.keyType, c.state, c.basicConstraints])).toEqual([
      ['CN=orders.shop.svc', 'ecdsa-p256', 'valid', { ca: false }],
      ['CN=shop CA intermediate', 'ecdsa-p256', 'valid', { ca: true, pathLength: 0 }],
    ]);
    const fingerprint = openssl(['x509', '-in', path.join(secret, 'tls.crt'), '-noout', '-fingerprint', '-sha256']).trim();
    expect(fingerprint).toBe(`sha256 Fingerprint=${report.certificates[0]?.fingerprintSha256 ?? ''}`);
  });

  it('inspect reports a key that does not match, exit 1', async () => {
    const other = at('other-tls');
    expect((await runCli(['certs', 'issue', '--ca-dir', ca, '--out', other, '--uri', 'spiffe://cluster.local/node/node-a', '--client'])).code).toBe(0);
    const mixed = at('mixed-tls');
    fs.mkdirSync(mixed);
    for (const f of ['tls.crt', 'ca.crt']) fs.copyFileSync(path.join(secret, f), path.join(mixed, f));
    fs.copyFileSync(path.join(other, 'tls.key'), path.join(mixed, 'tls.key'));
    fs.chmodSync(path.join(mixed, 'tls.key'), 0o600);
    const r = await runCli(['certs', 'inspect', mixed]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${path.join(mixed, 'tls.key')}: error: privateKey: this key does not belong to the leaf of ${path.join(mixed, 'tls.crt')} (CN=orders.shop.svc) [key.mismatch]\n`);
    expect(r.stdout).toMatch(/: 1 problem\(s\)\n$/);
  });

  it('rotate says when it is not due, and renews inside the window: same names, new serial and key', async () => {
    const before = fs.readFileSync(path.join(secret, 'tls.crt'), 'utf8');
    const keyBefore = fs.readFileSync(path.join(secret, 'tls.key'), 'utf8');
    const notDue = await runCli(['certs', 'rotate', '--ca-dir', ca, '--dir', secret, '--window', '7d']);
    expect(notDue).toMatchObject({ code: 0, stderr: '' });
    expect(notDue.stdout).toMatch(/^not due: .*tls\.crt \(CN=orders\.shop\.svc\) expires \S+Z; renewal from \S+Z \(window 7d\)\n$/);
    // A window longer than the 20-day lifetime means a third of it: still not due.
    const clamped = await runCli(['certs', 'rotate', '--ca-dir', ca, '--dir', secret, '--window', '30d']);
    expect(clamped.stdout).toMatch(/^not due: .*\(window 6d16h1m40s, a third of the lifetime, as 30d is not shorter than it\)\n$/);
    expect(fs.readFileSync(path.join(secret, 'tls.crt'), 'utf8')).toBe(before);

    const serial = (file: string) => openssl(['x509', '-in', file, '-noout', '-serial']).trim();
    const sans = (file: string) => openssl(['x509', '-in', file, '-noout', '-ext', 'subjectAltName']);
    const oldSerial = serial(path.join(secret, 'tls.crt'));
    const oldSans = sans(path.join(secret, 'tls.crt'));
    // The certificate lives 20d + the 5-minute backdate and was issued seconds ago: a 20d2m window holds now.
    const due = await runCli(['certs', 'rotate', '--ca-dir', ca, '--dir', secret, '--window', '20d2m']);
    expect(due.stderr).toBe('');
    expect(due.code).toBe(0);
    expect(due.stdout).toMatch(/^rotated .*orders-tls: it expires \S+Z, within the window 20d2m\n  serial   [0-9a-f]{32} → [0-9a-f]{32}\n/);
    expect(serial(path.join(secret, 'tls.crt'))).not.toBe(oldSerial);
    expect(sans(path.join(secret, 'tls.crt'))).toBe(oldSans);
    expect(fs.readFileSync(path.join(secret, 'tls.key'), 'utf8')).not.toBe(keyBefore);
    expect(fs.statSync(path.join(secret, 'tls.key')).mode & 0o777).toBe(0o600);
    expect(opensslStatus(['verify', '-purpose', 'sslserver', '-CAfile', path.join(secret, 'ca.crt'), '-untrusted', path.join(secret, 'tls.crt'), path.join(secret, 'tls.crt')]).status).toBe(0);
    expect((await runCli(['certs', 'inspect', secret])).code).toBe(0);
  });

  it('rotate --force renews a certificate that is not due, with a new key type when asked', async () => {
    const r = await runCli(['certs', 'rotate', '--ca-dir', ca, '--dir', secret, '--force', '--key-type', 'rsa-2048', '--days', '10']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rotated .*: forced\n[\s\S]*  key      rsa-2048\n/);
    expect(openssl(['x509', '-in', path.join(secret, 'tls.crt'), '-noout', '-text'])).toMatch(/Public-Key: \(2048 bit\)/);
  });

  it('rotate renews a certificate of a CA that was replaced, and names a missing secret', async () => {
    const newCa = at('ca-2');
    expect((await runCli(['certs', 'init', '--dir', newCa])).code).toBe(0);
    const r = await runCli(['certs', 'rotate', '--ca-dir', newCa, '--dir', secret]);
    expect(r.stdout).toMatch(/^rotated .*: the CA no longer matches the one that issued it\n/);
    expect(fs.readFileSync(path.join(secret, 'ca.crt'), 'utf8')).toBe(fs.readFileSync(path.join(newCa, 'root.crt'), 'utf8'));
    const missing = await runCli(['certs', 'rotate', '--ca-dir', newCa, '--dir', at('no-secret')]);
    expect(missing).toMatchObject({ code: 3, stderr: `sluice certs rotate: ${at('no-secret', 'tls.crt')}: no such file [file-missing]\n` });
  });
});
