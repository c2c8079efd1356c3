/**
 * L7 rules: HTTP, gRPC and Kafka matchers, checked beyond what the schema says (RE2 regexes,
 * pseudo-headers, method lists, version ranges) and normalized into the model.
 */
import type { GrpcRule as SourceGrpc, HeaderMatch, HttpRule as SourceHttp, KafkaRule as SourceKafka, L7Rules, NameMatch } from '../generated/l7policy.js';
import type { PathSegment } from '../diagnostics.js';
import { ruleId } from '../names.js';
import type { GrpcRule, HeaderCondition, HttpRule, KafkaRule, L7Rule, NameMatcher, PortProtocol, StringMatcher } from '../model/types.js';
import type { DocumentContext } from './context.js';
import { apiKeyOf, KAFKA_API_KEYS } from '../../kafka-apis/index.js';
import { checkRe2 } from './regex.js';

interface SourceStringMatch {
  readonly exact?: string;
  readonly prefix?: string;
  readonly suffix?: string;
  readonly regex?: string;
  readonly present?: true;
}

/** Converts a schema-valid matcher (exactly one member set) into the model's union. */
export function stringMatcher(ctx: DocumentContext, path: readonly PathSegment[], m: SourceStringMatch): StringMatcher {
  if (m.exact !== undefined) return { kind: 'exact', value: m.exact };
  if (m.prefix !== undefined) return { kind: 'prefix', value: m.prefix };
  if (m.suffix !== undefined) return { kind: 'suffix', value: m.suffix };
  if (m.regex !== undefined) {
    const problem = checkRe2(m.regex);
    if (problem) ctx.error([...path, 'regex'], 'regex.invalid', `not a valid RE2 regular expression: ${problem}`);
    return { kind: 'regex', value: m.regex };
  }
  return { kind: 'present' };
}

function nameMatcher(m: NameMatch): NameMatcher {
  return m.exact !== undefined ? { kind: 'exact', value: m.exact } : { kind: 'prefix', value: m.prefix ?? '' };
}

/** Pseudo-headers a header condition may name; `:path` and `:method` have fields of their own. */
const ALLOWED_PSEUDO = new Set([':authority', ':scheme']);

function headerConditions(ctx: DocumentContext, path: readonly PathSegment[], headers: readonly HeaderMatch[] | undefined): HeaderCondition[] {
  return (headers ?? []).map((h, i) => {
    const name = h.name.toLowerCase();
    if (name.startsWith(':') && !ALLOWED_PSEUDO.has(name)) {
      const instead = name === ':path' ? 'use the rule\'s `path` field' : name === ':method' ? 'use the rule\'s `method` field' : 'only :authority and :scheme may be matched';
      ctx.error([...path, i, 'name'], 'header.pseudo', `pseudo-header "${h.name}" cannot be matched here: ${instead}`);
    }
    return { name, match: stringMatcher(ctx, [...path, i], h) };
  });
}

function httpRule(ctx: DocumentContext, path: readonly PathSegment[], id: string, r: SourceHttp): HttpRule {
  const pathMatch = r.path ? stringMatcher(ctx, [...path, 'path'], r.path) : undefined;
  if (pathMatch && (pathMatch.kind === 'exact' || pathMatch.kind === 'prefix') && !pathMatch.value.startsWith('/')) {
    ctx.error([...path, 'path', pathMatch.kind], 'http.path', `a request path starts with "/"; "${pathMatch.value}" never matches`);
  }
  if (pathMatch?.kind === 'present') ctx.warn([...path, 'path'], 'http.path-present', 'every request has a path: `present` matches all requests');
  return {
    kind: 'http',
    id,
    ...(r.method !== undefined ? { method: r.method } : {}),
    ...(pathMatch ? { path: pathMatch } : {}),
    ...(r.host ? { host: stringMatcher(ctx, [...path, 'host'], r.host) } : {}),
    headers: headerConditions(ctx, [...path, 'headers'], r.headers),
  };
}

