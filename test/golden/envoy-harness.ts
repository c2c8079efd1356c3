/**
 * One real Envoy that is served step after step over one ADS stream, and says for each step
 * whether it accepted it. Envoy runs in a network namespace of its own (a veth pair to the host
 * carries ADS and the admin endpoint), so the golden listeners bind their real ports (15006,
 * 15001, 7443...) byte for byte without clashing with any other suite.
 *
 * Each step starts from an empty Envoy: the node is first served the empty snapshot, and the step
 * waits until Envoy ACKed it and holds no listener (active, warming or draining) and no cluster.
 * Without that, a step would be judged as an update of the previous one (e.g. Envoy refuses to
 * change socket options of a listener without reuse_port), not as what it is.
 *
 * A step is accepted when the xDS server recorded an ACK of every served resource at its version
 * (`ackedVersion`), Envoy's /config_dump holds every listener active (not warming, no error
 * state) at the served LDS version, every route configuration and every cluster (none warming),
 * and no listener failed to be created. A NACK ends the step at once with Envoy's message.
 *
 * One thing is rewritten: a node-mode Pod's listener names the node agent's link to the Pod's
 * namespace (`/run/sluice/netns/<uid>`), which exists only on a node; the harness points it at a
 * namespace of its own (`podNetns`), so Envoy opens the listener there as it would in the Pod's.
 */
import { describe, it } from '@jest/globals';
import { TYPE_URL_PREFIX, encodeMessage } from '../../envoy-api/index.js';
import { Envoy } from '../../bench/envoy/process.js';
import { Sandbox, sh } from '../../bench/redirect/sandbox.js';
import { EMPTY_SNAPSHOT, SnapshotCache, TYPE_URL, XdsServer, createSnapshot, isTypeUrl, type ResourceInput, type Snapshot, type TypeUrl, type XdsEvent } from '../../xds-server/index.js';
import { describeEnvoy } from '../support/envoy.js';
import { eventually } from '../support/poll.js';
import type { GoldenResource, Step } from './envoy-cases.js';

/** Envoy's node id: one node, whatever golden node a step comes from (its resources do not name it). */
const NODE = 'sluice-golden';
const ADMIN_PORT = 15000;
const ACK_DEADLINE_MS = 20_000;
const POLL_MS = 10;

export type Verdict = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly ms: number; readonly reason: string };

interface DynamicListener {
  name?: string;
  active_state?: { version_info?: string };
  warming_state?: unknown;
  draining_state?: unknown;
  error_state?: { details?: string };
}

/** The parts of /config_dump a verdict reads. */
interface DumpView {
  listeners: DynamicListener[];
  routes: { name: string; version: string }[];
  activeClusters: string[];
  warmingClusters: string[];
}

/** Why this machine cannot give Envoy a network namespace of its own, or undefined when it can. */
function missingForNetns(): string | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not running as root';
  try {
    sh('ip', ['-V']);
  } catch {
    return 'iproute2 (ip) is not installed';
  }
  return undefined;
}

/**
 * A suite that runs Envoy in its own network namespace: it needs the Envoy binary (describeEnvoy)
 * and root. In CI both are there, so a missing one fails; elsewhere the suite says why it skips.
 */
export function describeEnvoyNetns(name: string, fn: () => void): void {
  const missing = missingForNetns();
  if (!missing) describeEnvoy(name, fn);
  else if (process.env['CI'] === 'true') {
    describe(name, () => {
      it('has root and iproute2 for a network namespace', () => {
        throw new Error(missing);
      });
    });
  } else {
    console.warn(`[skip] ${name}: ${missing} (Envoy runs in a network namespace of its own)`);
    describe.skip(name, fn);
  }
}

function typeUrlOf(message: string): TypeUrl {
  const url = `${TYPE_URL_PREFIX}${message}`;
  if (!isTypeUrl(url)) throw new Error(`${message} is not a type the xDS server serves`);
  return url;
}

/** `json` with every `network_namespace_filepath` replaced by `path`. */
function inNetns(json: unknown, path: string): unknown {
  if (Array.isArray(json)) return json.map((x) => inNetns(x, path));
  if (typeof json !== 'object' || json === null) return json;
  return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, k === 'network_namespace_filepath' ? path : inNetns(v, path)]));
}

/** The step's resources for the xDS server; `podNetns`: where a node-mode Pod's listener is opened instead of its link. */
export function encodeStep(resources: readonly GoldenResource[], podNetns?: string): ResourceInput[] {
  return resources.map((r) => ({
    typeUrl: typeUrlOf(r.message),
    name: r.name,
    body: encodeMessage(r.message, podNetns === undefined ? r.json : (inNetns(r.json, podNetns) as typeof r.json)),
    references: r.references.map((ref) => ({ typeUrl: typeUrlOf(ref.message), name: ref.name })),
  }));
}

