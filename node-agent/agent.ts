/**
 * `sluice node-agent`'s core: the host's eBPF dataplane, attached (idempotently, as `bpf load`)
 * to the kubelet's kubepods cgroup, programmed from the host's NodeRedirects served over xDS.
 *
 * - Pods are named by UID; each is resolved to its Pod cgroup (kubepods.ts), which identifies
 *   every container of the Pod (the programs walk a caller's cgroup ancestors). A Pod whose cgroup
 *   does not exist where a kubelet layout puts it is unresolved: counted, re-resolved every
 *   `pollMs`, and reported to the controller in the node's metadata (`sluice.dev/unresolved-pods`,
 *   with why: `cgroup-not-found`, or `unknown-layout` and where), with every ACK and, when it
 *   changes between responses, in a request of its own. Status then says Bypassed for its rules.
 * - Proxy cgroups: the containers of the agent's own Pod (the node Envoy, the Kafka enforcer),
 *   found from `--pod-uid` or /proc/self/cgroup and rescanned (a restarted container has a new
 *   cgroup, registered with its listener hook; the old one's id leaves the proxy map and its link
 *   pins go: proxy-cgroups.ts); and the sidecar containers the controller names
 *   from Pod status, registered in the proxy map before any rule that could catch them.
 * - A response is applied whole or not at all: checked (resource.ts), then the dataplane's plan
 *   checks every value and changes no map when one is bad. Then ACK, else NACK with the problems.
 * - The controller away: nothing changes. The maps are pinned and keep the last good entries,
 *   across agent restarts too (a restarted agent changes nothing until it has a response).
 */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { attachDataplane, BpfError, DEFAULT_PIN_ROOT, findCgroup2Mount, openRedirectDataplane, releasePodLinks, type RedirectDataplane, type SyncResult } from '../bpf/index.js';
import { agentNodeId, formatNetnsLinks, formatUnresolvedReport, linkNameUid, NETNS_LINK_DIR, type RedirectEntry, type UnresolvedPod } from '../policy-compiler/index.js';
import { formatDiagnostic } from '../problems/index.js';
import type { Logger, Registry } from '../telemetry/index.js';
import { containerCgroupNames, containerCgroupsOf, findKubepods, ownCgroupPath, podCgroupOfProcess, resolveContainerCgroup, resolvePodCgroup, unresolvedReasons } from './kubepods.js';
import { notListening, sidecarPorts, steerPodInbound, type SteeredPod } from './pod-inbound.js';
import { resolutionFingerprint } from './resolution.js';
import { releaseProxyCgroups, staleProxyCgroups } from './proxy-cgroups.js';
import { NODE_REDIRECTS_TYPE_URL, parseNodeRedirects, type DesiredState } from './resource.js';
import { SingleTypeAdsClient, type AdsUpdate, type ApplyOutcome } from '../xds-client/index.js';

export interface NodeAgentOptions {
  /** This host (the Kubernetes node name); the agent's xDS node id is `<host>.agent`. */
  readonly host: string;
  readonly xds: { readonly address: string; readonly credentials?: ChannelCredentials };
  /** The host's cgroup v2 hierarchy as this process sees it (a hostPath mount in a Pod). */
  readonly cgroupRoot: string;
  /** The cgroup the programs attach to (default: kubepods.slice or kubepods under the root). */
  readonly attachCgroup?: string;
  readonly pinRoot?: string;
  /** The node's address, where Pods reach its node proxy (the downward API's status.hostIP). */
  readonly nodeAddress?: { readonly v4?: string; readonly v6?: string };
  /** This agent's own Pod (the downward API's metadata.uid): its containers are proxies. */
  readonly podUid?: string;
  /** /proc/self/cgroup, read when no `podUid` is given (injected by tests). */
  readonly selfCgroup?: string;
  /** What /proc/self/cgroup paths are relative to (default: the first cgroup v2 mount). */
  readonly selfCgroupMount?: string;
  readonly inboundInterfaces?: readonly string[];
  readonly proxyMark?: number;
  /**
   * The ports sidecars' inbound listeners listen on, known before any sidecar Pod is (default
   * 15006); the inbound ports of the sidecar Pods' entries are added to them.
   */
  readonly sidecarInboundPorts?: readonly number[];
  /** The host's /proc, where a Pod's network namespace is found from its processes (default /proc; a DaemonSet needs hostPID, and the node proxy must see the same /proc: node-mode Pods' links point into it). */
  readonly procRoot?: string;
  /** Where node-mode Pods' netns links are kept, shared with the node proxy (default NETNS_LINK_DIR, /run/sluice/netns, what the controller names). */
  readonly netnsDir?: string;
  /** How often Pods not yet resolved (and the agent's own containers) are looked for again (default 1 s). */
  readonly pollMs?: number;
  readonly backoff?: { readonly initial: number; readonly max: number };
  readonly logger: Logger;
  readonly registry: Registry;
  readonly now?: () => number;
}

