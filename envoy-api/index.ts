/**
 * Envoy's API as sluice uses it: the protos it loads and the messages it emits (one table), their
 * generated JSON-form types, the registry of xDS resource types, JSON↔binary conversion, and (in
 * tests) validation against Envoy's own rules.
 */
export { PROTO_FILES, MESSAGES, SLUICE_EMITTED_TYPES, TYPE_URL_PREFIX, type MessageName } from './protos.js';
export type { envoy, google, sluice, xds, AnyJson, AnyOf, EmptyMessage, Int64Json, MessageTypes } from './generated/messages.js';
export { typed } from './typed.js';
export {
  RESOURCE_TYPES, RESOURCE_TYPE_LIST, PUSH_ORDER, TYPE_URL, typeInfo, resourceType, isTypeUrl, typeUrlOf, messageNameOf,
  type ShortName, type ResourceMessage, type TypeUrl, type MessageTypeUrl, type ResourceTypeInfo,
} from './resource-types.js';
export { protoRoot, messageType, INCLUDE_DIRS } from './proto-root.js';
export { encodeMessage, decodeMessage, packAny, type ResourceJson } from './codec.js';
export { ElementWiseEncoder, ELEMENT_WISE } from './element-codec.js';
export {
  checkResource, roundTrip, createEnvoyChecker, auditRuleKinds, re2Problem, SUPPORTED_RULE_KINDS, ENVOY_SEMANTIC_RULES,
  violationDiagnostic, type CheckOptions, type CheckerConfig, type EnvoyChecker, type Violation, type RoundTripDifference, type DifferenceKind, type RuleKindAudit,
} from './validate/index.js';
