/**
 * Outbound redirection on the real kernel: a workload process connecting to a service in a test
 * netns lands on the stand-in proxy, which reads the original destination with SO_ORIGINAL_DST
 * and forwards to it; processes outside the cgroup and the proxy's own upstream are not
 * redirected; removing the entry stops the redirect.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { attachDataplane, openRedirectDataplane, unloadDataplane, type RedirectDataplane } from '../../bpf/index.js';
import { Sandbox, sh, type Peer } from '../../bench/redirect/sandbox.js';
import { cgroupPathOf } from '../../bench/envoy/bed.js';
import type { OutboundRedirect } from '../../policy-compiler/index.js';
import { describeKernel, repoRoot, testPinRoot, testPort } from './kernel.js';

/** Connects from this (jest) process, which is in no workload cgroup; returns the first line. */
function directReply(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    let data = '';
    socket.on('data', (d) => {
      data += d.toString();
      if (data.includes('\n')) {
        socket.destroy();
        resolve(data.split('\n')[0] ?? '');
      }
    });
    socket.on('error', reject);
    socket.setTimeout(10000, () => reject(new Error('timeout')));
  });
}

const accepts = (proxy: Peer): Array<Record<string, unknown>> => proxy.lines.filter((l) => l.event === 'accept');

describeKernel('bpf outbound redirect (connect4/connect6 + sockops + getsockopt)', () => {
  const box = new Sandbox();
  let net = ''; // a /24 of 10.231.0.0/16 claimed for this file (box.subnet)
  const svc6 = `fd5c:${Math.floor(Math.random() * 0xffff).toString(16)}::2`;
  const servicePort = 8080;
  const proxyPort = testPort();
  let workload = '';
  let proxyCgroup = '';
  let dp: RedirectDataplane;
  let proxy: Peer;
  let proxy6: Peer;
  const pinRoot = testPinRoot('out');

  beforeAll(async () => {
    net = `10.231.${box.subnet('10.231')}`;
    const ns = box.netns('svc');
    const link = box.veth(undefined, ns, `${net}.1/24`, `${net}.2/24`);
    sh('ip', ['addr', 'add', `${svc6.replace(/::2$/, '::1')}/64`, 'dev', link.local, 'nodad']);
    sh('ip', ['-n', ns, 'addr', 'add', `${svc6}/64`, 'dev', link.remote, 'nodad']);
    workload = box.cgroup('wl');
    proxyCgroup = box.cgroup('proxy', workload);
    dp = openRedirectDataplane({ cgroup: workload, pinRoot, proxyCgroups: [proxyCgroup] });
    box.onCleanup(() => {
      dp.close();
      unloadDataplane({ pinRoot });
    });
    const service = box.peer(['echo', '--listen', `0.0.0.0:${servicePort}`, '--name', 'service'], { netns: ns });
    const service6 = box.peer(['echo', '--listen', `[${svc6}]:${servicePort}`, '--name', 'service6'], { netns: ns });
    proxy = box.peer(['proxy', '--listen', `127.0.0.1:${proxyPort}`], { cgroup: proxyCgroup });
    proxy6 = box.peer(['proxy', '--listen', `[::1]:${proxyPort}`], { cgroup: proxyCgroup });
    for (const p of [service, service6, proxy, proxy6]) await p.waitFor((l) => l.event === 'listening');
  }, 60000);

  afterAll(() => box.cleanup(), 60000);

  const clientIn = async (target: string, cgroup = workload): Promise<string> => {
    const client = box.peer(['client', '--connect', target], { cgroup });
    const reply = await client.waitFor((l) => l.event === 'reply' || l.event === 'error');
    await client.exited;
    return String(reply.line ?? reply.message);
  };
  /** An outbound entry of the workload that is the attach cgroup itself (no cgroup named), binding nothing. */
  const outbound = (port: number, toPort: number, address?: string, more: Partial<OutboundRedirect> = {}): OutboundRedirect => ({
    node: 'n1',
    direction: 'outbound',
    ...(address !== undefined ? { address } : {}),
    port,
    proxyPort: toPort,
    workloads: ['test/wl'],
    bind: {},
    ...more,
  });

  it('redirects a workload connection to the proxy, which sees the original destination and forwards to it', async () => {
    const result = dp.sync([outbound(servicePort, proxyPort, `${net}.2`)]);
    expect(result).toEqual({ added: 2, removed: 0, changed: 0, unchanged: 0, ignored: 0, unresolved: [] }); // the rule and the workload's identity

    expect(await clientIn(`${net}.2:${servicePort}`)).toBe(`service ${net}.2:${servicePort}`);
    await proxy.waitFor(() => accepts(proxy).length >= 1);
    const seen = accepts(proxy);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.orig).toEqual({ address: `${net}.2`, port: servicePort, family: 'IPv4', source: 'so_original_dst' });
    // The proxy's own upstream matched the rule but was recognised (its cgroup) and not redirected.
    expect(proxy.lines.some((l) => l.event === 'loop')).toBe(false);
    const stats = dp.status().stats;
    expect(stats.out_redirected).toBeGreaterThanOrEqual(1n);
    expect(stats.out_skipped_proxy).toBeGreaterThanOrEqual(1n);
    expect(stats.sockopt_answered).toBeGreaterThanOrEqual(1n);
  });

  it('leaves a process outside the workload cgroup alone', async () => {
    const before = accepts(proxy).length;
    expect(await directReply(`${net}.2`, servicePort)).toBe(`service ${net}.2:${servicePort}`);
    expect(accepts(proxy)).toHaveLength(before);
  });

  it('redirects by port alone when the entry has no address, for IPv4 and IPv6', async () => {
    const result = dp.sync([outbound(servicePort, proxyPort)]);
    expect(result).toMatchObject({ added: 2, removed: 1 }); // wildcard: one key per family
    const before4 = accepts(proxy).length;
    expect(await clientIn(`${net}.2:${servicePort}`)).toBe(`service ${net}.2:${servicePort}`);
    await proxy.waitFor(() => accepts(proxy).length >= before4 + 1);
    expect(accepts(proxy)).toHaveLength(before4 + 1);

    const before6 = accepts(proxy6).length;
    expect(await clientIn(`[${svc6}]:${servicePort}`)).toBe(`service6 ${svc6}:${servicePort}`);
    await proxy6.waitFor(() => accepts(proxy6).length >= before6 + 1);
    const seen6 = accepts(proxy6);
    expect(seen6).toHaveLength(before6 + 1);
    expect(seen6.at(-1)?.orig).toEqual({ address: svc6, port: servicePort, family: 'IPv6', source: 'so_original_dst' });
  });

  it('answers SO_ORIGINAL_DST for a proxy in its own cgroup outside the workload (getsockopt attached there)', async () => {
    const sibling = box.cgroup('proxy2');
    const port2 = proxyPort + 1;
    const report = attachDataplane({ cgroup: workload, pinRoot, proxyCgroups: [proxyCgroup, sibling] });
    expect(report.created.filter((p) => p.endsWith('_getsockopt'))).toHaveLength(1); // the sibling's own link
    const proxy2 = box.peer(['proxy', '--listen', `127.0.0.1:${port2}`], { cgroup: sibling });
    await proxy2.waitFor((l) => l.event === 'listening');
    dp.sync([outbound(servicePort, port2, `${net}.2`)]);
    expect(await clientIn(`${net}.2:${servicePort}`)).toBe(`service ${net}.2:${servicePort}`);
    const seen = await proxy2.waitFor((l) => l.event === 'accept');
    expect(seen.orig).toEqual({ address: `${net}.2`, port: servicePort, family: 'IPv4', source: 'so_original_dst' });
    expect(dp.status().proxyCgroups).toHaveLength(2);
    dp.sync([outbound(servicePort, proxyPort)]); // back to the first proxy
  });

  it('carries data over the experimental sockmap path when it is turned on', async () => {
    attachDataplane({ cgroup: workload, pinRoot, proxyCgroups: [proxyCgroup], sockmap: true });
    try {
      const before = dp.status().stats.sockmap_added;
      const held = box.peer(['client', '--connect', `${net}.2:${servicePort}`, '--hold'], { cgroup: workload });
      expect((await held.waitFor((l) => l.event === 'reply')).line).toBe(`service ${net}.2:${servicePort}`);
      for (const text of ['one', 'two', 'three']) {
        held.child.stdin?.write(`${text}\n`);
        await held.waitFor((l) => l.event === 'echo' && l.line === text);
      }
      held.child.stdin?.end();
      await held.exited;
      expect(dp.status().sockmap).toBe(true);
      expect(dp.status().stats.sockmap_added - before).toBe(2n); // the client's socket and the proxy's accepted one
    } finally {
      attachDataplane({ cgroup: workload, pinRoot, proxyCgroups: [proxyCgroup], sockmap: false });
    }
    expect(dp.status().sockmap).toBe(false);
  });

  it('leaves a socket carrying the configured proxy mark alone, even inside the workload cgroup', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'sluice-mark-'));
    try {
      const binary = join(tmp, 'marked-client');
      execFileSync('cc', ['-O2', '-o', binary, join(repoRoot, 'test', 'bpf', 'fixtures', 'marked-client.c')]);
      attachDataplane({ cgroup: workload, pinRoot, proxyCgroups: [proxyCgroup], proxyMark: 0x5c1 });
      const run = (mark: string): string =>
        execFileSync('sh', ['-c', `echo $$ > '${workload}/cgroup.procs' && exec "$@"`, 'sh', binary, mark, `${net}.2`, String(servicePort)], {
          encoding: 'utf8',
        });
      const before = accepts(proxy).length;
      expect(run('0x5c1')).toBe(`service ${net}.2:${servicePort}\n`);
      expect(accepts(proxy)).toHaveLength(before); // marked: straight to the service
      expect(run('0x7')).toBe(`service ${net}.2:${servicePort}\n`);
      // Another mark: redirected as usual. The proxy logs accepts in order, so once this one's
      // line is in, a line for the marked connection would have been too.
      await proxy.waitFor(() => accepts(proxy).length > before);
      expect(accepts(proxy)).toHaveLength(before + 1);
    } finally {
      attachDataplane({ cgroup: workload, pinRoot, proxyCgroups: [proxyCgroup] });
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('binds a client that binds nothing to its workload\'s address, for IPv4 and IPv6', async () => {
    dp.sync([outbound(servicePort, proxyPort, undefined, { bind: { v4: `${net}.1`, v6: svc6.replace(/::2$/, '::1') } })]);
    const before4 = accepts(proxy).length;
    expect(await clientIn(`${net}.2:${servicePort}`)).toBe(`service ${net}.2:${servicePort}`);
    const seen4 = await proxy.waitFor(() => accepts(proxy).length > before4).then(() => accepts(proxy).at(-1));
    expect(String(seen4?.remote)).toMatch(new RegExp(`^${net.replace(/\./g, '\\.')}\\.1:\\d+$`)); // not 127.0.0.1
    const before6 = accepts(proxy6).length;
    expect(await clientIn(`[${svc6}]:${servicePort}`)).toBe(`service6 ${svc6}:${servicePort}`);
    const seen6 = await proxy6.waitFor(() => accepts(proxy6).length > before6).then(() => accepts(proxy6).at(-1));
    expect(String(seen6?.remote)).toContain(svc6.replace(/::2$/, '::1')); // not ::1
  });

  it('refuses the connect (EPERM) rather than pass it on anonymously when the address cannot be bound', async () => {
    dp.sync([outbound(servicePort, proxyPort, undefined, { bind: { v4: '10.254.254.254' } })]);
    const before = dp.status().stats.out_bind_failed;
    const before4 = accepts(proxy).length;
    expect(await clientIn(`${net}.2:${servicePort}`)).toMatch(/EPERM|operation not permitted/i);
    expect(dp.status().stats.out_bind_failed).toBe(before + 1n);
    expect(accepts(proxy)).toHaveLength(before4);
  });

  it('gives a process in a named workload cgroup that workload\'s rules, and no one else', async () => {
    const web = box.cgroup('web', workload);
    dp.sync([outbound(servicePort, proxyPort, undefined, { cgroup: cgroupPathOf(web), workloads: ['test/web'] })]);
    const before = accepts(proxy).length;
    expect(await clientIn(`${net}.2:${servicePort}`, web)).toBe(`service ${net}.2:${servicePort}`);
    await proxy.waitFor(() => accepts(proxy).length > before);
    // The attach cgroup's own processes are no workload with rules now: straight to the service.
    expect(await clientIn(`${net}.2:${servicePort}`)).toBe(`service ${net}.2:${servicePort}`);
    expect(accepts(proxy)).toHaveLength(before + 1);
    // A process in a cgroup below the workload's is still that workload.
    const deeper = box.cgroup('worker', web);
    expect(await clientIn(`${net}.2:${servicePort}`, deeper)).toBe(`service ${net}.2:${servicePort}`);
    await proxy.waitFor(() => accepts(proxy).length > before + 1);
    expect(dp.status().workloads).toHaveLength(1);
    dp.sync([outbound(servicePort, proxyPort)]);
  });

  it('stops redirecting once the entry is removed', async () => {
    const result = dp.sync([]);
    expect(result).toMatchObject({ added: 0, removed: 3 });
    const before = accepts(proxy).length;
    expect(await clientIn(`${net}.2:${servicePort}`)).toBe(`service ${net}.2:${servicePort}`);
    expect(accepts(proxy)).toHaveLength(before);
    expect(proxy.lines.some((l) => l.event === 'loop' || l.event === 'error')).toBe(false);
  });
});