export interface NodeAgentStatus {
  readonly host: string;
  readonly node: string;
  readonly attached: boolean;
  readonly xds: { readonly connected: boolean; readonly accepted: string; readonly last: AdsUpdate | null };
  /** Whether the agent has programmed a response since it started. */
  readonly programmed: boolean;
  readonly rules: number;
  readonly unresolvedPods: readonly string[];
  /** Why each is unresolved, as the agent reports it to the controller (`sluice.dev/unresolved-pods`). */
  readonly unresolved: readonly UnresolvedPod[];
  readonly ownPod: string | null;
  readonly proxyCgroups: readonly string[];
  /** Pods whose inbound connections are steered: the network namespace the agent attached in, and the sidecar ('' for a node-mode Pod, steered to the node proxy). */
  readonly podNetns: readonly { readonly uid: string; readonly netnsIno: string; readonly sidecar: string }[];
  readonly lastSync: SyncResult | null;
}

interface Programmed {
  readonly state: DesiredState;
  readonly fingerprint: string;
}

const cgroupId = (root: string, path: string): bigint | undefined => {
  const s = statSync(join(root, path), { throwIfNoEntry: false, bigint: true });
  return s?.isDirectory() ? s.ino : undefined;
};

export class NodeAgent {
  private readonly dp: RedirectDataplane;
  private readonly attachCgroup: string;
  private readonly xds: SingleTypeAdsClient;
  private readonly pinRoot: string | undefined;
  private ownPod: string | undefined;
  private ownProxies: readonly string[] = [];
  /** The own Pod's container cgroups registered: path → id (kept: a gone cgroup cannot be stat'ed). */
  private ownProxyIds = new Map<string, bigint>();
  /** Sidecar proxy cgroups this process registered: path → id. */
  private readonly sidecars = new Map<string, bigint>();
  private programmed: Programmed | undefined;
  private unresolved: string[] = [];
  private unresolvedDetail: UnresolvedPod[] = [];
  /** Sidecar containers the controller names whose cgroup is not in their Pod's (reported with the Pods). */
  private missingSidecars: UnresolvedPod[] = [];
  /** Sidecar Pods whose inbound is steered: uid → the namespace attached, the sidecar's cgroup (path, id) and the ports it must listen on. */
  private podInbound = new Map<string, SteeredPod>();
  /** The links to node-mode Pods' namespaces, by name (reported: the controller then serves their listeners). */
  private linked: readonly string[] = [];
  /** Pods with inbound entries the agent cannot steer (no sidecar, no namespace). */
  private unsteeredInbound: UnresolvedPod[] = [];
  /** Steered sidecar Pods whose sidecar is not listening on an inbound port (refused: Degraded). */
  private notListening: UnresolvedPod[] = [];
  private lastSync: SyncResult | undefined;
  private rules = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly m;

