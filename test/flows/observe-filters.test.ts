/**
 * `sluice observe`'s filters, one flag at a time, against a known set of flows in a real `/flows`
 * admin route: each flag (and each form of `--from`/`--to`) selects exactly the flows it names,
 * repeated values are OR-ed, different flags AND-ed, and `-o table|json|jsonpb` prints exactly
 * those flows in each form. The same filters over the file export (`--input`) select the same.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAdminServer, type AdminServer } from '../../controller/admin-server.js';
import { FILTER_PARAMS, startFlows, type FlowRecord, type Flows } from '../../flows/index.js';
import { Registry, silentLogger } from '../../telemetry/index.js';
import { eventually } from '../support/poll.js';
import { runCli } from '../support/run-cli.js';
import { BATCH, endpoint, flow, ORDERS, T0, WEB } from './fixtures.js';

const MIN = 60_000;
/** The server's clock: ten minutes after T0 (the flows are 0–9 minutes after T0). */
const NOW = T0 + 10 * MIN;

const BROKER = endpoint('broker', 'data', '10.2.0.4', 9092);
const BILLING = endpoint('billing', 'data', '10.2.0.8', 51000, { app: 'billing', team: 'finance' });
const OUTSIDE = endpoint('', '', '203.0.113.5', 443);
const STRANGER = endpoint('', '', '198.51.100.7', 40000);
const http = (method: string, p: string, status: number) => ({ method, path: p, authority: 'orders', status, version: 'HTTP/1.1' });
const rule = (policy: string, tail: string) => `${policy}#spec.ingress[0].toPorts[0].${tail}`;

/** The known flows, each named by what it asked for; `name` is what the assertions compare. */
const KNOWN: Record<string, FlowRecord> = {
  'get-order': flow({ time: T0, http: http('GET', '/v1/orders/1', 200) }),
  'admin-denied': flow({ time: T0 + 1 * MIN, verdict: 'denied', rule: rule('shop/orders-api', 'deny.http[0]'), reason: 'deny rule matched', http: http('GET', '/v1/admin/keys', 403) }),
  'legacy-audit': flow({ time: T0 + 2 * MIN, source: BATCH, verdict: 'audit-denied', policy: 'shop/orders-trial', rule: rule('shop/orders-trial', 'deny.http[0]'), reason: 'audit deny rule matched', http: http('GET', '/v1/legacy/3', 200) }),
  'grpc-get': flow({ time: T0 + 3 * MIN, source: BATCH, destination: { ...ORDERS, port: 9090 }, protocol: 'grpc', grpc: { service: 'shop.v1.Orders', method: 'Get', status: 'OK' }, rule: rule('shop/orders-api', 'rules.grpc[0]'), http: undefined }),
  'kafka-produce': flow({ time: T0 + 4 * MIN, node: 'kafka-a', source: BILLING, destination: BROKER, protocol: 'kafka', http: undefined, kafka: { api: 'Produce', apiVersion: 9, topic: 'invoices', group: '', clientId: 'billing-1' }, policy: 'data/invoices', rule: rule('data/invoices', 'rules.kafka[0]') }),
  'kafka-denied': flow({ time: T0 + 6 * MIN, node: 'kafka-a', source: STRANGER, destination: BROKER, protocol: 'kafka', http: undefined, kafka: { api: 'Metadata', apiVersion: 12, topic: 'secrets.keys', group: '', clientId: 'probe' }, verdict: 'denied', policy: 'data/invoices', rule: rule('data/invoices', 'deny.kafka[0]'), reason: 'deny rule matched' }),
  'egress-denied': flow({ time: T0 + 7 * MIN, direction: 'egress', source: WEB, destination: OUTSIDE, verdict: 'denied', policy: 'shop/web-out', rule: '', reason: 'no allow rule matched', http: http('POST', '/upload', 403) }),
  'orders-payments': flow({ time: T0 + 9 * MIN, source: { ...ORDERS, port: 43000 }, destination: endpoint('payments', 'billing', '10.4.0.2', 8443, { app: 'payments' }), direction: 'egress', policy: 'billing/payments-in', rule: rule('billing/payments-in', 'rules.http[0]'), http: http('POST', '/v1/orders/1/pay', 201) }),
};
const ALL = Object.keys(KNOWN);

