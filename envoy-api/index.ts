/** Envoy's API as sluice uses it: the loaded protos, JSON↔binary conversion, and (in tests) validation against Envoy's own rules. */
export { protoRoot, messageType, INCLUDE_DIRS, PROTO_FILES } from './proto-root.js';
export { encodeMessage, decodeMessage, packAny, messageNameOf, TYPE_URL_PREFIX, type ResourceJson } from './codec.js';
export {
  checkResource, roundTrip, createEnvoyChecker, auditRuleKinds, re2Problem, SUPPORTED_RULE_KINDS, SLUICE_EMITTED_TYPES, ENVOY_SEMANTIC_RULES,
  type CheckOptions, type CheckerConfig, type EnvoyChecker, type Violation, type RoundTripDifference, type DifferenceKind, type RuleKindAudit,
} from './validate/index.js';
