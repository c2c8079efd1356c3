/**
 * `sluice serve`, composed: the xDS server over a snapshot cache, the policy runtime fed by a
 * source watcher, the state directory that carries the last good state across restarts, and the
 * admin endpoint. Everything it needs is injected (addresses, logger, clock, state directory), so
 * tests run it in-process.
 */
import { startFlows, type Flows, type FlowsOptions } from '../flows/index.js';
import { formatHostPort, localHostOf } from '../ip/index.js';
import { DEFAULT_PARSE_LIMITS, EMPTY_SECRET_CATALOG, issueRequests, LoadCache, loadSources, type CompileOutput, type SecretCatalog, type SourceFile } from '../policy-compiler/index.js';
import { defaultEnv, loadCa } from '../certs/index.js';
import { Registry, type Logger } from '../telemetry/index.js';
import { SnapshotCache, XdsServer } from '../xds-server/index.js';
import { readXdsTls, type XdsTlsFiles } from './xds-tls.js';
import { configDump, statusDocument, type StateReport } from './admin-views.js';
import { startAdminServer, type AdminServer } from './admin-server.js';
import { restoreState } from './last-good-state.js';
import { runtimeMetrics, sourceMetrics } from './metrics.js';
import { PolicyRuntime } from './runtime.js';
import { fileSource, fingerprintOf, type DocumentSource, type SourceRead } from './source.js';
import { StateStore } from './state-store.js';
import { catalogFingerprint } from './secrets/fingerprint.js';
import { directorySecrets } from './secrets/directory.js';
import { OnTheFlyIssuer } from './secrets/issuer.js';
import { secretsStatus } from './secrets/status.js';
import { openRedirectSync, type RedirectSync, type RedirectSyncOptions } from './redirect-sync.js';
import { EnvoySupervisor } from './envoy-supervisor.js';

/** The flows `serve` collects from its proxies (what `startFlows` takes beyond what `serve` supplies). */
export type ServeFlowsOptions = Omit<FlowsOptions, 'registry' | 'logger' | 'now' | 'inventory' | 'ir' | 'identity'>;

/** `serve --envoy`: run and supervise the local Envoy of the node(s) this host runs. */
export interface SupervisedEnvoyOptions {
  readonly binary: string;
  /** Envoy node ids to run; default every Envoy node of the inventory. */
  readonly nodes?: readonly string[];
  /** The proxy cgroup to run Envoy in (never redirected). */
  readonly cgroup?: string;
  /** Admin of the i-th Envoy on 127.0.0.1:(adminPortBase + i) (default 15000). */
  readonly adminPortBase?: number;
  /** Where the bootstraps are written. */
  readonly dir: string;
  /** Envoy's own log level (default warning). */
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warning' | 'error';
}

export interface ServeOptions {
  /** One policy directory, or several. */
  readonly policies: string | readonly string[];
  readonly inventory: string;
  /** `--secrets DIR`: one directory per `namespace/name` of secret keys (docs/tls.md). */
  readonly secrets?: string;
  /** `--ca-dir DIR`: sluice's CA (`sluice certs init`), which issues the certificates of `terminatingTLS: { issue: true }`. */
  readonly caDir?: string;
  /** With `caDir`: the validity of the certificates it issues (default 90 days) and how long before expiry they are renewed (default certs/renew.ts's 30 days). */
  readonly issue?: { readonly days?: number; readonly renewWindowMs?: number };
  readonly xds: { readonly host: string; readonly port: number };
  /** Mutual TLS on the xDS port: the server's certificate and key, the CA client certificates must chain to, and the trust domain of node identities (files, read at start). */
  readonly xdsTls?: XdsTlsFiles;
  readonly admin: { readonly host: string; readonly port: number };
  readonly logger: Logger;
  readonly now?: () => number;
  readonly debounceMs?: number;
  /** The safety-net rescan of the sources (default every 5 s). */
  readonly rescanMs?: number;
  /** Where the last good state is persisted, so a restart starts from it; undefined: not persisted. */
  readonly stateDir?: string;
  /** Manage the eBPF redirect dataplane: reconcile its maps after every publish. */
  readonly bpf?: RedirectSyncOptions;
  readonly envoy?: SupervisedEnvoyOptions;
  /** The flow collector, store, metrics and exports (default: collected, kept in memory, no export). */
  readonly flows?: ServeFlowsOptions;
}

