/**
 * sluice's admission webhooks for Kubernetes: L7Policy validation (the CLI's validation and
 * compilation, with warnings for risky policies), the audit-first rollout guard, and Pod
 * mutation (Envoy sidecar or node proxy); their HTTPS server with a rotating serving certificate,
 * and the upkeep of the webhook configurations' caBundle. Pure core (handler.ts and what it
 * calls), I/O at the edges (server.ts, tls/, kube-api.ts, ca-bundle.ts, views.ts). See
 * docs/kubernetes.md.
 */
export * from './names.js';
export { admit, errorStatus, isAdmissionPath, ROUTES, type WebhookDeps, type HandlerResult, type ErrorStatus } from './handler.js';
export { parseReview, respond, ADMISSION_API_VERSION, MAX_UID_LENGTH, type AdmissionRequest, type AdmissionResponse, type AdmissionReviewResponse, type DenialStatus, type Verdict, type Operation, type GroupVersionKind } from './review.js';
export { pointer, pointerToken, type JsonPatchOperation } from './json-patch.js';
export { policySource, policyUri, loadPolicyObjects, POLICY_URI_SCHEME } from './policy-source.js';
export { validatePolicyRequest, diagnosticLine, MAX_LISTED_ERRORS, MAX_WARNINGS, type ClusterSnapshot, type PolicyView, type PolicyValidationOptions } from './validate-policy.js';
export { shadowing, formatShadowFinding, MAX_COMPARISONS, type ShadowFinding, type ShadowReport } from './shadowing.js';
export { ruleCovers, peersCover, requestCovers, matcherCovers, cidrWithin } from './covers.js';
export { rolloutGuard, DEFAULT_MIN_AUDIT_MS, DEFAULT_QUIET_WINDOW_MS, type RolloutGuardOptions, type WouldDenyEvidence, type WouldDenyFlows } from './rollout-guard.js';
export { mutatePod, podMode, type ModeSource } from './pod-mutation.js';
export { sidecarContainer, expandArgs, DEFAULT_SIDECAR, SIDECAR_NODE_ID, POD_NAME_ENV, POD_NAMESPACE_ENV, type SidecarOptions, type Container } from './sidecar.js';
export { startWebhookServer, DEFAULT_MAX_BODY_BYTES, DEFAULT_REQUEST_TIMEOUT_MS, type WebhookServer, type WebhookServerOptions, type ServingCertificate } from './server.js';
export { ServingCertificates, ServingCertificateError, serviceNames, DEFAULT_LEAF_DAYS, DEFAULT_RENEW_WINDOW_MS, DEFAULT_PROPAGATION_MS, pemOf, type ServingNames, type RotationOptions, type RotationState, type RetiringCa, type ServedLeaf, type TickResult } from './tls/serving-certs.js';
export { rotateOnce, startRotation, type CertificateSink, type RotationLoopOptions, type RotationRound } from './tls/rotation.js';
export { readServingDir, checkServingPems, watchServingDir, type ServingDir, type ServingDirResult, type WatchServingDirOptions } from './tls/tls-dir.js';
export { kubeApi, kubeApiFromKubeconfig, inClusterKubeApi, KubeApiError, type KubeApi, type KubeApiOptions, type KubeResponse } from './kube-api.js';
export { syncCaBundle, caBundlePatch, configurationPath, CaBundleSyncError, SLUICE_WEBHOOK_CONFIGURATIONS, type WebhookConfigurationRef, type CaBundleSyncResult } from './ca-bundle.js';
export { fileView, storedPoliciesView, listStoredPolicies, readInventory, readPolicyDirs, POLICIES_PATH } from './views.js';
export { startStandalone, StandaloneError, type StandaloneConfig, type TlsSource } from './standalone.js';
