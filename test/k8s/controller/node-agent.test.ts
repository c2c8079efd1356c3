/**
 * `sluice controller` (node agents steering, its default) against a real kube-apiserver, with real Envoy as node-a's
 * node proxy and a real node agent (in-process, on the real kernel, in a fake kubepods tree):
 * the agent receives node-a's NodeRedirects with the Pod named by the UID the API server gave it,
 * programs it, and status counts it: an egress policy is Enforced only once both node-a's Envoy
 * and node-a's agent ACKed (1/2 naming `node-a.agent` before). An inbound policy on a node-mode
 * Pod whose namespace the agent cannot find yet is never called Enforced: Bypassed, saying why
 * (node-mode Pods' inbound through the node proxy: node-mode-inbound.test.ts). An agent that ACKs without a steering report (an older one, faked at the xDS seam)
 * is not trusted: Bypassed. A sidecar Pod (a netns of its own, its sidecar a real Envoy in it, in
 * the sidecar container's cgroup): Bypassed while it has no process (netns-not-found), Degraded
 * while its sidecar has no listener registered, Enforced once the agent attached inbound steering
 * in its namespace and the sidecar listens; a client in the node's namespace
 * dialling the Pod's address is handed to the sidecar, which allows GET and denies POST (Envoy's
 * RBAC counters and the app's own log as evidence); with the sidecar down the connection is refused,
 * never delivered to the app; the Pod deleted, the agent releases its namespace's link.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, connect, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { Envoy } from '../../../bench/envoy/process.js';
import { placed, Sandbox } from '../../../bench/redirect/sandbox.js';
import { readStatus } from '../../../bpf/index.js';
import type { Controller } from '../../../k8s/controller/index.js';
import { NODE_REDIRECTS_TYPE_URL, NodeAgent } from '../../../node-agent/index.js';
import { Registry, silentLogger } from '../../../telemetry/index.js';
import { SingleTypeAdsClient } from '../../../xds-client/index.js';
import { describeEnvoy } from '../../support/envoy.js';
import { describeKube } from '../../support/kube.js';
import { eventually, freePort } from '../../support/poll.js';
import { testPinRoot } from '../../bpf/kernel.js';
import { condition, ControllerBed } from './bed.js';
import { APP, call, getOnlyIngress, releaseKernelBed, withoutKernelBed } from './pod-traffic.js';

const EGRESS = {
  mode: 'enforce',
  selector: { matchLabels: { app: 'web' } },
  egress: [{ to: [{ ipBlock: { cidr: '10.2.0.0/24' } }], toPorts: [{ ports: [{ port: 8080, protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
};
const INGRESS = getOnlyIngress('orders');
const FRONT_IN = getOnlyIngress('front');

describeKube('sluice controller with node agents', () => {
  describeEnvoy('node-a: real Envoy and a real node agent', () => {
    if (withoutKernelBed()) return;
    const box = new Sandbox();
    const pinRoot = testPinRoot('k8s-agent');
    let bed: ControllerBed;
    let controller: Controller;
    let envoy: Envoy | undefined;
    let agent: NodeAgent | undefined;
    let old: SingleTypeAdsClient | undefined;
    let sidecar: Envoy | undefined;
    let app: ChildProcess | undefined;
    let forwarder: Server | undefined;
    let webUid = '';
    let besteffort = '';
    let ports = { inboundPort: 0, outboundPort: 0 };
    let root = '';
    const status = async (name: string) => (await bed.policy('shop', name)).status;

    beforeAll(async () => {
      bed = await ControllerBed.start();
      await bed.pod({ name: 'web', namespace: 'shop', labels: { app: 'web' }, ip: '10.1.0.9', node: 'node-a', ports: [80] });
      await bed.pod({ name: 'orders', namespace: 'shop', labels: { app: 'orders' }, ip: '10.1.0.7', node: 'node-a' });
      webUid = ((await bed.must('GET', '/api/v1/namespaces/shop/pods/web'))['metadata'] as { uid: string }).uid;
      ports = { inboundPort: await freePort(), outboundPort: await freePort() };
      controller = await bed.controller({ identity: 'replica-1', nodeAgents: true, proxyPorts: ports });
      await eventually(() => controller.leader.isLeading(), 'the only replica to lead', 20_000);
      await bed.applyPolicy('shop', 'web-egress', EGRESS);
      await bed.applyPolicy('shop', 'orders-in', INGRESS);
    }, 120_000);

    afterAll(async () => {
      app?.kill('SIGKILL');
      await sidecar?.stop();
      forwarder?.close();
      agent?.stop();
      old?.stop();
      await envoy?.stop();
      await controller?.close();
      await releaseKernelBed(bed, pinRoot, box);
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
      // orders (node mode, an inbound policy): its cgroup, with no process yet (so no namespace to link).
      const ordersUid = ((await bed.must('GET', '/api/v1/namespaces/shop/pods/orders'))['metadata'] as { uid: string }).uid;
      box.cgroup('cri-containerd-orders.scope', box.cgroup(`kubepods-besteffort-pod${ordersUid.replace(/-/g, '_')}.slice`, besteffort));
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

    it('never calls an inbound policy on a node-mode Pod Enforced while its agent finds no namespace to link (no process yet): Bypassed, saying why', async () => {
      const s = await eventually(async () => {
        const got = await status('orders-in');
        return condition(got, 'Enforced')?.message.includes('netns-not-found') ? got : undefined;
      }, 'orders-in Bypassed (netns-not-found)', 30_000);
      expect(condition(s, 'Enforced')).toMatchObject({ status: 'False', reason: 'Bypassed' });
      const m = condition(s, 'Enforced')?.message ?? '';
      expect(m).toContain('node-a.agent cannot steer inbound connections of Pod shop/orders');
      expect(m).toContain("inbound connections to shop/orders port 8080 (10.1.0.7): node-a's agent has not reported linking the Pod's network namespace yet");
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

    it("steers a sidecar Pod's inbound connections in its own network namespace to its sidecar (a real Envoy): Bypassed while it has no process, Degraded while its sidecar is not listening, Enforced once attached; GET allowed and POST denied by Envoy; refused with the sidecar down, never reaching the app; released once the Pod is gone", async () => {
      // The Pod: a namespace of its own on a veth from the node's, a sidecar-mode Pod in the API server with its sidecar's container id.
      const net = `10.231.${box.subnet('10.231')}`;
      const podNs = box.netns('front');
      box.veth(undefined, podNs, `${net}.1/24`, `${net}.2/24`);
      await bed.pod({ name: 'front', namespace: 'shop', labels: { app: 'front' }, ip: `${net}.2`, node: 'node-a', ports: [8080], annotations: { 'sluice.dev/proxy': 'sidecar' } });
      const meta = (await bed.must('GET', '/api/v1/namespaces/shop/pods/front'))['metadata'] as { uid: string };
      const started = new Date().toISOString();
      await bed.must('PATCH', '/api/v1/namespaces/shop/pods/front/status', { status: { containerStatuses: [
        { name: 'app', ready: true, restartCount: 0, image: 'app:1', imageID: 'app@sha256:1', containerID: 'containerd://app1', state: { running: { startedAt: started } } },
        { name: 'sluice-proxy', ready: true, restartCount: 0, image: 'envoy:1', imageID: 'envoy@sha256:1', containerID: 'containerd://side1', state: { running: { startedAt: started } } },
      ] } }, 'application/merge-patch+json');
      const pod = box.cgroup(`kubepods-besteffort-pod${meta.uid.replace(/-/g, '_')}.slice`, besteffort);
      const appCg = box.cgroup('cri-containerd-app1.scope', pod);
      const sideCg = box.cgroup('cri-containerd-side1.scope', pod);
      await bed.applyPolicy('shop', 'front-in', FRONT_IN);
      const enforced = async (): Promise<string | undefined> => condition(await status('front-in'), 'Enforced')?.reason;

      // The sidecar reaches the controller's xDS (on the node's loopback) through a forwarder on the node's side of the veth.
      forwarder = createServer((c) => c.pipe(connect(controller.xdsPort, '127.0.0.1')).pipe(c).on('error', () => c.destroy()));
      await new Promise<void>((r) => forwarder!.listen(0, `${net}.1`, r));
      const fwdPort = (forwarder.address() as { port: number }).port;
      const startSidecar = async (cgroup: string): Promise<Envoy> =>
        Envoy.start({ node: 'front.shop', xds: { host: `${net}.1`, port: fwdPort }, admin: { host: `${net}.2`, port: await freePort() }, where: { cgroup, netns: podNs } });
      const reported = (reason: string) => async () => {
        const c = condition(await status('front-in'), 'Enforced');
        return c?.message.includes(reason) ? c : undefined;
      };

      // An Envoy for the Pod, ACKing, but no process in the Pod's cgroups (it runs outside them): no namespace to attach in, so nothing is steered, and status says so.
      sidecar = await startSidecar(box.cgroup('outside-pod'));
      const none = await eventually(reported('netns-not-found'), 'front-in Bypassed (netns-not-found)', 30_000);
      expect(none).toMatchObject({ status: 'False', reason: 'Bypassed' });
      expect(none.message).toContain(`node-a.agent cannot steer inbound connections of Pod shop/front (uid ${meta.uid}, netns-not-found): no process in its cgroup`);
      // Moved into the sidecar's cgroup: the agent attaches in its namespace, but its listener was opened before (never registered): refused, Degraded, saying so.
      writeFileSync(join(sideCg, 'cgroup.procs'), String(sidecar.pid));
      const deaf = await eventually(reported('sidecar-not-listening'), 'front-in Degraded (sidecar-not-listening)', 30_000);
      expect(deaf).toMatchObject({ status: 'False', reason: 'Degraded' });
      expect(deaf.message).toContain('new connections to its port 8080 are refused until it listens');
      await sidecar.stop();

      // The app, in its container's cgroup and the Pod's namespace; the sidecar, restarted in its own container's cgroup.
      const argv = placed({ cgroup: appCg, netns: podNs }, [process.execPath, '-e', APP, `${net}.2`, '8080']);
      app = spawn(argv[0] ?? 'sh', argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
      const served: Array<Record<string, unknown>> = [];
      createInterface({ input: app.stdout! }).on('line', (l) => served.push(JSON.parse(l) as Record<string, unknown>));
      await eventually(() => (served.some((l) => l['listening']) ? true : undefined), 'the app listening', 10_000);
      sidecar = await startSidecar(sideCg);

      const ok = await eventually(async () => ((await enforced()) === 'Enforced' ? status('front-in') : undefined), 'front-in Enforced', 45_000);
      expect(ok?.enforced).toMatchObject({ summary: '2/2', pending: [] }); // front.shop (the sidecar) and node-a.agent
      // The kernel: sk_lookup attached in the Pod's namespace, its rule to the sidecar's listener, registered under the sidecar's cgroup id.
      const side = BigInt(statSync(sideCg, { bigint: true }).ino);
      const ino = agent?.status().podNetns.find((p) => p.uid === meta.uid)?.netnsIno;
      expect(ino).toBeDefined();
      const kernelView = readStatus(pinRoot);
      expect(kernelView.attachments.some((a) => a.kind === 'netns' && String(a.netnsIno) === ino && a.programName === 'sluice_pod_sk_l')).toBe(true);
      expect(kernelView.rules.map((r) => r.text)).toContain(`inbound ${net}.2:8080 → :${ports.inboundPort} sidecar cg${side}`);
      expect(kernelView.cgroupListeners).toContain(`IPv4 :${ports.inboundPort} cg${side}`);

      // A client in the node's namespace dials the Pod: Envoy decides, by the policy (its RBAC counters, the deciding rule's included, are the evidence).
      const rbac = async (): Promise<Map<string, number>> => new Map([...(await sidecar!.stats('inbound_8080_shop_front\\.rbac'))].filter(([k]) => /rbac\.sluice_allow_\.(allowed|denied)$|policy\.shop\/front-in#.*\.allowed$/.test(k)));
      const delta = (a: Map<string, number>, b: Map<string, number>): Record<string, number> => Object.fromEntries([...b].map(([k, v]) => [k.replace(/^.*rbac\./, ''), v - (a.get(k) ?? 0)]).filter(([, d]) => d !== 0));
      const before = served.length;
      const rbac0 = await rbac();
      expect(await call('GET', `http://${net}.2:8080/allowed`)).toEqual({ status: 200 });
      expect(await call('POST', `http://${net}.2:8080/denied`)).toEqual({ status: 403 });
      expect(delta(rbac0, await rbac())).toEqual({ 'sluice_allow_.allowed': 1, 'sluice_allow_.denied': 1, 'sluice_allow_.policy.shop/front-in#spec.ingress[0].toPorts[0].rules.http[0].allowed': 1 });
      // The app saw the GET (from the sidecar, at its own address) and never the POST.
      expect(served.slice(before).map((l) => `${String(l['method'])} ${String(l['url'])}`)).toEqual(['GET /allowed']);
      // ...through the sidecar's marked inbound leg, which the Pod's sk_lookup let through (not back into the sidecar).
      expect(readStatus(pinRoot).stats.in_proxy_leg).toBeGreaterThan(0n);

      // The sidecar down: new connections are refused (RST), never delivered to the app.
      await sidecar.stop();
      sidecar = undefined;
      const refused = await call('GET', `http://${net}.2:8080/while-down`);
      expect(refused).toEqual({ error: 'ECONNREFUSED' });
      expect(served.some((l) => l['url'] === '/while-down')).toBe(false);
      expect(readStatus(pinRoot).stats.in_refused).toBeGreaterThan(0n);

      // The Pod deleted: its entries leave the agent's NodeRedirects, and the agent unpins its namespace's link.
      await bed.must('DELETE', '/api/v1/namespaces/shop/pods/front?gracePeriodSeconds=0');
      await eventually(() => (readStatus(pinRoot).attachments.some((a) => a.kind === 'netns' && String(a.netnsIno) === ino) ? undefined : true), "the Pod's sk_lookup link released", 30_000);
      expect(readStatus(pinRoot).rules.map((r) => r.text).some((t) => t.includes(`${net}.2:8080`))).toBe(false);
      expect(agent?.status().podNetns).toEqual([]);
    }, 150_000);

  });
});
