/**
 * `/flows` (JSON lines and SSE), `/flows/audit`, `/map/graph` on the admin endpoint, and the CLI
 * that reads them: `sluice observe` (table, json, jsonpb, --follow, --input) and
 * `sluice audit-report` with its exit codes. The admin server is the real one, with the flows'
 * routes mounted through its `extra` hook.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAdminServer, type AdminServer } from '../../controller/admin-server.js';
import { readSse } from '../../flows/sse.js';
import { startFlows, type Flows } from '../../flows/index.js';
import { Registry, silentLogger } from '../../telemetry/index.js';
import { eventually } from '../support/poll.js';
import { runCli } from '../support/run-cli.js';
import { BATCH, flow, T0 } from './fixtures.js';

let clock = T0 + 10;
let flows: Flows;
let admin: AdminServer;
let base: string;
let dir: string;
const registry = new Registry();

const denied = flow({ time: T0 + 1, verdict: 'denied', rule: 'shop/orders-api#spec.ingress[0].toPorts[0].deny.http[0]', reason: 'deny rule matched', http: { method: 'GET', path: '/v1/orders/admin', authority: 'orders', status: 403, version: 'HTTP/1.1' } });
const audit = flow({ time: T0 + 2, source: BATCH, verdict: 'audit-denied', policy: 'shop/orders-tighten', rule: 'shop/orders-tighten#spec.ingress[0].toPorts[0].deny.http[0]', reason: 'audit deny rule matched', http: { method: 'GET', path: '/v1/orders/legacy/3', authority: 'orders', status: 200, version: 'HTTP/1.1' } });

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-flows-'));
  flows = startFlows({ registry, logger: silentLogger, now: () => clock, inventory: () => undefined, ir: () => undefined, file: { path: path.join(dir, 'flows.jsonl') } });
  admin = await startAdminServer('127.0.0.1', 0, { ready: () => ({ ready: true, reason: '' }), status: () => ({}), configDump: () => ({}), metrics: () => registry.render(), extra: flows.routes }, silentLogger);
  base = `http://127.0.0.1:${admin.port}`;
  flows.collector.offer([flow({ time: T0 }), denied, audit], 'envoy');
  await eventually(() => flows.store.stats().size === 3, 'three flows stored');
});

afterAll(async () => {
  await admin?.close();
  await flows?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the /flows admin route', () => {
  it('answers a filter with the newest matching flows, oldest first, as JSON lines', async () => {
    const res = await fetch(`${base}/flows?verdict=denied&verdict=audit-denied`);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { verdict: string; time: string });
    expect(lines.map((l) => l.verdict)).toEqual(['denied', 'audit-denied']);
    expect(lines[0]?.time).toBe('2025-01-02T03:04:05.679912Z');
  });

  it('says what is wrong with a filter, per parameter', async () => {
    const res = await fetch(`${base}/flows?verdict=maybe&http-path=(`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { problems: Array<{ parameter: string; message: string }> };
    expect(body.problems.map((p) => p.parameter)).toEqual(['verdict[0]', 'http-path[0]']);
  });

  it('streams new matching flows over SSE, after the last N', async () => {
    const controller = new AbortController();
    const res = await fetch(`${base}/flows?follow=true&last=1&from=ops/batch`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const seen: string[] = [];
    const reading = (async () => {
      if (!res.body) return;
      try {
        for await (const e of readSse(res.body)) if (e.event === 'flow') seen.push((JSON.parse(e.data) as { http: { path: string } }).http.path);
      } catch {
        // aborted
      }
    })();
    await eventually(() => seen.length === 1, 'the backlog flow');
    flows.collector.offer([flow({ time: T0 + 3, http: { method: 'GET', path: '/not-batch', authority: '', status: 200, version: '' } }), flow({ time: T0 + 4, source: BATCH, http: { method: 'GET', path: '/from-batch', authority: '', status: 200, version: '' } })], 'envoy');
    await eventually(() => seen.length === 2, 'the new flow from batch');
    controller.abort();
    await reading;
    expect(seen).toEqual(['/v1/orders/legacy/3', '/from-batch']);
  });

  it('serves the service map graph', async () => {
    const graph = (await (await fetch(`${base}/map/graph?namespace=ops`)).json()) as { nodes: Array<{ id: string }>; edges: Array<{ id: string; counts: Record<string, number> }>; namespaces: string[] };
    expect(graph.nodes.map((n) => n.id)).toEqual(['ops/batch', 'shop/orders']);
    expect(graph.edges).toEqual([expect.objectContaining({ id: 'ops/batch -> shop/orders', counts: { forwarded: 1, denied: 0, 'audit-denied': 1 } })]);
    expect(graph.namespaces).toEqual(['ops', 'shop']);
  });
});

describe('sluice observe', () => {
  it('prints a table, sluice JSON and proto3 JSON', async () => {
    const table = await runCli(['observe', '--server', base, '--verdict', 'denied']);
    expect(table.code).toBe(0);
    const [header, row] = table.stdout.trim().split('\n');
    expect(header).toMatch(/^TIME\s+SOURCE\s+DESTINATION\s+PROTO\s+VERDICT\s+REQUEST\s+STATUS\s+RULE$/);
    expect(row).toMatch(/shop\/web:41000\s+shop\/orders:8080\s+http\s+DENIED\s+GET \/v1\/orders\/admin\s+403\s+shop\/orders-api#spec\.ingress\[0\]\.toPorts\[0\]\.deny\.http\[0\]$/);
    const json = await runCli(['observe', '--server', base, '--policy', 'shop/orders-tighten', '-o', 'json']);
    expect(JSON.parse(json.stdout.trim())).toMatchObject({ verdict: 'audit-denied', source: { workload: 'batch' } });
    const jsonpb = await runCli(['observe', '--server', base, '--policy', 'shop/orders-tighten', '-o', 'jsonpb']);
    expect(JSON.parse(jsonpb.stdout.trim())).toMatchObject({ flow: { verdict: 'AUDIT_DENIED', source: { workload: 'batch' } }, node_name: 'node-a' });
  });

  it('refuses a bad filter before asking the server, naming the flag', async () => {
    const r = await runCli(['observe', '--server', base, '--verdict', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sluice observe: --verdict\[0\]: expected forwarded, denied, audit-denied, got "nope"\n/);
  });

  it('follows until stopped', async () => {
    const stop = new AbortController();
    const running = runCli(['observe', '--server', base, '--follow', '--http-path', '^/followed', '-o', 'json'], stop.signal);
    await eventually(async () => {
      flows.collector.offer([flow({ time: clock, http: { method: 'GET', path: '/followed', authority: '', status: 200, version: '' } })], 'envoy');
      const status = (await (await fetch(`${base}/flows/status`)).json()) as { followers: number };
      return status.followers === 1;
    }, 'the follower to connect');
    flows.collector.offer([flow({ time: clock, http: { method: 'GET', path: '/followed/2', authority: '', status: 200, version: '' } })], 'envoy');
    await eventually(async () => ((await fetch(`${base}/flows?http-path=^/followed/2`)).ok ? true : undefined), 'stored');
    stop.abort();
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"/followed/2"');
  });

  it('reads the file export with the same filters', async () => {
    const file = path.join(dir, 'flows.jsonl');
    await eventually(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('legacy'), 'the file export');
    const r = await runCli(['observe', '--input', file, '--from', 'app=batch', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { http: { path: string } }).http.path)).toContain('/v1/orders/legacy/3');
  });
});

describe('sluice audit-report', () => {
  it('lists what would be denied and exits 1', async () => {
    const r = await runCli(['audit-report', '--server', base, '--policy', 'shop/orders-tighten', '--since', '1h']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\s+1\s+ops\/batch\s+GET \/v1\/orders\/legacy\/3\s+.*shop\/orders-tighten#spec\.ingress\[0\]\.toPorts\[0\]\.deny\.http\[0\]$/m);
    expect(r.stdout.trim().endsWith('1 would-deny flow in the window')).toBe(true);
  });

  it('exits 4 for a clean but incomplete window, 0 once the window is covered', async () => {
    const incomplete = await runCli(['audit-report', '--server', base, '--policy', 'shop/quiet', '--since', '1h']);
    expect(incomplete.code).toBe(4);
    expect((await runCli(['audit-report', '--server', base, '--policy', 'shop/quiet', '--since', '1h', '--allow-incomplete'])).code).toBe(0);
    clock = T0 + 2 * 3_600_000;
    const clean = await runCli(['audit-report', '--server', base, '--policy', 'shop/quiet', '--since', '1h']);
    expect(clean.code).toBe(0);
    expect(clean.stdout.trim().endsWith('no would-deny flows in the window')).toBe(true);
  });

  it('says when the server cannot be read', async () => {
    const r = await runCli(['audit-report', '--server', 'http://127.0.0.1:1', '--policy', 'shop/quiet']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot read http:\/\/127\.0\.0\.1:1\/flows\/audit/);
  });
});

