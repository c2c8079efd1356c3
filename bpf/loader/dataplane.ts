/**
 * What `sluice serve --bpf-cgroup PATH` holds: the dataplane attached (idempotently) and a
 * `sync` that reconciles the pinned rule maps to the compiler's redirect entries by difference.
 * Only keys whose presence or value changes are written; a controller that restarts with the
 * same entries writes nothing.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { RedirectEntry } from '../../policy-compiler/index.js';
import { silentLogger, type Logger } from '../../telemetry/index.js';
import { formatDiagnostic } from '../../problems/index.js';
import { AF_INET, AF_INET6, MAP_NAMES, decodeListenerKey, type Family, type StatName } from './abi.js';
import { parseAddress, type MapAddress } from './addr.js';
import { DEFAULT_PIN_ROOT, findCgroup2Mount } from './environment.js';
import { BpfError } from './errors.js';
import { attachDataplane, MAP_SHAPES, type AttachOptions, type AttachReport } from './loader.js';
import { PinnedMap } from './maps.js';
import { pinLayout } from './pins.js';
import { diffRules, planRules, type CurrentRule, type RuleMap, type Unresolved } from './plan.js';
import { readStats, readStatus, type DataplaneStatus } from './status.js';

export interface DataplaneOptions extends Partial<Omit<AttachOptions, 'cgroup' | 'logger'>> {
  /** The workload cgroup (v2) whose outbound connections are steered. */
  readonly cgroup: string;
  readonly logger?: Logger;
  /** Apply only entries for this proxy node (others are counted as ignored). Default: all. */
  readonly node?: string;
  /** The proxy's outbound listener address per family (default 127.0.0.1 and ::1). */
  readonly outboundProxy?: { readonly v4?: string; readonly v6?: string };
  /**
   * The directory entries' `cgroup` paths are relative to (default: the first cgroup v2 mount).
   * The node agent gives the host's hierarchy, which a container may see at another path.
   */
  readonly cgroupRoot?: string;
}

/** The outcome of one `sync`: counts of map keys, by difference against the pinned maps. */
export interface SyncResult {
  readonly added: number;
  readonly removed: number;
  /** Keys kept whose proxy changed (written in place: one atomic update each). */
  readonly changed: number;
  readonly unchanged: number;
  /** Entries for other nodes. */
  readonly ignored: number;
  /** Outbound entries whose workload cgroup does not exist: those connections are not steered yet. */
  readonly unresolved: readonly Unresolved[];
}

/** A listening socket of the proxy that inbound connections can be steered to. */
export interface ProxyListener {
  readonly family: Family;
  readonly port: number;
}

export interface RedirectDataplane {
  /** What the load did (created links, links updated in place, maps reused). */
  readonly attached: AttachReport;
  /**
   * Makes the rule maps hold exactly what `entries` mean. Throws `BpfError('invalid-entry')`,
   * listing every bad field by path, before touching any map when an entry is invalid.
   */
  sync(entries: readonly RedirectEntry[]): SyncResult;
  /** The node proxy's listening sockets registered right now (a proxy that is down has none); sidecars' are in `status()`. */
  listeners(): ProxyListener[];
  /**
   * Makes `sluice_sidecar_ports` hold exactly these ports: a socket below the attach cgroup that
   * listens on one is registered under its cgroup id (a sidecar's inbound listener).
   */
  setSidecarPorts(ports: readonly number[]): void;
  /** Whether a listening socket of this owner (a sidecar container's cgroup id) is registered on this family and port. */
  listenerOf(owner: bigint, family: Family, port: number): boolean;
  /** The programs' counters (cheaper than `status()`: one map). */
  stats(): Record<StatName, bigint>;
  status(): DataplaneStatus;
  /**
   * Makes these cgroups (ids) proxy cgroups, beside the ones the attach registered, and removes
   * the ones in `remove`: their connections are never redirected. For proxies below the attach
   * cgroup (a sidecar container), which inherit its programs; one with listeners of its own to
   * register needs `attachDataplane`'s `proxyCgroups`.
   */
  updateProxyCgroups(add: readonly bigint[], remove: readonly bigint[]): void;
  /** Releases this process's descriptors. Attachments and maps stay: traffic keeps flowing. */
  close(): void;
}

function proxyAddress(text: string, family: 'IPv4' | 'IPv6', field: string): MapAddress {
  const parsed = parseAddress(text);
  const want = family === 'IPv4' ? AF_INET : AF_INET6;
  if (!parsed || parsed.family !== want) throw new BpfError('invalid-entry', `${field}: expected an ${family} address, got "${text}"`);
  return parsed;
}

