/**
 * A real gRPC service for end-to-end tests: `vault.v1.Ledger`, served by a plain grpc-js server
 * or by grpc-js-xds's XdsServer (which takes its Listener, and so its RBAC policy, from sluice).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTO = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'ledger.proto');
const definition = protoLoader.loadSync(PROTO, { keepCase: true });
const loaded = grpc.loadPackageDefinition(definition) as unknown as { vault: { v1: { Ledger: grpc.ServiceClientConstructor } } };
export const Ledger = loaded.vault.v1.Ledger;
export type LedgerMethod = 'GetBalance' | 'ListEntries' | 'Transfer';

export const BOOTSTRAP_OPTION = 'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config';

/** A grpc-js-xds bootstrap pointing at sluice's xDS server. */
export function xdsBootstrap(xdsPort: number, node: string): string {
  return JSON.stringify({
    xds_servers: [{ server_uri: `127.0.0.1:${xdsPort}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
    node: { id: node, locality: {} },
    server_listener_resource_name_template: 'grpc/server?xds.resource.listening_address=%s',
  });
}

export function ledgerImplementation(servedBy: string): grpc.UntypedServiceImplementation {
  const handler = (method: LedgerMethod) => (call: grpc.ServerUnaryCall<{ account: string }, unknown>, cb: grpc.sendUnaryData<unknown>) =>
    cb(null, { account: call.request.account, served_by: servedBy, method });
  return { GetBalance: handler('GetBalance'), ListEntries: handler('ListEntries'), Transfer: handler('Transfer') };
}

export interface CallResult {
  readonly ok: boolean;
  readonly code?: grpc.status;
  readonly servedBy?: string;
}

export function call(client: grpc.Client, method: LedgerMethod, metadata: Record<string, string> = {}, deadlineMs = 10_000): Promise<CallResult> {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(metadata)) md.set(k, v);
  return new Promise((resolve) => {
    const fn = (client as unknown as Record<string, (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: { served_by: string }) => void) => void>)[method];
    if (!fn) throw new Error(`no method ${method}`);
    fn.call(client, { account: 'acme' }, md, { deadline: Date.now() + deadlineMs }, (error, reply) =>
      resolve(error ? { ok: false, code: error.code } : { ok: true, ...(reply ? { servedBy: reply.served_by } : {}) }),
    );
  });
}
