/**
 * The rotation loop at the edge: publish the bundle when it changed, then let the certificates
 * renew, serve a renewed leaf at once (new connections get it; nothing restarts), and publish
 * again when the renewal retired a CA. A failed publish is retried on the next round, and the
 * leaf never moves to a CA whose bundle was not published (serving-certs.ts keeps that order).
 */
import { silentLogger, type Logger } from '../../../telemetry/index.js';
import type { ServingCertificate } from '../server.js';
import type { ServingCertificates } from './serving-certs.js';

/** Where a renewed leaf goes: the webhook server (standalone), or the Secret every replica serves (the controller). */
export interface CertificateSink {
  setCertificate(certificate: ServingCertificate): void | Promise<void>;
}

export interface RotationLoopOptions {
  readonly certs: ServingCertificates;
  readonly server: CertificateSink;
  /** Puts the bundle into the webhook configurations (syncCaBundle); absent when nothing publishes (a standalone webhook). */
  readonly publishBundle?: (bundlePem: string) => Promise<void>;
  readonly logger?: Logger;
}

export interface RotationRound {
  readonly published: boolean;
  readonly leafRenewed: boolean;
}

async function publish(o: RotationLoopOptions): Promise<boolean> {
  if (!o.publishBundle || !o.certs.bundleUnpublished) return false;
  const version = o.certs.bundleVersion;
  await o.publishBundle(o.certs.bundlePem);
  o.certs.bundlePublished(version);
  return true;
}

/** One round: publish a changed bundle, renew what is due, serve it, publish again if a CA retired. */
export async function rotateOnce(o: RotationLoopOptions): Promise<RotationRound> {
  const logger = o.logger ?? silentLogger;
  let published = await publish(o);
  if (!o.publishBundle && o.certs.bundleUnpublished) o.certs.bundlePublished(o.certs.bundleVersion); // nobody to tell: whoever calls trusts the CA by other means
  const tick = await o.certs.tick();
  if (tick.leafRenewed) {
    await o.server.setCertificate(o.certs.certificate);
    logger.info('serving certificate renewed', { serial: o.certs.leafCertificate.serialNumber, notAfter: o.certs.leafCertificate.notAfter.toISOString() });
  }
  if (tick.bundleChanged) published = (await publish(o)) || published;
  return { published, leafRenewed: tick.leafRenewed };
}

/** Runs `rotateOnce` now and every `intervalMs` until `signal` aborts; errors are logged and retried next round. */
export function startRotation(o: RotationLoopOptions & { readonly intervalMs: number; readonly signal: AbortSignal }): Promise<void> {
  const logger = o.logger ?? silentLogger;
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const round = () => {
      rotateOnce(o)
        .catch((error: unknown) => logger.warn('certificate rotation failed; retrying next round', { error: error instanceof Error ? error.message : String(error) }))
        .finally(() => {
          if (!o.signal.aborted) timer = setTimeout(round, o.intervalMs);
        });
    };
    o.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
    round();
  });
}
