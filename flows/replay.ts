/**
 * Replay: stored flows against a proposed set of policies. Pure: given the flows and a verdict
 * function (what the proposed policies decide for one flow), list the flows whose verdict
 * changes, grouped by change, rule, peer and what was asked. `verdictFromIr` builds the verdict
 * function from a compiled IR with the simulator's own evaluation (the same one `sluice simulate`
 * prints and a test holds to gRPC's RBAC engine).
 */
import { evaluate, findChain, isTlsUnavailableReason, type CompiledRule, type Ir, type SimRequest } from '../policy-compiler/index.js';
import { apiKeyOf, evaluateUnit, type PolicyStore, type UnitKind } from '../kafka-proxy/index.js';
import { flowRuleOf } from './kafka-sink.js';
import { l7Summary, workloadKey, type FlowRecord, type Verdict } from './record.js';
import { policyOfRule } from './verdict.js';

export interface ReplayVerdict {
  readonly verdict: Verdict;
  readonly rule: string;
  readonly policy: string;
  /** The decision may differ for real: the rules look at headers, which flows do not record. */
  readonly approximate?: boolean;
}

/** undefined: the flow cannot be replayed (an unknown direction; a protocol the function does not judge). */
export type VerdictFunction = (flow: FlowRecord) => ReplayVerdict | undefined;

export interface ReplayChange {
  readonly flow: FlowRecord;
  readonly before: ReplayVerdict;
  readonly after: ReplayVerdict;
}

export interface ReplayGroup {
  readonly from: Verdict;
  readonly to: Verdict;
  /** The rule that decides under the proposed policies ('' for a default deny). */
  readonly rule: string;
  readonly peer: string;
  readonly what: string;
  readonly count: number;
  readonly approximate: boolean;
}

export interface ReplayResult {
  readonly total: number;
  readonly unchanged: number;
  readonly skipped: number;
  readonly changed: readonly ReplayChange[];
  readonly groups: readonly ReplayGroup[];
}

export function replay(flows: Iterable<FlowRecord>, verdictOf: VerdictFunction, maxChanges = 1000): ReplayResult {
  let total = 0;
  let unchanged = 0;
  let skipped = 0;
  const changed: ReplayChange[] = [];
  const groups = new Map<string, { from: Verdict; to: Verdict; rule: string; peer: string; what: string; count: number; approximate: boolean }>();
  for (const flow of flows) {
    total += 1;
    const after = verdictOf(flow);
    if (!after) {
      skipped += 1;
      continue;
    }
    if (after.verdict === flow.verdict) {
      unchanged += 1;
      continue;
    }
    const before: ReplayVerdict = { verdict: flow.verdict, rule: flow.rule, policy: flow.policy };
    if (changed.length < maxChanges) changed.push({ flow, before, after });
    const peer = workloadKey(flow.source) || flow.source.address;
    const what = l7Summary(flow);
    const key = `${flow.verdict}\u0000${after.verdict}\u0000${after.rule}\u0000${peer}\u0000${what}`;
    const g = groups.get(key);
    if (g) {
      g.count += 1;
      g.approximate ||= after.approximate === true;
    } else groups.set(key, { from: flow.verdict, to: after.verdict, rule: after.rule, peer, what, count: 1, approximate: after.approximate === true });
  }
  const sorted = [...groups.values()].sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule) || a.what.localeCompare(b.what));
  return { total, unchanged, skipped, changed, groups: sorted };
}

/** The request a flow stands for, as the simulator takes it (headers are not in flows). */
export function simRequestOf(flow: FlowRecord): SimRequest | undefined {
  if (flow.http) return { source: flow.source.address, destination: flow.destination.address, method: flow.http.method, path: flow.http.path, authority: flow.http.authority, headers: {} };
  if (flow.grpc) return { source: flow.source.address, destination: flow.destination.address, method: 'POST', path: `/${flow.grpc.service}/${flow.grpc.method}`, authority: '', headers: {} };
  return undefined;
}

/**
 * What the compiled policies of `ir` decide for a flow (HTTP and gRPC; Kafka flows are skipped).
 * A TCP flow is a connection a closing chain refused. With still no chain for it, it is denied
 * again. One refused because its chain's TLS could not be served is denied again, by the chain's
 * own rule, while the proposal's chain for it still cannot serve its TLS (the IR says so: a
 * secret it names is missing, unusable, or not checked, as `simulate` has no secret source).
 * Otherwise what its requests would be is unknown (it carries none), so it is not replayed.
 */
