/**
 * How certs/ reports trouble. Bad input (a PEM file, a certificate, a key, a requested name) is a
 * `Diagnostic`, the project's one problem shape (code, severity, file, field path, line, message);
 * the environment failing (a file missing or unreadable, a write refused) is a `CertsError`.
 */
import { EnvironmentError, type Diagnostic } from '../problems/index.js';

/** The stable codes of certificate diagnostics. */
export type CertCode =
  | 'file.too-large' // a PEM file over the size bound
  | 'pem.none' // no PEM block in the text
  | 'pem.binary' // binary data (DER?) where PEM text is expected
  | 'pem.truncated' // a BEGIN line without its END line
  | 'pem.label-mismatch' // END names another label than BEGIN
  | 'pem.base64' // the body is not valid base64
  | 'pem.empty-block' // a block with no body
  | 'pem.unexpected-label' // e.g. a PRIVATE KEY where certificates are expected
  | 'pem.too-many-blocks' // more blocks than a bundle may hold
  | 'cert.unparsable' // the DER is not an X.509 certificate
  | 'cert.expired'
  | 'cert.not-yet-valid'
  | 'key.unparsable'
  | 'key.encrypted' // a passphrase-protected key
  | 'key.unsupported' // a key type sluice does not use (Ed25519, P-384, RSA-4096, ...)
  | 'key.multiple' // more than one private key in a key file
  | 'key.mismatch' // the key does not belong to the certificate
  | 'key.permissions' // a key file readable by group or others (warning)
  | 'ca.not-ca' // no basicConstraints CA:TRUE
  | 'ca.key-usage' // a CA whose key usage lacks keyCertSign
  | 'ca.not-self-signed' // a root that is not self-signed
  | 'ca.path-length' // a root whose pathLenConstraint forbids the intermediate below it
  | 'chain.issuer' // a certificate not issued by the next one in the chain
  | 'chain.untrusted' // the chain does not end at a certificate of the trust bundle
  | 'leaf.is-ca' // a CA certificate where a leaf is expected
  | 'leaf.key-usage' // a leaf without digitalSignature
  | 'leaf.extended-key-usage' // a leaf without serverAuth/clientAuth
  | 'leaf.no-names' // a leaf with no subject alternative name to reissue with
  | 'request.dns'
  | 'request.ip'
  | 'request.uri'
  | 'request.names'
  | 'request.common-name'
  | 'request.days';

export function problem(code: CertCode, path: string, message: string, where: { file?: string; line?: number } = {}): Diagnostic {
  return { severity: 'error', code, path, message, ...(where.file !== undefined ? { file: where.file } : {}), ...(where.line !== undefined ? { line: where.line } : {}) };
}

export function warning(code: CertCode, path: string, message: string, file?: string): Diagnostic {
  return { severity: 'warning', code, path, message, ...(file !== undefined ? { file } : {}) };
}

/** Names the file of diagnostics produced from its text. */
export function inFile(diagnostics: readonly Diagnostic[], file: string): Diagnostic[] {
  return diagnostics.map((d) => (d.file === undefined ? { ...d, file } : d));
}

export type CertsErrorCode =
  | 'file-missing' // a file the operation needs does not exist
  | 'file-unreadable' // it exists but cannot be read (permissions, a directory, ...)
  | 'exists' // `init` into a directory that already holds a CA
  | 'write-failed'; // a write, fsync or rename failed (the old file is still in place)

/** The environment refused: the message names the path; `code` says what kind of refusal. */
export class CertsError extends EnvironmentError<CertsErrorCode> {
  override readonly name = 'CertsError';
  constructor(
    code: CertsErrorCode,
    message: string,
    readonly path?: string,
    options?: { readonly cause?: unknown },
  ) {
    super(code, message, [], options);
  }
}
