/**
 * The audit-first rollout guard with two controller replicas, against a real kube-apiserver and a
 * real Envoy: the API server calls replica A's webhook; Envoy (node-a's proxy) is connected to
 * replica B, so the leader's status.auditSince comes from its ACK through B; a would-deny flow is
 * pushed to B's collector by the Kafka enforcer's own client (FlowPusher) and never reaches A. The
 * switch to enforce is refused by A, counting B's flow (read from B's admin endpoint); and an
 * endpoint of the controller's Service that never answers makes A refuse, naming it, rather than
 * admit on partial evidence.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Envoy } from '../../../bench/envoy/process.js';
import { FlowPusher, kafkaFlow } from '../../../flows/index.js';
import type { Controller } from '../../../k8s/controller/index.js';
import { describeEnvoy } from '../../support/envoy.js';
import { describeKube } from '../../support/kube.js';
import { eventually, freePort } from '../../support/poll.js';
import { runCli } from '../../support/run-cli.js';
import { configurationsFor } from '../webhook-bed.js';
import { ControllerBed, localAddress, POLICY_API } from './bed.js';

const SPEC = {
  selector: { matchLabels: { app: 'web' } },
  ingress: [{ toPorts: [{ ports: [{ port: 8080, protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: { prefix: '/v1' } }] } }] }],
  mode: 'audit',
};
const KEY = 'guarded/web';

const messageOf = (body: string): string => (JSON.parse(body) as { message?: string }).message ?? body;

describeKube('the rollout guard across controller replicas, on a real API server', () => {
  describeEnvoy('with a real Envoy', () => {
    let bed: ControllerBed;
    let a: Controller;
    let b: Controller;
    let envoy: Envoy | undefined;
    let pusher: FlowPusher | undefined;
    let silent: net.Server | undefined;
    const held: net.Socket[] = [];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-rollout-replicas-'));
    const tls = path.join(dir, 'tls');
    let collectingSince = 0;
    const toEnforce = () => bed.admin.request('PATCH', `${POLICY_API}/namespaces/guarded/l7policies/web`, { spec: { mode: 'enforce' } }, 'application/merge-patch+json');

    beforeAll(async () => {
      expect((await runCli(['certs', 'init', '--dir', path.join(dir, 'ca')])).code).toBe(0);
      expect((await runCli(['certs', 'issue', '--ca-dir', path.join(dir, 'ca'), '--out', tls, '--ip', '127.0.0.1'])).code).toBe(0);
      const bundle = fs.readFileSync(path.join(tls, 'ca.crt'), 'utf8');
      bed = await ControllerBed.start(['guarded']);
      await bed.must('PATCH', '/api/v1/namespaces/guarded', { metadata: { labels: { 'sluice.dev/rollout': 'audit-first' } } }, 'application/merge-patch+json');
      await bed.pod({ name: 'web-a', namespace: 'guarded', labels: { app: 'web' }, ip: '10.1.0.7', node: 'node-a' });
      const ports = { inboundPort: await freePort(), outboundPort: await freePort() };
      const started: Controller[] = [];
      for (const id of ['replica-a', 'replica-b']) {
        const controller = await bed.controller({
          identity: id, admin: { host: localAddress(), port: 0 }, peerService: 'sluice-controller', proxyPorts: ports,
          webhookCa: { read: () => bundle, everyMs: 500 },
          webhook: { listen: { host: '127.0.0.1', port: await freePort() }, tlsDir: tls, rollout: { minAuditMs: 0 } },
        });
        started.push(controller);
        await bed.replicaEndpoint(id, localAddress(), controller.adminPort);
      }
      [a, b] = started as [Controller, Controller];
      collectingSince = Date.now();
      // The API server calls replica A's webhooks (the leader, whichever it is, fills their caBundle).
      for (const config of configurationsFor(`https://127.0.0.1:${a.webhookPort ?? 0}`)) await bed.must('POST', `/apis/admissionregistration.k8s.io/v1/${String(config['kind']).toLowerCase()}s`, config);
      await eventually(async () => {
        const r = await bed.admin.request('POST', `${POLICY_API}/namespaces/guarded/l7policies`, { apiVersion: 'sluice.dev/v1alpha1', kind: 'L7Policy', metadata: { name: 'web' }, spec: SPEC });
        return r.status === 201 ? true : undefined;
      }, 'the audit policy admitted through A\'s webhook', 30_000);
    }, 120_000);

    afterAll(async () => {
      await pusher?.close();
      await envoy?.stop();
      for (const s of held) s.destroy();
      await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
      await a?.close();
      await b?.close();
      await bed?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    it('auditSince comes from the ACK of a proxy connected to replica B', async () => {
      // status.auditSince is to the second: its ACK must come a second after both replicas began
      // collecting, or their flows would not reach back to it (and the guard would refuse as unknown).
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, collectingSince + 1100 - Date.now())));
      envoy = await Envoy.start({ node: 'node-a', xds: { host: '127.0.0.1', port: b.xdsPort }, admin: { host: '127.0.0.1', port: await freePort() } });
      const s = await eventually(async () => (await bed.policy('guarded', 'web')).status?.auditSince, 'status.auditSince', 30_000);
      expect(Date.parse(s)).toBeLessThanOrEqual(Date.now());
    }, 60_000);

    it('a replica of the Service that never answers makes A refuse, naming it, rather than admit on A\'s and B\'s clean flows', async () => {
      silent = net.createServer((s) => held.push(s));
      await new Promise<void>((resolve) => silent?.listen(0, localAddress(), resolve));
      const port = (silent.address() as net.AddressInfo).port;
      await bed.replicaEndpoint('replica-silent', localAddress(), port);
      // Only once A's informers hold it (before, A and B being clean, the switch would be admitted).
      await eventually(() => a.source.read()?.endpointSlices.some((e) => (e as { metadata?: { name?: string } }).metadata?.name === 'replica-silent') || undefined, 'A to list the silent replica', 20_000);
      const r = await toEnforce();
      expect(r.status).toBe(403);
      expect(messageOf(r.body)).toMatch(new RegExp(`^admission webhook "rollout\\.l7policies\\.sluice\\.dev" denied the request: namespace guarded requires audit-first rollout \\(sluice\\.dev/rollout=audit-first\\): L7Policy guarded/web ran in audit for .*, but whether it would have denied flows since .* is unknown \\(replica ${localAddress().replace(/\./g, '\\.')}:${port}: did not answer within 1000 ms\\); retry when every store answers$`));
      expect(((await bed.policy('guarded', 'web')) as unknown as { spec: { mode: string } }).spec.mode).toBe('audit');
      await bed.must('DELETE', '/apis/discovery.k8s.io/v1/namespaces/sluice-system/endpointslices/replica-silent');
      console.log(`rollout guard, a replica silent (${r.status}): ${messageOf(r.body)}`);
    }, 60_000);

    it('a would-deny flow seen only by replica B makes replica A\'s webhook refuse enforce', async () => {
      pusher = new FlowPusher({ address: `127.0.0.1:${b.xdsPort}`, intervalMs: 50, confirmEveryMs: 0 });
      pusher.offer(kafkaFlow({ time: Date.now(), node: 'node-a', direction: 'ingress', client: { address: '10.1.0.9', port: 40000 }, broker: { address: '10.1.0.7', port: 8080 }, clientId: 'c', api: 'Produce', version: 9, resource: 'topic', name: 'orders', verdict: 'audit_deny', rule: 'guarded/web#spec.ingress[0]', policy: KEY }));
      await eventually(() => b.flows.store.query({ verdicts: ['audit-denied'], policies: [KEY] }).length === 1 || undefined, 'B to store the flow', 20_000);
      expect(a.flows.store.query({ verdicts: ['audit-denied'], policies: [KEY] })).toHaveLength(0);
      const r = await eventually(async () => {
        const got = await toEnforce();
        return messageOf(got.body).includes('would have denied') ? got : undefined;
      }, 'A to count B\'s flow', 20_000);
      expect(r.status).toBe(403);
      expect(messageOf(r.body)).toMatch(/^admission webhook "rollout\.l7policies\.sluice\.dev" denied the request: namespace guarded requires audit-first rollout \(sluice\.dev\/rollout=audit-first\): L7Policy guarded\/web would have denied 1 flow since .*: fix the policy or the clients/);
      expect(((await bed.policy('guarded', 'web')) as unknown as { spec: { mode: string } }).spec.mode).toBe('audit');
      console.log(`rollout guard, B's flow (${r.status}): ${messageOf(r.body)}`);
    }, 60_000);
  });
});
