/**
 * Files: keys 0600 (fs.stat), certificates 0644, directories 0700; writes atomic, so that a failure
 * at any step (injected through the fs seam) or a directory in a target's place leaves the old
 * files as they were.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import {
  CertsError,
  createCa,
  issueLeaf,
  loadCa,
  nodeFs,
  readSecretFiles,
  saveCa,
  saveSecret,
  writeFilesAtomically,
  type FsSeam,
} from '../../certs/index.js';
import { openssl, tempDir, testEnv, value } from './support.js';

const env = testEnv();
let dirs: ReturnType<typeof tempDir>[] = [];
function scratch() {
  const d = tempDir();
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs) d.remove();
  dirs = [];
});

const mode = (file: string) => fs.statSync(file).mode & 0o777;
const listing = (dir: string) => fs.readdirSync(dir).sort();

describe('a CA directory', () => {
  it('holds root.crt 0644 and root.key 0600 (PKCS#8) in a 0700 directory, and loads back', async () => {
    const d = scratch();
    const dir = path.join(d.dir, 'ca');
    const ca = value(await createCa({ intermediate: true }, env));
    const written = await saveCa(dir, ca, env.crypto);
    expect(written.map((f) => path.basename(f))).toEqual(['root.crt', 'root.key', 'intermediate.crt', 'intermediate.key']);
    expect(listing(dir)).toEqual(['intermediate.crt', 'intermediate.key', 'root.crt', 'root.key']);
    expect([mode(dir), mode(path.join(dir, 'root.crt')), mode(path.join(dir, 'root.key')), mode(path.join(dir, 'intermediate.key'))]).toEqual([0o700, 0o644, 0o600, 0o600]);
    expect(fs.readFileSync(path.join(dir, 'root.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const loaded = await loadCa(dir, env);
    expect(loaded).toEqual({ ok: true, value: expect.anything(), warnings: [] });
    expect(value(loaded).signer.certificate.serialNumber).toBe(ca.intermediate?.serialNumber);
  });

  it('loads without root.key when the intermediate signs (the root key kept offline)', async () => {
    const d = scratch();
    await saveCa(d.dir, value(await createCa({ intermediate: true }, env)), env.crypto);
    fs.rmSync(path.join(d.dir, 'root.key'));
    const ca = value(await loadCa(d.dir, env));
    expect(ca.rootKey).toBeUndefined();
    value(await issueLeaf(ca, { dns: ['offline-root.example.com'] }, env));
  });

  it('refuses to write over an existing CA', async () => {
    const d = scratch();
    await saveCa(d.dir, value(await createCa({}, env)), env.crypto);
    const before = fs.readFileSync(path.join(d.dir, 'root.key'), 'utf8');
    await expect(saveCa(d.dir, value(await createCa({}, env)), env.crypto)).rejects.toMatchObject({ code: 'exists', message: expect.stringMatching(/already holds a CA/) });
    expect(fs.readFileSync(path.join(d.dir, 'root.key'), 'utf8')).toBe(before);
  });

  it('warns when a key is readable by others', async () => {
    const d = scratch();
    await saveCa(d.dir, value(await createCa({}, env)), env.crypto);
    fs.chmodSync(path.join(d.dir, 'root.key'), 0o644);
    const loaded = await loadCa(d.dir, env);
    expect(loaded.ok && loaded.warnings).toEqual([expect.objectContaining({ severity: 'warning', code: 'key.permissions', file: path.join(d.dir, 'root.key'), message: expect.stringMatching(/^mode 0644: /) })]);
  });
});

describe('a secret directory', () => {
  it('holds tls.crt (leaf then intermediate), tls.key 0600 and ca.crt (the root)', async () => {
    const d = scratch();
    const ca = value(await createCa({ intermediate: true }, env));
    const leaf = value(await issueLeaf(ca, { dns: ['s.example.com'] }, env));
    await saveSecret(d.dir, leaf, env.crypto);
    expect(listing(d.dir)).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
    expect(mode(path.join(d.dir, 'tls.key'))).toBe(0o600);
    expect(mode(path.join(d.dir, 'tls.crt'))).toBe(0o644);
    const subjects = openssl(['crl2pkcs7', '-nocrl', '-certfile', path.join(d.dir, 'tls.crt')]);
    expect(openssl(['pkcs7', '-print_certs', '-noout'], subjects).match(/subject=.*/g)).toEqual(['subject=CN = s.example.com', 'subject=CN = sluice root CA intermediate']);
    expect(fs.readFileSync(path.join(d.dir, 'ca.crt'), 'utf8')).toBe(ca.root.toString('pem') + '\n');
    const files = value(await readSecretFiles(d.dir));
    expect(files.key.mode).toBe(0o600);
  });

  it('gives each file its mode whatever the umask (a strict umask does not make certificates unreadable)', async () => {
    const d = scratch();
    const old = process.umask(0o077);
    try {
      await writeFilesAtomically(d.dir, [
        { name: 'k', data: 'x', mode: 0o600 },
        { name: 'c', data: 'y', mode: 0o644 },
      ]);
    } finally {
      process.umask(old);
    }
    expect([mode(path.join(d.dir, 'k')), mode(path.join(d.dir, 'c'))]).toEqual([0o600, 0o644]);
  });
});

