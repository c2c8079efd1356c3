/**
 * Rule evaluation. A request is split into units the way a broker authorizes it: the request
 * itself (may this client use this API at all?), its scope resources (consumer group,
 * transactional id: a denied one fails the whole request), and its items (topics, and groups or
 * transactional ids in APIs that list several: each is allowed or denied on its own).
 *
 * A unit is allowed when an allow rule matches it and no deny rule does (deny wins). A rule
 * matches a unit when its context fields match (API key set, version range, client id, peer) and
 * each resource matcher it sets fits:
 * - the matcher of the unit's own kind must match the unit's name;
 * - a topic matcher does not constrain non-topic units of an allow rule (topics are judged one by
 *   one), and keeps a deny rule off them;
 * - a group or transactional-id matcher must match every such resource the request carries; when
 *   the request carries none, it does not constrain an allow rule and keeps a deny rule off.
 * So `deny: [{ topic: { prefix: internal. } }]` denies those topics and nothing else, and
 * `allow: [{ role: consume, topic: …, group: … }]` admits the Fetches (no group) of that consumer.
 */
import { CONNECTION_APIS, KAFKA_API_KEYS } from '../../kafka-apis/index.js';
import { cidrHas, parseIp, type Cidr, type IpAddress } from '../../ip/index.js';
import { matches, type KafkaPolicy, type KafkaRule } from './resource.js';

export interface RequestContext {
  readonly apiKey: number;
  readonly apiVersion: number;
  readonly clientId: string | null;
  /** The client's address as the proxy sees it. */
  readonly peer: string;
}

export interface RequestResources {
  readonly topics: readonly string[];
  readonly groups: readonly string[];
  readonly transactionalIds: readonly string[];
}

export type UnitKind = 'request' | 'topic' | 'group' | 'transactionalId';

export interface Verdict {
  readonly allowed: boolean;
  /** The deciding rule's id, or `default-deny` (nothing allowed it), `uncovered` (no policy covers the broker: allowed with `--uncovered allow`, denied otherwise), `connection-api`. */
  readonly ruleId: string;
  readonly role?: string;
}

const CONNECTION_KEYS = new Set<number>(CONNECTION_APIS.map((n) => KAFKA_API_KEYS[n]));

/** The last peer parsed: one connection's units are evaluated in a row, so this parses once per connection's run. */
let lastPeer: { readonly text: string; readonly ip: IpAddress | undefined } = { text: '', ip: undefined };

function peerIn(peers: readonly Cidr[], text: string): boolean {
  if (lastPeer.text !== text) {
    const ip = parseIp(text);
    lastPeer = { text, ip: typeof ip === 'string' ? undefined : ip };
  }
  const ip = lastPeer.ip;
  return ip !== undefined && peers.some((c) => cidrHas(c, ip));
}

function contextMatches(rule: KafkaRule, ctx: RequestContext): boolean {
  if (rule.apiKeys !== undefined && !rule.apiKeys.has(ctx.apiKey)) return false;
  if (ctx.apiVersion < rule.minVersion || ctx.apiVersion > rule.maxVersion) return false;
  if (!matches(rule.clientId, ctx.clientId)) return false;
  if (rule.peers.length > 0 && !peerIn(rule.peers, ctx.peer)) return false;
  return true;
}

function scopeFits(rule: KafkaRule, kind: UnitKind, name: string, res: RequestResources, deny: boolean): boolean {
  const checks: readonly [UnitKind, KafkaRule['topic'], readonly string[]][] = [
    ['topic', rule.topic, res.topics],
    ['group', rule.group, res.groups],
    ['transactionalId', rule.transactionalId, res.transactionalIds],
  ];
  for (const [k, m, present] of checks) {
    if (m === undefined) continue;
    if (k === kind) {
      if (!matches(m, name)) return false;
    } else if (k === 'topic') {
      if (deny) return false;
    } else if (present.length > 0) {
      if (!present.every((p) => matches(m, p))) return false;
    } else if (deny) {
      return false;
    }
  }
  return true;
}

function ruleMatches(rule: KafkaRule, ctx: RequestContext, res: RequestResources, kind: UnitKind, name: string, deny: boolean): boolean {
  return contextMatches(rule, ctx) && scopeFits(rule, kind, name, res, deny);
}

/** The verdict on one unit. `policy` undefined: the port is not covered, everything passes. */
export function evaluateUnit(policy: KafkaPolicy | undefined, ctx: RequestContext, res: RequestResources, kind: UnitKind, name = ''): Verdict {
  if (CONNECTION_KEYS.has(ctx.apiKey)) return { allowed: true, ruleId: 'connection-api' };
  if (policy === undefined) return { allowed: true, ruleId: 'uncovered' };
  for (const rule of policy.deny) {
    if (ruleMatches(rule, ctx, res, kind, name, true)) return { allowed: false, ruleId: rule.id, ...(rule.role ? { role: rule.role } : {}) };
  }
  for (const rule of policy.allow) {
    if (ruleMatches(rule, ctx, res, kind, name, false)) return { allowed: true, ruleId: rule.id, ...(rule.role ? { role: rule.role } : {}) };
  }
  return { allowed: false, ruleId: policy.defaultRuleId ?? 'default-deny' };
}

export interface Decision {
  /** The request unit. */
  readonly request: Verdict;
  /** Scope resources (group, transactional id) that fail the whole request when denied. */
  readonly scopes: readonly { readonly kind: 'group' | 'transactionalId'; readonly name: string; readonly verdict: Verdict }[];
}

/** The request-level part of a decision: the request unit and its scope resources. Items are judged with `evaluateUnit`. */
export function decideRequest(policy: KafkaPolicy | undefined, ctx: RequestContext, res: RequestResources, scope: { groups: boolean; transactionalIds: boolean }): Decision {
  const scopes: Decision['scopes'][number][] = [];
  if (scope.groups) for (const g of res.groups) scopes.push({ kind: 'group', name: g, verdict: evaluateUnit(policy, ctx, res, 'group', g) });
  if (scope.transactionalIds) {
    for (const t of res.transactionalIds) scopes.push({ kind: 'transactionalId', name: t, verdict: evaluateUnit(policy, ctx, res, 'transactionalId', t) });
  }
  return { request: evaluateUnit(policy, ctx, res, 'request'), scopes };
}
