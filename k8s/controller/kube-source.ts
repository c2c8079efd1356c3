/**
 * The Kubernetes source of the runtime's documents (controller/source.ts): informers on L7Policy,
 * Pods, Services, EndpointSlices and Namespaces, plus the Secrets the policies reference. A read
 * is every L7Policy as its own document (`k8s://<namespace>/<name>`) and the inventory built from
 * the rest (workloads.ts), so the runtime keeps the last good version of each policy exactly as it
 * does for files. Nothing is read before every informer has listed once: an empty cache would
 * otherwise look like every policy deleted.
 *
 * Whether the API server can be reached is watched too (a `GET /version` every `probeMs`, and the
 * informers' failures): while it cannot, the caches and so the configuration stay as they were.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeApi } from '../admission/kube-api.js';
import type { SourceRead, DocumentSource, SecretSource } from '../../controller/index.js';
import type { Logger } from '../../telemetry/index.js';
import { Informer, type InformerStats } from './informer.js';
import { metaOf, podOf, type Labels } from './objects.js';
import { policySources } from './policy-objects.js';
import { objectKey, parseObjectKey } from '../../policy-compiler/index.js';
import { SecretWatch, type SecretState } from './secrets.js';
import { clusterInventory, inventorySourceFile, type HostNetworkPod, type ProxyPortsOf } from './workloads.js';

export const POLICY_PATH = '/apis/sluice.dev/v1alpha1/l7policies';

const KINDS = {
  policies: POLICY_PATH,
  pods: '/api/v1/pods',
  services: '/api/v1/services',
  endpointSlices: '/apis/discovery.k8s.io/v1/endpointslices',
  namespaces: '/api/v1/namespaces',
} as const;

export type WatchedKind = keyof typeof KINDS;

/**
 * What the read uses of each kind, so that updates that change nothing of it are not signalled:
 * a policy's generation (its spec: never the status this controller writes), and a Pod as the
 * inventory sees it (labels, annotations, addresses, phase, node, ports; not its conditions).
 */
const CHANGE_KEYS: Partial<Record<WatchedKind, (o: unknown) => string>> = {
  policies: (o) => String(metaOf(o).generation),
  pods: (o) => JSON.stringify(podOf(o)),
};

export interface KubeRead extends SourceRead {
  /** Per policy key, the generation its document came from. */
  readonly generations: ReadonlyMap<string, number>;
  readonly hostNetwork: readonly HostNetworkPod[];
  /** The stored objects by key (for status: their resourceVersion and current status). */
  readonly objects: ReadonlyMap<string, unknown>;
  /** The EndpointSlices read (peer discovery reads the controller's own Service from them). */
  readonly endpointSlices: readonly unknown[];
}

export interface ApiHealth {
  readonly reachable: boolean;
  /** When the API server last answered (this replica's clock). */
  readonly lastContact?: number;
  /** Since when it cannot be reached. */
  readonly unreachableSince?: number;
  readonly lastError?: string;
}

export interface KubeSourceOptions {
  readonly kubeconfig: KubeConfig;
  readonly api: KubeApi;
  readonly logger: Logger;
  readonly onChange: () => void;
  /** A referenced Secret appeared, changed or went (default: `onChange`). */
  readonly onSecretsChange?: () => void;
  readonly probeMs?: number;
  readonly now?: () => number;
  readonly proxyPorts?: ProxyPortsOf;
}

export class KubeSource implements DocumentSource {
  private readonly informers: Record<WatchedKind, Informer>;
  private readonly secrets: SecretWatch;
  private health: ApiHealth = { reachable: false };
  private probe: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  /** The inventory of the last read, and the informers' revisions it was built from (5,000 Pods cost tens of ms to map). */
  private built: { readonly revisions: string; readonly inventory: ReturnType<typeof clusterInventory> } | undefined;

  constructor(private readonly o: KubeSourceOptions) {
    this.now = o.now ?? Date.now;
    const make = (name: WatchedKind) =>
      new Informer({ name, path: KINDS[name], kubeconfig: o.kubeconfig, api: o.api, logger: o.logger, onChange: o.onChange, onHealth: (ok, error) => this.mark(ok, error), ...(CHANGE_KEYS[name] ? { changeKey: CHANGE_KEYS[name] } : {}) });
    this.informers = { policies: make('policies'), pods: make('pods'), services: make('services'), endpointSlices: make('endpointSlices'), namespaces: make('namespaces') };
    this.secrets = new SecretWatch({ kubeconfig: o.kubeconfig, api: o.api, logger: o.logger, onChange: o.onSecretsChange ?? o.onChange });
  }