export function verdictFromIr(ir: Ir): VerdictFunction {
  return (flow) => {
    if (flow.direction === 'unknown') return undefined;
    if (flow.protocol === 'tcp') {
      const chain = findChain(ir, flow.direction === 'ingress' ? 'inbound' : 'outbound', flow.source.address, flow.destination.address, flow.destination.port);
      if (!chain) return { verdict: 'denied', rule: '', policy: '' };
      const rule = chain.tls?.unavailableRule ?? '';
      return isTlsUnavailableReason(flow.reason) && chain.tls?.unavailable !== undefined ? { verdict: 'denied', rule, policy: policyOfRule(rule) } : undefined;
    }
    const request = simRequestOf(flow);
    if (!request) return undefined;
    const direction = flow.direction === 'ingress' ? 'inbound' : 'outbound';
    const chain = findChain(ir, direction, flow.source.address, flow.destination.address, flow.destination.port);
    if (!chain) return { verdict: 'forwarded', rule: '', policy: '' };
    const e = evaluate(chain.authz, request, direction);
    // Headers could only change the outcome through a rule that looks at them, except when an
    // enforced deny rule that ignores headers decides: deny wins whatever the headers hold.
    const headerBlind = (r: CompiledRule) => r.request.kind === 'any' || r.request.headers.length === 0;
    const deciding = e.enforced.verdict === 'deny' ? chain.authz.enforce?.deny.find((r) => r.id === e.enforced.rule) : undefined;
    const rules = [...(chain.authz.enforce?.allow ?? []), ...(chain.authz.enforce?.deny ?? []), ...(chain.authz.audit?.allow ?? []), ...(chain.authz.audit?.deny ?? [])];
    const approximate = !(deciding && headerBlind(deciding)) && !rules.every(headerBlind);
    const pick = (verdict: Verdict, rule: string | undefined): ReplayVerdict => ({ verdict, rule: rule ?? '', policy: policyOfRule(rule ?? ''), ...(approximate ? { approximate } : {}) });
    if (e.enforced.verdict === 'deny') return pick('denied', e.enforced.rule);
    if (e.audit?.verdict === 'deny') return pick('audit-denied', e.audit.rule);
    return pick('forwarded', e.enforced.rule ?? e.audit?.rule);
  };
}

/**
 * What the Kafka enforcer would decide for a Kafka flow under the proposed KafkaPolicy resources
 * (`store`): a Kafka flow is one decision unit (the request, a topic or a group), judged by the
 * enforcer's own evaluation. Flows to a broker the proposal does not cover are not replayed (the
 * enforcer's `--uncovered` flag decides those, which the policies do not say).
 */
export function kafkaVerdicts(store: PolicyStore): VerdictFunction {
  return (flow) => {
    const k = flow.kafka;
    if (!k || flow.direction === 'unknown') return undefined;
    const policy = store.lookup(flow.destination.address, flow.destination.port);
    const apiKey = apiKeyOf(k.api);
    if (!policy || apiKey === undefined) return undefined;
    const kind: UnitKind = k.topic ? 'topic' : k.group ? 'group' : 'request';
    const name = k.topic || k.group;
    const v = evaluateUnit(policy, { apiKey, apiVersion: k.apiVersion, clientId: k.clientId || null, peer: flow.source.address }, {
      topics: kind === 'topic' ? [name] : [], groups: kind === 'group' ? [name] : [], transactionalIds: [],
    }, kind, name);
    // A topic's verdict can hang on the request's group or transactional id, which its flow does not carry.
    const approximate = kind === 'topic' && [...policy.allow, ...policy.deny].some((r) => r.group !== undefined || r.transactionalId !== undefined);
    const verdict: Verdict = v.allowed ? 'forwarded' : policy.mode === 'audit' ? 'audit-denied' : 'denied';
    return { verdict, rule: flowRuleOf(v.ruleId), policy: policy.policy, ...(approximate ? { approximate } : {}) };
  };
}

/** The first of `fns` that judges a flow. */
export function firstVerdict(...fns: readonly VerdictFunction[]): VerdictFunction {
  return (flow) => {
    for (const fn of fns) {
      const v = fn(flow);
      if (v) return v;
    }
    return undefined;
  };
}