  constructor(private readonly o: NodeAgentOptions) {
    const attach = o.attachCgroup ?? findKubepods(o.cgroupRoot);
    if (!attach) throw new BpfError('cgroup-not-found', `no kubepods cgroup under ${o.cgroupRoot} (looked for kubepods.slice and kubepods): give --cgroup-root the host's cgroup v2 hierarchy, or --attach-cgroup`);
    this.attachCgroup = attach;
    this.pinRoot = o.pinRoot;
    this.ownPod = this.findOwnPod();
    this.ownProxies = this.ownPod ? containerCgroupsOf(o.cgroupRoot, this.ownPod) : [];
    if (!this.ownPod) o.logger.warn("the agent's own Pod cgroup was not found: its containers are not registered as proxy cgroups (give --pod-uid)");
    this.dp = openRedirectDataplane({
      cgroup: attach,
      cgroupRoot: o.cgroupRoot,
      logger: o.logger,
      ...(o.pinRoot ? { pinRoot: o.pinRoot } : {}),
      proxyCgroups: this.ownProxies.map((p) => join(o.cgroupRoot, p)),
      ...(o.inboundInterfaces?.length ? { inboundInterfaces: o.inboundInterfaces } : {}),
      ...(o.proxyMark ? { proxyMark: o.proxyMark } : {}),
    });
    this.ownProxyIds = this.idsOf(this.ownProxies);
    this.dp.setSidecarPorts(sidecarPorts([], o.sidecarInboundPorts));
    // Proxy cgroups of an earlier run whose cgroup is gone (a restarted agent container): out of the map, links unpinned.
    try {
      const stale = staleProxyCgroups(o.pinRoot ?? DEFAULT_PIN_ROOT);
      if (stale.length > 0) {
        this.dp.updateProxyCgroups([], stale);
        releaseProxyCgroups(o.pinRoot ?? DEFAULT_PIN_ROOT, stale);
        o.logger.info('proxy cgroups whose cgroup is gone were removed', { ids: stale.map(String) });
      }
    } catch (error) {
      // Housekeeping only: the agent works without it (the stale ids stay in the map).
      o.logger.warn('cannot look for proxy cgroups whose cgroup is gone', { error: error instanceof Error ? error.message : String(error) });
    }
    o.logger.info('eBPF dataplane attached', { cgroup: attach, created: this.dp.attached.created.length, updated: this.dp.attached.updated.length, ownPod: this.ownPod ?? null, proxyCgroups: this.ownProxies });
    const r = o.registry;
    this.m = {
      syncs: r.counter('sluice_node_agent_syncs_total', 'NodeRedirects responses and re-resolutions applied to the maps, by result (ok, rejected, error).'),
      changes: r.counter('sluice_bpf_map_changes_total', 'Redirect map keys written, by kind (added, removed, changed).'),
      rules: r.gauge('sluice_bpf_redirect_rules', 'Redirect rules in the maps after the last sync.'),
      unresolved: r.gauge('sluice_node_agent_unresolved_pods', 'Pods with redirect entries whose cgroup does not exist yet: looked for again every poll.'),
      proxies: r.gauge('sluice_node_agent_proxy_cgroups', 'Proxy cgroups registered (the agent Pod\'s containers and sidecars), by kind.'),
      connected: r.gauge('sluice_node_agent_xds_connected', 'Whether the ADS stream to the controller is open (1) or not (0).'),
      events: r.counter('sluice_bpf_events_total', "The eBPF programs' own counters (in_refused, out_redirected, out_skipped_proxy, ...)."),
    };
    r.onCollect(() => {
      this.m.connected.set(this.xds.connected ? 1 : 0);
      this.m.proxies.set(this.ownProxies.length, { kind: 'own' });
      this.m.proxies.set(this.sidecars.size, { kind: 'sidecar' });
      try {
        for (const [event, value] of Object.entries(this.dp.stats())) this.m.events.set(Number(value), { event });
      } catch (error) {
        o.logger.warn('cannot read the eBPF counters', { error });
      }
    });
    this.xds = new SingleTypeAdsClient({
      address: o.xds.address,
      nodeId: agentNodeId(o.host),
      userAgent: 'sluice-node-agent',
      typeUrl: NODE_REDIRECTS_TYPE_URL,
      resourceNames: [o.host],
      apply: (resources) => this.applyResponse(resources),
      metadata: () => ({ ...formatUnresolvedReport(this.unresolvedDetail), ...formatNetnsLinks(this.linked) }),
      logger: o.logger,
      ...(o.xds.credentials ? { credentials: o.xds.credentials } : {}),
      ...(o.backoff ? { backoff: o.backoff } : {}),
      ...(o.now ? { now: o.now } : {}),
    });
  }

