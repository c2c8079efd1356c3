/**
 * Real Envoy (1.40) takes `SocketAddress.network_namespace_filepath` (envoy-api/protos.ts
 * NEWER_FIELDS) over ADS: Envoy, in this test's network namespace, opens a listener inside another
 * one (a namespace the test creates with `ip netns add`): it ACKs LDS, the socket is listed by that
 * namespace's `ss` and not by ours, and a client in that namespace gets Envoy's answer. A path
 * that is no network namespace is NACKed with Envoy's reason. Needs root (setns: CAP_SYS_ADMIN).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it, expect, beforeAll, afterAll } from '@jest/globals';
import { Envoy } from '../../bench/envoy/process.js';
import { encodeMessage, resourceType } from '../../envoy-api/index.js';
import type { EnvoyResource } from '../../policy-compiler/index.js';
import { compiledPodListener } from '../support/pod-inbound.js';
import { createSnapshot, SnapshotCache, TYPE_URL, XdsServer, type ResourceInput } from '../../xds-server/index.js';
import { describeDataPath } from '../support/envoy.js';
import { eventually, freePort } from '../support/poll.js';

const NS = `i13f-nsl-${process.pid}`;
const NODE = 'node-netns-listener';

function listener(name: string, port: number, netns: string): ResourceInput {
  return {
    typeUrl: TYPE_URL.LDS,
    name,
    body: encodeMessage('envoy.config.listener.v3.Listener', {
      name,
      address: { socket_address: { address: '0.0.0.0', port_value: port, network_namespace_filepath: netns } },
      filter_chains: [{ filters: [{ name: 'envoy.filters.network.direct_response', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.direct_response.v3.Config', response: { inline_string: 'from-envoy-in-netns\n' } } }] }],
    }),
  };
}

function publish(cache: SnapshotCache, resources: readonly ResourceInput[]): void {
  const r = createSnapshot(resources);
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
  cache.set(NODE, r.snapshot);
}

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });
const listening = (port: number, inNs: boolean): boolean =>
  execFileSync(inNs ? 'ip' : 'ss', inNs ? ['netns', 'exec', NS, 'ss', '-Hltn', `sport = :${port}`] : ['-Hltn', `sport = :${port}`], { encoding: 'utf8' }).trim() !== '';

describeDataPath('real Envoy opens a listener in another network namespace (network_namespace_filepath)', () => {
  const cache = new SnapshotCache();
  let server: XdsServer | undefined;
  let envoy: Envoy | undefined;
  let port = 0;

  beforeAll(async () => {
    ip('netns', 'add', NS);
    ip('-n', NS, 'link', 'set', 'lo', 'up');
    port = await freePort();
    publish(cache, [listener('in-pod', port, `/run/netns/${NS}`)]);
    server = new XdsServer({ cache });
    const xdsPort = await server.listen('127.0.0.1:0');
    envoy = await Envoy.start({ node: NODE, xds: { host: '127.0.0.1', port: xdsPort }, admin: { host: '127.0.0.1', port: await freePort() }, xdsApi: 'delta' });
  });

  afterAll(async () => {
    await envoy?.stop();
    await server?.close();
    try {
      ip('netns', 'del', NS);
    } catch {
      // already gone
    }
  });

  it('ACKs the listener; its socket is in that namespace only, and answers there', async () => {
    const e = envoy!;
    await e.until(async () => (await e.stat('listener_manager.total_listeners_active')) === 1, 'the listener to be active', 20_000);
    await eventually(() => server!.nodeStatus(NODE)?.types.find((t) => t.type === 'LDS')?.lastAck?.resources['in-pod'] !== undefined, 'the LDS ACK');
    expect(server!.nodeStatus(NODE)?.types.filter((t) => t.lastNack)).toEqual([]);
    expect(listening(port, true)).toBe(true);
    expect(listening(port, false)).toBe(false);
    const answer = execFileSync('ip', ['netns', 'exec', NS, 'node', '-e', `const s=require('net').connect(${port},'127.0.0.1');let b='';s.on('data',d=>b+=d);s.on('close',()=>process.stdout.write(b));s.on('error',e=>process.stdout.write('ERR '+e.code))`], { encoding: 'utf8' });
    expect(answer).toBe('from-envoy-in-netns\n');
    expect(await e.stat('listener.0.0.0.0_' + port + '.downstream_cx_total')).toBeGreaterThanOrEqual(1);
  });

  it('NACKs a listener whose path is no network namespace, with Envoy\'s reason', async () => {
    const other = await freePort();
    publish(cache, [listener('in-pod', port, `/run/netns/${NS}`), listener('stale', other, `/run/netns/${NS}-gone`)]);
    await eventually(() => server!.nodeStatus(NODE)?.types.find((t) => t.type === 'LDS')?.lastNack !== undefined, 'the LDS NACK', 20_000);
    const nack = server!.nodeStatus(NODE)?.types.find((t) => t.type === 'LDS')?.lastNack;
    console.log(`[evidence] Envoy's NACK for a missing netns path: ${JSON.stringify(nack?.message)}`);
    expect(nack?.message).toMatch(/stale/);
    expect(listening(other, false)).toBe(false);
    expect(listening(port, true)).toBe(true); // the good listener stays
  });

  it('takes a symlink to /proc/<pid>/ns/net of a process in the namespace (what the node agent maintains)', async () => {
    const holder = spawn('ip', ['netns', 'exec', NS, 'sleep', '60'], { stdio: 'ignore' });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'i13f-netns-'));
    try {
      await eventually(() => execFileSync('ip', ['netns', 'pids', NS], { encoding: 'utf8' }).trim() !== '', 'the holder to enter the namespace');
      const pid = execFileSync('ip', ['netns', 'pids', NS], { encoding: 'utf8' }).trim().split('\n')[0]!;
      symlinkSync(`/proc/${pid}/ns/net`, path.join(dir, 'pod-uid'));
      const third = await freePort();
      publish(cache, [listener('in-pod', port, `/run/netns/${NS}`), listener('via-link', third, path.join(dir, 'pod-uid'))]);
      const e = envoy!;
      await e.until(async () => (await e.stat('listener_manager.total_listeners_active')) === 2, 'the linked listener to be active', 20_000);
      expect(listening(third, true)).toBe(true);
      expect(listening(third, false)).toBe(false);
    } finally {
      holder.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("opens the listener again in the new namespace when its path changes (a Pod's sandbox recreated: a new namespace, a new link)", async () => {
    const other = `${NS}-b`;
    ip('netns', 'add', other);
    try {
      const moving = await freePort();
      publish(cache, [listener('in-pod', port, `/run/netns/${NS}`), listener('moving', moving, `/run/netns/${NS}`)]);
      await eventually(() => listening(moving, true), 'the listener in the first namespace', 20_000);
      publish(cache, [listener('in-pod', port, `/run/netns/${NS}`), listener('moving', moving, `/run/netns/${other}`)]);
      const inOther = () => execFileSync('ip', ['netns', 'exec', other, 'ss', '-Hltn', `sport = :${moving}`], { encoding: 'utf8' }).trim() !== '';
      await eventually(() => (inOther() ? true : undefined), 'the listener in the second namespace', 20_000);
      await eventually(() => (listening(moving, true) ? undefined : true), 'the first namespace released', 20_000);
    } finally {
      ip('netns', 'del', other);
    }
  });

  it("ACKs the compiled listener of a node-mode Pod (its chains, route and the inbound cluster) in the Pod's namespace", async () => {
    const { output, listener: podListener, port: podPort } = compiledPodListener(`/run/netns/${NS}`);
    const nodeB = output.nodes.find((n) => n.node === 'node-b')!;
    // The node's own listeners are left out (their ports are fixed, 15001/15006, and may be taken on this machine).
    const resources = [...nodeB.resources.filter((r) => r.message !== podListener.message), podListener];
    const input = (r: EnvoyResource): ResourceInput => ({ typeUrl: resourceType(r.message).typeUrl, name: r.name, body: encodeMessage(r.message, r.json), references: r.references.map((x) => ({ typeUrl: resourceType(x.message).typeUrl, name: x.name })) });
    publish(cache, [listener('in-pod', port, `/run/netns/${NS}`), ...resources.map(input)]);
    const e = envoy!;
    await eventually(() => server!.nodeStatus(NODE)?.types.find((t) => t.type === 'LDS')?.lastAck?.resources[podListener.name] !== undefined, 'the LDS ACK of the Pod listener', 20_000);
    await e.until(async () => (await e.stat('listener_manager.total_listeners_active')) === 2, 'the Pod listener to be active', 20_000);
    expect(server!.nodeStatus(NODE)?.types.filter((t) => t.lastNack && t.type !== 'LDS')).toEqual([]);
    expect(listening(podPort, true)).toBe(true);
    expect(listening(podPort, false)).toBe(false);
  });
});
