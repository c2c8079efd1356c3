/**
 * `sluice serve`, composed: the xDS server over a snapshot cache, the policy runtime fed by a file
 * watcher, and the admin endpoint. Everything it needs is injected (addresses, logger, clock), so
 * tests run it in-process.
 */
import { decodeMessage } from '../envoy-api/index.js';
import type { CompileOutput } from '../policy-compiler/index.js';
import { Registry, type Logger } from '../telemetry/index.js';
import { PUSH_ORDER, SnapshotCache, XdsServer } from '../xds-server/index.js';
import { startAdminServer, type AdminServer } from './admin-server.js';
import { watchSources, type Watcher } from './file-source.js';
import { runtimeMetrics } from './metrics.js';
import { policyStatuses } from './policy-status.js';
import { PolicyRuntime } from './runtime.js';
import { readSourceFiles } from './source-files.js';
import { openRedirectSync, type RedirectSync, type RedirectSyncOptions } from './redirect-sync.js';

export interface ServeOptions {
  readonly policies: string;
  readonly inventory: string;
  readonly xds: { readonly host: string; readonly port: number };
  readonly admin: { readonly host: string; readonly port: number };
  readonly logger: Logger;
  readonly now?: () => number;
  readonly debounceMs?: number;
  /** Manage the eBPF redirect dataplane: reconcile its maps after every publish. */
  readonly bpf?: RedirectSyncOptions;
}

export interface Serving {
  readonly xdsPort: number;
  readonly adminPort: number;
  readonly runtime: PolicyRuntime;
  readonly xds: XdsServer;
  readonly cache: SnapshotCache;
  /** Re-reads the sources now (what the watcher does after a change). */
  reload(): void;
  close(): Promise<void>;
}

export async function startServe(options: ServeOptions): Promise<Serving> {
  const logger = options.logger;
  const now = options.now ?? Date.now;
  const registry = new Registry();
  const cache = new SnapshotCache({ logger: logger.child({ component: 'cache' }) });
  const xds = new XdsServer({ cache, logger: logger.child({ component: 'xds' }), registry });
  // The dataplane opens first, so a missing kernel feature fails start-up with a clear error.
  const redirects: RedirectSync | undefined = options.bpf ? await openRedirectSync(options.bpf, logger.child({ component: 'bpf' }), registry) : undefined;
  const runtime = new PolicyRuntime({
    cache,
    logger: logger.child({ component: 'runtime' }),
    metrics: runtimeMetrics(registry),
    now,
    ...(redirects ? { onPublish: (output: CompileOutput) => redirects.sync(output) } : {}),
  });
  const sources = [options.policies, options.inventory];
  const reload = () => {
    const read = readSourceFiles(sources);
    runtime.apply({ files: read.files, readDiagnostics: read.diagnostics });
  };
  reload();
  let watcher: Watcher | undefined;
  let admin: AdminServer | undefined;
  let xdsPort: number;
  try {
    xdsPort = await xds.listen(`${options.xds.host.includes(':') ? `[${options.xds.host}]` : options.xds.host}:${options.xds.port}`);
    watcher = watchSources({ paths: sources, onChange: reload, logger: logger.child({ component: 'watch' }), quietMs: options.debounceMs ?? 100 });
    admin = await startAdminServer(options.admin.host, options.admin.port, {
      ready: () => {
        const state = runtime.state();
        if (!state.output) return { ready: false, reason: 'no configuration published yet (see /status for the source problems)' };
        return { ready: true, reason: `generation ${state.generation} published` };
      },
      status: () => statusDocument(runtime, xds, cache, options),
      configDump: (node) => configDump(cache, runtime, node),
      metrics: () => registry.render(),
    }, logger.child({ component: 'admin' }));
  } catch (error) {
    watcher?.close();
    redirects?.close();
    await xds.close();
    throw error;
  }
  const adminServer = admin;
  logger.info('sluice serving', { xds: `${options.xds.host}:${xdsPort}`, admin: `${options.admin.host}:${adminServer.port}`, policies: options.policies, inventory: options.inventory });
  return {
    xdsPort,
    adminPort: adminServer.port,
    runtime,
    xds,
    cache,
    reload,
    async close() {
      watcher?.close();
      redirects?.close();
      await adminServer.close();
      await xds.close();
    },
  };
}

function statusDocument(runtime: PolicyRuntime, xds: XdsServer, cache: SnapshotCache, options: ServeOptions): unknown {
  const state = runtime.state();
  const nodes = xds.status();
  const fmt = (d: { file?: string; line?: number; path: string; message: string; severity: string }) => `${d.severity}: ${d.file ?? ''}${d.line !== undefined ? `:${d.line}` : ''}: ${d.path ? `${d.path}: ` : ''}${d.message}`;
  const inventoryNodes = state.output?.nodes.map((n) => ({ node: n.node, kind: n.kind })) ?? [];
  const known = new Set(nodes.map((n) => n.nodeId));
  return {
    generation: state.generation,
    appliedAt: state.appliedAt !== undefined ? new Date(state.appliedAt).toISOString() : undefined,
    sources: { policies: options.policies, inventory: options.inventory, inventoryState: state.inventory.source, problems: state.sourceDiagnostics.map(fmt) },
    policies: policyStatuses({ runtime: state, nodes, view: (id) => cache.view(id) }),
    nodes: [
      ...nodes.map((n) => {
        const view = cache.view(n.nodeId);
        return {
          node: n.nodeId,
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
      ...inventoryNodes.filter((n) => !known.has(n.node)).map((n) => ({ node: n.node, kind: n.kind, connected: false, streams: 0, types: {} })),
    ],
  };
}

function configDump(cache: SnapshotCache, runtime: PolicyRuntime, node: string | undefined): unknown {
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
      resources: [...view.of(t.typeUrl).byName.values()].map((r) => ({ name: r.name, version: r.version, resource: decodeMessage(t.message, r.body) })),
    })).filter((t) => t.resources.length > 0),
  };
}
