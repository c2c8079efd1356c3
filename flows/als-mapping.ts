/**
 * Envoy's `HTTPAccessLogEntry` and `TCPAccessLogEntry` (protobufjs object form, OBJECT_FORM) → a
 * flow record. The TCP entries are the listeners' logs of the connections a closing chain took (no
 * chain matched them, or their chain's TLS cannot be served; the compiler logs only those, see
 * policy-compiler/translate/features/access-log.ts): denied. Pure: the
 * node and the log name come from the stream's identifier, workloads from the inventory, the
 * policy of a default deny from the compiled chains, the clock for entries without a start time.
 */
import type { ChainLookup } from './chains.js';
import type { Direction, FlowRecord, GrpcFields } from './record.js';
import { decide, RBAC_METADATA_NAMESPACE, type RbacFields } from './verdict.js';
import { directionOfAccessLog, REFUSAL_STATE } from '../policy-compiler/index.js';
import type { WorkloadIndex } from './workloads.js';
import { flowProtoRoot } from './proto.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Longest path or authority kept; longer ones are cut and marked, so one request cannot bloat the store. */
export const MAX_FIELD_CHARS = 2048;
const cut = (s: string): string => (s.length > MAX_FIELD_CHARS ? `${s.slice(0, MAX_FIELD_CHARS)}…` : s);

export interface StreamContext {
  readonly node: string;
  readonly logName: string;
  readonly workloads: WorkloadIndex;
  readonly chains: ChainLookup;
  readonly now: () => number;
}

export function directionOfLog(logName: string): Direction {
  const direction = directionOfAccessLog(logName);
  return direction === 'inbound' ? 'ingress' : direction === 'outbound' ? 'egress' : 'unknown';
}

/** gRPC status codes by number (grpc/grpc doc/statuscodes.md). */
export const GRPC_CODES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
] as const;

function grpcStatusName(text: string): string {
  if (!/^\d{1,2}$/.test(text)) return text ? `CODE_${cut(text).slice(0, 16)}` : '';
  return GRPC_CODES[Number(text)] ?? `CODE_${text}`;
}

const HTTP_VERSIONS: Record<string, string> = { HTTP10: 'HTTP/1.0', HTTP11: 'HTTP/1.1', HTTP2: 'HTTP/2', HTTP3: 'HTTP/3' };

function socket(address: unknown): { address: string; port: number } {
  const s = obj(obj(address)['socket_address']);
  return { address: str(s['address']), port: num(s['port_value']) };
}

function rbacFields(metadata: unknown): RbacFields {
  const ns = obj(obj(obj(metadata)['filter_metadata'])[RBAC_METADATA_NAMESPACE]);
  const fields = obj(ns['fields']);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    const s = obj(v)['stringValue'];
    if (typeof s === 'string') out[k] = s;
  }
  return out;
}

function grpcOf(path: string, headers: Obj, trailers: Obj): GrpcFields | undefined {
  const status = str(trailers['grpc-status']) || str(headers['grpc-status']);
  const m = /^\/([^/?]+)\/([^/?]+)$/.exec(path);
  if (!status || !m?.[1] || !m[2]) return undefined;
  return { service: cut(m[1]), method: cut(m[2]), status: grpcStatusName(status) };
}

function durationMs(d: unknown): number {
  const o = obj(d);
  return Math.round(num(o['seconds']) * 1e6 + num(o['nanos']) / 1000) / 1000;
}

function startTime(common: Obj, now: () => number): number {
  const start = obj(common['start_time']);
  return start['seconds'] !== undefined && (num(start['seconds']) > 0 || num(start['nanos']) > 0) ? (num(start['seconds']) * 1e6 + Math.round(num(start['nanos']) / 1000)) / 1000 : now();
}

/** Why a connection without a chain was denied (the flow's `reason`). */
export const UNMATCHED_REASON = 'no filter chain accepts this connection';

/**
 * A string filter-state object as Envoy's gRPC logger sends it: a `google.protobuf.Any` holding a
 * `StringValue`; '' for anything else.
 */
export function filterStateString(any: unknown): string {
  const a = obj(any);
  const value = a['value'];
  if (!str(a['type_url']).endsWith('/google.protobuf.StringValue') || !(value instanceof Uint8Array)) return '';
  try {
    return str(obj(flowProtoRoot().lookupType('google.protobuf.StringValue').decode(value))['value']);
  } catch {
    return '';
  }
}

