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

function figure(samples: readonly Sample[], protocol: Protocol, name: string, point: Sample['point'], pick: (r: LoadResult) => number): Figure {
  const mine = samples.filter((s) => s.protocol === protocol && s.name === name && s.point === point);
  const ratios = mine.flatMap((s) => {
    const peer = samples.find((p) => p.protocol === protocol && p.name === PEER && p.point === point && p.round === s.round);
    return peer ? [pick(s.result) / pick(peer.result)] : [];
  });
  return { value: median(mine.map((s) => pick(s.result))), ratio: { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) } };
}

const LABEL: Record<Protocol, string> = { http: 'HTTP/1.1 (wrk)', grpc: 'gRPC unary over h2c (h2load)' };

export function report(header: string, cases: readonly Case[], samples: readonly Sample[]): void {
  console.log(header);
  const json: Record<string, unknown> = {};
  for (const protocol of [...new Set(cases.map((c) => c.protocol))]) {
    console.log(`\n${LABEL[protocol]}                    p50 µs   p99 µs     req/s   │ vs Envoy without RBAC: p50, p99 latency; rate (median [range] of the rounds)`);
    for (const c of cases.filter((x) => x.protocol === protocol)) {
      const p50 = figure(samples, protocol, c.name, 'latency', (r) => r.p50us);
      const p99 = figure(samples, protocol, c.name, 'latency', (r) => r.p99us);
      const rate = figure(samples, protocol, c.name, 'rate', (r) => r.rate);
      const r = (f: Figure): string => `×${f.ratio.median.toFixed(2)} [${f.ratio.min.toFixed(2)}–${f.ratio.max.toFixed(2)}]`;
      const ratios = c.name === PEER ? '(the peer)' : `${r(p50)}  ${r(p99)}  ${r(rate)}`;
      console.log(`  ${c.name.padEnd(40)} ${p50.value.toFixed(0).padStart(6)}   ${p99.value.toFixed(0).padStart(6)}   ${rate.value.toFixed(0).padStart(7)}   │ ${ratios}`);
      json[`${protocol}:${c.name}`] = { p50us: p50, p99us: p99, rate };
    }
  }
  console.log(JSON.stringify(json));
}
