/**
 * What `sluice serve --bpf-cgroup PATH` holds: the dataplane attached (idempotently) and a
 * `sync` that reconciles the pinned rule maps to the compiler's redirect entries by difference.
 * Only keys whose presence or value changes are written; a controller that restarts with the
 * same entries writes nothing.
 */
import type { RedirectEntry } from '../../policy-compiler/index.js';
import { silentLogger, type Logger } from '../../telemetry/index.js';
import { MAP_NAMES } from './abi.js';
import { parseAddress, type MapAddress } from './addr.js';
import { DEFAULT_PIN_ROOT } from './environment.js';
import { BpfError } from './errors.js';
import { attachDataplane, MAP_SHAPES, type AttachOptions, type AttachReport } from './loader.js';
import { PinnedMap } from './maps.js';
import { pinLayout } from './pins.js';
import { diffRules, planRules, type CurrentRule, type RuleMap } from './plan.js';
import { readStatus, type DataplaneStatus } from './status.js';

export interface DataplaneOptions extends Partial<Omit<AttachOptions, 'cgroup' | 'logger'>> {
  /** The workload cgroup (v2) whose outbound connections are steered. */
  readonly cgroup: string;
  readonly logger?: Logger;
  /** Apply only entries for this proxy node (others are counted as ignored). Default: all. */
  readonly node?: string;
  /** The proxy's outbound listener address per family (default 127.0.0.1 and ::1). */
  readonly outboundProxy?: { readonly v4?: string; readonly v6?: string };
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
}

export interface RedirectDataplane {
  /** What the load did (created links, links updated in place, maps reused). */
  readonly attached: AttachReport;
  /**
   * Makes the rule maps hold exactly what `entries` mean. Throws `BpfError('invalid-entry')`,
   * listing every bad field by path, before touching any map when an entry is invalid.
   */
  sync(entries: readonly RedirectEntry[]): SyncResult;
  status(): DataplaneStatus;
  /** Releases this process's descriptors. Attachments and maps stay: traffic keeps flowing. */
  close(): void;
}

function proxyAddress(text: string, family: 'IPv4' | 'IPv6', field: string): MapAddress {
  const parsed = parseAddress(text);
  const want = family === 'IPv4' ? 2 : 10;
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
  };
  let closed = false;
  const live = (): void => {
    if (closed) throw new Error('bpf dataplane: used after close()');
  };
  return {
    attached,
    sync(entries) {
      live();
      const plan = planRules(entries, { node: options.node, outboundProxy });
      if (plan.issues.length > 0) {
        throw new BpfError('invalid-entry', `redirect entries rejected, no map changed:\n  ${plan.issues.join('\n  ')}`);
      }
      const current: CurrentRule[] = (['out', 'in'] as const).flatMap((map) => maps[map].entries().map((e) => ({ map, ...e })));
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
      const result: SyncResult = { ...count, unchanged: diff.unchanged, ignored: plan.ignored };
      logger.info('bpf maps synced', { ...result });
      return result;
    },
    status() {
      live();
      return readStatus(pinRoot);
    },
    close() {
      if (closed) return;
      closed = true;
      maps.out.close();
      maps.in.close();
    },
  };
}
