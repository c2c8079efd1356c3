/**
 * The controller's webhook certificates, composed (`webhook.certificates: controller`): every
 * replica serves the serving Secret (serving-secret.ts), starting from a placeholder of a
 * throwaway CA nobody trusts until the Secret is first read, and the leader issues and rotates
 * it (issuer.ts) every `roundMs`, and at once when it takes the Lease.
 */
import { createCa, type CertsEnv } from '../../../certs/index.js';
import { serviceNames, ServingCertificates, type KubeApi, type RotationOptions, type ServingCertificate, type ServingNames } from '../../admission/index.js';
import type { Logger } from '../../../telemetry/index.js';
import { DEFAULT_CA_SECRET, DEFAULT_TLS_SECRET, WebhookCertIssuer, type CaOptions } from './issuer.js';
import { watchServingSecret, type ServingSecretWatch } from './serving-secret.js';

export const DEFAULT_WEBHOOK_SERVICE = 'sluice-webhook';
export const DEFAULT_ROUND_MS = 10_000;
export const DEFAULT_RELOAD_MS = 5_000;

/** How the controller issues the webhooks' certificates (the Secrets' names, the Service it names, the timeline). */
export interface WebhookIssueSettings {
  readonly caSecret?: string;
  readonly tlsSecret?: string;
  /** The webhooks' Service in the controller's namespace: the leaf names it in every form (serviceNames). */
  readonly service?: string;
  readonly clusterDomain?: string;
  /** IP SANs besides the Service's names (127.0.0.1 where the API server calls a URL on loopback, in tests). */
  readonly ips?: readonly string[];
  readonly rotation?: RotationOptions;
  readonly ca?: CaOptions;
  /** The leader's round (default 10 s). */
  readonly roundMs?: number;
  /** How often every replica reads the serving Secret (default 5 s). */
  readonly reloadMs?: number;
}

export interface WebhookCertificatesOptions {
  readonly api: KubeApi;
  readonly namespace: string;
  readonly settings: WebhookIssueSettings;
  readonly env: CertsEnv;
  readonly leading: () => boolean;
  readonly logger: Logger;
  readonly server: { setCertificate(certificate: ServingCertificate): void };
}

export interface WebhookCertificates {
  readonly issuer: WebhookCertIssuer;
  readonly watch: ServingSecretWatch;
  /** A round now (the Lease was just taken). */
  kick(): void;
  close(): void;
}

export function webhookServingNames(namespace: string, s: WebhookIssueSettings): ServingNames {
  return serviceNames(s.service ?? DEFAULT_WEBHOOK_SERVICE, namespace, s.clusterDomain, s.ips ?? []);
}

/** A pair to listen with before the Secret is read: its CA is thrown away, so no API server trusts it (a call fails as if the webhook were down). */
export async function placeholderCertificate(names: ServingNames, env: CertsEnv): Promise<ServingCertificate> {
  const ca = await createCa({ commonName: 'sluice webhook placeholder (trusted by nobody)', days: 1 }, env);
  if (!ca.ok) throw new Error(`placeholder CA: ${ca.diagnostics.map((d) => d.message).join('; ')}`);
  return (await ServingCertificates.create(ca.value, names, env, { leafDays: 1 })).certificate;
}

export function startWebhookCertificates(o: WebhookCertificatesOptions): WebhookCertificates {
  const s = o.settings;
  const tlsSecret = s.tlsSecret ?? DEFAULT_TLS_SECRET;
  const watch = watchServingSecret({
    api: o.api, secret: { namespace: o.namespace, name: tlsSecret }, intervalMs: s.reloadMs ?? DEFAULT_RELOAD_MS, env: o.env, logger: o.logger,
    onChange: (certificate) => o.server.setCertificate(certificate),
  });
  const issuer = new WebhookCertIssuer({
    api: o.api, namespace: o.namespace, caSecret: s.caSecret ?? DEFAULT_CA_SECRET, tlsSecret, names: webhookServingNames(o.namespace, s), env: o.env,
    leading: o.leading, logger: o.logger, ...(s.rotation ? { rotation: s.rotation } : {}), ...(s.ca ? { ca: s.ca } : {}),
  });
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let running: Promise<void> | undefined;
  const round = async () => {
    if (running || closed) return;
    running = issuer.round()
      .catch((error: unknown) => o.logger.warn('webhook certificates: round failed; retrying next round', { error: error instanceof Error ? error.message : String(error) }))
      .finally(() => {
        running = undefined;
        // The leader serves what it may just have written without waiting for its next read.
        if (o.leading()) watch.kick();
      });
    await running;
  };
  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => void round().finally(schedule), s.roundMs ?? DEFAULT_ROUND_MS);
    timer.unref();
  };
  schedule();
  return {
    issuer,
    watch,
    kick: () => void round(),
    close: () => {
      closed = true;
      clearTimeout(timer);
    },
  };
}
