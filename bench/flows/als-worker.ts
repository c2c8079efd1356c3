/**
 * bench:flows' synthetic Envoy, in a worker thread (its own event loop, as Envoy is its own
 * process): opens `streams` access-log streams to the collector and sends `messages` messages of
 * `entries` entries on each as fast as the transport takes them, then reports how long it took.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LOG_NAME, RBAC_KEYS } from '../../flows/index.js';
import { alsClient, encodeMessage, openAlsStream } from './als-client.js';

interface Job {
  readonly address: string;
  readonly streams: number;
  readonly messages: number;
  readonly entries: number;
}

const job = workerData as Job;
const entry = { source: '10.1.0.9', destination: '10.1.0.7', port: 8080, path: '/v1/orders/1', rbac: { [RBAC_KEYS.denyResult]: 'allowed', [RBAC_KEYS.allowResult]: 'allowed', [RBAC_KEYS.allowRule]: 'shop/orders-api#spec.ingress[0].toPorts[0].rules.http[0]' } };
const body = encodeMessage(Array.from({ length: job.entries }, (_, i) => ({ ...entry, path: `/v1/orders/${i}` })), undefined);
const client = alsClient(job.address);
const start = performance.now();
await Promise.all(
  Array.from({ length: job.streams }, async (_, s) => {
    const stream = openAlsStream(client);
    await stream.write(encodeMessage([entry], { node: `node-${s}`, logName: LOG_NAME.inbound }));
    for (let i = 0; i < job.messages; i++) await stream.write(body);
    await stream.end();
  }),
);
parentPort?.postMessage({ ms: performance.now() - start, bytes: body.length });
client.close();
