/**
 * The policy runtime: the one stateful piece between sources and the xDS cache. Each `apply`
 * takes everything the sources hold now, decides file by file which version of each policy is in
 * force (see policy-set.ts: a broken, unreadable or emptied file keeps what it last produced),
 * compiles, and publishes snapshots. A load that yields nothing usable never replaces good
 * configuration. What is in force can be restored from a persisted state before the first apply.
 */
import type { Logger } from '../telemetry/index.js';
import { Compiler, DEFAULT_PARSE_LIMITS, formatDiagnostic, hasErrors, LoadCache, loadSources, type CompileOutput, type Diagnostic, type Inventory, type Policy, type SecretCatalog, type SourceFile } from '../policy-compiler/index.js';
import type { SnapshotCache } from '../xds-server/index.js';
import { chooseInventory, choosePolicies, demote, diagnosticsByDocument, type GoodInventory, type GoodPolicy, type PolicyEntry, type Removal } from './policy-set.js';
import { stateOf, type LastGoodState, type Restored } from './last-good-state.js';
import { SnapshotPlanner } from './publish.js';
import type { RuntimeMetrics } from './metrics.js';

export interface ApplyInput {
  readonly files: readonly SourceFile[];
  /** Problems found while reading (missing files, files too large). */
  readonly readDiagnostics: readonly Diagnostic[];
  /** The secrets in force (`serve --secrets`); absent: no secret source. */
  readonly secrets?: SecretCatalog;
}

export interface ApplyResult {
  readonly generation: number;
  /** Whether new configuration was published. */
  readonly published: boolean;
  readonly diagnostics: readonly Diagnostic[];
}

export type InventorySource = 'current' | 'stale' | 'missing';

export interface RuntimeState {
  readonly generation: number;
  readonly appliedAt: number | undefined;
  readonly policies: ReadonlyMap<string, PolicyEntry>;
  /** Source problems not tied to one policy (inventory, unreadable files, unknown documents). */
  readonly sourceDiagnostics: readonly Diagnostic[];
  readonly inventory: { readonly source: InventorySource; readonly inventory?: Inventory; readonly file?: string };
  readonly output: CompileOutput | undefined;
}

export interface RuntimeOptions {
  readonly cache: SnapshotCache;
  readonly logger: Logger;
  readonly metrics?: RuntimeMetrics;
  readonly now?: () => number;
  /** Called after each publish with what was published (the eBPF map sync listens here). */
  readonly onPublish?: (output: CompileOutput) => void;
  /** The parse cache, when the caller also loads the same sources (each file is parsed once). */
  readonly loads?: LoadCache;
}

export class PolicyRuntime {
  private generation = 0;
  private appliedAt: number | undefined;
  private lastGood = new Map<string, GoodPolicy>();
  private lastInventory: GoodInventory | undefined;
  private policies = new Map<string, PolicyEntry>();
  private sourceDiagnostics: Diagnostic[] = [];
  private inventorySource: InventorySource = 'missing';
  private output: CompileOutput | undefined;
  private readonly planner = new SnapshotPlanner();
  private readonly loads: LoadCache;
  private readonly compiler = new Compiler();
  private readonly now: () => number;

  constructor(private readonly options: RuntimeOptions) {
    this.now = options.now ?? Date.now;
    this.loads = options.loads ?? new LoadCache();
  }

  /** Takes a persisted last good state as what was in force (before the first apply, at start-up). */
  restore(restored: Restored): void {
    this.lastGood = new Map(restored.policies);
    this.lastInventory = restored.inventory;
  }

  /** What is in force, as the texts it came from: what the state file keeps. */
  lastGoodState(): LastGoodState {
    return stateOf(this.lastGood, this.lastInventory);
  }

