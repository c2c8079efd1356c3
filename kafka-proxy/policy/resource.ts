/**
 * The `sluice.kafka.v1alpha1.KafkaPolicy` resource, validated into the proxy's rule model. Its
 * JSON form is the type generated from proto/sluice/kafka/v1alpha1/kafka_policy.proto, the one the
 * compiler builds (policy-compiler/kafka/kafka-policy.ts). Validation failures carry a field path
 * and become the NACK's `error_detail`.
 */
import type { sluice } from '../../envoy-api/index.js';
import type { Diagnostic } from '../../problems/index.js';
import { isKafkaRole } from '../../kafka-apis/index.js';
import { cidrOf, isIpAddress, type Cidr } from '../../ip/index.js';

/** The resource as the compiler emits it and the proxy receives it (generated from the proto). */
export type KafkaPolicyJson = sluice.kafka.v1alpha1.KafkaPolicy;
export type KafkaRuleJson = sluice.kafka.v1alpha1.KafkaRule;

export type StringMatcher = { readonly kind: 'exact'; readonly value: string } | { readonly kind: 'prefix'; readonly value: string };

export interface KafkaRule {
  readonly id: string;
  readonly role?: string;
  /** Undefined: every API. */
  readonly apiKeys?: ReadonlySet<number>;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly clientId?: StringMatcher;
  readonly topic?: StringMatcher;
  readonly group?: StringMatcher;
  readonly transactionalId?: StringMatcher;
  /** Empty: any peer. */
  readonly peers: readonly Cidr[];
}

export interface KafkaPolicy {
  readonly name: string;
  readonly policy: string;
  readonly endpoints: readonly { readonly address: string; readonly port: number }[];
  readonly mode: 'enforce' | 'audit';
  readonly deny: readonly KafkaRule[];
  readonly allow: readonly KafkaRule[];
  /** The rule id reported when nothing allows a unit (default `default-deny`). */
  readonly defaultRuleId?: string;
}

/** The codes of KafkaPolicy problems (each a `Diagnostic`, the project's one problem type). */
export type KafkaPolicyCode =
  | 'kafka-policy.name'
  | 'kafka-policy.endpoint'
  | 'kafka-policy.mode'
  | 'kafka-policy.role'
  | 'kafka-policy.api-key'
  | 'kafka-policy.api-version'
  | 'kafka-policy.peer'
  | 'kafka-policy.matcher';

type Problems = Diagnostic[];

const problem = (code: KafkaPolicyCode, path: string, message: string): Diagnostic => ({ severity: 'error', code, path, message });

export function matches(m: StringMatcher | undefined, value: string | null): boolean {
  if (m === undefined) return true;
  if (value === null) return false;
  return m.kind === 'exact' ? value === m.value : value.startsWith(m.value);
}

function matcher(json: unknown, path: string, problems: Problems): StringMatcher | undefined {
  if (json === undefined || json === null) return undefined;
  if (typeof json !== 'object') {
    problems.push(problem('kafka-policy.matcher', path, 'must be { exact } or { prefix }'));
    return undefined;
  }
  const o = json as Record<string, unknown>;
  const exact = o['exact'];
  const prefix = o['prefix'];
  if (typeof exact === 'string' && prefix === undefined) return { kind: 'exact', value: exact };
  if (typeof prefix === 'string' && exact === undefined) {
    if (prefix === '') problems.push(problem('kafka-policy.matcher', `${path}.prefix`, 'must not be empty (omit the matcher to match anything)'));
    return { kind: 'prefix', value: prefix };
  }
  problems.push(problem('kafka-policy.matcher', path, 'must set exactly one of exact or prefix'));
  return undefined;
}

function rule(json: KafkaRuleJson, path: string, problems: Problems): KafkaRule {
  if (json.role !== undefined && json.role !== '' && !isKafkaRole(json.role)) {
    problems.push(problem('kafka-policy.role', `${path}.role`, `unknown role "${json.role}"`));
  }
  const keys = json.api_keys ?? [];
  keys.forEach((k, i) => {
    if (!Number.isInteger(k) || k < 0 || k > 32767) problems.push(problem('kafka-policy.api-key', `${path}.api_keys[${i}]`, `not an API key: ${k}`));
  });
  const min = json.api_version?.min ?? 0;
  const max = json.api_version?.max ?? 32767;
  if (min > max) problems.push(problem('kafka-policy.api-version', `${path}.api_version`, `min ${min} is above max ${max}`));
  const peers: Cidr[] = [];
  (json.peers ?? []).forEach((p, i) => {
    const address = p.address_prefix ?? '';
    const prefixLength = p.prefix_len ?? 0;
    const cidr = cidrOf(address, prefixLength);
    if (!('problem' in cidr)) peers.push(cidr);
    else problems.push(problem('kafka-policy.peer', `${path}.peers[${i}]`, cidr.problem === 'address' ? `not an IP address: "${address}"` : `prefix length ${prefixLength} out of 0..${cidr.max}`));
  });
  const out: KafkaRule = {
    id: json.id && json.id !== '' ? json.id : path,
    ...(json.role ? { role: json.role } : {}),
    ...(keys.length > 0 ? { apiKeys: new Set(keys) } : {}),
    minVersion: min,
    maxVersion: max,
    peers,
  };
  const clientId = matcher(json.client_id, `${path}.client_id`, problems);
  const topic = matcher(json.topic, `${path}.topic`, problems);
  const group = matcher(json.group, `${path}.group`, problems);
  const transactionalId = matcher(json.transactional_id, `${path}.transactional_id`, problems);
  return {
    ...out,
    ...(clientId ? { clientId } : {}),
    ...(topic ? { topic } : {}),
    ...(group ? { group } : {}),
    ...(transactionalId ? { transactionalId } : {}),
  };
}

/** Validates one resource; `problems` is empty when it can be applied. Each names the resource as its subject. */
export function validateKafkaPolicy(json: KafkaPolicyJson, path = ''): { policy: KafkaPolicy; problems: readonly Diagnostic[] } {
  const problems: Problems = [];
  const at = (p: string): string => (path ? `${path}.${p}` : p);
  const name = json.name ?? '';
  if (name === '') problems.push(problem('kafka-policy.name', at('name'), 'is required'));
  const endpoints = (json.endpoints ?? []).map((e, i) => {
    const port = e.port ?? 0;
    if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(problem('kafka-policy.endpoint', at(`endpoints[${i}].port`), `not a port: ${port}`));
    const address = e.address ?? '';
    if (address !== '' && isIpAddress(address) === undefined) {
      problems.push(problem('kafka-policy.endpoint', at(`endpoints[${i}].address`), `not an IP address: "${address}"`));
    }
    return { address, port };
  });
  const mode = json.mode === undefined || json.mode === 'ENFORCE' ? 'enforce' : json.mode === 'AUDIT' ? 'audit' : undefined;
  if (mode === undefined) problems.push(problem('kafka-policy.mode', at('mode'), `unknown mode ${String(json.mode)}`));
  const policy: KafkaPolicy = {
    name,
    policy: json.policy ?? '',
    endpoints,
    mode: mode ?? 'enforce',
    deny: (json.deny ?? []).map((r, i) => rule(r, at(`deny[${i}]`), problems)),
    allow: (json.allow ?? []).map((r, i) => rule(r, at(`allow[${i}]`), problems)),
  };
  return { policy, problems: problems.map((d) => ({ ...d, subject: { kind: 'resource', type: 'KAFKA', name } })) };
}