export class GoldenEnvoy {
  private constructor(
    private readonly box: Sandbox,
    private readonly cache: SnapshotCache,
    private readonly server: XdsServer,
    readonly envoy: Envoy,
    /** The namespace node-mode Pods' listeners are opened in (their links exist only on a node). */
    private readonly podNetns: string,
  ) {}

  /** From `start()` until Envoy ACKed its first (empty) configuration. */
  get bootMs(): number {
    return this.booted;
  }
  private booted = 0;

  static async start(): Promise<GoldenEnvoy> {
    const t0 = performance.now();
    const box = new Sandbox();
    const cache = new SnapshotCache();
    cache.set(NODE, EMPTY_SNAPSHOT);
    const server = new XdsServer({ cache });
    try {
      const netns = box.netns('golden');
      const octet = box.subnet('10.233'); // away from the 10.231.0.0/16 of the kernel and Envoy beds
      const link = { host: `10.233.${octet}.1`, inner: `10.233.${octet}.2` };
      box.veth(undefined, netns, `${link.host}/30`, `${link.inner}/30`);
      const port = await server.listen(`${link.host}:0`);
      box.onCleanup(() => server.close());
      // State of the world: a step is judged by the snapshot's type versions, which SotW listeners carry
      // (over Delta each resource has its own); Delta is proven by envoy-reconnect and the data-path suites.
      const envoy = await Envoy.start({ node: NODE, xds: { host: link.host, port }, admin: { host: link.inner, port: ADMIN_PORT }, where: { netns }, drainTimeS: 0, xdsApi: 'sotw' });
      box.onCleanup(() => envoy.stop());
      const golden = new GoldenEnvoy(box, cache, server, envoy, `/run/netns/${box.netns('golden-pod')}`);
      await golden.reset();
      golden.booted = performance.now() - t0;
      return golden;
    } catch (error) {
      await box.cleanup();
      throw error;
    }
  }

  /** Stops Envoy (by its pid) and the xDS server, and deletes the namespace and the veth pair. */
  async stop(): Promise<void> {
    await this.box.cleanup();
  }

  /** Serves one step to an empty Envoy and says whether Envoy accepted all of it. */
  async serve(step: Step): Promise<Verdict> {
    await this.reset();
    const t0 = performance.now();
    const fail = (reason: string): Verdict => ({ ok: false, ms: performance.now() - t0, reason });
    const built = createSnapshot(encodeStep(step.resources, this.podNetns));
    if (!built.ok) return fail(`the resources are not a consistent snapshot: ${built.problems.map((p) => p.message).join('; ')}`);
    const snapshot = built.snapshot;
    // Only NACKs of responses sent for this step count (a late one for an earlier step would not).
    const sent = new Set<string>();
    const nacks: Extract<XdsEvent, { kind: 'nack' }>[] = [];
    const off = this.server.on((e) => {
      if (e.nodeId !== NODE) return;
      if (e.kind === 'response') sent.add(`${e.streamId}/${e.nonce}`);
      if (e.kind === 'nack' && sent.has(`${e.streamId}/${e.nack.nonce}`)) nacks.push(e);
    });
    const failuresBefore = await this.envoy.stat('listener_manager.listener_create_failure');
    try {
      this.cache.set(NODE, snapshot);
      const nacked = () => (nacks.length > 0 ? nacks.map((n) => `Envoy NACKed ${n.type} version ${n.nack.rejectedVersion}: ${n.nack.message}`).join('\n') : undefined);
      const acked = await this.wait(async () => nacked() ?? (this.unacked(snapshot).length === 0 ? true : undefined), () => `not ACKed: ${this.unacked(snapshot).join(', ')}`);
      if (acked !== true) return fail(acked);
      const applied = await this.wait(
        async () => {
          const { final, pending } = this.notApplied(snapshot, await this.dump());
          if (final.length > 0) return `not in Envoy's config: ${final.join('; ')}`;
          return nacked() ?? (pending.length === 0 ? true : undefined);
        },
        async () => `not in Envoy's config: ${this.notApplied(snapshot, await this.dump()).pending.join('; ')}`,
      );
      if (applied !== true) return fail(applied);
      const failures = (await this.envoy.stat('listener_manager.listener_create_failure')) - failuresBefore;
      if (failures > 0) return fail(`Envoy failed to create ${failures} listener(s) after ACKing them:\n${this.envoy.stderr.slice(-2000)}`);
      return { ok: true, ms: performance.now() - t0 };
    } finally {
      off();
    }
  }

