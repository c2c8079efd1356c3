/**
 * Every name the webhooks and their manifests share, in one place: the URL paths the API server
 * calls, the webhook and configuration names, and the labels and annotations that opt namespaces
 * and Pods in. deploy/webhooks/*.yaml spell them again; test/k8s/admission/manifests.test.ts holds
 * the two equal.
 */

/** The paths of the HTTPS server; one handler each (handler.ts). */
export const PATHS = {
  /** Validation and compilation of every L7Policy write, in every namespace. */
  validatePolicy: '/validate/l7policies',
  /** The audit-first rollout guard, called only for namespaces labelled `sluice.dev/rollout=audit-first`. */
  rolloutGuard: '/validate/l7policies/rollout',
  /** Pods of namespaces labelled `sluice.dev/inject=sidecar`: the sidecar unless the Pod's annotation says `node`. */
  podsSidecar: '/mutate/pods/sidecar',
  /** Pods of namespaces labelled `sluice.dev/inject=node`: marked for the node proxy unless the annotation says `sidecar`. */
  podsNode: '/mutate/pods/node',
  /** Pods outside opted-in namespaces that carry the label `sluice.dev/inject`: its value decides. */
  podsLabelled: '/mutate/pods/labelled',
  healthz: '/healthz',
} as const;

export const WEBHOOK_CONFIGURATIONS = { validating: 'sluice-l7policies', mutating: 'sluice-pods' } as const;

export const WEBHOOKS = {
  policy: 'l7policies.sluice.dev',
  rollout: 'rollout.l7policies.sluice.dev',
  podsSidecar: 'sidecar.pods.sluice.dev',
  podsNode: 'node.pods.sluice.dev',
  podsLabelled: 'labelled.pods.sluice.dev',
} as const;

/** On a namespace: opts its Pods in (`sidecar` or `node`). On a Pod outside such a namespace: opts that Pod in. */
export const INJECT_LABEL = 'sluice.dev/inject';
/** On a namespace: `audit-first` requires every policy to run in audit before it may enforce. */
export const ROLLOUT_LABEL = 'sluice.dev/rollout';
export const AUDIT_FIRST = 'audit-first';

/**
 * On a Pod: `sidecar`, `node` or `grpc-proxyless` (a gRPC service that is its own xDS client: no
 * proxy). Written by the webhook; a Pod may set it to choose within an opted-in namespace. The
 * controller's inventory reads it (k8s/controller/workloads.ts).
 */
export const PROXY_ANNOTATION = 'sluice.dev/proxy';

export type ProxyMode = 'sidecar' | 'node' | 'grpc-proxyless';
export const PROXY_MODES: readonly ProxyMode[] = ['sidecar', 'node', 'grpc-proxyless'];

export function isProxyMode(text: unknown): text is ProxyMode {
  return text === 'sidecar' || text === 'node' || text === 'grpc-proxyless';
}

/**
 * The sidecar's container name. The node agent finds this container in a Pod's status, puts its
 * cgroup into the proxy cgroups (never redirected), and the name is reserved: a Pod that brings
 * its own container of that name is refused.
 */
export const SIDECAR_CONTAINER = 'sluice-proxy';

/** The policy group, version and kind the validating webhooks accept. */
export const POLICY_GVK = { group: 'sluice.dev', version: 'v1alpha1', kind: 'L7Policy' } as const;
