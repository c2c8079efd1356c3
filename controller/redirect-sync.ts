/**
 * Keeps the kernel's redirect maps in step with compiled policy: after every publish, the eBPF
 * dataplane is reconciled to the compiler's redirect entries by difference. The bpf module (and
 * with it libbpf) is loaded only when `serve` is asked to manage the dataplane.
 */
import type { CompileOutput } from '../policy-compiler/index.js';
import type { Logger, Registry } from '../telemetry/index.js';

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
  logger.info('eBPF redirect dataplane attached', { cgroup: options.cgroup, created: dataplane.attached.created.length });
  return {
    sync(output) {
      try {
        const nodes = options.nodes?.length ? new Set(options.nodes) : undefined;
        const r = dataplane.sync(nodes ? output.redirects.filter((e) => nodes.has(e.node)) : output.redirects);
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
    close: () => dataplane.close(),
  };
}
