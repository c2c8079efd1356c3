/**
 * The controller's admin endpoint (the same server as `sluice serve`'s, controller/admin-server.ts):
 *
 * - `/readyz`: 503 until a configuration is published (from the first list, or from the saved
 *   state). Then 200, and the text says what is served and from what: "synced" with the API
 *   server, or "the API server cannot be reached since …: serving the last good configuration".
 *   A replica that loses the API server stays ready on purpose: its proxies keep what they have,
 *   new proxies still get the last good configuration, and the Service keeps its endpoints while
 *   every replica shares the outage.
 * - `/status`: the API server's health, the informers (lists, watches, errors), the Lease, the
 *   status writer, the Secrets (each one watched: pending, missing or present, with its key
 *   names; and as `serve`'s `/status`: in force with version, stale with why, broken with why;
 *   never a value), and per policy the runtime's status (as `serve`'s `/status`).
 * - `/xds/nodes`: this replica's xDS node status (what its proxies ACKed), which the leader reads.
 * - `/config_dump?node=ID`, `/metrics`, and the flows' `/flows` and `/map` (as `serve`'s).
 */
import { configDump, secretsStatus, startAdminServer, type PolicyRuntime } from '../../controller/index.js';
import type { SecretCatalog } from '../../policy-compiler/index.js';
import type { ExtraRoute } from '../../flows/index.js';
import type { Logger, Registry } from '../../telemetry/index.js';
import type { NodeStatus, SnapshotCache } from '../../xds-server/index.js';
import type { KubeSource } from './kube-source.js';
import type { LeaderElector } from './leader.js';
import { NODES_PATH } from './peers.js';
import type { StatusView } from './status-view.js';
import type { StatusWriter } from './status-writer.js';

export interface ControllerAdminOptions {
  readonly host: string;
  readonly port: number;
  readonly runtime: PolicyRuntime;
  readonly cache: SnapshotCache;
  /** This replica's proxies as status counts them (disconnects.ts), which the leader reads at `/xds/nodes`. */
  readonly nodes: () => readonly NodeStatus[];
  readonly source: KubeSource;
  /** The secrets in force (the referenced Secrets, judged). */
  readonly catalog: () => SecretCatalog;
  readonly leader: LeaderElector;
  readonly writer: StatusWriter;
  readonly view: StatusView;
  readonly registry: Registry;
  readonly restored: { readonly policies: number };
  /** `/flows` and `/map` (flows/routes.ts). */
  readonly flowRoutes: ExtraRoute;
  readonly logger: Logger;
  readonly now: () => number;
}

export interface ControllerAdmin {
  readonly port: number;
  close(): Promise<void>;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function readiness(o: Pick<ControllerAdminOptions, 'runtime' | 'source' | 'leader'>): { ready: boolean; reason: string } {
  const state = o.runtime.state();
  const health = o.source.apiHealth();
  const role = o.leader.isLeading() ? 'leader' : 'follower';
  if (!state.output) return { ready: false, reason: o.source.synced ? 'no configuration published yet (see /status for the source problems)' : `waiting for the first list from the API server${health.lastError ? ` (${health.lastError})` : ''}` };
  if (!health.reachable) return { ready: true, reason: `serving the last good configuration (generation ${state.generation}): the API server cannot be reached since ${iso(health.unreachableSince) ?? 'start-up'}${health.lastError ? ` (${health.lastError})` : ''}; ${role}` };
  if (!o.source.synced) return { ready: true, reason: `serving the saved last good state (generation ${state.generation}); the informers have not listed yet; ${role}` };
  return { ready: true, reason: `generation ${state.generation} published; synced with the API server; ${role}` };
}

export async function startControllerAdmin(o: ControllerAdminOptions): Promise<ControllerAdmin> {
  const reachable = o.registry.gauge('sluice_kube_api_reachable', '1 while the API server answers; 0 while this replica serves its last good configuration without it.');
  const leading = o.registry.gauge('sluice_controller_leader', '1 on the replica that holds the Lease (and writes status).');
  const lists = o.registry.gauge('sluice_kube_informer_lists', 'Lists made by each informer (the first, and one per relist).');
  const watches = o.registry.gauge('sluice_kube_informer_watches', 'Watches started by each informer (a resumed watch counts; a relist does too).');
  const errors = o.registry.gauge('sluice_kube_informer_errors', 'Watch or list failures of each informer.');
  const writes = o.registry.gauge('sluice_status_writes', 'L7Policy status writes by outcome (written, unchanged, conflict, gone, failed).');
  const refresh = () => {
    reachable.set(o.source.apiHealth().reachable ? 1 : 0);
    leading.set(o.leader.isLeading() ? 1 : 0);
    for (const [kind, s] of Object.entries(o.source.stats())) {
      lists.set(s.lists, { kind });
      watches.set(s.watches, { kind });
      errors.set(s.errors, { kind });
    }
    for (const [outcome, n] of Object.entries(o.writer.counts)) writes.set(n, { outcome });
  };
  const server = await startAdminServer(o.host, o.port, {
    ready: () => readiness(o),
    status: () => {
      const state = o.runtime.state();
      const health = o.source.apiHealth();
      return {
        generation: state.generation,
        appliedAt: iso(state.appliedAt),
        api: { reachable: health.reachable, lastContact: iso(health.lastContact), unreachableSince: iso(health.unreachableSince), lastError: health.lastError },
        informers: o.source.stats(),
        leader: o.leader.view(),
        statusWriter: { pending: o.writer.pending, ...o.writer.counts },
        restored: o.restored,
        secrets: { watched: o.source.secretStates().map((s) => ({ ...s.ref, state: s.state, keys: s.keys, ...(s.error !== undefined ? { error: s.error } : {}) })), ...secretsStatus(o.catalog()) },
        sources: { problems: state.sourceDiagnostics },
        policies: [...o.view.statuses().values()],
      };
    },
    configDump: (node) => configDump(o.cache, o.runtime, node),
    metrics: () => {
      refresh();
      return o.registry.render();
    },
    extra: (req, res, url) => {
      if (url.pathname !== NODES_PATH) return o.flowRoutes(req, res, url);
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(o.nodes()));
      return true;
    },
  }, o.logger);
  return server;
}
