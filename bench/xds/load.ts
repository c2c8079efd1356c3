/**
 * The bench's load generator, in its own process (forked with IPC) so the server's core is
 * measured alone: N ADS streams (SotW or Delta), one connection each, that behave like Envoy (CDS
 * and LDS wildcard, EDS and RDS by name, every response ACKed). Messages are encoded and decoded by
 * hand to keep the generator cheap.
 *
 * IPC: {cmd:'start', port, streams, api, eds, rds} → {evt:'connected'} once every stream ACKed all
 * four types; {cmd:'mark', expect} → {evt:'marked'}; then {evt:'converged', ackNs[], bytes,
 * responses} once each expected stream (`expect`: stream indexes, or every stream) ACKed an LDS
 * response it received after the mark, and a settle time passed (so redundant responses to any
 * stream are counted too); {cmd:'stop'} ends the process.
 */
import * as grpc from '@grpc/grpc-js';
// The registry module alone (no protos, no checker): the generator stays cheap.
import { TYPE_URL as T } from '../../envoy-api/resource-types.js';
import { deltaRequest, readResponse, request } from './wire.js';

interface Stream {
  call: grpc.ClientDuplexStream<Buffer, Buffer>;
  client: grpc.Client;
  acked: Set<string>;
  /** Waited for after the mark. */
  expected: boolean;
  doneNs: bigint | undefined;
}

type Api = 'sotw' | 'delta';
const SETTLE_MS = 500;

const identity = (b: Buffer): Buffer => b;
const streams: Stream[] = [];
let marked = false;
let bytes = 0;
let responses = 0;
let connectedSent = false;
let converged = false;
let settling = false;
let api: Api = 'sotw';
let names: { eds: string[]; rds: string[] } = { eds: [], rds: [] };

function namesOf(typeUrl: string): readonly string[] {
  if (typeUrl === T.EDS) return names.eds;
  if (typeUrl === T.RDS) return names.rds;
  return [];
}

/** Streams that ACKed all four types; expected streams not yet converged (counters: no scan per response). */
let ready = 0;
let waiting = 0;

function check(): void {
  if (!connectedSent && ready === streams.length) {
    connectedSent = true;
    process.send?.({ evt: 'connected', bytes, responses });
  }
  if (marked && !settling && waiting === 0) {
    settling = true;
    setTimeout(() => {
      converged = true;
      process.send?.({ evt: 'converged', ackNs: streams.filter((s) => s.expected).map((s) => String(s.doneNs)), bytes, responses });
    }, SETTLE_MS);
  }
}

function open(port: number, i: number): void {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
  const method = api === 'delta' ? 'DeltaAggregatedResources' : 'StreamAggregatedResources';
  const call = client.makeBidiStreamRequest(`/envoy.service.discovery.v3.AggregatedDiscoveryService/${method}`, identity, identity);
  const s: Stream = { call, client, acked: new Set(), expected: false, doneNs: undefined };
  streams.push(s);
  call.on('data', (buf: Buffer) => {
    bytes += buf.length;
    responses++;
    const r = readResponse(buf);
    call.write(api === 'delta' ? deltaRequest(undefined, r.typeUrl, [], r.nonce) : request(undefined, r.typeUrl, namesOf(r.typeUrl), r.version, r.nonce));
    if (s.acked.size < 4) {
      s.acked.add(r.typeUrl);
      if (s.acked.size === 4) ready++;
    }
    // The change is a Listener's: the stream has it once it ACKed an LDS response sent after the mark.
    if (r.typeUrl === T.LDS && marked && s.expected && s.doneNs === undefined) {
      s.doneNs = process.hrtime.bigint();
      waiting--;
    }
    check();
  });
  call.on('error', (err: Error) => {
    if (!converged) process.send?.({ evt: 'error', message: `stream ${i}: ${err.message}` });
  });
  const node = `bench-${i}`;
  const first = (typeUrl: string, n: readonly string[]): Buffer => (api === 'delta' ? deltaRequest(undefined, typeUrl, n, '') : request(undefined, typeUrl, n, '', ''));
  call.write(api === 'delta' ? deltaRequest(node, T.CDS, [], '') : request(node, T.CDS, [], '', ''));
  call.write(first(T.EDS, names.eds));
  call.write(first(T.LDS, []));
  call.write(first(T.RDS, names.rds));
}

process.on('message', (msg: { cmd: string; port?: number; streams?: number; api?: Api; eds?: string[]; rds?: string[]; expect?: number[] }) => {
  if (msg.cmd === 'start') {
    names = { eds: msg.eds ?? [], rds: msg.rds ?? [] };
    api = msg.api ?? 'sotw';
    for (let i = 0; i < (msg.streams ?? 0); i++) open(msg.port ?? 0, i);
  } else if (msg.cmd === 'mark') {
    const only = msg.expect ? new Set(msg.expect) : undefined;
    streams.forEach((s, i) => {
      s.expected = only ? only.has(i) : true;
      s.doneNs = undefined;
    });
    waiting = streams.filter((s) => s.expected).length;
    bytes = 0;
    responses = 0;
    settling = false;
    converged = false;
    marked = true;
    process.send?.({ evt: 'marked' });
  } else if (msg.cmd === 'stop') {
    for (const s of streams) {
      s.call.cancel();
      s.client.close();
    }
    process.disconnect?.();
    setTimeout(() => process.exit(0), 100).unref();
  }
});
