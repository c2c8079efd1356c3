/**
 * The Envoy sidecar the Pod webhook injects. With sluice's eBPF redirection the Pod needs no
 * iptables init container and no NET_ADMIN: the node agent's cgroup programs steer the Pod's
 * traffic, and find this container (by its reserved name, `sluice-proxy`) to put its cgroup among
 * the proxy cgroups, whose connections are never redirected. The sidecar itself runs unprivileged:
 * a non-root user, no capabilities, a read-only root file system.
 *
 * It is a native sidecar (an init container with `restartPolicy: Always`, GA in Kubernetes 1.33):
 * it starts before the Pod's other containers, and does not keep a Job's Pod from completing.
 * Its bootstrap is `envoyBootstrap` (the same as `sluice bootstrap`), passed inline as
 * `--config-yaml`; the node id is `<pod>.<namespace>`, filled in by the kubelet from the downward
 * API (`$(SLUICE_POD_NAME)`), because a Pod created from `generateName` has no name yet when it is
 * admitted. The controller's inventory names a sidecar-fronted workload's proxy node the same way.
 */
import { envoyBootstrap } from '../../policy-compiler/index.js';
import { SIDECAR_CONTAINER } from './names.js';

export interface SidecarOptions {
  /** The Envoy image (default `envoyproxy/envoy:v1.40.0`, the release sluice is tested against). */
  readonly image?: string;
  /** sluice's xDS service, as the Pod reaches it (default `sluice-xds.sluice-system.svc:18000`). */
  readonly xds?: { readonly host: string; readonly port: number };
  /** Envoy's admin port, on loopback inside the Pod (default 15000). */
  readonly adminPort?: number;
  /** The UID the sidecar runs as (default 101, the envoy user of the official image). */
  readonly runAsUser?: number;
}

export const DEFAULT_SIDECAR = {
  image: 'envoyproxy/envoy:v1.40.0',
  xds: { host: 'sluice-xds.sluice-system.svc', port: 18000 },
  adminPort: 15000,
  runAsUser: 101,
} as const;

export const POD_NAME_ENV = 'SLUICE_POD_NAME';
export const POD_NAMESPACE_ENV = 'SLUICE_POD_NAMESPACE';

/** The Envoy node id of a sidecar: `<pod>.<namespace>`, as the kubelet expands it. */
export const SIDECAR_NODE_ID = `$(${POD_NAME_ENV}).$(${POD_NAMESPACE_ENV})`;

export interface Container {
  readonly name: string;
  readonly image: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly env: readonly { readonly name: string; readonly valueFrom: { readonly fieldRef: { readonly fieldPath: string } } }[];
  readonly restartPolicy: 'Always';
  readonly resources: { readonly requests: Readonly<Record<string, string>>; readonly limits: Readonly<Record<string, string>> };
  readonly securityContext: {
    readonly runAsNonRoot: true;
    readonly runAsUser: number;
    readonly runAsGroup: number;
    readonly allowPrivilegeEscalation: false;
    readonly privileged: false;
    readonly readOnlyRootFilesystem: true;
    readonly capabilities: { readonly drop: readonly ['ALL'] };
  };
}

export function sidecarContainer(o: SidecarOptions = {}): Container {
  const image = o.image ?? DEFAULT_SIDECAR.image;
  const xds = o.xds ?? DEFAULT_SIDECAR.xds;
  const user = o.runAsUser ?? DEFAULT_SIDECAR.runAsUser;
  const bootstrap = envoyBootstrap({ node: SIDECAR_NODE_ID, cluster: `$(${POD_NAMESPACE_ENV})`, xds, admin: { host: '127.0.0.1', port: o.adminPort ?? DEFAULT_SIDECAR.adminPort } });
  return {
    name: SIDECAR_CONTAINER,
    image,
    command: ['envoy'],
    args: ['--config-yaml', JSON.stringify(bootstrap), '--log-level', 'warn'],
    env: [
      { name: POD_NAME_ENV, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: POD_NAMESPACE_ENV, valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ],
    restartPolicy: 'Always',
    resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: user,
      runAsGroup: user,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
  };
}

/**
 * The kubelet's `$(VAR)` expansion of a container's args, with the variables it would set
 * (unknown ones stay as written, `$$` escapes a `$`), so tests can run what the kubelet runs.
 */
export function expandArgs(args: readonly string[], vars: Readonly<Record<string, string>>): string[] {
  return args.map((a) => a.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole: string, name: string | undefined) => (name === undefined ? '$' : vars[name] ?? whole)));
}
