/**
 * The audit-first rollout guard with an injected clock and flows store: every refusal says which
 * condition is not met (no audit yet, too short, stale status, rules changed, would-deny flows,
 * flows unknown), and what is not a move to enforce passes.
 */
import { describe, expect, it } from '@jest/globals';
import { admit, PATHS, type AdmissionReviewResponse, type RolloutGuardOptions, type WouldDenyFlows } from '../../../k8s/admission/index.js';
import { fixedView, ordersSpec, policyObject, reviewOf } from './fixtures.js';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-12-02T12:00:00Z');
const SPEC = ordersSpec([{ method: 'GET' }]);

async function guard(object: Record<string, unknown>, o: Partial<RolloutGuardOptions> & { oldObject?: Record<string, unknown> } = {}): Promise<AdmissionReviewResponse['response']> {
  const { oldObject, ...rest } = o;
  const review = reviewOf(object, oldObject ? { operation: 'UPDATE', oldObject } : {});
  const result = await admit(PATHS.rolloutGuard, review, { policies: { view: fixedView() }, rollout: { now: () => NOW, minAuditMs: 24 * HOUR, quietWindowMs: HOUR, ...rest } });
  if (!('response' in result.body)) throw new Error(JSON.stringify(result.body));
  return result.body.response;
}

const audit = (status?: Record<string, unknown>, generation = 3) => policyObject('orders', { ...SPEC, mode: 'audit' }, { generation, ...(status ? { status } : {}) });
const enforce = (generation = 3) => policyObject('orders', { ...SPEC, mode: 'enforce' }, { generation });
const since = (hoursAgo: number, generation = 3) => ({ auditSince: new Date(NOW - hoursAgo * HOUR).toISOString(), observedGeneration: generation });
const rule = 'namespace shop requires audit-first rollout (sluice.dev/rollout=audit-first)';

