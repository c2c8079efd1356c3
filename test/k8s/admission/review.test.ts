/**
 * Hostile input to the pure core: anything that is not an AdmissionReview v1 request gets a 400
 * naming the first wrong field; a review sent to the wrong webhook is denied with the reason; a
 * seeded fuzz of mutated reviews never throws and always answers 200 or 400.
 */
import { describe, expect, it } from '@jest/globals';
import { admit, PATHS, type WebhookDeps } from '../../../k8s/admission/index.js';
import { seededRandom } from '../../support/random.js';
import { fixedView, ordersSpec, pod, policyObject, reviewOf } from './fixtures.js';

const deps: WebhookDeps = { policies: { view: fixedView() }, rollout: { now: () => 0 } };
const valid = () => reviewOf(policyObject('p', ordersSpec([{ method: 'GET' }])));
const withRequest = (patch: Record<string, unknown>) => {
  const r = valid();
  return { ...r, request: { ...(r['request'] as Record<string, unknown>), ...patch } };
};

describe('the pure core on what is not an AdmissionReview v1', () => {
  const cases: [string, unknown, string][] = [
    ['null', null, 'expected an AdmissionReview object, got null'],
    ['a list', [valid()], 'expected an AdmissionReview object, got a list'],
    ['a string', 'AdmissionReview', 'expected an AdmissionReview object, got string "AdmissionReview"'],
    ['another kind', { ...valid(), kind: 'TokenReview' }, 'kind: expected AdmissionReview, got string "TokenReview"'],
    ['v1beta1', { ...valid(), apiVersion: 'admission.k8s.io/v1beta1' }, 'apiVersion: expected admission.k8s.io/v1, got string "admission.k8s.io/v1beta1" (v1beta1 is not served: list only v1 in admissionReviewVersions)'],
    ['an unknown version', { ...valid(), apiVersion: 'admission.k8s.io/v2' }, 'apiVersion: expected admission.k8s.io/v1, got string "admission.k8s.io/v2"'],
    ['no request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, 'request: expected an object, got nothing'],
    ['a response instead of a request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'x', allowed: true } }, 'request: expected an object, got nothing'],
    ['no uid', withRequest({ uid: undefined }), 'request.uid: expected a non-empty string, got nothing (a response must echo it)'],
    ['an empty uid', withRequest({ uid: '' }), 'request.uid: expected a non-empty string, got string "" (a response must echo it)'],
    ['a numeric uid', withRequest({ uid: 7 }), 'request.uid: expected a non-empty string, got number 7 (a response must echo it)'],
    ['a huge uid', withRequest({ uid: 'u'.repeat(10_000) }), 'request.uid: 10000 characters; at most 128'],
    ['an unknown operation', withRequest({ operation: 'PATCH' }), 'request.operation: expected one of CREATE, UPDATE, DELETE, CONNECT, got string "PATCH"'],
    ['no kind', withRequest({ kind: undefined }), 'request.kind: expected {group, version, kind} strings, got nothing'],
    ['a CREATE without object', withRequest({ object: null }), 'request.object: a CREATE carries the object, got null'],
    ['an UPDATE without oldObject', withRequest({ operation: 'UPDATE', oldObject: 'old' }), 'request.oldObject: an UPDATE carries the old object, got string "old"'],
    ['a namespace that is not a string', withRequest({ namespace: ['shop'] }), 'request.namespace: expected a string, got a list'],
  ];
  it.each(cases)('%s → 400 with the reason', async (_, body, message) => {
    const r = await admit(PATHS.validatePolicy, body, deps);
    expect(r).toEqual({ status: 400, body: { apiVersion: 'v1', kind: 'Status', status: 'Failure', code: 400, reason: 'BadRequest', message: `not an AdmissionReview v1 request: ${message}` } });
  });

  it('answers 404 for a path that is no webhook', async () => {
    expect(await admit('/validate/pods', valid(), deps)).toMatchObject({ status: 404, body: { reason: 'NotFound' } });
    expect(await admit('/__proto__', valid(), deps)).toMatchObject({ status: 404 });
  });

  it('denies the wrong kind at each webhook, naming the rule to fix', async () => {
    const toPolicy = await admit(PATHS.validatePolicy, reviewOf(pod('x')), deps);
    expect(toPolicy.body).toMatchObject({ response: { allowed: false, status: { code: 400, message: 'this webhook admits sluice.dev/v1alpha1 L7Policy, not v1 Pod: check the rules of the webhook configuration' } } });
    const toGuard = await admit(PATHS.rolloutGuard, reviewOf(pod('x')), deps);
    expect(toGuard.body).toMatchObject({ response: { allowed: false, status: { code: 400 } } });
    const toPods = await admit(PATHS.podsNode, valid(), deps);
    expect(toPods.body).toMatchObject({ response: { allowed: false, status: { message: 'this webhook admits v1 Pod, not sluice.dev/v1alpha1 L7Policy: check the rules of the webhook configuration' } } });
  });

  it('survives a seeded fuzz of mutated reviews on every path: 200 or 400, never a throw', async () => {
    const random = seededRandom(20261201);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const junk: readonly unknown[] = [null, 0, -1, 1e308, '', 'x'.repeat(300), [], {}, [[]], { a: { b: {} } }, true, '\u0000', { __proto__: { polluted: 1 } }];
    const mutate = (value: unknown, depth: number): unknown => {
      if (depth > 6 || random() < 0.08) return pick(junk);
      if (Array.isArray(value)) return value.map((v) => mutate(v, depth + 1));
      if (typeof value === 'object' && value !== null) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) if (random() > 0.05) out[k] = random() < 0.85 ? mutate(v, depth + 1) : pick(junk);
        if (random() < 0.05) out[pick(['extra', 'spec', 'status', 'metadata'])] = pick(junk);
        return out;
      }
      return value;
    };
    const seeds = [valid(), reviewOf(pod('p')), reviewOf(policyObject('p', { ...ordersSpec(undefined), mode: 'enforce' }), { operation: 'UPDATE', oldObject: policyObject('p', { ...ordersSpec(undefined), mode: 'audit' }, { status: { auditSince: '2026-01-01T00:00:00Z', observedGeneration: 1 } }) })];
    const paths = [PATHS.validatePolicy, PATHS.rolloutGuard, PATHS.podsSidecar, PATHS.podsNode, PATHS.podsLabelled];
    const statuses = new Map<number, number>();
    for (let i = 0; i < 1500; i++) {
      const r = await admit(pick(paths), mutate(pick(seeds), 0), deps);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status === 200 && 'response' in r.body) expect(typeof r.body.response.allowed).toBe('boolean');
    }
    expect([...statuses.keys()].sort()).toEqual([200, 400]);
  }, 60_000);
});
