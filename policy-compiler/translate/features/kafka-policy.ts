/**
 * Kafka chains → the `sluice.kafka.v1alpha1.KafkaPolicy` resources the Kafka enforcer receives
 * over xDS (proto/sluice/kafka/v1alpha1/kafka_policy.proto): one per protected workload port,
 * with roles expanded to explicit API key sets and peers as CIDRs.
 */
import { MESSAGES, type sluice } from '../../../envoy-api/index.js';
import type { Cidr } from '../../../ip/index.js';
import { expandApiKeys } from '../../../kafka-apis/index.js';
import type { AddressMatch, KafkaChain, KafkaCompiledRule } from '../../ir/types.js';
import type { NameMatcher } from '../../model/types.js';
import type { FeatureTranslator } from '../feature.js';
import type { EnvoyResource } from '../resource.js';

type KafkaRuleJson = sluice.kafka.v1alpha1.KafkaRule;
type CidrRangeJson = sluice.kafka.v1alpha1.CidrRange;

const cidr = (c: Cidr): CidrRangeJson => ({ address_prefix: c.address, prefix_len: c.prefixLength });

/**
 * Peers as the enforcer matches them: none means any client. Peers that resolved to no address
 * must still match nobody, so they become the unspecified addresses, which no client has.
 */
function peers(match: AddressMatch): CidrRangeJson[] {
  if (match.kind === 'any') return [];
  if (match.ranges.length === 0) return [{ address_prefix: '0.0.0.0', prefix_len: 32 }, { address_prefix: '::', prefix_len: 128 }];
  return match.ranges.map((r) => cidr(r.cidr));
}

const matcher = (m: NameMatcher): sluice.kafka.v1alpha1.StringMatcher => (m.kind === 'exact' ? { exact: m.value } : { prefix: m.value });

function rule(r: KafkaCompiledRule): KafkaRuleJson {
  const k = r.rule;
  const apiKeys = k ? expandApiKeys(k.role, k.apiKeys) : undefined;
  return {
    id: r.id,
    ...(k?.role ? { role: k.role } : {}),
    ...(apiKeys && apiKeys.length > 0 ? { api_keys: [...apiKeys] } : {}),
    ...(k?.apiVersion ? { api_version: { ...(k.apiVersion.min !== undefined ? { min: k.apiVersion.min } : {}), ...(k.apiVersion.max !== undefined ? { max: k.apiVersion.max } : {}) } } : {}),
    ...(k?.clientID ? { client_id: matcher(k.clientID) } : {}),
    ...(k?.topic ? { topic: matcher(k.topic) } : {}),
    ...(k?.group ? { group: matcher(k.group) } : {}),
    ...(k?.transactionalID ? { transactional_id: matcher(k.transactionalID) } : {}),
    ...(peers(r.peers).length > 0 ? { peers: peers(r.peers) } : {}),
  };
}

/**
 * The enforcer evaluates one rule set per port. With an enforcing policy present, its rules are
 * enforced; a port covered by audit-mode policies only is evaluated and logged, never denied.
 */
function kafkaPolicyResource(chain: KafkaChain): EnvoyResource<typeof MESSAGES.kafkaPolicy> {
  const set = chain.enforce ?? chain.audit;
  const endpoints = chain.direction === 'inbound' ? chain.addresses.map((address) => ({ address, port: chain.port })) : [{ address: '', port: chain.port }];
  return {
    message: MESSAGES.kafkaPolicy,
    name: chain.name,
    references: [],
    json: {
      name: chain.name,
      policy: chain.policies.map((p) => p.key).join(','),
      endpoints,
      ...(chain.enforce ? {} : { mode: 'AUDIT' }),
      ...(set && set.deny.length > 0 ? { deny: set.deny.map(rule) } : {}),
      ...(set && set.allow.length > 0 ? { allow: set.allow.map(rule) } : {}),
    },
  };
}

export const KAFKA_POLICY_FEATURE: FeatureTranslator = {
  name: "Kafka policy: a Kafka enforcer chain's rules as the KafkaPolicy resource it evaluates",
  kafkaChain: (chain) => [kafkaPolicyResource(chain)],
};
