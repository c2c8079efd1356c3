/**
 * Kafka's API names and keys, and the role bundles of `rules.kafka[].role`: one pure table shared
 * by the policy compiler (validation, role expansion) and the Kafka enforcer (what it decodes and
 * forwards), so the two agree by construction. No I/O, no imports.
 */
export {
  KAFKA_API_KEYS, KAFKA_ROLES, ROLE_APIS, CONNECTION_APIS, PROXY_APIS, PROXY_API_KEYS,
  apiKeyOf, apiNameOf, isKafkaRole, roleApiKeys, expandApiKeys, type KafkaApiName, type KafkaRole,
} from './apis.js';
