/**
 * The Secrets policies reference, and only those, against a real kube-apiserver: the controller
 * watches each referenced Secret by name (`fieldSelector=metadata.name=`), never the others; a
 * policy whose Secret is missing says so in its status, and the note goes once the Secret exists.
 * Which Secrets a policy references is injected (the policy schema names none yet).
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Controller } from '../../../k8s/controller/index.js';
import { describeKube } from '../../support/kube.js';
import { eventually } from '../../support/poll.js';
import { condition, ControllerBed } from './bed.js';

describeKube('the Secrets policies reference', () => {
  let bed: ControllerBed;
  let controller: Controller;
  const accepted = async () => condition((await bed.policy('shop', 'tls-api')).status, 'Accepted')?.message ?? '';

  beforeAll(async () => {
    bed = await ControllerBed.start();
    await bed.pod({ name: 'api-0', namespace: 'shop', labels: { app: 'api' }, ip: '10.1.0.7', node: 'node-a' });
    await bed.must('POST', '/api/v1/namespaces/shop/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'unrelated' }, data: { token: Buffer.from('s3cret').toString('base64') } });
    await bed.applyPolicy('shop', 'tls-api', { selector: { matchLabels: { app: 'api' } }, ingress: [{ toPorts: [{ ports: [{ port: 8080 }] }] }] });
    controller = await bed.controller({ identity: 'replica-1', secretRefs: (policies) => policies.filter((p) => p.name === 'tls-api').map((p) => ({ namespace: p.namespace, name: 'api-cert' })) });
  }, 120_000);

  afterAll(async () => {
    await controller?.close();
    await bed?.stop();
  }, 60_000);

  it('says a referenced Secret is missing', async () => {
    await eventually(async () => (await accepted()).includes('it references Secret shop/api-cert, which does not exist'), 'the missing Secret in the status', 20_000);
    expect(controller.source.secretStates().map((s) => `${s.ref.namespace}/${s.ref.name} ${s.state}`)).toEqual(['shop/api-cert missing']);
  });

  it('follows it once it exists (its keys, never another Secret)', async () => {
    await bed.must('POST', '/api/v1/namespaces/shop/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api-cert' }, type: 'kubernetes.io/tls', data: { 'tls.crt': Buffer.from('c').toString('base64'), 'tls.key': Buffer.from('k').toString('base64') } });
    await eventually(async () => !(await accepted()).includes('api-cert'), 'the note to go', 20_000);
    expect(controller.source.secretStates().map((s) => ({ ref: `${s.ref.namespace}/${s.ref.name}`, state: s.state, keys: s.keys }))).toEqual([{ ref: 'shop/api-cert', state: 'present', keys: ['tls.crt', 'tls.key'] }]);
    expect(JSON.stringify(controller.source.secretStates())).not.toContain(Buffer.from('s3cret').toString('base64'));
  });
});
