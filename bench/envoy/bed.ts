/**
 * The real data path, end to end, for the tests and benchmarks that are about what users run:
 * a "node" network namespace holding workloads (each in its own cgroup under one workload cgroup),
 * real Envoy (in a proxy cgroup, booted from sluice's bootstrap) and a real `sluice serve` process
 * that compiles the policies, serves Envoy over ADS and keeps the eBPF redirect dataplane in step
 * (sk_lookup in the node namespace for inbound, connect4/6 on the workload cgroup for outbound). The
 * test's own namespace plays "another host": it reaches the workloads over a veth pair, and runs
 * the services workloads call out to.
 *
 *   host netns (test)  10.231.S.1, fd5c:S::1  ──veth──  node netns  10.231.S.2 (admin endpoints),
 *                                                                   10.231.S.10+i, fd5c:S::10+i (workload i)
 *
 * Everything is created under unique names and removed by `cleanup()`, also when a test fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { findCgroup2Mount } from '../../bpf/index.js';
import { placed, Sandbox, sh, type Placement } from '../redirect/sandbox.js';
import type { Call, CallAnswer } from './call.js';
import { Envoy } from './process.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/bench/envoy (where the compiled peer programs are), from the sources or from dist. */
const distDir = here.includes(`${path.sep}dist${path.sep}`) ? here : path.join(here, '..', '..', 'dist', 'bench', 'envoy');
const cliMain = path.join(distDir, '..', '..', 'cli', 'main.js');

export const NODE_ID = 'node-a';
export const XDS_PORT = 18000;
export const SERVE_ADMIN_PORT = 9901;
export const ENVOY_ADMIN_PORT = 15000;

export interface WorkloadSpec {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Readonly<Record<string, string>>;
  /** HTTP ports it serves (HTTP/1.1 and HTTP/2 on each). */
  readonly http?: readonly number[];
  /** gRPC ports it serves, and the services it answers there. */
  readonly grpc?: readonly number[];
  readonly services?: readonly string[];
  /** Run it in its own cgroup and name that cgroup in the inventory (default true). */
  readonly ownCgroup?: boolean;
  /** Names of its ports in the inventory (`port: http` in a policy). */
  readonly portNames?: Readonly<Record<number, string>>;
}

/** A workload on another node: only an inventory entry, at addresses the test chooses (e.g. the test's own). */
export interface RemoteWorkloadSpec {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly addresses: readonly string[];
  readonly ports?: ReadonlyArray<{ readonly port: number; readonly name?: string }>;
  /** Its proxy node (default `node-b`: not this bed's node, so nothing is programmed for it here). */
  readonly node?: string;
}

/** Services outside the node: where they listen besides `host4`/`host6`, and gRPC beside HTTP. */
export interface OutsideSpec {
  /** Addresses to listen on (default the test namespace's `host4` and `host6`). */
  readonly addresses?: readonly string[];
  readonly grpc?: number;
  readonly services?: readonly string[];
}

/** A process of the bed with its JSON-line output. */
export class BedProcess {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly exited: Promise<number | null>;
  private stderrText = '';

  private readonly waiters = new Set<() => void>();

