/**
 * The leader issues and rotates the webhooks' certificates itself (`webhook.certificates:
 * controller`): a CA kept in a Secret, the serving leaf kept in the Secret every replica serves,
 * and the configurations' caBundle. The decisions are the standalone webhook's
 * (`ServingCertificates`, `rotateOnce`: one issuing path, certs/ underneath); this file keeps
 * their state in the two Secrets, so the next leader goes on where this one stopped.
 *
 * Each round, on the leader only: read both Secrets; take the rotation up from them unless they
 * are what this leader last wrote; start a CA rotation when the CA is within its renew window;
 * write what changed; publish the bundle, renew, write again. The order of a CA rotation is
 * serving-certs.ts's: the new CA joins the bundle (and the CA Secret as next.crt), the leaf moves
 * to it one propagation time after the bundle was published, and the old CA leaves the bundle
 * after the overlap. The CA Secret is made create-only (POST): of two leaders racing, the loser
 * (409) reads the winner's. Every update carries the resourceVersion read (a 409 drops what this
 * leader holds and the next round reads again). A Secret that is not usable (bad PEM, a key that
 * is not the certificate's, expired, wrong names, a leaf of another CA) is replaced, with a log
 * line naming the Secret, the key and the problem.
 */
import { createCa, renewalDecision, DAY_MS, parseCertificates, issuedBy, type Ca, type CertsEnv } from '../../../certs/index.js';
import { rotateOnce, ServingCertificates, syncCaBundle, SLUICE_WEBHOOK_CONFIGURATIONS, type KubeApi, type RotationOptions, type RotationState, type ServingNames } from '../../admission/index.js';
import type { Logger } from '../../../telemetry/index.js';
import { secretKeys } from '../secret-data.js';
import {
  caIdentity, caSecretBody, readCaSecret, readServingSecret, resourceVersionOf, secretPath, secretsPath, servingIdentity, servingSecretBody,
  SERVING_SECRET_KEYS, type SecretRef,
} from './secret-format.js';

export const DEFAULT_CA_SECRET = 'sluice-webhook-ca';
export const DEFAULT_TLS_SECRET = 'sluice-webhook-tls';
export const DEFAULT_CA_DAYS = 3650;
/** The CA is replaced this long before its end (its rotation then takes a propagation time and an overlap). */
export const DEFAULT_CA_RENEW_WINDOW_MS = 365 * DAY_MS;
export const WEBHOOK_CA_NAME = 'sluice webhook CA';

export interface CaOptions {
  readonly days?: number;
  /** Instead of `days` (tests of rotation). */
  readonly lifetimeMs?: number;
  readonly renewWindowMs?: number;
}

export interface WebhookIssuerOptions {
  readonly api: KubeApi;
  readonly namespace: string;
  readonly caSecret: string;
  readonly tlsSecret: string;
  readonly names: ServingNames;
  readonly env: CertsEnv;
  readonly leading: () => boolean;
  readonly logger: Logger;
  readonly rotation?: RotationOptions;
  readonly ca?: CaOptions;
  /** Puts the bundle into the webhook configurations (default: syncCaBundle on sluice's two). */
  readonly publishBundle?: (bundlePem: string) => Promise<void>;
}

/** The round stopped: another writer changed a Secret (409), or this replica stopped leading. */
class RoundAborted extends Error {
  override readonly name = 'RoundAborted';
}

interface Stored {
  readonly rv: string;
  /** What it holds (caIdentity / servingIdentity); '' when it is not usable. */
  readonly identity: string;
}

export class WebhookCertIssuer {
  private certs: ServingCertificates | undefined;
  private stored: { ca?: Stored; tls?: Stored } = {};
  private readonly caRef: SecretRef;
  private readonly tlsRef: SecretRef;

  constructor(private readonly o: WebhookIssuerOptions) {
    this.caRef = { namespace: o.namespace, name: o.caSecret };
    this.tlsRef = { namespace: o.namespace, name: o.tlsSecret };
  }

  /** The rotation held (undefined on a follower, or before the first round). */
  get held(): ServingCertificates | undefined {
    return this.certs;
  }

  /** One round; throws what went wrong (the loop logs it and tries again). A follower does nothing. */
  async round(): Promise<void> {
    if (!this.o.leading()) {
      this.forget();
      return;
    }
    try {
      const caObject = await this.get(this.caRef);
      const tlsObject = await this.get(this.tlsRef);
      if (!this.certs || resourceVersionOf(caObject) !== this.stored.ca?.rv || resourceVersionOf(tlsObject) !== this.stored.tls?.rv) {
        this.certs = await this.load(caObject, tlsObject);
      }
      const certs = this.certs;
      await this.startCaRotationWhenDue(certs);
      await this.persist(certs);
      await rotateOnce({ certs, server: { setCertificate: () => this.persist(certs) }, publishBundle: (pem) => this.publish(pem), logger: this.o.logger });
      await this.persist(certs);
    } catch (error) {
      if (error instanceof RoundAborted) {
        this.forget();
        this.o.logger.info('webhook certificates: round stopped; the next one reads the Secrets again', { reason: error.message });
        return;
      }
      throw error;
    }
  }

