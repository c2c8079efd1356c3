/**
 * The respond decisions (xds-server/respond.ts) as tables: one row per rule of
 * docs/xds-server.md that they decide. The protocol tests prove the same rules over the wire.
 */
import { describe, it, expect } from '@jest/globals';
import { planRequest, planResponse, type RequestFacts, type ResponseFacts } from '../../xds-server/respond.js';

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
