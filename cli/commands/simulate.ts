/** `sluice simulate`: the verdict a request would get, and the exact rule that decides it. */
import { parseCommandArgs, parseHostPort } from '../args.js';
import { EXIT, UsageError, type Command, type CommandIo } from '../command.js';
import { readSourceFiles } from '../../controller/index.js';
import { parseDuration } from '../../flows/index.js';
import { compileSources, evaluate, findChain, formatDiagnostic, sortDiagnostics, type CompileOutput, type SimRequest } from '../../policy-compiler/index.js';
import { kafkaPolicyAt, runKafkaSimulation } from './simulate-kafka.js';
import { runReplay } from './simulate-replay.js';

const HELP = `Usage: sluice simulate --inventory FILE --to ADDRESS:PORT [--from ADDRESS] [request options] FILE|DIR...
       sluice simulate --inventory FILE --replay FLOWS [--since 24h] FILE|DIR...

Compiles the policies and shows what the proxy in front of ADDRESS:PORT would do with one
request: the enforced verdict and the rule that decided it, and, when audit-mode policies cover
the port, the audit verdict. Nothing is sent anywhere.

With --replay, judges the flows the proxies really saw by the policies named instead (proposed
ones, typically) and lists every verdict that would change, grouped by rule, peer and request.
FLOWS is a file of flow JSON lines (a --flow-export-file, sluice observe -o json) or the admin
URL of a running sluice serve (http://127.0.0.1:9901), read back --since (default 24h).
Exit codes with --replay: 0 no verdict changes, 1 some do, 3 the flows could not be read.

Request options:
  --from ADDRESS        the client's address (default 127.0.0.1)
  --egress              simulate the outbound side: --from is the workload, --to the destination
  --method METHOD       HTTP method (default GET; POST with --grpc)
  --path PATH           request path (default /)
  --authority HOST      the :authority / Host header (default: the --to address)
  -H, --header 'N: V'   a request header (repeatable)
  --grpc SERVICE/METHOD a gRPC call: sets POST and the path /SERVICE/METHOD

Kafka request options (a broker a Kafka enforcer protects; judged by the enforcer's own code):
  --kafka-api API       the Kafka API, by name (Produce, Fetch, JoinGroup, …) or key
  --api-version N       its version (default: the newest the enforcer decodes that names topics)
  --topic NAME          a topic the request names (repeatable)
  --group NAME          the consumer group (repeatable for APIs that list groups)
  --transactional-id ID the transactional id
  --client-id ID        the client id of the request header
  --replay FLOWS        replay recorded flows instead of one request (see above)
  --since DURATION      with --replay from a server: how far back (default 24h)
  -o, --output FMT      text (default) or json
  -h, --help            show this help

Exit codes: 0 allowed, 1 denied (or invalid input, or a request it cannot judge), 2 usage.

Example:
  sluice simulate --inventory examples/inventory.yaml --from 10.1.0.9 --to 10.1.0.7:8080 \\
    --method GET --path /v1/orders/7 -H 'x-tenant: acme' examples/policies
`;

