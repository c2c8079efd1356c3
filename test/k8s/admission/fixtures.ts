/** Shared inputs of the admission tests: an inventory, policy objects as the API server holds them, AdmissionReviews. */
import { loadSources, type Inventory, type Policy } from '../../../policy-compiler/index.js';
import { loadPolicyObjects, type ClusterSnapshot, type PolicyView } from '../../../k8s/admission/index.js';

export const INVENTORY_TEXT = `
apiVersion: sluice.dev/v1alpha1
kind: Inventory
workloads:
  - { name: orders, namespace: shop, labels: { app: orders }, addresses: [10.1.0.7], ports: [ { port: 8080, name: http } ], proxy: { node: node-a } }
  - { name: orders-2, namespace: shop, labels: { app: orders }, addresses: [10.1.0.8], ports: [ { port: 8080, name: http } ], proxy: { node: node-a } }
  - { name: web, namespace: shop, labels: { app: web }, addresses: [10.1.0.9], ports: [ { port: 80 } ], proxy: { node: node-a } }
  - { name: broker, namespace: shop, labels: { app: kafka }, addresses: [10.1.0.20], ports: [ { port: 9092 } ], proxy: { node: node-a, kafka: kafka-a } }
  - { name: web, namespace: guarded, labels: { app: web }, addresses: [10.2.0.9], ports: [ { port: 80 } ], proxy: { node: node-a } }
`;

export function inventory(text = INVENTORY_TEXT): Inventory {
  const load = loadSources([{ name: 'inventory.yaml', text }]);
  if (!load.inventory) throw new Error(`test inventory invalid: ${JSON.stringify(load.diagnostics)}`);
  return load.inventory;
}

export interface PolicyObjectOptions {
  readonly namespace?: string;
  readonly generation?: number;
  readonly status?: Record<string, unknown>;
}

/** An L7Policy object as the API server hands it to a webhook (metadata with server fields, the spec as given). */
export function policyObject(name: string, spec: Record<string, unknown>, o: PolicyObjectOptions = {}): Record<string, unknown> {
  return {
    apiVersion: 'sluice.dev/v1alpha1',
    kind: 'L7Policy',
    metadata: { name, namespace: o.namespace ?? 'shop', uid: `uid-${name}`, generation: o.generation ?? 1, creationTimestamp: '2026-12-01T00:00:00Z', managedFields: [{ manager: 'kubectl' }] },
    spec,
    ...(o.status ? { status: o.status } : {}),
  };
}

export const ORDERS = { matchLabels: { app: 'orders' } };
const WEB_PEER = [{ selector: { matchLabels: { app: 'web' } } }];

/** Ingress on 8080 of the orders workloads, from web, with these HTTP rules. */
export function ordersSpec(http: readonly Record<string, unknown>[] | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { selector: ORDERS, ingress: [{ from: WEB_PEER, toPorts: [{ ports: [{ port: 8080 }], ...(http ? { rules: { http } } : {}) }] }], ...extra };
}

export function policiesOf(objects: readonly Record<string, unknown>[]): readonly Policy[] {
  const loaded = loadPolicyObjects(objects);
  if (loaded.diagnostics.some((d) => d.severity === 'error')) throw new Error(`test policies invalid: ${JSON.stringify(loaded.diagnostics)}`);
  return loaded.policies;
}

export function fixedView(objects: readonly Record<string, unknown>[] = [], inv: Inventory = inventory()): PolicyView {
  const snapshot: ClusterSnapshot = { inventory: inv, policies: policiesOf(objects) };
  return () => Promise.resolve(snapshot);
}

let uids = 0;

export interface ReviewOptions {
  readonly operation?: 'CREATE' | 'UPDATE' | 'DELETE';
  readonly oldObject?: unknown;
  readonly kind?: { group: string; version: string; kind: string };
  readonly namespace?: string;
  readonly name?: string;
}

/** An AdmissionReview v1 request for `object`, as the API server sends it. */
export function reviewOf(object: Record<string, unknown>, o: ReviewOptions = {}): Record<string, unknown> {
  const meta = (object['metadata'] ?? {}) as { name?: string; namespace?: string };
  const operation = o.operation ?? 'CREATE';
  const isPod = object['kind'] === 'Pod';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `test-uid-${++uids}`,
      kind: o.kind ?? (isPod ? { group: '', version: 'v1', kind: 'Pod' } : { group: 'sluice.dev', version: 'v1alpha1', kind: 'L7Policy' }),
      resource: isPod ? { group: '', version: 'v1', resource: 'pods' } : { group: 'sluice.dev', version: 'v1alpha1', resource: 'l7policies' },
      name: o.name ?? meta.name ?? '',
      namespace: o.namespace ?? meta.namespace ?? 'shop',
      operation,
      userInfo: { username: 'admin', groups: ['system:masters'] },
      object: operation === 'DELETE' ? null : object,
      oldObject: o.oldObject ?? null,
      dryRun: false,
    },
  };
}

export function pod(name: string, extra: { annotations?: Record<string, string>; labels?: Record<string, string>; spec?: Record<string, unknown>; namespace?: string } = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: extra.namespace ?? 'shop', ...(extra.annotations ? { annotations: extra.annotations } : {}), ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }], ...extra.spec },
  };
}
