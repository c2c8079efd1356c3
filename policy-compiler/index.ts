/** The policy compiler: policy files → validated model → IR → Envoy resources. Pure: no I/O. */
export { INBOUND_LEG_MARK, redirectKey, type RedirectEntry, type RedirectDirection, type InboundRedirect, type OutboundRedirect } from './ir/redirect.js';
export { formatDiagnostic, formatPath, parsePath, hasErrors, sortDiagnostics, type Diagnostic, type PathSegment, type Severity } from './diagnostics.js';
export { duplicatePolicy, loadSources, LoadCache, type LoadResult, type LoadedDocument } from './source/load.js';
export { DEFAULT_PARSE_LIMITS, type ParseLimits, type SourceFile } from './source/yaml-documents.js';
export { SCHEMAS, type SchemaKind } from './source/schema-check.js';
export type * from './model/types.js';
export { checkRe2, re2FullMatch } from './validate/regex.js';
export { compile, compileSources, Compiler, type CompileOutput, type CompileSourcesResult, type NodeResources, type PolicyTarget } from './compile.js';
export type { Ir, EnvoyNode, HttpChain, ProxylessServer, Service, Authz, RuleSet, CompiledRule, KafkaNode, KafkaChain, KafkaCompiledRule } from './ir/types.js';
export type { EnvoyResource, ResourceRef } from './envoy/resource.js';
export { findProxylessServer, parseServerListenerName, SERVER_LISTENER_PREFIX } from './envoy/proxyless-server.js';
export { toPlainJson } from './ir/json.js';
export { envoyBootstrap, XDS_CLUSTER, type BootstrapOptions } from './envoy/bootstrap.js';
export { evaluate, type Evaluation, type SimRequest, type Verdict } from './simulate/evaluate.js';
export { findChain, type FoundChain } from './simulate/find-chain.js';
