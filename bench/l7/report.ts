/**
 * bench:l7's table: per protocol and case, the median figures over rounds and, for every Envoy
 * case, the ratios against "Envoy, no RBAC" computed round by round (the same round's peer), as
 * the median with the range over rounds. A JSON line with every figure follows.
 */
import type { Case } from './cases.js';
import type { LoadResult } from './load.js';
import type { Protocol } from './rules.js';

export interface Sample {
  readonly round: number;
  readonly point: 'latency' | 'rate';
  readonly protocol: Protocol;
  readonly name: string;
  readonly result: LoadResult;
  /** Envoy's CPU time per request in this run, µs (NaN without Envoy). */
  readonly cpuUsPerRequest: number;
}

export const PEER = 'Envoy, no RBAC';

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? (s[(s.length - 1) / 2] ?? NaN) : ((s[s.length / 2 - 1] ?? NaN) + (s[s.length / 2] ?? NaN)) / 2;
};

interface Figure {
  readonly value: number;
  /** Median, min and max of the per-round ratio to the peer. */
  readonly ratio: { readonly median: number; readonly min: number; readonly max: number };
}

function figure(samples: readonly Sample[], protocol: Protocol, name: string, point: Sample['point'], pick: (s: Sample) => number): Figure {
  const mine = samples.filter((s) => s.protocol === protocol && s.name === name && s.point === point);
  const ratios = mine.flatMap((s) => {
    const peer = samples.find((p) => p.protocol === protocol && p.name === PEER && p.point === point && p.round === s.round);
    return peer ? [pick(s) / pick(peer)] : [];
  });
  return { value: median(mine.map(pick)), ratio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) } };
}

const LABEL: Record<Protocol, string> = { http: 'HTTP/1.1 (wrk)', grpc: 'gRPC unary over h2c (h2load)' };

export function report(header: string, cases: readonly Case[], samples: readonly Sample[]): void {
  console.log(header);
  const json: Record<string, unknown> = {};
  for (const protocol of [...new Set(cases.map((c) => c.protocol))]) {
    console.log(`\n${LABEL[protocol].padEnd(36)}  p50 µs  p99 µs    req/s  Envoy CPU µs/req (1, N) │ vs Envoy without RBAC (median [range] of the rounds): p50, p99, rate, Envoy CPU/req at 1 and N`);
    for (const c of cases.filter((x) => x.protocol === protocol)) {
      const p50 = figure(samples, protocol, c.name, 'latency', (s) => s.result.p50us);
      const p99 = figure(samples, protocol, c.name, 'latency', (s) => s.result.p99us);
      const rate = figure(samples, protocol, c.name, 'rate', (s) => s.result.rate);
      const cpu1 = figure(samples, protocol, c.name, 'latency', (s) => s.cpuUsPerRequest);
      const cpu = figure(samples, protocol, c.name, 'rate', (s) => s.cpuUsPerRequest);
      const r = (f: Figure): string => (Number.isNaN(f.ratio.median) ? '' : `×${f.ratio.median.toFixed(2)} [${f.ratio.min.toFixed(2)}–${f.ratio.max.toFixed(2)}]`);
      const ratios = c.name === PEER ? '(the peer)' : `${r(p50)}  ${r(p99)}  ${r(rate)}  ${r(cpu1)}  ${r(cpu)}`;
      const cpuText = Number.isNaN(cpu.value) ? '' : `${cpu1.value.toFixed(1).padStart(11)} ${cpu.value.toFixed(1).padStart(11)}`;
      console.log(`  ${c.name.padEnd(36)} ${p50.value.toFixed(0).padStart(6)}  ${p99.value.toFixed(0).padStart(6)}  ${rate.value.toFixed(0).padStart(7)}  ${cpuText.padStart(23)} │ ${ratios}`);
      json[`${protocol}:${c.name}`] = { p50us: p50, p99us: p99, rate, envoyCpuUsPerRequestAt1: cpu1, envoyCpuUsPerRequest: cpu };
    }
    // DESIGN.md's target: the largest rule count adds at most 10% to request latency.
    const worst = cases.filter((x) => x.protocol === protocol && / rules, last$/.test(x.name)).at(-1);
    if (worst) {
      const p50 = figure(samples, protocol, worst.name, 'latency', (s) => s.result.p50us).ratio.median;
      console.log(`  target: "${worst.name}" at most ×1.10 the p50 latency of Envoy without RBAC: ×${p50.toFixed(2)}, ${p50 <= 1.1 ? 'met' : 'missed'}`);
    }
  }
  console.log(JSON.stringify(json));
}