export interface Serving {
  readonly xdsPort: number;
  readonly adminPort: number;
  readonly runtime: PolicyRuntime;
  readonly xds: XdsServer;
  readonly cache: SnapshotCache;
  /** The Envoy processes `serve` supervises (empty without `envoy`). */
  readonly envoys: EnvoySupervisor | undefined;
  /** The flows the proxies report (Envoy's access logs, the Kafka enforcers' pushes), on the xDS port. */
  readonly flows: Flows;
  /** Re-reads the sources now, as the watcher does after a change; applies them only if anything differs from the last read. */
  reload(): boolean;
  close(): Promise<void>;
}

export const DEFAULT_RESCAN_MS = 5000;
/** `/status` counts each audit policy's would-deny flows over this window. */
export const AUDIT_WINDOW_MS = 24 * 3600_000;

export async function startServe(options: ServeOptions): Promise<Serving> {
  const logger = options.logger;
  const now = options.now ?? Date.now;
  const registry = new Registry();
  const metrics = runtimeMetrics(registry);
  const changes = sourceMetrics(registry);
  const cache = new SnapshotCache({ logger: logger.child({ component: 'cache' }) });
  // The policy runtime is built below; the flows read its inventory and IR through it at each batch.
  let current: PolicyRuntime | undefined;
  const tls = options.xdsTls ? readXdsTls(options.xdsTls) : undefined;
  const flows = startFlows({
    ...options.flows,
    registry,
    logger,
    now,
    inventory: () => current?.state().inventory.inventory,
    ir: () => current?.state().output?.ir,
    ...(tls ? { identity: { trustDomain: tls.trustDomain } } : {}),
  });
  const xds = new XdsServer({ cache, logger: logger.child({ component: 'xds' }), registry, services: [(server) => flows.register(server)], ...(tls ? { identity: { trustDomain: tls.trustDomain } } : {}) });
  // The dataplane opens first, so a missing kernel feature fails start-up with a clear error.
  const redirects: RedirectSync | undefined = options.bpf ? await openRedirectSync(options.bpf, logger.child({ component: 'bpf' }), registry) : undefined;
  // One parse cache for every load of the sources (the runtime's, and the CA's issue requests): a
  // file is parsed when it is new or changed, never again on a rescan or reload that changed nothing.
  const loads = new LoadCache(() => metrics.filesParsed.inc());
  const runtime = new PolicyRuntime({
    cache,
    loads,
    logger: logger.child({ component: 'runtime' }),
    metrics,
    now,
    ...(redirects ? { onPublish: (output: CompileOutput) => redirects.sync(output) } : {}),
  });
  current = runtime;
  const policies = typeof options.policies === 'string' ? [options.policies] : [...options.policies];
  const sources = [...policies, options.inventory];
  const secretSource = options.secrets !== undefined ? directorySecrets(options.secrets) : undefined;
  let onIssued = () => {};
  const issuer = options.caDir !== undefined ? await openIssuer(options.caDir, logger, now, () => onIssued(), options.issue) : undefined;
  const store = options.stateDir !== undefined ? new StateStore(options.stateDir, logger.child({ component: 'state' })) : undefined;
  let report = restore(store, runtime, logger);
  let lastRead: string | undefined;
  let source: DocumentSource | undefined;
  let lastCatalog: SecretCatalog | undefined;
  let started = false;
  const reload = (trigger: 'start' | 'watch' | 'rescan' | 'manual') => {
    // Until the first read (after the CA's first certificates), changes are left to it.
    if (!started && trigger !== 'start') return false;
    started = true;
    const read: SourceRead | undefined = source?.read();
    if (!read) return false;
    const at = new Date(now());
    const secrets = secretSource?.read(at);
    const catalog = secrets || issuer ? withIssued(secrets?.catalog ?? EMPTY_SECRET_CATALOG, issuer, loads, read.files, at) : undefined;
    const fingerprint = fingerprintOf(read) + (catalog ? catalogFingerprint(catalog) : '');
    lastCatalog = catalog;
    if (fingerprint === lastRead) return false;
    lastRead = fingerprint;
    changes.changed(trigger);
    if (trigger === 'rescan') logger.info('the rescan found a change the watches did not report', { component: 'watch' });
    for (const problem of secrets?.problems ?? []) logger.warn('a secret is not usable', { component: 'secrets', problem });
    const result = runtime.apply({ ...read, ...(catalog ? { secrets: catalog } : {}) });
    if (result.published && store) {
      const error = store.save(runtime.lastGoodState());
      if (error) metrics.stateSaveFailures.inc();
      const { saveError: _previous, ...rest } = report;
      report = error ? { ...rest, saveError: error.message } : rest;
    }
    return true;
  };
  // Watch first, then read: whatever changes after the first read is seen.
  const watcher: DocumentSource = (source = fileSource({
    paths: sources,
    inventory: options.inventory,
    // The secrets directory is watched with the sources (same fail-safe rules) and read by its own source.
    ...(options.secrets !== undefined ? { watchPaths: [options.secrets] } : {}),
    onChange: reload,
    logger: logger.child({ component: 'watch' }),
    metrics: changes.watch,
    quietMs: options.debounceMs ?? 100,
    rescanMs: options.rescanMs ?? DEFAULT_RESCAN_MS,
  }));
  let admin: AdminServer | undefined;
  let xdsPort: number;
  let envoys: EnvoySupervisor | undefined;
  try {
    if (issuer) {
      // The certificates the policies ask sluice's CA for are issued before the first compile.
      const first = watcher.read();
      if (first) await issuer.prime(issueRequests(loadSources(first.files, DEFAULT_PARSE_LIMITS, loads).policies), new Date(now()));
    }
    onIssued = () => reload('manual');
    reload('start');
    xdsPort = await xds.listen(formatHostPort(options.xds.host, options.xds.port), tls?.credentials);
    // A wildcard bind is reached on loopback by the local Envoys.
    if (options.envoy) envoys = superviseEnvoy(options.envoy, runtime, { host: localHostOf(options.xds.host), port: xdsPort }, logger);
    admin = await startAdminServer(options.admin.host, options.admin.port, {
      ready: () => {
        const state = runtime.state();
        if (!state.output) return { ready: false, reason: 'no configuration published yet (see /status for the source problems)' };
        return { ready: true, reason: `generation ${state.generation} published` };
      },
      status: () =>
        statusDocument({
          runtime,
          xds,
          cache,
          policies,
          inventory: options.inventory,
          state: () => report,
          ...(redirects ? { dataplane: () => redirects.view() } : {}),
          ...(envoys ? { envoys: () => envoys?.status() ?? [] } : {}),
          audit: (keys) => flows.wouldDeny(keys, now() - AUDIT_WINDOW_MS),
          ...(secretSource || issuer ? { secrets: () => (lastCatalog ? secretsStatus(lastCatalog) : undefined) } : {}),
        }),
      configDump: (node) => configDump(cache, runtime, node),
      metrics: () => registry.render(),
      extra: flows.routes,
    }, logger.child({ component: 'admin' }));
  } catch (error) {
    watcher.close();
    redirects?.close();
    await envoys?.stop();
    await xds.close();
    await flows.close();
    throw error;
  }
  const adminServer = admin;
  logger.info('sluice serving', { xds: formatHostPort(options.xds.host, xdsPort), admin: formatHostPort(options.admin.host, adminServer.port), policies, inventory: options.inventory, stateFile: store?.file });
  return {
    xdsPort,
    adminPort: adminServer.port,
    runtime,
    xds,
    cache,
    envoys,
    flows,
    reload: () => reload('manual'),
    async close() {
      watcher.close();
      await envoys?.stop();
      redirects?.close();
      await adminServer.close();
      await xds.close();
      await flows.close();
    },
  };
}

