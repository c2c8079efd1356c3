/**
 * Certificates issued on the fly by sluice's CA (`serve --ca-dir`) for the SNI allow lists of
 * `terminatingTLS: { issue: true }`: issued when a policy first asks, renewed when due (the renewal
 * window of certs/renew.ts), each judged like a secret so the compiler reads it as one. Issuance is
 * asynchronous: `wanted` answers with what is issued now and calls `onIssued` when more is, and the
 * caller compiles again. Kept in memory: a restart issues afresh.
 */
import { encodePem, issueLeaf, privateKeyPem, renewalDecision, type Ca, type CertsEnv } from '../../certs/index.js';
import type { CatalogSecret } from '../../policy-compiler/index.js';
import type { Logger } from '../../telemetry/index.js';
import { judgeSecret } from './judge.js';

interface Issued {
  readonly secret: CatalogSecret;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface IssuerOptions {
  readonly ca: Ca;
  readonly env: CertsEnv;
  readonly logger: Logger;
  /** Called after a certificate was issued or renewed (compile again). */
  readonly onIssued: () => void;
  /** Leaf validity (default 90 days) and renewal window (default certs/renew.ts's). */
  readonly days?: number;
  readonly renewWindowMs?: number;
}

export class OnTheFlyIssuer {
  private readonly issued = new Map<string, Issued>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(private readonly options: IssuerOptions) {}

  /** What is issued for these requests now (by `issuedKey`); starts issuing what is missing or due. */
  wanted(requests: ReadonlyMap<string, readonly string[]>, now: Date): ReadonlyMap<string, CatalogSecret> {
    const out = new Map<string, CatalogSecret>();
    for (const [key, names] of requests) {
      const have = this.issued.get(key);
      if (have) out.set(key, have.secret);
      const due = !have || renewalDecision(have, now, this.options.renewWindowMs).due;
      if (due && !this.pending.has(key)) this.pending.set(key, this.issue(key, names));
    }
    return out;
  }

  /**
   * Issues what these requests lack and resolves once it is done (or after `timeoutMs`), so a
   * first compile finds the certificates instead of failing the ports closed for a moment.
   */
  async prime(requests: ReadonlyMap<string, readonly string[]>, now: Date, timeoutMs = 10_000): Promise<void> {
    this.wanted(requests, now);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all(this.pending.values()), late]);
    clearTimeout(timer);
  }

  private async issue(key: string, names: readonly string[]): Promise<void> {
    const { ca, env, logger } = this.options;
    try {
      const leaf = await issueLeaf(ca, { dns: names, usages: ['server'], days: this.options.days ?? 90 }, env);
      if (!leaf.ok) {
        logger.error('sluice\'s CA could not issue a certificate', { names, problems: leaf.diagnostics.map((d) => d.message) });
        return;
      }
      const pem = (list: readonly { rawData: ArrayBuffer }[]) => list.map((c) => encodePem('CERTIFICATE', c.rawData)).join('');
      const raw = new Map([
        ['tls.crt', { text: pem(leaf.value.chain) }],
        ['tls.key', { text: await privateKeyPem(env.crypto, leaf.value.key) }],
        ['ca.crt', { text: pem([leaf.value.root]) }],
      ]);
      const judged = judgeSecret(`issued/${key}`, raw, env.now());
      if (!judged.ok) {
        logger.error('a certificate sluice issued does not pass its own checks (a sluice bug)', { names, problem: judged.problem });
        return;
      }
      const renewed = this.issued.has(key);
      this.issued.set(key, { secret: judged.secret, notBefore: leaf.value.certificate.notBefore, notAfter: leaf.value.certificate.notAfter });
      logger.info(renewed ? 'certificate renewed by sluice\'s CA' : 'certificate issued by sluice\'s CA', { names, serial: leaf.value.certificate.serialNumber, notAfter: leaf.value.certificate.notAfter.toISOString() });
      this.options.onIssued();
    } catch (error) {
      logger.error('sluice\'s CA failed while issuing a certificate', { names, error });
    } finally {
      this.pending.delete(key);
    }
  }
}
