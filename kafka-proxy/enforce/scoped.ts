/**
 * APIs authorized as a whole: group APIs (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) by their
 * group, transaction APIs (InitProducerId, AddOffsetsToTxn, EndTxn) by their transactional id
 * (and group), cluster-level APIs (ListGroups, DescribeCluster, telemetry) by the request alone.
 * A denial is the API's response with every field at its default and the top-level error set:
 * GROUP_AUTHORIZATION_FAILED, TRANSACTIONAL_ID_AUTHORIZATION_FAILED or CLUSTER_AUTHORIZATION_FAILED.
 * FindCoordinator is here too: by group or transactional id, per key in v4+.
 */
import { decideRequest, evaluateUnit, type RequestResources } from '../policy/evaluate.js';
import type { KafkaStruct } from '../protocol/message-codec.js';
import { encodeRequest, type DecodedRequest } from '../protocol/messages.js';
import { contextOf, editResponse, fieldsAt, respond, responseShell, str, struct, structs } from './build.js';
import { ERR, type EnforceEnv, type Enforcement, type FlowDecision, type ResponseTransform } from './types.js';

export interface ScopedLayout {
  readonly group?: string;
  readonly txn?: string;
  /** A list of topic names the request subscribes to; any denied one fails the request (29). */
  readonly topics?: string;
  /** A topic regex the broker resolves; the proxy cannot judge it, so a set one is denied. */
  readonly topicRegex?: string;
  /** The error when the request itself is denied. */
  readonly requestCode: number;
}

export const SCOPED_LAYOUTS: Readonly<Record<number, ScopedLayout>> = {
  11: { group: 'GroupId', requestCode: ERR.GROUP_AUTHORIZATION_FAILED },
  12: { group: 'GroupId', requestCode: ERR.GROUP_AUTHORIZATION_FAILED },
  13: { group: 'GroupId', requestCode: ERR.GROUP_AUTHORIZATION_FAILED },
  14: { group: 'GroupId', requestCode: ERR.GROUP_AUTHORIZATION_FAILED },
  16: { requestCode: ERR.CLUSTER_AUTHORIZATION_FAILED },
  22: { txn: 'TransactionalId', requestCode: ERR.CLUSTER_AUTHORIZATION_FAILED },
  25: { txn: 'TransactionalId', group: 'GroupId', requestCode: ERR.TRANSACTIONAL_ID_AUTHORIZATION_FAILED },
  26: { txn: 'TransactionalId', requestCode: ERR.TRANSACTIONAL_ID_AUTHORIZATION_FAILED },
  60: { requestCode: ERR.CLUSTER_AUTHORIZATION_FAILED },
  71: { requestCode: ERR.CLUSTER_AUTHORIZATION_FAILED },
  72: { requestCode: ERR.CLUSTER_AUTHORIZATION_FAILED },
  // ConsumerGroupHeartbeat (KIP-848): the group, and the subscribed topics when they are sent
  68: { group: 'GroupId', topics: 'SubscribedTopicNames', topicRegex: 'SubscribedTopicRegex', requestCode: ERR.GROUP_AUTHORIZATION_FAILED },
};

function errorResponse(req: DecodedRequest, code: number): Buffer {
  const out = responseShell(req.header.apiKey, req.header.apiVersion);
  out['ErrorCode'] = code;
  return respond(req, out);
}

/** Rewrites `Brokers[]` of DescribeCluster in fixed-upstream mode. */
function describeClusterTransform(req: DecodedRequest, env: EnforceEnv): ResponseTransform | undefined {
  const rewrite = env.rewriteBroker;
  if (!rewrite) return undefined;
  return editResponse(req, async (out) => {
    for (const b of structs(out['Brokers'])) {
      const to = await rewrite(Number(b['BrokerId']), str(b['Host']) ?? '', Number(b['Port']));
      b['Host'] = to.host;
      b['Port'] = to.port;
    }
  });
}

