/**
 * The policy runtime: the one stateful piece between sources and the xDS cache. Each `apply`
 * takes everything the sources hold now, decides which version of each policy is in force (the
 * last good one when the newest is invalid), compiles, and publishes snapshots. A load that yields
 * nothing usable never replaces good configuration.
 */
import type { Logger } from '../telemetry/index.js';
import { Compiler, DEFAULT_PARSE_LIMITS, hasErrors, LoadCache, loadSources, type CompileOutput, type Diagnostic, type Inventory, type Policy, type SourceFile } from '../policy-compiler/index.js';
import type { SnapshotCache } from '../xds-server/index.js';
import { choosePolicies, demote, type PolicyEntry } from './policy-set.js';
import { SnapshotPlanner } from './publish.js';
import type { RuntimeMetrics } from './metrics.js';

export interface ApplyInput {
  readonly files: readonly SourceFile[];
  /** Problems found while reading (missing files, files too large). */
  readonly readDiagnostics: readonly Diagnostic[];
}

export interface ApplyResult {
  readonly generation: number;
  /** Whether new configuration was published. */
  readonly published: boolean;
  readonly diagnostics: readonly Diagnostic[];
}

export interface RuntimeState {
  readonly generation: number;
  readonly appliedAt: number | undefined;
  readonly policies: ReadonlyMap<string, PolicyEntry>;
  /** Source problems not tied to one policy (inventory, unreadable files, unknown documents). */
  readonly sourceDiagnostics: readonly Diagnostic[];
  readonly inventory: { readonly source: 'current' | 'last-good' | 'missing'; readonly inventory?: Inventory };
  readonly output: CompileOutput | undefined;
}

export interface RuntimeOptions {
  readonly cache: SnapshotCache;
  readonly logger: Logger;
  readonly metrics?: RuntimeMetrics;
  readonly now?: () => number;
  /** Called after each publish with what was published (the eBPF map sync listens here). */
  readonly onPublish?: (output: CompileOutput) => void;
}

export class PolicyRuntime {
  private generation = 0;
  private appliedAt: number | undefined;
  private lastGood = new Map<string, Policy>();
  private lastInventory: Inventory | undefined;
  private policies = new Map<string, PolicyEntry>();
  private sourceDiagnostics: Diagnostic[] = [];
  private inventorySource: RuntimeState['inventory']['source'] = 'missing';
  private output: CompileOutput | undefined;
  private readonly planner = new SnapshotPlanner();
  private readonly loads = new LoadCache();
  private readonly compiler = new Compiler();
  private readonly now: () => number;

  constructor(private readonly options: RuntimeOptions) {
    this.now = options.now ?? Date.now;
  }

