/**
 * `sluice controller`, composed: in every replica, the Kubernetes source (informers) feeding the
 * same policy runtime as `sluice serve`, the xDS server over its snapshot cache, the persisted
 * last good state, and the admin endpoint; on the replica that holds the Lease, the status writer
 * (with the other replicas' ACKs). Every decision is in the modules it wires; everything it needs
 * is injected (API clients, addresses, clock, logger), so tests and the benchmark run it
 * in-process, several replicas side by side.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { formatHostPort } from '../../ip/index.js';
import { AUDIT_WINDOW_MS, catalogFingerprint, PolicyRuntime, restoreState, runtimeMetrics, SecretsInForce, StateStore, fingerprintOf, type ServeFlowsOptions } from '../../controller/index.js';
import { startFlows, type Flows } from '../../flows/index.js';
import { DEFAULT_PARSE_LIMITS, EMPTY_SECRET_CATALOG, hostOfAgent, LoadCache, loadSources, secretReferences, type Policy, type SecretCatalog } from '../../policy-compiler/index.js';
import { Registry, type Logger } from '../../telemetry/index.js';
import { SnapshotCache, XdsServer, type NodeStatus } from '../../xds-server/index.js';
import { defaultEnv } from '../../certs/index.js';
import { startStandalone, type KubeApi, type SidecarOptions, type WebhookServer } from '../admission/index.js';
import { flowsWouldDeny, runtimeView } from './webhook-view.js';
import { startControllerAdmin, type ControllerAdmin } from './admin.js';
import { KubeSource } from './kube-source.js';
import { LeaderElector } from './leader.js';
import { Disconnects } from './disconnects.js';
import { mergeNodeStatuses, peerAddresses, pollPeerNodes, type PeerAddress } from './peers.js';
import { ReportedNetnsLinks } from './netns-links.js';
import { secretRef } from './secrets.js';
import { StatusView } from './status-view.js';
import { StatusWriter } from './status-writer.js';
import { startWebhookCaSync, type WebhookCaSync } from './webhook-ca.js';
import { placeholderCertificate, startWebhookCertificates, webhookServingNames, type WebhookCertificates, type WebhookIssueSettings } from './webhook-certs/index.js';
import type { ProxyPortsOf } from './workloads.js';

export interface ControllerOptions {
  /** The API server, twice: raw requests (lists, status, the Lease) and the informers' watches. */
  readonly api: KubeApi;
  readonly kubeconfig: KubeConfig;
  readonly xds: { readonly host: string; readonly port: number };
  readonly admin: { readonly host: string; readonly port: number };
  readonly logger: Logger;
  readonly now?: () => number;
  readonly stateDir?: string;
  /** This replica (its Pod name) and where its Lease and Service are. */
  readonly identity: string;
  readonly namespace: string;
  readonly leaseName?: string;
  readonly leaseDurationMs?: number;
  /** The Service whose EndpointSlices list the replicas (port `admin`); the leader reads their ACKs. */
  readonly peerService?: string;
  /** This replica's admin address as the EndpointSlices list it (to leave itself out). */
  readonly advertise?: { readonly host: string; readonly port: number };
  readonly status?: { readonly perPolicyMs?: number; readonly qps?: number; readonly burst?: number };
  readonly debounceMs?: number;
  readonly maxDelayMs?: number;
  /**
   * How long a compile waits for the Secrets its policies reference to be listed (default 5 s):
   * a Secret not read yet is never compiled as missing while it may exist. After that, the compile
   * goes ahead; the TLS ports that need it refuse connections until it is read.
   */
  readonly secretSyncMs?: number;
  readonly probeMs?: number;
  /** The listener ports of every Envoy (node proxies and sidecars); default 15006 and 15001. */
  readonly proxyPorts?: ProxyPortsOf;
  /**
   * Node agents (`sluice node-agent`) program each node's redirects: their ACKs count in status,
   * and inbound rules of Pods, which nothing steers, are Bypassed (status-view.ts). Default true;
   * false only where something else steers the traffic into the proxies (status then vouches for
   * the proxies' ACKs alone).
   */
  readonly nodeAgents?: boolean;
  /** The flows the proxies report on the xDS port (as `serve`: Envoy's gRPC access log, the Kafka enforcers' pushes). */
  readonly flows?: ServeFlowsOptions;
  /** On the leader: keep the webhook configurations' caBundle equal to this CA (webhook-ca.ts). */
  readonly webhookCa?: { readonly read: () => string | undefined; readonly everyMs?: number };
  /**
   * Serve the admission webhooks in this process too (`sluice webhook`'s server), validating
   * against this replica's informers, over TLS from a directory (`tlsDir`: a mounted
   * kubernetes.io/tls Secret someone else issues) or from the serving Secret the leader issues
   * and rotates (`issue`: webhook-certs/). Exactly one of the two.
   */
  readonly webhook?: {
    readonly listen: { readonly host: string; readonly port: number };
    readonly tlsDir?: string;
    readonly issue?: WebhookIssueSettings;
    readonly reloadIntervalMs?: number;
    readonly rollout?: { readonly minAuditMs?: number };
    /** How long the rollout guard waits for each other replica's would-deny flows (default 1 s; peer-flows.ts). */
    readonly peerFlowsTimeoutMs?: number;
    readonly sidecar?: SidecarOptions;
  };
  /** How long a disconnected proxy's ACKs still count (disconnects.ts). */
  readonly disconnectGraceMs?: number;
}

