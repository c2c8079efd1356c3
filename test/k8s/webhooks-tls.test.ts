/**
 * TLS between the real kube-apiserver and the webhook, through a CA rotation: the caBundle the
 * webhook put into the configurations is what the API server verifies against (a leaf of another
 * CA is refused, x509), the rotation publishes the new CA first and moves the leaf after the
 * propagation time, the API server keeps calling through every step, and the old CA is retired.
 * And the webhook's RBAC (deploy/webhooks/rbac.yaml) is what the sync needs and no more.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import fs from 'node:fs';
import {
  configurationPath, kubeApi, rotateOnce, SLUICE_WEBHOOK_CONFIGURATIONS, syncCaBundle, type KubeResponse, type ServingCertificates,
} from '../../k8s/admission/index.js';
import { ADMIN_TOKEN } from '../../bench/k8s/apiserver.js';
import { testEnv, type TestEnv } from '../certs/support.js';
import { describeKube } from '../support/kube.js';
import { eventually } from '../support/poll.js';
import { LOOPBACK, newCa, servedSerial, servingCerts } from './admission/https.js';
import { messageOf, WebhookBed, yamlDocuments } from './webhook-bed.js';

const INVALID = { apiVersion: 'sluice.dev/v1alpha1', kind: 'L7Policy', metadata: { name: 'tls-probe' }, spec: { selector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.1/8' } }], toPorts: [{ ports: [{ port: 80 }] }] }] } };

describeKube('the webhook TLS and the caBundle, with a real kube-apiserver', () => {
  let bed: WebhookBed;
  let env: TestEnv;
  let certs: ServingCertificates;
  /** One write the webhook must deny: proof that the API server reached it over TLS. */
  const called = async (): Promise<KubeResponse> => bed.create('shop', INVALID, '?dryRun=All');
  const bundles = async () => {
    const out: string[] = [];
    for (const ref of SLUICE_WEBHOOK_CONFIGURATIONS) {
      const config = JSON.parse((await bed.admin.request('GET', configurationPath(ref))).body) as { webhooks: { clientConfig: { caBundle?: string } }[] };
      out.push(...config.webhooks.map((w) => Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString('utf8')));
    }
    return out;
  };
  const subjects = (pem: string) => (pem.match(/BEGIN CERTIFICATE/g) ?? []).length;

  beforeAll(async () => {
    env = testEnv(new Date());
    certs = await servingCerts(env, LOOPBACK, undefined, { propagationMs: 2000, caOverlapMs: 10_000 });
    bed = await WebhookBed.start({ rollout: { now: () => Date.now() } }, certs);
  }, 120_000);
  afterAll(() => bed?.stop(), 30_000);

  it('starts with the caBundle the webhook put into every webhook of both configurations', async () => {
    expect(await bundles()).toEqual(Array.from({ length: 5 }, () => certs.bundlePem));
    expect((await called()).status).toBe(422);
  });

  it('is refused by the API server when it serves a leaf of a CA not in the bundle', async () => {
    const stranger = await servingCerts(env);
    bed.server.setCertificate(stranger.certificate);
    // A connection the API server made before is answered once more, with `Connection: close`;
    // the call after it is a new handshake, which must fail.
    let r = await called();
    if (r.status !== 500) r = await called();
    expect(r.status).toBe(500);
    expect(messageOf(r)).toMatch(/failed calling webhook "l7policies\.sluice\.dev": failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/validate\/l7policies\?timeout=10s": tls: failed to verify certificate: x509: certificate signed by unknown authority/);
    console.log(`a leaf the caBundle does not vouch for (${r.status}): ${messageOf(r)}`);
    bed.server.setCertificate(certs.certificate);
    expect((await called()).status).toBe(422);
  });

  it('rotates the CA: bundle first, leaf after the propagation time, the old CA retired; the API server calls through every step', async () => {
    const publishBundle = async (pem: string) => {
      await syncCaBundle(bed.admin, SLUICE_WEBHOOK_CONFIGURATIONS, pem);
    };
    const oldSerial = certs.leafCertificate.serialNumber.toLowerCase();
    const next = await newCa(env, 'sluice webhook test CA 2');
    certs.replaceCa(next);
    expect(await rotateOnce({ certs, server: bed.server, publishBundle })).toEqual({ published: true, leafRenewed: false });
    expect((await bundles()).map(subjects)).toEqual([2, 2, 2, 2, 2]);
    expect((await called()).status).toBe(422);
    env.setNow(new Date(Date.now() + 2500)); // past the propagation time
    expect(await rotateOnce({ certs, server: bed.server, publishBundle })).toEqual({ published: false, leafRenewed: true });
    const newSerial = await servedSerial(bed.server.port, next.root.toString('pem'));
    expect(newSerial).not.toBe(oldSerial);
    expect(newSerial).toBe(certs.leafCertificate.serialNumber.toLowerCase());
    // The API server's connections are new ones sooner or later; each call in between must succeed.
    for (let i = 0; i < 20; i++) expect((await called()).status).toBe(422);
    env.setNow(new Date(Date.now() + 15_000)); // past the overlap (10 s after the switch): the old CA leaves the bundle
    expect(await rotateOnce({ certs, server: bed.server, publishBundle })).toEqual({ published: true, leafRenewed: false });
    expect(await bundles()).toEqual(Array.from({ length: 5 }, () => next.root.toString('pem').trimEnd() + '\n'));
    for (let i = 0; i < 5; i++) expect((await called()).status).toBe(422);
  });

  it('has the RBAC it needs to sync, and no more (deploy/webhooks/rbac.yaml, impersonated)', async () => {
    await bed.admin.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sluice-system' } });
    for (const doc of yamlDocuments('deploy/webhooks/rbac.yaml') as { kind: string; metadata: { namespace?: string } }[]) {
      const path = doc.kind === 'ServiceAccount' ? '/api/v1/namespaces/sluice-system/serviceaccounts' : `/apis/rbac.authorization.k8s.io/v1/${doc.kind.toLowerCase()}s`;
      expect((await bed.admin.request('POST', path, doc)).status).toBe(201);
    }
    const service = parse(fs.readFileSync('deploy/webhooks/service.yaml', 'utf8')) as unknown;
    expect((await bed.admin.request('POST', '/api/v1/namespaces/sluice-system/services', service)).status).toBe(201);
    const asWebhook = kubeApi({ server: bed.api.url, ca: Buffer.from(bed.api.caData, 'base64').toString('utf8'), token: ADMIN_TOKEN, headers: { 'Impersonate-User': 'system:serviceaccount:sluice-system:sluice-webhook' } });
    await eventually(async () => (await syncCaBundle(asWebhook, SLUICE_WEBHOOK_CONFIGURATIONS, certs.bundlePem)).length === 2, 'the webhook\'s service account to sync the caBundle');
    expect((await asWebhook.request('GET', '/apis/sluice.dev/v1alpha1/l7policies')).status).toBe(200);
    expect((await asWebhook.request('GET', '/api/v1/namespaces/sluice-system/secrets')).status).toBe(403);
    expect((await asWebhook.request('POST', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'other' }, webhooks: [] })).status).toBe(403);
    expect((await asWebhook.request('DELETE', configurationPath(SLUICE_WEBHOOK_CONFIGURATIONS[0] ?? { kind: 'validating', name: '' }))).status).toBe(403);
  });
});
