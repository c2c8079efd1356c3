/**
 * `sluice serve` as a real process (`node dist/cli/main.js serve`), for tests of what only a
 * process shows: file watching as the kernel reports it, permissions under a non-root uid, kill -9
 * and restarts. Ports are picked by the process (port 0) and read from what it prints.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe } from '@jest/globals';
import { eventually } from './poll.js';

const ROOT = path.resolve('.');
export const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');

/** Why the built CLI cannot stand for the sources (missing, or older than a source it is built from), or undefined. */
export function staleBuild(): string | undefined {
  if (!fs.existsSync(CLI)) return 'dist/cli/main.js is not built: run make build';
  for (const dir of ['controller', 'cli', 'cli/commands', 'policy-compiler/source']) {
    for (const f of fs.readdirSync(path.join(ROOT, dir)).filter((n) => n.endsWith('.ts'))) {
      const built = path.join(ROOT, 'dist', dir, f.replace(/\.ts$/, '.js'));
      const src = path.join(ROOT, dir, f);
      if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < fs.statSync(src).mtimeMs) return `dist is older than ${dir}/${f}: run make build`;
    }
  }
  return undefined;
}

/** `describe`, or `describe.skip` with the reason printed, when the built CLI cannot stand for the sources. */
export function describeBuilt(suite: string): typeof describe | typeof describe.skip {
  const why = staleBuild();
  if (!why) return describe;
  console.warn(`${suite}: skipped: ${why}`);
  return describe.skip;
}

/** A uid other than root that can run the CLI from this checkout, when the tests run as root (or undefined and why not). */
export function nonRootUser(): { uid: number; gid: number } | { reason: string } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['nobody', 'daemon']) {
    const id = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (id.status !== 0 || gid.status !== 0) continue;
    const user = { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
    const probe = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(CLI)}, require('fs').constants.R_OK)`], { ...user });
    if (probe.status === 0) return user;
  }
  return { reason: `no non-root user (nobody, daemon) can read ${CLI}` };
}

export interface ServeProcess {
  readonly pid: number;
  readonly adminPort: number;
  readonly xdsPort: number;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** JSON log records of the process so far. */
  readonly logs: () => Record<string, unknown>[];
  get<T = unknown>(urlPath: string): Promise<T>;
  text(urlPath: string): Promise<string>;
  /** A number from `/metrics` (a sample line's value, by its exact name and labels), or undefined. */
  metric(sample: string): Promise<number | undefined>;
  /** Sends a signal and waits for the process to exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpawnServeOptions {
  readonly args: readonly string[];
  readonly user?: { uid: number; gid: number };
  /** Defaults to 127.0.0.1:0 (a free port the process picks). */
  readonly xdsAddress?: string;
}

export async function spawnServe(options: SpawnServeOptions): Promise<ServeProcess> {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', ...options.args, '--xds-address', options.xdsAddress ?? '127.0.0.1:0', '--admin-address', '127.0.0.1:0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.user ?? {}),
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let ended: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((e) => (ended = e));
  const ports = await eventually(() => {
    if (ended) throw new Error(`serve exited (${ended.code ?? ended.signal}) before listening:\n${err}`);
    const admin = /admin {6}http:\/\/127\.0\.0\.1:(\d+)\/status/.exec(out)?.[1];
    const xds = /xDS \(ADS\) {2}\S+:(\d+)/.exec(out)?.[1];
    return admin && xds ? { admin: Number(admin), xds: Number(xds) } : undefined;
  }, 'serve to print its addresses', 30_000).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  const base = `http://127.0.0.1:${ports.admin}`;
  const text = async (urlPath: string) => {
    const r = await fetch(`${base}${urlPath}`);
    if (!r.ok) throw new Error(`${urlPath}: HTTP ${r.status}`);
    return r.text();
  };
  return {
    pid: child.pid ?? -1,
    adminPort: ports.admin,
    xdsPort: ports.xds,
    stdout: () => out,
    stderr: () => err,
    logs: () => err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>),
    get: async <T>(urlPath: string) => JSON.parse(await text(urlPath)) as T,
    text,
    async metric(sample) {
      const line = (await text('/metrics')).split('\n').find((l) => l.startsWith(`${sample} `));
      return line === undefined ? undefined : Number(line.slice(sample.length + 1));
    },
    async stop(signal = 'SIGTERM') {
      if (ended) return ended;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const e = await exited;
      clearTimeout(timer);
      return e;
    },
  };
}
