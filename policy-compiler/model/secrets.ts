/**
 * The secrets in force, as the compiler reads them: what the secret source holds (standalone: a
 * directory per `namespace/name`; in a cluster: the Secrets policies reference) after the
 * fail-safe choice of which version of each is in force (controller/secrets/in-force.ts), and the certificates sluice's CA issued. Every value has been
 * judged already (PEM parsed, keys matched to certificates, validity read), so lowering checks a
 * policy's references against plain facts: no parsing, no crypto, no clock.
 */

/** What a certificate says, as far as a policy's use of it is concerned. */
export interface CertificateFacts {
  readonly subject: string;
  readonly dns: readonly string[];
  readonly uris: readonly string[];
  /** Milliseconds since the epoch. */
  readonly notBefore: number;
  readonly notAfter: number;
  /** basicConstraints CA:TRUE, and keyCertSign if it has a key usage. */
  readonly ca: boolean;
  readonly selfSigned: boolean;
  /** What its extended key usage allows (no extension: both). */
  readonly serverAuth: boolean;
  readonly clientAuth: boolean;
  /** Its key usage allows digitalSignature (no extension: true). */
  readonly digitalSignature: boolean;
  /** SHA-256 of its SubjectPublicKeyInfo (hex): what a private key is matched against. */
  readonly publicKey: string;
}

/** One key of a secret, judged. */
export type SecretValue =
  | { readonly kind: 'certificates'; readonly text: string; readonly certificates: readonly CertificateFacts[] }
  | { readonly kind: 'private-key'; readonly text: string; readonly publicKey: string }
  /** Anything that is not PEM: a token, a password. */
  | { readonly kind: 'text'; readonly text: string };

export interface CatalogSecret {
  /** `namespace/name`. */
  readonly key: string;
  /** A content hash of every key and value. */
  readonly version: string;
  readonly values: ReadonlyMap<string, SecretValue>;
  /** Why the newest version is not used (this one, the last good, is in force); absent when it is current. */
  readonly stale?: string;
  /** Certificates of this version that are not valid now, by key: `tls.crt expired at ...`. */
  readonly invalidNow?: ReadonlyMap<string, string>;
}

export interface SecretCatalog {
  /** The secrets in force, by `namespace/name`. */
  readonly secrets: ReadonlyMap<string, CatalogSecret>;
  /** Secrets that exist but have no usable version (never a good one): why. */
  readonly broken: ReadonlyMap<string, string>;
  /** Whether sluice has a CA to issue certificates with (`serve --ca-dir`). */
  readonly issuer: boolean;
  /** Certificates sluice's CA issued, by the names they are for (`issuedKey`): `tls.crt`, `tls.key` and `ca.crt`. */
  readonly issued: ReadonlyMap<string, CatalogSecret>;
}

export const EMPTY_SECRET_CATALOG: SecretCatalog = { secrets: new Map(), broken: new Map(), issuer: false, issued: new Map() };
