/**
 * deploy/: the Helm chart (deploy/helm/sluice) with a real helm (built from the Go module proxy by
 * .ci/deps/helm.sh): `helm lint` passes; what `helm template` renders with the defaults into
 * sluice-system is the plain manifests checked in under deploy/ (one file per template, golden:
 * UPDATE_GOLDEN=1 rewrites them); the chart's promises hold (controller replicas ≥ 2 with a PDB,
 * only the node agent's node-agent container has capabilities and exactly CAP_BPF, CAP_NET_ADMIN,
 * CAP_SYS_PTRACE, CAP_SYS_RESOURCE, and only the node agent shares the host's PID namespace, nothing privileged, every RBAC rule in docs/kubernetes.md); and a real
 * kube-apiserver accepts every rendered object (server-side dry-run with strict field validation;
 * the ServiceMonitor against a minimal copy of the Prometheus Operator's CRD installed here).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { ADMIN_TOKEN, ApiServer } from '../../bench/k8s/apiserver.js';
import { sluiceCacheDir } from '../../controller/envoy-binary.js';
import { kubeApi, type KubeApi } from '../../k8s/admission/index.js';
import { expectGolden, UPDATE_GOLDEN } from '../support/golden.js';
import { describeKube } from '../support/kube.js';
import { eventually } from '../support/poll.js';

const HELM_VERSION = '3.19.5';
const CHART = 'deploy/helm/sluice';
const GOLDEN_DIRS = ['deploy/controller', 'deploy/webhooks', 'deploy/node-agent'];
/** Kept beside the rendered files, by hand: the RBAC of `sluice webhook` run on its own (the chart's controller serves the webhooks). */
const NOT_RENDERED = new Set(['deploy/webhooks/rbac.yaml']);
/** How the plain manifests are rendered: the defaults, into sluice-system, with the Namespace and the ServiceMonitor. */
const RENDER = ['template', 'sluice', CHART, '--namespace', 'sluice-system', '--include-crds', '--set', 'namespace.create=true', '--set', 'serviceMonitor.enabled=true'];

const helmBinary = path.join(sluiceCacheDir(), `helm-${HELM_VERSION}`, 'helm');
const helm = (args: readonly string[]) => spawnSync(helmBinary, args, { encoding: 'utf8' });

function describeHelm(name: string, fn: () => void): void {
  if (fs.existsSync(helmBinary)) describe(name, fn);
  else if (process.env['CI'] === 'true') describe(name, () => it('has the helm CI builds', () => { throw new Error(`no ${helmBinary}: run .ci/deps/helm.sh`); }));
  else {
    console.warn(`[skip] ${name}: no ${helmBinary} (run .ci/deps/helm.sh)`);
    describe.skip(name, fn);
  }
}

interface Manifest {
  readonly source: string;
  readonly text: string;
  readonly object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown };
}

/** `helm template`'s output, one manifest per document, each with the template it came from. */
function render(extra: readonly string[] = []): Manifest[] {
  const out = execFileSync(helmBinary, [...RENDER, ...extra], { encoding: 'utf8' });
  return out.split(/^---\n/m).filter((d) => d.trim() !== '').map((doc) => {
    const m = /^# Source: sluice\/(.+)\n/.exec(doc);
    if (!m?.[1]) throw new Error(`a rendered document without its source:\n${doc.slice(0, 200)}`);
    const text = doc.slice(m[0].length).replace(/\n+$/, '\n');
    return { source: m[1], text, object: parse(text) as Manifest['object'] };
  });
}

