/**
 * The bench's load generator, in its own process (forked with IPC) so the server's core is
 * measured alone: N ADS streams, one connection each, that behave like Envoy (CDS and LDS
 * wildcard, EDS and RDS by name, every response ACKed). Messages are encoded and decoded by hand
 * to keep the generator cheap.
 *
 * IPC: {cmd:'start', port, streams, eds, rds} → {evt:'connected'} once every stream ACKed all four
 * types; {cmd:'mark'} → {evt:'marked'}; then {evt:'converged', ackNs[], bytes, responses} once every
 * stream ACKed an LDS version it did not hold at the mark; {cmd:'stop'} ends the process.
 */
import * as grpc from '@grpc/grpc-js';
// The registry module alone (no protos, no checker): the generator stays cheap.
import { TYPE_URL as T } from '../../envoy-api/resource-types.js';
import { readResponse, request } from './wire.js';

interface Stream {
  call: grpc.ClientDuplexStream<Buffer, Buffer>;
  client: grpc.Client;
  acked: Set<string>;
  ldsAtMark: string;
  ldsVersion: string;
  doneNs: bigint | undefined;
}

const identity = (b: Buffer): Buffer => b;
const streams: Stream[] = [];
let marked = false;
let bytes = 0;
let responses = 0;
let connectedSent = false;
let converged = false;
let names: { eds: string[]; rds: string[] } = { eds: [], rds: [] };

function namesOf(typeUrl: string): readonly string[] {
  if (typeUrl === T.EDS) return names.eds;
  if (typeUrl === T.RDS) return names.rds;
  return [];
}

function check(): void {
  if (!connectedSent && streams.every((s) => s.acked.size === 4)) {
    connectedSent = true;
    process.send?.({ evt: 'connected', bytes, responses });
  }
  if (marked && !converged && streams.every((s) => s.doneNs !== undefined)) {
    converged = true;
    process.send?.({ evt: 'converged', ackNs: streams.map((s) => String(s.doneNs)), bytes, responses });
  }
}

function open(port: number, i: number): void {
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
  const call = client.makeBidiStreamRequest('/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources', identity, identity);
  const s: Stream = { call, client, acked: new Set(), ldsAtMark: '', ldsVersion: '', doneNs: undefined };
  streams.push(s);
  call.on('data', (buf: Buffer) => {
    bytes += buf.length;
    responses++;
    const r = readResponse(buf);
    call.write(request(undefined, r.typeUrl, namesOf(r.typeUrl), r.version, r.nonce));
    s.acked.add(r.typeUrl);
    if (r.typeUrl === T.LDS) {
      s.ldsVersion = r.version;
      if (marked && s.doneNs === undefined && r.version !== s.ldsAtMark) s.doneNs = process.hrtime.bigint();
    }
    check();
  });
  call.on('error', (err: Error) => {
    if (!converged) process.send?.({ evt: 'error', message: `stream ${i}: ${err.message}` });
  });
  const node = `bench-${i}`;
  call.write(request(node, T.CDS, [], '', ''));
  call.write(request(undefined, T.EDS, names.eds, '', ''));
  call.write(request(undefined, T.LDS, [], '', ''));
  call.write(request(undefined, T.RDS, names.rds, '', ''));
}

process.on('message', (msg: { cmd: string; port?: number; streams?: number; eds?: string[]; rds?: string[] }) => {
  if (msg.cmd === 'start') {
    names = { eds: msg.eds ?? [], rds: msg.rds ?? [] };
    for (let i = 0; i < (msg.streams ?? 0); i++) open(msg.port ?? 0, i);
  } else if (msg.cmd === 'mark') {
    for (const s of streams) s.ldsAtMark = s.ldsVersion;
    bytes = 0;
    responses = 0;
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