function superviseEnvoy(o: SupervisedEnvoyOptions, runtime: PolicyRuntime, xds: { host: string; port: number }, logger: Logger): EnvoySupervisor {
  const inventoryNodes = runtime.state().output?.nodes.filter((n) => n.kind === 'envoy').map((n) => n.node) ?? [];
  // The nodes asked for may include Kafka enforcers (--bpf-node names every proxy of the host).
  const nodes = (o.nodes ?? inventoryNodes).filter((n) => inventoryNodes.includes(n));
  if (nodes.length === 0) logger.warn('--envoy: no Envoy node of the inventory to run here', { component: 'envoy', asked: o.nodes, inventory: inventoryNodes });
  const supervisor = new EnvoySupervisor({ binary: o.binary, nodes, xds, adminPortBase: o.adminPortBase ?? 15000, dir: o.dir, ...(o.cgroup ? { cgroup: o.cgroup } : {}), ...(o.logLevel ? { logLevel: o.logLevel } : {}), logger });
  supervisor.start();
  return supervisor;
}

/** Takes the persisted last good state, if any, as what was in force; a bad state file is reported and ignored. */
function restore(store: StateStore | undefined, runtime: PolicyRuntime, logger: Logger): StateReport {
  if (!store) return { file: undefined, restored: { policies: 0, inventory: false }, problems: [] };
  const loaded = store.load();
  if (!loaded.state) {
    if (loaded.problem) logger.error('the state file is ignored: serving starts from the sources alone', { file: store.file, problem: loaded.problem.message });
    return { file: store.file, restored: { policies: 0, inventory: false }, problems: loaded.problem ? [loaded.problem] : [] };
  }
  const restored = restoreState(loaded.state, store.file);
  for (const d of restored.diagnostics) logger.warn('a state entry is not restored', { file: store.file, problem: d.message });
  runtime.restore(restored);
  logger.info('last good state restored', { file: store.file, policies: restored.policies.size, inventory: restored.inventory !== undefined });
  return { file: store.file, restored: { policies: restored.policies.size, inventory: restored.inventory !== undefined }, problems: restored.diagnostics };
}

