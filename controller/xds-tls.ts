/**
 * Mutual TLS on the xDS port (`serve --xds-tls-cert --xds-tls-key --xds-client-ca`): the server
 * presents its certificate and requires a client certificate chaining to the CA; the xDS server
 * then binds each stream's node id to the `spiffe://<trust-domain>/node/<id>` URI SAN of that
 * certificate (xds-server/identity.ts). The files are read once, at start.
 */
import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';

export interface XdsTlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly clientCa: string;
  readonly trustDomain: string;
}

export const DEFAULT_TRUST_DOMAIN = 'sluice.local';

export function readXdsTls(files: XdsTlsFiles): { credentials: grpc.ServerCredentials; trustDomain: string } {
  const read = (what: string, file: string) => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw new Error(`xDS TLS: cannot read the ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  };
  const credentials = grpc.ServerCredentials.createSsl(read('client CA', files.clientCa), [{ cert_chain: read('certificate', files.cert), private_key: read('private key', files.key) }], true);
  return { credentials, trustDomain: files.trustDomain };
}
