/**
 * `serve --envoy`: the local Envoy of each node this host runs, started from sluice's own
 * bootstrap, supervised (restarted with exponential back-off when it exits; the back-off resets
 * once it has run for a while), its log lines carried into sluice's log stream, and its state
 * (pid, admin address, restarts, last exit) reported for `/status`. Timers are injected so the
 * back-off is testable without waiting.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatHostPort } from '../ip/index.js';
import { createInterface } from 'node:readline';
import { envoyBootstrap } from '../policy-compiler/index.js';
import type { Logger } from '../telemetry/index.js';

export interface EnvoySupervisorOptions {
  readonly binary: string;
  /** The Envoy node ids to run, one process each. */
  readonly nodes: readonly string[];
  readonly xds: { readonly host: string; readonly port: number };
  /** Admin of the i-th node on 127.0.0.1:(adminPortBase + i). */
  readonly adminPortBase: number;
  /** Where each node's bootstrap is written. */
  readonly dir: string;
  /** A cgroup v2 directory to run Envoy in (the proxy cgroup, so its own traffic is never redirected). */
  readonly cgroup?: string;
  readonly logger: Logger;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number; readonly resetAfterMs: number };
  readonly now?: () => number;
  readonly setTimer?: (fn: () => void, ms: number) => { cancel(): void };
  /** Envoy's own log level (default warning: its info lines are many, and sluice's log is the stream). */
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warning' | 'error';
  readonly extraArgs?: readonly string[];
}

export type EnvoyState = 'starting' | 'running' | 'backing-off' | 'stopped';

export interface EnvoyStatus {
  readonly node: string;
  readonly state: EnvoyState;
  readonly pid?: number;
  readonly admin: string;
  readonly restarts: number;
  readonly lastExit?: { readonly code: number | null; readonly signal: string | null; readonly at: string };
  readonly nextStartInMs?: number;
}

const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };

/** Envoy's own log levels → sluice's logger (Envoy is told to print `level|logger|message`). */
const LEVEL: Readonly<Record<string, 'debug' | 'info' | 'warn' | 'error'>> = { trace: 'debug', debug: 'debug', info: 'info', warning: 'warn', error: 'error', critical: 'error' };

class Supervised {
  private child: ChildProcess | undefined;
  private timer: { cancel(): void } | undefined;
  private delayMs: number;
  private startedAt = 0;
  private restarts = 0;
  private lastExit: EnvoyStatus['lastExit'];
  private nextStartAt: number | undefined;
  private stopping = false;
  private readonly log: Logger;

  constructor(
    readonly node: string,
    private readonly config: string,
    readonly admin: string,
    private readonly o: EnvoySupervisorOptions & { backoff: NonNullable<EnvoySupervisorOptions['backoff']>; now: () => number; setTimer: NonNullable<EnvoySupervisorOptions['setTimer']> },
  ) {
    this.delayMs = o.backoff.initialMs;
    this.log = o.logger.child({ component: 'envoy', node });
  }

  start(): void {
    this.nextStartAt = undefined;
    const args = ['-c', this.config, '--disable-hot-restart', '-l', this.o.logLevel ?? 'warning', '--log-format', '%l|%n|%v', ...(this.o.extraArgs ?? [])];
    // Join the proxy cgroup before exec, so Envoy's first socket is already there.
    const argv = this.o.cgroup ? ['sh', '-c', `echo $$ > '${path.join(this.o.cgroup, 'cgroup.procs')}' && exec "$@"`, 'sh', this.o.binary, ...args] : [this.o.binary, ...args];
    const child = spawn(argv[0] ?? this.o.binary, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.startedAt = this.o.now();
    this.log.info('envoy started', { pid: child.pid, admin: this.admin, binary: this.o.binary });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      const [level = 'info', logger = '', ...rest] = line.split('|');
      (this.log[LEVEL[level] ?? 'info'] ?? this.log.info)(rest.join('|') || line, { envoyLogger: logger });
    });
    // Access log lines (one JSON object per request from sluice's listeners) are flows, not logs.
    createInterface({ input: child.stdout! }).on('line', (line) => this.log.debug('access', { line }));
    child.on('error', (error) => this.log.error('cannot start envoy', { error }));
    child.on('exit', (code, signal) => this.exited(child, code, signal));
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = undefined;
    this.lastExit = { code, signal, at: new Date(this.o.now()).toISOString() };
    if (this.stopping) return;
    if (this.o.now() - this.startedAt >= this.o.backoff.resetAfterMs) this.delayMs = this.o.backoff.initialMs;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.o.backoff.maxMs);
    this.restarts += 1;
    this.nextStartAt = this.o.now() + delay;
    this.log.warn('envoy exited; restarting', { code, signal, inMs: delay, restarts: this.restarts });
    this.timer = this.o.setTimer(() => this.start(), delay);
  }

  status(): EnvoyStatus {
    const running = this.child !== undefined;
    return {
      node: this.node,
      state: this.stopping ? 'stopped' : running ? (this.o.now() - this.startedAt < 1000 ? 'starting' : 'running') : 'backing-off',
      ...(this.child?.pid !== undefined ? { pid: this.child.pid } : {}),
      admin: this.admin,
      restarts: this.restarts,
      ...(this.lastExit ? { lastExit: this.lastExit } : {}),
      ...(this.nextStartAt !== undefined && !running ? { nextStartInMs: Math.max(0, this.nextStartAt - this.o.now()) } : {}),
    };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.timer?.cancel();
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

export class EnvoySupervisor {
  private readonly envoys: Supervised[];

  constructor(options: EnvoySupervisorOptions) {
    const o = {
      ...options,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      now: options.now ?? Date.now,
      setTimer:
        options.setTimer ??
        ((fn: () => void, ms: number) => {
          const t = setTimeout(fn, ms);
          return { cancel: () => clearTimeout(t) };
        }),
    };
    mkdirSync(options.dir, { recursive: true });
    this.envoys = options.nodes.map((node, i) => {
      const admin = { host: '127.0.0.1', port: options.adminPortBase + i };
      const config = path.join(options.dir, `envoy-${node.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
      writeFileSync(config, JSON.stringify(envoyBootstrap({ node, cluster: 'sluice', xds: options.xds, admin }), null, 2));
      return new Supervised(node, config, formatHostPort(admin.host, admin.port), o);
    });
  }

  start(): void {
    for (const e of this.envoys) e.start();
  }

  status(): EnvoyStatus[] {
    return this.envoys.map((e) => e.status());
  }

  async stop(): Promise<void> {
    await Promise.all(this.envoys.map((e) => e.stop()));
  }
}
