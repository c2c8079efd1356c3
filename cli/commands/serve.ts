/** `sluice serve`: watch policy files, compile them, serve the result over xDS, report status. */
import fs from 'node:fs';
import path from 'node:path';
import { startServe } from '../../controller/index.js';
import { createLogger, type LogLevel } from '../../telemetry/index.js';
import { parseCommandArgs, parseHostPort } from '../args.js';
import { EXIT, UsageError, type Command } from '../command.js';
import { packageRoot } from '../package-root.js';

const HELP = `Usage: sluice serve [--policies DIR] [--inventory FILE] [--xds-address HOST:PORT] [--admin-address HOST:PORT]

Watches policy files and the inventory, compiles them and serves the result over xDS (ADS, and
the LDS/RDS/CDS/EDS services) to Envoy proxies, proxyless gRPC services and Kafka enforcers.
An invalid edit is logged with its errors and the last good version of that policy stays
enforced. Without --policies and --inventory it serves the examples shipped with sluice.

Options:
  --policies DIR            policy files (*.yaml, *.yml, *.json; default: examples/policies)
  --inventory FILE          the Inventory (default: examples/inventory.yaml)
  --xds-address HOST:PORT   where the xDS server listens (default 127.0.0.1:18000)
  --admin-address HOST:PORT admin HTTP: /healthz /readyz /status /config_dump?node=ID /metrics
                            (default 127.0.0.1:9901)
  --log-level LEVEL         debug, info (default), warn or error; logs are JSON lines on stderr
  -h, --help                show this help

eBPF redirection (needs root, cgroup v2, bpffs; see sluice bpf load --help):
  --bpf-cgroup PATH         attach the redirect programs to this workload cgroup and keep their
                            maps in step with the compiled policies
  --bpf-pin-root DIR        where the programs and maps are pinned (default /sys/fs/bpf/sluice)
  --bpf-node ID             program only this node's entries (repeatable: the proxies on this
                            host, e.g. its Envoy and its Kafka enforcer; default all)
  --bpf-proxy-cgroup PATH   the proxy's cgroup: never redirected (repeatable)
  --bpf-inbound-iface IFACE steer inbound connections arriving on IFACE (repeatable)

Example:
  sluice serve --policies ./policies --inventory ./inventory.yaml --xds-address 0.0.0.0:18000
`;

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export const serveCommand: Command = {
  name: 'serve',
  summary: 'compile policy files and serve them over xDS; status, config dump and metrics over HTTP',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      policies: { type: 'string' },
      inventory: { type: 'string' },
      'xds-address': { type: 'string', default: '127.0.0.1:18000' },
      'admin-address': { type: 'string', default: '127.0.0.1:9901' },
      'log-level': { type: 'string', default: 'info' },
      'bpf-cgroup': { type: 'string' },
      'bpf-pin-root': { type: 'string' },
      'bpf-node': { type: 'string', multiple: true },
      'bpf-proxy-cgroup': { type: 'string', multiple: true },
      'bpf-inbound-iface': { type: 'string', multiple: true },
    });
    const level = values['log-level'] as LogLevel;
    if (!LEVELS.includes(level)) throw new UsageError(`--log-level: expected ${LEVELS.join(', ')}, got "${values['log-level']}"`);
    const examples = path.join(packageRoot(), 'examples');
    const policies = values.policies ?? path.join(examples, 'policies');
    const inventory = values.inventory ?? path.join(examples, 'inventory.yaml');
    for (const [flag, p, kind] of [['--policies', policies, 'directory'], ['--inventory', inventory, 'file']] as const) {
      const stat = fs.statSync(p, { throwIfNoEntry: false });
      if (!stat) throw new UsageError(`${flag}: ${p} does not exist`);
      if (kind === 'directory' ? !stat.isDirectory() : !stat.isFile()) throw new UsageError(`${flag}: ${p} is not a ${kind}`);
    }
    const bpfFlags = ['bpf-pin-root', 'bpf-node', 'bpf-proxy-cgroup', 'bpf-inbound-iface'] as const;
    const strayBpf = bpfFlags.find((f) => values[f] !== undefined);
    if (strayBpf && !values['bpf-cgroup']) throw new UsageError(`--${strayBpf} needs --bpf-cgroup`);
    const bpf = values['bpf-cgroup']
      ? {
          cgroup: values['bpf-cgroup'],
          ...(values['bpf-pin-root'] ? { pinRoot: values['bpf-pin-root'] } : {}),
          ...(values['bpf-node'] ? { nodes: values['bpf-node'] } : {}),
          ...(values['bpf-proxy-cgroup'] ? { proxyCgroups: values['bpf-proxy-cgroup'] } : {}),
          ...(values['bpf-inbound-iface'] ? { inboundInterfaces: values['bpf-inbound-iface'] } : {}),
        }
      : undefined;
    const logger = createLogger({ level, write: io.stderr });
    const serving = await startServe({
      policies,
      inventory,
      xds: parseHostPort('--xds-address', values['xds-address']),
      admin: parseHostPort('--admin-address', values['admin-address']),
      logger,
      ...(bpf ? { bpf } : {}),
    });
    const xdsHost = parseHostPort('--xds-address', values['xds-address']).host;
    const adminHost = parseHostPort('--admin-address', values['admin-address']).host;
    io.stdout(
      [
        `sluice serving ${policies} with inventory ${inventory}`,
        `  xDS (ADS)  ${xdsHost}:${serving.xdsPort}`,
        `  admin      http://${adminHost}:${serving.adminPort}/status  (/healthz /readyz /config_dump?node=ID /metrics)`,
        `  Envoy bootstrap: sluice bootstrap --node node-a --xds-address ${xdsHost}:${serving.xdsPort}`,
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    logger.info('stopping');
    await serving.close();
    return EXIT.ok;
  },
};
