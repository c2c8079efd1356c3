/**
 * The benchmark's cluster, in a real API server: `pods` Pods spread over `nodes` nodes and
 * `namespaces` namespaces (created without a kubelet: the status subresource written by hand, as
 * the tests do), `policies` L7Policies, each protecting one app (pods/policies Pods) on port 8080
 * and allowing the next app in. The same objects, as files, for the comparison run: every policy
 * its own file, and the inventory the controller builds from the same Pods (clusterInventory).
 */
import type { KubeApi } from '../../k8s/admission/index.js';
import { clusterInventory, type ProxyPorts } from '../../k8s/controller/index.js';

export interface Shape {
  readonly pods: number;
  readonly policies: number;
  readonly nodes: number;
  readonly namespaces: number;
}

const ns = (s: Shape, app: number) => `ns-${app % s.namespaces}`;
const ipOf = (i: number) => `10.${100 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`;

export function podObject(s: Shape, i: number): { namespace: string; body: Record<string, unknown>; status: Record<string, unknown> } {
  const app = i % s.policies;
  return {
    namespace: ns(s, app),
    body: {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `pod-${i}`, labels: { app: `app-${app}` } },
      spec: { nodeName: `node-${i % s.nodes}`, containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080, protocol: 'TCP' }] }] },
    },
    status: { status: { phase: 'Running', podIP: ipOf(i), podIPs: [{ ip: ipOf(i) }] } },
  };
}

export function policySpec(s: Shape, k: number, prefix = '/v1'): Record<string, unknown> {
  return {
    selector: { matchLabels: { app: `app-${k}` } },
    ingress: [{
      from: [{ selector: { matchLabels: { app: `app-${(k + 1) % s.policies}` } } }],
      toPorts: [{ ports: [{ port: 8080, protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: { prefix: `${prefix}/app-${k}` } }] } }],
    }],
  };
}

export const policyNamespace = ns;

/** Runs `jobs` with at most `width` in flight. */
async function pool(count: number, width: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, count) }, async () => {
    while (next < count) await job(next++);
  }));
}

async function must(api: KubeApi, method: string, path: string, body: unknown, contentType?: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const r = await api.request(method, path, body, contentType);
    if (r.status >= 200 && r.status < 300) return;
    if (attempt >= 5 || (r.status !== 429 && r.status < 500)) throw new Error(`${method} ${path}: ${r.status} ${r.body.slice(0, 300)}`);
    await new Promise((res) => setTimeout(res, 100 * attempt));
  }
}

/** Creates the namespaces, Pods (with their status) and policies; returns how long the Pods took. */
export async function populate(api: KubeApi, s: Shape, deadlineMs: number): Promise<{ pods: number; podsMs: number; policiesMs: number }> {
  for (let n = 0; n < s.namespaces; n++) await must(api, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${n}` } });
  const started = Date.now();
  let created = 0;
  await pool(s.pods, 32, async (i) => {
    if (Date.now() - started > deadlineMs) return;
    const p = podObject(s, i);
    await must(api, 'POST', `/api/v1/namespaces/${p.namespace}/pods`, p.body);
    await must(api, 'PATCH', `/api/v1/namespaces/${p.namespace}/pods/pod-${i}/status`, p.status, 'application/merge-patch+json');
    created++;
  });
  const podsMs = Date.now() - started;
  const policiesStarted = Date.now();
  await pool(s.policies, 16, async (k) => {
    await must(api, 'POST', `/apis/sluice.dev/v1alpha1/namespaces/${ns(s, k)}/l7policies`, { apiVersion: 'sluice.dev/v1alpha1', kind: 'L7Policy', metadata: { name: `policy-${k}` }, spec: policySpec(s, k) });
  });
  return { pods: created, podsMs, policiesMs: Date.now() - policiesStarted };
}

/** The same cluster as files: the inventory (built by the controller's own mapping) and one file per policy. */
export function asFiles(s: Shape, pods: number, ports: ProxyPorts): { inventory: string; policies: Map<string, string> } {
  const objects = Array.from({ length: pods }, (_, i) => {
    const p = podObject(s, i);
    return { ...p.body, metadata: { ...(p.body['metadata'] as object), namespace: p.namespace, creationTimestamp: '2026-01-01T00:00:00Z' }, ...p.status };
  });
  const inventory = clusterInventory({ pods: objects, services: [], endpointSlices: [], namespaces: new Map(), proxyPorts: ports });
  const policies = new Map<string, string>();
  for (let k = 0; k < s.policies; k++) policies.set(`policy-${k}.json`, policyFile(s, k));
  return { inventory: JSON.stringify(inventory.document), policies };
}

export function policyFile(s: Shape, k: number, prefix = '/v1'): string {
  return JSON.stringify({ apiVersion: 'sluice.dev/v1alpha1', kind: 'L7Policy', metadata: { name: `policy-${k}`, namespace: ns(s, k) }, spec: policySpec(s, k, prefix) });
}
