/**
 * The Pod webhooks, called over TLS by a real kube-apiserver: a Pod created in an opted-in
 * namespace comes back with the sidecar (validated and defaulted by the API server itself) or the
 * node-proxy annotation; a Pod elsewhere is untouched unless it opts itself in by label; a bad
 * annotation is refused with its field; and with the webhook down, Pods are refused only where
 * they opted in.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { SIDECAR_CONTAINER } from '../../k8s/admission/index.js';
import { describeKube } from '../support/kube.js';
import { pod } from './admission/fixtures.js';
import { messageOf, WEBHOOK_DOWN, WebhookBed } from './webhook-bed.js';

interface PodBody {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: {
    initContainers?: { name: string; restartPolicy?: string; image: string; args: string[]; env: { name: string }[]; securityContext: { capabilities?: { add?: string[]; drop?: string[] }; runAsNonRoot?: boolean } }[];
    containers: { name: string; securityContext?: unknown }[];
  };
}

describeKube('the Pod webhooks, called by a real kube-apiserver', () => {
  let bed: WebhookBed;
  const created = async (namespace: string, object: Record<string, unknown>) => {
    const r = await bed.create(namespace, object);
    if (r.status !== 201) throw new Error(`${r.status} ${r.body}`);
    return JSON.parse(r.body) as PodBody;
  };

  beforeAll(async () => {
    bed = await WebhookBed.start({ rollout: { now: () => Date.now() }, sidecar: { xds: { host: 'sluice-xds.sluice-system.svc', port: 18000 } } });
  }, 120_000);
  afterAll(() => bed?.stop(), 30_000);

  it('injects the native sidecar in a sidecar namespace, which the API server validates and keeps', async () => {
    const p = await created('inject-sidecar', pod('app'));
    expect(p.metadata.annotations).toEqual({ 'sluice.dev/proxy': 'sidecar' });
    const [sidecar, ...rest] = p.spec.initContainers ?? [];
    expect(rest).toEqual([]);
    expect(sidecar).toMatchObject({ name: SIDECAR_CONTAINER, image: 'envoyproxy/envoy:v1.40.0', restartPolicy: 'Always', securityContext: { runAsNonRoot: true, capabilities: { drop: ['ALL'] } } });
    expect(sidecar?.securityContext.capabilities?.add).toBeUndefined();
    expect(JSON.parse(sidecar?.args[1] ?? '{}')).toMatchObject({ node: { id: '$(SLUICE_POD_NAME).$(SLUICE_POD_NAMESPACE)' }, static_resources: { clusters: [{ name: 'sluice_xds', type: 'STRICT_DNS' }] } });
    expect(p.spec.containers.map((c) => c.name)).toEqual(['app']);
    console.log(`the sidecar as stored by the API server: ${JSON.stringify(sidecar).slice(0, 600)}…`);
  });

  it('works for a Pod made from generateName, and puts the sidecar before existing init containers', async () => {
    const p = await created('inject-sidecar', { ...pod(''), metadata: { generateName: 'job-', namespace: 'inject-sidecar' }, spec: { initContainers: [{ name: 'migrate', image: 'm:1' }], containers: [{ name: 'app', image: 'a:1' }] } });
    expect(p.metadata.name).toMatch(/^job-/);
    expect(p.spec.initContainers?.map((c) => c.name)).toEqual([SIDECAR_CONTAINER, 'migrate']);
  });

  it('marks the Pod for the node proxy in a node namespace, and follows a Pod annotation in either', async () => {
    const node = await created('inject-node', pod('app'));
    expect(node.metadata.annotations).toEqual({ 'sluice.dev/proxy': 'node' });
    expect(node.spec.initContainers).toBeUndefined();
    const chose = await created('inject-sidecar', pod('chose-node', { annotations: { 'sluice.dev/proxy': 'node' } }));
    expect(chose.spec.initContainers).toBeUndefined();
    const chose2 = await created('inject-node', pod('chose-sidecar', { annotations: { 'sluice.dev/proxy': 'sidecar' } }));
    expect(chose2.spec.initContainers?.map((c) => c.name)).toEqual([SIDECAR_CONTAINER]);
  });

  it('leaves a Pod in a namespace that did not opt in untouched, unless it opts in by label', async () => {
    const plain = await created('plain', pod('app', { annotations: { team: 'a' } }));
    expect(plain.metadata.annotations).toEqual({ team: 'a' });
    expect(plain.spec.initContainers).toBeUndefined();
    const labelled = await created('plain', pod('labelled', { labels: { 'sluice.dev/inject': 'node' } }));
    expect(labelled.metadata.annotations).toEqual({ 'sluice.dev/proxy': 'node' });
  });

  it('refuses a bad annotation with its field, and a Pod that brings its own sluice-proxy', async () => {
    const typo = await bed.create('inject-node', pod('typo', { annotations: { 'sluice.dev/proxy': 'off' } }));
    expect(typo.status).toBe(422);
    expect(messageOf(typo)).toBe('admission webhook "node.pods.sluice.dev" denied the request: metadata.annotations["sluice.dev/proxy"]: expected "sidecar", "node" or "grpc-proxyless", got string "off" (this Pod is opted in to sluice; the annotation only chooses how)');
    const fake = await bed.create('inject-sidecar', pod('fake', { spec: { containers: [{ name: SIDECAR_CONTAINER, image: 'busybox' }] } }));
    expect(fake.status).toBe(403);
  });

  it('with the webhook down, refuses Pods only in the namespaces that opted in (failurePolicy Fail, scoped)', async () => {
    await bed.server.close();
    const refused = await bed.create('inject-sidecar', pod('while-down'));
    expect(refused.status).toBe(500);
    expect(messageOf(refused)).toMatch(new RegExp(String.raw`^Internal error occurred: failed calling webhook "sidecar\.pods\.sluice\.dev": failed to call webhook: Post "https://127\.0\.0\.1:\d+/mutate/pods/sidecar\?timeout=5s": ${WEBHOOK_DOWN}$`));
    const elsewhere = await created('plain', pod('while-down'));
    expect(elsewhere.metadata.name).toBe('while-down');
    console.log(`Pod while the webhook is down (${refused.status}): ${messageOf(refused)}`);
  });
});
