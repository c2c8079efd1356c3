/**
 * The webhook's serving certificate and the CA bundle the API server must trust for it, issued by
 * certs/ and rotated in an order that never breaks a call:
 *
 * 1. The leaf is reissued from the same CA before it expires (`renewalDecision`, default: 30-day
 *    leaves renewed 10 days before their end). The bundle does not change.
 * 2. A new CA (`replaceCa`) first only joins the bundle, beside the current one. The leaf is
 *    reissued from the new CA only once the caller says a bundle holding it was published to the
 *    webhook configurations (`bundlePublished`), and `propagationMs` later (every API server
 *    must have reloaded the configuration): until then an API server would not trust it.
 * 3. The previous CA leaves the bundle once `caOverlapMs` passed since the switch (default: a leaf
 *    lifetime, so every leaf it signed has expired).
 *
 * The state can be kept and taken up again (`state`, `restore`: the controller keeps it in
 * Secrets, so the next leader goes on). What was published is not kept: a restored state
 * publishes its bundle again, and a leaf another CA issued moves to the CA in use only once that
 * bundle is published and propagated (unless it has expired, when waiting helps no one).
 *
 * State and decisions only; the clock and crypto come in through `CertsEnv`, the I/O (serving the
 * leaf, patching the configurations) is the caller's (rotation.ts).
 */
import { DAY_MS, issueLeaf, privateKeyPem, rotationDecision, type Ca, type CertsEnv, type IssuedLeaf, type KeyType, type x509 } from '../../../certs/index.js';
import type { Diagnostic } from '../../../policy-compiler/index.js';
import type { ServingCertificate } from '../server.js';

export const DEFAULT_LEAF_DAYS = 30;
export const DEFAULT_RENEW_WINDOW_MS = 10 * DAY_MS;
export const DEFAULT_PROPAGATION_MS = 60_000;

/** The names the API server reaches the webhook by: the Service's DNS names, and IPs (127.0.0.1 in tests). */
export interface ServingNames {
  readonly dns: readonly string[];
  readonly ips: readonly string[];
}

