/**
 * The policy compiler: policy files → validated model → (stage 1, `lower`) IR → (stage 2,
 * `translate`) the resources of every proxy. Pure: no I/O. See docs/architecture.md.
 */
export { INBOUND_LEG_MARK, redirectKey, type RedirectEntry, type RedirectDirection, type InboundRedirect, type OutboundRedirect } from './ir/redirect.js';
export { formatDiagnostic, formatPath, parsePath, hasErrors, sortDiagnostics, type Diagnostic, type DiagnosticStyle, type PathSegment, type Severity, type Subject } from './diagnostics.js';
export { duplicatePolicy, loadSources, LoadCache, type LoadResult, type LoadedDocument } from './source/load.js';
export { DEFAULT_PARSE_LIMITS, INVENTORY_MAX_BYTES, type ParseLimits, type SourceFile } from './source/yaml-documents.js';
export { SCHEMAS, type SchemaKind } from './source/schema-check.js';
export type * from './model/types.js';
export { EMPTY_SECRET_CATALOG, type SecretCatalog, type CatalogSecret, type SecretValue, type CertificateFacts } from './model/secrets.js';
export { checkRe2, re2FullMatch } from './validate/regex.js';
export { selectorMatches } from './validate/selector.js';
export { compile, Compiler, type CompileOutput } from './compiler.js';
export { compileSources, type CompileSourcesResult } from './compile-sources.js';
export { lower, IncrementalLowering, type Lowered } from './lower/lower.js';
export { translate, IncrementalTranslation, type Translation, type NodeResources } from './translate/translate.js';
export type { PolicyTarget } from './translate/targets.js';
export type { Ir, EnvoyNode, HttpChain, ChainTls, IrSecret, ProxylessServer, Service, Authz, RuleSet, CompiledRule, KafkaNode, KafkaChain, KafkaCompiledRule } from './ir/types.js';
export type { EnvoyResource, ResourceRef } from './translate/resource.js';
export { agentNodeId, hostOfAgent, AGENT_NODE_SUFFIX, objectKey, parseObjectKey } from './names.js';
export { UNRESOLVED_PODS_KEY, MAX_REPORTED_PODS, formatUnresolvedReport, parseUnresolvedReport, NETNS_LINKS_KEY, NETNS_LINK_DIR, formatNetnsLinks, parseNetnsLinks, netnsLinkPath, netnsLinkName, linkNameUid, type UnresolvedPod, type UnresolvedReason, type UnresolvedReport } from './translate/node-redirects-report.js';
export { nodeRedirectsPlan, type AgentNode, type Unsteered, type NodeRedirectsPlan } from './translate/node-redirects.js';
export { ACCESS_LOG_NAME, UNMATCHED_CHAIN, CLOSING_CHAIN_PREFIX, REFUSAL_STATE, closingChainFilter, parseClosingChain, tlsUnavailableChainName, tlsUnavailableReason, isTlsUnavailableReason, RBAC_METADATA_KEYS, RBAC_METADATA_NAMESPACE, chainName, directionOfAccessLog, parseChainName, parseRuleId, serverListenerName, parseServerListenerName, SERVER_LISTENER_PREFIX, SDS_NAMES, issuedKey } from './names.js';
export { toPlainJson, irFromPlainJson } from './ir/json.js';
export { redactSecrets, REDACTED } from './redact.js';
export { envoyBootstrap, XDS_CLUSTER, DEFAULT_XDS_API, type BootstrapOptions, type XdsApiChoice } from './translate/bootstrap.js';
export { evaluate, type Evaluation, type SimRequest, type Verdict } from './simulate/evaluate.js';
export { findChain, type FoundChain } from './simulate/find-chain.js';
export { flowAccessLog, closingChainFlowAccessLog } from './translate/features/access-log.js';
export { issueRequests } from './lower/issue-requests.js';
export { secretReferences } from './lower/secret-references.js';
export { secretJson } from './translate/features/secrets.js';