export function openRedirectDataplane(options: DataplaneOptions): RedirectDataplane {
  const logger = (options.logger ?? silentLogger).child({ component: 'bpf' });
  const pinRoot = options.pinRoot ?? DEFAULT_PIN_ROOT;
  const outboundProxy = {
    v4: proxyAddress(options.outboundProxy?.v4 ?? '127.0.0.1', 'IPv4', 'outboundProxy.v4'),
    v6: proxyAddress(options.outboundProxy?.v6 ?? '::1', 'IPv6', 'outboundProxy.v6'),
  };
  const attached = attachDataplane({ ...options, pinRoot, logger });
  const layout = pinLayout(pinRoot);
  const maps: Record<RuleMap, PinnedMap> = {
    out: PinnedMap.open(layout.map(MAP_NAMES.outRules), MAP_SHAPES.outRules),
    in: PinnedMap.open(layout.map(MAP_NAMES.inRules), MAP_SHAPES.inRules),
    workloads: PinnedMap.open(layout.map(MAP_NAMES.workloads), MAP_SHAPES.workloads),
  };
  const listenerMap = PinnedMap.open(layout.map(MAP_NAMES.proxyListeners), MAP_SHAPES.proxyListeners);
  const statsMap = PinnedMap.open(layout.map(MAP_NAMES.stats), MAP_SHAPES.stats);
  const sidecarPortMap = PinnedMap.open(layout.map(MAP_NAMES.sidecarPorts), MAP_SHAPES.sidecarPorts);
  const cgroupRoot = options.cgroupRoot ?? findCgroup2Mount();
  const proxyMap = PinnedMap.open(layout.map(MAP_NAMES.proxyCgroups), MAP_SHAPES.proxyCgroups);
  const resolveCgroup = (path: string): bigint | undefined => {
    const stat = cgroupRoot ? statSync(join(cgroupRoot, path), { throwIfNoEntry: false, bigint: true }) : undefined;
    return stat?.isDirectory() ? stat.ino : undefined;
  };
  let closed = false;
  const live = (): void => {
    if (closed) throw new Error('bpf dataplane: used after close()');
  };
  return {
    attached,
    sync(entries) {
      live();
      const plan = planRules(entries, { ...(options.node !== undefined ? { node: options.node } : {}), outboundProxy, defaultCgroup: attached.cgroupId, resolveCgroup });
      if (plan.issues.length > 0) {
        const lines = plan.issues.map((d) => formatDiagnostic(d, 'brief'));
        throw new BpfError('invalid-entry', `redirect entries rejected, no map changed:\n  ${lines.join('\n  ')}`, lines);
      }
      const current: CurrentRule[] = (['out', 'in', 'workloads'] as const).flatMap((map) => maps[map].entries().map((e) => ({ map, ...e })));
      const diff = diffRules(current, plan.rules);
      const count = { added: 0, removed: 0, changed: 0 };
      // Adds and changes first, removals last: a rule moving between keys is never absent.
      for (const op of diff.ops) {
        switch (op.kind) {
          case 'add':
            maps[op.rule.map].update(op.rule.key, op.rule.value);
            count.added += 1;
            break;
          case 'change':
            maps[op.rule.map].update(op.rule.key, op.rule.value);
            count.changed += 1;
            break;
          case 'remove':
            break;
          default: {
            const never: never = op;
            throw new Error(`unhandled op ${JSON.stringify(never)}`);
          }
        }
      }
      for (const op of diff.ops) {
        if (op.kind !== 'remove') continue;
        maps[op.rule.map].delete(op.rule.key);
        count.removed += 1;
      }
      const result: SyncResult = { ...count, unchanged: diff.unchanged, ignored: plan.ignored, unresolved: plan.unresolved };
      logger.info('bpf maps synced', { ...count, unchanged: diff.unchanged, ignored: plan.ignored, unresolved: plan.unresolved.length });
      for (const u of plan.unresolved) logger.warn('workload cgroup not found: its egress is not steered until it exists', { workloads: u.workloads, cgroup: u.cgroup });
      return result;
    },
    listeners() {
      live();
      return listenerMap.keys().flatMap((key) => {
        const l = decodeListenerKey(key);
        return l && l.owner === 0n ? [{ family: l.family, port: l.port }] : [];
      });
    },
    setSidecarPorts(ports) {
      live();
      const key = (port: number): Buffer => {
        const k = Buffer.alloc(4);
        k.writeUInt32LE(port);
        return k;
      };
      const want = new Set(ports);
      for (const port of want) sidecarPortMap.update(key(port), Buffer.alloc(4));
      for (const k of sidecarPortMap.keys()) if (!want.has(k.readUInt32LE(0))) sidecarPortMap.delete(k);
    },
    listenerOf(owner, family, port) {
      live();
      return listenerMap.keys().some((key) => {
        const l = decodeListenerKey(key);
        return l !== undefined && l.owner === owner && l.family === family && l.port === port;
      });
    },
    updateProxyCgroups(add, remove) {
      live();
      const key = (id: bigint): Buffer => {
        const k = Buffer.alloc(8);
        k.writeBigUInt64LE(id);
        return k;
      };
      for (const id of add) proxyMap.update(key(id), Buffer.from([1, 0, 0, 0]));
      for (const id of remove) proxyMap.delete(key(id));
    },
    stats() {
      live();
      return readStats(statsMap);
    },
    status() {
      live();
      return readStatus(pinRoot);
    },
    close() {
      if (closed) return;
      closed = true;
      for (const m of [maps.out, maps.in, maps.workloads, listenerMap, statsMap, proxyMap, sidecarPortMap]) m.close();
    },
  };
}