  apply(input: ApplyInput): ApplyResult {
    const started = this.now();
    const load = loadSources(input.files, DEFAULT_PARSE_LIMITS, this.loads);
    const now = { load, files: input.files, readDiagnostics: input.readDiagnostics };
    const chosenInventory = chooseInventory(now, this.lastInventory);
    const inventory = chosenInventory.good?.inventory;
    this.inventorySource = chosenInventory.source;
    const { entries, removed, diagnostics: loadDiagnostics } = choosePolicies(now, this.lastGood);
    const sourceDiagnostics = notPerPolicy(entries, [...input.readDiagnostics, ...loadDiagnostics]);
    if (!load.documents.some((d) => d.kind === 'Inventory')) sourceDiagnostics.push({ severity: 'error', code: 'inventory.missing', path: '', message: 'no Inventory document among the sources' });

    let output: CompileOutput | undefined;
    if (inventory) {
      output = this.compiler.compile(inServe(entries), inventory, input.secrets);
      const offenders = this.offenders(entries, output.diagnostics);
      if (offenders.size > 0 && demote(entries, offenders, this.lastGood, output.diagnostics)) output = this.compiler.compile(inServe(entries), inventory, input.secrets);
    }
    // What compiling found (conflicts, unmatched selectors, peer caveats) belongs to the policy too.
    if (output && output.diagnostics.length > 0) {
      const found = diagnosticsByDocument(output.diagnostics);
      for (const [key, e] of entries) {
        const from = e.policy?.source ?? { file: e.file, document: e.document };
        const mine = found(from.file, from.document).filter((d) => !e.diagnostics.includes(d));
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
    this.lastInventory = chosenInventory.good;
    this.lastGood = nextLastGood(entries, this.lastGood, input.files);
    this.options.onPublish?.(output);
    const elapsed = this.now() - started;
    this.options.metrics?.observeApply(elapsed, entries, staleSources(entries, this.inventorySource));
    this.logRemovals(generation, removed);
    this.options.logger.info('configuration published', { generation, nodes: [...plan.nodes.keys()], policies: this.lastGood.size, ms: Math.round(elapsed * 10) / 10 });
    return { generation, published: true, diagnostics };
  }

  state(): RuntimeState {
    return {
      generation: this.generation,
      appliedAt: this.appliedAt,
      policies: this.policies,
      sourceDiagnostics: this.sourceDiagnostics,
      inventory: { source: this.inventorySource, ...(this.lastInventory ? { inventory: this.lastInventory.inventory, file: this.lastInventory.file } : {}) },
      output: this.output,
    };
  }

  /** Policies whose compile diagnostics include errors (matched by file and document). */
  private offenders(entries: ReadonlyMap<string, PolicyEntry>, diagnostics: readonly Diagnostic[]): Set<string> {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (errors.length === 0) return new Set();
    return new Set([...entries.values()].filter((e) => e.source === 'current' && errors.some((d) => d.file === e.file && d.document === e.document)).map((e) => e.key));
  }

  private logLoad(generation: number, entries: ReadonlyMap<string, PolicyEntry>, sourceDiagnostics: readonly Diagnostic[]): void {
    const log = this.options.logger;
    for (const e of entries.values()) {
      if (e.source === 'current') continue;
      const errors = e.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d));
      if (e.source === 'stale') log.warn('policy is stale: its newest version cannot be used, its last good version stays in force', { generation, policy: e.key, file: e.file, errors });
      else log.warn('invalid policy rejected (no earlier version was valid)', { generation, policy: e.key, file: e.file, errors });
    }
    if (this.inventorySource === 'stale') log.warn('inventory is stale: the last good inventory stays in force', { generation, file: this.lastInventory?.file });
    if (hasErrors(sourceDiagnostics)) log.warn('problems in the sources', { generation, errors: sourceDiagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d)) });
  }

  private logRemovals(generation: number, removed: readonly Removal[]): void {
    for (const r of removed) this.options.logger.info('policy removed', { generation, policy: r.key, file: r.file, reason: r.reason });
  }
}

/** After a publish: the current entries as read now, the stale ones as they were. */
function nextLastGood(entries: ReadonlyMap<string, PolicyEntry>, previous: ReadonlyMap<string, GoodPolicy>, files: readonly SourceFile[]): Map<string, GoodPolicy> {
  const texts = new Map(files.map((f) => [f.name, f.text]));
  const next = new Map<string, GoodPolicy>();
  for (const e of entries.values()) {
    if (!e.policy) continue;
    const text = e.source === 'current' ? texts.get(e.policy.source.file) : undefined;
    const before = previous.get(e.key);
    // The same policy from the same text is the same good version: kept, not copied.
    const good = text === undefined ? before : before?.policy === e.policy && before.text === text ? before : { policy: e.policy, text };
    if (good) next.set(e.key, good);
  }
  return next;
}

/** The diagnostics that no policy entry carries (the sources' own: unreadable paths, duplicate inventories…). */
function notPerPolicy(entries: ReadonlyMap<string, PolicyEntry>, diagnostics: readonly Diagnostic[]): Diagnostic[] {
  if (diagnostics.length === 0) return [];
  const perPolicy = new Set([...entries.values()].flatMap((e) => e.diagnostics));
  return diagnostics.filter((d) => !perPolicy.has(d));
}

/** How many source files (policy files and the inventory) are stale. */
function staleSources(entries: ReadonlyMap<string, PolicyEntry>, inventory: InventorySource): number {
  const files = new Set([...entries.values()].filter((e) => e.source === 'stale').map((e) => e.file));
  return files.size + (inventory === 'stale' ? 1 : 0);
}

function inServe(entries: ReadonlyMap<string, PolicyEntry>): Policy[] {
  const policies: Policy[] = [];
  for (const e of entries.values()) if (e.policy) policies.push(e.policy);
  return policies.sort((a, b) => a.key.localeCompare(b.key));
}
