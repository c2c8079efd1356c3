/** `sluice node-agent --help` and its usage errors (in-process; no kernel needed). */
import { describe, expect, it } from '@jest/globals';
import { runCli } from '../support/run-cli.js';

describe('sluice node-agent (usage)', () => {
  it('documents every option', async () => {
    const r = await runCli(['node-agent', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--node', '--xds-address', '--node-address', '--cgroup-root', '--attach-cgroup', '--pod-uid', '--pin-root', '--poll', '--admin']) expect(r.stdout).toContain(flag);
    expect((await runCli(['--help'])).stdout).toContain('node-agent');
  });

  it.each([
    [[], /--node NAME is required/],
    [['--node', 'Node_A', '--xds-address', '127.0.0.1:1'], /--node: "Node_A" is not a node name/],
    [['--node', 'a'], /--xds-address HOST:PORT is required/],
    [['--node', 'a', '--xds-address', 'nowhere'], /--xds-address: expected HOST:PORT/],
    [['--node', 'a', '--xds-address', '127.0.0.1:1', '--node-address', 'localhost'], /--node-address: expected an IP address, got "localhost"/],
    [['--node', 'a', '--xds-address', '127.0.0.1:1', '--node-address', '10.0.0.1', '--node-address', '10.0.0.2'], /two IPv4 addresses/],
    // status.hostIPs as the downward API renders it: comma-separated, one per family.
    [['--node', 'a', '--xds-address', '127.0.0.1:1', '--node-address', '10.0.0.1,10.0.0.2'], /two IPv4 addresses \(10\.0\.0\.1, 10\.0\.0\.2\)/],
    [['--node', 'a', '--xds-address', '127.0.0.1:1', '--node-address', '10.0.0.1,nope'], /--node-address: expected an IP address, got "nope"/],
    [['--node', 'a', '--xds-address', '127.0.0.1:1', '--poll', 'often'], /--poll: expected a duration/],
    [['--node', 'a', '--xds-address', '127.0.0.1:1', '--tls-cert', 'x'], /--tls-cert, --tls-key and --ca go together/],
    [['--node', 'a', '--xds-address', '127.0.0.1:1', '--frobnicate'], /frobnicate/],
  ])('refuses %j with exit 2', async (args, message) => {
    const r = await runCli(['node-agent', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('says precisely when there is no kubepods cgroup to attach to (exit 3)', async () => {
    const r = await runCli(['node-agent', '--node', 'a', '--xds-address', '127.0.0.1:1', '--cgroup-root', '/nonexistent-root', '--admin', '127.0.0.1:0']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('no kubepods cgroup under /nonexistent-root');
    expect(r.stderr).toContain('[cgroup-not-found]');
  });
});
