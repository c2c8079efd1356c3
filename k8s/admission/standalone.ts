/**
 * The webhooks as a process of their own (`sluice webhook`): the HTTPS server, its certificate
 * (from a TLS directory, reloaded when it changes; or issued from a CA directory and rotated),
 * the caBundle upkeep, and a view of policies and inventory from files and, optionally, the API
 * server. The composition root; every decision is in the modules it wires.
 */
import { readFileSync } from 'node:fs';
import { loadCa, type CertsEnv } from '../../certs/index.js';
import { formatDiagnostic } from '../../policy-compiler/index.js';
import type { Logger } from '../../telemetry/index.js';
import { SLUICE_WEBHOOK_CONFIGURATIONS, syncCaBundle } from './ca-bundle.js';
import type { WebhookDeps } from './handler.js';
import type { PolicyView } from './validate-policy.js';
import { inClusterKubeApi, kubeApiFromKubeconfig, type KubeApi } from './kube-api.js';
import { startWebhookServer, type ServingCertificate, type WebhookServer } from './server.js';
import { startRotation } from './tls/rotation.js';
import { DEFAULT_PROPAGATION_MS, ServingCertificates, type ServingNames } from './tls/serving-certs.js';
import { readServingDir, watchServingDir } from './tls/tls-dir.js';
import { fileView, readInventory } from './views.js';

export type TlsSource =
  | { readonly kind: 'dir'; readonly dir: string }
  | { readonly kind: 'ca'; readonly dir: string; readonly names: ServingNames }
  /** A first pair; whoever started it replaces it (`setCertificate`: the controller, from the serving Secret). */
  | { readonly kind: 'given'; readonly certificate: ServingCertificate };

export interface StandaloneConfig {
  readonly listen: { readonly host: string; readonly port: number };
  readonly tls: TlsSource;
  readonly inventory: string;
  readonly policyDirs: readonly string[];
  readonly api?: { readonly kind: 'kubeconfig'; readonly file: string } | { readonly kind: 'in-cluster' };
  readonly syncCaBundle: boolean;
  /** How often the TLS directory is read again, or the certificate's renewal checked. */
  readonly reloadIntervalMs: number;
  readonly deps: Omit<WebhookDeps, 'policies'>;
  /** The cluster as the controller's informers hold it; replaces `inventory`, `policyDirs` and the listed policies. */
  readonly view?: PolicyView;
}

export class StandaloneError extends Error {
  override readonly name = 'StandaloneError';
}

function connect(api: NonNullable<StandaloneConfig['api']>): KubeApi {
  return api.kind === 'kubeconfig' ? kubeApiFromKubeconfig(readFileSync(api.file, 'utf8'), api.file) : inClusterKubeApi(process.env, (p) => readFileSync(p, 'utf8'));
}

/** Starts everything; resolves with the server once it listens. `signal` stops the reloads and the rotation (the caller closes the server). */
export async function startStandalone(config: StandaloneConfig, env: CertsEnv, logger: Logger, signal: AbortSignal): Promise<WebhookServer> {
  const api = config.api ? connect(config.api) : undefined;
  if (config.syncCaBundle && !api) throw new StandaloneError('--sync-ca-bundle needs the API server (--kubeconfig or --in-cluster)');
  const publish = api && config.syncCaBundle
    ? async (bundle: string) => {
        const results = await syncCaBundle(api, SLUICE_WEBHOOK_CONFIGURATIONS, bundle);
        logger.info('caBundle synced', { patched: results.map((r) => `${r.configuration.name}:${r.patched}`).join(',') });
      }
    : undefined;
  if (!config.view) {
    try {
      await readInventory(config.inventory);
    } catch (error) {
      throw new StandaloneError(`--inventory ${config.inventory}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const view = config.view ?? fileView({ inventory: config.inventory, policyDirs: config.policyDirs, ...(api ? { api } : {}) });
  const deps: WebhookDeps = { ...config.deps, policies: { view } };

  if (config.tls.kind === 'given') return startWebhookServer({ host: config.listen.host, port: config.listen.port, certificate: config.tls.certificate, deps, logger });

  if (config.tls.kind === 'dir') {
    const first = await readServingDir(config.tls.dir, env.now(), env.crypto);
    if (!first.ok) throw new StandaloneError(`${config.tls.dir} does not hold a usable certificate:\n${first.problems.join('\n')}`);
    const server = await startWebhookServer({ host: config.listen.host, port: config.listen.port, certificate: first.value.certificate, deps, logger });
    if (publish) await publish(first.value.caPem);
    let caPem = first.value.caPem;
    watchServingDir({
      dir: config.tls.dir,
      initial: first.value,
      intervalMs: config.reloadIntervalMs,
      now: env.now,
      crypto: env.crypto,
      signal,
      onChange: async (next) => {
        if (!publish || next.caPem === caPem) {
          server.setCertificate(next.certificate);
          return;
        }
        // A new CA: the bundle first, and the new leaf only once every API server has reloaded it.
        await publish(next.caPem);
        caPem = next.caPem;
        await new Promise((resolve) => setTimeout(resolve, DEFAULT_PROPAGATION_MS));
        server.setCertificate(next.certificate);
      },
      onProblem: (problems) => logger.warn('the TLS directory changed but is not usable; serving the previous certificate', { problems: problems.join('; ') }),
    });
    return server;
  }

  const ca = await loadCa(config.tls.dir, env);
  if (!ca.ok) throw new StandaloneError(`${config.tls.dir}: not a usable CA:\n${ca.diagnostics.map((d) => formatDiagnostic(d)).join('\n')}`);
  const certs = await ServingCertificates.create(ca.value, config.tls.names, env);
  const server = await startWebhookServer({ host: config.listen.host, port: config.listen.port, certificate: certs.certificate, deps, logger });
  void startRotation({ certs, server, ...(publish ? { publishBundle: publish } : {}), logger, intervalMs: config.reloadIntervalMs, signal });
  return server;
}