describe('the audit-first rollout guard', () => {
  it('refuses a CREATE in enforce, or with no mode (enforce by default), and says how to roll out', async () => {
    const r = await guard(enforce());
    expect(r.allowed).toBe(false);
    expect(r.status).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(r.status?.message).toBe(`${rule}: create L7Policy shop/orders with spec.mode: audit (no mode means enforce); it may switch to enforce after it ran in audit for 1d`);
    expect((await guard(policyObject('orders', SPEC))).allowed).toBe(false);
  });

  it('admits a CREATE in audit, an edit of an audit policy, enforce → audit, and edits of an enforcing policy', async () => {
    expect((await guard(audit())).allowed).toBe(true);
    expect((await guard(audit(), { oldObject: audit() })).allowed).toBe(true);
    expect((await guard(audit(), { oldObject: enforce() })).allowed).toBe(true);
    expect((await guard(policyObject('orders', { ...ordersSpec([{ method: 'POST' }]), mode: 'enforce' }), { oldObject: enforce() })).allowed).toBe(true);
  });

  it('refuses audit → enforce before the controller wrote status.auditSince', async () => {
    const r = await guard(enforce(), { oldObject: audit() });
    expect(r.status?.message).toBe(`${rule}: L7Policy shop/orders has no status.auditSince yet (the controller sets it once every proxy runs the policy in audit); it may enforce 1d after that`);
  });

  it('refuses audit → enforce before the configured time, saying since when and from when', async () => {
    const r = await guard(enforce(), { oldObject: audit(since(2.5)) });
    expect(r.status?.message).toBe(`${rule}: L7Policy shop/orders has run in audit for 2h30m (since 2026-12-02T09:30:00.000Z); it must for 1d, so it may enforce from 2026-12-03T09:30:00.000Z`);
  });

  it('admits audit → enforce after the time, and, without a flows store, warns that flows were not checked', async () => {
    const r = await guard(enforce(), { oldObject: audit(since(25)) });
    expect(r).toMatchObject({ allowed: true, warnings: ['L7Policy shop/orders ran in audit for 1d1h; would-deny flows were not checked (no flows store is configured)'] });
  });

  it('refuses when the status is not about the stored generation, or the rules change with the mode', async () => {
    const stale = await guard(enforce(4), { oldObject: audit(since(30, 3), 4) });
    expect(stale.status?.message).toBe(`${rule}: the status of L7Policy shop/orders describes generation 3, not the stored generation 4: wait for the controller to observe it`);
    const changed = await guard(policyObject('orders', { ...ordersSpec([{ method: 'POST' }]), mode: 'enforce' }), { oldObject: audit(since(30)) });
    expect(changed.status?.message).toBe(`${rule}: switch L7Policy shop/orders to enforce by changing spec.mode alone; this update also changes its rules, which have not run in audit`);
    // Key order is not a change.
    const reordered = { ingress: SPEC['ingress'], selector: SPEC['selector'], mode: 'enforce' };
    expect((await guard(policyObject('orders', reordered, { generation: 3 }), { oldObject: audit(since(30)) })).allowed).toBe(true);
  });

  it('asks the flows store from max(auditSince, now − window), and refuses on would-deny flows or an unknown answer', async () => {
    const asked: [string, number][] = [];
    const flows = (answer: number | undefined): WouldDenyFlows => (key, sinceMs) => {
      asked.push([key, sinceMs]);
      return Promise.resolve(answer);
    };
    expect((await guard(enforce(), { oldObject: audit(since(30)), wouldDenyFlows: flows(0) })).allowed).toBe(true);
    expect(asked).toEqual([['shop/orders', NOW - HOUR]]);
    const denied = await guard(enforce(), { oldObject: audit(since(30)), wouldDenyFlows: flows(3) });
    expect(denied.status?.message).toBe(`${rule}: L7Policy shop/orders would have denied 3 flows since 2026-12-02T11:00:00.000Z: fix the policy or the clients (sluice audit-report shows them), then switch again once the window is clean`);
    const unknown = await guard(enforce(), { oldObject: audit(since(30)), wouldDenyFlows: flows(undefined) });
    expect(unknown.status?.message).toBe(`${rule}: L7Policy shop/orders ran in audit for 1d6h, but whether it would have denied flows since 2026-12-02T11:00:00.000Z is unknown (the flows store has no complete record of that window); retry when it has`);
    asked.length = 0;
    await guard(enforce(), { oldObject: audit(since(30)), quietWindowMs: 48 * HOUR, wouldDenyFlows: flows(0) });
    expect(asked).toEqual([['shop/orders', NOW - 30 * HOUR]]); // not before the audit began
  });

  it('with several flows stores (one per replica): any would-deny flow refuses, and so does any store that cannot tell, named', async () => {
    const evidence = (count: number, unknown: string[] = []): WouldDenyFlows => () => Promise.resolve({ count, unknown });
    expect((await guard(enforce(), { oldObject: audit(since(30)), wouldDenyFlows: evidence(0) })).allowed).toBe(true);
    const denied = await guard(enforce(), { oldObject: audit(since(30)), wouldDenyFlows: evidence(2, ['replica 10.0.0.9:9090: did not answer within 1000 ms']) });
    expect(denied.status?.message).toBe(`${rule}: L7Policy shop/orders would have denied 2 flows since 2026-12-02T11:00:00.000Z: fix the policy or the clients (sluice audit-report shows them), then switch again once the window is clean`);
    const partial = await guard(enforce(), { oldObject: audit(since(30)), wouldDenyFlows: evidence(0, ['replica 10.0.0.9:9090: did not answer within 1000 ms', 'replica 10.0.0.8:9090: answered HTTP 400']) });
    expect(partial.allowed).toBe(false);
    expect(partial.status?.message).toBe(`${rule}: L7Policy shop/orders ran in audit for 1d6h, but whether it would have denied flows since 2026-12-02T11:00:00.000Z is unknown (replica 10.0.0.9:9090: did not answer within 1000 ms; replica 10.0.0.8:9090: answered HTTP 400); retry when every store answers`);
  });

  it('counts a failing or hanging flows store as unknown, within its deadline', async () => {
    const failing = await guard(enforce(), { oldObject: audit(since(30)), wouldDenyFlows: () => Promise.reject(new Error('store down')) });
    expect(failing.status?.message).toContain('is unknown');
    const started = performance.now();
    const hanging = await guard(enforce(), { oldObject: audit(since(30)), flowsTimeoutMs: 100, wouldDenyFlows: () => new Promise(() => undefined) });
    expect(hanging.status?.message).toContain('is unknown');
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