/** The compiled output of the inventory and policies, or undefined after printing their errors. */
function compileOrReport(inventory: string, policies: readonly string[], io: CommandIo): CompileOutput | undefined {
  const read = readSourceFiles([inventory, ...policies], { inventory });
  const result = compileSources(read.files);
  const diagnostics = sortDiagnostics([...read.diagnostics, ...result.diagnostics]).filter((d) => d.severity === 'error');
  for (const d of diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
  return result.output;
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'show the verdict a request would get and the rule that decides it',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        inventory: { type: 'string' },
        to: { type: 'string' },
        from: { type: 'string', default: '127.0.0.1' },
        egress: { type: 'boolean', default: false },
        method: { type: 'string' },
        path: { type: 'string', default: '/' },
        authority: { type: 'string' },
        header: { type: 'string', short: 'H', multiple: true },
        grpc: { type: 'string' },
        'kafka-api': { type: 'string' },
        'api-version': { type: 'string' },
        topic: { type: 'string', multiple: true },
        group: { type: 'string', multiple: true },
        'transactional-id': { type: 'string' },
        'client-id': { type: 'string' },
        replay: { type: 'string' },
        since: { type: 'string', default: '24h' },
        output: { type: 'string', short: 'o', default: 'text' },
      },
      true,
    );
    if (!values.inventory) throw new UsageError('--inventory FILE is required');
    if (positionals.length === 0) throw new UsageError('name at least one policy FILE or DIR');
    const output = values.output;
    if (output !== 'text' && output !== 'json') throw new UsageError(`--output: expected text or json, got "${output}"`);
    if (values.replay !== undefined) {
      if (values.to) throw new UsageError('--replay judges recorded flows; --to names one request: use one or the other');
      if (parseDuration(values.since) === undefined) throw new UsageError(`--since: expected a duration such as 30m or 24h, got "${values.since}"`);
      const compiled = compileOrReport(values.inventory, positionals, io);
      return compiled ? runReplay({ source: values.replay, since: values.since }, compiled, output, io) : EXIT.invalid;
    }
    if (!values.to) throw new UsageError('--to ADDRESS:PORT is required');
    const to = parseHostPort('--to', values.to);
    const headers: Record<string, string> = {};
    for (const h of values.header ?? []) {
      const colon = h.indexOf(':');
      if (colon <= 0) throw new UsageError(`--header: expected "Name: value", got "${h}"`);
      const name = h.slice(0, colon).trim().toLowerCase();
      const value = h.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
    }
    let path = values.path;
    let method = values.method ?? 'GET';
    if (values.grpc) {
      if (!/^[A-Za-z_][\w.]*\/[A-Za-z_]\w*$/.test(values.grpc)) throw new UsageError(`--grpc: expected SERVICE/METHOD, e.g. shop.v1.Orders/Get, got "${values.grpc}"`);
      path = `/${values.grpc}`;
      method = values.method ?? 'POST';
    }
    const compiled = compileOrReport(values.inventory, positionals, io);
    if (!compiled) return EXIT.invalid;
    const kafkaArgs = ['api-version', 'topic', 'group', 'transactional-id', 'client-id'] as const;
    if (values['kafka-api'] !== undefined) {
      if (values.grpc || values.egress) throw new UsageError('--kafka-api judges a Kafka request: --grpc and --egress do not apply');
      return runKafkaSimulation(compiled, {
        api: values['kafka-api'], from: values.from, to, topics: values.topic ?? [], groups: values.group ?? [],
        ...(values['api-version'] !== undefined ? { apiVersion: values['api-version'] } : {}),
        ...(values['client-id'] !== undefined ? { clientId: values['client-id'] } : {}),
        ...(values['transactional-id'] !== undefined ? { transactionalId: values['transactional-id'] } : {}),
      }, output, io);
    }
    const stray = kafkaArgs.find((k) => values[k] !== undefined);
    if (stray) throw new UsageError(`--${stray} describes a Kafka request: name its API with --kafka-api`);
    const kafka = kafkaPolicyAt(compiled, to.host, to.port);
    if (kafka) {
      io.stderr(`sluice simulate: ${values.to} is a Kafka broker port that policy ${kafka.policy.policy} protects (Kafka enforcer ${kafka.node}): name the request with --kafka-api API [--topic T] [--group G] [--client-id C]\n`);
      return EXIT.usage;
    }
    const direction = values.egress ? 'outbound' : 'inbound';
    const request: SimRequest = { source: values.from, destination: to.host, method, path, authority: values.authority ?? values.to, headers };
    const chain = findChain(compiled.ir, direction, values.from, to.host, to.port);
    if (!chain) {
      const view = { request, handledBy: null, enforced: { verdict: 'allow', reason: `no policy covers ${direction === 'inbound' ? values.to : `${values.from} → ${values.to}`}: the connection is not redirected or passes through untouched` } };
      io.stdout(output === 'json' ? `${JSON.stringify(view, null, 2)}\n` : `ALLOW  ${view.enforced.reason}\n`);
      return EXIT.ok;
    }
    const evaluation = evaluate(chain.authz, request, direction);
    if (output === 'json') {
      io.stdout(`${JSON.stringify({ request, handledBy: { where: chain.where, chain: chain.chain }, ...evaluation }, null, 2)}\n`);
    } else {
      const line = (label: string, v: { verdict: string; rule?: string; reason: string }) => `${label}${v.verdict.toUpperCase().padEnd(6)} ${v.rule ?? '-'}  (${v.reason})\n`;
      io.stdout(`${method} ${path} from ${values.from} to ${values.to}: ${chain.where}, chain ${chain.chain}\n`);
      io.stdout(line('  enforced: ', evaluation.enforced));
      if (evaluation.audit) io.stdout(line('  audit:    ', evaluation.audit));
    }
    return evaluation.enforced.verdict === 'allow' ? EXIT.ok : EXIT.invalid;
  },
};
