/**
 * A synthetic Envoy for the collector: builds `StreamAccessLogsMessage`s shaped as Envoy 1.40
 * sends them (the identifier on the first message only, HTTP entries with the RBAC filters'
 * dynamic metadata) and streams them over `StreamAccessLogs`, as bench:flows and the hostile-input
 * tests need. Messages are encoded once and sent as bytes, so the client costs little.
 */
import * as grpc from '@grpc/grpc-js';
import { ALS_METHOD, ALS_SERVICE, flowMessage, MESSAGE, RBAC_METADATA_NAMESPACE } from '../../flows/index.js';

export interface SyntheticEntry {
  readonly source: string;
  readonly destination: string;
  readonly port: number;
  readonly method?: string;
  readonly path: string;
  readonly status?: number;
  /** RBAC dynamic metadata, key → string value. */
  readonly rbac?: Readonly<Record<string, string>>;
  readonly startMs?: number;
}

const addr = (address: string, port: number) => ({ socket_address: { address, port_value: port } });

export function entryObject(e: SyntheticEntry): Record<string, unknown> {
  const start = e.startMs ?? Date.now();
  return {
    common_properties: {
      downstream_remote_address: addr(e.source, 40000),
      downstream_local_address: addr(e.destination, e.port),
      start_time: { seconds: Math.floor(start / 1000), nanos: (start % 1000) * 1e6 },
      duration: { seconds: 0, nanos: 1_500_000 },
      metadata: { filter_metadata: { [RBAC_METADATA_NAMESPACE]: { fields: Object.fromEntries(Object.entries(e.rbac ?? {}).map(([k, v]) => [k, { stringValue: v }])) } } },
    },
    protocol_version: 'HTTP11',
    request: { request_method: e.method ?? 'GET', path: e.path, authority: 'orders', request_headers_bytes: 120 },
    response: { response_code: { value: e.status ?? 200 }, response_headers_bytes: 100, response_body_bytes: 3, response_code_details: 'via_upstream' },
  };
}

/** One encoded message; `identify` puts the identifier on it (Envoy: the first message of a stream). */
export function encodeMessage(entries: readonly SyntheticEntry[], identify: { node: string; logName: string } | undefined): Buffer {
  const type = flowMessage(MESSAGE.alsRequest);
  const body = {
    ...(identify ? { identifier: { node: { id: identify.node }, log_name: identify.logName } } : {}),
    http_logs: { log_entry: entries.map(entryObject) },
  };
  return Buffer.from(type.encode(type.fromObject(body)).finish());
}

export interface AlsStream {
  /** Writes one encoded message; resolves once the transport took it (back-pressure honoured). */
  write(bytes: Buffer): Promise<void>;
  /** Ends the stream; resolves with the call's status (0: OK). */
  end(): Promise<{ code: number; details: string }>;
}

export function openAlsStream(client: grpc.Client): AlsStream {
  const identity = (b: Buffer): Buffer => b;
  let settle: (s: { code: number; details: string }) => void = () => undefined;
  const settled = new Promise<{ code: number; details: string }>((resolve) => (settle = resolve));
  const call = client.makeClientStreamRequest<Buffer, Buffer>(`/${ALS_SERVICE}/${ALS_METHOD}`, identity, identity, (error) => settle(error ? { code: error.code ?? 2, details: error.details ?? error.message } : { code: 0, details: '' }));
  return {
    write: (bytes) => new Promise<void>((resolve) => {
      if (call.write(bytes)) resolve();
      else call.once('drain', () => resolve());
    }),
    end: () => {
      call.end();
      return settled;
    },
  };
}

export function alsClient(address: string): grpc.Client {
  return new grpc.Client(address, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
}
