/** `sluice observe`: the flows a running `sluice serve` collected, filtered, Hubble `observe` style. */
import { FILTER_PARAMS, flowFromJson, FlowStore, parseFlowQuery, toPairs, type FilterParam } from '../../flows/index.js';
import { formatFlow, OUTPUTS, TABLE_HEADER, type Output } from '../../flows/format.js';
import { readSse } from '../../flows/sse.js';
import { parseCommandArgs } from '../args.js';
import { fetchFailure, parseFlowLines, readFlowFile } from '../flow-source.js';
import { EXIT, UsageError, type Command, type CommandIo } from '../command.js';

const width = Math.max(...Object.keys(FILTER_PARAMS).map((k) => k.length)) + 10;
const HELP = `Usage: sluice observe [--server URL | --input FILE] [filters] [--follow] [--last N] [-o table|json|jsonpb]

Shows the L7 flows a running sluice serve collected from its proxies (Envoy's access-log
service, the Kafka enforcer): each request with its verdict (forwarded, denied, audit-denied) and
the policy rule that decided it. Filters of different kinds are AND-ed; a repeated filter
matches any of its values. The same filters work on the admin route /flows?verdict=denied&...

Filters:
${Object.entries(FILTER_PARAMS).filter(([k]) => k !== 'follow' && k !== 'last').map(([k, v]) => `  --${k.padEnd(width - 4)}${v}`).join('\n')}

Options:
  --server URL              the admin endpoint of sluice serve (default http://127.0.0.1:9901)
  --input FILE              read a JSON-lines flow export instead (the file export of serve)
  -f, --follow              keep printing new flows as they arrive (Ctrl-C stops)
  --last N                  the newest N matching flows first (default 20; with --follow 0)
  -o, --output FMT          table (default), json (sluice's record), jsonpb (proto3 JSON of
                            sluice.flow.v1alpha1.Flow, as Hubble's -o jsonpb)
  -h, --help                show this help

Examples:
  sluice observe --verdict denied --namespace shop
  sluice observe --follow --from shop/web --to app=orders --http-path '^/v1/orders/'
  sluice observe --policy shop/orders-tighten --verdict audit-denied --since 1h -o json
`;

const FILTER_OPTIONS = Object.fromEntries(
  (Object.keys(FILTER_PARAMS) as FilterParam[]).filter((k) => k !== 'follow').map((k) => [k, { type: 'string' as const, multiple: k !== 'since' && k !== 'until' && k !== 'last' }]),
) as Record<Exclude<FilterParam, 'follow'>, { type: 'string'; multiple: boolean }>;

async function fromServer(server: string, pairs: Array<[string, string]>, follow: boolean, output: Output, io: CommandIo): Promise<number> {
  const url = new URL('/flows', server);
  for (const [k, v] of pairs) url.searchParams.append(k, v);
  if (follow) url.searchParams.set('follow', 'true');
  const controller = new AbortController();
  const stop = () => controller.abort();
  io.signal.addEventListener('abort', stop, { once: true });
  try {
    const res = await fetch(url, { signal: controller.signal, headers: follow ? { accept: 'text/event-stream' } : {} });
    if (res.status === 400) {
      const body = (await res.json()) as { problems?: Array<{ text: string }> };
      for (const p of body.problems ?? []) io.stderr(`${p.text}\n`);
      return EXIT.usage;
    }
    if (!res.ok || !res.body) {
      io.stderr(`sluice observe: ${url.origin}/flows answered ${res.status}${res.status === 404 ? ' (is flow collection enabled in this sluice serve?)' : ''}\n`);
      return EXIT.failure;
    }
    if (output === 'table') io.stdout(`${TABLE_HEADER}\n`);
    if (!follow) {
      const { flows, problems } = parseFlowLines(await res.text(), `${url.origin}/flows`);
      for (const p of problems) io.stderr(`${p}\n`);
      for (const f of flows) io.stdout(`${formatFlow(f, output)}\n`);
      return EXIT.ok;
    }
    for await (const event of readSse(res.body)) {
      if (event.event === 'dropped') io.stderr(`sluice observe: the server skipped ${(JSON.parse(event.data) as { dropped: number }).dropped} flow(s): this terminal reads slower than they arrive\n`);
      if (event.event !== 'flow') continue;
      const f = flowFromJson(JSON.parse(event.data));
      if (typeof f !== 'string') io.stdout(`${formatFlow(f, output)}\n`);
    }
    return EXIT.ok;
  } catch (error) {
    if (controller.signal.aborted) return EXIT.ok;
    io.stderr(`sluice observe: cannot read ${url.origin}/flows: ${fetchFailure(error)}\n`);
    return EXIT.failure;
  } finally {
    io.signal.removeEventListener('abort', stop);
  }
}

function fromFile(file: string, pairs: Array<[string, string]>, output: Output, io: CommandIo): number {
  const { flows, problems } = readFlowFile(file);
  for (const p of problems) io.stderr(`${p}\n`);
  const store = new FlowStore(Math.max(1, flows.length));
  for (const f of flows) store.add(f);
  const { query } = parseFlowQuery(pairs, Date.now());
  if (output === 'table') io.stdout(`${TABLE_HEADER}\n`);
  for (const s of store.query(query.filter, { limit: query.last ?? 20, lateMs: Infinity }).reverse()) io.stdout(`${formatFlow(s.flow, output)}\n`);
  return EXIT.ok;
}

export const observeCommand: Command = {
  name: 'observe',
  summary: 'show the L7 flows the proxies saw, with verdicts and the rules that decided them',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      ...FILTER_OPTIONS,
      server: { type: 'string', default: 'http://127.0.0.1:9901' },
      input: { type: 'string' },
      follow: { type: 'boolean', short: 'f', default: false },
      output: { type: 'string', short: 'o', default: 'table' },
    });
    const output = OUTPUTS.find((o) => o === values.output);
    if (!output) throw new UsageError(`--output: expected ${OUTPUTS.join(', ')}, got "${values.output}"`);
    const filterArgs: Partial<Record<FilterParam, string | readonly string[]>> = {};
    for (const k of Object.keys(FILTER_OPTIONS) as Array<keyof typeof FILTER_OPTIONS>) {
      const v = values[k];
      if (v !== undefined) filterArgs[k] = v;
    }
    const pairs = toPairs(filterArgs);
    // The same parser the server runs: a bad filter is a usage error here, before any request.
    const { problems } = parseFlowQuery(pairs, Date.now());
    if (problems.length > 0) throw new UsageError(problems.map((d) => `--${d.path}: ${d.message}`).join('\n'));
    if (values.input) {
      if (values.follow) throw new UsageError('--follow reads from a server, not from --input');
      return fromFile(values.input, pairs, output, io);
    }
    let server: URL;
    try {
      server = new URL(values.server);
    } catch {
      throw new UsageError(`--server: expected a URL such as http://127.0.0.1:9901, got "${values.server}"`);
    }
    return fromServer(server.href, pairs, values.follow, output, io);
  },
};
