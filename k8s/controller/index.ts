/**
 * `sluice controller`: the policy runtime of `sluice serve` fed from the Kubernetes API (informers
 * on L7Policy, Pods, Services, EndpointSlices, Namespaces and the Secrets policies reference),
 * several replicas serving xDS, one leader (a Lease) writing L7Policy status. See docs/kubernetes.md.
 */
export { startController, kubeConfigFrom, DEFAULT_LEASE, type Controller, type ControllerOptions } from './controller.js';
export { readiness } from './admin.js';
export { KubeSource, POLICY_PATH, type KubeRead, type ApiHealth, type WatchedKind } from './kube-source.js';
export { Informer, type InformerStats } from './informer.js';
export { LeaderElector, type LeaderView } from './leader.js';
export { StatusWriter, policyPath, type WriteOutcome } from './status-writer.js';
export { desiredStatus, sameStatus, type L7PolicyStatus, type Condition } from './policy-conditions.js';
export { clusterInventory, inventorySourceFile, proxyModeOf, sidecarNodeId, nodeKafkaId, INVENTORY_SOURCE, type ClusterInventory, type HostNetworkPod, type ProxyPorts, type ProxyPortsOf } from './workloads.js';
export { DEFAULT_CA_SECRET, DEFAULT_TLS_SECRET, DEFAULT_WEBHOOK_SERVICE, WebhookCertIssuer, watchServingSecret, startWebhookCertificates, type WebhookIssueSettings, type CaOptions } from './webhook-certs/index.js';
