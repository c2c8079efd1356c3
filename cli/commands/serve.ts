/** `sluice serve`: watch policy files, compile them, serve the result over xDS, report status. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MAX_DAYS, parseDuration } from '../../certs/index.js';
import { DEFAULT_RESCAN_MS, DEFAULT_TRUST_DOMAIN, defaultStateDir, findEnvoy, startServe, STATE_FILE, type Serving, type SupervisedEnvoyOptions } from '../../controller/index.js';
import { formatHostPort } from '../../ip/index.js';
import { createLogger, type LogLevel } from '../../telemetry/index.js';
import { parseCommandArgs, parseHostPort } from '../args.js';
import { FLOW_FLAGS, FLOW_HELP, flowOptions } from '../flow-flags.js';
import { EXIT, UsageError, type Command } from '../command.js';
import { packageRoot } from '../package-root.js';

const HELP = `Usage: sluice serve [--policies DIR]... [--inventory FILE] [--xds-address HOST:PORT] [--admin-address HOST:PORT] [--state-dir DIR] [--envoy [--envoy-bin PATH]] [--flow-... ]

Watches policy files and the inventory, compiles them and serves the result over xDS (ADS, and
the LDS/RDS/CDS/EDS services) to Envoy proxies, proxyless gRPC services and Kafka enforcers,
and collects their flows on the same port (Envoy's gRPC access log, the enforcers' pushes).
Without --policies and --inventory it serves the examples shipped with sluice.

Never fail open: a file that cannot be read, parsed or validated, or that is emptied, keeps
every policy it last produced in force from its last good version (state Stale in /status, with
the error and the file). A policy leaves only when its file is deleted or its document is
removed from a file that otherwise validates. The last good state is saved in the state
directory after each publish, so a restart with a broken file serves what was in force before.

Options:
  --policies DIR            policy files (*.yaml, *.yml, *.json, hidden entries skipped); repeat
                            for several directories (default: examples/policies)
  --inventory FILE          the Inventory (default: examples/inventory.yaml)
  --secrets DIR             secrets policies name for TLS and injected headers: DIR/<namespace>/<name>/
                            holds one file per key (tls.crt, tls.key, ca.crt, token); watched, and
                            a bad new version keeps the last good one (docs/tls.md)
  --ca-dir DIR              sluice's CA (sluice certs init --dir DIR): issues and renews the
                            certificates of terminatingTLS: { issue: true } for their serverNames
  --issue-days N            with --ca-dir: the validity of the certificates it issues (default 90;
                            never past the CA's)
  --renew-window DURATION   with --ca-dir: renew them this long before they expire, e.g. 30d or
                            1d12h (default 30d; a window not shorter than the validity is a third of it)
  --xds-address HOST:PORT   where the xDS server listens (default 127.0.0.1:18000)
  --xds-tls-cert FILE       mutual TLS on the xDS port: the server's certificate chain (PEM), with
  --xds-tls-key FILE        its private key and
  --xds-client-ca FILE      the CA proxies' client certificates must chain to; each stream's node
                            id must then be the spiffe://TRUST-DOMAIN/node/ID URI SAN of its
                            certificate (another id: PERMISSION_DENIED, logged)
  --trust-domain NAME       the SPIFFE trust domain of node identities (default sluice.local)
  --admin-address HOST:PORT admin HTTP: /healthz /readyz /status /config_dump?node=ID /metrics
                            /flows /map (default 127.0.0.1:9901; port 0 picks a free one, printed at start)
  --state-dir DIR           where the last good state is kept (default /var/lib/sluice as root,
                            else $XDG_STATE_HOME/sluice or ~/.local/state/sluice)
  --rescan-interval SECONDS the safety-net rescan of the sources, besides watching them
                            (default ${DEFAULT_RESCAN_MS / 1000})
  --log-level LEVEL         debug, info (default), warn or error; logs are JSON lines on stderr
  -h, --help                show this help

A local Envoy (the node agent of a single host):
  --envoy                   also run and supervise Envoy for the Envoy node(s) this host runs
                            (the --bpf-node ones, else every Envoy node of the inventory): its
                            bootstrap generated, restarted with back-off when it exits, its log in
                            this log, its admin on 127.0.0.1:15000 (+1 per further node) and its
                            state in /status; in the --bpf-proxy-cgroup when one is given
  --envoy-bin PATH          the Envoy binary (default: $ENVOY_BIN, the one .ci/deps/envoy.sh
                            installs, or envoy on the PATH)
  --envoy-admin-port PORT   the first Envoy's admin port on 127.0.0.1 (default 15000)

eBPF redirection (needs root, cgroup v2, bpffs; see sluice bpf load --help):
  --bpf-cgroup PATH         attach the redirect programs to this workload cgroup and keep their
                            maps in step with the compiled policies
  --bpf-pin-root DIR        where the programs and maps are pinned (default /sys/fs/bpf/sluice)
  --bpf-node ID             program only this node's entries (repeatable: the proxies on this
                            host, e.g. its Envoy and its Kafka enforcer; default all)
  --bpf-proxy-cgroup PATH   the proxy's cgroup: never redirected (repeatable)
  --bpf-inbound-iface IFACE steer inbound connections arriving on IFACE (repeatable)

${FLOW_HELP}

Example:
  sluice serve --policies ./policies --policies /etc/sluice/team-b --inventory ./inventory.yaml --xds-address 0.0.0.0:18000
`;

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** `--issue-days` and `--renew-window`, which only mean something with `--ca-dir`. */
function issueOptions(caDir: string | undefined, daysText: string | undefined, windowText: string | undefined): { days?: number; renewWindowMs?: number } | undefined {
  const stray = daysText !== undefined ? '--issue-days' : windowText !== undefined ? '--renew-window' : undefined;
  if (stray === undefined) return undefined;
  if (caDir === undefined) throw new UsageError(`${stray} needs --ca-dir`);
  if (daysText !== undefined && (!/^\d+$/.test(daysText) || Number(daysText) < 1 || Number(daysText) > MAX_DAYS)) throw new UsageError(`--issue-days: expected a whole number of days from 1 to ${MAX_DAYS}, got "${daysText}"`);
  const windowMs = windowText !== undefined ? parseDuration(windowText) : undefined;
  if (windowText !== undefined && !(windowMs !== undefined && windowMs > 0)) throw new UsageError(`--renew-window: expected a duration such as 30d, 12h or 1d12h, got "${windowText}"`);
  return { ...(daysText !== undefined ? { days: Number(daysText) } : {}), ...(windowMs !== undefined ? { renewWindowMs: windowMs } : {}) };
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'compile policy files and serve them over xDS; status, config dump and metrics over HTTP',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      policies: { type: 'string', multiple: true },
      inventory: { type: 'string' },
      secrets: { type: 'string' },
      'ca-dir': { type: 'string' },
      'issue-days': { type: 'string' },
      'renew-window': { type: 'string' },
      'xds-tls-cert': { type: 'string' },
      'xds-tls-key': { type: 'string' },
      'xds-client-ca': { type: 'string' },
      'trust-domain': { type: 'string' },
      'state-dir': { type: 'string' },
      'rescan-interval': { type: 'string' },
      'xds-address': { type: 'string', default: '127.0.0.1:18000' },
      'admin-address': { type: 'string', default: '127.0.0.1:9901' },
      'log-level': { type: 'string', default: 'info' },
      'bpf-cgroup': { type: 'string' },
      'bpf-pin-root': { type: 'string' },
      'bpf-node': { type: 'string', multiple: true },
      'bpf-proxy-cgroup': { type: 'string', multiple: true },
      'bpf-inbound-iface': { type: 'string', multiple: true },
      envoy: { type: 'boolean', default: false },
      'envoy-bin': { type: 'string' },
      'envoy-admin-port': { type: 'string' },
      ...FLOW_FLAGS,
    });
    const level = values['log-level'] as LogLevel;
    if (!LEVELS.includes(level)) throw new UsageError(`--log-level: expected ${LEVELS.join(', ')}, got "${values['log-level']}"`);
    const examples = path.join(packageRoot(), 'examples');
    const policies = policyDirs(values.policies ?? [path.join(examples, 'policies')]);
    const inventory = path.resolve(values.inventory ?? path.join(examples, 'inventory.yaml'));
    const stat = fs.statSync(inventory, { throwIfNoEntry: false });
    if (!stat) throw new UsageError(`--inventory: ${inventory} does not exist`);
    if (!stat.isFile()) throw new UsageError(`--inventory: ${inventory} is not a file`);
    const holder = policies.find((d) => inventory.startsWith(`${d}${path.sep}`));
    if (holder) throw new UsageError(`--inventory: ${inventory} is inside --policies ${holder}; it would be read twice`);
    const rescanSeconds = Number(values['rescan-interval'] ?? DEFAULT_RESCAN_MS / 1000);
    if (!(rescanSeconds > 0) || rescanSeconds > 3600) throw new UsageError(`--rescan-interval: expected seconds between 0 and 3600, e.g. 5 or 0.5, got "${values['rescan-interval'] ?? ''}"`);
    const stateDir = path.resolve(values['state-dir'] ?? defaultStateDir({ uid: process.getuid?.() ?? -1, home: os.homedir(), xdgStateHome: process.env.XDG_STATE_HOME }));
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
    const strayEnvoy = (['envoy-bin', 'envoy-admin-port'] as const).find((f) => values[f] !== undefined);
    if (strayEnvoy && !values.envoy) throw new UsageError(`--${strayEnvoy} needs --envoy`);
    let envoy: SupervisedEnvoyOptions | undefined;
    if (values.envoy) {
      const found = findEnvoy(values['envoy-bin']);
      if ('missing' in found) throw new UsageError(`--envoy: ${found.missing}`);
      const adminPort = Number(values['envoy-admin-port'] ?? 15000);
      if (!Number.isInteger(adminPort) || adminPort < 1 || adminPort > 65000) throw new UsageError(`--envoy-admin-port: expected a port, got "${values['envoy-admin-port'] ?? ''}"`);
      const cgroup = values['bpf-proxy-cgroup']?.[0];
      envoy = {
        binary: found.path,
        dir: path.join(stateDir, 'envoy'),
        adminPortBase: adminPort,
        logLevel: level === 'debug' ? 'info' : 'warning',
        ...(values['bpf-node'] ? { nodes: values['bpf-node'] } : {}),
        ...(cgroup ? { cgroup } : {}),
      };
    }
    const flows = await flowOptions(values);
    const logger = createLogger({ level, write: io.stderr });
    const secrets = values.secrets !== undefined ? path.resolve(values.secrets) : undefined;
    if (secrets !== undefined && !fs.statSync(secrets, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--secrets: ${secrets} is not a directory`);
    const issue = issueOptions(values['ca-dir'], values['issue-days'], values['renew-window']);
    const tlsFlags = [values['xds-tls-cert'], values['xds-tls-key'], values['xds-client-ca']];
    if (tlsFlags.some((f) => f !== undefined) && !tlsFlags.every((f) => f !== undefined)) throw new UsageError('--xds-tls-cert, --xds-tls-key and --xds-client-ca go together');
    if (values['trust-domain'] !== undefined && tlsFlags[0] === undefined) throw new UsageError('--trust-domain needs --xds-tls-cert, --xds-tls-key and --xds-client-ca');
    const xdsTls = values['xds-tls-cert'] !== undefined && values['xds-tls-key'] !== undefined && values['xds-client-ca'] !== undefined
      ? { cert: path.resolve(values['xds-tls-cert']), key: path.resolve(values['xds-tls-key']), clientCa: path.resolve(values['xds-client-ca']), trustDomain: values['trust-domain'] ?? DEFAULT_TRUST_DOMAIN }
      : undefined;
    const serving = await startServe({
      ...(xdsTls ? { xdsTls } : {}),
      policies,
      inventory,
      ...(secrets !== undefined ? { secrets } : {}),
      ...(values['ca-dir'] !== undefined ? { caDir: path.resolve(values['ca-dir']) } : {}),
      ...(issue ? { issue } : {}),
      stateDir,
      rescanMs: rescanSeconds * 1000,
      xds: parseHostPort('--xds-address', values['xds-address']),
      admin: parseHostPort('--admin-address', values['admin-address']),
      logger,
      ...(bpf ? { bpf } : {}),
      ...(envoy ? { envoy } : {}),
      flows,
    }).catch((error: unknown) => {
      // The log gets the error in full (an EnvironmentError's code, details such as libbpf's lines, cause).
      logger.error('sluice serve cannot start', { error });
      throw error;
    });
    const xds = formatHostPort(parseHostPort('--xds-address', values['xds-address']).host, serving.xdsPort);
    const admin = `http://${formatHostPort(parseHostPort('--admin-address', values['admin-address']).host, serving.adminPort)}`;
    io.stdout(
      [
        `sluice serving ${policies.join(', ')} with inventory ${inventory}`,
        `  xDS (ADS)  ${xds}`,
        `  admin      ${admin}/status  (/healthz /readyz /config_dump?node=ID /metrics)`,
        `  flows      ${admin}/flows  map: ${admin}/map  (sluice observe --server ${admin} --follow)`,
        `  state      ${path.join(stateDir, STATE_FILE)}`,
        ...proxyHints(serving, xds),
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

/** How to run each proxy the inventory names (or where the supervised Envoy is). */
function proxyHints(serving: Serving, xds: string): string[] {
  const supervised = new Map((serving.envoys?.status() ?? []).map((e) => [e.node, e]));
  return (serving.runtime.state().output?.nodes ?? []).map((n) => {
    const local = supervised.get(n.node);
    if (local) return `  Envoy      ${n.node}: running (pid ${local.pid ?? '?'}), admin http://${local.admin}/`;
    return n.kind === 'envoy' ? `  Envoy      ${n.node}: sluice bootstrap --node ${n.node} --xds-address ${xds} > envoy.yaml && envoy -c envoy.yaml` : `  Kafka      ${n.node}: sluice kafka-proxy --node ${n.node} --xds-address ${xds} --listen HOST:PORT`;
  });
}

/** The policy directories, absolute (state entries name files by path): each must exist, none twice, none inside another. */
function policyDirs(given: readonly string[]): string[] {
  const dirs: string[] = [];
  for (const p of given.map((g) => path.resolve(g))) {
    const stat = fs.statSync(p, { throwIfNoEntry: false });
    if (!stat) throw new UsageError(`--policies: ${p} does not exist`);
    if (!stat.isDirectory()) throw new UsageError(`--policies: ${p} is not a directory`);
    const overlap = dirs.find((d) => d === p || p.startsWith(`${d}${path.sep}`) || d.startsWith(`${p}${path.sep}`));
    if (overlap) throw new UsageError(`--policies: ${p} ${overlap === p ? 'is given twice' : `overlaps ${overlap}`}: every file must come from one directory`);
    dirs.push(p);
  }
  return dirs;
}
