/**
 * `sluice controller` against a real kube-apiserver and real Envoy 1.40: an L7Policy applied
 * through the API reaches the node proxies of the nodes its Pods run on, and the policy's status
 * on the API server tells the truth at each step: Accepted, Enforced 0/2 while no proxy runs,
 * 1/2 naming the node that has not ACKed, Rejected with the node and Envoy's own NACK reason
 * (its listener port taken by the other node's Envoy on this host), 2/2 once both ACK, and back to 1/2 naming the node
 * whose proxy went away. hostNetwork Pods: never workloads, never peers, and the status says so.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Envoy } from '../../../bench/envoy/process.js';
import type { Controller } from '../../../k8s/controller/index.js';
import { describeEnvoy } from '../../support/envoy.js';
import { describeKube } from '../../support/kube.js';
import { eventually, freePort } from '../../support/poll.js';
import { condition, ControllerBed } from './bed.js';

const SPEC = {
  mode: 'enforce',
  selector: { matchLabels: { app: 'orders' } },
  ingress: [{
    from: [{ selector: { matchLabels: { app: 'web' } } }],
    toPorts: [{ ports: [{ port: 8080, protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: { prefix: '/v1/orders' } }] } }],
  }],
};

describeKube('sluice controller on a real API server', () => {
  describeEnvoy('with real Envoy node proxies', () => {
    let bed: ControllerBed;
    let controller: Controller;
    const envoys = new Map<string, Envoy>();
    // Both "nodes" run on this host: node-b's listeners first take node-a's ports (so its Envoy cannot bind them, and NACKs), then its own.
    const ports = new Map<string, { inboundPort: number; outboundPort: number }>();
    let conflict = true;
    const status = async () => (await bed.policy('shop', 'orders-api')).status;
    const startEnvoy = async (node: string, extraArgs: readonly string[] = []) => {
      const e = await Envoy.start({ node, xds: { host: '127.0.0.1', port: controller.xdsPort }, admin: { host: '127.0.0.1', port: await freePort() }, extraArgs });
      envoys.set(node, e);
      return e;
    };
    const stopEnvoy = async (node: string) => {
      await envoys.get(node)?.stop();
      envoys.delete(node);
    };

    beforeAll(async () => {
      bed = await ControllerBed.start();
      await bed.pod({ name: 'orders-a', namespace: 'shop', labels: { app: 'orders' }, ip: '10.1.0.7', node: 'node-a' });
      await bed.pod({ name: 'orders-b', namespace: 'shop', labels: { app: 'orders' }, ip: '10.1.0.8', node: 'node-b' });
      await bed.pod({ name: 'web', namespace: 'shop', labels: { app: 'web' }, ip: '10.1.0.9', node: 'node-a', ports: [80] });
      await bed.pod({ name: 'web-host', namespace: 'shop', labels: { app: 'web' }, ip: '192.168.0.1', node: 'node-a', ports: [80], hostNetwork: true });
      for (const node of ['node-a', 'node-b']) ports.set(node, { inboundPort: await freePort(), outboundPort: await freePort() });
      controller = await bed.controller({ identity: 'replica-1', disconnectGraceMs: 1000, proxyPorts: (node) => ports.get(conflict && node === 'node-b' ? 'node-a' : node) });
      await eventually(() => controller.leader.isLeading(), 'the only replica to lead', 20_000);
    }, 120_000);

    afterAll(async () => {
      for (const node of [...envoys.keys()]) await stopEnvoy(node);
      await controller?.close();
      await bed?.stop();
    }, 60_000);

    it('reconciles a policy applied through the API into the node proxies\' xDS resources, and says 0/2 while no proxy runs', async () => {
      await bed.applyPolicy('shop', 'orders-api', SPEC);
      const s = await eventually(async () => {
        const got = await status();
        return got?.observedGeneration === 1 ? got : undefined;
      }, 'a status for generation 1', 20_000);
      expect(condition(s, 'Accepted')).toMatchObject({ status: 'True', reason: 'Valid', observedGeneration: 1 });
      expect(condition(s, 'Enforced')).toMatchObject({ status: 'False', reason: 'Pending' });
      expect(s.enforced).toEqual({ acked: 0, total: 2, summary: '0/2', pending: ['node-a', 'node-b'] });
      // What node-a is served carries the rule; the peer is web's Pod address, never the hostNetwork Pod's (its node's).
      const dump = await (await fetch(`http://127.0.0.1:${controller.adminPort}/config_dump?node=node-a`)).text();
      expect(dump).toContain('shop/orders-api#spec.ingress[0].toPorts[0].rules.http[0]');
      expect(dump).toContain('10.1.0.9');
      expect(dump).not.toContain('192.168.0.1');
      expect(condition(s, 'Accepted')?.message).toContain('a peer selector matches hostNetwork Pod shop/web-host');
    });

    it('counts node-a once its Envoy ACKed, and names node-b, which has not', async () => {
      await startEnvoy('node-a');
      const s = await eventually(async () => {
        const got = await status();
        return got?.enforced.acked === 1 ? got : undefined;
      }, 'node-a to be counted', 30_000);
      expect(s.enforced).toEqual({ acked: 1, total: 2, summary: '1/2', pending: ['node-b'] });
      expect(condition(s, 'Enforced')).toMatchObject({ status: 'False', reason: 'Pending' });
      expect(condition(s, 'Enforced')?.message).toContain('node-b');
    });

    it('is Rejected with the node and Envoy\'s own reason when node-b\'s Envoy NACKs (its listener port is taken)', async () => {
      await startEnvoy('node-b');
      const s = await eventually(async () => {
        const got = await status();
        return condition(got, 'Rejected')?.status === 'True' ? got : undefined;
      }, 'the policy to be Rejected', 30_000);
      expect(s.rejected).toHaveLength(1);
      expect(s.rejected[0]?.node).toBe('node-b');
      expect(s.rejected[0]?.message).toMatch(/cannot bind '0\.0\.0\.0:\d+': Address already in use/);
      expect(condition(s, 'Rejected')?.message).toContain('node-b rejected it');
      expect(condition(s, 'Enforced')).toMatchObject({ status: 'False', reason: 'Rejected' });
      expect(s.enforced.summary).toBe('1/2');
    });

    it('is Enforced 2/2 once node-b is served ports of its own and ACKs', async () => {
      conflict = false;
      controller.reconcile();
      const s = await eventually(async () => {
        const got = await status();
        return condition(got, 'Enforced')?.status === 'True' ? got : undefined;
      }, 'the policy to be Enforced', 30_000);
      expect(s.enforced).toEqual({ acked: 2, total: 2, summary: '2/2', pending: [] });
      expect(condition(s, 'Rejected')).toMatchObject({ status: 'False' });
      expect(s.rejected).toEqual([]);
    });

    it('drops back to 1/2, naming node-a, once node-a\'s proxy has been disconnected for the grace period', async () => {
      await stopEnvoy('node-a');
      let last: unknown;
      const s = await eventually(async () => {
        const got = await status();
        last = got;
        return got?.enforced.acked === 1 ? got : undefined;
      }, 'node-a to be uncounted', 15_000).catch((error: unknown) => {
        throw new Error(`${String(error)}; last status: ${JSON.stringify(last)}; nodes: ${JSON.stringify(controller.xds.status())}`);
      });
      expect(s.enforced.pending).toEqual(['node-a']);
      expect(condition(s, 'Enforced')).toMatchObject({ status: 'False' });
      expect(condition(s, 'Enforced')?.message).toContain('node-a');
    });

    it('follows a new generation: observedGeneration moves, and only an ACK of the new version counts', async () => {
      await bed.applyPolicy('shop', 'orders-api', { ...SPEC, ingress: [{ ...SPEC.ingress[0], toPorts: [{ ports: [{ port: 8080, protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: { prefix: '/v2/orders' } }] } }] }] });
      const s = await eventually(async () => {
        const got = await status();
        return got?.observedGeneration === 2 && got.enforced.acked === 1 ? got : undefined;
      }, 'generation 2 on node-b', 30_000);
      expect(condition(s, 'Accepted')).toMatchObject({ status: 'True', observedGeneration: 2 });
      const dump = JSON.stringify(await envoys.get('node-b')?.configDump());
      expect(dump).toContain('/v2/orders');
    });
  });
});
