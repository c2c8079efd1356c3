/**
 * One Kafka request judged without a client or a broker: the request is built as a client would
 * send it (the generated schemas, the enforcer's own layouts) and run through `enforceRequest`,
 * the code the proxy runs on every frame, so `sluice simulate` cannot disagree with the enforcer.
 * What the enforcer decides only on the broker's answer (the topics of an all-topics Metadata,
 * topics named by id) is listed as what the simulation cannot judge.
 */
import { apiNameOf } from '../../kafka-apis/index.js';
import type { KafkaPolicy } from '../policy/resource.js';
import { defaultStruct, type KafkaStruct, type KafkaValue } from '../protocol/message-codec.js';
import { decodableVersions, encodeRequest } from '../protocol/messages.js';
import { REQUESTS } from '../protocol/messages.generated.js';
import { inRange } from '../protocol/schema.js';
import { fieldsAt } from './build.js';
import { ITEM_LAYOUTS } from './layouts.js';
import { enforceRequest } from './request.js';
import { SCOPED_LAYOUTS } from './scoped.js';
import type { FlowDecision } from './types.js';

export interface KafkaSimRequest {
  readonly apiKey: number;
  /** Default: the newest version the enforcer decodes that still names topics by name. */
  readonly apiVersion?: number;
  readonly clientId: string | null;
  /** The client's address. */
  readonly peer: string;
  readonly topics: readonly string[];
  readonly groups: readonly string[];
  readonly transactionalId?: string;
}

export type KafkaSimOutcome = 'allow' | 'deny' | 'partial' | 'audit_deny';

export interface KafkaSimResult {
  readonly apiVersion: number;
  /** As the enforcer logs it: every unit allowed; some denied and stripped (partial); all refused; audit. */
  readonly outcome: KafkaSimOutcome;
  readonly decisions: readonly FlowDecision[];
  /** What the enforcer decides only later, or what this request leaves out. */
  readonly cannotJudge: readonly string[];
}

/** Versions from which a request names topics by id (Produce v13+, Fetch v13+). */
const TOPIC_ID_FROM: Readonly<Record<number, number>> = { 0: 13, 1: 13 };

function defaultVersion(apiKey: number): number | undefined {
  const range = decodableVersions(apiKey);
  if (!range) return undefined;
  const byName = TOPIC_ID_FROM[apiKey];
  return byName !== undefined ? Math.min(range[1], byName - 1) : range[1];
}

const entry = (apiKey: number, array: string, version: number, values: Readonly<Record<string, KafkaValue>>): KafkaStruct =>
  Object.assign(defaultStruct(fieldsAt(apiKey, [array], 'request'), version), values);

/** The request body a client would send, or why it cannot be built. */
function requestBody(req: KafkaSimRequest, version: number): KafkaStruct | string {
  const key = req.apiKey;
  const body = defaultStruct(REQUESTS[key]?.fields ?? [], version);
  const set = (field: string | undefined, value: KafkaValue | undefined) => {
    if (field !== undefined && value !== undefined && field in body) body[field] = value;
  };
  const items = ITEM_LAYOUTS[key];
  if (key === 9 && version >= 8) {
    // OffsetFetch v8+: a batch of groups, each with its topics.
    body['Groups'] = req.groups.map((g) => entry(key, 'Groups', version, {
      GroupId: g, Topics: req.topics.map((t) => Object.assign(defaultStruct(fieldsAt(key, ['Groups', 'Topics'], 'request'), version), { Name: t, PartitionIndexes: [0] })),
    }));
  } else if (items) {
    const names = items.itemKind === 'topic' ? req.topics : req.groups;
    if (items.reqName && !fieldsAt(key, [items.reqArray], 'request').some((f) => f.n === items.reqName && inRange(f.v, version))) {
      return `${apiNameOf(key)} v${version} names topics by id, which the enforcer resolves from the broker's Metadata answers: simulate an older version (--api-version ${version - 1})`;
    }
    body[items.reqArray] = names.map((n) => (items.reqName ? entry(key, items.reqArray, version, { [items.reqName]: n, ...(items.reqParts ? { [items.reqParts]: [] } : {}) }) : n));
    if (items.itemKind === 'topic') set(items.scopeGroup, req.groups[0]);
    set(items.scopeTxn, req.transactionalId);
    if (key === 0) body['Acks'] = -1;
  } else if (SCOPED_LAYOUTS[key]) {
    const scoped = SCOPED_LAYOUTS[key]!;
    set(scoped.group, req.groups[0]);
    set(scoped.txn, req.transactionalId);
    set(scoped.topics, [...req.topics]);
  } else if (key === 3) {
    body['Topics'] = req.topics.map((t) => entry(key, 'Topics', version, { Name: t }));
  } else if (key === 10) {
    const [keyType, keyName] = req.transactionalId !== undefined ? [1, req.transactionalId] : [0, req.groups[0] ?? ''];
    set('Key', keyName);
    set('KeyType', keyType);
    set('CoordinatorKeys', [keyName]);
  }
  return body;
}

/** Judges one request by `policy` (undefined: no policy covers the broker) as the enforcer would. */
export function simulateKafkaRequest(policy: KafkaPolicy | undefined, req: KafkaSimRequest): KafkaSimResult | string {
  const name = apiNameOf(req.apiKey);
  const range = decodableVersions(req.apiKey);
  if (!range) return `${name} is not an API the enforcer decodes: it closes the connection of a client that sends it`;
  const version = req.apiVersion ?? defaultVersion(req.apiKey) ?? range[1];
  if (version < range[0] || version > range[1]) return `${name} v${version}: the enforcer decodes v${range[0]}–v${range[1]} and closes the connection on any other`;
  const body = requestBody(req, version);
  if (typeof body === 'string') return body;
  const frame = encodeRequest({ apiKey: req.apiKey, apiVersion: version, correlationId: 1, clientId: req.clientId }, body);
  const late: FlowDecision[] = [];
  const outcome = enforceRequest(frame, { policy, peer: req.peer, late: (d) => late.push(d) });
  if (!outcome.ok) return outcome.error;
  const { plan, decisions } = outcome.enforcement;
  const cannotJudge: string[] = [];
  if (req.apiKey === 3 && req.topics.length === 0) cannotJudge.push('a Metadata request for all topics: the enforcer filters the broker\'s answer topic by topic (name the topics with --topic)');
  if (decisions.length === 0) cannotJudge.push(`${name} carries nothing the policy judges here`);
  const all = [...decisions, ...late];
  const denied = all.some((d) => !d.verdict.allowed);
  const rewritten = plan.kind === 'forward' && plan.rewritten;
  const verdict: KafkaSimOutcome = !denied ? 'allow' : policy?.mode === 'audit' ? 'audit_deny' : rewritten ? 'partial' : 'deny';
  return { apiVersion: version, outcome: verdict, decisions: all, cannotJudge };
}
