/**
 * The rollout guard's view of every replica's flows (k8s/controller/peer-flows.ts): the merge
 * (counts summed, any replica that cannot tell makes the answer unknown and is named), the reading
 * of an `/flows/audit` answer, and the fetch against real admin endpoints (the admin server with
 * the flows' routes, as each replica serves it): one that saw would-deny flows, one clean, one
 * that started collecting after the window began, one that never answers, one not listening.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { startAdminServer, type AdminServer } from '../../../controller/admin-server.js';
import { startFlows, type Flows } from '../../../flows/index.js';
import { DEFAULT_PEER_FLOWS_TIMEOUT_MS as TIMEOUT, fetchPeerWouldDeny, mergeWouldDeny, replicaAnswer } from '../../../k8s/controller/peer-flows.js';
import { flowsWouldDeny } from '../../../k8s/controller/webhook-view.js';
import { Registry, silentLogger } from '../../../telemetry/index.js';
import { flow, T0 } from '../../flows/fixtures.js';
import { eventually, freePort } from '../../support/poll.js';

const POLICY = 'shop/orders-tighten';
const SINCE = Date.UTC(2025, 0, 2, 3, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

describe('mergeWouldDeny and replicaAnswer', () => {
  it('sums the counts and names every replica that cannot tell', () => {
    expect(mergeWouldDeny([{ replica: 'a', count: 0 }, { replica: 'b', count: 2 }, { replica: 'c', count: 1 }])).toEqual({ count: 3, unknown: [] });
    expect(mergeWouldDeny([{ replica: 'a', count: 0 }, { replica: 'b', unknown: 'did not answer within 1000 ms' }])).toEqual({ count: 0, unknown: ['b: did not answer within 1000 ms'] });
    expect(mergeWouldDeny([])).toEqual({ count: 0, unknown: [] });
  });

  it('reads an audit report: flows count even over an incomplete window, none only over a complete one', () => {
    expect(replicaAnswer('r', SINCE, 200, { wouldDeny: 2, complete: false })).toEqual({ replica: 'r', count: 2 });
    expect(replicaAnswer('r', SINCE, 200, { wouldDeny: 0, complete: true })).toEqual({ replica: 'r', count: 0 });
    expect(replicaAnswer('r', SINCE, 200, { wouldDeny: 0, complete: false, storeOldest: SINCE + 60_000 })).toEqual({ replica: 'r', unknown: `its flows do not reach back to ${iso(SINCE)} (only to ${iso(SINCE + 60_000)})` });
    expect(replicaAnswer('r', SINCE, 400, { error: 'invalid flow filter' })).toEqual({ replica: 'r', unknown: 'answered HTTP 400' });
    expect(replicaAnswer('r', SINCE, 200, { wouldDeny: -1, complete: true })).toEqual({ replica: 'r', unknown: 'not an audit report' });
    expect(replicaAnswer('r', SINCE, 200, undefined)).toEqual({ replica: 'r', unknown: 'not an audit report' });
  });
});

describe('fetchPeerWouldDeny against real admin endpoints', () => {
  let clock = SINCE - 1000;
  const replicas: { flows: Flows; admin: AdminServer }[] = [];
  let hanging: net.Server;
  const held: net.Socket[] = [];
  let hangingPort = 0;
  let closedPort = 0;

  const replica = async (): Promise<{ flows: Flows; admin: AdminServer }> => {
    const registry = new Registry();
    const flows = startFlows({ registry, logger: silentLogger, now: () => clock, inventory: () => undefined, ir: () => undefined });
    const admin = await startAdminServer('127.0.0.1', 0, { ready: () => ({ ready: true, reason: '' }), status: () => ({}), configDump: () => ({}), metrics: () => registry.render(), extra: flows.routes }, silentLogger);
    const r = { flows, admin };
    replicas.push(r);
    return r;
  };
  const at = (r: { admin: AdminServer }) => ({ host: '127.0.0.1', port: r.admin.port });

  beforeAll(async () => {
    // Two replicas collecting since before the window; one that starts inside it.
    const seen = await replica();
    await replica();
    clock = SINCE + 30_000;
    await replica();
    clock = T0 + 10;
    seen.flows.collector.offer([flow({ time: T0, verdict: 'audit-denied', policy: POLICY }), flow({ time: T0 + 1, verdict: 'audit-denied', policy: POLICY }), flow({ time: T0 + 2, verdict: 'audit-denied', policy: 'shop/other' })], 'envoy');
    await eventually(() => seen.flows.store.stats().size === 3, 'three flows stored');
    hanging = net.createServer((s) => held.push(s));
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    hangingPort = (hanging.address() as net.AddressInfo).port;
    closedPort = await freePort();
    // Node loads its fetch (undici) on the first call: not what the timeouts below are about (in CI, under load, it took longer than 300 ms).
    await fetch(`http://127.0.0.1:${replicas[0]!.admin.port}/flows/audit`).then((r) => r.text());
  });

  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise((resolve) => hanging?.close(resolve));
    for (const r of replicas) {
      await r.admin.close();
      await r.flows.close();
    }
  });

  it('counts each replica\'s would-deny flows of the policy, and says which could not tell and why', async () => {
    const [seen, clean, late] = replicas.map(at);
    const started = performance.now();
    const answers = await fetchPeerWouldDeny([seen!, clean!, late!, { host: '127.0.0.1', port: hangingPort }, { host: '127.0.0.1', port: closedPort }], POLICY, SINCE, TIMEOUT);
    expect(performance.now() - started).toBeLessThan(TIMEOUT + 1500); // all at once: one timeout, not one per replica
    expect(answers).toEqual([
      { replica: `replica 127.0.0.1:${seen!.port}`, count: 2 },
      { replica: `replica 127.0.0.1:${clean!.port}`, count: 0 },
      { replica: `replica 127.0.0.1:${late!.port}`, unknown: `its flows do not reach back to ${iso(SINCE)} (only to ${iso(SINCE + 30_000)})` },
      { replica: `replica 127.0.0.1:${hangingPort}`, unknown: `did not answer within ${TIMEOUT} ms` },
      { replica: `replica 127.0.0.1:${closedPort}`, unknown: expect.stringMatching(/^did not answer \(.*ECONNREFUSED.*\)$/) as unknown as string },
    ]);
    // A window that begins after the flows: none counted on the replica that saw them.
    expect(await fetchPeerWouldDeny([seen!], POLICY, T0 + 5)).toEqual([{ replica: `replica 127.0.0.1:${seen!.port}`, count: 0 }]);
  });

  it('the webhook\'s view: this replica\'s flows and every other\'s, unknown while the replicas are not known', async () => {
    const [seen, clean, late] = replicas;
    const ask = (own: Flows, peers: ReturnType<typeof at>[] | undefined) => flowsWouldDeny(own, { self: 'replica me', peers: () => peers, timeoutMs: TIMEOUT })(POLICY, SINCE);
    // Seen only by the other replica: counted here.
    expect(await ask(clean!.flows, [at(seen!)])).toEqual({ count: 2, unknown: [] });
    expect(await ask(seen!.flows, [at(clean!)])).toEqual({ count: 2, unknown: [] });
    expect(await ask(clean!.flows, [])).toEqual({ count: 0, unknown: [] });
    expect(await ask(clean!.flows, [at(late!), { host: '127.0.0.1', port: hangingPort }])).toEqual({
      count: 0,
      unknown: [`replica 127.0.0.1:${late!.admin.port}: its flows do not reach back to ${iso(SINCE)} (only to ${iso(SINCE + 30_000)})`, `replica 127.0.0.1:${hangingPort}: did not answer within ${TIMEOUT} ms`],
    });
    expect(await ask(late!.flows, [])).toEqual({ count: 0, unknown: [`replica me: its flows do not reach back to ${iso(SINCE)}`] });
    expect(await ask(clean!.flows, undefined)).toEqual({ count: 0, unknown: ['the other replicas: not known yet (the EndpointSlices of the controller\'s Service are not read)'] });
    // Without replicas (no Service), this replica's answer alone, as before.
    expect(await flowsWouldDeny(seen!.flows)(POLICY, SINCE)).toBe(2);
    expect(await flowsWouldDeny(late!.flows)(POLICY, SINCE)).toBeUndefined();
  });
});
