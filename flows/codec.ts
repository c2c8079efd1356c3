/**
 * `FlowRecord` ↔ `sluice.flow.v1alpha1.Flow`: protobufjs' object form, the binary encoding (what
 * `PushFlows` carries) and the canonical proto3 JSON mapping (`sluice observe -o jsonpb`). Times
 * and durations are carried at microsecond precision, which is what Envoy reports.
 */
import { flowMessage, MESSAGE, OBJECT_FORM } from './proto.js';
import { DIRECTIONS, NO_LABELS, PROTOCOLS, protoEnumName, VERDICTS, type FlowEndpoint, type FlowRecord } from './record.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Milliseconds → `{ seconds, nanos }` at microsecond precision. */
export function msToProtoTime(ms: number): { seconds: number; nanos: number } {
  const us = Math.round(ms * 1000);
  const seconds = Math.floor(us / 1e6);
  return { seconds, nanos: (us - seconds * 1e6) * 1000 };
}

export function protoTimeToMs(t: unknown): number {
  if (!isObj(t)) return 0;
  return (num(t['seconds']) * 1e6 + Math.round(num(t['nanos']) / 1000)) / 1000;
}

function fromEnum<T extends string>(values: readonly T[], prefix: 'DIRECTION' | 'PROTOCOL' | 'VERDICT', name: unknown): T {
  return values.find((v) => protoEnumName(prefix, v) === name) ?? (values[0] as T);
}

function endpointToProto(e: FlowEndpoint): Obj {
  return { address: e.address, port: e.port, workload: e.workload, namespace: e.namespace, labels: { ...e.labels } };
}

function endpointFromProto(v: unknown): FlowEndpoint {
  const o = isObj(v) ? v : {};
  const labels = isObj(o['labels']) ? Object.fromEntries(Object.entries(o['labels']).map(([k, x]) => [k, str(x)])) : {};
  return { address: str(o['address']), port: num(o['port']), workload: str(o['workload']), namespace: str(o['namespace']), labels: Object.keys(labels).length ? labels : NO_LABELS };
}

/** The protobufjs object form (snake_case fields, enums by name). */
export function flowToProto(f: FlowRecord): Obj {
  return {
    time: msToProtoTime(f.time),
    node: f.node,
    direction: protoEnumName('DIRECTION', f.direction),
    source: endpointToProto(f.source),
    destination: endpointToProto(f.destination),
    protocol: protoEnumName('PROTOCOL', f.protocol),
    ...(f.http ? { http: { ...f.http } } : {}),
    ...(f.grpc ? { grpc: { ...f.grpc } } : {}),
    ...(f.kafka ? { kafka: { api: f.kafka.api, api_version: f.kafka.apiVersion, topic: f.kafka.topic, group: f.kafka.group, client_id: f.kafka.clientId } } : {}),
    verdict: protoEnumName('VERDICT', f.verdict),
    policy: f.policy,
    rule: f.rule,
    reason: f.reason,
    duration: msToProtoTime(f.durationMs),
    bytes_received: f.bytesReceived,
    bytes_sent: f.bytesSent,
  };
}

export function flowFromProto(o: Obj): FlowRecord {
  const http = isObj(o['http']) ? o['http'] : undefined;
  const grpc = isObj(o['grpc']) ? o['grpc'] : undefined;
  const kafka = isObj(o['kafka']) ? o['kafka'] : undefined;
  return {
    time: protoTimeToMs(o['time']),
    node: str(o['node']),
    direction: fromEnum(DIRECTIONS, 'DIRECTION', o['direction']),
    source: endpointFromProto(o['source']),
    destination: endpointFromProto(o['destination']),
    protocol: fromEnum(PROTOCOLS, 'PROTOCOL', o['protocol']),
    ...(http ? { http: { method: str(http['method']), path: str(http['path']), authority: str(http['authority']), status: num(http['status']), version: str(http['version']) } } : {}),
    ...(grpc ? { grpc: { service: str(grpc['service']), method: str(grpc['method']), status: str(grpc['status']) } } : {}),
    ...(kafka ? { kafka: { api: str(kafka['api']), apiVersion: num(kafka['api_version']), topic: str(kafka['topic']), group: str(kafka['group']), clientId: str(kafka['client_id']) } } : {}),
    verdict: fromEnum(VERDICTS, 'VERDICT', o['verdict']),
    policy: str(o['policy']),
    rule: str(o['rule']),
    reason: str(o['reason']),
    durationMs: protoTimeToMs(o['duration']),
    bytesReceived: num(o['bytes_received']),
    bytesSent: num(o['bytes_sent']),
  };
}

