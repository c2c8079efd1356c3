/** Flows for people and programs: `-o table` (one aligned line per flow), `json` (sluice's form), `jsonpb` (proto3 JSON). */
import { formatHostPort } from '../ip/index.js';
import { flowToJson, flowToJsonpb } from './codec.js';
import { l7Summary, workloadKey, type FlowEndpoint, type FlowRecord } from './record.js';

export const OUTPUTS = ['table', 'json', 'jsonpb'] as const;
export type Output = (typeof OUTPUTS)[number];

function who(e: FlowEndpoint): string {
  const key = workloadKey(e);
  return key ? `${key}:${e.port}` : formatHostPort(e.address, e.port);
}

function clock(ms: number): string {
  const d = new Date(ms);
  return `${d.toISOString().slice(5, 10)} ${d.toISOString().slice(11, 23)}`;
}

function status(f: FlowRecord): string {
  if (f.http) return String(f.http.status || '-');
  if (f.grpc) return f.grpc.status || '-';
  return '';
}

export const TABLE_HEADER = `${'TIME'.padEnd(18)} ${'SOURCE'.padEnd(28)} ${'DESTINATION'.padEnd(28)} ${'PROTO'.padEnd(5)} ${'VERDICT'.padEnd(12)} ${'REQUEST'.padEnd(34)} ${'STATUS'.padEnd(8)} RULE`;

export function tableLine(f: FlowRecord): string {
  const rule = f.rule || (f.policy ? `${f.policy} (${f.reason})` : f.reason);
  return `${clock(f.time).padEnd(18)} ${who(f.source).padEnd(28)} ${who(f.destination).padEnd(28)} ${f.protocol.padEnd(5)} ${f.verdict.toUpperCase().padEnd(12)} ${l7Summary(f).padEnd(34)} ${status(f).padEnd(8)} ${rule}`;
}

export function formatFlow(f: FlowRecord, output: Output): string {
  switch (output) {
    case 'table':
      return tableLine(f);
    case 'json':
      return JSON.stringify(flowToJson(f));
    case 'jsonpb':
      return JSON.stringify({ flow: flowToJsonpb(f), node_name: f.node, time: flowToJsonpb(f)['time'] });
  }
}
