/**
 * The controller run as its own service account, with the RBAC the chart renders
 * (deploy/controller/rbac.yaml) and nothing else, against a real kube-apiserver (every request
 * impersonates `system:serviceaccount:sluice-system:sluice-controller`):
 *
 * - that RBAC is enough to follow a referenced Secret: its policy compiles, and the certificate
 *   is in node-a's SDS resources;
 * - with the Secrets rule taken out of the ClusterRole (as `controller.secretAccess=namespaces`
 *   does for a namespace it does not list), a newly referenced Secret cannot be listed: the
 *   compile goes ahead after `secretSyncMs`, nothing is served for that port, and the policy's
 *   status says the Secret cannot be read, with the API server's 403.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import fs from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { ADMIN_TOKEN } from '../../../bench/k8s/apiserver.js';
import { kubeApi } from '../../../k8s/admission/index.js';
import { kubeConfigFrom, type Controller } from '../../../k8s/controller/index.js';
import { SDS_NAMES } from '../../../policy-compiler/index.js';
import { TYPE_URL } from '../../../xds-server/index.js';
import { describeKube } from '../../support/kube.js';
import { eventually } from '../../support/poll.js';
import { leaf, newCa } from '../../support/tls.js';
import { condition, ControllerBed } from './bed.js';

const SERVICE_ACCOUNT = 'system:serviceaccount:sluice-system:sluice-controller';
const SECRETS = '/api/v1/namespaces/shop/secrets';
const RBAC = '/apis/rbac.authorization.k8s.io/v1';
const b64 = (s: string) => Buffer.from(s).toString('base64');

interface RbacObject {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly rules?: readonly { readonly resources: readonly string[] }[];
}

describeKube('the controller with its own RBAC (deploy/controller/rbac.yaml) and the Secrets policies reference', () => {
  let bed: ControllerBed;
  let controller: Controller;
  let clusterRole: RbacObject;
  const tlsPolicy = (port: number, secret: string) => ({ selector: { matchLabels: { app: 'api' } }, ingress: [{ toPorts: [{ ports: [{ port }], terminatingTLS: { secret: { name: secret } } }] }] });
  const sdsOfNodeA = () => [...(controller.cache.view('node-a').of(TYPE_URL.SDS).byName.keys())];

  beforeAll(async () => {
    bed = await ControllerBed.start();
    for (const doc of parseAllDocuments(fs.readFileSync('deploy/controller/rbac.yaml', 'utf8')).map((d) => d.toJS() as RbacObject)) {
      const path = doc.kind === 'ServiceAccount' ? `/api/v1/namespaces/${doc.metadata.namespace ?? ''}/serviceaccounts`
        : doc.kind.startsWith('Cluster') ? `${RBAC}/${doc.kind.toLowerCase()}s`
        : `${RBAC}/namespaces/${doc.metadata.namespace ?? ''}/${doc.kind.toLowerCase()}s`;
      await bed.must('POST', path, doc);
      if (doc.kind === 'ClusterRole') clusterRole = doc;
    }
    expect(clusterRole.rules?.some((r) => r.resources.includes('secrets'))).toBe(true);
    const ca = await newCa('k8s secrets rbac CA');
    const pem = await leaf(ca, { dns: ['api.shop'] });
    for (const name of ['api-cert', 'other-cert']) {
      await bed.must('POST', SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'kubernetes.io/tls', data: { 'tls.crt': b64(pem.cert), 'tls.key': b64(pem.key) } });
    }
    await bed.pod({ name: 'api-0', namespace: 'shop', labels: { app: 'api' }, ip: '10.1.0.7', node: 'node-a', ports: [8443, 9443] });
    await bed.applyPolicy('shop', 'tls-api', tlsPolicy(8443, 'api-cert'));
    const text = fs.readFileSync(bed.api.kubeconfig, 'utf8').replace(`user: { token: "${ADMIN_TOKEN}" }`, `user: { token: "${ADMIN_TOKEN}", as: "${SERVICE_ACCOUNT}" }`);
    expect(text).toContain(SERVICE_ACCOUNT);
    controller = await bed.controller({
      identity: 'replica-1',
      secretSyncMs: 1500,
      kubeconfig: kubeConfigFrom({ kind: 'text', text }),
      api: kubeApi({ server: bed.api.url, ca: Buffer.from(bed.api.caData, 'base64').toString('utf8'), token: ADMIN_TOKEN, headers: { 'Impersonate-User': SERVICE_ACCOUNT } }),
    });
  }, 120_000);

  afterAll(async () => {
    await controller?.close();
    await bed?.stop();
  }, 60_000);

  it('is enough to follow a referenced Secret: the policy compiles, and node-a is served its certificate', async () => {
    await eventually(() => sdsOfNodeA().includes(SDS_NAMES.certificate('shop/api-cert', 'tls.crt', 'tls.key')), 'the certificate in node-a\'s SDS resources', 30_000);
    await eventually(async () => condition((await bed.policy('shop', 'tls-api')).status, 'Accepted')?.status === 'True', 'Accepted written by the service account', 20_000);
  });

  it('without the Secrets rule, a newly referenced Secret cannot be read: nothing is served for its port, and the status says why', async () => {
    await bed.must('PUT', `${RBAC}/clusterroles/sluice-controller`, { ...clusterRole, rules: clusterRole.rules?.filter((r) => !r.resources.includes('secrets')) });
    await bed.applyPolicy('shop', 'tls-other', tlsPolicy(9443, 'other-cert'));
    const message = await eventually(async () => {
      const m = condition((await bed.policy('shop', 'tls-other')).status, 'Accepted')?.message ?? '';
      return m.includes('cannot be read') ? m : undefined;
    }, 'the unreadable Secret in the status', 30_000);
    expect(message).toContain('spec.ingress[0].toPorts[0].terminatingTLS.secret: secret shop/other-cert does not exist');
    expect(message).toMatch(/Secret shop\/other-cert it references cannot be read \(list \/api\/v1\/namespaces\/shop\/secrets: 403 .*forbidden/);
    expect(sdsOfNodeA()).not.toContain(SDS_NAMES.certificate('shop/other-cert', 'tls.crt', 'tls.key'));
    const watched = ((await (await fetch(`http://127.0.0.1:${controller.adminPort}/status`)).json()) as { secrets: { watched: { name: string; state: string; error?: string }[] } }).secrets.watched;
    expect(watched.find((w) => w.name === 'other-cert')).toMatchObject({ state: 'pending', error: expect.stringContaining('403') });
  });
});
