/**
 * The validating webhook's core, against a fixed inventory: the same errors as the CLI with their
 * field paths (422 Invalid), compile errors against the other policies, warnings for risky
 * policies, an unavailable view denied, and a 10,000-rule policy answered in bounded time.
 */
import { describe, expect, it } from '@jest/globals';
import { admit, PATHS, type AdmissionReviewResponse, type HandlerResult, type PolicyView, type WebhookDeps } from '../../../k8s/admission/index.js';
import { fixedView, ordersSpec, ORDERS, policyObject, reviewOf } from './fixtures.js';

function deps(view: PolicyView = fixedView(), viewTimeoutMs?: number): WebhookDeps {
  return { policies: { view, ...(viewTimeoutMs ? { viewTimeoutMs } : {}) }, rollout: { now: () => 0 } };
}

function responseOf(r: HandlerResult): AdmissionReviewResponse['response'] {
  if (!('response' in r.body)) throw new Error(`expected an AdmissionReview, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.response;
}

async function validate(object: Record<string, unknown>, d: WebhookDeps = deps(), operation: 'CREATE' | 'UPDATE' = 'CREATE') {
  return responseOf(await admit(PATHS.validatePolicy, reviewOf(object, { operation, ...(operation === 'UPDATE' ? { oldObject: object } : {}) }), d));
}

describe('the L7Policy validating webhook', () => {
  it('admits a valid policy with no warnings, echoing the uid', async () => {
    const review = reviewOf(policyObject('orders-api', ordersSpec([{ method: 'GET', path: { prefix: '/v1/orders' } }])));
    const result = await admit(PATHS.validatePolicy, review, deps());
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: (review['request'] as { uid: string }).uid, allowed: true } });
  });

  it('denies an invalid policy with 422 Invalid, each error as `path: message [code]`, and the causes', async () => {
    const spec = { selector: ORDERS, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.1/8' } }], toPorts: [{ ports: [{ port: 8080 }], rules: { http: [{ path: { regex: '(?<x>a)' } }, { path: { prefix: 'no-slash' } }] } }] }] };
    const r = await validate(policyObject('bad', spec));
    expect(r.allowed).toBe(false);
    expect(r.status?.code).toBe(422);
    expect(r.status?.reason).toBe('Invalid');
    const lines = r.status?.message.split('\n') ?? [];
    expect(lines[0]).toBe('L7Policy shop/bad is invalid (3 errors):');
    expect(lines).toContain('spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.1/8" has host bits set; did you mean 10.0.0.0/8? [cidr.invalid]');
    expect(lines.some((l) => l.startsWith('spec.ingress[0].toPorts[0].rules.http[0].path.regex: not a valid RE2 regular expression') && l.endsWith('[regex.invalid]'))).toBe(true);
    expect(lines.some((l) => l.startsWith('spec.ingress[0].toPorts[0].rules.http[1].path.prefix: ') && l.endsWith(']'))).toBe(true);
    expect(r.status?.details?.causes.map((c) => c.field).sort()).toEqual(['spec.ingress[0].from[0].ipBlock.cidr', 'spec.ingress[0].toPorts[0].rules.http[0].path.regex', 'spec.ingress[0].toPorts[0].rules.http[1].path.prefix']);
  });

  it('says what the CLI says about a schema violation (which stops the semantic checks, as in the CLI)', async () => {
    const r = await validate(policyObject('lower', ordersSpec([{ method: 'get', path: { regex: '(?<x>a)' } }])));
    expect(r.status?.message).toBe('L7Policy shop/lower is invalid (1 error):\nspec.ingress[0].toPorts[0].rules.http[0].method: "get" is not an HTTP method in upper case, e.g. GET [schema.pattern]');
    const none = await validate(policyObject('nosel', {}));
    expect(none.status?.message).toBe('L7Policy shop/nosel is invalid (1 error):\nspec.selector: required field is missing [schema.required]');
  });

  it('denies a compile error against the stored policies: Kafka rules on a port another policy uses for HTTP', async () => {
    const http = policyObject('broker-http', { selector: { matchLabels: { app: 'kafka' } }, ingress: [{ toPorts: [{ ports: [{ port: 9092 }], rules: { http: [{ path: { prefix: '/' } }] } }] }] });
    const kafka = policyObject('broker-kafka', { selector: { matchLabels: { app: 'kafka' } }, ingress: [{ toPorts: [{ ports: [{ port: 9092 }], rules: { kafka: [{ role: 'produce', topic: { exact: 'invoices' } }] } }] }] });
    const r = await validate(kafka, deps(fixedView([http])));
    expect(r.allowed).toBe(false);
    expect(r.status?.code).toBe(422);
    expect(r.status?.message).toBe('L7Policy shop/broker-kafka is invalid (1 error):\nspec: shop/broker port 9092 (inbound) has Kafka rules in one policy and HTTP/gRPC rules in another; a port carries one L7 protocol. The Kafka rules are ignored. [port.protocol-conflict]');
    // Alone it is fine.
    expect((await validate(kafka)).allowed).toBe(true);
  });

  it('warns about a policy that selects no workload, and about peers that resolve to nothing', async () => {
    const r = await validate(policyObject('ghost', { selector: { matchLabels: { app: 'ghost' } }, ingress: [{ from: [{ selector: { matchLabels: { app: 'nobody' } } }], toPorts: [{ ports: [{ port: 80 }] }] }] }));
    expect(r.allowed).toBe(true);
    expect(r.warnings).toEqual(['spec.ingress[0].from: the peers match no workload or address, so this rule allows nothing [peer.no-match]', 'spec.selector: selects no workload in namespace shop of the inventory [selector.no-match]']);
    const peers = await validate(policyObject('lonely', { selector: ORDERS, ingress: [{ from: [{ selector: { matchLabels: { app: 'nobody' } } }], toPorts: [{ ports: [{ port: 8080 }] }] }] }));
    expect(peers.warnings).toEqual(['spec.ingress[0].from: the peers match no workload or address, so this rule allows nothing [peer.no-match]']);
  });

  it('warns when the policy shadows another one, and when another one shadows it', async () => {
    const narrow = policyObject('narrow', ordersSpec([{ method: 'GET', path: { prefix: '/v1/orders' } }]));
    const wide = policyObject('wide', ordersSpec(undefined)); // every request from web
    const shadows = await validate(wide, deps(fixedView([narrow])));
    expect(shadows.allowed).toBe(true);
    expect(shadows.warnings).toEqual(['spec: on inbound port 8080 of shop/orders (and 1 more workloads), this policy allows every request shop/narrow allows, so the allow rules of shop/narrow add nothing there any more [policy.shadows]']);
    const shadowed = await validate(narrow, deps(fixedView([wide])));
    expect(shadowed.warnings).toEqual(['spec: on inbound port 8080 of shop/orders (and 1 more workloads), every request this policy allows is already allowed by shop/wide, so its allow rules add nothing there (its deny rules still apply) [policy.shadowed]']);
    // Disjoint rules: no warning either way.
    const other = policyObject('other', ordersSpec([{ method: 'POST', path: { prefix: '/v1/orders' } }]));
    expect((await validate(other, deps(fixedView([narrow])))).warnings).toBeUndefined();
  });

  it('compares an UPDATE with the other policies, not with its own stored version', async () => {
    const v1 = policyObject('orders', ordersSpec([{ method: 'GET' }]));
    const v2 = policyObject('orders', ordersSpec([{ method: 'GET', path: { prefix: '/v1' } }]));
    const r = responseOf(await admit(PATHS.validatePolicy, reviewOf(v2, { operation: 'UPDATE', oldObject: v1 }), deps(fixedView([v1]))));
    expect(r).toMatchObject({ allowed: true });
    expect(r.warnings).toBeUndefined();
  });

  it('checks a generateName CREATE under a placeholder name', async () => {
    const object = policyObject('', ordersSpec([{ method: 'GET' }]));
    (object['metadata'] as Record<string, unknown>)['generateName'] = 'orders-';
    const r = await validate(object);
    expect(r.allowed).toBe(true);
  });

  it('admits DELETE without looking (nothing is stored by it)', async () => {
    const r = responseOf(await admit(PATHS.validatePolicy, reviewOf(policyObject('gone', {}), { operation: 'DELETE' }), deps(() => Promise.reject(new Error('never asked')))));
    expect(r.allowed).toBe(true);
  });

  it('denies with 503 when the inventory cannot be had, or not in time', async () => {
    const down = await validate(policyObject('p', ordersSpec([{ method: 'GET' }])), deps(() => Promise.reject(new Error('informers not synced'))));
    expect(down.status).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
    expect(down.status?.message).toContain('informers not synced');
    const started = performance.now();
    const slow = await validate(policyObject('p', ordersSpec([{ method: 'GET' }])), deps(() => new Promise(() => undefined), 200));
    expect(slow.status?.message).toContain('no answer within 200 ms');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('answers a policy with 10,000 rules within the webhook timeout, whether it is valid or not', async () => {
    const rules = (n: number, bad: boolean) => Array.from({ length: n }, (_, i) => ({ method: bad && i % 100 === 7 ? 'get' : 'GET', path: { prefix: `/v1/r${i}` } }));
    const toPorts = (bad: boolean) => Array.from({ length: 10 }, (_, p) => ({ ports: [{ port: 8080 }], rules: { http: rules(1000, bad).map((r) => ({ ...r, path: { prefix: `${r.path.prefix}-${p}` } })) } }));
    const big = policyObject('big', { selector: ORDERS, ingress: [{ toPorts: toPorts(false) }] });
    const narrow = policyObject('narrow', ordersSpec([{ method: 'GET', path: { prefix: '/v1/r1-1' } }]));
    let started = performance.now();
    const ok = await validate(big, deps(fixedView([narrow])));
    const validMs = performance.now() - started;
    expect(ok.allowed).toBe(true);
    expect(ok.warnings).toEqual(['spec: on inbound port 8080 of shop/orders (and 1 more workloads), this policy allows every request shop/narrow allows, so the allow rules of shop/narrow add nothing there any more [policy.shadows]']);
    started = performance.now();
    const bad = await validate(policyObject('big', { selector: ORDERS, ingress: [{ toPorts: toPorts(true) }] }));
    const invalidMs = performance.now() - started;
    expect(bad.allowed).toBe(false);
    expect(bad.status?.message.split('\n')[0]).toBe('L7Policy shop/big is invalid (100 errors):');
    expect(bad.status?.message.split('\n')).toHaveLength(1 + 50 + 1); // 50 listed, then "… and 50 more errors"
    console.log(`10,000-rule policy: valid ${Math.round(validMs)} ms (with shadowing against one policy), invalid ${Math.round(invalidMs)} ms`);
    expect(validMs).toBeLessThan(10_000);
    expect(invalidMs).toBeLessThan(10_000);
  }, 60_000);
});