  apply(input: ApplyInput): ApplyResult {
    const started = this.now();
    const load = loadSources(input.files, DEFAULT_PARSE_LIMITS, this.loads);
    const inventoryDoc = load.documents.find((d) => d.kind === 'Inventory');
    const inventory = load.inventory ?? this.lastInventory;
    this.inventorySource = load.inventory ? 'current' : inventory ? 'last-good' : 'missing';
    const entries = choosePolicies(load, this.lastGood);
    const perPolicy = new Set([...entries.values()].flatMap((e) => e.diagnostics));
    const sourceDiagnostics = [...input.readDiagnostics, ...load.diagnostics.filter((d) => !perPolicy.has(d))];
    if (!inventoryDoc) sourceDiagnostics.push({ severity: 'error', code: 'inventory.missing', path: '', message: 'no Inventory document among the sources' });

    let output: CompileOutput | undefined;
    if (inventory) {
      output = this.compiler.compile(inServe(entries), inventory);
      const offenders = this.offenders(entries, output.diagnostics);
      if (offenders.size > 0 && demote(entries, offenders, this.lastGood, output.diagnostics)) output = this.compiler.compile(inServe(entries), inventory);
    }
    // What compiling found (conflicts, unmatched selectors, peer caveats) belongs to the policy too.
    if (output) {
      const found = output.diagnostics;
      for (const [key, e] of entries) {
        const mine = found.filter((d) => d.file === e.file && d.document === e.document && !e.diagnostics.includes(d));
        if (mine.length > 0) entries.set(key, { ...e, diagnostics: [...e.diagnostics, ...mine] });
      }
    }
    const diagnostics = [...sourceDiagnostics, ...[...entries.values()].flatMap((e) => e.diagnostics)];
    this.policies = entries;
    this.sourceDiagnostics = sourceDiagnostics;
    const generation = ++this.generation;
    this.appliedAt = this.now();
    this.logLoad(generation, entries, sourceDiagnostics);

    if (!output || !inventory) {
      this.options.logger.warn('no inventory: nothing to compile; proxies keep the configuration they have', { generation });
      return { generation, published: false, diagnostics };
    }
    const planned = this.planner.plan(output);
    if (!planned.ok) {
      this.options.logger.error('compiled configuration is inconsistent (a sluice bug); the previous configuration stays published', { generation, problems: planned.problems });
      this.options.metrics?.publishFailures.inc();
      return { generation, published: false, diagnostics };
    }
    const { cache } = this.options;
    const { plan } = planned;
    // One batch: every stream sees the new resolver, default and node snapshots together, pushed
    // once in CDS → EDS → LDS → RDS order.
    cache.batch(() => {
      cache.setResolver(plan.resolver);
      cache.setDefault(plan.defaultSnapshot);
      for (const [node, snapshot] of plan.nodes) cache.set(node, snapshot);
      for (const node of this.output?.nodes.map((n) => n.node) ?? []) if (!plan.nodes.has(node)) cache.clear(node);
    });
    this.output = output;
    this.lastInventory = inventory;
    this.lastGood = new Map([...entries.values()].flatMap((e) => (e.policy ? [[e.key, e.policy] as const] : [])));
    this.options.onPublish?.(output);
    const elapsed = this.now() - started;
    this.options.metrics?.observeApply(elapsed, entries);
    this.options.logger.info('configuration published', { generation, nodes: [...plan.nodes.keys()], policies: this.lastGood.size, ms: Math.round(elapsed * 10) / 10 });
    return { generation, published: true, diagnostics };
  }

  state(): RuntimeState {
    return {
      generation: this.generation,
      appliedAt: this.appliedAt,
      policies: this.policies,
      sourceDiagnostics: this.sourceDiagnostics,
      inventory: { source: this.inventorySource, ...(this.lastInventory ? { inventory: this.lastInventory } : {}) },
      output: this.output,
    };
  }

  /** Policies whose compile diagnostics include errors (matched by file and document). */
  private offenders(entries: ReadonlyMap<string, PolicyEntry>, diagnostics: readonly Diagnostic[]): Set<string> {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    return new Set([...entries.values()].filter((e) => e.source === 'current' && errors.some((d) => d.file === e.file && d.document === e.document)).map((e) => e.key));
  }

  private logLoad(generation: number, entries: ReadonlyMap<string, PolicyEntry>, sourceDiagnostics: readonly Diagnostic[]): void {
    const log = this.options.logger;
    for (const e of entries.values()) {
      if (e.source === 'current') continue;
      const errors = e.diagnostics.filter((d) => d.severity === 'error');
      const message = e.source === 'last-good' ? 'invalid policy: its last good version stays in force' : 'invalid policy rejected (no earlier version was valid)';
      log.warn(message, { generation, policy: e.key, file: e.file, errors: errors.map((d) => `${d.line ?? '?'}:${d.column ?? '?'} ${d.path}: ${d.message}`) });
    }
    if (hasErrors(sourceDiagnostics)) log.warn('problems in the sources', { generation, errors: sourceDiagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file ?? ''}:${d.line ?? '?'} ${d.path} ${d.message}`) });
  }
}

function inServe(entries: ReadonlyMap<string, PolicyEntry>): Policy[] {
  return [...entries.values()].flatMap((e) => (e.policy ? [e.policy] : [])).sort((a, b) => a.key.localeCompare(b.key));
}
