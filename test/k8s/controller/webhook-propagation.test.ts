/**
 * An HA control plane: two kube-apiservers on one etcd. The controller writes through the first;
 * the second learns each webhook configuration from its own watch. The leaf moves to a new CA one
 * propagation time (`DEFAULT_PROPAGATION_MS`, 1 minute) after the bundle holding it was
 * published, so that margin must cover the second API server too:
 *
 * - measured: a probe webhook whose leaf is of a CA not yet in its caBundle is refused by both
 *   API servers; the bundle is then written through the first, and each API server is called in a
 *   loop until its admission plugin calls the probe over TLS; the time to that is the propagation.
 *   Twelve rounds, alternating two CAs, each API server's median and worst printed and held
 *   below the margin;
 * - end to end: the controller (writing through the first) rotates its CA with overlap while
 *   every admission goes through the second, without one refused.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { ADMIN_TOKEN } from '../../../bench/k8s/apiserver.js';
import { configurationPath, DEFAULT_PROPAGATION_MS, kubeApi, SLUICE_WEBHOOK_CONFIGURATIONS, type KubeApi, type KubeResponse } from '../../../k8s/admission/index.js';
import type { Controller } from '../../../k8s/controller/index.js';
import { silentLogger } from '../../../telemetry/index.js';
import { describeKube } from '../../support/kube.js';
import { eventually, freePort } from '../../support/poll.js';
import { caPem, leaf, newCa, type Pem } from '../../support/tls.js';
import { configurationsFor } from '../webhook-bed.js';
import { ControllerBed, POLICY_API } from './bed.js';

const PROBE = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';
const INVALID = { apiVersion: 'sluice.dev/v1alpha1', kind: 'L7Policy', metadata: { name: 'tls-probe' }, spec: { selector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.1/8' } }], toPorts: [{ ports: [{ port: 80 }] }] }] } };
const ROUNDS = 12;
const b64 = (text: string) => Buffer.from(text).toString('base64');
const messageOf = (r: KubeResponse) => (JSON.parse(r.body) as { message?: string }).message ?? r.body;
const certsOf = (pem: string): X509Certificate[] => (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((p) => new X509Certificate(p));
const median = (xs: readonly number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? NaN;

/** An AdmissionReview server that allows everything, on a leaf that can be swapped; every answer closes its connection, so each call is a new handshake. */
async function probeServer(first: Pem): Promise<{ port: number; serve: (pem: Pem) => void; calls: () => number; close: () => Promise<void> }> {
  let calls = 0;
  const server = https.createServer({ cert: first.cert, key: first.key }, (req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      calls += 1;
      const uid = (JSON.parse(body) as { request?: { uid?: string } }).request?.uid ?? '';
      res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: true } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    serve: (pem) => server.setSecureContext({ cert: pem.cert, key: pem.key }),
    calls: () => calls,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

describeKube('webhook certificates on an HA control plane: two API servers on one etcd', () => {
  let bed: ControllerBed;
  let second: KubeApi;
  let controller: Controller | undefined;

  beforeAll(async () => {
    bed = await ControllerBed.start(['shop', 'probe']);
    const peer = await bed.api.startPeer();
    second = kubeApi({ server: peer.url, ca: Buffer.from(peer.caData, 'base64').toString('utf8'), token: ADMIN_TOKEN });
  }, 120_000);

  afterAll(async () => {
    await controller?.close();
    await bed?.stop();
  }, 60_000);

  it(`a caBundle written through one API server reaches the other's admission calls well within the margin (${ROUNDS} rounds)`, async () => {
    const cas = [await newCa('probe CA 0'), await newCa('probe CA 1')];
    const leaves = await Promise.all(cas.map((ca) => leaf(ca, { commonName: 'probe', dns: ['localhost'], ips: ['127.0.0.1'] })));
    const probe = await probeServer(leaves[0] as Pem);
    try {
      const config = {
        apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'propagation-probe' },
        webhooks: [{
          name: 'probe.sluice.dev', admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Fail', timeoutSeconds: 2,
          clientConfig: { url: `https://127.0.0.1:${probe.port}/`, caBundle: b64(caPem(cas[0]!)) },
          rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }],
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'probe' } },
        }],
      };
      await bed.must('POST', PROBE, config);
      const apis = { first: bed.admin, second };
      const create = (api: KubeApi) => api.request('POST', '/api/v1/namespaces/probe/configmaps?dryRun=All', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'probe' } });
      for (const api of Object.values(apis)) await eventually(async () => (await create(api)).status === 201, 'both API servers to call the probe with its first CA', 30_000);

      const took: Record<keyof typeof apis, number[]> = { first: [], second: [] };
      for (let round = 1; round <= ROUNDS; round += 1) {
        const next = round % 2;
        probe.serve(leaves[next] as Pem);
        // Sensitive: with the old bundle, both API servers refuse the call (the leaf is of another CA).
        for (const [name, api] of Object.entries(apis)) {
          const before = await create(api);
          expect({ name, status: before.status, unknownAuthority: /x509|certificate/.test(messageOf(before)) }).toEqual({ name, status: 500, unknownAuthority: true });
        }
        const current = await bed.must('GET', `${PROBE}/propagation-probe`) as { webhooks: { clientConfig: Record<string, unknown> }[]; metadata: Record<string, unknown> };
        current.webhooks[0]!.clientConfig['caBundle'] = b64(caPem(cas[next]!));
        const written = Date.now();
        await bed.must('PUT', `${PROBE}/propagation-probe`, current);
        await Promise.all(Object.entries(apis).map(async ([name, api]) => {
          for (;;) {
            if ((await create(api)).status === 201) return took[name as keyof typeof apis].push(Date.now() - written);
            if (Date.now() - written > DEFAULT_PROPAGATION_MS) throw new Error(`the ${name} API server still refuses after ${DEFAULT_PROPAGATION_MS} ms`);
            await new Promise((r) => setTimeout(r, 5));
          }
        }));
      }
      expect(probe.calls()).toBeGreaterThanOrEqual(2 * ROUNDS);
      const worst = Math.max(...took.first, ...took.second);
      expect(worst).toBeLessThan(DEFAULT_PROPAGATION_MS / 10);
      console.log(`caBundle propagation (write through the first API server → its admission calls the new leaf), ${ROUNDS} rounds: first median ${median(took.first)} ms, worst ${Math.max(...took.first)} ms; second median ${median(took.second)} ms, worst ${Math.max(...took.second)} ms; the margin is ${DEFAULT_PROPAGATION_MS} ms (${Math.round(DEFAULT_PROPAGATION_MS / worst)}× the worst)`);
      await bed.must('DELETE', `${PROBE}/propagation-probe`);
    } finally {
      await probe.close();
    }
  }, 120_000);

  it('the controller, writing through the first API server, rotates its CA with overlap while every admission goes through the second: none refused', async () => {
    const port = await freePort();
    for (const c of configurationsFor(`https://127.0.0.1:${port}`)) await bed.must('POST', `/apis/admissionregistration.k8s.io/v1/${String(c['kind']).toLowerCase()}s`, c);
    controller = await bed.controller({
      identity: 'replica-a', logger: silentLogger, leaseDurationMs: 5000,
      webhook: { listen: { host: '127.0.0.1', port }, issue: { ips: ['127.0.0.1'], reloadMs: 200, roundMs: 300, ca: { lifetimeMs: 40_000, renewWindowMs: 30_000 }, rotation: { leafLifetimeMs: 12_000, renewWindowMs: 6_000, propagationMs: 1000, caOverlapMs: 4000 } }, rollout: { minAuditMs: 0 } },
    });
    /** The CAs every sluice webhook carries, as the second API server serves the configurations. */
    const trustedCerts = async (): Promise<X509Certificate[]> => {
      const all: X509Certificate[][] = [];
      for (const ref of SLUICE_WEBHOOK_CONFIGURATIONS) {
        const config = JSON.parse((await second.request('GET', configurationPath(ref))).body) as { webhooks: { clientConfig: { caBundle?: string } }[] };
        all.push(...config.webhooks.map((w) => certsOf(Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString('utf8'))));
      }
      return (all[0] ?? []).filter((c) => all.every((x) => x.some((y) => y.fingerprint256 === c.fingerprint256)));
    };
    const trusted = async () => (await trustedCerts()).map((c) => c.fingerprint256);
    const served = () => new Promise<X509Certificate>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' }, () => {
        const cert = socket.getPeerX509Certificate();
        socket.end();
        if (cert) resolve(cert);
        else reject(new Error('no peer certificate'));
      });
      socket.on('error', reject);
    });
    const first = await eventually(async () => {
      const roots = await trusted();
      return roots.length === 1 && (await second.request('POST', `${POLICY_API}/namespaces/shop/l7policies?dryRun=All`, INVALID)).status === 422 ? roots[0] : undefined;
    }, 'the first CA published and the second API server calling the webhook', 30_000);
    const failures: string[] = [];
    const seen = new Set<string>();
    let total = 0;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = await second.request('POST', `${POLICY_API}/namespaces/shop/l7policies?dryRun=All`, INVALID);
      total += 1;
      if (r.status !== 422) failures.push(`call ${total}: ${r.status} ${messageOf(r)}`);
      const roots = await trusted();
      roots.forEach((f) => seen.add(f));
      if (roots.length === 1 && roots[0] !== first && seen.has(first ?? '')) break;
      if (Date.now() > deadline) throw new Error(`the CA did not rotate within 60 s (${total} calls; CAs seen ${[...seen].join(', ')})`);
      await new Promise((r2) => setTimeout(r2, 50));
    }
    expect(failures).toEqual([]);
    expect(seen.size).toBe(2);
    const [root] = await trustedCerts();
    expect(root && (await served()).checkIssued(root)).toBe(true);
    console.log(`CA rotation with admissions through the second API server: ${total} admissions, none refused`);
  }, 120_000);
});
