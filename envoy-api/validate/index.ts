/** Checking Envoy resources in sluice's JSON form against Envoy's own rules (JSON shape, PGV annotations, a few C++ checks), and the binary round trip. */
export { checkResource, roundTrip, createEnvoyChecker, type CheckOptions, type CheckerConfig, type EnvoyChecker } from './checker.js';
export { violationDiagnostic, type Violation } from './violation.js';
export type { RoundTripDifference, DifferenceKind } from './round-trip.js';
export { SUPPORTED_RULE_KINDS, auditRuleKinds, type RuleKindAudit } from './rule-kinds.js';
export { ENVOY_SEMANTIC_RULES } from './envoy-semantics.js';
export { re2Problem } from './re2.js';
