/** Flow records for the unit tests, built from a few knobs. */
import type { FlowEndpoint, FlowRecord } from '../../flows/index.js';

export const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 678) + 0.912;

export function endpoint(workload: string, namespace: string, address: string, port = 0, labels: Record<string, string> = { app: workload }): FlowEndpoint {
  return { address, port, workload, namespace, labels: workload ? labels : {} };
}

export const WEB = endpoint('web', 'shop', '10.1.0.9', 41000);
export const ORDERS = endpoint('orders', 'shop', '10.1.0.7', 8080, { app: 'orders', tier: 'backend' });
export const BATCH = endpoint('batch', 'ops', '10.3.0.5', 42000);

export function flow(over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    time: T0,
    node: 'node-a',
    direction: 'ingress',
    source: WEB,
    destination: ORDERS,
    protocol: 'http',
    http: { method: 'GET', path: '/v1/orders/7', authority: 'orders', status: 200, version: 'HTTP/1.1' },
    verdict: 'forwarded',
    policy: 'shop/orders-api',
    rule: 'shop/orders-api#spec.ingress[0].toPorts[0].rules.http[0]',
    reason: 'allow rule matched',
    durationMs: 1.25,
    bytesReceived: 120,
    bytesSent: 340,
    ...over,
  };
}