/** The refusal a closing chain set in the connection's filter state (absent for the default chain, which sets none). */
function refusalOf(common: Obj): { policy: string; rule: string; reason: string } | undefined {
  const state = obj(common['filter_state_objects']);
  const reason = filterStateString(state[REFUSAL_STATE.reason]);
  if (!reason) return undefined;
  return { policy: cut(filterStateString(state[REFUSAL_STATE.policy])), rule: cut(filterStateString(state[REFUSAL_STATE.rule])), reason: cut(reason) };
}

/**
 * A connection a closing chain of the listener closed. The chain of a port whose TLS cannot be
 * served set its refusal (the policy, the rule of the field that named the secret, the reason),
 * which the entry carries. The default chain sets none: nothing allows the connection, no rule
 * decided it; the policy is the one compiled chain for that address and port when exactly one
 * enforcing policy has one (a connection its SNI allow list refuses), otherwise '' (no policy
 * covers the port).
 */
export function mapTcpEntry(entry: unknown, ctx: StreamContext): FlowRecord {
  const e = obj(entry);
  const common = obj(e['common_properties']);
  const connection = obj(e['connection_properties']);
  const src = socket(common['downstream_remote_address']);
  const dst = socket(common['downstream_local_address']);
  const direction = directionOfLog(ctx.logName);
  const refusal = refusalOf(common);
  const chain = refusal || direction === 'unknown' ? undefined : ctx.chains.find(ctx.node, direction, src.address, dst.address, dst.port);
  return {
    time: startTime(common, ctx.now),
    node: ctx.node,
    direction,
    source: ctx.workloads.endpoint(src.address, src.port),
    destination: ctx.workloads.endpoint(dst.address, dst.port),
    protocol: 'tcp',
    verdict: 'denied',
    policy: refusal ? refusal.policy : chain?.enforce.length === 1 ? (chain.enforce[0] ?? '') : '',
    rule: refusal?.rule ?? '',
    reason: refusal?.reason ?? UNMATCHED_REASON,
    durationMs: durationMs(common['duration']),
    bytesReceived: num(connection['received_bytes']),
    bytesSent: num(connection['sent_bytes']),
  };
}

export function mapHttpEntry(entry: unknown, ctx: StreamContext): FlowRecord {
  const e = obj(entry);
  const common = obj(e['common_properties']);
  const request = obj(e['request']);
  const response = obj(e['response']);
  const src = socket(common['downstream_remote_address']);
  const dst = socket(common['downstream_local_address']);
  const direction = directionOfLog(ctx.logName);
  const time = startTime(common, ctx.now);
  const path = cut(str(request['path']));
  const status = num(obj(response['response_code'])['value']);
  const grpc = grpcOf(path, obj(response['response_headers']), obj(response['response_trailers']));
  const decision = decide(rbacFields(common['metadata']), str(response['response_code_details']));
  let policy = decision.policy;
  if (decision.defaultDeny && direction !== 'unknown') {
    const chain = ctx.chains.find(ctx.node, direction, src.address, dst.address, dst.port);
    const owners = decision.defaultDeny === 'enforce' ? chain?.enforce : chain?.audit;
    if (owners?.length === 1) policy = owners[0] ?? '';
  }
  const duration = common['duration'] !== undefined && durationMs(common['duration']) > 0 ? durationMs(common['duration']) : durationMs(common['time_to_last_downstream_tx_byte']);
  return {
    time,
    node: ctx.node,
    direction,
    source: ctx.workloads.endpoint(src.address, src.port),
    destination: ctx.workloads.endpoint(dst.address, dst.port),
    protocol: grpc ? 'grpc' : 'http',
    ...(grpc
      ? { grpc }
      : { http: { method: cut(str(request['request_method'])), path, authority: cut(str(request['authority'])), status, version: HTTP_VERSIONS[str(e['protocol_version'])] ?? '' } }),
    verdict: decision.verdict,
    policy,
    rule: decision.rule,
    reason: decision.reason,
    durationMs: duration,
    bytesReceived: num(request['request_headers_bytes']) + num(request['request_body_bytes']),
    bytesSent: num(response['response_headers_bytes']) + num(response['response_body_bytes']),
  };
}
