/** `sluice compile`: shows exactly which Envoy configuration policies become, per proxy. */
import { stringify } from 'yaml';
import { parseCommandArgs } from '../args.js';
import { EXIT, UsageError, type Command } from '../command.js';
import { directorySecrets, readSourceFiles } from '../../controller/index.js';
import { RESOURCE_TYPE_LIST } from '../../envoy-api/index.js';
import { compileSources, redactSecrets, toPlainJson, formatDiagnostic, hasErrors, sortDiagnostics, type CompileOutput, type EnvoyResource } from '../../policy-compiler/index.js';

const HELP = `Usage: sluice compile --inventory FILE [--secrets DIR] [--node ID] [--show resources|ir|redirects] [-o yaml|json] FILE|DIR...

Compiles L7Policy documents against an inventory and prints the result per proxy:
  resources  the Envoy resources (listeners, routes, clusters, endpoints) each node is served (default)
  ir         the intermediate representation: chains and the compiled rules of each
  redirects  the eBPF redirect entries (which connections go to which proxy port)
Diagnostics go to stderr. Exits 1 when any input is invalid.

Options:
  --inventory FILE   the Inventory document (required)
  --secrets DIR      the secrets TLS and injected headers name, as serve --secrets reads them;
                     without it, TLS chains are compiled as refusing (private keys and
                     credentials are never printed)
  --node ID          only this node; "proxyless" for what proxyless gRPC clients and servers get
  --show WHAT        resources (default), ir or redirects
  -o, --output FMT   yaml (default) or json
  -h, --help         show this help

Example:
  sluice compile --inventory examples/inventory.yaml --node node-a examples/policies
`;

/** Resources grouped by type, under the registry's labels (listeners, routes, clusters, endpoints, …), in its order. */
function grouped(resources: readonly EnvoyResource[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { message, label } of RESOURCE_TYPE_LIST) {
    const list = resources.filter((r) => r.message === message).map((r) => r.json);
    if (list.length > 0) out[label] = list;
  }
  return out;
}

function proxylessView(output: CompileOutput): Record<string, unknown> {
  return { node: 'proxyless', serverListeners: output.serverListeners().map((l) => l.json), ...grouped(output.shared) };
}

function render(output: CompileOutput, show: string, node: string | undefined): unknown {
  if (show === 'redirects') return output.redirects.filter((r) => !node || r.node === node);
  if (show === 'ir') {
    const ir = output.ir;
    if (!node) return ir;
    if (node === 'proxyless') return { proxyless: ir.proxyless, services: ir.services };
    return ir.envoyNodes.find((n) => n.node === node) ?? ir.kafkaNodes.find((n) => n.node === node);
  }
  const views = [...output.nodes.map((n) => ({ node: n.node, kind: n.kind, ...grouped(n.resources) })), proxylessView(output)];
  return node ? views.filter((v) => v.node === node) : views;
}

export const compileCommand: Command = {
  name: 'compile',
  summary: 'print the Envoy resources (or IR, or redirect entries) that policies compile to',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { inventory: { type: 'string' }, secrets: { type: 'string' }, node: { type: 'string' }, show: { type: 'string', default: 'resources' }, output: { type: 'string', short: 'o', default: 'yaml' } },
      true,
    );
    if (!values.inventory) throw new UsageError('--inventory FILE is required');
    if (positionals.length === 0) throw new UsageError('name at least one policy FILE or DIR');
    if (!['resources', 'ir', 'redirects'].includes(values.show)) throw new UsageError(`--show: expected resources, ir or redirects, got "${values.show}"`);
    if (values.output !== 'yaml' && values.output !== 'json') throw new UsageError(`--output: expected yaml or json, got "${values.output}"`);
    const read = readSourceFiles([values.inventory, ...positionals], { inventory: values.inventory });
    const secrets = values.secrets !== undefined ? directorySecrets(values.secrets).read(new Date()) : undefined;
    for (const problem of secrets?.problems ?? []) io.stderr(`${values.secrets}: ${problem}\n`);
    const result = compileSources(read.files, secrets?.catalog);
    const diagnostics = sortDiagnostics([...read.diagnostics, ...result.diagnostics]);
    for (const d of diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
    if (!result.output) return EXIT.invalid;
    const known = [...result.output.nodes.map((n) => n.node), 'proxyless'];
    if (values.node && !known.includes(values.node)) throw new UsageError(`--node: unknown node "${values.node}"; the inventory has ${known.join(', ')}`);
    const view = render(result.output, values.show, values.node);
    // Private keys and credentials are never printed (certificates are).
    const plain = redactSecrets(toPlainJson(view));
    io.stdout(values.output === 'json' ? `${JSON.stringify(plain, null, 2)}\n` : stringify(plain, { lineWidth: 0 }));
    return hasErrors(diagnostics) ? EXIT.invalid : EXIT.ok;
  },
};

