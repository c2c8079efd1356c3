/**
 * Admitting one request on a stream, pure: the size limit, decoding (with the protocol's decoder,
 * SotW or Delta), the `type_url` rules of the transport and the node rules (docs/xds-server.md,
 * "Node", "type_url", "Limits", "Malformed").
 */
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Transport } from './status.js';
import { TYPE_URL, type ShortName } from './type-urls.js';
import { WireError, type ErrorDetail, type NodeInfo } from './proto-wire.js';

/** Bounds applied to every stream. */
export interface XdsLimits {
  /** Largest DiscoveryRequest accepted, in bytes (default 4 MiB, gRPC's default). */
  readonly maxRequestBytes: number;
  /** Most `resource_names` in one request (default 10,000). */
  readonly maxNamesPerRequest: number;
}

/** What the stream core reads of any request, SotW or Delta. */
export interface BaseRequest {
  readonly node: NodeInfo | undefined;
  readonly typeUrl: string;
  readonly responseNonce: string;
  readonly errorDetail: ErrorDetail | undefined;
}

export type Admission<R extends BaseRequest> =
  | {
      readonly ok: true;
      readonly req: R;
      /** The request's type URL (the service's own on a per-type service when the request left it empty). */
      readonly typeUrl: string;
      /** The stream's node: the one it had, or the first request's. */
      readonly node: NodeInfo;
    }
  | {
      readonly ok: false;
      readonly code: GrpcStatus;
      /** The `sluice_xds_streams_rejected_total` reason. */
      readonly reason: string;
      readonly details: string;
      /** An exception that is not a decoding error (a bug): the stream rethrows it after failing. */
      readonly bug?: unknown;
    };

type Rejection = Extract<Admission<BaseRequest>, { readonly ok: false }>;
const reject = (code: GrpcStatus, reason: string, details: string): Rejection => ({ ok: false, code, reason, details });

/** The one type a per-type service serves (`LDS` and `DELTA_LDS`: LDS). */
function servedType(transport: Exclude<Transport, 'ADS' | 'DELTA_ADS'>): ShortName {
  return transport.startsWith('DELTA_') ? (transport.slice('DELTA_'.length) as ShortName) : (transport as ShortName);
}

/** Why a request of `bytes` bytes is refused (as soon as its gRPC prefix announces them, or once read). */
export function tooLargeDetails(bytes: number, limits: Pick<XdsLimits, 'maxRequestBytes'>): string {
  return `DiscoveryRequest of ${bytes} bytes exceeds the limit of ${limits.maxRequestBytes}`;
}

export function admit<R extends BaseRequest>(
  buf: Buffer,
  decode: (bytes: Uint8Array, maxNames: number) => R,
  transport: Transport,
  node: NodeInfo | undefined,
  limits: XdsLimits,
): Admission<R> {
  if (buf.length > limits.maxRequestBytes) return reject(GrpcStatus.RESOURCE_EXHAUSTED, 'too_large', tooLargeDetails(buf.length, limits));
  let req: R;
  try {
    req = decode(buf, limits.maxNamesPerRequest);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const tooMany = msg.includes('more than');
    const r = reject(tooMany ? GrpcStatus.RESOURCE_EXHAUSTED : GrpcStatus.INVALID_ARGUMENT, tooMany ? 'too_many_names' : 'malformed', `invalid ${transport.startsWith('DELTA_') ? 'DeltaDiscoveryRequest' : 'DiscoveryRequest'}: ${msg}`);
    return err instanceof WireError ? r : { ...r, bug: err };
  }
  let typeUrl = req.typeUrl;
  if (transport === 'ADS' || transport === 'DELTA_ADS') {
    if (typeUrl === '') return reject(GrpcStatus.INVALID_ARGUMENT, 'missing_type_url', 'ADS requests must set type_url');
  } else {
    const own = TYPE_URL[servedType(transport)];
    if (typeUrl === '') typeUrl = own;
    else if (typeUrl !== own) return reject(GrpcStatus.INVALID_ARGUMENT, 'wrong_type_url', `type_url ${typeUrl} on the ${transport} service, which serves only ${own}`);
  }
  if (!node) {
    if (!req.node || req.node.id === '') return reject(GrpcStatus.INVALID_ARGUMENT, 'missing_node', 'the first request on a stream must carry node.id');
    return { ok: true, req, typeUrl, node: req.node };
  }
  if (req.node && req.node.id !== node.id) {
    return reject(GrpcStatus.INVALID_ARGUMENT, 'node_changed', `node.id changed on the stream from "${node.id}" to "${req.node.id}"`);
  }
  return { ok: true, req, typeUrl, node };
}
