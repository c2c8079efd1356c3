/**
 * Enforcement for APIs whose requests list items (topics, or groups) that a broker authorizes one
 * by one: denied items are stripped from the request and answered with the authorization error
 * merged into the upstream's response, shaped after the request (per partition where the response
 * has partitions). A denied scope resource (the request's consumer group or transactional id) or
 * a denied request fails every item.
 */
import { decideRequest, evaluateUnit, type RequestResources, type Verdict } from '../policy/evaluate.js';
import type { KafkaStruct, KafkaValue } from '../protocol/message-codec.js';
import { encodeRequest, type DecodedRequest } from '../protocol/messages.js';
import { unresolvedTopic } from '../policy/topic-ids.js';
import { contextOf, editResponse, fieldsAt, respond, responseShell, str, struct, structs } from './build.js';
import { ERR, type EnforceEnv, type Enforcement, type FlowDecision } from './types.js';

export interface ItemLayout {
  readonly itemKind: 'topic' | 'group';
  /** Request array holding the items. */
  readonly reqArray: string;
  /** Name field of an item struct; undefined when the array holds plain strings. */
  readonly reqName?: string;
  /** Id field of an item struct in versions that name topics by id (Produce/Fetch v13+). */
  readonly reqId?: string;
  /** Which entries are items (DescribeConfigs: only topic resources); others always pass. */
  readonly reqIsItem?: (entry: KafkaStruct) => boolean;
  readonly reqParts?: string;
  /** Partition index field; undefined when the partitions are a plain int32 array. */
  readonly reqPartIndex?: string;
  readonly respArray: string;
  readonly respName: string;
  readonly respId?: string;
  readonly respParts?: string;
  readonly respPartIndex?: string;
  /** The error field: in each response partition when `respParts` is set, else in the item. */
  readonly errorField: string;
  readonly itemDefaults?: Readonly<Record<string, KafkaValue>>;
  readonly partDefaults?: Readonly<Record<string, KafkaValue>>;
  /** Request item fields copied into the response item (DescribeConfigs `ResourceType`). */
  readonly copy?: readonly string[];
  readonly scopeGroup?: string;
  readonly scopeTxn?: string;
  /** A top-level error field to set when the whole request is denied. */
  readonly topLevelError?: string;
  /** A null item array means "all" (OffsetFetch): the response is filtered instead. */
  readonly nullMeansAll?: boolean;
}

/** An item's id, when the request names it by id (its name field is absent in that version). */
function itemId(layout: ItemLayout, entry: KafkaValue): Buffer | undefined {
  if (!layout.reqId || !layout.reqName) return undefined;
  const s = entry as KafkaStruct;
  const id = s[layout.reqId];
  return s[layout.reqName] === undefined && Buffer.isBuffer(id) ? id : undefined;
}

/** An item's name: as sent, or resolved from its id (`id:<hex>` when the proxy has not learned it). */
function itemName(layout: ItemLayout, entry: KafkaValue, env: EnforceEnv): string {
  const id = itemId(layout, entry);
  if (id) return env.topicIds?.name(id) ?? unresolvedTopic(id);
  return layout.reqName ? (str((entry as KafkaStruct)[layout.reqName]) ?? '') : (str(entry) ?? '');
}

function isItem(layout: ItemLayout, entry: KafkaValue): boolean {
  return layout.reqIsItem ? layout.reqIsItem(entry as KafkaStruct) : true;
}

/** The response entry for a denied request item. */
function deniedEntry(layout: ItemLayout, req: DecodedRequest, entry: KafkaValue, code: number, env: EnforceEnv): KafkaStruct {
  const { apiKey, apiVersion: v } = req.header;
  const id = itemId(layout, entry);
  const item = struct(fieldsAt(apiKey, [layout.respArray]), v, {
    ...layout.itemDefaults, [layout.respName]: itemName(layout, entry, env), ...(id && layout.respId ? { [layout.respId]: id } : {}),
  });
  for (const f of layout.copy ?? []) item[f] = (entry as KafkaStruct)[f];
  if (!layout.respParts) {
    item[layout.errorField] = code;
    return item;
  }
  const partFields = fieldsAt(apiKey, [layout.respArray, layout.respParts]);
  const parts = layout.reqParts ? (entry as KafkaStruct)[layout.reqParts] : [];
  item[layout.respParts] = (Array.isArray(parts) ? parts : []).map((p: KafkaValue) => {
    const index = layout.reqPartIndex ? (p as KafkaStruct)[layout.reqPartIndex] : p;
    return struct(partFields, v, { ...layout.partDefaults, [layout.respPartIndex ?? 'PartitionIndex']: index ?? 0, [layout.errorField]: code });
  });
  return item;
}

function resourcesOf(layout: ItemLayout, body: KafkaStruct, names: readonly string[]): RequestResources {
  const group = layout.scopeGroup ? str(body[layout.scopeGroup]) : null;
  const txn = layout.scopeTxn ? str(body[layout.scopeTxn]) : null;
  return {
    topics: layout.itemKind === 'topic' ? names : [],
    groups: [...(group !== null ? [group] : []), ...(layout.itemKind === 'group' ? names : [])],
    transactionalIds: txn !== null ? [txn] : [],
  };
}

const itemCode = (layout: ItemLayout): number => (layout.itemKind === 'topic' ? ERR.TOPIC_AUTHORIZATION_FAILED : ERR.GROUP_AUTHORIZATION_FAILED);