/** `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.<clusterDomain>`: every name a Service answers to in the cluster. */
export function serviceNames(service: string, namespace: string, clusterDomain = 'cluster.local', ips: readonly string[] = []): ServingNames {
  return { dns: [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.${clusterDomain}`], ips };
}

export interface RotationOptions {
  /** Lifetime of a serving leaf (default 30 days). */
  readonly leafDays?: number;
  /** Lifetime of a serving leaf in milliseconds, instead of `leafDays` (short-lived leaves; tests of renewal). */
  readonly leafLifetimeMs?: number;
  /** Renew this long before the leaf's end (default 10 days). */
  readonly renewWindowMs?: number;
  /** How long a replaced CA stays in the bundle (default one leaf lifetime). */
  readonly caOverlapMs?: number;
  /** How long after a bundle was published before a leaf from its new CA is served (default 1 minute). */
  readonly propagationMs?: number;
  readonly keyType?: KeyType;
}

export class ServingCertificateError extends Error {
  override readonly name = 'ServingCertificateError';
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(`cannot issue the webhook's serving certificate: ${diagnostics.map((d) => `${d.path ? `${d.path}: ` : ''}${d.message}`).join('; ')}`);
  }
}

/** What a `tick` changed, for the caller to act on. */
export interface TickResult {
  /** The leaf was reissued: serve `certificate` now. */
  readonly leafRenewed: boolean;
  /** The bundle changed (the previous CA retired): publish `bundlePem`. */
  readonly bundleChanged: boolean;
}

export const pemOf = (certs: readonly x509.X509Certificate[]): string => certs.map((c) => `${c.toString('pem').trimEnd()}\n`).join('');

/** The leaf served: its certificate and the chain sent (leaf first). */
export type ServedLeaf = Pick<IssuedLeaf, 'certificate' | 'chain'>;

/** A replaced CA kept in the bundle (its root only: it signs nothing any more) until `until` (ms). */
export interface RetiringCa {
  readonly root: x509.X509Certificate;
  readonly until: number;
}

/**
 * Everything a rotation is made of, to keep it somewhere and take it up again (the controller
 * keeps it in Secrets, so that the next leader goes on where the last one stopped). What was
 * published is not part of it: a restored state publishes its bundle again before a leaf moves.
 */
export interface RotationState {
  readonly ca: Ca;
  readonly pending?: Ca;
  readonly previous?: RetiringCa;
  /** The leaf served (with its key); absent: a new one is issued from `ca`. */
  readonly leaf?: { readonly served: ServedLeaf; readonly keyPem: string };
}

export class ServingCertificates {
  private version = 1;
  private published = 0;
  private publishedAt = 0;

  private constructor(
    private ca: Ca,
    private pending: Ca | undefined,
    private previous: RetiringCa | undefined,
    private leaf: ServedLeaf,
    private keyPem: string,
    private readonly names: ServingNames,
    private readonly env: CertsEnv,
    private readonly options: RotationOptions,
  ) {}

  /** Issues the first leaf from `ca`. */
  static async create(ca: Ca, names: ServingNames, env: CertsEnv, options: RotationOptions = {}): Promise<ServingCertificates> {
    return ServingCertificates.restore({ ca }, names, env, options);
  }

  /**
   * Takes a rotation up again from a kept state (issuing a leaf from its CA when it has none). A
   * kept leaf is taken as it is: the caller has checked it (names, key, chain); `tick` renews it
   * when due or when `ca` did not issue it, once the bundle is published.
   */
  static async restore(state: RotationState, names: ServingNames, env: CertsEnv, options: RotationOptions = {}): Promise<ServingCertificates> {
    const leaf = state.leaf ?? (await issue(state.ca, names, env, options)).kept;
    return new ServingCertificates(state.ca, state.pending, state.previous, leaf.served, leaf.keyPem, names, env, options);
  }

  /** What to keep to take this rotation up again (`restore`). */
  get state(): Required<Pick<RotationState, 'ca' | 'leaf'>> & Pick<RotationState, 'pending' | 'previous'> {
    return { ca: this.ca, ...(this.pending ? { pending: this.pending } : {}), ...(this.previous ? { previous: this.previous } : {}), leaf: { served: this.leaf, keyPem: this.keyPem } };
  }

  /** True while a CA rotation is under way: a new CA waits to sign, or a replaced one is still in the bundle. */
  get rotating(): boolean {
    return this.pending !== undefined || this.previous !== undefined;
  }

  /** The chain (leaf, then intermediate) and key to serve. */
  get certificate(): ServingCertificate {
    return { cert: pemOf(this.leaf.chain), key: this.keyPem };
  }

  get leafCertificate(): x509.X509Certificate {
    return this.leaf.certificate;
  }

  /** The roots the API server must trust: the CA in use first, then a pending or previous one. */
  get bundlePem(): string {
    return pemOf([this.ca.root, ...(this.pending ? [this.pending.root] : []), ...(this.previous ? [this.previous.root] : [])]);
  }

  /** Increases whenever `bundlePem` changes; pass it to `bundlePublished` once it is in the configurations. */
  get bundleVersion(): number {
    return this.version;
  }

  /** True while the bundle changed since it was last published. */
  get bundleUnpublished(): boolean {
    return this.published < this.version;
  }

  bundlePublished(version: number): void {
    if (version > this.published) this.publishedAt = this.env.now().getTime();
    this.published = Math.max(this.published, version);
  }

  /** Starts a CA rotation: `next` joins the bundle now; the leaf moves to it after the bundle is published. */
  replaceCa(next: Ca): void {
    this.pending = next;
    this.version += 1;
  }

  /** Renews the leaf when due or when a published new CA waits; retires the previous CA after the overlap. */
  async tick(): Promise<TickResult> {
    const now = this.env.now().getTime();
    let bundleChanged = false;
    let leafRenewed = false;
    if (this.previous && now >= this.previous.until) {
      this.previous = undefined;
      this.version += 1;
      bundleChanged = true;
    }
    const propagated = this.published >= this.version && now >= this.publishedAt + (this.options.propagationMs ?? DEFAULT_PROPAGATION_MS);
    if (this.pending && propagated) {
      this.previous = { root: this.ca.root, until: now + (this.options.caOverlapMs ?? this.options.leafLifetimeMs ?? (this.options.leafDays ?? DEFAULT_LEAF_DAYS) * DAY_MS) };
      this.ca = this.pending;
      this.pending = undefined;
      await this.renew();
      leafRenewed = true;
    } else {
      const decision = await rotationDecision(this.leaf.certificate, this.ca, this.env.now(), this.options.renewWindowMs ?? DEFAULT_RENEW_WINDOW_MS, this.env.crypto);
      // A leaf of another CA (a restored state whose CA was replaced) moves only once a bundle
      // holding the CA in use is published and propagated; a leaf that expired moves at once.
      if (decision.due && (decision.reason !== 'issuer-changed' || propagated)) {
        await this.renew();
        leafRenewed = true;
      }
    }
    return { leafRenewed, bundleChanged };
  }

  /** Reissues the leaf from the CA in use, whatever its validity (a forced renewal). */
  async renew(): Promise<void> {
    const issued = await issue(this.ca, this.names, this.env, this.options);
    this.leaf = issued.kept.served;
    this.keyPem = issued.kept.keyPem;
  }

  /** When the leaf is next due, for scheduling. */
  async renewAt(): Promise<Date> {
    return (await rotationDecision(this.leaf.certificate, this.ca, this.env.now(), this.options.renewWindowMs ?? DEFAULT_RENEW_WINDOW_MS, this.env.crypto)).renewAt;
  }
}


async function issue(ca: Ca, names: ServingNames, env: CertsEnv, o: RotationOptions): Promise<{ kept: { served: ServedLeaf; keyPem: string } }> {
  const issued = await issueLeaf(ca, { dns: names.dns, ips: names.ips, usages: ['server'], days: o.leafDays ?? DEFAULT_LEAF_DAYS, ...(o.leafLifetimeMs !== undefined ? { lifetimeMs: o.leafLifetimeMs } : {}), ...(o.keyType ? { keyType: o.keyType } : {}) }, env);
  if (!issued.ok) throw new ServingCertificateError(issued.diagnostics);
  return { kept: { served: issued.value, keyPem: await privateKeyPem(env.crypto, issued.value.key) } };
}
