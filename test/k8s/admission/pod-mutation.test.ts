/**
 * The Pod webhook's core: which mode a Pod gets (annotation, namespace label, Pod label), the JSON
 * Patch for each (a native sidecar, no iptables init container, nothing privileged; or the node
 * annotation), the refusals (bad annotation, hostNetwork, a foreign sluice-proxy container), and
 * the sidecar's own arguments, as the kubelet expands them, accepted by Envoy 1.40 itself.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { findEnvoy } from '../../../bench/envoy/process.js';
import { admit, expandArgs, PATHS, POD_NAME_ENV, POD_NAMESPACE_ENV, sidecarContainer, SIDECAR_CONTAINER, type AdmissionReviewResponse, type JsonPatchOperation } from '../../../k8s/admission/index.js';
import { describeEnvoy } from '../../support/envoy.js';
import { fixedView, pod, reviewOf } from './fixtures.js';

const deps = { policies: { view: fixedView() }, rollout: { now: () => 0 }, sidecar: { xds: { host: '10.96.0.18', port: 18000 } } };

async function mutate(path: string, object: Record<string, unknown>): Promise<AdmissionReviewResponse['response']> {
  const r = await admit(path, reviewOf(object), deps);
  if (!('response' in r.body)) throw new Error(JSON.stringify(r.body));
  return r.body.response;
}

function patchOf(r: AdmissionReviewResponse['response']): JsonPatchOperation[] {
  expect(r.patchType).toBe('JSONPatch');
  return JSON.parse(Buffer.from(r.patch ?? '', 'base64').toString('utf8')) as JsonPatchOperation[];
}

const sidecar = sidecarContainer({ xds: { host: '10.96.0.18', port: 18000 } });

describe('the Pod webhook', () => {
  it('injects the sidecar in a sidecar namespace: annotation and a native sidecar first among the init containers', async () => {
    const r = await mutate(PATHS.podsSidecar, pod('app'));
    expect(r.allowed).toBe(true);
    expect(patchOf(r)).toEqual([
      { op: 'add', path: '/metadata/annotations', value: { 'sluice.dev/proxy': 'sidecar' } },
      { op: 'add', path: '/spec/initContainers', value: [sidecar] },
    ]);
    const withInit = await mutate(PATHS.podsSidecar, pod('app', { annotations: { team: 'a' }, spec: { initContainers: [{ name: 'migrate', image: 'm' }] } }));
    expect(patchOf(withInit)).toEqual([
      { op: 'add', path: '/metadata/annotations/sluice.dev~1proxy', value: 'sidecar' },
      { op: 'add', path: '/spec/initContainers/0', value: sidecar },
    ]);
  });

  it('asks nothing privileged: no iptables, no NET_ADMIN, not root', () => {
    expect(sidecar).toMatchObject({ name: SIDECAR_CONTAINER, restartPolicy: 'Always', securityContext: { runAsNonRoot: true, runAsUser: 101, allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } } });
    expect(JSON.stringify(sidecar)).not.toMatch(/NET_ADMIN|NET_RAW|iptables/);
  });

  it('marks the Pod for the node proxy in a node namespace, or when its annotation asks', async () => {
    expect(patchOf(await mutate(PATHS.podsNode, pod('app')))).toEqual([{ op: 'add', path: '/metadata/annotations', value: { 'sluice.dev/proxy': 'node' } }]);
    expect((await mutate(PATHS.podsSidecar, pod('app', { annotations: { 'sluice.dev/proxy': 'node' } }))).patch).toBeUndefined();
    expect(patchOf(await mutate(PATHS.podsNode, pod('app', { annotations: { 'sluice.dev/proxy': 'sidecar' } }))).map((o) => o.path)).toEqual(['/spec/initContainers']);
  });

  it('takes the mode from the Pod label outside opted-in namespaces', async () => {
    expect(patchOf(await mutate(PATHS.podsLabelled, pod('app', { labels: { 'sluice.dev/inject': 'node' } })))).toEqual([{ op: 'add', path: '/metadata/annotations', value: { 'sluice.dev/proxy': 'node' } }]);
    const bad = await mutate(PATHS.podsLabelled, pod('app', { labels: { 'sluice.dev/inject': 'yes' } }));
    expect(bad.status).toMatchObject({ code: 422, reason: 'Invalid', message: 'metadata.labels["sluice.dev/inject"]: expected "sidecar", "node" or "grpc-proxyless", got string "yes"' });
  });

  it('refuses a Pod whose annotation names no mode, a hostNetwork Pod, and a foreign sluice-proxy container', async () => {
    const typo = await mutate(PATHS.podsSidecar, pod('app', { annotations: { 'sluice.dev/proxy': 'off' } }));
    expect(typo.status).toMatchObject({ code: 422, message: 'metadata.annotations["sluice.dev/proxy"]: expected "sidecar", "node" or "grpc-proxyless", got string "off" (this Pod is opted in to sluice; the annotation only chooses how)' });
    const host = await mutate(PATHS.podsNode, pod('app', { spec: { hostNetwork: true } }));
    expect(host.status).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(host.status?.message).toMatch(/^spec\.hostNetwork: a hostNetwork Pod shares the node's network/);
    const fake = await mutate(PATHS.podsNode, pod('app', { spec: { containers: [{ name: SIDECAR_CONTAINER, image: 'busybox' }] } }));
    expect(fake.status?.message).toBe('spec: container "sluice-proxy": the name sluice-proxy is reserved for sluice\'s proxy (its cgroup is never redirected); rename the container');
  });

  it('leaves a reinvoked Pod that already has its sidecar (defaulted by the API server) as it is', async () => {
    const defaulted = { ...sidecar, imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' };
    const again = await mutate(PATHS.podsSidecar, pod('app', { annotations: { 'sluice.dev/proxy': 'sidecar' }, spec: { initContainers: [defaulted] } }));
    expect(again).toMatchObject({ allowed: true });
    expect(again.patch).toBeUndefined();
  });

  it('denies a request for another kind (a misconfigured rule), and lets non-CREATE operations pass', async () => {
    const wrong = await admit(PATHS.podsSidecar, reviewOf(pod('x'), { kind: { group: 'apps', version: 'v1', kind: 'Deployment' } }), deps);
    expect(wrong.body).toMatchObject({ response: { allowed: false, status: { code: 400, message: 'this webhook admits v1 Pod, not apps/v1 Deployment: check the rules of the webhook configuration' } } });
    const update = await admit(PATHS.podsSidecar, reviewOf(pod('x'), { operation: 'UPDATE', oldObject: pod('x') }), deps);
    expect(update.body).toMatchObject({ response: { allowed: true } });
  });

  it('expands $(VAR) as the kubelet does', () => {
    expect(expandArgs(['$(A).$(B)', '$$(A)', '$(C)'], { A: 'p', B: 'ns' })).toEqual(['p.ns', '$(A)', '$(C)']);
  });
});

describeEnvoy('the injected sidecar, run as the kubelet would run it', () => {
  it('is accepted by Envoy 1.40 (--mode validate), with the node id of the Pod', () => {
    const found = findEnvoy();
    if (!('path' in found)) throw new Error(found.missing);
    const args = expandArgs(sidecar.args, { [POD_NAME_ENV]: 'orders-7d9f-x2x', [POD_NAMESPACE_ENV]: 'shop' });
    expect(JSON.parse(args[1] ?? '{}')).toMatchObject({ node: { id: 'orders-7d9f-x2x.shop', cluster: 'shop' } });
    const run = spawnSync(found.path, ['--mode', 'validate', ...args, '--base-id', String(process.pid % 60000)], { encoding: 'utf8', timeout: 60_000 });
    expect({ status: run.status, out: `${run.stdout}${run.stderr}`.slice(-2000) }).toMatchObject({ status: 0 });
    expect(run.stdout).toMatch(/configuration .* OK/);
  }, 60_000);
});
