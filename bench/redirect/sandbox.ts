/**
 * Kernel test bed for the redirect tests and benchmark: cgroups, network namespaces, veth pairs
 * and peer processes, each created under a unique name and registered for cleanup, so a failing
 * test still removes everything it made. Only addresses inside namespaces this module creates
 * (and loopback) are ever used.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { findCgroup2Mount } from '../../bpf/index.js';

/** The compiled peer program (dist/bench/redirect/peer.js), or undefined before `make build`. */
export function peerScript(): string | undefined {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [join(here, 'peer.js'), join(here, '..', '..', 'dist', 'bench', 'redirect', 'peer.js')];
  return candidates.find((c) => existsSync(c));
}

/** Creates `claim` holding this pid; a claim whose process is gone is taken over. */
function tryClaim(claim: string): boolean {
  if (createClaim(claim)) return true;
  let owner: number;
  try {
    owner = Number(readFileSync(claim, 'utf8'));
  } catch {
    return createClaim(claim); // released meanwhile
  }
  // An empty claim is being written by its owner right now.
  if (!(owner > 0) || processAlive(owner)) return false;
  try {
    unlinkSync(claim);
  } catch {
    /* another sandbox took it over first */
  }
  return createClaim(claim);
}

function createClaim(claim: string): boolean {
  try {
    writeFileSync(claim, String(process.pid), { flag: 'wx' });
    return true;
  } catch {
    return false;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function sh(cmd: string, args: readonly string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** What is missing on this machine for kernel tests, or undefined when everything is there. */
export function missingForKernelTests(): string | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not running as root';
  if (!findCgroup2Mount()) return 'no cgroup v2 hierarchy mounted (run .ci/deps/bpf.sh)';
  if (!readFileSync('/proc/mounts', 'utf8').includes(' bpf ')) return 'bpffs is not mounted (run .ci/deps/bpf.sh)';
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'the kernel has no BTF';
  try {
    sh('ip', ['-V']);
  } catch {
    return 'iproute2 (ip) is not installed';
  }
  return undefined;
}

/** Where a spawned process runs: a cgroup v2 directory and/or a network namespace (by name). */
export interface Placement {
  readonly cgroup?: string;
  readonly netns?: string;
}

/**
 * The argv that runs `command` inside `where`: the shell joins the cgroup, then nsenter enters
 * the netns (unlike `ip netns exec` it does not remount /sys, so bpffs and the cgroup hierarchy
 * stay visible). Both steps exec, so the pid of the spawned child is the command's own.
 */
export function placed(where: Placement, command: readonly string[]): string[] {
  const inner = where.cgroup ? `echo $$ > '${join(where.cgroup, 'cgroup.procs')}' && exec "$@"` : 'exec "$@"';
  return ['sh', '-c', inner, 'sh', ...(where.netns ? ['nsenter', `--net=/run/netns/${where.netns}`] : []), ...command];
}

export interface Peer {
  readonly child: ChildProcess;
  /** Every JSON line printed so far. */
  readonly lines: Array<Record<string, unknown>>;
  /** Resolves with the first line (already printed or future) that matches. */
  waitFor(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  readonly exited: Promise<number | null>;
}

export class Sandbox {
  readonly id = `${process.pid.toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  private readonly cleanups: Array<() => void | Promise<void>> = [];

  private defer(fn: () => void | Promise<void>): void {
    this.cleanups.push(fn);
  }

  /** A fresh cgroup v2 directory under the hierarchy's root (or under `parent`). */
  cgroup(name: string, parent?: string): string {
    const root = parent ?? findCgroup2Mount();
    if (!root) throw new Error('no cgroup v2 hierarchy');
    const path = join(root, parent ? name : `sluice-test-${this.id}-${name}`);
    mkdirSync(path);
    this.defer(() => {
      // Move any straggler back to the root before removing the directory.
      const procs = existsSync(join(path, 'cgroup.procs')) ? readFileSync(join(path, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean) : [];
      const top = findCgroup2Mount();
      for (const pid of procs) if (top) writeFileSync(join(top, 'cgroup.procs'), pid);
      if (existsSync(path)) rmdirSync(path);
    });
    return path;
  }

  /**
   * The third octet of a /24 under `prefix` (e.g. `10.231`) that no other live sandbox on this
   * machine holds, claimed until cleanup. Test files run in parallel and each puts its /24 on a
   * veth in the host namespace: two holding the same /24 would route each other's traffic.
   */
  subnet(prefix: string): number {
    const dir = join(tmpdir(), 'sluice-test-subnets');
    mkdirSync(dir, { recursive: true });
    const start = Math.floor(Math.random() * 256);
    for (let i = 0; i < 256; i++) {
      const octet = (start + i) % 256;
      const claim = join(dir, `${prefix}.${octet}`);
      if (!tryClaim(claim)) continue;
      this.defer(() => unlinkSync(claim));
      return octet;
    }
    throw new Error(`every /24 under ${prefix} is held by a live test sandbox (claims in ${dir})`);
  }

  /** A network namespace with loopback up. */
  netns(name: string): string {
    const ns = `sl-${this.id}-${name}`;
    sh('ip', ['netns', 'add', ns]);
    this.defer(() => void sh('ip', ['netns', 'del', ns]));
    sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /**
   * A veth pair between `ns` (or the host when `ns` is undefined) and `peerNs`, addressed
   * `local`/`remote` (CIDR). Returns the interface names.
   */
  veth(ns: string | undefined, peerNs: string, local: string, remote: string): { local: string; remote: string } {
    const tag = `${this.id.slice(-5)}${Math.random().toString(36).slice(2, 5)}`;
    const names = { local: `sv${tag}a`, remote: `sv${tag}b` };
    const on = (n: string | undefined): string[] => (n ? ['-n', n] : []);
    sh('ip', [...on(ns), 'link', 'add', names.local, 'type', 'veth', 'peer', 'name', names.remote, 'netns', peerNs]);
    this.defer(() => {
      try {
        sh('ip', [...on(ns), 'link', 'del', names.local]);
      } catch {
        /* gone with its namespace */
      }
    });
    sh('ip', [...on(ns), 'addr', 'add', local, 'dev', names.local]);
    sh('ip', [...on(ns), 'link', 'set', names.local, 'up']);
    sh('ip', ['-n', peerNs, 'addr', 'add', remote, 'dev', names.remote]);
    sh('ip', ['-n', peerNs, 'link', 'set', names.remote, 'up']);
    return names;
  }

  /** Runs a peer mode (see peer.ts) inside `cgroup` and/or `netns`. */
  peer(args: readonly string[], where: Placement = {}): Peer {
    const script = peerScript();
    if (!script) throw new Error('dist/bench/redirect/peer.js is missing: run `make build`');
    const full = placed(where, [process.execPath, script, ...args]);
    const child = spawn(full[0] ?? 'sh', full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines: Array<Record<string, unknown>> = [];
    const waiters: Array<() => void> = [];
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ event: 'text', line });
      }
      for (const w of waiters.splice(0)) w();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    this.defer(async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      }
    });
    const waitFor = (match: (line: Record<string, unknown>) => boolean, timeoutMs = 15000): Promise<Record<string, unknown>> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`peer ${args.join(' ')}: timed out; lines ${JSON.stringify(lines)} stderr ${stderr}`)), timeoutMs);
        const check = (): void => {
          const found = lines.find(match);
          if (found) {
            clearTimeout(timer);
            resolve(found);
            return;
          }
          if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            reject(new Error(`peer ${args.join(' ')} exited ${child.exitCode}; lines ${JSON.stringify(lines)} stderr ${stderr}`));
            return;
          }
          waiters.push(check);
        };
        child.on('exit', () => for_each(waiters.splice(0)));
        check();
      });
    return { child, lines, waitFor, exited };
  }

  /** Registers an extra cleanup step (run in reverse order of registration). */
  onCleanup(fn: () => void | Promise<void>): void {
    this.defer(fn);
  }

  /** Undoes everything, newest first; collects errors instead of stopping at the first. */
  async cleanup(): Promise<void> {
    const errors: unknown[] = [];
    for (const fn of this.cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `sandbox cleanup: ${errors.length} step(s) failed`);
  }
}

function for_each(fns: Array<() => void>): void {
  for (const fn of fns) fn();
}
