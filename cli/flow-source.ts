/**
 * Where the CLI reads flows from: the JSON lines of a file (a `--flow-export-file`, or what
 * `sluice observe -o json` printed) or the admin endpoint of a running `sluice serve`. Shared by
 * `sluice observe` and `sluice simulate --replay`, so both read the same forms the same way.
 */
import fs from 'node:fs';
import { flowFromJson, type FlowRecord } from '../flows/index.js';

export interface FlowLines {
  readonly flows: readonly FlowRecord[];
  /** `file:line: reason` for each line that is not a flow record. */
  readonly problems: readonly string[];
}

/** Parses JSON lines into flow records; `where` names the source in each problem. */
export function parseFlowLines(text: string, where: string): FlowLines {
  const flows: FlowRecord[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    const f = flowFromJson(parsed);
    if (typeof f === 'string') problems.push(`${where}:${i + 1}: not a flow record: ${f}`);
    else flows.push(f);
  });
  return { flows, problems };
}

export function readFlowFile(file: string): FlowLines {
  return parseFlowLines(fs.readFileSync(file, 'utf8'), file);
}

/** The reason an HTTP request to a server failed, as one line (fetch puts the socket's error in `cause`). */
export function fetchFailure(error: unknown): string {
  const message = (e: unknown): string | undefined => (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string' ? (e as { message: string }).message : undefined);
  const cause = typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
  return message(cause) ?? message(error) ?? String(error);
}

/** The flows a server holds that match `pairs` (its `/flows` filters), oldest first. */
export async function fetchFlows(server: string, pairs: ReadonlyArray<readonly [string, string]>, signal?: AbortSignal): Promise<FlowLines> {
  const url = new URL('/flows', server);
  for (const [k, v] of pairs) url.searchParams.append(k, v);
  const res = await fetch(url, { signal: signal ?? AbortSignal.timeout(60_000) });
  if (!res.ok) throw new Error(`${url.origin}/flows answered ${res.status}: ${(await res.text()).slice(0, 2000)}`);
  return parseFlowLines(await res.text(), `${url.origin}/flows`);
}
