/**
 * The supervisor's own logic with a stand-in for the binary (a shell script: this is about
 * restarting, back-off and reporting, not about Envoy; test/e2e/serve-envoy.test.ts runs the real
 * one): it writes a bootstrap per node, restarts an Envoy that exits with a doubling delay up to
 * the maximum, starts over after a long enough run, carries Envoy's log lines into its logger,
 * and stops for good when asked.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { EnvoySupervisor } from '../../controller/index.js';
import type { Logger } from '../../telemetry/index.js';
import { eventually } from '../support/poll.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-supervisor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in binary that logs like Envoy (`level|logger|message`), records its start, and exits. */
function fakeEnvoy(exitAfterMs: number): string {
  const script = join(dir, `envoy-${exitAfterMs}.sh`);
  const body = exitAfterMs > 0 ? `exec sleep ${exitAfterMs / 1000}` : 'exit 3';
  writeFileSync(script, `#!/bin/sh\necho "$@" >> '${dir}/starts'\necho 'warning|main|the stand-in says hello' >&2\n${body}\n`);
  chmodSync(script, 0o755);
  return script;
}

function recordingLogger(lines: Array<{ level: string; msg: string; fields: Record<string, unknown> }>, base: Record<string, unknown> = {}): Logger {
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => void lines.push({ level, msg, fields: { ...base, ...fields } });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (f) => recordingLogger(lines, { ...base, ...f }) };
}

describe('EnvoySupervisor', () => {
  it('restarts an Envoy that exits, with a doubling back-off that resets after a long run, and carries its log', async () => {
    const lines: Array<{ level: string; msg: string; fields: Record<string, unknown> }> = [];
    const delays: number[] = [];
    let clock = 0;
    const pending: Array<() => void> = [];
    const supervisor = new EnvoySupervisor({
      binary: fakeEnvoy(0),
      nodes: ['node-a'],
      xds: { host: '127.0.0.1', port: 18000 },
      adminPortBase: 15000,
      dir: join(dir, 'boot'),
      logger: recordingLogger(lines),
      backoff: { initialMs: 100, maxMs: 400, resetAfterMs: 10_000 },
      now: () => clock,
      setTimer: (fn, ms) => {
        delays.push(ms);
        pending.push(fn);
        return { cancel: () => undefined };
      },
    });
    supervisor.start();
    const restarted = async (n: number) => {
      await eventually(() => pending.length === 1, `exit ${n} to schedule a restart`, 10_000);
      pending.shift()!();
    };
    for (let n = 1; n <= 4; n += 1) await restarted(n);
    expect(delays).toEqual([100, 200, 400, 400]); // doubling, capped
    clock += 20_000; // the next run lasted long enough: the back-off starts over
    await restarted(5);
    expect(delays.at(-1)).toBe(100);
    await eventually(() => pending.length === 1, 'the sixth exit', 10_000);
    const status = supervisor.status()[0]!;
    expect(status).toMatchObject({ node: 'node-a', state: 'backing-off', admin: '127.0.0.1:15000', restarts: 6, lastExit: { code: 3, signal: null } });
    expect(lines.some((l) => l.level === 'warn' && l.msg === 'the stand-in says hello' && l.fields.component === 'envoy' && l.fields.node === 'node-a' && l.fields.envoyLogger === 'main')).toBe(true);
    expect(readFileSync(join(dir, 'starts'), 'utf8').trim().split('\n')).toHaveLength(6);
    const bootstrap = JSON.parse(readFileSync(join(dir, 'boot', 'envoy-node-a.json'), 'utf8')) as { node: { id: string }; admin: unknown };
    expect(bootstrap.node.id).toBe('node-a');
    await supervisor.stop();
    expect(supervisor.status()[0]?.state).toBe('stopped');
  });

  it('stops a running Envoy and does not restart it', async () => {
    const supervisor = new EnvoySupervisor({ binary: fakeEnvoy(30_000), nodes: ['node-a', 'node-b'], xds: { host: '127.0.0.1', port: 18000 }, adminPortBase: 16000, dir: join(dir, 'boot2'), logger: recordingLogger([]) });
    supervisor.start();
    await eventually(() => supervisor.status().every((s) => s.pid !== undefined), 'both to run', 5000);
    expect(supervisor.status().map((s) => s.admin)).toEqual(['127.0.0.1:16000', '127.0.0.1:16001']);
    await supervisor.stop();
    expect(supervisor.status().map((s) => [s.state, s.restarts])).toEqual([['stopped', 0], ['stopped', 0]]);
  });
});