export function encodeFlow(f: FlowRecord): Uint8Array {
  const type = flowMessage(MESSAGE.flow);
  return type.encode(type.fromObject(flowToProto(f))).finish();
}

export function decodeFlow(bytes: Uint8Array): FlowRecord {
  const type = flowMessage(MESSAGE.flow);
  return flowFromProto(type.toObject(type.decode(bytes), OBJECT_FORM) as Obj);
}

/** RFC 3339 with 0, 3, 6 or 9 fractional digits, as the proto3 JSON mapping writes a Timestamp. */
function rfc3339(seconds: number, nanos: number): string {
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  return `${base}${fraction(nanos)}Z`;
}

function fraction(nanos: number): string {
  if (nanos === 0) return '';
  const digits = String(nanos).padStart(9, '0');
  return `.${nanos % 1e6 === 0 ? digits.slice(0, 3) : nanos % 1e3 === 0 ? digits.slice(0, 6) : digits}`;
}

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/**
 * The canonical proto3 JSON of the Flow: lowerCamelCase names, default values omitted, enums by
 * name, Timestamp as RFC 3339, Duration as `"0.001500s"`, uint64 as decimal strings.
 */
export function flowToJsonpb(f: FlowRecord): Obj {
  const p = flowToProto(f);
  const time = msToProtoTime(f.time);
  const duration = msToProtoTime(f.durationMs);
  const out: Obj = {};
  const put = (key: string, value: unknown) => {
    if (value === '' || value === 0 || value === undefined || (typeof value === 'string' && value.endsWith('_UNKNOWN'))) return;
    if (isObj(value) && Object.keys(value).length === 0) return;
    out[camel(key)] = value;
  };
  const nested = (v: unknown): Obj => {
    const o: Obj = {};
    if (!isObj(v)) return o;
    for (const [k, x] of Object.entries(v)) if (x !== '' && x !== 0 && !(isObj(x) && Object.keys(x).length === 0)) o[camel(k)] = x;
    return o;
  };
  put('time', rfc3339(time.seconds, time.nanos));
  for (const key of ['node', 'direction'] as const) put(key, p[key]);
  put('source', nested(p['source']));
  put('destination', nested(p['destination']));
  put('protocol', p['protocol']);
  for (const key of ['http', 'grpc', 'kafka'] as const) if (p[key]) out[key] = nested(p[key]);
  for (const key of ['verdict', 'policy', 'rule', 'reason'] as const) put(key, p[key]);
  if (f.durationMs !== 0) out['duration'] = `${duration.seconds}${fraction(duration.nanos)}s`;
  put('bytes_received', f.bytesReceived ? String(f.bytesReceived) : '');
  put('bytes_sent', f.bytesSent ? String(f.bytesSent) : '');
  return out;
}

/** The sluice JSON form of a record (`-o json`, the JSON-lines exports): the record, time as RFC 3339. */
export function flowToJson(f: FlowRecord): Obj {
  const t = msToProtoTime(f.time);
  return { ...f, time: rfc3339(t.seconds, t.nanos) };
}

/** Reads `flowToJson`'s form back (the exports, `/flows` lines). Returns a reason when it is not one. */
export function flowFromJson(v: unknown): FlowRecord | string {
  if (!isObj(v)) return 'not a JSON object';
  const time = typeof v['time'] === 'string' ? Date.parse(v['time']) : NaN;
  if (!Number.isFinite(time)) return 'time: expected an RFC 3339 timestamp';
  const micros = typeof v['time'] === 'string' ? /\.(\d{1,9})Z$/.exec(v['time'])?.[1] : undefined;
  const precise = micros ? Math.floor(time / 1000) * 1000 + Number(`0.${micros}`) * 1000 : time;
  for (const key of ['node', 'direction', 'protocol', 'verdict', 'policy', 'rule', 'reason'] as const) if (typeof v[key] !== 'string') return `${key}: expected a string`;
  if (!isObj(v['source']) || !isObj(v['destination'])) return 'source, destination: expected objects';
  return { ...(v as unknown as FlowRecord), time: Math.round(precise * 1000) / 1000 };
}