  private forget(): void {
    this.certs = undefined;
    this.stored = {};
  }

  private async get(ref: SecretRef): Promise<unknown> {
    const r = await this.o.api.request('GET', secretPath(ref));
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new Error(`GET Secret ${ref.namespace}/${ref.name}: ${r.status} ${r.body.slice(0, 300)}`);
    return JSON.parse(r.body) as unknown;
  }

  private async newCa(): Promise<Ca> {
    const c = this.o.ca ?? {};
    const made = await createCa({ commonName: WEBHOOK_CA_NAME, days: c.days ?? DEFAULT_CA_DAYS, ...(c.lifetimeMs !== undefined ? { lifetimeMs: c.lifetimeMs } : {}) }, this.o.env);
    if (!made.ok) throw new Error(`cannot create the webhooks' CA: ${made.diagnostics.map((d) => d.message).join('; ')}`);
    return made.value;
  }

  /** The rotation from the Secrets as they are (creating the CA Secret when there is none). */
  private async load(caFound: unknown, tlsObject: unknown): Promise<ServingCertificates> {
    const { logger, env } = this.o;
    const ref = `${this.caRef.namespace}/${this.caRef.name}`;
    let caObject = caFound;
    let state: Omit<RotationState, 'leaf'> | undefined;
    if (caObject === undefined) {
      const ca = await this.newCa();
      this.mustLead();
      const body = await caSecretBody(this.caRef, { ca }, env.crypto);
      const r = await this.o.api.request('POST', secretsPath(this.caRef.namespace), body);
      if (r.status === 201) {
        state = { ca };
        this.stored.ca = { rv: resourceVersionOf(JSON.parse(r.body) as unknown) ?? '', identity: caIdentity(state) };
        logger.info('webhook certificates: created the CA', { secret: ref, notAfter: ca.root.notAfter.toISOString() });
      } else if (r.status === 409) {
        logger.info('webhook certificates: another replica created the CA first; taking it', { secret: ref });
        caObject = await this.get(this.caRef);
      } else throw new Error(`POST Secret ${ref}: ${r.status} ${r.body.slice(0, 300)}`);
    }
    let replaced = false;
    if (!state) {
      const read = await readCaSecret(this.caRef, caObject, env);
      const rv = resourceVersionOf(caObject) ?? '';
      if (read.state) {
        state = read.state;
        // A part dropped is written again without it.
        this.stored.ca = { rv, identity: read.dropped.length > 0 ? '' : caIdentity(state) };
        if (read.dropped.length > 0) logger.warn('webhook certificates: the CA Secret holds parts that are not usable; the leader drops them', { secret: ref, problems: read.dropped.join('; ') });
      } else {
        logger.warn('webhook certificates: the CA Secret is not usable; the leader replaces it with a new CA', { secret: ref, problems: read.problems.join('; ') });
        state = { ca: await this.newCa() };
        this.stored.ca = { rv, identity: '' };
        replaced = true;
      }
    }
    const leaf = await this.servedLeaf(state, tlsObject, replaced);
    return ServingCertificates.restore({ ...leaf.state, ...(leaf.leaf ? { leaf: leaf.leaf } : {}) }, this.o.names, env, this.o.rotation);
  }

  /**
   * The leaf of the serving Secret when it is usable and issued by a CA of the rotation. When the
   * CA was just replaced, a usable leaf of the CA it had keeps being served, that CA staying in
   * the bundle for the overlap, until the new CA's bundle is published and propagated: the API
   * server never meets a leaf it does not trust.
   */
  private async servedLeaf(state: Omit<RotationState, 'leaf'>, tlsObject: unknown, replacedCa: boolean): Promise<{ state: Omit<RotationState, 'leaf'>; leaf?: NonNullable<RotationState['leaf']> }> {
    const { logger, env, names } = this.o;
    const ref = `${this.tlsRef.namespace}/${this.tlsRef.name}`;
    if (tlsObject === undefined) {
      delete this.stored.tls;
      return { state };
    }
    const rv = resourceVersionOf(tlsObject) ?? '';
    const issuers = [state.ca.root, ...(state.previous ? [state.previous.root] : [])];
    const read = await readServingSecret(this.tlsRef, tlsObject, names, issuers, env);
    if (read.leaf) {
      this.stored.tls = { rv, identity: servingIdentity({ cert: dataText(tlsObject, SERVING_SECRET_KEYS.cert), key: read.leaf.keyPem }, dataText(tlsObject, SERVING_SECRET_KEYS.ca)) };
      return { state, leaf: read.leaf };
    }
    this.stored.tls = { rv, identity: '' };
    if (replacedCa) {
      const own = parseCertificates(dataText(tlsObject, SERVING_SECRET_KEYS.ca));
      const carried = own.ok ? await readServingSecret(this.tlsRef, tlsObject, names, own.value, env) : undefined;
      const leafCert = carried?.leaf?.served.certificate;
      if (carried?.leaf && leafCert && own.ok) {
        let root = own.value[0];
        for (const c of own.value) if (await issuedBy(leafCert, c, env.crypto)) root = c;
        if (root) {
          const overlap = this.o.rotation?.caOverlapMs ?? Math.max(0, leafCert.notAfter.getTime() - env.now().getTime());
          logger.info('webhook certificates: the served leaf stays until the new CA is published; its CA stays in the bundle meanwhile', { secret: ref, until: new Date(env.now().getTime() + overlap).toISOString() });
          return { state: { ...state, previous: { root, until: env.now().getTime() + overlap } }, leaf: carried.leaf };
        }
      }
    }
    logger.warn('webhook certificates: the serving Secret is not usable; the leader issues a new leaf', { secret: ref, problems: read.problems.join('; ') });
    return { state };
  }