/** The name of a printed flow (`-o json`): its request, which is unique in KNOWN. */
function nameOf(json: Record<string, unknown>): string {
  const f = json as { http?: { method: string; path: string }; grpc?: { method: string }; kafka?: { topic: string } };
  const hit = Object.entries(KNOWN).find(([, k]) => (f.http ? k.http?.path === f.http.path && k.http.method === f.http.method : f.grpc ? k.grpc?.method === f.grpc.method : k.kafka?.topic === f.kafka?.topic));
  if (!hit) throw new Error(`a flow that is not one of the known ones: ${JSON.stringify(json)}`);
  return hit[0];
}

let flows: Flows;
let admin: AdminServer;
let base: string;
let dir: string;
let file: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-observe-'));
  file = path.join(dir, 'flows.jsonl');
  const registry = new Registry();
  flows = startFlows({ registry, logger: silentLogger, now: () => NOW, inventory: () => undefined, ir: () => undefined, file: { path: file } });
  admin = await startAdminServer('127.0.0.1', 0, { ready: () => ({ ready: true, reason: '' }), status: () => ({}), configDump: () => ({}), metrics: () => registry.render(), extra: flows.routes }, silentLogger);
  base = `http://127.0.0.1:${admin.port}`;
  flows.collector.offer(Object.values(KNOWN), 'envoy');
  await eventually(() => flows.store.stats().size === ALL.length, 'the known flows stored');
  await eventually(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8').trim().split('\n').length === ALL.length, 'the file export');
});

