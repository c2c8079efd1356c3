/**
 * The mutating webhook for Pods: opts a Pod in to sluice, as a sidecar-fronted workload (the
 * Envoy sidecar injected, sidecar.ts) or as a workload of its node's proxy (marked with the
 * annotation `sluice.dev/proxy: node`, which the controller's inventory reads), or as a proxyless
 * gRPC service (`grpc-proxyless`: the annotation only, no proxy). Which one: the
 * Pod's annotation `sluice.dev/proxy` when it has one, else the namespace's label (the path the
 * API server calls says which: one webhook per label value), else the Pod's own label
 * `sluice.dev/inject`. The answer is a JSON Patch; nothing else of the Pod changes.
 *
 * Refused: a Pod whose annotation names no mode (a typo must not leave a workload unprotected),
 * a `hostNetwork` Pod (its traffic is the node's: no per-Pod proxy can front it), and a Pod that
 * brings its own `sluice-proxy` container that is not the one this webhook injects (the name
 * tells the node agent which cgroup never to redirect).
 */
import { pointer, pointerToken, type JsonPatchOperation } from './json-patch.js';
import { INJECT_LABEL, isProxyMode, PROXY_ANNOTATION, SIDECAR_CONTAINER, type ProxyMode } from './names.js';
import { describe, isRecord, wrongKind, type AdmissionRequest, type Verdict } from './review.js';
import { sidecarContainer, type SidecarOptions } from './sidecar.js';

const POD_GVK = { group: '', version: 'v1', kind: 'Pod' } as const;

/** Where the mode comes from when the Pod's annotation does not say: the namespace's label, or the Pod's label. */
export type ModeSource = { readonly kind: 'namespace'; readonly mode: ProxyMode } | { readonly kind: 'pod-label' };

function strings(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

function list(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

function refuse(field: string, message: string, code = 422): Verdict {
  return { allowed: false, status: { code, reason: code === 422 ? 'Invalid' : 'Forbidden', message: `${field}: ${message}`, details: { causes: [{ field, message, reason: code === 422 ? 'FieldValueInvalid' : 'Forbidden' }] } } };
}

/** The mode of this Pod, or a denial saying which field is wrong. */
export function podMode(pod: Record<string, unknown>, source: ModeSource): ProxyMode | Verdict {
  const metadata = strings(pod['metadata']);
  const annotation = strings(metadata['annotations'])[PROXY_ANNOTATION];
  const field = (map: string, key: string) => `metadata.${map}[${JSON.stringify(key)}]`;
  if (annotation !== undefined) {
    if (isProxyMode(annotation)) return annotation;
    return refuse(field('annotations', PROXY_ANNOTATION), `expected "sidecar", "node" or "grpc-proxyless", got ${describe(annotation)} (this Pod is opted in to sluice; the annotation only chooses how)`);
  }
  if (source.kind === 'namespace') return source.mode;
  const label = strings(metadata['labels'])[INJECT_LABEL];
  if (isProxyMode(label)) return label;
  return refuse(field('labels', INJECT_LABEL), `expected "sidecar", "node" or "grpc-proxyless", got ${describe(label)}`);
}

/** The container this webhook injected, after the API server's defaulting (which adds fields but keeps these). */
function isOurs(existing: unknown, ours: ReturnType<typeof sidecarContainer>): boolean {
  const c = strings(existing);
  return c['image'] === ours.image && JSON.stringify(c['command']) === JSON.stringify(ours.command) && JSON.stringify(c['args']) === JSON.stringify(ours.args) && c['restartPolicy'] === 'Always';
}

/** Decides one Pod CREATE. */
export function mutatePod(request: AdmissionRequest, source: ModeSource, sidecar: SidecarOptions = {}): Verdict {
  const { group, version, kind } = request.kind;
  if (group !== POD_GVK.group || version !== POD_GVK.version || kind !== POD_GVK.kind) return wrongKind(POD_GVK, request.kind);
  if (request.operation !== 'CREATE' || request.subResource) return { allowed: true };
  const pod = strings(request.object);
  const spec = strings(pod['spec']);
  const mode = podMode(pod, source);
  if (typeof mode !== 'string') return mode;
  if (spec['hostNetwork'] === true) return refuse('spec.hostNetwork', 'a hostNetwork Pod shares the node\'s network, so sluice cannot front it with a proxy; run it in a namespace that is not opted in', 403);

  const metadata = strings(pod['metadata']);
  const patch: JsonPatchOperation[] = [];
  const annotations = metadata['annotations'];
  if (!isRecord(annotations)) patch.push({ op: 'add', path: pointer(['metadata', 'annotations']), value: { [PROXY_ANNOTATION]: mode } });
  else if (annotations[PROXY_ANNOTATION] !== mode) patch.push({ op: 'add', path: `/metadata/annotations/${pointerToken(PROXY_ANNOTATION)}`, value: mode });

  const container = sidecarContainer(sidecar);
  const all = [...list(spec['initContainers']), ...list(spec['containers']), ...list(spec['ephemeralContainers'])];
  const existing = all.find((c) => strings(c)['name'] === SIDECAR_CONTAINER);
  if (existing !== undefined) {
    // A second call (reinvocation) sees the sidecar it injected: nothing more to do.
    if (mode === 'sidecar' && isOurs(existing, container)) return { allowed: true, ...(patch.length > 0 ? { patch } : {}) };
    return refuse(`spec: container "${SIDECAR_CONTAINER}"`, `the name ${SIDECAR_CONTAINER} is reserved for sluice's proxy (its cgroup is never redirected); rename the container`, 403);
  }
  if (mode === 'sidecar') {
    const init = spec['initContainers'];
    // First, so it runs before the other init containers, whose connections it fronts too.
    patch.push(Array.isArray(init) ? { op: 'add', path: '/spec/initContainers/0', value: container } : { op: 'add', path: '/spec/initContainers', value: [container] });
  }
  return { allowed: true, patch };
}
