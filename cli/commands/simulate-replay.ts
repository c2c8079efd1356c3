/**
 * `sluice simulate --replay SOURCE`: the flows the proxies saw, judged again by proposed policies.
 * Lists every verdict that would change (forwarded → denied, denied → forwarded, …) grouped by
 * rule, peer and request, so a team sees what a change would break before it ships.
 */
import { firstVerdict, kafkaVerdicts, replay, verdictFromIr, type ReplayResult } from '../../flows/index.js';
import type { CompileOutput } from '../../policy-compiler/index.js';
import { compiledKafkaPolicies } from './simulate-kafka.js';
import { EXIT, UsageError, type CommandIo } from '../command.js';
import { fetchFailure, fetchFlows, readFlowFile, type FlowLines } from '../flow-source.js';

/** How many flows a replay asks a server for: all it holds in the window. */
const ALL_FLOWS = '999999999';

export interface ReplayInput {
  /** A file of flow JSON lines, or the URL of a `sluice serve` admin endpoint. */
  readonly source: string;
  readonly since: string;
}

async function readFlows(input: ReplayInput, signal: AbortSignal): Promise<FlowLines> {
  if (!/^https?:\/\//.test(input.source)) return readFlowFile(input.source);
  let server: URL;
  try {
    server = new URL(input.source);
  } catch {
    throw new UsageError(`--replay: expected a flow file or a URL such as http://127.0.0.1:9901, got "${input.source}"`);
  }
  return fetchFlows(server.href, [['since', input.since], ['last', ALL_FLOWS]], signal);
}

export function formatReplay(r: ReplayResult): string {
  const lines = [
    `replayed ${r.total} flow(s) against the proposed policies: ${r.total - r.unchanged - r.skipped} would change, ${r.unchanged} unchanged${r.skipped > 0 ? `, ${r.skipped} not replayable (flows whose direction the proxy did not report, Kafka flows to a broker the policies do not cover)` : ''}`,
  ];
  if (r.groups.length > 0) {
    const change = (g: ReplayResult['groups'][number]) => `${g.from} → ${g.to}`;
    const w = { change: Math.max(6, ...r.groups.map((g) => change(g).length)), peer: Math.max(4, ...r.groups.map((g) => g.peer.length)), what: Math.max(7, ...r.groups.map((g) => g.what.length)) };
    lines.push('', `${'COUNT'.padStart(6)}  ${'CHANGE'.padEnd(w.change)}  ${'PEER'.padEnd(w.peer)}  ${'REQUEST'.padEnd(w.what)}  RULE`);
    for (const g of r.groups) {
      lines.push(`${String(g.count).padStart(6)}  ${change(g).padEnd(w.change)}  ${g.peer.padEnd(w.peer)}  ${g.what.padEnd(w.what)}  ${g.rule || '(default deny)'}${g.approximate ? '  ~' : ''}`);
    }
    if (r.groups.some((g) => g.approximate)) lines.push('', '~ the deciding rules match on request headers, which flows do not record: the verdict shown assumes the request carried none');
  }
  return `${lines.join('\n')}\n`;
}

/** Exit 0 when no verdict changes, 1 when some do, 3 when the flows cannot be read. */
export async function runReplay(input: ReplayInput, compiled: CompileOutput, output: 'text' | 'json', io: CommandIo): Promise<number> {
  let read: FlowLines;
  try {
    read = await readFlows(input, io.signal);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    io.stderr(`sluice simulate: cannot read flows from ${input.source}: ${fetchFailure(error)}\n`);
    return EXIT.failure;
  }
  for (const p of read.problems) io.stderr(`${p}\n`);
  const result = replay(read.flows, firstVerdict(verdictFromIr(compiled.ir), kafkaVerdicts(compiledKafkaPolicies(compiled).store)));
  if (output === 'json') {
    io.stdout(`${JSON.stringify({ total: result.total, unchanged: result.unchanged, skipped: result.skipped, groups: result.groups }, null, 2)}\n`);
  } else io.stdout(formatReplay(result));
  return result.groups.length === 0 ? EXIT.ok : EXIT.invalid;
}
