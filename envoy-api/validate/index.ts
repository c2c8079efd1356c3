/** Checking Envoy resources in sluice's JSON form against Envoy's own rules (JSON shape, PGV annotations, a few C++ checks). */
export { checkResource, createEnvoyChecker, type CheckOptions, type CheckerConfig, type EnvoyChecker } from './checker.js';
export type { Violation } from './violation.js';
