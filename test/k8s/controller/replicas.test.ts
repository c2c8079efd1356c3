/**
 * Scale-out on Kubernetes itself, against a real kube-apiserver and real Envoy 1.40: two
 * controller replicas serve xDS from their own informers; one holds the Lease and writes status,
 * counting the ACKs of a proxy connected to the other (read from its /xds/nodes); when the
 * leader stops without handing the Lease back, the other takes it once it expires and goes on
 * writing; a watch broken under it is resumed from its resourceVersion (no list), and what changed
 * meanwhile is seen.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Envoy } from '../../../bench/envoy/process.js';
import type { Controller } from '../../../k8s/controller/index.js';
import { describeEnvoy } from '../../support/envoy.js';
import { describeKube } from '../../support/kube.js';
import { eventually, freePort } from '../../support/poll.js';
import { condition, ControllerBed, localAddress } from './bed.js';
import { Link } from './link.js';

const SPEC = {
  selector: { matchLabels: { app: 'orders' } },
  ingress: [{ toPorts: [{ ports: [{ port: 8080, protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: { prefix: '/v1/orders' } }] } }] }],
};
const LEASE_MS = 3000;

describeKube('controller replicas on a real API server', () => {
  describeEnvoy('with a real Envoy', () => {
    let bed: ControllerBed;
    const replicas = new Map<string, { controller: Controller; link: Link }>();
    let envoy: Envoy | undefined;
    const status = async () => (await bed.policy('shop', 'orders-api')).status;
    const leaders = () => [...replicas].filter(([, r]) => r.controller.leader.isLeading()).map(([id]) => id);
    const replica = (id: string) => {
      const r = replicas.get(id);
      if (!r) throw new Error(`no replica ${id}`);
      return r;
    };

    beforeAll(async () => {
      bed = await ControllerBed.start();
      await bed.pod({ name: 'orders-a', namespace: 'shop', labels: { app: 'orders' }, ip: '10.1.0.7', node: 'node-a' });
      await bed.applyPolicy('shop', 'orders-api', SPEC);
      const ports = { inboundPort: await freePort(), outboundPort: await freePort() };
      for (const id of ['replica-1', 'replica-2']) {
        const link = await Link.open(bed.target);
        const controller = await bed.controller({ identity: id, link, admin: { host: localAddress(), port: 0 }, leaseDurationMs: LEASE_MS, peerService: 'sluice-controller', proxyPorts: ports, disconnectGraceMs: 2000 });
        replicas.set(id, { controller, link });
        await bed.replicaEndpoint(id, localAddress(), controller.adminPort);
      }
    }, 120_000);

    afterAll(async () => {
      await envoy?.stop();
      for (const { controller, link } of replicas.values()) {
        await controller.close();
        await link.close();
      }
      await bed?.stop();
    }, 60_000);

    it('elect exactly one leader, which the Lease names', async () => {
      await eventually(() => leaders().length === 1, 'one leader', 20_000);
      // Give the follower a few election rounds: it must stay a follower.
      await new Promise((r) => setTimeout(r, 1500));
      expect(leaders()).toHaveLength(1);
      const lease = await bed.must('GET', '/apis/coordination.k8s.io/v1/namespaces/sluice-system/leases/sluice-controller');
      expect((lease['spec'] as { holderIdentity?: string }).holderIdentity).toBe(leaders()[0]);
      // Both serve the policy from their own informers.
      for (const { controller } of replicas.values()) expect(controller.runtime.state().policies.has('shop/orders-api')).toBe(true);
    });

    it('the leader writes status with the ACKs of a proxy connected to the other replica', async () => {
      const [leaderId] = leaders();
      const followerId = [...replicas.keys()].find((id) => id !== leaderId) ?? '';
      envoy = await Envoy.start({ node: 'node-a', xds: { host: '127.0.0.1', port: replica(followerId).controller.xdsPort }, admin: { host: '127.0.0.1', port: await freePort() } });
      const s = await eventually(async () => {
        const got = await status();
        return condition(got, 'Enforced')?.status === 'True' ? got : undefined;
      }, 'Enforced through the follower\'s proxy', 30_000);
      expect(s.enforced).toEqual({ acked: 1, total: 1, summary: '1/1', pending: [] });
      expect(replica(followerId).controller.writer.counts.written).toBe(0);
      expect(replica(leaderId ?? '').controller.writer.counts.written).toBeGreaterThan(0);
    });

    it('fail over: when the leader stops without releasing the Lease, the other takes it after it expires and writes status', async () => {
      const [oldId] = leaders();
      const old = replica(oldId ?? '');
      const stoppedAt = Date.now();
      await old.controller.close({ release: false });
      await old.link.close();
      replicas.delete(oldId ?? '');
      const [survivor] = [...replicas.keys()];
      await eventually(() => replica(survivor ?? '').controller.leader.isLeading(), 'the survivor to lead', 20_000);
      const tookMs = Date.now() - stoppedAt;
      expect(tookMs).toBeGreaterThan(LEASE_MS - 500); // it waited for the Lease to expire: never two leaders
      const lease = await bed.must('GET', '/apis/coordination.k8s.io/v1/namespaces/sluice-system/leases/sluice-controller');
      expect((lease['spec'] as { holderIdentity?: string }).holderIdentity).toBe(survivor);
      await bed.applyPolicy('shop', 'orders-api', { ...SPEC, mode: 'audit' });
      const s = await eventually(async () => {
        const got = await status();
        return got?.observedGeneration === 2 && condition(got, 'Enforced')?.status === 'True' ? got : undefined;
      }, 'generation 2 written by the new leader', 30_000);
      expect(condition(s, 'Enforced')?.reason).toBe('Auditing');
      expect(s.auditSince).toBeDefined();
    });

    it('a watch broken under a replica is resumed from its resourceVersion (no list), and sees what changed meanwhile', async () => {
      const [id] = [...replicas.keys()];
      const { controller, link } = replica(id ?? '');
      const before = controller.source.stats().pods;
      link.cut();
      await bed.pod({ name: 'orders-c', namespace: 'shop', labels: { app: 'orders' }, ip: '10.1.0.11', node: 'node-c' });
      const s = await eventually(async () => {
        const got = await status();
        return got?.enforced.total === 2 ? got : undefined;
      }, 'node-c among the targets', 30_000);
      expect(s.enforced.pending).toEqual(['node-c']);
      const after = controller.source.stats().pods;
      expect(after.lists).toBe(before.lists);
      expect(after.watches).toBeGreaterThan(before.watches);
      expect(after.errors).toBeGreaterThan(before.errors);
    });
  });
});