export interface ItemHooks {
  /** Adjusts a rewritten request (Fetch: leave the fetch session). */
  readonly onRewrite?: (body: KafkaStruct) => void;
  /** Whether the request expects a response (Produce acks=0 does not). */
  readonly expectResponse?: boolean;
}

export function enforceItems(layout: ItemLayout, req: DecodedRequest, frame: Buffer, env: EnforceEnv, hooks: ItemHooks = {}): Enforcement {
  const { body } = req;
  const ctx = contextOf(req, env);
  const raw = body[layout.reqArray];
  const entries: readonly KafkaValue[] = Array.isArray(raw) ? raw : [];
  const names = entries.filter((e) => isItem(layout, e)).map((e) => itemName(layout, e, env));
  const res = resourcesOf(layout, body, names);
  // Group items are judged one by one; the request and its scope resources without them.
  const scopeRes = layout.itemKind === 'group' ? resourcesOf(layout, body, []) : res;
  const decision = decideRequest(env.policy, ctx, scopeRes, { groups: layout.scopeGroup !== undefined, transactionalIds: layout.scopeTxn !== undefined });
  const decisions: FlowDecision[] = [
    { kind: 'request', name: '', verdict: decision.request },
    ...decision.scopes.map((s) => ({ kind: s.kind, name: s.name, verdict: s.verdict })),
  ];
  const audit = env.policy?.mode === 'audit';
  const expectResponse = hooks.expectResponse ?? true;
  const deniedScope = decision.scopes.find((s) => !s.verdict.allowed);
  const wholeCode = deniedScope
    ? deniedScope.kind === 'group' ? ERR.GROUP_AUTHORIZATION_FAILED : ERR.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
    : !decision.request.allowed ? itemCode(layout) : undefined;

  const forwardOriginal = (transform?: (b: KafkaStruct) => void): Enforcement => ({
    plan: { kind: 'forward', frame, expectResponse, rewritten: false, ...(transform && expectResponse ? { transform: editResponse(req, transform) } : {}) },
    decisions,
  });

  if (wholeCode !== undefined) {
    for (const n of names) decisions.push({ kind: layout.itemKind, name: n, verdict: deniedScope?.verdict ?? decision.request });
    if (audit) return forwardOriginal();
    if (!expectResponse) return { plan: { kind: 'close', reason: 'denied request that expects no response (acks=0)' }, decisions };
    const out = responseShell(req.header.apiKey, req.header.apiVersion);
    out[layout.respArray] = entries.map((e) => deniedEntry(layout, req, e, wholeCode, env));
    if (layout.topLevelError && layout.topLevelError in out) out[layout.topLevelError] = wholeCode;
    return { plan: { kind: 'respond', response: respond(req, out) }, decisions };
  }

  if (layout.nullMeansAll && raw === null) {
    // "All items": the response lists them; drop the denied ones from it.
    return forwardOriginal((out) => {
      out[layout.respArray] = structs(out[layout.respArray]).filter((item) => {
        const name = str(item[layout.respName]) ?? '';
        const verdict = evaluateUnit(env.policy, ctx, { ...res, topics: layout.itemKind === 'topic' ? [name] : [] }, layout.itemKind, name);
        env.late?.({ kind: layout.itemKind, name, verdict });
        return verdict.allowed || audit;
      });
    });
  }

  const verdicts = new Map<string, Verdict>();
  for (const n of names) {
    if (verdicts.has(n)) continue;
    // A topic id the proxy has not learned cannot be judged: denied, answered UNKNOWN_TOPIC_ID.
    const verdict = n.startsWith('id:') && layout.reqId
      ? { allowed: false, ruleId: 'topic-id-unresolved' }
      : evaluateUnit(env.policy, ctx, res, layout.itemKind, n);
    verdicts.set(n, verdict);
    decisions.push({ kind: layout.itemKind, name: n, verdict });
  }
  const deniedEntries = entries.filter((e) => isItem(layout, e) && verdicts.get(itemName(layout, e, env))?.allowed === false);
  if (deniedEntries.length === 0 || audit) return forwardOriginal();
  if (!expectResponse) return { plan: { kind: 'close', reason: 'denied request that expects no response (acks=0)' }, decisions };
  const codeOf = (e: KafkaValue): number =>
    itemId(layout, e) !== undefined && itemName(layout, e, env).startsWith('id:') ? ERR.UNKNOWN_TOPIC_ID : itemCode(layout);
  const denied = deniedEntries.map((e) => deniedEntry(layout, req, e, codeOf(e), env));
  const kept = entries.filter((e) => !deniedEntries.includes(e));
  if (kept.length === 0) {
    const out = responseShell(req.header.apiKey, req.header.apiVersion);
    out[layout.respArray] = denied;
    return { plan: { kind: 'respond', response: respond(req, out) }, decisions };
  }
  const rewritten: KafkaStruct = { ...body, [layout.reqArray]: kept };
  hooks.onRewrite?.(rewritten);
  return {
    plan: {
      kind: 'forward',
      frame: encodeRequest(req.header, rewritten),
      expectResponse: true,
      rewritten: true,
      transform: editResponse(req, (out) => {
        out[layout.respArray] = [...structs(out[layout.respArray]), ...denied];
      }),
    },
    decisions,
  };
}
