/**
 * Every replica serves the webhooks from the serving Secret the leader writes, read through the
 * API (a GET of that one Secret by name every `intervalMs`), not from a mounted volume: the kubelet
 * refreshes a mounted Secret only on its sync period (about a minute, plus its cache's TTL),
 * while a read through the API sees a renewal within one interval. A new pair is served once it
 * checks out as `sluice certs inspect` would check it (readServingPair); the server's
 * setCertificate hands it to new connections and closes old ones after their next answer. A
 * Secret that is missing or broken never replaces a working pair: the problem is logged once.
 */
import { createHash } from 'node:crypto';
import type { CertsEnv } from '../../../certs/index.js';
import type { KubeApi, ServingCertificate } from '../../admission/index.js';
import type { Logger } from '../../../telemetry/index.js';
import { readServingPair, secretPath, type SecretRef } from './secret-format.js';

export interface ServingSecretWatchOptions {
  readonly api: KubeApi;
  readonly secret: SecretRef;
  readonly intervalMs: number;
  readonly env: Pick<CertsEnv, 'now' | 'crypto'>;
  /** A new usable pair; a throw (the server refused it) is logged and retried on the next change. */
  readonly onChange: (certificate: ServingCertificate) => void;
  readonly logger: Logger;
}

export interface ServingSecretWatch {
  /** The fingerprint of the pair served (undefined before the first usable read). */
  readonly served: string | undefined;
  /** Reads now (the leader just wrote it). */
  kick(): void;
  close(): void;
}

export function watchServingSecret(o: ServingSecretWatchOptions): ServingSecretWatch {
  let served: string | undefined;
  let lastProblem = '';
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let running = false;
  const ref = `${o.secret.namespace}/${o.secret.name}`;
  const problem = (text: string, level: 'info' | 'warn') => {
    if (text !== lastProblem) o.logger[level](level === 'warn' ? 'webhook certificates: the serving Secret is not usable; serving the previous certificate' : 'webhook certificates: no serving Secret yet', { secret: ref, problems: text });
    lastProblem = text;
  };
  const round = async () => {
    if (running || closed) return;
    running = true;
    try {
      const r = await o.api.request('GET', secretPath(o.secret));
      if (r.status === 404) return problem('not found (the leader creates it)', 'info');
      if (r.status !== 200) return problem(`GET: ${r.status} ${r.body.slice(0, 200)}`, 'warn');
      const pair = await readServingPair(o.secret, JSON.parse(r.body) as unknown, o.env);
      if (!pair.ok) return problem(pair.problems.join('; '), 'warn');
      lastProblem = '';
      const fingerprint = createHash('sha256').update(pair.certificate.cert).update('\0').update(pair.certificate.key).digest('hex');
      if (fingerprint === served) return;
      o.onChange(pair.certificate);
      served = fingerprint;
      o.logger.info('webhook certificates: serving the certificate of the serving Secret', { secret: ref, sha256: fingerprint.slice(0, 16) });
    } catch (error) {
      problem(error instanceof Error ? error.message : String(error), 'warn');
    } finally {
      running = false;
    }
  };
  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => void round().finally(schedule), o.intervalMs);
    timer.unref();
  };
  void round().finally(schedule);
  return {
    get served() {
      return served;
    },
    kick: () => void round(),
    close: () => {
      closed = true;
      clearTimeout(timer);
    },
  };
}
