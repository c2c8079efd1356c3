/**
 * Test bed for certs/: a deterministic environment (fixed clock that tests move, counting random
 * source, real keys generated on demand), openssl as the independent judge, and temp directories.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyMaterial, type CertsEnv, type KeyMaterial, type KeyType, type Result } from '../../certs/index.js';

export const T0 = new Date('2026-03-01T12:00:00.000Z');

export interface TestEnv extends CertsEnv {
  /** Moves the clock. */
  setNow(date: Date): void;
  /** Every key handed out, in order. */
  readonly keys: KeyMaterial[];
}

/** A fixed clock at `start`, serial bytes from a counter (0x01 0x02 ...), fresh real keys. */
export function testEnv(start: Date = T0): TestEnv {
  let now = start;
  let counter = 0;
  const keys: KeyMaterial[] = [];
  return {
    now: () => now,
    setNow: (date) => {
      now = date;
    },
    crypto: webcrypto,
    keys,
    generateKey: async (type: KeyType) => {
      const key = await generateKeyMaterial(webcrypto, type);
      keys.push(key);
      return key;
    },
    randomBytes: (length) => Uint8Array.from({ length }, () => ++counter & 0xff),
  };
}

/** Runs openssl with `args` (and `input` on stdin); returns stdout, throws with stderr on failure. */
export function openssl(args: readonly string[], input?: string): string {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8' });
  if (r.error) throw new Error(`openssl is needed by these tests and could not be run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** openssl's exit status and output, for the cases where failure is the expectation. */
export function opensslStatus(args: readonly string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

export function tempDir(prefix = 'sluice-certs-'): { dir: string; file(name: string, text?: string): string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    file: (name, text) => {
      const p = path.join(dir, name);
      if (text !== undefined) fs.writeFileSync(p, text);
      return p;
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** `openssl x509 -noout -ext NAME` for one extension, without the header line. */
export function opensslExt(certFile: string, ext: string): string {
  return openssl(['x509', '-in', certFile, '-noout', '-ext', ext]).split('\n').slice(1).join('\n').trim();
}

export function opensslVersion(): string {
  return execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
}

/** The value of a result that must be ok; otherwise fails naming the diagnostics. */
export function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`unexpected diagnostics: ${r.diagnostics.map((d) => `${d.path}: ${d.message} [${d.code}]`).join('; ')}`);
  return r.value;
}

/** The diagnostics of a result that must have failed, as [code, path] pairs and messages. */
export function problems<T>(r: Result<T>): { code: string; path: string; message: string; file?: string; line?: number }[] {
  if (r.ok) throw new Error('expected diagnostics, the result is ok');
  return r.diagnostics.map((d) => ({ code: d.code, path: d.path, message: d.message, ...(d.file !== undefined ? { file: d.file } : {}), ...(d.line !== undefined ? { line: d.line } : {}) }));
}