export function enforceScoped(layout: ScopedLayout, req: DecodedRequest, frame: Buffer, env: EnforceEnv): Enforcement {
  const { body } = req;
  const ctx = contextOf(req, env);
  const group = layout.group ? str(body[layout.group]) : null;
  const txn = layout.txn ? str(body[layout.txn]) : null;
  const subscribed = layout.topics && Array.isArray(body[layout.topics]) ? (body[layout.topics] as unknown[]).map((t) => (typeof t === 'string' ? t : '')) : [];
  const regex = layout.topicRegex ? str(body[layout.topicRegex]) : null;
  const res: RequestResources = { topics: subscribed, groups: group !== null ? [group] : [], transactionalIds: txn !== null ? [txn] : [] };
  const decision = decideRequest(env.policy, ctx, res, { groups: true, transactionalIds: true });
  const decisions: FlowDecision[] = [
    { kind: 'request', name: '', verdict: decision.request },
    ...decision.scopes.map((s) => ({ kind: s.kind, name: s.name, verdict: s.verdict })),
  ];
  const deniedScope = decision.scopes.find((s) => !s.verdict.allowed);
  let code: number | undefined;
  if (deniedScope) code = deniedScope.kind === 'group' ? ERR.GROUP_AUTHORIZATION_FAILED : ERR.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  else if (!decision.request.allowed) code = txn !== null ? ERR.TRANSACTIONAL_ID_AUTHORIZATION_FAILED : layout.requestCode;
  else {
    for (const t of subscribed) {
      const verdict = evaluateUnit(env.policy, ctx, res, 'topic', t);
      decisions.push({ kind: 'topic', name: t, verdict });
      if (!verdict.allowed) code ??= ERR.TOPIC_AUTHORIZATION_FAILED;
    }
    if (regex !== null && regex !== '' && env.policy !== undefined) {
      decisions.push({ kind: 'topic', name: regex, verdict: { allowed: false, ruleId: 'topic-regex-unsupported' } });
      code ??= ERR.TOPIC_AUTHORIZATION_FAILED;
    }
  }
  if (code !== undefined && env.policy?.mode !== 'audit') return { plan: { kind: 'respond', response: errorResponse(req, code) }, decisions };

  let transform: ResponseTransform | undefined;
  if (req.header.apiKey === 60) transform = describeClusterTransform(req, env);
  if (req.header.apiKey === 16 && env.policy?.mode !== 'audit') {
    // ListGroups: like the broker, list only the groups the client may see.
    transform = editResponse(req, (out) => {
      out['Groups'] = structs(out['Groups']).filter((g) => {
        const name = str(g['GroupId']) ?? '';
        const verdict = evaluateUnit(env.policy, ctx, { ...res, groups: [name] }, 'group', name);
        return verdict.allowed;
      });
    });
  }
  return { plan: { kind: 'forward', frame, expectResponse: true, rewritten: false, ...(transform ? { transform } : {}) }, decisions };
}

/** FindCoordinator: key type 0 (group) and 2 (share group) are groups, 1 is a transactional id. */
export function enforceFindCoordinator(req: DecodedRequest, frame: Buffer, env: EnforceEnv): Enforcement {
  const { body } = req;
  const v = req.header.apiVersion;
  const ctx = contextOf(req, env);
  const kind = body['KeyType'] === 1 ? 'transactionalId' : 'group';
  const keys = v >= 4 ? structsOrStrings(body['CoordinatorKeys']) : [str(body['Key']) ?? ''];
  const res: RequestResources = { topics: [], groups: kind === 'group' ? keys : [], transactionalIds: kind === 'transactionalId' ? keys : [] };
  // The keys are items, judged one by one: the request unit is judged on its context alone.
  const request = evaluateUnit(env.policy, ctx, { topics: [], groups: [], transactionalIds: [] }, 'request');
  const decisions: FlowDecision[] = [{ kind: 'request', name: '', verdict: request }];
  const denied = new Set<string>();
  for (const k of keys) {
    const verdict = request.allowed ? evaluateUnit(env.policy, ctx, res, kind, k) : request;
    decisions.push({ kind, name: k, verdict });
    if (!verdict.allowed) denied.add(k);
  }
  const audit = env.policy?.mode === 'audit';
  const code = kind === 'group' ? ERR.GROUP_AUTHORIZATION_FAILED : ERR.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  const rewrite = env.rewriteBroker;
  const coordinatorFields = fieldsAt(10, ['Coordinators']);
  const deniedEntries = [...denied].map((k) => struct(coordinatorFields, v, { Key: k, NodeId: -1, Host: '', Port: -1, ErrorCode: code }));
  const edit = async (out: KafkaStruct): Promise<void> => {
    if (v < 4) {
      if (rewrite && out['ErrorCode'] === 0) {
        const to = await rewrite(Number(out['NodeId']), str(out['Host']) ?? '', Number(out['Port']));
        out['Host'] = to.host;
        out['Port'] = to.port;
      }
      return;
    }
    const coordinators = structs(out['Coordinators']);
    if (rewrite) {
      for (const c of coordinators) {
        if (c['ErrorCode'] !== 0) continue;
        const to = await rewrite(Number(c['NodeId']), str(c['Host']) ?? '', Number(c['Port']));
        c['Host'] = to.host;
        c['Port'] = to.port;
      }
    }
    out['Coordinators'] = audit ? coordinators : [...coordinators, ...deniedEntries];
  };
  if (denied.size === 0 || audit) {
    return { plan: { kind: 'forward', frame, expectResponse: true, rewritten: false, ...(rewrite ? { transform: editResponse(req, edit) } : {}) }, decisions };
  }
  if (denied.size === keys.length) {
    const out = responseShell(10, v);
    if (v < 4) Object.assign(out, { ErrorCode: code, NodeId: -1, Host: '', Port: -1 });
    else out['Coordinators'] = deniedEntries;
    return { plan: { kind: 'respond', response: respond(req, out) }, decisions };
  }
  const rewritten: KafkaStruct = { ...body, CoordinatorKeys: keys.filter((k) => !denied.has(k)) };
  return { plan: { kind: 'forward', frame: encodeRequest(req.header, rewritten), expectResponse: true, rewritten: true, transform: editResponse(req, edit) }, decisions };
}

function structsOrStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.map((x) => (typeof x === 'string' ? x : '')) : [];
}