  start(): void {
    for (const i of Object.values(this.informers)) i.start();
    const tick = () => {
      void this.o.api.request('GET', '/version').then(
        (r) => this.mark(r.status === 200, r.status === 200 ? undefined : `GET /version: ${r.status}`),
        (error: unknown) => this.mark(false, error instanceof Error ? error.message : String(error)),
      ).finally(() => {
        this.probe = setTimeout(tick, this.o.probeMs ?? 5000);
        this.probe.unref();
      });
    };
    tick();
  }

  get synced(): boolean {
    return Object.values(this.informers).every((i) => i.isSynced);
  }

  apiHealth(): ApiHealth {
    return this.health;
  }

  stats(): Record<WatchedKind, InformerStats> {
    const out = {} as Record<WatchedKind, InformerStats>;
    for (const [k, i] of Object.entries(this.informers) as [WatchedKind, Informer][]) out[k] = i.stats();
    return out;
  }

  /** Follows exactly these Secrets (`namespace/name`: what the policies reference, `secretReferences`). */
  followSecrets(keys: readonly string[]): void {
    this.secrets.follow(keys);
  }

  /** The Secrets followed that have not been listed yet. */
  pendingSecrets(): string[] {
    return this.secrets.pending();
  }

  /** The followed Secrets as a secret source (their keys decoded), for the secrets in force. */
  get secretSource(): SecretSource {
    return this.secrets;
  }

  secretStates(): SecretState[] {
    return this.secrets.states();
  }

  /** The EndpointSlices held (where the other replicas are), without building a read; undefined before the first list. */
  endpointSlices(): readonly unknown[] | undefined {
    return this.synced ? this.informers.endpointSlices.objects() : undefined;
  }

  /** `netnsLinks`: `<node>|<pod uid>` → the link's name, of the node-mode Pods their node's agent reported linked. */
  read(netnsLinks: ReadonlyMap<string, string> = new Map()): KubeRead | undefined {
    if (!this.synced) return undefined;
    const policyObjects = this.informers.policies.objects();
    const namespaces = new Map<string, Labels>(this.informers.namespaces.objects().map((n) => [metaOf(n).name, metaOf(n).labels]));
    const endpointSlices = this.informers.endpointSlices.objects();
    const revisions = [...(['pods', 'services', 'endpointSlices', 'namespaces'] as const).map((k) => this.informers[k].revision), [...netnsLinks.values()].sort().join(',')].join('|');
    if (this.built?.revisions !== revisions) {
      const inventory = clusterInventory({ pods: this.informers.pods.objects(), services: this.informers.services.objects(), endpointSlices, namespaces, netnsLinks, ...(this.o.proxyPorts ? { proxyPorts: this.o.proxyPorts } : {}) });
      this.built = { revisions, inventory };
    }
    const inventory = this.built.inventory;
    const { files, generations } = policySources(policyObjects);
    const objects = new Map<string, unknown>(policyObjects.map((o) => [objectKey(metaOf(o).namespace, metaOf(o).name), o]));
    return { files: [...files, inventorySourceFile(inventory)], readDiagnostics: inventory.diagnostics, generations, hostNetwork: inventory.hostNetwork, objects, endpointSlices };
  }

  /** The next read builds the inventory again even if no informer changed (an injected input changed: the proxy ports). */
  invalidate(): void {
    this.built = undefined;
  }

  /** The stored object of a policy, as the informer holds it now. */
  policyObject(key: string): unknown {
    const { namespace, name } = parseObjectKey(key) ?? { namespace: '', name: '' };
    return this.informers.policies.objects().find((o) => o.metadata?.namespace === namespace && o.metadata.name === name);
  }

  close(): void {
    clearTimeout(this.probe);
    for (const i of Object.values(this.informers)) i.stop();
    this.secrets.close();
  }

  private mark(ok: boolean, error?: string): void {
    const now = this.now();
    const was = this.health.reachable;
    if (ok) this.health = { reachable: true, lastContact: now };
    else this.health = { reachable: false, ...(this.health.lastContact !== undefined ? { lastContact: this.health.lastContact } : {}), unreachableSince: was || this.health.unreachableSince === undefined ? now : this.health.unreachableSince, ...(error ? { lastError: error } : {}) };
    if (was !== ok) this.o.logger[ok ? 'info' : 'warn'](ok ? 'the API server answers again' : 'the API server cannot be reached: serving the last good configuration', { ...(error ? { error } : {}) });
  }
}