afterAll(async () => {
  await admin?.close();
  await flows?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** What `sluice observe --server … FLAGS -o json` selects, oldest first, by name. */
async function selected(flags: readonly string[]): Promise<string[]> {
  const r = await runCli(['observe', '--server', base, ...flags, '-o', 'json']);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return r.stdout.split('\n').filter(Boolean).map((l) => nameOf(JSON.parse(l) as Record<string, unknown>));
}

/** Each case: the flags, and exactly the flows (oldest first) they select. */
const CASES: ReadonlyArray<readonly [string, readonly string[], readonly string[]]> = [
  ['no filter', [], ALL],
  ['--since as a duration', ['--since', '5m'], ['kafka-denied', 'egress-denied', 'orders-payments']],
  ['--since as an RFC 3339 time', ['--since', new Date(T0 + 3 * MIN).toISOString()], ['grpc-get', 'kafka-produce', 'kafka-denied', 'egress-denied', 'orders-payments']],
  ['--since with --until', ['--since', '9m', '--until', '5m'], ['admin-denied', 'legacy-audit', 'grpc-get', 'kafka-produce']],
  ['--verdict denied', ['--verdict', 'denied'], ['admin-denied', 'kafka-denied', 'egress-denied']],
  ['--verdict audit-denied', ['--verdict', 'audit-denied'], ['legacy-audit']],
  ['--verdict forwarded', ['--verdict', 'forwarded'], ['get-order', 'grpc-get', 'kafka-produce', 'orders-payments']],
  ['--verdict repeated (any of them)', ['--verdict', 'denied', '--verdict', 'audit-denied'], ['admin-denied', 'legacy-audit', 'kafka-denied', 'egress-denied']],
  ['--namespace, source side', ['--namespace', 'ops'], ['legacy-audit', 'grpc-get']],
  ['--namespace, either side', ['--namespace', 'billing'], ['orders-payments']],
  ['--namespace repeated', ['--namespace', 'data', '--namespace', 'ops'], ['legacy-audit', 'grpc-get', 'kafka-produce', 'kafka-denied']],
  ['--from NS/NAME', ['--from', 'ops/batch'], ['legacy-audit', 'grpc-get']],
  ['--from NAME (any namespace)', ['--from', 'orders'], ['orders-payments']],
  ['--from KEY=VALUE', ['--from', 'team=finance'], ['kafka-produce']],
  ['--from KEY= (any value)', ['--from', 'tier='], ['orders-payments']],
  ['--from an address', ['--from', '198.51.100.7'], ['kafka-denied']],
  ['--from unknown', ['--from', 'unknown'], ['kafka-denied']],
  ['--from repeated', ['--from', 'ops/batch', '--from', 'app=billing'], ['legacy-audit', 'grpc-get', 'kafka-produce']],
  ['--to NS/NAME', ['--to', 'data/broker'], ['kafka-produce', 'kafka-denied']],
  ['--to NAME', ['--to', 'payments'], ['orders-payments']],
  ['--to KEY=VALUE', ['--to', 'app=orders'], ['get-order', 'admin-denied', 'legacy-audit', 'grpc-get']],
  ['--to an address', ['--to', '203.0.113.5'], ['egress-denied']],
  ['--to unknown', ['--to', 'unknown'], ['egress-denied']],
  ['--policy', ['--policy', 'shop/orders-api'], ['get-order', 'admin-denied', 'grpc-get']],
  ['--policy repeated', ['--policy', 'shop/orders-trial', '--policy', 'data/invoices'], ['legacy-audit', 'kafka-produce', 'kafka-denied']],
  ['--http-path (found anywhere)', ['--http-path', 'orders/1'], ['get-order', 'orders-payments']],
  ['--http-path anchored', ['--http-path', '^/v1/(admin|legacy)/'], ['admin-denied', 'legacy-audit']],
  ['--protocol http', ['--protocol', 'http'], ['get-order', 'admin-denied', 'legacy-audit', 'egress-denied', 'orders-payments']],
  ['--protocol grpc', ['--protocol', 'grpc'], ['grpc-get']],
  ['--protocol kafka', ['--protocol', 'kafka'], ['kafka-produce', 'kafka-denied']],
  ['--protocol repeated', ['--protocol', 'grpc', '--protocol', 'kafka'], ['grpc-get', 'kafka-produce', 'kafka-denied']],
  ['--direction egress', ['--direction', 'egress'], ['egress-denied', 'orders-payments']],
  ['--node', ['--node', 'kafka-a'], ['kafka-produce', 'kafka-denied']],
  ['--last', ['--last', '2'], ['egress-denied', 'orders-payments']],
  ['different flags AND-ed', ['--verdict', 'denied', '--protocol', 'http', '--namespace', 'shop'], ['admin-denied', 'egress-denied']],
  ['--from with --to and --since', ['--from', 'app=web', '--to', 'unknown', '--since', '8m'], ['egress-denied']],
  ['a filter that matches nothing', ['--policy', 'shop/none'], []],
];

describe('sluice observe selects exactly the flows each filter names', () => {
  it.each(CASES)('%s', async (_what, flags, expected) => {
    expect(await selected(flags)).toEqual(expected);
  });

  it('has a case for every filter the CLI offers', () => {
    const used = new Set(CASES.flatMap(([, flags]) => flags.filter((f) => f.startsWith('--')).map((f) => f.slice(2))));
    // --follow has its own tests (admin-routes.test.ts, and live Envoy in e2e/envoy-flows.test.ts).
    expect(Object.keys(FILTER_PARAMS).filter((f) => f !== 'follow' && !used.has(f))).toEqual([]);
  });

  it('selects the same flows from the file export (--input), with absolute times', async () => {
    for (const [, flags, expected] of CASES) {
      // `--since 5m` counts back from the reader's clock; over a file, RFC 3339 times say the same.
      if (flags.some((f) => /^\d+m$/.test(f))) continue;
      const r = await runCli(['observe', '--input', file, ...flags, '-o', 'json']);
      expect(r.code).toBe(0);
      expect([flags.join(' '), r.stdout.split('\n').filter(Boolean).map((l) => nameOf(JSON.parse(l) as Record<string, unknown>))]).toEqual([flags.join(' '), expected]);
    }
  });
});

describe('sluice observe -o', () => {
  const flags = ['--server', () => base, '--verdict', 'denied'] as const;
  const args = () => flags.map((f) => (typeof f === 'function' ? f() : f));

  it('table: a header and one aligned row per selected flow, with source, destination, verdict, request, status and rule', async () => {
    const r = await runCli(['observe', ...args(), '-o', 'table']);
    expect(r.code).toBe(0);
    const [header, ...rows] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^TIME\s+SOURCE\s+DESTINATION\s+PROTO\s+VERDICT\s+REQUEST\s+STATUS\s+RULE$/);
    const at = (ms: number) => new Date(ms).toISOString().slice(5, 23).replace('T', ' ');
    // Cut each row at the header's column starts (a full column touches the next with one space).
    const starts = [...(header ?? '').matchAll(/\S+/g)].map((m) => m.index);
    const cells = (l: string) => starts.map((s, i) => l.slice(s, starts[i + 1]).trim());
    expect(rows.map(cells)).toEqual([
      [at(T0 + MIN), 'shop/web:41000', 'shop/orders:8080', 'http', 'DENIED', 'GET /v1/admin/keys', '403', rule('shop/orders-api', 'deny.http[0]')],
      [at(T0 + 6 * MIN), '198.51.100.7:40000', 'data/broker:9092', 'kafka', 'DENIED', 'Metadata secrets.keys', '', rule('data/invoices', 'deny.kafka[0]')],
      [at(T0 + 7 * MIN), 'shop/web:41000', '203.0.113.5:443', 'http', 'DENIED', 'POST /upload', '403', 'shop/web-out (no allow rule matched)'],
    ]);
  });

  it('json: sluice\'s record of each selected flow, every field', async () => {
    const r = await runCli(['observe', ...args(), '-o', 'json']);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map(nameOf)).toEqual(['admin-denied', 'kafka-denied', 'egress-denied']);
    expect(lines[1]).toEqual({
      time: new Date(T0 + 6 * MIN).toISOString().replace('Z', '912Z'), node: 'kafka-a', direction: 'ingress',
      source: { address: '198.51.100.7', port: 40000, workload: '', namespace: '', labels: {} },
      destination: { address: '10.2.0.4', port: 9092, workload: 'broker', namespace: 'data', labels: { app: 'broker' } },
      protocol: 'kafka', kafka: { api: 'Metadata', apiVersion: 12, topic: 'secrets.keys', group: '', clientId: 'probe' },
      verdict: 'denied', policy: 'data/invoices', rule: rule('data/invoices', 'deny.kafka[0]'), reason: 'deny rule matched',
      durationMs: 1.25, bytesReceived: 120, bytesSent: 340,
    });
  });

  it('jsonpb: proto3 JSON of sluice.flow.v1alpha1.Flow, Hubble style, for each selected flow', async () => {
    const r = await runCli(['observe', ...args(), '-o', 'jsonpb']);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { flow: Record<string, unknown>; node_name: string; time: string });
    expect(lines.map((l) => [l.node_name, l.flow['verdict'], l.flow['protocol'], l.time])).toEqual([
      ['node-a', 'DENIED', 'HTTP', new Date(T0 + MIN).toISOString().replace('Z', '912Z')],
      ['kafka-a', 'DENIED', 'KAFKA', new Date(T0 + 6 * MIN).toISOString().replace('Z', '912Z')],
      ['node-a', 'DENIED', 'HTTP', new Date(T0 + 7 * MIN).toISOString().replace('Z', '912Z')],
    ]);
    expect(lines[1]?.flow).toMatchObject({ kafka: { api: 'Metadata', apiVersion: 12, topic: 'secrets.keys', clientId: 'probe' }, destination: { workload: 'broker', namespace: 'data' }, direction: 'INGRESS' });
    expect(lines[2]?.flow).toMatchObject({ http: { method: 'POST', path: '/upload', status: 403 }, direction: 'EGRESS', policy: 'shop/web-out' });
  });
});
