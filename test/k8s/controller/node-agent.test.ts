/**
 * `sluice controller` (node agents steering, its default) against a real kube-apiserver, with real Envoy as node-a's
 * node proxy and a real node agent (in-process, on the real kernel, in a fake kubepods tree):
 * the agent receives node-a's NodeRedirects with the Pod named by the UID the API server gave it,
 * programs it, and status counts it: an egress policy is Enforced only once both node-a's Envoy
 * and node-a's agent ACKed (1/2 naming `node-a.agent` before). An inbound policy on a node-mode
 * Pod (its own netns: nothing steers it) is never called Enforced: Bypassed, saying why. An agent
 * that ACKs without a steering report (an older one, faked at the xDS seam) is not trusted: Bypassed.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { rmdirSync } from 'node:fs';
import { Envoy } from '../../../bench/envoy/process.js';
import { missingForKernelTests, Sandbox } from '../../../bench/redirect/sandbox.js';
import { readStatus, unloadDataplane } from '../../../bpf/index.js';
import type { Controller } from '../../../k8s/controller/index.js';
import { NODE_REDIRECTS_TYPE_URL, NodeAgent } from '../../../node-agent/index.js';
import { Registry, silentLogger } from '../../../telemetry/index.js';
import { SingleTypeAdsClient } from '../../../xds-client/index.js';
import { describeEnvoy } from '../../support/envoy.js';
import { describeKube } from '../../support/kube.js';
import { eventually, freePort } from '../../support/poll.js';
import { testPinRoot } from '../../bpf/kernel.js';
import { condition, ControllerBed } from './bed.js';

const EGRESS = {
  mode: 'enforce',
  selector: { matchLabels: { app: 'web' } },
  egress: [{ to: [{ ipBlock: { cidr: '10.2.0.0/24' } }], toPorts: [{ ports: [{ port: 8080, protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
};
const INGRESS = {
  mode: 'enforce',
  selector: { matchLabels: { app: 'orders' } },
  ingress: [{ toPorts: [{ ports: [{ port: 8080, protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
};

const kernel = missingForKernelTests();
describeKube('sluice controller with node agents', () => {
  describeEnvoy('node-a: real Envoy and a real node agent', () => {
    if (kernel) {
      it.skip(`needs the kernel test bed: ${kernel}`, () => undefined);
      return;
    }
    const box = new Sandbox();
    const pinRoot = testPinRoot('k8s-agent');
    let bed: ControllerBed;
    let controller: Controller;
    let envoy: Envoy | undefined;
    let agent: NodeAgent | undefined;
    let old: SingleTypeAdsClient | undefined;
    let webUid = '';
    let besteffort = '';
    let root = '';
    const status = async (name: string) => (await bed.policy('shop', name)).status;

    beforeAll(async () => {
      bed = await ControllerBed.start();
      await bed.pod({ name: 'web', namespace: 'shop', labels: { app: 'web' }, ip: '10.1.0.9', node: 'node-a', ports: [80] });
      await bed.pod({ name: 'orders', namespace: 'shop', labels: { app: 'orders' }, ip: '10.1.0.7', node: 'node-a' });
      webUid = ((await bed.must('GET', '/api/v1/namespaces/shop/pods/web'))['metadata'] as { uid: string }).uid;
      const ports = { inboundPort: await freePort(), outboundPort: await freePort() };
      controller = await bed.controller({ identity: 'replica-1', nodeAgents: true, proxyPorts: ports });
      await eventually(() => controller.leader.isLeading(), 'the only replica to lead', 20_000);
      await bed.applyPolicy('shop', 'web-egress', EGRESS);
      await bed.applyPolicy('shop', 'orders-in', INGRESS);
    }, 120_000);

    afterAll(async () => {
      agent?.stop();
      old?.stop();
      await envoy?.stop();
      await controller?.close();
      await bed?.stop();
      try {
        unloadDataplane({ pinRoot });
      } catch {
        /* never attached */
      }
      await box.cleanup();
    }, 60_000);

    it("counts the node agent's ACK: 1/2 naming node-a.agent once Envoy ACKed, 2/2 Enforced once the agent programmed the Pod", async () => {
      envoy = await Envoy.start({ node: 'node-a', xds: { host: '127.0.0.1', port: controller.xdsPort }, admin: { host: '127.0.0.1', port: await freePort() } });
      const half = await eventually(async () => {
        const s = await status('web-egress');
        return s?.enforced?.acked === 1 ? s : undefined;
      }, 'Envoy counted', 30_000);
      expect(half.enforced).toEqual({ acked: 1, total: 2, summary: '1/2', pending: ['node-a.agent'] });
      expect(condition(half, 'Enforced')).toMatchObject({ status: 'False', reason: 'Pending' });

      // The kubelet's tree for node-a, with web's Pod cgroup under the UID the API server assigned.
      root = box.cgroup('root');
      besteffort = box.cgroup('kubepods-besteffort.slice', box.cgroup('kubepods.slice', root));
      box.cgroup('cri-containerd-app.scope', box.cgroup(`kubepods-besteffort-pod${webUid.replace(/-/g, '_')}.slice`, besteffort));
      agent = new NodeAgent({
        host: 'node-a', xds: { address: `127.0.0.1:${controller.xdsPort}` }, cgroupRoot: root, pinRoot, selfCgroup: '0::/',
        nodeAddress: { v4: '10.1.0.1' }, pollMs: 200, logger: silentLogger, registry: new Registry(),
      });
      agent.start();
      const full = await eventually(async () => {
        const s = await status('web-egress');
        return s?.enforced?.acked === 2 ? s : undefined;
      }, 'the agent counted', 30_000);
      expect(full.enforced).toMatchObject({ acked: 2, total: 2, summary: '2/2', pending: [] });
      expect(condition(full, 'Enforced')).toMatchObject({ status: 'True', reason: 'Enforced' });
      // The kernel holds web's rule: its Pod's cgroup, to the node proxy at the node address, bound to the Pod's address.
      const rule = readStatus(pinRoot).rules.map((r) => r.text).find((t) => t.includes(`:8080`));
      expect(rule).toContain(`→ 10.1.0.1:`);
      expect(rule).toContain('bind 10.1.0.9');
      expect(agent.status().unresolvedPods).toEqual([]);
    });

    it("never calls a policy Enforced for a Pod the agent cannot steer: Bypassed naming the Pod, node-a.agent and why (not found; an unknown cgroup layout, where), Enforced once it is where the kubelet puts it", async () => {
      await bed.pod({ name: 'web2', namespace: 'shop', labels: { app: 'web' }, ip: '10.1.0.10', node: 'node-a', ports: [80] });
      const uid2 = ((await bed.must('GET', '/api/v1/namespaces/shop/pods/web2'))['metadata'] as { uid: string }).uid;
      const bypassed = (needle: string) => async () => {
        const got = await status('web-egress');
        const c = condition(got, 'Enforced');
        return c?.reason === 'Bypassed' && c.message.includes(needle) ? got : undefined;
      };
      // Every proxy and the agent ACKed: it is the agent's report that says web2 is not steered.
      const missing = await eventually(bypassed('cgroup-not-found'), 'web-egress Bypassed for web2', 30_000);
      expect(missing.enforced).toMatchObject({ acked: 2, total: 2 });
      const m = condition(missing, 'Enforced');
      expect(m).toMatchObject({ status: 'False', reason: 'Bypassed' });
      expect(m?.message).toContain(`node-a.agent cannot steer Pod shop/web2 (uid ${uid2}, cgroup-not-found)`);
      expect(m?.message).toContain('its connections to port 8080 are not steered to node-a');
      expect(m?.message).not.toContain('shop/web ');
      expect(agent?.status().unresolvedPods).toEqual([uid2]);

      // Its cgroup where no kubelet layout puts it: still Bypassed, saying where it is.
      const odd = box.cgroup('odd.slice', besteffort);
      const oddPod = box.cgroup(`pod${uid2}`, odd);
      const oddApp = box.cgroup('cri-containerd-app2.scope', oddPod);
      const unknown = await eventually(bypassed('unknown-layout'), 'web2 in an unknown layout', 30_000);
      expect(condition(unknown, 'Enforced')?.message).toContain(`its cgroup is ${oddPod}`);

      // Where the systemd kubelet puts it: steered, and Enforced.
      for (const dir of [oddApp, oddPod, odd]) rmdirSync(dir);
      box.cgroup('cri-containerd-app2.scope', box.cgroup(`kubepods-besteffort-pod${uid2.replace(/-/g, '_')}.slice`, besteffort));
      const enforced = await eventually(async () => {
        const got = await status('web-egress');
        return condition(got, 'Enforced')?.status === 'True' ? got : undefined;
      }, 'web-egress Enforced again', 30_000);
      expect(condition(enforced, 'Enforced')).toMatchObject({ reason: 'Enforced' });
      expect(agent?.status().unresolvedPods).toEqual([]);
      expect(readStatus(pinRoot).rules.map((r) => r.text).some((t) => t.includes('bind 10.1.0.10'))).toBe(true);
    }, 120_000);

    it('never calls an inbound policy on a node-mode Pod Enforced: nothing steers it (Bypassed, saying why)', async () => {
      const s = await eventually(async () => {
        const got = await status('orders-in');
        return condition(got, 'Enforced')?.reason === 'Bypassed' ? got : undefined;
      }, 'orders-in Bypassed', 30_000);
      expect(condition(s, 'Enforced')).toMatchObject({ status: 'False' });
      expect(condition(s, 'Enforced')?.message).toContain('inbound connections to shop/orders port 8080 (10.1.0.7) are not steered to node-a');
    });

    it('trusts no agent that ACKs without a steering report (an older agent): Bypassed, saying so; Enforced again once a current agent reports', async () => {
      expect(condition(await status('web-egress'), 'Enforced')).toMatchObject({ status: 'True' });
      agent?.stop();
      agent = undefined;
      // An agent built before the report: it ACKs node-a's NodeRedirects at the xDS seam, with no node.metadata.
      const acks: string[] = [];
      old = new SingleTypeAdsClient({
        address: `127.0.0.1:${controller.xdsPort}`, nodeId: 'node-a.agent', userAgent: 'sluice-node-agent', typeUrl: NODE_REDIRECTS_TYPE_URL, resourceNames: ['node-a'],
        apply: (resources) => ({ ok: true, applied: resources.length }), logger: silentLogger, backoff: { initial: 100, max: 1000 },
        onUpdate: (u) => { if (u.kind === 'ack') acks.push(u.version); },
      });
      old.start();
      const silent = await eventually(async () => {
        const got = await status('web-egress');
        return acks.length > 0 && condition(got, 'Enforced')?.reason === 'Bypassed' ? got : undefined;
      }, 'web-egress Bypassed for the silent agent', 30_000);
      // Every proxy ACKed, the old agent too: only its missing report keeps it from Enforced.
      expect(silent.enforced).toMatchObject({ acked: 2, total: 2 });
      expect(condition(silent, 'Enforced')).toMatchObject({ status: 'False', reason: 'Bypassed' });
      expect(condition(silent, 'Enforced')?.message).toContain('the agent on node-a sends no steering report (older than this controller?)');

      // Upgraded: the current agent sends its (empty) report with its ACK, and its ACK counts again.
      old.stop();
      agent = new NodeAgent({
        host: 'node-a', xds: { address: `127.0.0.1:${controller.xdsPort}` }, cgroupRoot: root, pinRoot, selfCgroup: '0::/',
        nodeAddress: { v4: '10.1.0.1' }, pollMs: 200, logger: silentLogger, registry: new Registry(),
      });
      agent.start();
      await eventually(async () => (condition(await status('web-egress'), 'Enforced')?.status === 'True' ? true : undefined), 'web-egress Enforced with the current agent', 30_000);
    }, 60_000);
  });
});