export interface Controller {
  readonly xdsPort: number;
  readonly adminPort: number;
  readonly runtime: PolicyRuntime;
  readonly xds: XdsServer;
  readonly cache: SnapshotCache;
  readonly source: KubeSource;
  readonly leader: LeaderElector;
  readonly writer: StatusWriter;
  readonly view: StatusView;
  readonly flows: Flows;
  /** The admission webhooks' port, when `webhook` was given. */
  readonly webhookPort: number | undefined;
  /** Applies what the informers hold now, the inventory built anew (the debounce does it by itself). */
  reconcile(): boolean;
  close(options?: { release?: boolean }): Promise<void>;
}

export const DEFAULT_LEASE = 'sluice-controller';
/** ACKs and NACKs arrive in bursts (every proxy after a push): status is recomputed once they settle, not once per ACK. */
const ACK_SETTLE_MS = 250;

export async function startController(o: ControllerOptions): Promise<Controller> {
  if (o.webhook && (o.webhook.tlsDir === undefined) === (o.webhook.issue === undefined)) throw new Error('webhook: give one of tlsDir and issue');
  if (o.webhook?.issue && o.webhookCa) throw new Error('webhook.issue publishes the caBundle itself: webhookCa does not go with it');
  const logger = o.logger;
  const now = o.now ?? Date.now;
  const registry = new Registry();
  const cache = new SnapshotCache({ logger: logger.child({ component: 'cache' }) });
  let current: PolicyRuntime | undefined;
  const flows = startFlows({ ...o.flows, registry, logger, now, inventory: () => current?.state().inventory.inventory, ir: () => current?.state().output?.ir });
  const xds = new XdsServer({ cache, logger: logger.child({ component: 'xds' }), registry, services: [(server) => flows.register(server)] });
  // One parse cache for the runtime and the Secret references read below: each source is parsed once.
  const metrics = runtimeMetrics(registry);
  const loads = new LoadCache(() => metrics.filesParsed.inc());
  const runtime = new PolicyRuntime({ cache, logger: logger.child({ component: 'runtime' }), metrics, now, loads });
  current = runtime;
  const store = o.stateDir !== undefined ? new StateStore(o.stateDir, logger.child({ component: 'state' })) : undefined;
  // The secrets in force: the referenced Secrets judged, the last good version of each kept (controller/secrets/in-force.ts).
  let secrets: SecretsInForce | undefined;
  let catalog: SecretCatalog = EMPTY_SECRET_CATALOG;
  let peerNodes: NodeStatus[][] = [];
  const leader = new LeaderElector({
    api: o.api,
    lease: { namespace: o.namespace, name: o.leaseName ?? DEFAULT_LEASE },
    identity: o.identity,
    ...(o.leaseDurationMs !== undefined ? { durationMs: o.leaseDurationMs } : {}),
    now,
    logger: logger.child({ component: 'leader' }),
    onChange: (leading) => {
      view.invalidate();
      if (leading) {
        writer.mark(view.keys());
        webhookCa?.kick();
        webhookCerts?.kick();
      }
    },
  });
  const webhookCa: WebhookCaSync | undefined = o.webhookCa
    ? startWebhookCaSync({ api: o.api, read: o.webhookCa.read, leading: () => leader.isLeading(), logger: logger.child({ component: 'webhook-ca' }), ...(o.webhookCa.everyMs !== undefined ? { everyMs: o.webhookCa.everyMs } : {}) })
    : undefined;
  const disconnects = new Disconnects(o.disconnectGraceMs);
  const ownNodes = () => disconnects.live(xds.status(), now());
  const nodes = () => (leader.isLeading() ? mergeNodeStatuses([ownNodes(), ...peerNodes]) : ownNodes());
  /** What the agents reported linked, from this replica's streams and the others'. */
  const netnsLinks = new ReportedNetnsLinks();
  const linkReports = () => mergeNodeStatuses([xds.status(), ...peerNodes]);
  let source: KubeSource | undefined;
  const view: StatusView = new StatusView({
    runtime,
    cache,
    nodes,
    secrets: () => source?.secretStates() ?? [],
    catalog: () => catalog,
    // The version in force and the newest one read (a rejected policy has none in force, and its status still names its Secrets).
    secretsOf: (key) => {
      const versions = [runtime.state().policies.get(key)?.policy, loadedByKey.get(key)].filter((p): p is Policy => p !== undefined);
      return secretReferences(versions).map(secretRef);
    },
    now,
    audit: (keys) => flows.wouldDeny(keys, now() - AUDIT_WINDOW_MS),
    nodeAgents: o.nodeAgents ?? true,
  });
  const writer: StatusWriter = new StatusWriter({
    api: o.api,
    logger: logger.child({ component: 'status' }),
    object: (key) => source?.policyObject(key),
    desired: (key, object) => view.desired(key, object),
    active: () => leader.isLeading(),
    ...o.status,
    now,
  });

  // Changes arrive as bursts (a list, many Pods at once): one apply after `debounceMs` of quiet, and at least one every `maxDelayMs`.
  let quiet: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let lastRead: string | undefined;
  let secretWait: NodeJS.Timeout | undefined;
  /** Since when each referenced Secret has been waited for (its first list). */
  const pendingSince = new Map<string, number>();
  let loadedByKey = new Map<string, Policy>();
  const inForce = () => [...runtime.state().policies.values()].flatMap((e): Policy[] => (e.policy ? [e.policy] : []));
  const reconcile = (): boolean => {
    clearTimeout(quiet);
    clearTimeout(deadline);
    clearTimeout(secretWait);
    quiet = deadline = secretWait = undefined;
    const kube = source;
    netnsLinks.update(linkReports());
    const read = kube?.read(netnsLinks.links());
    if (!kube || !secrets || !read) return false;
    // The Secrets of the policies read now (a new policy whose Secret is missing is followed, so
    // that creating the Secret compiles it) and of those in force (a stale policy's last good version).
    const loaded = loadSources(read.files, DEFAULT_PARSE_LIMITS, loads).policies;
    loadedByKey = new Map(loaded.map((p) => [p.key, p]));
    kube.followSecrets(secretReferences([...loaded, ...inForce()]));
    const pending = kube.pendingSecrets();
    for (const key of [...pendingSince.keys()]) if (!pending.includes(key)) pendingSince.delete(key);
    for (const key of pending) if (!pendingSince.has(key)) pendingSince.set(key, now());
    const left = Math.max(0, ...[...pendingSince.values()].map((since) => since + (o.secretSyncMs ?? 5000) - now()));
    if (left > 0) {
      // Their first list reconciles again sooner (onSecretsChange).
      secretWait = setTimeout(reconcile, left);
      return false;
    }
    if (pending.length > 0) logger.warn('Secrets policies reference are not read yet: compiling without them; the TLS ports that need them refuse connections', { component: 'secrets', pending });
    const judged = secrets.read(new Date(now()));
    const fingerprint = fingerprintOf(read) + catalogFingerprint(judged.catalog);
    catalog = judged.catalog;
    if (fingerprint === lastRead) return false;
    lastRead = fingerprint;
    for (const problem of judged.problems) logger.warn('a Secret is not usable', { component: 'secrets', problem });
    const result = runtime.apply({ ...read, secrets: judged.catalog });
    if (result.published && store) store.save(runtime.lastGoodState());
    view.setApplied({ generations: read.generations, hostNetwork: read.hostNetwork });
    kube.followSecrets(secretReferences([...loaded, ...inForce()]));
    writer.mark(read.generations.keys());
    return true;
  };
  const changed = () => {
    clearTimeout(quiet);
    quiet = setTimeout(reconcile, o.debounceMs ?? 100);
    deadline ??= setTimeout(reconcile, o.maxDelayMs ?? 1000);
  };
  // A Secret a policy references is compiled (its certificates and keys are served over SDS), and status notes say what became of it.
  source = new KubeSource({ kubeconfig: o.kubeconfig, api: o.api, logger: logger.child({ component: 'kube' }), onChange: changed, onSecretsChange: () => {
    changed();
    proxiesChanged();
  }, ...(o.probeMs !== undefined ? { probeMs: o.probeMs } : {}), ...(o.proxyPorts ? { proxyPorts: o.proxyPorts } : {}), now });

  secrets = new SecretsInForce(source.secretSource);

  // What proxies did changes what status says.
  let ackTimer: NodeJS.Timeout | undefined;
  const graceTimers = new Set<NodeJS.Timeout>();
  const proxiesChanged = () => {
    clearTimeout(ackTimer);
    ackTimer = setTimeout(() => {
      view.invalidate();
      writer.mark(view.keys());
    }, ACK_SETTLE_MS);
  };
  const unsubscribe = xds.on((e) => {
    // An agent's report of the Pods it linked changes what its node proxy is served.
    if ((e.kind === 'metadata' || e.kind === 'connect') && hostOfAgent(e.nodeId) !== undefined && netnsLinks.update(linkReports())) changed();
    if (e.kind === 'request' || e.kind === 'response') return;
    const graceEnds = disconnects.observe(e);
    if (graceEnds !== undefined) {
      const t = setTimeout(() => {
        graceTimers.delete(t);
        proxiesChanged();
      }, graceEnds + 10);
      t.unref();
      graceTimers.add(t);
    }
    proxiesChanged();
  });

  // The other replicas' admin endpoints; undefined before the EndpointSlices are read.
  const otherReplicas = (service: string): PeerAddress[] | undefined => {
    const slices = source?.endpointSlices();
    const self = o.advertise ?? { host: o.admin.host, port: adminPort };
    return slices ? peerAddresses(slices, o.namespace, service, self) : undefined;
  };
  // Every replica reads the other replicas' nodes: the leader for their ACKs (status), each for the agents' netns-link reports.
  const onPeerNodes = (lists: NodeStatus[][]) => {
    peerNodes = lists;
    if (netnsLinks.update(linkReports())) changed();
    if (!leader.isLeading()) return;
    view.invalidate();
    writer.mark(view.keys());
  };
  let peersPoll: { stop(): void } | undefined;

  // The last good state first: with the API server away at start-up, proxies still get what was in force.
  const restored = restore(store, runtime, logger);
  let xdsPort: number;
  let adminPort = 0;
  let admin: ControllerAdmin;
  try {
    xdsPort = await xds.listen(formatHostPort(o.xds.host, o.xds.port));
    admin = await startControllerAdmin({ host: o.admin.host, port: o.admin.port, runtime, cache, nodes: ownNodes, source, catalog: () => catalog, leader, writer, view, registry, restored, flowRoutes: flows.routes, logger: logger.child({ component: 'admin' }), now });
    adminPort = admin.port;
  } catch (error) {
    await xds.close();
    await flows.close();
    throw error;
  }
  const stopWebhook = new AbortController();
  let webhookServer: WebhookServer | undefined;
  let webhookCerts: WebhookCertificates | undefined;
  if (o.webhook) {
    const w = o.webhook;
    const env = defaultEnv();
    // Without a Service of replicas, this replica is the only one.
    const service = o.peerService;
    const replicaFlows = service !== undefined ? { self: `replica ${o.identity}`, peers: () => otherReplicas(service), ...(w.peerFlowsTimeoutMs !== undefined ? { timeoutMs: w.peerFlowsTimeoutMs } : {}) } : undefined;
    try {
      const tls = w.issue ? { kind: 'given' as const, certificate: await placeholderCertificate(webhookServingNames(o.namespace, w.issue), env) } : { kind: 'dir' as const, dir: w.tlsDir ?? '' };
      webhookServer = await startStandalone({
        listen: w.listen, tls, inventory: '', policyDirs: [], syncCaBundle: false,
        reloadIntervalMs: w.reloadIntervalMs ?? 10_000, view: runtimeView(runtime),
        deps: { rollout: { now, ...(w.rollout?.minAuditMs !== undefined ? { minAuditMs: w.rollout.minAuditMs } : {}), wouldDenyFlows: flowsWouldDeny(flows, replicaFlows) }, ...(w.sidecar ? { sidecar: w.sidecar } : {}) },
      }, env, logger.child({ component: 'webhook' }), stopWebhook.signal);
      if (w.issue) {
        const server = webhookServer;
        webhookCerts = startWebhookCertificates({ api: o.api, namespace: o.namespace, settings: w.issue, env, leading: () => leader.isLeading(), logger: logger.child({ component: 'webhook-certs' }), server });
      }
    } catch (error) {
      stopWebhook.abort();
      await admin.close();
      await xds.close();
      await flows.close();
      throw error;
    }
  }
  source.start();
  leader.start();
  const peerService = o.peerService;
  if (peerService) peersPoll = pollPeerNodes({ peers: () => otherReplicas(peerService) ?? [], onNodes: onPeerNodes, logger });
  logger.info('sluice controller started', { identity: o.identity, xds: formatHostPort(o.xds.host, xdsPort), admin: formatHostPort(o.admin.host, adminPort), restored: restored.policies });
  const kube = source;
  return {
    xdsPort,
    adminPort,
    runtime,
    xds,
    cache,
    source: kube,
    leader,
    writer,
    view,
    flows,
    webhookPort: webhookServer?.port,
    reconcile: () => {
      kube.invalidate();
      return reconcile();
    },
    async close(options = {}) {
      clearTimeout(quiet);
      clearTimeout(deadline);
      clearTimeout(secretWait);
      clearTimeout(ackTimer);
      peersPoll?.stop();
      for (const t of graceTimers) clearTimeout(t);
      unsubscribe();
      writer.close();
      webhookCa?.close();
      webhookCerts?.close();
      stopWebhook.abort();
      await webhookServer?.close();
      kube.close();
      await leader.stop({ release: options.release ?? true });
      await admin.close();
      await xds.close();
      await flows.close();
    },
  };
}