  private async startCaRotationWhenDue(certs: ServingCertificates): Promise<void> {
    if (certs.rotating) return;
    const root = certs.state.ca.root;
    const due = renewalDecision(root, this.o.env.now(), this.o.ca?.renewWindowMs ?? DEFAULT_CA_RENEW_WINDOW_MS);
    if (!due.due) return;
    const next = await this.newCa();
    certs.replaceCa(next);
    this.o.logger.info('webhook certificates: CA rotation started; the new CA joins the bundle', { secret: `${this.caRef.namespace}/${this.caRef.name}`, reason: due.reason, caNotAfter: root.notAfter.toISOString(), nextNotAfter: next.root.notAfter.toISOString() });
  }

  private mustLead(): void {
    if (!this.o.leading()) throw new RoundAborted('this replica stopped leading');
  }

  /** Writes the CA Secret, then the serving Secret, each only when what it holds differs. */
  private async persist(certs: ServingCertificates): Promise<void> {
    const state = certs.state;
    const caId = caIdentity(state);
    if (this.stored.ca?.identity !== caId) {
      this.mustLead();
      this.stored.ca = { rv: await this.write(this.caRef, this.stored.ca?.rv, await caSecretBody(this.caRef, state, this.o.env.crypto, this.stored.ca?.rv)), identity: caId };
      this.o.logger.info('webhook certificates: CA Secret written', { secret: `${this.caRef.namespace}/${this.caRef.name}`, pending: state.pending !== undefined, previousUntil: state.previous ? new Date(state.previous.until).toISOString() : undefined });
    }
    const tlsId = servingIdentity(certs.certificate, certs.bundlePem);
    if (this.stored.tls?.identity !== tlsId) {
      this.mustLead();
      this.stored.tls = { rv: await this.write(this.tlsRef, this.stored.tls?.rv, servingSecretBody(this.tlsRef, certs.certificate, certs.bundlePem, this.stored.tls?.rv)), identity: tlsId };
      this.o.logger.info('webhook certificates: serving Secret written', { secret: `${this.tlsRef.namespace}/${this.tlsRef.name}`, serial: certs.leafCertificate.serialNumber.toLowerCase(), notAfter: certs.leafCertificate.notAfter.toISOString() });
    }
  }

  /** Creates (no resourceVersion) or updates a Secret; its new resourceVersion. A 409 aborts the round. */
  private async write(ref: SecretRef, rv: string | undefined, body: Record<string, unknown>): Promise<string> {
    const r = rv === undefined ? await this.o.api.request('POST', secretsPath(ref.namespace), body) : await this.o.api.request('PUT', secretPath(ref), body);
    if (r.status === 409) throw new RoundAborted(`Secret ${ref.namespace}/${ref.name} was changed by another writer (409)`);
    if (r.status !== 200 && r.status !== 201) throw new Error(`${rv === undefined ? 'POST' : 'PUT'} Secret ${ref.namespace}/${ref.name}: ${r.status} ${r.body.slice(0, 300)}`);
    return resourceVersionOf(JSON.parse(r.body) as unknown) ?? '';
  }

  private async publish(pem: string): Promise<void> {
    this.mustLead();
    if (this.o.publishBundle) return this.o.publishBundle(pem);
    const results = await syncCaBundle(this.o.api, SLUICE_WEBHOOK_CONFIGURATIONS, pem);
    this.o.logger.info('webhook certificates: caBundle published', { patched: results.map((r) => `${r.configuration.name}:${r.patched}`).join(','), cas: (pem.match(/BEGIN CERTIFICATE/g) ?? []).length });
  }
}

/** A key of a Secret's data as text ('' when absent or not decodable). */
function dataText(object: unknown, key: string): string {
  const value = secretKeys(object).get(key);
  return value && 'text' in value ? value.text : '';
}
