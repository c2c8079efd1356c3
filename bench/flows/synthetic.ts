/**
 * Synthetic flows for the store's tests and bench:flows: `workloads` workloads across ten
 * namespaces, a thousand paths, verdicts 90% forwarded, 8% denied, 2% audit-denied, one flow per
 * millisecond. Deterministic (a fixed LCG), so a test can count what a filter must find.
 */
import type { FlowEndpoint, FlowRecord, Verdict } from '../../flows/index.js';

export interface SyntheticOptions {
  readonly count: number;
  readonly start: number;
  readonly workloads?: number;
}

export function syntheticWorkloads(n: number): FlowEndpoint[] {
  return Array.from({ length: n }, (_, i) => ({ address: `10.${(i >> 8) & 255}.${i & 255}.1`, port: 8080, workload: `svc-${i}`, namespace: `ns-${i % 10}`, labels: Object.freeze({ app: `svc-${i}`, tier: i % 3 === 0 ? 'backend' : 'frontend' }) }));
}

export function* syntheticFlows(o: SyntheticOptions): Generator<FlowRecord> {
  const endpoints = syntheticWorkloads(o.workloads ?? 200);
  const paths = Array.from({ length: 1000 }, (_, i) => `/v1/items/${i}`);
  let x = 12345;
  const rand = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
  for (let i = 0; i < o.count; i++) {
    const source = endpoints[Math.floor(rand() * endpoints.length)] as FlowEndpoint;
    const destination = endpoints[Math.floor(rand() * endpoints.length)] as FlowEndpoint;
    const r = rand();
    const verdict: Verdict = r < 0.9 ? 'forwarded' : r < 0.98 ? 'denied' : 'audit-denied';
    const policy = `${destination.namespace}/${destination.workload}-api`;
    yield {
      time: o.start + i,
      node: `node-${i % 4}`,
      direction: 'ingress',
      source: { ...source, port: 40000 + (i % 20000) },
      destination,
      protocol: 'http',
      http: { method: r < 0.5 ? 'GET' : 'POST', path: paths[Math.floor(rand() * paths.length)] as string, authority: destination.workload, status: verdict === 'denied' ? 403 : 200, version: 'HTTP/1.1' },
      verdict,
      policy: verdict === 'audit-denied' ? `${destination.namespace}/tighten` : policy,
      rule: `${verdict === 'audit-denied' ? `${destination.namespace}/tighten` : policy}#spec.ingress[0].toPorts[0].${verdict === 'denied' ? 'deny' : 'rules'}.http[${i % 5}]`,
      reason: verdict === 'forwarded' ? 'allow rule matched' : verdict === 'denied' ? 'deny rule matched' : 'audit deny rule matched',
      durationMs: 0.5 + rand() * 3,
      bytesReceived: 200,
      bytesSent: 400,
    };
  }
}
