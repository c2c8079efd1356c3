/**
 * What a chain decides for one request, computed from the IR with the RBAC semantics Envoy and
 * gRPC apply: deny rules first (any match denies), then allow rules (a match allows; when an
 * enforcing policy covers the chain, no match denies). Audit rules give the would-be verdict.
 * `sluice simulate` prints this; a test holds it to gRPC's own RBAC engine.
 */
import { cidrContains, hostCidr } from '../../ip/index.js';
import type { HeaderCondition, StringMatcher } from '../model/types.js';
import type { AddressMatch, Authz, CompiledRule, RequestMatch, RuleSet } from '../ir/types.js';
import { re2FullMatch } from '../validate/regex.js';

export interface SimRequest {
  /** The client's address (ingress) or the workload's own (egress). */
  readonly source: string;
  /** Where the connection goes: the workload (ingress) or the remote destination (egress). */
  readonly destination: string;
  readonly method: string;
  /** The request path, query string included as sent. */
  readonly path: string;
  readonly authority: string;
  /** Lower-case names; a header sent several times is joined with "," as Envoy and gRPC do. */
  readonly headers: Readonly<Record<string, string>>;
}

export type Verdict = { readonly verdict: 'allow' | 'deny'; readonly rule?: string; readonly reason: string };

export interface Evaluation {
  /** What the proxy does. */
  readonly enforced: Verdict;
  /** What it would do if the audit-mode policies were enforced too (absent: none covers the chain). */
  readonly audit?: Verdict;
}

function stringMatches(m: StringMatcher, value: string | undefined): boolean {
  if (m.kind === 'present') return value !== undefined;
  if (value === undefined) return false;
  switch (m.kind) {
    case 'exact':
      return value === m.value;
    case 'prefix':
      return value.startsWith(m.value);
    case 'suffix':
      return value.endsWith(m.value);
    case 'regex':
      return re2FullMatch(m.value, value);
  }
}

function headerMatches(h: HeaderCondition, req: SimRequest): boolean {
  return stringMatches(h.match, req.headers[h.name]);
}

function requestMatches(match: RequestMatch, req: SimRequest): boolean {
  const path = req.path.split('?')[0] ?? req.path;
  switch (match.kind) {
    case 'any':
      return true;
    case 'http':
      return (
        (match.method === undefined || req.method === match.method) &&
        (!match.path || stringMatches(match.path, path)) &&
        (!match.host || stringMatches(match.host, req.authority)) &&
        match.headers.every((h) => headerMatches(h, req))
      );
    case 'grpc': {
      const prefix = `/${match.service}/`;
      const method = path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
      const methodOk = method !== undefined && method.length > 0 && (match.methods === 'all' || match.methods.includes(method));
      return methodOk && match.headers.every((h) => headerMatches(h, req));
    }
  }
}

function addressMatches(match: AddressMatch, address: string): boolean {
  if (match.kind === 'any') return true;
  const host = hostCidr(address);
  if (typeof host === 'string') return false;
  return match.ranges.some((r) => cidrContains(r.cidr, host) && !r.except.some((e) => cidrContains(e, host)));
}

function ruleMatches(rule: CompiledRule, req: SimRequest, direction: 'inbound' | 'outbound'): boolean {
  const peer = direction === 'inbound' ? req.source : req.destination;
  return addressMatches(rule.peers, peer) && requestMatches(rule.request, req);
}

function decide(set: RuleSet, req: SimRequest, direction: 'inbound' | 'outbound'): Verdict {
  const deny = set.deny.find((r) => ruleMatches(r, req, direction));
  if (deny) return { verdict: 'deny', rule: deny.id, reason: 'a deny rule matched' };
  const allow = set.allow.find((r) => ruleMatches(r, req, direction));
  if (allow) return { verdict: 'allow', rule: allow.id, reason: 'an allow rule matched' };
  return { verdict: 'deny', reason: 'no allow rule matched' };
}

export function evaluate(authz: Authz, req: SimRequest, direction: 'inbound' | 'outbound' = 'inbound'): Evaluation {
  const enforced: Verdict = authz.enforce ? decide(authz.enforce, req, direction) : { verdict: 'allow', reason: 'no enforcing policy covers this port' };
  return { enforced, ...(authz.audit ? { audit: decide(authz.audit, req, direction) } : {}) };
}