describe('atomic writes', () => {
  const OLD = [
    { name: 'tls.key', data: 'old key', mode: 0o600 },
    { name: 'tls.crt', data: 'old cert', mode: 0o644 },
    { name: 'ca.crt', data: 'old ca', mode: 0o644 },
  ];
  const NEW = OLD.map((f) => ({ ...f, data: f.data.replace('old', 'new') }));
  const contents = (dir: string) => Object.fromEntries(listing(dir).map((n) => [n, fs.readFileSync(path.join(dir, n), 'utf8')]));
  const oldContents = { 'ca.crt': 'old ca', 'tls.crt': 'old cert', 'tls.key': 'old key' };

  /** The real file system, failing at one step. */
  function failing(step: keyof FsSeam, when: (arg: string) => boolean, partial = false): FsSeam {
    return {
      ...nodeFs,
      [step]: async (arg: string, ...rest: never[]) => {
        if (when(arg)) {
          // A crash in the middle of writing: half of the data is on disk, then the write fails.
          if (step === 'writeNew' && partial) fs.writeFileSync(arg, 'half', { mode: 0o600 });
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        }
        return (nodeFs[step] as (...a: unknown[]) => Promise<unknown>)(arg, ...rest);
      },
    } as FsSeam;
  }

  it('a write failing halfway through the second file replaces nothing and leaves no temp file', async () => {
    const d = scratch();
    await writeFilesAtomically(d.dir, OLD);
    const seam = failing('writeNew', (f) => path.basename(f).startsWith('.tls.crt'), true);
    await expect(writeFilesAtomically(d.dir, NEW, seam)).rejects.toEqual(new CertsError('write-failed', `${path.join(d.dir, 'tls.crt')}: ENOSPC: no space left on device; no file was replaced`));
    expect(contents(d.dir)).toEqual(oldContents);
  });

  it('a rename failing replaces nothing after it, and says which files were replaced', async () => {
    const d = scratch();
    await writeFilesAtomically(d.dir, OLD);
    const seam = failing('rename', (f) => path.basename(f).startsWith('.tls.crt'));
    await expect(writeFilesAtomically(d.dir, NEW, seam)).rejects.toMatchObject({ code: 'write-failed', message: expect.stringMatching(/rename failed: ENOSPC.*; replaced tls\.key, kept the old tls\.crt, ca\.crt$/) });
    expect(contents(d.dir)).toEqual({ ...oldContents, 'tls.key': 'new key' });
  });

  it('a directory in the place of a target is refused before anything is written', async () => {
    const d = scratch();
    await writeFilesAtomically(d.dir, OLD);
    fs.rmSync(path.join(d.dir, 'ca.crt'));
    fs.mkdirSync(path.join(d.dir, 'ca.crt'));
    await expect(writeFilesAtomically(d.dir, NEW)).rejects.toMatchObject({ code: 'write-failed', message: `${path.join(d.dir, 'ca.crt')} exists and is not a regular file; nothing was written` });
    expect(fs.readFileSync(path.join(d.dir, 'tls.key'), 'utf8')).toBe('old key');
    expect(listing(d.dir)).toEqual(['ca.crt', 'tls.crt', 'tls.key']);
  });

  it('a single file whose rename target is a directory keeps the old state (the real rename fails)', async () => {
    const d = scratch();
    const seam: FsSeam = { ...nodeFs, kindOf: async () => 'missing' }; // skip the pre-check: the kernel refuses the rename itself
    fs.mkdirSync(path.join(d.dir, 'tls.key'));
    fs.writeFileSync(path.join(d.dir, 'tls.key', 'inside'), 'x');
    await expect(writeFilesAtomically(d.dir, [{ name: 'tls.key', data: 'new key', mode: 0o600 }], seam)).rejects.toMatchObject({ code: 'write-failed', message: expect.stringMatching(/tls\.key: rename failed: .*(EISDIR|ENOTEMPTY|EEXIST)/) });
    expect(listing(d.dir)).toEqual(['tls.key']);
    expect(fs.readdirSync(path.join(d.dir, 'tls.key'))).toEqual(['inside']);
  });

  it('fsyncs the directory after the renames, and reports when it cannot', async () => {
    const d = scratch();
    const synced: string[] = [];
    await writeFilesAtomically(d.dir, NEW, { ...nodeFs, syncDir: async (dir) => void synced.push(dir) });
    expect(synced).toEqual([d.dir]);
    await expect(writeFilesAtomically(d.dir, NEW, failing('syncDir', () => true))).rejects.toMatchObject({ code: 'write-failed', message: expect.stringMatching(/fsync of the directory failed/) });
  });
});