function grpcRule(ctx: DocumentContext, path: readonly PathSegment[], id: string, r: SourceGrpc): GrpcRule {
  const listed = r.methods ?? ['*'];
  if (listed.includes('*') && listed.length > 1) ctx.error([...path, 'methods'], 'grpc.methods', '`*` already means every method: list it alone');
  const dupes = listed.filter((m, i) => listed.indexOf(m) !== i);
  if (dupes.length > 0) ctx.warn([...path, 'methods'], 'grpc.methods-duplicate', `listed more than once: ${[...new Set(dupes)].join(', ')}`);
  return {
    kind: 'grpc',
    id,
    service: r.service,
    methods: listed.includes('*') ? 'all' : [...new Set(listed)].sort(),
    headers: headerConditions(ctx, [...path, 'headers'], r.headers),
  };
}

function kafkaRule(ctx: DocumentContext, path: readonly PathSegment[], id: string, r: SourceKafka): KafkaRule {
  (r.apiKeys ?? []).forEach((name, i) => {
    if (apiKeyOf(name) !== undefined) return;
    const lower = name.toLowerCase();
    const hint = Object.keys(KAFKA_API_KEYS).find((known) => known.toLowerCase() === lower || known.toLowerCase() === lower.replace(/[-_ ]/g, ''));
    ctx.error([...path, 'apiKeys', i], 'kafka.api-key', `"${name}" is not a Kafka API name${hint ? ` (did you mean "${hint}"?)` : ' (e.g. Produce, Fetch, Metadata, JoinGroup)'}`);
  });
  const min = r.apiVersion?.min;
  const max = r.apiVersion?.max;
  if (min !== undefined && max !== undefined && min > max) ctx.error([...path, 'apiVersion'], 'kafka.version-range', `min ${min} is greater than max ${max}`);
  return {
    kind: 'kafka',
    id,
    ...(r.role !== undefined ? { role: r.role } : {}),
    ...(r.apiKeys !== undefined ? { apiKeys: [...r.apiKeys] } : {}),
    ...(r.apiVersion !== undefined ? { apiVersion: { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) } } : {}),
    ...(r.clientID ? { clientID: nameMatcher(r.clientID) } : {}),
    ...(r.topic ? { topic: nameMatcher(r.topic) } : {}),
    ...(r.group ? { group: nameMatcher(r.group) } : {}),
    ...(r.transactionalID ? { transactionalID: nameMatcher(r.transactionalID) } : {}),
  };
}

/** Every rule in an `L7Rules` block, in source order (http, grpc, kafka). */
export function l7Rules(ctx: DocumentContext, path: readonly PathSegment[], policyKey: string, rules: L7Rules | undefined): L7Rule[] {
  if (!rules) return [];
  const id = (kind: string, i: number) => ruleId(policyKey, [...path, kind, i]);
  return [
    ...(rules.http ?? []).map((r, i) => httpRule(ctx, [...path, 'http', i], id('http', i), r)),
    ...(rules.grpc ?? []).map((r, i) => grpcRule(ctx, [...path, 'grpc', i], id('grpc', i), r)),
    ...(rules.kafka ?? []).map((r, i) => kafkaRule(ctx, [...path, 'kafka', i], id('kafka', i), r)),
  ];
}

/**
 * The one application protocol of a port rule. HTTP and gRPC share HTTP/2 and mix freely; Kafka
 * is its own protocol and cannot share a port rule with them.
 */
export function portProtocol(ctx: DocumentContext, path: readonly PathSegment[], rules: readonly L7Rule[]): PortProtocol {
  const kafka = rules.some((r) => r.kind === 'kafka');
  const http = rules.some((r) => r.kind !== 'kafka');
  if (kafka && http) ctx.error(path, 'port.mixed-protocols', 'a port carries one L7 protocol: Kafka rules cannot sit beside HTTP or gRPC rules');
  return kafka ? 'kafka' : 'http';
}