  start(): void {
    this.xds.start();
    const tick = (): void => {
      this.poll();
      this.timer = setTimeout(tick, this.o.pollMs ?? 1000);
      this.timer.unref();
    };
    this.timer = setTimeout(tick, this.o.pollMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.xds.stop();
    this.dp.close();
  }

  status(): NodeAgentStatus {
    return {
      host: this.o.host,
      node: agentNodeId(this.o.host),
      attached: true,
      xds: { connected: this.xds.connected, accepted: this.xds.accepted, last: this.xds.last ?? null },
      programmed: this.programmed !== undefined,
      rules: this.rules,
      unresolvedPods: this.unresolved,
      unresolved: this.unresolvedDetail,
      ownPod: this.ownPod ?? null,
      proxyCgroups: [...this.ownProxies, ...this.sidecars.keys()],
      podNetns: [...this.podInbound].map(([uid, p]) => ({ uid, netnsIno: String(p.netnsIno), sidecar: p.sidecar })),
      lastSync: this.lastSync ?? null,
    };
  }

  /** The agent's own Pod cgroup (relative to the root), from --pod-uid or /proc/self/cgroup. */
  private findOwnPod(): string | undefined {
    if (this.o.podUid) return resolvePodCgroup(this.o.cgroupRoot, this.o.podUid);
    const text = this.o.selfCgroup ?? readFileSync('/proc/self/cgroup', 'utf8');
    const own = ownCgroupPath(text);
    const pod = own ? podCgroupOfProcess(own) : undefined;
    const mount = this.o.selfCgroupMount ?? findCgroup2Mount();
    if (!pod || !mount) return undefined;
    const rel = relative(this.o.cgroupRoot, join(mount, pod));
    return rel.startsWith('..') || isAbsolute(rel) ? undefined : `/${rel}`;
  }

  private applyResponse(resources: Parameters<typeof parseNodeRedirects>[0]): ApplyOutcome {
    const nodeAddress = this.o.nodeAddress?.v4 !== undefined || this.o.nodeAddress?.v6 !== undefined;
    const { state, problems } = parseNodeRedirects(resources, this.o.host, nodeAddress);
    if (!state) {
      this.m.syncs.inc({ result: 'rejected' });
      return { ok: false, message: `NodeRedirects rejected, no map changed: ${problems.map((d) => formatDiagnostic(d, 'brief')).join('; ')}` };
    }
    return this.program(state);
  }

  /** Resolves Pods and sidecars, registers proxies, syncs the maps; the state becomes the programmed one only if the sync took. */
  private program(state: DesiredState): ApplyOutcome {
    const root = this.o.cgroupRoot;
    const pods = new Map<string, string | undefined>();
    const podOf = (uid: string) => {
      if (!pods.has(uid)) pods.set(uid, resolvePodCgroup(root, uid));
      return pods.get(uid);
    };
    // Sidecars first: a proxy's connections must never meet a rule before it is known as one.
    const wanted = new Map<string, bigint>();
    const missingSidecars: UnresolvedPod[] = [];
    for (const [uid, ids] of state.podProxies) {
      const pod = podOf(uid);
      for (const id of pod ? ids : []) {
        const path = resolveContainerCgroup(root, pod ?? '', id);
        const cg = path ? cgroupId(root, path) : undefined;
        if (path && cg !== undefined) wanted.set(path, cg);
        else missingSidecars.push({ uid, reason: 'sidecar-not-found', message: `its proxy container ${id} has no cgroup in ${pod} (looked for ${containerCgroupNames(id).join(', ')}): it is not registered as a proxy` });
      }
    }
    // Sidecar Pods' inbound: attached in the Pod's network namespace, to its sidecar's listener.
    const inbound = steerPodInbound({ state, podOf, sidecars: wanted, cgroupRoot: this.o.cgroupRoot, pinRoot: this.pinRoot ?? DEFAULT_PIN_ROOT, netnsDir: this.o.netnsDir ?? NETNS_LINK_DIR, previousLinks: new Set(this.linked.flatMap((name) => linkNameUid(name) ?? [])), logger: this.o.logger, ...(this.o.procRoot !== undefined ? { procRoot: this.o.procRoot } : {}) });
    const entries: RedirectEntry[] = state.entries.map(({ entry, viaNode }) => {
      if (entry.direction === 'inbound') {
        const pod = entry.podUid !== undefined ? inbound.steered.get(entry.podUid) : undefined;
        // Not steered: no flag, no listener, so the plan leaves it out (its Pod is reported).
        const { nodeProxyInPod, ...unsteered } = entry;
        if (!pod) return unsteered;
        return pod.nodeProxy && nodeProxyInPod ? { ...entry, podNetnsIno: Number(pod.netnsIno) } : { ...unsteered, listenerCgroup: pod.sidecar };
      }
      const pod = entry.podUid !== undefined ? podOf(entry.podUid) : undefined;
      const { podUid, ...rest } = entry;
      const identity = pod !== undefined ? { cgroup: pod } : podUid !== undefined ? { podUid } : {};
      return { ...rest, ...identity, ...(viaNode && this.o.nodeAddress ? { proxy: { ...this.o.nodeAddress } } : {}) };
    });
    let result: SyncResult;
    try {
      this.dp.setSidecarPorts(sidecarPorts(state.entries, this.o.sidecarInboundPorts));
      const add = [...wanted].filter(([p]) => !this.sidecars.has(p)).map(([, id]) => id);
      this.dp.updateProxyCgroups(add, []);
      result = this.dp.sync(entries);
    } catch (error) {
      const bad = error instanceof BpfError && error.code === 'invalid-entry';
      this.m.syncs.inc({ result: bad ? 'rejected' : 'error' });
      const message = error instanceof Error ? error.message.replace(/entries\[/g, 'redirects[') : String(error);
      this.o.logger.error('redirect map sync failed; the maps keep their previous entries', { error: message });
      return { ok: false, message };
    }
    // Sidecars no longer named leave the proxy map once no rule needs them gone first.
    const gone = [...this.sidecars].filter(([p]) => !wanted.has(p));
    this.dp.updateProxyCgroups([], gone.map(([, id]) => id));
    this.sidecars.clear();
    for (const [p, id] of wanted) this.sidecars.set(p, id);
    // Namespaces of Pods no longer steered (gone, or no longer named) leave: their links are unpinned.
    try {
      const released = releasePodLinks(this.pinRoot ?? DEFAULT_PIN_ROOT, new Set([...inbound.steered.values()].map((p) => p.netnsIno)));
      if (released.length > 0) this.o.logger.info("sk_lookup released in Pods' network namespaces no longer steered", { links: released });
    } catch (error) {
      this.o.logger.warn('cannot release the sk_lookup links of Pods no longer steered', { error: error instanceof Error ? error.message : String(error) });
    }
    this.podInbound = inbound.steered;
    this.unsteeredInbound = inbound.problems;
    this.linked = inbound.linked;
    this.lastSync = result;
    // A Pod whose cgroup exists but whose inbound is not steered says why in unsteeredInbound, not as a missing cgroup.
    this.unresolved = [...new Set(result.unresolved.map((u) => u.cgroup.replace(/^pod /, '')))].filter((uid) => !inbound.known.has(uid)).sort();
    this.missingSidecars = missingSidecars;
    this.notListening = notListening(this.podInbound, (id, family, port) => this.dp.listenerOf(id, family, port));
    this.unresolvedDetail = this.detail();
    this.rules = result.added + result.changed + result.unchanged;
    this.m.syncs.inc({ result: 'ok' });
    this.m.changes.inc({ kind: 'added' }, result.added);
    this.m.changes.inc({ kind: 'removed' }, result.removed);
    this.m.changes.inc({ kind: 'changed' }, result.changed);
    this.m.rules.set(this.rules);
    this.m.unresolved.set(this.unresolved.length);
    this.programmed = { state, fingerprint: this.fingerprint(state) };
    if (result.added + result.removed + result.changed > 0) this.o.logger.info('redirect maps updated', { added: result.added, removed: result.removed, changed: result.changed, unchanged: result.unchanged });
    for (const u of this.unresolvedDetail) this.o.logger.warn('Pod not steered, or not all of it (reported to the controller)', { pod: u.uid, reason: u.reason, message: u.message });
    return { ok: true, applied: this.rules };
  }

  /** Everything the agent reports: Pods without a cgroup, sidecars not found, Pods' inbound not steered or refused. */
  private detail(): UnresolvedPod[] {
    return [...unresolvedReasons(this.attachCgroup, this.unresolved), ...this.missingSidecars, ...this.unsteeredInbound, ...this.notListening];
  }

  /** Cgroup ids of paths relative to the root (those that exist). */
  private idsOf(paths: readonly string[]): Map<string, bigint> {
    const ids = new Map<string, bigint>();
    for (const p of paths) {
      const id = cgroupId(this.o.cgroupRoot, p);
      if (id !== undefined) ids.set(p, id);
    }
    return ids;
  }

  /** What the programmed state resolves to now: a change means a Pod or sidecar appeared or left. */
  private fingerprint(state: DesiredState): string {
    return resolutionFingerprint(state, this.o.cgroupRoot, this.o.procRoot);
  }

  private poll(): void {
    try {
      this.rescanOwnPod();
      const p = this.programmed;
      if (p && this.fingerprint(p.state) !== p.fingerprint) {
        this.o.logger.info('Pods or sidecars appeared or left: re-resolving', { unresolved: this.unresolved.length });
        this.program(p.state);
      }
      // An unresolved Pod's cgroup may have appeared where no layout puts it, a sidecar may have started listening: the report changes.
      this.notListening = notListening(this.podInbound, (id, family, port) => this.dp.listenerOf(id, family, port));
      this.unresolvedDetail = this.detail();
      // A Pod that resolved, went missing or changed reason since the last ACK: say so without waiting for a response.
      this.xds.restate();
    } catch (error) {
      this.o.logger.error('node agent poll failed', { error });
    }
  }

  /** A restarted container of the agent's Pod has a new cgroup: register it (attach is idempotent). */
  private rescanOwnPod(): void {
    this.ownPod ??= this.findOwnPod();
    if (!this.ownPod) return;
    const now = containerCgroupsOf(this.o.cgroupRoot, this.ownPod);
    if (now.join('\n') === this.ownProxies.join('\n')) return;
    attachDataplane({
      cgroup: this.attachCgroup,
      pinRoot: this.pinRoot ?? DEFAULT_PIN_ROOT,
      logger: this.o.logger,
      proxyCgroups: now.map((p) => join(this.o.cgroupRoot, p)),
      ...(this.o.inboundInterfaces?.length ? { inboundInterfaces: this.o.inboundInterfaces } : {}),
      ...(this.o.proxyMark ? { proxyMark: this.o.proxyMark } : {}),
    });
    // A container that went away (restarted: its successor has a new cgroup) is no proxy any more.
    const ids = this.idsOf(now);
    const gone = [...this.ownProxyIds].filter(([p, id]) => !ids.has(p) && ![...ids.values()].includes(id)).map(([, id]) => id);
    if (gone.length > 0) {
      this.dp.updateProxyCgroups([], gone);
      try {
        releaseProxyCgroups(this.pinRoot ?? DEFAULT_PIN_ROOT, gone);
      } catch (error) {
        this.o.logger.warn('cannot unpin the links of gone proxy cgroups', { error: error instanceof Error ? error.message : String(error) });
      }
    }
    this.o.logger.info("the agent Pod's containers changed: proxy cgroups registered", { proxyCgroups: now, removed: gone.map(String) });
    this.ownProxies = now;
    this.ownProxyIds = ids;
  }
}
