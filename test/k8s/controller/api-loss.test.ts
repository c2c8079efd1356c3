/**
 * A replica that loses the API server, against a real kube-apiserver and real Envoy 1.40: its
 * proxies keep their configuration (Envoy still holds the policy, still connected to the
 * replica), /readyz stays 200 and says that the last good configuration is served and since when
 * the API server cannot be reached. Meanwhile Pods change and etcd is compacted past the
 * informers' resourceVersion (the API server runs without its watch cache, so watches are served
 * from etcd): when the link comes back the watch is told 410 Gone, the informer relists, and
 * the deletion that happened in between reaches the proxy.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Envoy } from '../../../bench/envoy/process.js';
import type { Controller } from '../../../k8s/controller/index.js';
import { describeEnvoy } from '../../support/envoy.js';
import { describeKube } from '../../support/kube.js';
import { eventually, freePort } from '../../support/poll.js';
import { condition, ControllerBed } from './bed.js';
import { Link } from './link.js';

const SPEC = {
  selector: { matchLabels: { app: 'orders' } },
  ingress: [{
    from: [{ selector: { matchLabels: { app: 'web' } } }],
    toPorts: [{ ports: [{ port: 8080, protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: { prefix: '/v1/orders' } }] } }],
  }],
};
const RULE = 'shop/orders-api#spec.ingress[0].toPorts[0].rules.http[0]';

/** Compacts etcd at its current revision (through its HTTP gateway): older resourceVersions are gone. */
async function compact(etcdUrl: string): Promise<number> {
  const range = await fetch(`${etcdUrl}/v3/kv/range`, { method: 'POST', body: JSON.stringify({ key: Buffer.from('/').toString('base64') }) });
  const revision = Number(((await range.json()) as { header: { revision: string } }).header.revision);
  const r = await fetch(`${etcdUrl}/v3/kv/compaction`, { method: 'POST', body: JSON.stringify({ revision: String(revision), physical: true }) });
  if (!r.ok) throw new Error(`compaction: ${r.status} ${await r.text()}`);
  return revision;
}

describeKube('a controller replica that loses the API server', () => {
  describeEnvoy('with a real Envoy', () => {
    let bed: ControllerBed;
    let link: Link;
    let controller: Controller;
    let envoy: Envoy;
    const readyz = async () => {
      const r = await fetch(`http://127.0.0.1:${controller.adminPort}/readyz`);
      return { status: r.status, text: await r.text() };
    };
    const envoyDump = async () => JSON.stringify(await envoy.configDump());

    beforeAll(async () => {
      bed = await ControllerBed.start(['shop'], { extraArgs: ['--watch-cache=false'] });
      await bed.pod({ name: 'orders-a', namespace: 'shop', labels: { app: 'orders' }, ip: '10.1.0.7', node: 'node-a' });
      await bed.pod({ name: 'web', namespace: 'shop', labels: { app: 'web' }, ip: '10.1.0.9', node: 'node-a', ports: [80] });
      await bed.applyPolicy('shop', 'orders-api', SPEC);
      link = await Link.open(bed.target);
      controller = await bed.controller({ identity: 'replica-1', link, leaseDurationMs: 3000, proxyPorts: { inboundPort: await freePort(), outboundPort: await freePort() } });
      envoy = await Envoy.start({ node: 'node-a', xds: { host: '127.0.0.1', port: controller.xdsPort }, admin: { host: '127.0.0.1', port: await freePort() } });
      await eventually(async () => condition((await bed.policy('shop', 'orders-api')).status, 'Enforced')?.status === 'True', 'the policy to be Enforced', 30_000);
    }, 120_000);

    afterAll(async () => {
      await envoy?.stop();
      await controller?.close();
      await link?.close();
      await bed?.stop();
    }, 60_000);

    it('is ready and synced while the API server answers', async () => {
      expect(await readyz()).toEqual({ status: 200, text: expect.stringContaining('synced with the API server; leader') });
      expect(await envoyDump()).toContain(RULE);
    });

    it('keeps its proxies\' configuration and says so in /readyz when the API server cannot be reached', async () => {
      link.down();
      const ready = await eventually(async () => {
        const r = await readyz();
        return r.text.includes('cannot be reached') ? r : undefined;
      }, '/readyz to say the API server is away', 20_000);
      expect(ready.status).toBe(200);
      expect(ready.text).toMatch(/^serving the last good configuration \(generation \d+\): the API server cannot be reached since \d{4}-\d\d-\d\dT/);
      // The replica stops leading (it cannot renew the Lease), and Envoy keeps what it has, still connected to the replica.
      await eventually(() => !controller.leader.isLeading(), 'the replica to stop leading', 10_000);
      expect(await readyz()).toMatchObject({ text: expect.stringContaining('follower') });
      expect(await envoyDump()).toContain(RULE);
      expect(await envoyDump()).toContain('10.1.0.9');
      expect(await envoy.stat('control_plane.connected_state')).toBe(1);
      const status = (await (await fetch(`http://127.0.0.1:${controller.adminPort}/status`)).json()) as { api: { reachable: boolean; lastError?: string } };
      expect(status.api.reachable).toBe(false);
    });

    it('relists after 410 Gone when its resourceVersion was compacted away, and what changed meanwhile reaches the proxy', async () => {
      const before = controller.source.stats().pods;
      await bed.must('DELETE', '/api/v1/namespaces/shop/pods/web?gracePeriodSeconds=0');
      await bed.pod({ name: 'web-2', namespace: 'shop', labels: { app: 'web' }, ip: '10.1.0.12', node: 'node-a', ports: [80] });
      await compact(bed.api.etcdUrl);
      link.up();
      await eventually(async () => {
        const dump = await envoyDump();
        return dump.includes('10.1.0.12') && !dump.includes('10.1.0.9');
      }, 'Envoy to get the new peer and lose the deleted one', 40_000);
      const after = controller.source.stats().pods;
      expect(after.lists).toBe(before.lists + 1);
      await eventually(async () => (await readyz()).text.includes('synced with the API server'), '/readyz to say synced again', 20_000);
      await eventually(() => controller.leader.isLeading(), 'the replica to lead again', 20_000);
    });
  });
});
