/**
 * The enforcement entry point: one request frame in, one plan out. Fails closed: a frame too
 * short for a header, an API or version the proxy cannot decode, or a body that does not match
 * its header is never forwarded; it is answered (ApiVersions) or the connection is closed.
 */
import { apiNameOf } from '../../kafka-apis/index.js';
import { canDecode, decodeRequest, peekRequestIds, type DecodedRequest } from '../protocol/messages.js';
import { DecodeError } from '../protocol/wire.js';
import { enforceApiVersions, unsupportedApiVersions } from './api-versions.js';
import { enforceItems } from './items.js';
import { ITEM_LAYOUTS } from './layouts.js';
import { enforceMetadata } from './metadata.js';
import { enforceOffsetFetchBatched } from './offset-fetch.js';
import { enforceFindCoordinator, enforceScoped, SCOPED_LAYOUTS } from './scoped.js';
import { ERR, type EnforceEnv, type Enforcement, type ResponseTransform } from './types.js';
import { editResponse, respond, responseShell, str, structs } from './build.js';

export type RequestOutcome =
  | { readonly ok: true; readonly request: DecodedRequest; readonly enforcement: Enforcement }
  | { readonly ok: false; readonly ids?: { apiKey: number; apiVersion: number; correlationId: number }; readonly error: string; readonly enforcement: Enforcement };

/** `frame` is the whole request frame, size prefix included. */
export function enforceRequest(frame: Buffer, env: EnforceEnv): RequestOutcome {
  const payload = frame.subarray(4);
  const ids = peekRequestIds(payload);
  const fail = (error: string, enforcement: Enforcement = { plan: { kind: 'close', reason: error }, decisions: [] }): RequestOutcome => ({
    ok: false, error, enforcement, ...(ids ? { ids } : {}),
  });
  if (!ids) return fail(`request frame of ${payload.length} bytes is shorter than a header`);
  if (!canDecode(ids.apiKey, ids.apiVersion)) {
    const error = `${apiNameOf(ids.apiKey)} (key ${ids.apiKey}) v${ids.apiVersion} is not decodable by this proxy`;
    if (ids.apiKey === 18 && ids.apiVersion > 0) return fail(error, { plan: { kind: 'respond', response: unsupportedApiVersions(ids.correlationId) }, decisions: [] });
    return fail(error);
  }
  let request: DecodedRequest;
  try {
    request = decodeRequest(payload);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return fail(`${apiNameOf(ids.apiKey)} v${ids.apiVersion}: ${e.message}`);
  }
  return { ok: true, request, enforcement: dispatch(request, frame, env) };
}

function dispatch(req: DecodedRequest, frame: Buffer, env: EnforceEnv): Enforcement {
  const key = req.header.apiKey;
  switch (key) {
    case 18:
      return enforceApiVersions(req, frame);
    case 17:
    case 36:
      return { plan: { kind: 'forward', frame, expectResponse: true, rewritten: false }, decisions: [{ kind: 'request', name: '', verdict: { allowed: true, ruleId: 'connection-api' } }] };
    case 3:
      return enforceMetadata(req, frame, env);
    case 10:
      return enforceFindCoordinator(req, frame, env);
    case 0: {
      const acks = Number(req.body['Acks']);
      return withLeaderEndpoints(req, env, enforceItems(ITEM_LAYOUTS[0]!, req, frame, env, { expectResponse: acks !== 0 }));
    }
    case 1:
      return enforceFetch(req, frame, env);
    case 9:
      if (req.header.apiVersion >= 8) return enforceOffsetFetchBatched(req, frame, env);
      return enforceItems(ITEM_LAYOUTS[9]!, req, frame, env);
    default: {
      const items = ITEM_LAYOUTS[key];
      if (items) return enforceItems(items, req, frame, env);
      const scoped = SCOPED_LAYOUTS[key];
      if (scoped) return enforceScoped(scoped, req, frame, env);
      return { plan: { kind: 'close', reason: `${apiNameOf(key)} has no enforcer` }, decisions: [] };
    }
  }
}

/**
 * Produce v10+ answers may name new partition leaders in the tagged `NodeEndpoints` (KIP-951);
 * in fixed-upstream mode those addresses are rewritten like Metadata's, or the client would
 * reconnect straight to the broker.
 */
function withLeaderEndpoints(req: DecodedRequest, env: EnforceEnv, result: Enforcement): Enforcement {
  const rewrite = env.rewriteBroker;
  const { plan } = result;
  if (!rewrite || req.header.apiVersion < 10 || plan.kind !== 'forward' || !plan.expectResponse) return result;
  const inner = plan.transform;
  const rewriteEndpoints = editResponse(req, async (out) => {
    for (const n of structs(out['NodeEndpoints'])) {
      const to = await rewrite(Number(n['NodeId']), str(n['Host']) ?? '', Number(n['Port']));
      n['Host'] = to.host;
      n['Port'] = to.port;
    }
  });
  const transform: ResponseTransform = async (payload) => {
    const first = inner ? (await inner(payload)).subarray(4) : payload;
    return rewriteEndpoints(first);
  };
  return { ...result, plan: { ...plan, transform } };
}

/**
 * Fetch: an incremental fetch (session id set, epoch > 0) after a rules change is answered with
 * FETCH_SESSION_ID_NOT_FOUND, so the client starts a full fetch that the new rules see whole; a
 * rewritten fetch leaves the session (id 0, epoch −1: sessionless) since the broker's session
 * would otherwise remember the stripped partitions as forgotten.
 */
function enforceFetch(req: DecodedRequest, frame: Buffer, env: EnforceEnv): Enforcement {
  const sessionId = Number(req.body['SessionId'] ?? 0);
  const epoch = Number(req.body['SessionEpoch'] ?? -1);
  const incremental = req.header.apiVersion >= 7 && sessionId !== 0 && epoch > 0;
  if (incremental && env.fetchSessionStale && env.policy?.mode !== 'audit') {
    const out = responseShell(1, req.header.apiVersion);
    out['ErrorCode'] = ERR.FETCH_SESSION_ID_NOT_FOUND;
    return { plan: { kind: 'respond', response: respond(req, out) }, decisions: [] };
  }
  const result = enforceItems(ITEM_LAYOUTS[1]!, req, frame, env, {
    onRewrite: (body) => {
      body['SessionId'] = 0;
      body['SessionEpoch'] = -1;
      body['ForgottenTopicsData'] = [];
    },
  });
  return { ...result, fullFetch: !incremental };
}
