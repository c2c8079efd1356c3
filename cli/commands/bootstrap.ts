/** `sluice bootstrap`: an Envoy bootstrap that takes everything else from sluice over ADS. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { DEFAULT_XDS_API, envoyBootstrap } from '../../policy-compiler/index.js';
import { parseCommandArgs, parseHostPort } from '../args.js';
import { EXIT, UsageError, type Command } from '../command.js';

const HELP = `Usage: sluice bootstrap --node ID [--cluster NAME] [--xds-address HOST:PORT] [--admin-address HOST:PORT] [--xds-api delta|sotw] [--tls-cert FILE --tls-key FILE --ca FILE] [-o yaml|json]

Prints an Envoy bootstrap for node ID: one static cluster for sluice's xDS server, and listeners,
routes, clusters and endpoints from it over ADS (gRPC; Delta xDS by default).

Options:
  --node ID                 the node id, as the inventory names the proxy (required)
  --cluster NAME            the node's cluster (default: sluice)
  --xds-address HOST:PORT   sluice's xDS server (default 127.0.0.1:18000)
  --admin-address HOST:PORT Envoy's admin endpoint (default 127.0.0.1:15000; keep it private)
  --xds-api API             delta (default: only changed resources are sent) or sotw (state of the world)
  --tls-cert FILE           mutual TLS to the xDS server (serve --xds-tls-cert ...): the node's
                            client certificate, with URI SAN spiffe://TRUST-DOMAIN/node/ID
                            (sluice certs issue --usage client --uri ...), with
  --tls-key FILE            its private key and
  --ca FILE                 the CA the xDS server's certificate must chain to
  -o, --output FMT          yaml (default) or json
  --out FILE                write it to FILE instead of stdout (a node agent's init container)
  -h, --help                show this help

Example:
  sluice bootstrap --node node-a > envoy.yaml && envoy -c envoy.yaml
`;

export const bootstrapCommand: Command = {
  name: 'bootstrap',
  summary: 'print an Envoy bootstrap that gets its configuration from sluice over ADS',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      node: { type: 'string' },
      cluster: { type: 'string', default: 'sluice' },
      'xds-address': { type: 'string', default: '127.0.0.1:18000' },
      'admin-address': { type: 'string', default: '127.0.0.1:15000' },
      'xds-api': { type: 'string', default: DEFAULT_XDS_API },
      output: { type: 'string', short: 'o', default: 'yaml' },
      out: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      ca: { type: 'string' },
    });
    const tlsFlags = [values['tls-cert'], values['tls-key'], values.ca];
    if (tlsFlags.some((f) => f !== undefined) && !tlsFlags.every((f) => f !== undefined)) throw new UsageError('--tls-cert, --tls-key and --ca go together');
    const tls = values['tls-cert'] !== undefined && values['tls-key'] !== undefined && values.ca !== undefined
      ? { cert: path.resolve(values['tls-cert']), key: path.resolve(values['tls-key']), ca: path.resolve(values.ca) }
      : undefined;
    if (!values.node) throw new UsageError('--node ID is required');
    if (!/^[A-Za-z0-9]([-A-Za-z0-9_.:]*[A-Za-z0-9])?$/.test(values.node)) throw new UsageError(`--node: "${values.node}" is not a valid node id`);
    const xdsApi = values['xds-api'];
    if (xdsApi !== 'delta' && xdsApi !== 'sotw') throw new UsageError(`--xds-api: expected delta or sotw, got "${xdsApi}"`);
    if (values.output !== 'yaml' && values.output !== 'json') throw new UsageError(`--output: expected yaml or json, got "${values.output}"`);
    const bootstrap = envoyBootstrap({ node: values.node, cluster: values.cluster, xds: parseHostPort('--xds-address', values['xds-address']), admin: parseHostPort('--admin-address', values['admin-address']), xdsApi, ...(tls ? { tls } : {}) });
    const text = values.output === 'json' ? `${JSON.stringify(bootstrap, null, 2)}\n` : stringify(bootstrap, { lineWidth: 0 });
    if (values.out) writeFileSync(values.out, text);
    else io.stdout(text);
    return EXIT.ok;
  },
};