/** The persisted last good state, applied at once: proxies get what was in force even before the first list. */
function restore(store: StateStore | undefined, runtime: PolicyRuntime, logger: Logger): { policies: number } {
  const loaded = store?.load();
  if (!store || !loaded?.state) {
    if (loaded?.problem) logger.error('the state file is ignored', { file: store?.file, problem: loaded.problem.message });
    return { policies: 0 };
  }
  const restored = restoreState(loaded.state, store.file);
  runtime.restore(restored);
  const texts = new Map<string, string>();
  for (const p of loaded.state.policies) texts.set(p.file, p.text);
  if (loaded.state.inventory) texts.set(loaded.state.inventory.file, loaded.state.inventory.text);
  runtime.apply({ files: [...texts].map(([name, text]) => ({ name, text })), readDiagnostics: [] });
  logger.info('last good state restored and served until the API server is read', { file: store.file, policies: restored.policies.size });
  return { policies: restored.policies.size };
}

/** A KubeConfig for the informers from a kubeconfig text (the current context), or from the Pod's service account. */
export function kubeConfigFrom(source: { readonly kind: 'text'; readonly text: string } | { readonly kind: 'in-cluster' }): KubeConfig {
  const kc = new KubeConfig();
  if (source.kind === 'text') kc.loadFromString(source.text);
  else kc.loadFromCluster();
  return kc;
}
