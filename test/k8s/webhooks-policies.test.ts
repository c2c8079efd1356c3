/**
 * The L7Policy webhooks, called over TLS by a real kube-apiserver (v1.34): an invalid policy is
 * refused with its field paths, a valid one stored, a risky one stored with the warnings in the
 * Warning header; unknown fields are the API server's own field validation; the audit-first
 * rollout guard; and with the webhook down, failurePolicy Fail refuses policy writes with a
 * reason that names the webhook.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { describeKube } from '../support/kube.js';
import { ordersSpec, policyObject } from './admission/fixtures.js';
import { messageOf, warnings, WEBHOOK_DOWN, WebhookBed } from './webhook-bed.js';

const HOUR = 3_600_000;
const bare = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'sluice.dev/v1alpha1', kind: 'L7Policy', metadata: { name }, spec });

describeKube('the L7Policy webhooks, called by a real kube-apiserver', () => {
  let bed: WebhookBed;
  let clock = Date.now();
  const flows = new Map<string, number>();

  beforeAll(async () => {
    bed = await WebhookBed.start({ rollout: { now: () => clock, minAuditMs: 24 * HOUR, quietWindowMs: HOUR, wouldDenyFlows: (key) => Promise.resolve(flows.get(key) ?? 0) } });
  }, 120_000);
  afterAll(() => bed?.stop(), 30_000);

  it('refuses an invalid policy: the 422 body carries each error with its field path', async () => {
    const r = await bed.create('shop', bare('bad', { selector: { matchLabels: { app: 'orders' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.1/8' } }], toPorts: [{ ports: [{ port: 8080 }], rules: { http: [{ path: { regex: '(?<x>a)' } }] } }] }] }));
    expect(r.status).toBe(422);
    const body = JSON.parse(r.body) as { reason: string; message: string; details: { causes: { field: string; reason: string }[] } };
    expect(body.reason).toBe('Invalid');
    expect(body.message).toMatch(/^admission webhook "l7policies\.sluice\.dev" denied the request: L7Policy shop\/bad is invalid \(2 errors\):\n/);
    expect(body.message).toContain('\nspec.ingress[0].from[0].ipBlock.cidr: "10.0.0.1/8" has host bits set; did you mean 10.0.0.0/8? [cidr.invalid]');
    expect(body.message).toMatch(/\nspec\.ingress\[0\]\.toPorts\[0\]\.rules\.http\[0\]\.path\.regex: not a valid RE2 regular expression.*\[regex\.invalid\]/);
    expect(body.details.causes.map((c) => `${c.field} ${c.reason}`).sort()).toEqual(['spec.ingress[0].from[0].ipBlock.cidr cidr.invalid', 'spec.ingress[0].toPorts[0].rules.http[0].path.regex regex.invalid']);
    expect((await bed.admin.request('GET', '/apis/sluice.dev/v1alpha1/namespaces/shop/l7policies/bad')).status).toBe(404);
    console.log(`API server's answer to an invalid policy (${r.status}):\n${r.body}`);
  });

  it('stores a valid policy with no warnings', async () => {
    const started = performance.now();
    const r = await bed.create('shop', bare('narrow', ordersSpec([{ method: 'GET', path: { prefix: '/v1/orders' } }])));
    const ms = performance.now() - started;
    expect(r.status).toBe(201);
    expect(warnings(r)).toEqual([]);
    console.log(`a valid policy stored through the webhook in ${ms.toFixed(0)} ms (API server → webhook over TLS → etcd)`);
  });

  it('stores a risky policy with the warnings in the Warning header: no workload, peers that resolve to nothing, shadowing', async () => {
    const ghost = await bed.create('shop', bare('ghost', { selector: { matchLabels: { app: 'ghost' } }, ingress: [{ from: [{ selector: { matchLabels: { app: 'nobody' } } }], toPorts: [{ ports: [{ port: 80 }] }] }] }));
    expect(ghost.status).toBe(201);
    expect(warnings(ghost)).toEqual(['spec.ingress[0].from: the peers match no workload or address, so this rule allows nothing [peer.no-match]', 'spec.selector: selects no workload in namespace shop of the inventory [selector.no-match]']);
    const wide = await bed.create('shop', bare('wide', ordersSpec(undefined)));
    expect(wide.status).toBe(201);
    expect(warnings(wide)).toEqual(['spec: on inbound port 8080 of shop/orders (and 1 more workloads), this policy allows every request shop/narrow allows, so the allow rules of shop/narrow add nothing there any more [policy.shadows]']);
    console.log(`Warning headers of a risky policy: ${JSON.stringify(wide.headers['warning'])}`);
  });

  it('leaves unknown fields to the API server: pruned with a warning by default, refused with ?fieldValidation=Strict', async () => {
    const spec = { selector: { matchLabels: { app: 'web' } }, ingress: [{ toPorts: [{ ports: [{ port: 80 }], rules: { http: [{ method: 'GET' }] } }] }] };
    const typo = bare('typo', { ...spec, selecter: { app: 'x' } });
    const strict = await bed.create('shop', typo, '?fieldValidation=Strict');
    expect(strict.status).toBe(400); // BadRequest: the object never reaches admission
    expect(messageOf(strict)).toContain('unknown field "spec.selecter"');
    const warn = await bed.create('shop', typo);
    expect(warn.status).toBe(201);
    expect(warnings(warn)).toEqual(['unknown field "spec.selecter"']);
    expect((JSON.parse(warn.body) as { spec: Record<string, unknown> }).spec['selecter']).toBeUndefined();
    console.log(`Strict field validation (${strict.status}): ${messageOf(strict)}`);
  });

  it('guards rollout in a namespace labelled audit-first, with the time and the flows', async () => {
    const enforce = await bed.create('guarded', bare('web', { ...ordersSpec([{ method: 'GET' }]), selector: { matchLabels: { app: 'web' } }, mode: 'enforce' }));
    expect(enforce.status).toBe(403);
    expect(messageOf(enforce)).toBe('admission webhook "rollout.l7policies.sluice.dev" denied the request: namespace guarded requires audit-first rollout (sluice.dev/rollout=audit-first): create L7Policy guarded/web with spec.mode: audit (no mode means enforce); it may switch to enforce after it ran in audit for 1d');
    const audit = await bed.create('guarded', bare('web', { ...ordersSpec([{ method: 'GET' }]), selector: { matchLabels: { app: 'web' } }, mode: 'audit' }));
    expect(audit.status).toBe(201);

    const toEnforce = () => bed.patchPolicy('guarded', 'web', { spec: { mode: 'enforce' } });
    const early = await toEnforce();
    expect(early.status).toBe(403);
    expect(messageOf(early)).toContain('has no status.auditSince yet');
    // The controller's part: status.auditSince, through the status subresource.
    const auditSince = new Date(clock - HOUR);
    expect((await bed.patchPolicy('guarded', 'web', { status: { observedGeneration: 1, auditSince: auditSince.toISOString() } }, '/status')).status).toBe(200);
    const tooSoon = await toEnforce();
    expect(tooSoon.status).toBe(403);
    expect(messageOf(tooSoon)).toContain('has run in audit for 1h (since');
    clock += 24 * HOUR; // the injected clock: a day later
    flows.set('guarded/web', 2);
    const denying = await toEnforce();
    expect(messageOf(denying)).toContain('would have denied 2 flows since');
    flows.set('guarded/web', 0);
    const ok = await toEnforce();
    expect(ok.status).toBe(200);
    expect((JSON.parse(ok.body) as { spec: { mode: string } }).spec.mode).toBe('enforce');
    console.log(`rollout guard, too soon (${tooSoon.status}): ${messageOf(tooSoon)}`);
  });

  it('does not guard an unlabelled namespace', async () => {
    const r = await bed.create('plain', bare('direct', { selector: { matchLabels: { app: 'web' } }, mode: 'enforce', ingress: [{ toPorts: [{ ports: [{ port: 80 }] }] }] }));
    expect(r.status).toBe(201);
  });

  it('with the webhook down, refuses every policy write (failurePolicy Fail) and says which webhook failed and why', async () => {
    await bed.server.close();
    const started = performance.now();
    const r = await bed.create('shop', policyObject('while-down', ordersSpec([{ method: 'GET' }])));
    expect(r.status).toBe(500);
    // Refused on a new connection, or a kept-alive one found dead: either way the webhook is named.
    expect(messageOf(r)).toMatch(new RegExp(String.raw`^Internal error occurred: failed calling webhook "l7policies\.sluice\.dev": failed to call webhook: Post "https://127\.0\.0\.1:\d+/validate/l7policies\?timeout=10s": ${WEBHOOK_DOWN}$`));
    expect((await bed.admin.request('GET', '/apis/sluice.dev/v1alpha1/namespaces/shop/l7policies/while-down')).status).toBe(404);
    // The controller's status writes do not go through the webhook: they still work.
    expect((await bed.patchPolicy('shop', 'narrow', { status: { observedGeneration: 1 } }, '/status')).status).toBe(200);
    console.log(`webhook down (${r.status}, ${(performance.now() - started).toFixed(0)} ms): ${messageOf(r)}`);
  });
});