/** sluice's CA from `--ca-dir`, issuing on the fly; a CA that does not load fails start-up. */
/** sluice's CA on serve's clock: what it issues is dated, and judged, by the same time that decides renewal. */
async function openIssuer(dir: string, logger: Logger, now: () => number, onIssued: () => void, issue: ServeOptions['issue'] = {}): Promise<OnTheFlyIssuer> {
  const env = { ...defaultEnv(), now: () => new Date(now()) };
  const ca = await loadCa(dir, env);
  if (!ca.ok) throw new Error(`--ca-dir ${dir}: ${ca.diagnostics.map((d) => d.message).join('; ')}`);
  return new OnTheFlyIssuer({ ca: ca.value, env, logger: logger.child({ component: 'ca' }), onIssued, ...(issue.days !== undefined ? { days: issue.days } : {}), ...(issue.renewWindowMs !== undefined ? { renewWindowMs: issue.renewWindowMs } : {}) });
}

/** The catalog with what sluice's CA issued for the policies read now (the policies are loaded for their issue requests). */
function withIssued(catalog: SecretCatalog, issuer: OnTheFlyIssuer | undefined, loads: LoadCache, files: readonly SourceFile[], at: Date): SecretCatalog {
  if (!issuer) return catalog;
  return { ...catalog, issuer: true, issued: issuer.wanted(issueRequests(loadSources(files, DEFAULT_PARSE_LIMITS, loads).policies), at) };
}
