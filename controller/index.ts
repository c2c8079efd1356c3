/** The runtime that wires sources, compiler, xDS server and admin endpoint together for `sluice serve`. */
export { AUDIT_WINDOW_MS, DEFAULT_RESCAN_MS, startServe, type ServeFlowsOptions, type ServeOptions, type Serving, type SupervisedEnvoyOptions } from './serve.js';
export { ENVOY_VERSION, findEnvoy } from './envoy-binary.js';
export { EnvoySupervisor, type EnvoyStatus } from './envoy-supervisor.js';
export { defaultStateDir, STATE_FILE } from './state-store.js';
export { PolicyRuntime, type ApplyInput, type ApplyResult, type RuntimeState } from './runtime.js';
export { readSourceFiles, type ReadResult } from './source-files.js';
export { policyStatuses, type PolicyStatus, type PolicyState, type TargetStatus, type StatusInputs } from './policy-status.js';
export { unsteeredProblems } from './dataplane-status.js';
export type { PolicyEntry, PolicySource } from './policy-set.js';
export { decodeState, encodeState, restoreState, STATE_FORMAT, STATE_VERSION, type LastGoodState } from './last-good-state.js';
export { fileSource, fingerprintOf, type DocumentSource, type SourceRead } from './source.js';
export { StateStore } from './state-store.js';
export { startAdminServer, type AdminServer, type AdminRoutes } from './admin-server.js';
export { configDump } from './admin-views.js';
export { runtimeMetrics, type RuntimeMetrics } from './metrics.js';
export { DEFAULT_TRUST_DOMAIN, readXdsTls, type XdsTlsFiles } from './xds-tls.js';
export { SecretSource, readSecretDirs } from './secrets/source.js';
export { judgeSecret, type RawValue, type Judged } from './secrets/judge.js';
