/**
 * Metadata, enforced the way a broker does it: never replaced by a synthetic reply. Named topics
 * the client may not see are removed from the request (so the broker neither describes nor
 * auto-creates them) and come back as TOPIC_AUTHORIZATION_FAILED with no partitions; an
 * all-topics reply is filtered to the topics the client may see. In fixed-upstream mode the
 * broker addresses are rewritten to the proxy's listeners.
 */
import { evaluateUnit, type RequestResources, type Verdict } from '../policy/evaluate.js';
import type { KafkaStruct } from '../protocol/message-codec.js';
import { encodeRequest, type DecodedRequest } from '../protocol/messages.js';
import { contextOf, editResponse, fieldsAt, str, struct, structs } from './build.js';
import { ERR, type EnforceEnv, type Enforcement, type FlowDecision } from './types.js';

const NONE: RequestResources = { topics: [], groups: [], transactionalIds: [] };

export function enforceMetadata(req: DecodedRequest, frame: Buffer, env: EnforceEnv): Enforcement {
  const { body } = req;
  const v = req.header.apiVersion;
  const ctx = contextOf(req, env);
  const audit = env.policy?.mode === 'audit';
  const request = evaluateUnit(env.policy, ctx, NONE, 'request');
  const decisions: FlowDecision[] = [{ kind: 'request', name: '', verdict: request }];
  const raw = body['Topics'];
  const all = raw === null || (v === 0 && Array.isArray(raw) && raw.length === 0);
  const requested = structs(raw);
  const verdictOf = (name: string | null): Verdict => {
    if (!request.allowed) return request;
    // A topic asked for by an id the proxy has not learned cannot be judged by name: it is denied.
    if (name === null) return { allowed: false, ruleId: 'topic-id-unresolved' };
    return evaluateUnit(env.policy, ctx, { ...NONE, topics: [name] }, 'topic', name);
  };
  const ids = env.topicIds;
  /** The name of a requested topic: as sent, or (v12+, by id) the name learned for its id. */
  const nameOf = (t: KafkaStruct): string | null => {
    const name = str(t['Name']);
    const id = t['TopicId'];
    return name ?? (Buffer.isBuffer(id) ? (ids?.name(id) ?? null) : null);
  };

  const deniedRequested: KafkaStruct[] = [];
  if (!all) {
    for (const t of requested) {
      const name = nameOf(t);
      const verdict = verdictOf(name);
      decisions.push({ kind: 'topic', name: name ?? '', verdict });
      if (!verdict.allowed && !audit) deniedRequested.push(t);
    }
  }
  const topicFields = fieldsAt(3, ['Topics']);
  const rewrite = env.rewriteBroker;
  const filterAll = all && !audit && env.policy !== undefined;
  // Audit: an all-topics answer is not filtered, but the topics it would hide are logged.
  const auditAll = all && audit;
  const learn = ids !== undefined && v >= 10;
  const transform = editResponse(req, async (out) => {
    if (learn) {
      for (const t of structs(out['Topics'])) {
        const name = str(t['Name']);
        const id = t['TopicId'];
        if (t['ErrorCode'] === 0 && name !== null && Buffer.isBuffer(id)) ids.learn(id, name);
      }
    }
    if (rewrite) {
      for (const b of structs(out['Brokers'])) {
        const to = await rewrite(Number(b['NodeId']), str(b['Host']) ?? '', Number(b['Port']));
        b['Host'] = to.host;
        b['Port'] = to.port;
      }
    }
    let topics = structs(out['Topics']);
    if (auditAll) {
      for (const t of topics) {
        const name = str(t['Name']);
        const verdict = verdictOf(name);
        if (!verdict.allowed) env.late?.({ kind: 'topic', name: name ?? '', verdict });
      }
    }
    if (filterAll) {
      topics = topics.filter((t) => {
        const name = str(t['Name']);
        const verdict = verdictOf(name);
        env.late?.({ kind: 'topic', name: name ?? '', verdict });
        return verdict.allowed;
      });
    }
    const denied = deniedRequested.map((t) =>
      struct(topicFields, v, { ErrorCode: ERR.TOPIC_AUTHORIZATION_FAILED, Name: nameOf(t), TopicId: t['TopicId'] ?? null, Partitions: [] }),
    );
    out['Topics'] = [...topics, ...denied];
  });
  if (deniedRequested.length === 0 && !rewrite && !filterAll && !auditAll && !learn) {
    return { plan: { kind: 'forward', frame, expectResponse: true, rewritten: false }, decisions };
  }
  if (deniedRequested.length === 0) {
    return { plan: { kind: 'forward', frame, expectResponse: true, rewritten: false, transform }, decisions };
  }
  // v1+: an empty list asks for no topics; v0 has no way to, so it asks for all and the reply is cut down.
  const kept = requested.filter((t) => !deniedRequested.includes(t));
  const rewritten: KafkaStruct = { ...body, Topics: kept };
  const keepOnly = v === 0 && kept.length === 0;
  return {
    plan: { kind: 'forward', frame: encodeRequest(req.header, rewritten), expectResponse: true, rewritten: true, transform: keepOnly ? v0Transform(req, transform) : transform },
    decisions,
  };
}

/** v0 with every named topic denied: the broker answers all topics; drop them, then apply the usual edit. */
function v0Transform(req: DecodedRequest, transform: (payload: Buffer) => Buffer | Promise<Buffer>): (payload: Buffer) => Promise<Buffer> {
  return async (payload) => {
    const stripped = await editResponse(req, (out) => {
      out['Topics'] = [];
    })(payload);
    return transform(stripped.subarray(4));
  };
}
