/**
 * Keeps the kernel's redirect maps in step with compiled policy: after every publish, the eBPF
 * dataplane is reconciled to the compiler's redirect entries by difference. The bpf module (and
 * with it libbpf) is loaded only when `serve` is asked to manage the dataplane.
 */
import type { CompileOutput } from '../policy-compiler/index.js';
import type { Logger, Registry } from '../telemetry/index.js';
import type { DataplaneView } from './dataplane-status.js';

export interface RedirectSyncOptions {
  /** The workload cgroup (v2) whose connections are steered. */
  readonly cgroup: string;
  readonly pinRoot?: string;
  /** Only these proxy nodes' entries (the proxies on this host: an Envoy, a Kafka enforcer); default every entry. */
  readonly nodes?: readonly string[];
  readonly proxyCgroups?: readonly string[];
  readonly inboundInterfaces?: readonly string[];
}

export interface RedirectSync {
  sync(output: CompileOutput): void;
  /** What the dataplane says now about the traffic the policies name (for /status). */
  view(): DataplaneView;
  close(): void;
}

export async function openRedirectSync(options: RedirectSyncOptions, logger: Logger, registry: Registry): Promise<RedirectSync> {
  const bpf = await import('../bpf/index.js');
  const dataplane = bpf.openRedirectDataplane({
    cgroup: options.cgroup,
    logger,
    ...(options.pinRoot ? { pinRoot: options.pinRoot } : {}),
    ...(options.proxyCgroups?.length ? { proxyCgroups: options.proxyCgroups } : {}),
    ...(options.inboundInterfaces?.length ? { inboundInterfaces: options.inboundInterfaces } : {}),
  });
  const syncs = registry.counter('sluice_bpf_syncs_total', 'Reconciliations of the eBPF redirect maps, by result.');
  const changes = registry.counter('sluice_bpf_map_changes_total', 'Redirect map keys written, by kind (added, removed, changed).');
  const rules = registry.gauge('sluice_bpf_redirect_rules', 'Redirect rules in the maps after the last sync.');
  const unresolvedGauge = registry.gauge('sluice_bpf_unresolved_workloads', 'Outbound redirect entries whose workload cgroup does not exist: their connections are not steered.');
  const events = registry.counter('sluice_bpf_events_total', "The eBPF programs' own counters (in_refused: inbound connections refused while no proxy listened; out_bind_failed: outbound connects refused for a foreign source; in_fail_open: delivered unchecked by a failOpen rule; ...).");
  registry.onCollect(() => {
    try {
      for (const [event, value] of Object.entries(dataplane.stats())) events.set(Number(value), { event });
    } catch (error) {
      logger.warn('cannot read the eBPF counters', { error });
    }
  });
  logger.info('eBPF redirect dataplane attached', { cgroup: options.cgroup, created: dataplane.attached.created.length });
  const nodes = options.nodes?.length ? new Set(options.nodes) : undefined;
  let unresolved: DataplaneView['unresolved'] = [];
  return {
    sync(output) {
      try {
        const r = dataplane.sync(nodes ? output.redirects.filter((e) => nodes.has(e.node)) : output.redirects);
        unresolved = r.unresolved.map((u) => ({ workloads: u.workloads, cgroup: u.cgroup }));
        unresolvedGauge.set(unresolved.length);
        syncs.inc({ result: 'ok' });
        changes.inc({ kind: 'added' }, r.added);
        changes.inc({ kind: 'removed' }, r.removed);
        changes.inc({ kind: 'changed' }, r.changed);
        rules.set(r.added + r.changed + r.unchanged);
        if (r.added + r.removed + r.changed > 0) logger.info('redirect maps updated', { ...r });
      } catch (error) {
        syncs.inc({ result: 'error' });
        logger.error('redirect map sync failed; the maps keep their previous entries', { error });
      }
    },
    view() {
      const listening = new Set(dataplane.listeners().map((l) => `${l.family === 2 ? 4 : 6}/${l.port}`));
      return { manages: (node) => !nodes || nodes.has(node), listening: (family, port) => listening.has(`${family}/${port}`), unresolved };
    },
    close: () => dataplane.close(),
  };
}
