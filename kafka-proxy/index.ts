/**
 * sluice's Kafka-aware enforcing proxy: the public face of `kafka-proxy/`.
 *
 * - `apis`: Kafka API names ↔ keys and the role bundles (pure; the policy compiler imports these).
 * - the `KafkaPolicy` xDS resource (JSON shape, type URL, validation into rules) and evaluation.
 * - the protocol codec (generated from Kafka's JSON message definitions) and request enforcement.
 * - the proxy itself, its xDS client and admin endpoint.
 */
export {
  KAFKA_API_KEYS, KAFKA_ROLES, ROLE_APIS, CONNECTION_APIS, PROXY_APIS, PROXY_API_KEYS,
  apiKeyOf, apiNameOf, isKafkaRole, roleApiKeys, expandApiKeys, type KafkaApiName, type KafkaRole,
} from '../kafka-apis/index.js';
export {
  validateKafkaPolicy, matches,
  type KafkaPolicyJson, type KafkaRuleJson, type KafkaPolicy, type KafkaRule, type StringMatcher, type KafkaPolicyCode,
} from './policy/resource.js';
export { evaluateUnit, decideRequest, type RequestContext, type RequestResources, type Verdict, type UnitKind, type Decision } from './policy/evaluate.js';
export { PolicyStore, UNCOVERED_DENY } from './policy/store.js';
export { TopicIds, unresolvedTopic } from './policy/topic-ids.js';
export { Reader, Writer, DecodeError } from './protocol/wire.js';
export { Framer, type FramerResult } from './protocol/framer.js';
export { UNKNOWN_TAGS, defaultStruct, type KafkaStruct, type KafkaValue, type RawTag } from './protocol/message-codec.js';
export {
  decodableVersions, canDecode, isFlexible, readRequestHeader, decodeRequest, encodeRequest, encodeResponse, decodeResponse,
  type RequestHeader, type DecodedRequest,
} from './protocol/messages.js';
export { REQUESTS, RESPONSES, SCHEMA_SOURCE } from './protocol/messages.generated.js';
export { enforceRequest, type RequestOutcome } from './enforce/request.js';
export { capApiKeys } from './enforce/api-versions.js';
export { ERR, type Plan, type EnforceEnv, type Enforcement, type FlowDecision, type BrokerRewriter } from './enforce/types.js';
export { KafkaProxy, DEFAULTS, type KafkaProxyOptions, type HostPort, type OriginalDestination } from './proxy/server.js';
export { proxyMetrics, type ProxyMetrics } from './proxy/metrics.js';
export type { FlowLog, KafkaFlowEvent } from './proxy/connection.js';
export { KafkaXdsClient, parsePolicies, type XdsClientOptions, type XdsUpdate } from './xds/client.js';
export { startAdmin, type AdminStatus } from './proxy/admin.js';
export { simulateKafkaRequest, type KafkaSimRequest, type KafkaSimResult, type KafkaSimOutcome } from './enforce/simulate.js';
