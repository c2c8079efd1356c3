/**
 * OffsetFetch v8+ batches groups: each group is judged on its own (a denied group gets
 * GROUP_AUTHORIZATION_FAILED in its entry), and within an allowed group each topic (a denied
 * topic's partitions get TOPIC_AUTHORIZATION_FAILED; a group asking for all its topics gets the
 * answer filtered). Denied parts are stripped from the request and merged into the answer.
 */
import { evaluateUnit, type RequestResources, type Verdict } from '../policy/evaluate.js';
import type { KafkaStruct } from '../protocol/message-codec.js';
import { encodeRequest, type DecodedRequest } from '../protocol/messages.js';
import { contextOf, editResponse, fieldsAt, respond, responseShell, str, struct, structs } from './build.js';
import { ERR, type EnforceEnv, type Enforcement, type FlowDecision } from './types.js';

interface GroupPlan {
  readonly group: string;
  readonly verdict: Verdict;
  /** The request entry to forward (denied topics removed), or undefined when the group is denied. */
  readonly forward?: KafkaStruct;
  /** Response topic entries for denied topics. */
  readonly deniedTopics: KafkaStruct[];
  /** The group asked for all its topics: filter the answer. */
  readonly all: boolean;
}

export function enforceOffsetFetchBatched(req: DecodedRequest, frame: Buffer, env: EnforceEnv): Enforcement {
  const v = req.header.apiVersion;
  const ctx = contextOf(req, env);
  const audit = env.policy?.mode === 'audit';
  const groups = structs(req.body['Groups']);
  // The groups are items here, judged one by one: the request unit is judged on its context alone.
  const request = evaluateUnit(env.policy, ctx, { topics: [], groups: [], transactionalIds: [] }, 'request');
  const decisions: FlowDecision[] = [{ kind: 'request', name: '', verdict: request }];
  const topicFields = fieldsAt(9, ['Groups', 'Topics']);
  const partFields = fieldsAt(9, ['Groups', 'Topics', 'Partitions']);
  const plans: GroupPlan[] = groups.map((g) => {
    const group = str(g['GroupId']) ?? '';
    const topics = g['Topics'] === null ? null : structs(g['Topics']);
    const names = (topics ?? []).map((t) => str(t['Name']) ?? '');
    const res: RequestResources = { topics: names, groups: [group], transactionalIds: [] };
    const verdict = request.allowed ? evaluateUnit(env.policy, ctx, res, 'group', group) : request;
    decisions.push({ kind: 'group', name: group, verdict });
    if (!verdict.allowed) return { group, verdict, deniedTopics: [], all: false };
    const kept: KafkaStruct[] = [];
    const deniedTopics: KafkaStruct[] = [];
    for (const t of topics ?? []) {
      const name = str(t['Name']) ?? '';
      const tv = evaluateUnit(env.policy, ctx, res, 'topic', name);
      decisions.push({ kind: 'topic', name, verdict: tv });
      if (tv.allowed || audit) {
        kept.push(t);
        continue;
      }
      const indexes = Array.isArray(t['PartitionIndexes']) ? (t['PartitionIndexes'] as number[]) : [];
      deniedTopics.push(struct(topicFields, v, {
        Name: name,
        Partitions: indexes.map((i) => struct(partFields, v, { PartitionIndex: i, CommittedOffset: -1n, CommittedLeaderEpoch: -1, Metadata: '', ErrorCode: ERR.TOPIC_AUTHORIZATION_FAILED })),
      }));
    }
    return { group, verdict, forward: { ...g, Topics: topics === null ? null : kept }, deniedTopics, all: topics === null };
  });

  const groupsFields = fieldsAt(9, ['Groups']);
  const deniedGroup = (p: GroupPlan): KafkaStruct => struct(groupsFields, v, { GroupId: p.group, Topics: [], ErrorCode: ERR.GROUP_AUTHORIZATION_FAILED });
  const anyDenied = plans.some((p) => !p.verdict.allowed || p.deniedTopics.length > 0);
  const anyAll = plans.some((p) => p.all && p.verdict.allowed);
  if (audit || (!anyDenied && (!anyAll || env.policy === undefined))) {
    return { plan: { kind: 'forward', frame, expectResponse: true, rewritten: false }, decisions };
  }
  const forwarded = plans.filter((p) => p.forward && !(p.forward['Topics'] !== null && structs(p.forward['Topics']).length === 0 && p.deniedTopics.length > 0));
  const byGroup = new Map(plans.map((p) => [p.group, p]));
  const edit = (out: KafkaStruct): void => {
    const answered = structs(out['Groups']).map((g) => {
      const p = byGroup.get(str(g['GroupId']) ?? '');
      if (!p) return g;
      let topics = structs(g['Topics']);
      if (p.all) {
        topics = topics.filter((t) => {
          const name = str(t['Name']) ?? '';
          const verdict = evaluateUnit(env.policy, ctx, { topics: [name], groups: [p.group], transactionalIds: [] }, 'topic', name);
          env.late?.({ kind: 'topic', name, verdict });
          return verdict.allowed;
        });
      }
      return { ...g, Topics: [...topics, ...p.deniedTopics] };
    });
    const unforwarded = plans.filter((p) => !forwarded.includes(p)).map((p) =>
      p.verdict.allowed ? struct(groupsFields, v, { GroupId: p.group, Topics: p.deniedTopics, ErrorCode: 0 }) : deniedGroup(p));
    out['Groups'] = [...answered, ...unforwarded];
  };
  if (forwarded.length === 0) {
    const out = responseShell(9, v);
    out['Groups'] = [];
    edit(out);
    return { plan: { kind: 'respond', response: respond(req, out) }, decisions };
  }
  const rewritten: KafkaStruct = { ...req.body, Groups: forwarded.map((p) => p.forward!) };
  return {
    plan: { kind: 'forward', frame: encodeRequest(req.header, rewritten), expectResponse: true, rewritten: true, transform: editResponse(req, edit) },
    decisions,
  };
}
