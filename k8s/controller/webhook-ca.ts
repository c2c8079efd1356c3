/**
 * The leader keeps the webhook configurations' `caBundle` equal to the CA the webhooks' serving
 * certificates chain to (a mounted Secret's `ca.crt`, read again each round, so a rotation reaches
 * the API server without a restart). Only the leader writes, so replicas never race each other;
 * the write itself is the webhook's `syncCaBundle` (a JSON patch guarded by the resourceVersion).
 */
import { syncCaBundle, SLUICE_WEBHOOK_CONFIGURATIONS, type KubeApi } from '../admission/index.js';
import type { Logger } from '../../telemetry/index.js';

export interface WebhookCaOptions {
  readonly api: KubeApi;
  /** The CA bundle (PEM) to publish; undefined while it cannot be read. */
  readonly read: () => string | undefined;
  readonly leading: () => boolean;
  readonly logger: Logger;
  readonly everyMs?: number;
}

export interface WebhookCaSync {
  /** Runs a round now (the Lease was just taken). */
  kick(): void;
  close(): void;
}

export function startWebhookCaSync(o: WebhookCaOptions): WebhookCaSync {
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let running = false;
  let last: string | undefined;
  const round = async () => {
    if (running || closed) return;
    running = true;
    try {
      const pem = o.leading() ? o.read() : undefined;
      if (pem !== undefined) {
        const results = await syncCaBundle(o.api, SLUICE_WEBHOOK_CONFIGURATIONS, pem);
        const patched = results.reduce((n, r) => n + r.patched, 0);
        if (patched > 0 || last !== pem) o.logger.info('webhook caBundle in step', { patched });
        last = pem;
      }
    } catch (error) {
      o.logger.warn('webhook caBundle not synced', { error: error instanceof Error ? error.message : String(error) });
    } finally {
      running = false;
    }
  };
  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => void round().finally(schedule), o.everyMs ?? 30_000);
    timer.unref();
  };
  schedule();
  return {
    kick: () => void round(),
    close: () => {
      closed = true;
      clearTimeout(timer);
    },
  };
}
