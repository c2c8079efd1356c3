/** `sluice audit-report`: what an audit-mode policy would have denied, and whether it is safe to enforce. */
import { CLEAN_MESSAGE, parseDuration, type AuditReport } from '../../flows/index.js';
import { parseCommandArgs } from '../args.js';
import { EXIT, UsageError, type Command } from '../command.js';

/** The window the store holds does not reach back to --since. */
export const EXIT_INCOMPLETE = 4;

const HELP = `Usage: sluice audit-report --policy NAMESPACE/NAME [--since 24h] [--server URL] [-o text|json] [--allow-incomplete]

Reads the flows a running sluice serve collected and lists what the audit-mode policy would have
denied had it been enforced, grouped by rule, peer and request (method and path, gRPC method,
Kafka API and topic), with counts and first and last times. A rollout gates on the exit code.

Options:
  --policy NS/NAME      the audit-mode policy (required)
  --since DURATION      the window, back from now (default 24h)
  --server URL          the admin endpoint of sluice serve (default http://127.0.0.1:9901)
  --allow-incomplete    exit 0 when nothing would be denied even if the store does not reach back
                        over the whole window (flows evicted, or collection started later)
  -o, --output FMT      text (default) or json (the report as the admin route /flows/audit gives it)
  -h, --help            show this help

Exit codes: 0 "${CLEAN_MESSAGE}"; 1 would-deny flows found; 2 usage;
3 the server could not be read; 4 none found, but the window is not complete (see --allow-incomplete).

Example:
  sluice audit-report --policy shop/orders-tighten --since 24h && kubectl apply -f enforce.yaml
`;

function when(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

export function formatAuditReport(r: AuditReport): string {
  const lines = [`audit report for ${r.policy}, ${when(r.since)} to ${when(r.until)} UTC`, ''];
  if (r.groups.length > 0) {
    const w = { count: 6, peer: Math.max(4, ...r.groups.map((g) => g.peer.length)), what: Math.max(7, ...r.groups.map((g) => g.what.length)) };
    lines.push(`${'COUNT'.padStart(w.count)}  ${'PEER'.padEnd(w.peer)}  ${'REQUEST'.padEnd(w.what)}  ${'LAST'.padEnd(19)}  RULE`);
    for (const g of r.groups) lines.push(`${String(g.count).padStart(w.count)}  ${g.peer.padEnd(w.peer)}  ${g.what.padEnd(w.what)}  ${when(g.last)}  ${g.rule}`);
    if (r.groups.length < r.wouldDeny && r.groups.reduce((n, g) => n + g.count, 0) < r.wouldDeny) lines.push('  … (more groups; -o json has the first 200)');
    lines.push('');
  }
  lines.push(r.message);
  return `${lines.join('\n')}\n`;
}

export const auditReportCommand: Command = {
  name: 'audit-report',
  summary: 'what an audit-mode policy would have denied; exit 0 only when nothing',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      policy: { type: 'string' },
      since: { type: 'string', default: '24h' },
      server: { type: 'string', default: 'http://127.0.0.1:9901' },
      output: { type: 'string', short: 'o', default: 'text' },
      'allow-incomplete': { type: 'boolean', default: false },
    });
    if (!values.policy) throw new UsageError('--policy NAMESPACE/NAME is required');
    if (!/^[^/\s#]+\/[^/\s#]+$/.test(values.policy)) throw new UsageError(`--policy: expected NAMESPACE/NAME, got "${values.policy}"`);
    if (parseDuration(values.since) === undefined) throw new UsageError(`--since: expected a duration such as 30m or 24h, got "${values.since}"`);
    if (values.output !== 'text' && values.output !== 'json') throw new UsageError(`--output: expected text or json, got "${values.output}"`);
    let url: URL;
    try {
      url = new URL('/flows/audit', values.server);
    } catch {
      throw new UsageError(`--server: expected a URL such as http://127.0.0.1:9901, got "${values.server}"`);
    }
    url.searchParams.set('policy', values.policy);
    url.searchParams.set('since', values.since);
    let report: AuditReport;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      if (!res.ok) {
        io.stderr(`sluice audit-report: ${url.origin}/flows/audit answered ${res.status}: ${(await res.text()).slice(0, 2000)}\n`);
        return EXIT.failure;
      }
      report = (await res.json()) as AuditReport;
    } catch (error) {
      io.stderr(`sluice audit-report: cannot read ${url.origin}/flows/audit: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)}\n`);
      return EXIT.failure;
    }
    io.stdout(values.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatAuditReport(report));
    if (report.verdict === 'would-deny') return EXIT.invalid;
    if (report.verdict === 'incomplete' && !values['allow-incomplete']) return EXIT_INCOMPLETE;
    return EXIT.ok;
  },
};
