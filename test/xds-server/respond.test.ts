/**
 * The respond decisions (xds-server/respond.ts) as tables: one row per rule of
 * docs/xds-server.md that they decide. The protocol tests prove the same rules over the wire.
 */
import { describe, it, expect } from '@jest/globals';
import { planDelta, planRequest, planResponse, type DeltaFacts, type RequestFacts, type ResponseFacts } from '../../xds-server/respond.js';
import type { Resource } from '../../xds-server/snapshot.js';

const request = (over: Partial<RequestFacts>): RequestFacts => ({
  first: false,
  sent: true,
  answersLast: true,
  hasError: false,
  nonce: '7',
  versionInfo: 'v1',
  subscriptionChanged: false,
  warm: false,
  newAck: false,
  ...over,
});

describe('planRequest', () => {
  const rows: ReadonlyArray<readonly [string, Partial<RequestFacts>, ReturnType<typeof planRequest>]> = [
    ['a first request without version: answered', { first: true, sent: false, answersLast: false, nonce: '', versionInfo: '', subscriptionChanged: true }, { mode: 'force', claim: undefined }],
    ['a first request with a version and no nonce: answered unless the client holds that version', { first: true, sent: false, answersLast: false, nonce: '', versionInfo: 'v1', subscriptionChanged: true }, { mode: 'force', claim: 'v1' }],
    ['… even right after a CDS/LDS response (it was sent before the client read ours)', { first: true, sent: false, answersLast: false, nonce: '', subscriptionChanged: true, warm: true }, { mode: 'force', claim: 'v1' }],
    ['a first request carrying a nonce (out of order): answered, claims nothing', { first: true, sent: false, answersLast: false, nonce: 'old', subscriptionChanged: true }, { mode: 'force', claim: undefined }],
    ['a first request carrying error_detail: answered, claims nothing', { first: true, sent: false, answersLast: false, nonce: '', hasError: true, subscriptionChanged: true }, { mode: 'force', claim: undefined }],
    ['a later request on a stream that sent nothing of the type (e.g. a warming request after a resume): answered', { sent: false, answersLast: false, nonce: '' }, { mode: 'force', claim: undefined }],
    ['an ACK: only changes', {}, { mode: 'push', claim: undefined }],
    ['an ACK that changes the subscription: answered', { subscriptionChanged: true }, { mode: 'force', claim: undefined }],
    ['a repeated request after a CDS response that re-created clusters (warming): answered', { warm: true }, { mode: 'force', claim: undefined }],
    ['an ACK, read after such a CDS response, of an EDS response sent before it: only changes (it is not the warming request)', { warm: true, newAck: true }, { mode: 'push', claim: undefined }],
    ['a re-request without nonce after a response: answered', { answersLast: false, nonce: '' }, { mode: 'force', claim: undefined }],
    ['a NACK: never the same version again', { hasError: true }, { mode: 'push', claim: undefined }],
    ['a NACK while warming: still only changes', { hasError: true, warm: true }, { mode: 'push', claim: undefined }],
    ['a NACK that changes the subscription: answered', { hasError: true, subscriptionChanged: true }, { mode: 'force', claim: undefined }],
  ];
  it.each(rows)('%s', (_what, facts, plan) => {
    expect(planRequest(request(facts))).toEqual(plan);
  });
});

const response = (over: Partial<ResponseFacts>): ResponseFacts => ({
  mode: 'push',
  setVersion: 'v2',
  sent: true,
  heldVersion: 'v1',
  claim: undefined,
  fullState: false,
  ...over,
});

describe('planResponse', () => {
  const rows: ReadonlyArray<readonly [string, Partial<ResponseFacts>, ReturnType<typeof planResponse>]> = [
    ['the client claims exactly the set: resume (send nothing, record it as held)', { mode: 'force', sent: false, heldVersion: undefined, claim: 'v2' }, 'resume'],
    ['… once: already held at that version', { mode: 'force', sent: false, heldVersion: 'v2', claim: 'v2' }, 'none'],
    ['… also for a push (resolving the names the first request asked for)', { mode: 'push', sent: false, heldVersion: undefined, claim: 'v2' }, 'resume'],
    ['the client claims another version: the whole set', { mode: 'force', sent: false, heldVersion: undefined, claim: 'v1' }, 'all'],
    ['a claim is void once something was sent', { mode: 'force', sent: true, heldVersion: 'v2', claim: 'v2' }, 'all'],
    ['a forced answer: the whole set, even unchanged', { mode: 'force', setVersion: 'v1' }, 'all'],
    ['a push of an unchanged set: nothing', { setVersion: 'v1' }, 'none'],
    ['a push to a resumed partial type: only what changed', { sent: false, heldVersion: 'v1' }, 'changed'],
    ['a push to a partial type: only what changed', {}, 'changed'],
    ['a push to a full-state type: the whole set', { fullState: true }, 'all'],
    ['a push with nothing held yet: the whole set', { sent: false, heldVersion: undefined }, 'all'],
  ];
  it.each(rows)('%s', (_what, facts, action) => {
    expect(planResponse(response(facts))).toBe(action);
  });
});

describe('planDelta', () => {
  const res = (name: string, version: string): Resource => ({ typeUrl: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment' as Resource['typeUrl'], name, version, body: new Uint8Array(), references: [] });
  const set = (pairs: Record<string, string>) => {
    const resources = Object.entries(pairs).map(([n, v]) => res(n, v));
    return { version: 'set', resources, versions: new Map(resources.map((r) => [r.name, r.version])) };
  };
  const a1 = set({ a: '1' });
  const facts = (over: Partial<DeltaFacts>): DeltaFacts => ({ set: a1, held: a1.versions, rejected: new Map(), answerEmpty: false, named: ['a'], wildcard: false, absent: new Set(), ...over });
  const plan = (over: Partial<DeltaFacts>) => {
    const p = planDelta(facts(over));
    return p && { resources: p.resources.map((r) => `${r.name}:${r.version}`), removed: p.removed };
  };
  const rows: ReadonlyArray<readonly [string, Partial<DeltaFacts>, ReturnType<typeof plan>]> = [
    ['the client holds exactly the set: nothing', {}, undefined],
    ['a changed resource: it alone', { set: set({ a: '2' }) }, { resources: ['a:2'], removed: [] }],
    ['a held resource gone: removed', { set: set({}), named: ['a'], absent: new Set() }, { resources: [], removed: ['a'] }],
    ['a subscribed name that never existed: reported in removed_resources', { named: ['a', 'b'] }, { resources: [], removed: ['b'] }],
    ['… once: not again while it stays missing', { named: ['a', 'b'], absent: new Set(['b']) }, undefined],
    ['… beside wildcard too (an explicit name)', { named: ['b'], wildcard: true }, { resources: [], removed: ['b'] }],
    ['it appears: sent', { set: set({ a: '1', b: '1' }), named: ['a', 'b'], absent: new Set(['b']) }, { resources: ['b:1'], removed: [] }],
    ['a name only `*` covers is never reported missing', { named: [], wildcard: true, held: new Map() , set: set({}) }, undefined],
  ];
  it.each(rows)('%s', (_what, over, expected) => {
    expect(plan(over)).toEqual(expected);
  });
});