/** Where a template's rendering is kept: templates/<area>/<file> → deploy/<area>/<file>, crds/ → deploy/crds/. */
const goldenPath = (source: string) => path.join('deploy', source.replace(/^templates\//, ''));

type Container = { name: string; securityContext?: { privileged?: boolean; capabilities?: { add?: string[]; drop?: string[] } } };
const containersOf = (m: Manifest): Container[] => {
  const spec = (m.object['spec'] as { template?: { spec?: { containers?: Container[]; initContainers?: Container[] } } } | undefined)?.template?.spec;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
};

describeHelm('the Helm chart', () => {
  let manifests: Manifest[];
  beforeAll(() => {
    manifests = render();
  });

  it('passes helm lint --strict', () => {
    const r = helm(['lint', '--strict', CHART]);
    expect({ status: r.status, out: r.stdout + r.stderr }).toMatchObject({ status: 0 });
    expect(r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('renders the plain manifests checked in under deploy/ (UPDATE_GOLDEN=1 rewrites them)', () => {
    const bySource = new Map<string, string[]>();
    for (const m of manifests) bySource.set(m.source, [...(bySource.get(m.source) ?? []), m.text]);
    const produced = new Set<string>();
    for (const [source, texts] of bySource) {
      const file = goldenPath(source);
      produced.add(file);
      if (UPDATE_GOLDEN) fs.mkdirSync(path.dirname(file), { recursive: true });
      expectGolden(file, texts.join('---\n'));
    }
    const orphans = GOLDEN_DIRS.flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d).map((f) => path.join(d, f)) : [])).filter((f) => !produced.has(f) && !NOT_RENDERED.has(f));
    if (UPDATE_GOLDEN) for (const f of orphans) fs.rmSync(f);
    else expect(orphans).toEqual([]);
  });

  it('runs at least two controller replicas, with a PodDisruptionBudget', () => {
    const deployment = manifests.find((m) => m.object.kind === 'Deployment' && m.object.metadata.name === 'sluice-controller');
    expect((deployment?.object['spec'] as { replicas: number }).replicas).toBeGreaterThanOrEqual(2);
    const pdb = manifests.find((m) => m.object.kind === 'PodDisruptionBudget' && m.object.metadata.name === 'sluice-controller');
    expect(pdb?.object['spec']).toEqual({ minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'sluice-controller' } } });
    const one = helm([...RENDER, '--set', 'controller.replicas=1']);
    expect(one.status).not.toBe(0);
    expect(one.stderr).toContain('controller.replicas must be at least 2');
  });

  it('issues the webhooks\' certificates in the controller by default; webhook.certificates=external mounts the Secret instead', () => {
    const argsOf = (ms: Manifest[]) => ((ms.find((m) => m.object.kind === 'Deployment')?.object['spec'] as { template: { spec: { containers: { args: string[] }[]; volumes: { name: string }[] } } }).template.spec);
    const byDefault = argsOf(manifests);
    expect(byDefault.containers[0]?.args).toEqual(expect.arrayContaining(['--webhook-certificates=controller', '--webhook-tls-secret=sluice-webhook-tls', '--webhook-ca-secret=sluice-webhook-ca', '--webhook-service=sluice-webhook']));
    expect(byDefault.containers[0]?.args.filter((a) => a.startsWith('--ca-bundle') || a.startsWith('--webhook-tls-dir'))).toEqual([]);
    expect(byDefault.volumes.map((v) => v.name)).toEqual(['state']);
    expect(manifests.filter((m) => m.object.metadata.name === 'sluice-controller-webhook-certs').map((m) => m.object.kind)).toEqual(['Role', 'RoleBinding']);
    const external = render(['--set', 'webhook.certificates=external']);
    const spec = argsOf(external);
    expect(spec.containers[0]?.args).toEqual(expect.arrayContaining(['--ca-bundle=/etc/sluice/tls/ca.crt', '--webhook-tls-dir=/etc/sluice/tls']));
    expect(spec.containers[0]?.args.filter((a) => a.startsWith('--webhook-certificates'))).toEqual([]);
    expect(spec.volumes.map((v) => v.name)).toEqual(['webhook-tls', 'state']);
    expect(external.filter((m) => m.object.metadata.name === 'sluice-controller-webhook-certs')).toEqual([]);
    const bad = helm([...RENDER, '--set', 'webhook.certificates=self']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('webhook.certificates: expected controller or external, got "self"');
  });

  it('gives capabilities to the node agent\'s node-agent container (exactly CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON, CAP_SYS_PTRACE and CAP_SYS_RESOURCE) and its Envoy (CAP_SYS_ADMIN, CAP_SYS_PTRACE: node-mode Pods\' listeners) alone, and the host\'s PID namespace to the node agent alone; nothing is privileged', () => {
    const withCaps: string[] = [];
    for (const m of manifests) {
      for (const c of containersOf(m)) {
        expect({ workload: m.object.metadata.name, container: c.name, privileged: c.securityContext?.privileged ?? false }).toMatchObject({ privileged: false });
        expect({ workload: m.object.metadata.name, container: c.name, drop: c.securityContext?.capabilities?.drop }).toMatchObject({ drop: ['ALL'] });
        if (c.securityContext?.capabilities?.add) withCaps.push(`${m.object.kind}/${m.object.metadata.name}/${c.name}: ${c.securityContext.capabilities.add.join(',')}`);
      }
    }
    expect(withCaps).toEqual(['DaemonSet/sluice-node-agent/node-agent: BPF,NET_ADMIN,PERFMON,SYS_PTRACE,SYS_RESOURCE', 'DaemonSet/sluice-node-agent/envoy: SYS_ADMIN,SYS_PTRACE']);
    // hostPID: a sidecar Pod's network namespace is found from its processes (/proc/<pid>/ns/net).
    const hostPid = manifests.filter((m) => (m.object['spec'] as { template?: { spec?: { hostPID?: boolean } } } | undefined)?.template?.spec?.hostPID === true).map((m) => `${m.object.kind}/${m.object.metadata.name}`);
    expect(hostPid).toEqual(['DaemonSet/sluice-node-agent']);
    const daemonSet = manifests.find((m) => m.object.kind === 'DaemonSet');
    expect((daemonSet?.object['spec'] as { template: { spec: { automountServiceAccountToken: boolean } } }).template.spec.automountServiceAccountToken).toBe(false);
  });

  it("shares the agent's netns links with Envoy (the node-mode Pods' listeners), and with nodeAgent.podInbound=false runs Envoy unprivileged, without them", () => {
    type Mounted = Container & { volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[]; securityContext?: { runAsUser?: number } };
    const pod = (list: Manifest[]) => {
      const ds = list.find((m) => m.object.kind === 'DaemonSet');
      if (!ds) throw new Error('no DaemonSet');
      const spec = (ds.object['spec'] as { template: { spec: { volumes: { name: string }[] } } }).template.spec;
      const c = (name: string) => containersOf(ds).find((x) => x.name === name) as Mounted;
      return { volumes: spec.volumes.map((v) => v.name), agent: c('node-agent'), envoy: c('envoy') };
    };
    const on = pod(manifests);
    expect(on.volumes).toContain('netns-links');
    expect(on.agent.volumeMounts).toContainEqual({ name: 'netns-links', mountPath: '/run/sluice/netns' });
    expect(on.envoy.volumeMounts).toContainEqual({ name: 'netns-links', mountPath: '/run/sluice/netns', readOnly: true });
    expect(on.envoy.securityContext?.runAsUser).toBe(0);
    const off = pod(render(['--set', 'nodeAgent.podInbound=false']));
    expect(off.volumes).not.toContain('netns-links');
    expect(off.envoy.volumeMounts?.map((m) => m.name)).toEqual(['envoy-config']);
    expect(off.envoy.securityContext).toMatchObject({ runAsUser: 101, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(off.envoy.securityContext).not.toHaveProperty('capabilities.add');
  });

  it('grants the controller only what docs/kubernetes.md justifies, rule by rule', () => {
    const docs = fs.readFileSync('docs/kubernetes.md', 'utf8');
    const rows = new Set([...docs.matchAll(/^\| `([^`]+)` \| `([^`]+)` \|/gm)].map((m) => `${m[1] ?? ''} ${m[2] ?? ''}`));
    const granted: string[] = [];
    for (const m of manifests) {
      if (!['ClusterRole', 'Role'].includes(m.object.kind) || !m.object.metadata.name.startsWith('sluice-controller')) continue;
      for (const rule of m.object['rules'] as { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] }[]) {
        for (const resource of rule.resources) granted.push(`${rule.apiGroups[0] === '' ? '' : `${rule.apiGroups[0] ?? ''}/`}${resource}${rule.resourceNames ? ` (${rule.resourceNames.join(', ')})` : ''} ${rule.verbs.join(', ')}`);
      }
    }
    expect(granted.length).toBeGreaterThan(0);
    for (const g of granted) expect({ granted: g, documented: rows.has(g) }).toEqual({ granted: g, documented: true });
  });

  describeKube('every rendered object accepted by a real API server', () => {
    let api: ApiServer;
    let admin: KubeApi;
    beforeAll(async () => {
      api = await ApiServer.start();
      admin = kubeApi({ server: api.url, ca: Buffer.from(api.caData, 'base64').toString('utf8'), token: ADMIN_TOKEN });
    }, 120_000);
    afterAll(() => api?.stop(), 30_000);

    it('takes the CRDs and the Namespace for real, and every other object in a server-side dry run with strict field validation', async () => {
      const created = async (path: string, body: unknown) => {
        const r = await admin.request('POST', path, body);
        if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${r.body.slice(0, 800)}`);
      };
      for (const m of manifests.filter((x) => x.object.kind === 'CustomResourceDefinition')) await created('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', m.object);
      // The ServiceMonitor's CRD belongs to the Prometheus Operator; a minimal copy (its group, kind and version, the spec open) stands in for it.
      await created('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', SERVICE_MONITOR_CRD);
      for (const m of manifests.filter((x) => x.object.kind === 'Namespace')) await created('/api/v1/namespaces', m.object);
      await eventually(async () => (await admin.request('GET', '/apis/monitoring.coreos.com/v1/servicemonitors')).status === 200 && (await admin.request('GET', '/apis/sluice.dev/v1alpha1/l7policies')).status === 200, 'the CRDs to be served', 30_000);
      const accepted: string[] = [];
      for (const m of manifests.filter((x) => x.object.kind !== 'CustomResourceDefinition' && x.object.kind !== 'Namespace')) {
        const r = await admin.request('POST', `${collectionPath(m.object)}?dryRun=All&fieldValidation=Strict`, m.object);
        expect({ object: `${m.object.kind}/${m.object.metadata.name}`, status: r.status, body: r.status === 201 ? '' : r.body }).toEqual({ object: `${m.object.kind}/${m.object.metadata.name}`, status: 201, body: '' });
        accepted.push(`${m.object.kind}/${m.object.metadata.name}`);
      }
      expect(accepted).toEqual(expect.arrayContaining(['Deployment/sluice-controller', 'DaemonSet/sluice-node-agent', 'ServiceMonitor/sluice-controller', 'ValidatingWebhookConfiguration/sluice-l7policies', 'MutatingWebhookConfiguration/sluice-pods']));
    });
  });
});

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);

/** The collection an object is created in: `/api/v1/...` for the core group, `/apis/<group>/<version>/...` otherwise. */
function collectionPath(o: Manifest['object']): string {
  const base = o.apiVersion.includes('/') ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
  const plural = `${o.kind.toLowerCase()}s`;
  return CLUSTER_SCOPED.has(o.kind) ? `${base}/${plural}` : `${base}/namespaces/${o.metadata.namespace ?? 'default'}/${plural}`;
}

const SERVICE_MONITOR_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'servicemonitors.monitoring.coreos.com' },
  spec: {
    group: 'monitoring.coreos.com',
    scope: 'Namespaced',
    names: { plural: 'servicemonitors', singular: 'servicemonitor', kind: 'ServiceMonitor', listKind: 'ServiceMonitorList' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } }],
  },
};

