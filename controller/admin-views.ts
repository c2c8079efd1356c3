/** What the admin endpoint shows: `/status` (sources, policies, nodes) and `/config_dump`. */
import { decodeMessage } from '../envoy-api/index.js';
import { redactSecrets } from '../policy-compiler/index.js';
import { formatDiagnostic, type Diagnostic } from '../problems/index.js';
import { PUSH_ORDER, type SnapshotCache, type XdsServer } from '../xds-server/index.js';
import { dataPathProblems, type DataplaneView } from './dataplane-status.js';
import type { EnvoyStatus } from './envoy-supervisor.js';
import { policyStatuses, type StatusInputs } from './policy-status.js';
import type { PolicyRuntime, RuntimeState } from './runtime.js';
import type { SecretsStatus } from './secrets/status.js';

/** What `/status` says about the state directory. */
export interface StateReport {
  /** The state file, or undefined when nothing is persisted. */
  readonly file: string | undefined;
  /** What start-up took from it. */
  readonly restored: { readonly policies: number; readonly inventory: boolean };
  /** Why it was ignored or partly ignored at start-up. */
  readonly problems: readonly Diagnostic[];
  /** The last failure to write it, if the last attempt failed. */
  readonly saveError?: string;
}

export interface StatusContext {
  readonly runtime: PolicyRuntime;
  readonly xds: XdsServer;
  readonly cache: SnapshotCache;
  readonly policies: readonly string[];
  readonly inventory: string;
  readonly state: () => StateReport;
  /** The eBPF dataplane this process manages, if any (`serve --bpf-cgroup`). */
  readonly dataplane?: () => DataplaneView;
  /** The Envoy processes this process supervises, if any (`serve --envoy`). */
  readonly envoys?: () => readonly EnvoyStatus[];
  /** The audit policies' would-deny flows (the flows `serve` collects). */
  readonly audit?: StatusInputs['audit'];
  /** The secrets in force (`serve --secrets`, `--ca-dir`), without their values. */
  readonly secrets?: () => SecretsStatus | undefined;
}

const fmt = (d: Diagnostic) => formatDiagnostic(d, 'in-sources');

/** The sources whose last good version is in force, each with its policies and why it is stale. */
type StaleSource = { file: string; policies?: string[]; inventory?: true; errors: string[]; diagnostics: Diagnostic[] };

function staleSources(state: RuntimeState, inventory: string): StaleSource[] {
  const byFile = new Map<string, { policies: string[]; errors: Set<string>; diagnostics: Map<string, Diagnostic> }>();
  for (const e of state.policies.values()) {
    if (e.source !== 'stale' || e.file === undefined) continue;
    const f = byFile.get(e.file) ?? { policies: [], errors: new Set<string>(), diagnostics: new Map<string, Diagnostic>() };
    f.policies.push(e.key);
    for (const d of e.diagnostics) {
      if (d.severity !== 'error') continue;
      f.errors.add(fmt(d));
      f.diagnostics.set(formatDiagnostic(d), d);
    }
    byFile.set(e.file, f);
  }
  const out: StaleSource[] = [...byFile].map(([file, f]) => ({ file, policies: f.policies.sort(), errors: [...f.errors], diagnostics: [...f.diagnostics.values()] }));
  if (state.inventory.source === 'stale') {
    const file = state.inventory.file ?? inventory;
    const diagnostics = state.sourceDiagnostics.filter((d) => d.severity === 'error' && (d.file === file || d.code === 'inventory.missing'));
    out.push({ file, inventory: true, errors: diagnostics.map(fmt), diagnostics });
  }
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

export function statusDocument(ctx: StatusContext): unknown {
  const { runtime, xds, cache } = ctx;
  const state = runtime.state();
  const nodes = xds.status();
  const inventoryNodes = state.output?.nodes.map((n) => ({ node: n.node, kind: n.kind })) ?? [];
  const known = new Set(nodes.map((n) => n.nodeId));
  // Proxies that let new connections through unchecked while they are not listening: always shown.
  const failOpen = new Set((state.output?.nodes ?? []).filter((n) => n.failOpen).map((n) => n.node));
  const supervised = new Map((ctx.envoys?.() ?? []).map((e) => [e.node, e]));
  const local = (node: string) => {
    const e = supervised.get(node);
    return e ? { envoy: e } : {};
  };
  const persisted = ctx.state();
  return {
    generation: state.generation,
    appliedAt: state.appliedAt !== undefined ? new Date(state.appliedAt).toISOString() : undefined,
    sources: {
      policies: ctx.policies,
      inventory: ctx.inventory,
      inventoryState: state.inventory.source,
      stale: staleSources(state, ctx.inventory),
      problems: state.sourceDiagnostics.map(fmt),
      diagnostics: state.sourceDiagnostics,
      state: {
        file: persisted.file ?? null,
        restored: persisted.restored,
        problems: persisted.problems.map(fmt),
        diagnostics: persisted.problems,
        ...(persisted.saveError ? { saveError: persisted.saveError } : {}),
      },
    },
    ...(ctx.secrets ? { secrets: ctx.secrets() ?? null } : {}),
    policies: policyStatuses({
      runtime: state,
      nodes,
      view: (id) => cache.view(id),
      ...(ctx.dataplane && state.output ? { dataPath: dataPathProblems(state.output.ir, ctx.dataplane()) } : {}),
      ...(ctx.audit ? { audit: ctx.audit } : {}),
    }),
    nodes: [
      ...nodes.map((n) => {
        const view = cache.view(n.nodeId);
        return {
          node: n.nodeId,
          ...(failOpen.has(n.nodeId) ? { failOpen: true } : {}),
          ...local(n.nodeId),
          connected: n.connected,
          streams: n.streams.length,
          types: Object.fromEntries(
            n.types.map((t) => [
              t.type,
              {
                served: view.version(t.typeUrl),
                acked: t.lastAck?.version,
                ...(t.lastNack ? { nack: { rejectedVersion: t.lastNack.rejectedVersion, message: t.lastNack.message, at: new Date(t.lastNack.at).toISOString() } } : {}),
              },
            ]),
          ),
        };
      }),
      ...inventoryNodes.filter((n) => !known.has(n.node)).map((n) => ({ node: n.node, kind: n.kind, ...(failOpen.has(n.node) ? { failOpen: true } : {}), ...local(n.node), connected: false, streams: 0, types: {} })),
    ],
  };
}

export function configDump(cache: SnapshotCache, runtime: PolicyRuntime, node: string | undefined): unknown {
  if (node === undefined) {
    return { nodes: runtime.state().output?.nodes.map((n) => n.node) ?? [], hint: 'add ?node=ID; any other id shows what proxyless gRPC clients are served' };
  }
  const view = cache.view(node);
  return {
    node,
    types: PUSH_ORDER.map((t) => ({
      type: t.short,
      typeUrl: t.typeUrl,
      version: view.version(t.typeUrl),
      resources: [...view.of(t.typeUrl).byName.values()].map((r) => ({ name: r.name, version: r.version, resource: redactSecrets(decodeMessage(t.message, r.body)) })),
    })).filter((t) => t.resources.length > 0),
  };
}
