/**
 * The few fields of the Kubernetes objects the controller reads, taken from their JSON (as the
 * API server lists and watches them) without trusting its shape: every reader returns a plain,
 * typed value, and a field of the wrong type reads as absent. No client library type leaks past
 * this file: the rest of the controller sees these views.
 */
import { objectKey } from '../../policy-compiler/index.js';
import { SIDECAR_CONTAINER } from '../admission/names.js';

export type Labels = Readonly<Record<string, string>>;

export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly resourceVersion: string;
  readonly generation: number;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly creationTimestamp: string;
  readonly deleting: boolean;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function field(v: unknown, ...path: string[]): unknown {
  let at = v;
  for (const p of path) at = isRecord(at) ? at[p] : undefined;
  return at;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): readonly unknown[] => (Array.isArray(v) ? v : []);

function stringMap(v: unknown): Labels {
  if (!isRecord(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export function metaOf(object: unknown): ObjectMeta {
  const m = field(object, 'metadata');
  const generation = field(m, 'generation');
  return {
    name: text(field(m, 'name')) ?? '',
    namespace: text(field(m, 'namespace')) ?? '',
    uid: text(field(m, 'uid')) ?? '',
    resourceVersion: text(field(m, 'resourceVersion')) ?? '',
    generation: typeof generation === 'number' && Number.isInteger(generation) ? generation : 0,
    labels: stringMap(field(m, 'labels')),
    annotations: stringMap(field(m, 'annotations')),
    creationTimestamp: text(field(m, 'creationTimestamp')) ?? '',
    deleting: text(field(m, 'deletionTimestamp')) !== undefined,
  };
}

export interface ContainerPort {
  readonly port: number;
  readonly name?: string;
}

export interface PodView {
  readonly meta: ObjectMeta;
  readonly nodeName?: string;
  readonly hostNetwork: boolean;
  readonly phase?: string;
  /** `status.podIPs`, else `status.podIP`. */
  readonly ips: readonly string[];
  /** TCP ports of its containers and native sidecars, in order, with the container they belong to. */
  readonly ports: readonly (ContainerPort & { readonly container: string })[];
  /** The ids of its proxy containers (the injected sidecar) as its status names them, without the runtime prefix. */
  readonly proxyContainerIds: readonly string[];
}

/** `containerd://abc…` → `abc…`. */
function containerIdOf(status: unknown): string | undefined {
  const id = text(field(status, 'containerID'));
  const bare = id?.includes('://') ? id.slice(id.indexOf('://') + 3) : id;
  return bare && /^[0-9a-zA-Z_.-]{1,128}$/.test(bare) ? bare : undefined;
}

function tcpPorts(container: unknown): ContainerPort[] {
  return list(field(container, 'ports')).flatMap((p) => {
    const port = field(p, 'containerPort');
    const protocol = text(field(p, 'protocol')) ?? 'TCP';
    if (protocol !== 'TCP' || typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return [];
    const name = text(field(p, 'name'));
    return [{ port, ...(name ? { name } : {}) }];
  });
}

export function podOf(object: unknown): PodView {
  const spec = field(object, 'spec');
  const status = field(object, 'status');
  const ips = list(field(status, 'podIPs')).flatMap((p) => {
    const ip = text(field(p, 'ip'));
    return ip ? [ip] : [];
  });
  const single = text(field(status, 'podIP'));
  const containers = [
    // Native sidecars (init containers that keep running) serve ports too.
    ...list(field(spec, 'initContainers')).filter((c) => field(c, 'restartPolicy') === 'Always'),
    ...list(field(spec, 'containers')),
  ];
  const nodeName = text(field(spec, 'nodeName'));
  const phase = text(field(status, 'phase'));
  return {
    meta: metaOf(object),
    ...(nodeName ? { nodeName } : {}),
    hostNetwork: field(spec, 'hostNetwork') === true,
    ...(phase ? { phase } : {}),
    ips: ips.length > 0 ? ips : single ? [single] : [],
    ports: containers.flatMap((c) => tcpPorts(c).map((p) => ({ ...p, container: text(field(c, 'name')) ?? '' }))),
    proxyContainerIds: [...list(field(status, 'initContainerStatuses')), ...list(field(status, 'containerStatuses'))]
      .filter((c) => text(field(c, 'name')) === SIDECAR_CONTAINER)
      .flatMap((c) => containerIdOf(c) ?? []),
  };
}

export interface ServicePortView {
  readonly port: number;
  readonly name: string;
}

export interface ServiceView {
  readonly meta: ObjectMeta;
  readonly externalName: boolean;
  readonly ports: readonly ServicePortView[];
}

export function serviceOf(object: unknown): ServiceView {
  const spec = field(object, 'spec');
  const ports = list(field(spec, 'ports')).flatMap((p) => {
    const port = field(p, 'port');
    if ((text(field(p, 'protocol')) ?? 'TCP') !== 'TCP' || typeof port !== 'number') return [];
    return [{ port, name: text(field(p, 'name')) ?? '' }];
  });
  return { meta: metaOf(object), externalName: field(spec, 'type') === 'ExternalName', ports };
}

export interface EndpointSliceView {
  readonly meta: ObjectMeta;
  /** The Service it belongs to (label `kubernetes.io/service-name`). */
  readonly service?: string;
  readonly addressType: string;
  readonly ports: readonly { readonly name: string; readonly port: number }[];
  /** Addresses of the endpoints that are ready (an endpoint without conditions is ready). */
  readonly ready: readonly string[];
  /**
   * Addresses of the endpoints that serve: the ready ones and those terminating while they still
   * serve (`serving` is `ready` without the terminating state; an endpoint without it serves when ready).
   */
  readonly serving: readonly string[];
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function endpointSliceOf(object: unknown): EndpointSliceView {
  const meta = metaOf(object);
  const ports = list(field(object, 'ports')).flatMap((p) => {
    const port = field(p, 'port');
    if ((text(field(p, 'protocol')) ?? 'TCP') !== 'TCP' || typeof port !== 'number') return [];
    return [{ name: text(field(p, 'name')) ?? '', port }];
  });
  const endpoints = list(field(object, 'endpoints'));
  const addresses = (e: unknown) => list(field(e, 'addresses')).flatMap((a) => (typeof a === 'string' ? [a] : []));
  const isReady = (e: unknown) => field(e, 'conditions', 'ready') !== false;
  const ready = endpoints.flatMap((e) => (isReady(e) ? addresses(e) : []));
  const serving = endpoints.flatMap((e) => {
    const s = field(e, 'conditions', 'serving');
    return (typeof s === 'boolean' ? s : isReady(e)) ? addresses(e) : [];
  });
  const service = meta.labels[SERVICE_NAME_LABEL];
  return { meta, ...(service ? { service } : {}), addressType: text(field(object, 'addressType')) ?? '', ports, ready, serving };
}

/** `namespace/name` of an object. */
export function keyOf(meta: Pick<ObjectMeta, 'namespace' | 'name'>): string {
  return objectKey(meta.namespace, meta.name);
}
