/** Runs a command where it says (the host, or a workload's cgroup and network namespace), without blocking this process, which the tests' peers live in. */
import { spawn } from 'node:child_process';
import { placed, type Placement } from '../../bench/redirect/sandbox.js';

/** Runs a command where it says, without blocking this process (the upstream servers live in it). */
export function run(where: Placement, command: readonly string[]): Promise<{ status: number | null; out: string; err: string }> {
  const argv = placed(where, command);
  return new Promise((resolve) => {
    const child = spawn(argv[0] ?? 'sh', argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (status) => resolve({ status, out, err }));
  });
}