  /** Serves the empty snapshot and waits until Envoy ACKed it and holds no listener and no cluster. */
  private async reset(): Promise<void> {
    this.cache.set(NODE, EMPTY_SNAPSHOT);
    const status = () => this.server.nodeStatus(NODE)?.types ?? [];
    const emptied = await this.wait(async () => {
      const ackedEmpty = [TYPE_URL.CDS, TYPE_URL.LDS].every((t) => status().find((s) => s.typeUrl === t)?.lastAck?.version === EMPTY_SNAPSHOT.version(t));
      if (!ackedEmpty) return undefined;
      const d = await this.dump();
      return d.listeners.length === 0 && d.activeClusters.length === 0 && d.warmingClusters.length === 0 ? true : undefined;
    }, async () => `Envoy did not return to an empty configuration: ${JSON.stringify({ status: status(), dump: await this.dump() })}`);
    if (emptied !== true) throw new Error(emptied);
  }

  /** Polls `check` until it says `true` or gives a reason to stop; on timeout, the reason `why` gives. */
  private async wait(check: () => Promise<true | string | undefined>, why: () => string | Promise<string>): Promise<true | string> {
    try {
      return await eventually(async () => {
        if (!this.envoy.running) return `Envoy exited:\n${this.envoy.stderr.slice(-4000)}`;
        return check();
      }, 'Envoy', ACK_DEADLINE_MS, POLL_MS);
    } catch {
      return `after ${ACK_DEADLINE_MS} ms, ${await why()}`;
    }
  }

  /** Served resources whose current version the server has not recorded as ACKed by Envoy. */
  private unacked(snapshot: Snapshot): string[] {
    const out: string[] = [];
    for (const typeUrl of Object.values(TYPE_URL)) {
      for (const r of snapshot.of(typeUrl).byName.values()) {
        if (this.server.ackedVersion(NODE, typeUrl, r.name) !== r.version) out.push(`${typeUrl.slice(TYPE_URL_PREFIX.length)} ${r.name}`);
      }
    }
    return out;
  }

  /**
   * What the snapshot holds that Envoy's config dump does not show as applied. Called once every
   * resource is ACKed: Envoy ACKs an update after applying it, so by then a resource that is
   * absent or in an error state was refused or ignored (final); warming is still in progress.
   */
  private notApplied(snapshot: Snapshot, d: DumpView): { final: string[]; pending: string[] } {
    const final: string[] = [];
    const pending: string[] = [];
    const ldsVersion = snapshot.version(TYPE_URL.LDS);
    for (const name of snapshot.of(TYPE_URL.LDS).byName.keys()) {
      const l = d.listeners.find((x) => x.name === name);
      if (!l) final.push(`listener ${name} is absent`);
      else if (l.error_state) final.push(`listener ${name} has an error: ${l.error_state.details ?? JSON.stringify(l.error_state)}`);
      else if (l.warming_state) pending.push(`listener ${name} is warming`);
      else if (l.active_state?.version_info !== ldsVersion) pending.push(`listener ${name} is active at version ${String(l.active_state?.version_info)}, not ${ldsVersion}`);
    }
    const rdsAck = this.server.nodeStatus(NODE)?.types.find((t) => t.typeUrl === TYPE_URL.RDS)?.lastAck?.version;
    for (const name of snapshot.of(TYPE_URL.RDS).byName.keys()) {
      const r = d.routes.find((x) => x.name === name);
      if (!r) final.push(`route configuration ${name} is absent`);
      else if (r.version !== rdsAck) pending.push(`route configuration ${name} is at version ${r.version}, not the ACKed ${String(rdsAck)}`);
    }
    for (const name of snapshot.of(TYPE_URL.CDS).byName.keys()) {
      if (d.warmingClusters.includes(name)) pending.push(`cluster ${name} is warming`);
      else if (!d.activeClusters.includes(name)) final.push(`cluster ${name} is absent`);
    }
    return { final, pending };
  }

  private async dump(): Promise<DumpView> {
    const { configs } = await this.envoy.configDump();
    const of = (kind: string) => configs.find((c) => c['@type'] === `type.googleapis.com/envoy.admin.v3.${kind}`) ?? {};
    const clusters = of('ClustersConfigDump') as { dynamic_active_clusters?: { cluster?: { name?: string } }[]; dynamic_warming_clusters?: { cluster?: { name?: string } }[] };
    const routes = of('RoutesConfigDump') as { dynamic_route_configs?: { version_info?: string; route_config?: { name?: string } }[] };
    return {
      listeners: (of('ListenersConfigDump') as { dynamic_listeners?: DynamicListener[] }).dynamic_listeners ?? [],
      routes: (routes.dynamic_route_configs ?? []).map((r) => ({ name: r.route_config?.name ?? '', version: r.version_info ?? '' })),
      activeClusters: (clusters.dynamic_active_clusters ?? []).map((c) => c.cluster?.name ?? ''),
      warmingClusters: (clusters.dynamic_warming_clusters ?? []).map((c) => c.cluster?.name ?? ''),
    };
  }
}