  constructor(readonly name: string, readonly child: ChildProcess) {
    child.stderr?.on('data', (d: Buffer) => {
      this.stderrText = (this.stderrText + d.toString()).slice(-(1 << 20));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        this.lines.push({ event: 'text', line });
      }
      for (const wake of this.waiters) wake();
    });
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  get stderr(): string {
    return this.stderrText;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitFor(match: (line: Record<string, unknown>) => boolean, what: string, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(match);
      if (found) return found;
      if (!this.running) throw new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}:\n${this.stderr.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`${this.name}: timed out waiting for ${what}:\n${this.stderr.slice(-3000)}`);
      await this.nextLine(100);
    }
  }

  /** Resolves on the next output line, or after `ms` (so exits and deadlines are noticed). */
  private nextLine(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiters.add(wake);
    });
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.running && this.child.pid !== undefined) process.kill(this.child.pid, signal);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.running) return;
    this.kill(signal);
    const timer = setTimeout(() => this.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

export class EnvoyBed {
  readonly box = new Sandbox();
  /** The third octet of this bed's 10.231.S.0/24 (and fd5c:S::/64), claimed from the sandbox. */
  readonly subnet = this.box.subnet('10.231');
  readonly host4 = `10.231.${this.subnet}.1`;
  readonly host6 = `fd5c:${this.subnet.toString(16)}::1`;
  readonly node4 = `10.231.${this.subnet}.2`;
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bed-'));
  readonly policiesDir = path.join(this.dir, 'policies');
  readonly inventoryFile = path.join(this.dir, 'inventory.yaml');
  readonly stateDir = path.join(this.dir, 'state');
  readonly pinRoot = `/sys/fs/bpf/sluice-bed-${this.box.id}`;
  netns = '';
  nodeIface = '';
  /** The test namespace's end of the veth pair (where `addHostAddress` puts more addresses). */
  hostIface = '';
  workloadCgroup = '';
  proxyCgroup = '';
  serve: BedProcess | undefined;
  envoy: Envoy | undefined;
  private readonly workloadCgroups = new Map<string, string>();
  private readonly workloadIndex = new Map<string, number>();
  private hostAddresses = 0;
  private readonly processes: BedProcess[] = [];
  /** Envoys started before the current one (a hot restart's parent drains and exits by itself). */
  private readonly envoys: Envoy[] = [];

  /** Creates the namespace, the veth pair, the cgroups and the files (no processes yet). */
  async setUp(): Promise<void> {
    mkdirSync(this.policiesDir);
    this.box.onCleanup(() => rmSync(this.dir, { recursive: true, force: true }));
    this.netns = this.box.netns('node');
    const link = this.box.veth(undefined, this.netns, `${this.host4}/24`, `${this.node4}/24`);
    this.nodeIface = link.remote;
    this.hostIface = link.local;
    sh('ip', ['addr', 'add', `${this.host6}/64`, 'dev', link.local, 'nodad']);
    this.workloadCgroup = this.box.cgroup('workloads');
    this.proxyCgroup = this.box.cgroup('proxy');
    this.box.onCleanup(async () => {
      for (const p of this.processes.splice(0).reverse()) await p.stop('SIGKILL');
      for (const e of [...this.envoys.splice(0), ...(this.envoy ? [this.envoy] : [])]) await e.stop();
      try {
        sh(process.execPath, [cliMain, 'bpf', 'unload', '--pin-root', this.pinRoot]);
      } catch {
        /* never loaded */
      }
    });
  }

  /** The IPv4 and IPv6 address of the i-th workload (added to the node's interface). */
  address(i: number): { v4: string; v6: string } {
    return { v4: `10.231.${this.subnet}.${10 + i}`, v6: `fd5c:${this.subnet.toString(16)}::${(16 + i).toString(16)}` };
  }

  /** A workload's addresses, cgroup and inventory entry; `start` runs its servers. */
  addWorkload(spec: WorkloadSpec): { v4: string; v6: string; cgroup: string; inventory: string } {
    const i = this.workloadIndex.size;
    this.workloadIndex.set(spec.name, i);
    const a = this.address(i);
    sh('ip', ['-n', this.netns, 'addr', 'add', `${a.v4}/24`, 'dev', this.nodeIface]);
    sh('ip', ['-n', this.netns, 'addr', 'add', `${a.v6}/64`, 'dev', this.nodeIface, 'nodad']);
    const cgroup = spec.ownCgroup === false ? this.workloadCgroup : this.box.cgroup(spec.name, this.workloadCgroup);
    this.workloadCgroups.set(spec.name, cgroup);
    const ports = [...(spec.http ?? []), ...(spec.grpc ?? [])].map((p) => portEntry(p, spec.portNames?.[p])).join(', ');
    const labels = Object.entries(spec.labels).map(([k, v]) => `${k}: ${v}`).join(', ');
    const cgroupLine = spec.ownCgroup === false ? '' : `, cgroup: ${JSON.stringify(cgroupPathOf(cgroup))}`;
    const inventory = `  - { name: ${spec.name}, namespace: ${spec.namespace ?? 'shop'}, labels: { ${labels} }, addresses: [${a.v4}, "${a.v6}"], ports: [ ${ports} ], proxy: { node: ${NODE_ID} }${cgroupLine} }`;
    return { ...a, cgroup, inventory };
  }

  /**
   * Another address of "another host" (the test's namespace), for clients that must come from
   * somewhere else than `host4`/`host6` and services at another remote address. Never chosen as a
   * source by the kernel (IPv6: deprecated; IPv4: secondary): bind it explicitly.
   */
  addHostAddress(): { v4: string; v6: string } {
    const i = this.hostAddresses;
    this.hostAddresses += 1;
    const a = { v4: `10.231.${this.subnet}.${200 + i}`, v6: `fd5c:${this.subnet.toString(16)}::${(0x200 + i).toString(16)}` };
    sh('ip', ['addr', 'add', `${a.v4}/24`, 'dev', this.hostIface]);
    sh('ip', ['addr', 'add', `${a.v6}/64`, 'dev', this.hostIface, 'nodad', 'preferred_lft', '0']);
    return a;
  }

  /** The inventory entry of a workload on another node (nothing runs for it here). */
  remoteWorkload(spec: RemoteWorkloadSpec): string {
    const labels = Object.entries(spec.labels).map(([k, v]) => `${k}: ${v}`).join(', ');
    const ports = (spec.ports ?? []).map((p) => portEntry(p.port, p.name)).join(', ');
    return `  - { name: ${spec.name}, namespace: ${spec.namespace ?? 'shop'}, labels: { ${labels} }, addresses: [${spec.addresses.map((a) => JSON.stringify(a)).join(', ')}], ports: [ ${ports} ], proxy: { node: ${spec.node ?? 'node-b'} } }`;
  }

  /** The inventory; the node proxy logs to stdout too by default, whose lines are the tests' evidence beside Envoy's stats. */
  writeInventory(entries: readonly string[], proxies = `  - { node: ${NODE_ID}, accessLog: [flows, stdout] }`): void {
    writeFileSync(this.inventoryFile, `apiVersion: sluice.dev/v1alpha1\nkind: Inventory\nproxies:\n${proxies}\nworkloads:\n${entries.join('\n')}\n`);
  }

  writePolicy(name: string, text: string | undefined): void {
    const file = path.join(this.policiesDir, name);
    if (text === undefined) rmSync(file, { force: true });
    else writeFileSync(file, text);
  }

  /** Runs a workload's servers in its cgroup in the node namespace. */
  async startWorkload(spec: WorkloadSpec): Promise<BedProcess> {
    const i = this.workloadIndex.get(spec.name);
    const cgroup = this.workloadCgroups.get(spec.name);
    if (i === undefined || !cgroup) throw new Error(`addWorkload(${spec.name}) first`);
    const a = this.address(i);
    const args = [
      '--name', spec.name,
      ...(spec.http ?? []).flatMap((p) => ['--http', `${a.v4}:${p}`, '--http', `[${a.v6}]:${p}`]),
      ...(spec.grpc ?? []).flatMap((p) => ['--grpc', `${a.v4}:${p}`, '--grpc', `[${a.v6}]:${p}`]),
      ...(spec.services ?? []).flatMap((s) => ['--service', s]),
    ];
    const listeners = 2 * ((spec.http?.length ?? 0) + (spec.grpc?.length ?? 0));
    const p = this.spawn(`workload ${spec.name}`, { cgroup, netns: this.netns }, [process.execPath, path.join(distDir, 'workload.js'), ...args]);
    await p.waitFor(() => p.lines.filter((l) => l.event === 'listening').length >= listeners, `${spec.name} to listen`);
    return p;
  }

  /** A service outside the node (in the test's namespace) that workloads call out to: HTTP on `port`, gRPC optionally. */
  async startOutside(name: string, port: number, spec: OutsideSpec = {}): Promise<BedProcess> {
    const addresses = spec.addresses ?? [this.host4, this.host6];
    const at = (a: string, p: number) => (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);
    const args = [
      '--name', name,
      ...addresses.flatMap((a) => ['--http', at(a, port)]),
      ...(spec.grpc === undefined ? [] : addresses.flatMap((a) => ['--grpc', at(a, spec.grpc ?? 0)])),
      ...(spec.services ?? []).flatMap((s) => ['--service', s]),
    ];
    const listeners = addresses.length * (spec.grpc === undefined ? 1 : 2);
    const p = this.spawn(`outside ${name}`, {}, [process.execPath, path.join(distDir, 'workload.js'), ...args]);
    await p.waitFor(() => p.lines.filter((l) => l.event === 'listening').length >= listeners, `${name} to listen`);
    return p;
  }

  /** `sluice serve` in the node namespace, managing the eBPF dataplane; resolves once /readyz answers. */
  async startServe(extraArgs: readonly string[] = []): Promise<BedProcess> {
    const args = [
      cliMain, 'serve',
      '--policies', this.policiesDir,
      '--inventory', this.inventoryFile,
      '--xds-address', `127.0.0.1:${XDS_PORT}`,
      '--admin-address', `${this.node4}:${SERVE_ADMIN_PORT}`,
      '--bpf-cgroup', this.workloadCgroup,
      '--bpf-proxy-cgroup', this.proxyCgroup,
      '--bpf-inbound-iface', this.nodeIface,
      '--bpf-pin-root', this.pinRoot,
      '--bpf-node', NODE_ID,
      '--state-dir', this.stateDir,
      ...extraArgs,
    ];
    const p = this.spawn('sluice serve', { netns: this.netns }, [process.execPath, ...args]);
    this.serve = p;
    await p.waitFor((l) => l.event === 'text' && String(l.line).includes('Press Ctrl-C'), 'serve to start', 20_000);
    return p;
  }

  /**
   * Real Envoy for the node, in the proxy cgroup (never redirected) in the node namespace. With
   * `hotRestart`, the next epoch of the running Envoy takes over its sockets (the old one drains
   * and exits by itself); otherwise hot restart is off. Benchmarks set Envoy's worker threads and
   * may discard its access log (see `EnvoyOptions`).
   */
  async startEnvoy(options: { hotRestart?: boolean; concurrency?: number; accessLog?: 'collect' | 'discard' } = {}): Promise<Envoy> {
    const previous = this.envoy?.running ? this.envoy.options.hotRestart : undefined;
    const hotRestart = options.hotRestart ? { baseId: previous?.baseId ?? 10 + (this.subnet % 200), epoch: previous ? previous.epoch + 1 : 0 } : undefined;
    if (this.envoy) this.envoys.push(this.envoy);
    this.envoy = await Envoy.start({
      node: NODE_ID,
      xds: { host: '127.0.0.1', port: XDS_PORT },
      admin: { host: this.node4, port: ENVOY_ADMIN_PORT },
      where: { cgroup: this.proxyCgroup, netns: this.netns },
      ...(hotRestart ? { hotRestart } : {}),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.accessLog ? { accessLog: options.accessLog } : {}),
    });
    return this.envoy;
  }

  /** A client process inside a workload's cgroup (egress), as `client.ts` documents. */
  client(workload: string, args: readonly string[]): BedProcess {
    const cgroup = this.workloadCgroups.get(workload);
    if (!cgroup) throw new Error(`no workload ${workload}`);
    return this.spawn(`client in ${workload}`, { cgroup, netns: this.netns }, [process.execPath, path.join(distDir, 'client.js'), ...args]);
  }

  /** A long-lived client inside a workload's cgroup (egress) that sends any `Call` (`client.ts --json`). */
  async caller(workload: string): Promise<WorkloadCaller> {
    const p = this.client(workload, ['--json']);
    await p.waitFor((l) => l.event === 'ready', `the client in ${workload} to start`);
    return new WorkloadCaller(p);
  }

  /** `sluice serve`'s admin endpoint. */
  async serveAdmin(pathAndQuery: string): Promise<unknown> {
    const response = await fetch(`http://${this.node4}:${SERVE_ADMIN_PORT}${pathAndQuery}`, { signal: AbortSignal.timeout(5000) });
    const text = await response.text();
    return pathAndQuery.startsWith('/metrics') ? text : (JSON.parse(text) as unknown);
  }

  spawn(name: string, where: Placement, command: readonly string[]): BedProcess {
    const argv = placed(where, command);
    const p = new BedProcess(name, spawn(argv[0] ?? 'sh', argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] }));
    this.processes.push(p);
    return p;
  }

  async cleanup(): Promise<void> {
    await this.box.cleanup();
  }
}

/** Sends calls through a `client.ts --json` process, one after the other. */
export class WorkloadCaller {
  private next = 0;

  constructor(readonly process: BedProcess) {}

  async send(call: Call): Promise<CallAnswer> {
    const id = (this.next += 1);
    this.process.child.stdin?.write(`${JSON.stringify({ id, ...call })}\n`);
    const line = await this.process.waitFor((l) => l.event === 'response' && l.id === id, `the answer to ${call.protocol} ${call.url}${call.path}`, 30_000);
    return line as unknown as CallAnswer;
  }

  close(): void {
    this.process.child.stdin?.end();
  }
}

function portEntry(port: number, name: string | undefined): string {
  return name ? `{ port: ${port}, name: ${name} }` : `{ port: ${port} }`;
}

/** A cgroup's path as the kernel names it in /proc/PID/cgroup (relative to the cgroup v2 root). */
export function cgroupPathOf(dir: string): string {
  const root = findCgroup2Mount() ?? '';
  return dir.startsWith(root) ? dir.slice(root.length) || '/' : dir;
}
