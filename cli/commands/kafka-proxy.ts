/** `sluice kafka-proxy`: the Kafka-aware enforcing proxy, configured over xDS (or from a rules file). */
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { formatHostPort } from '../../ip/index.js';
import { parseCommandArgs, parseHostPort } from '../args.js';
import { EXIT, UsageError, type Command } from '../command.js';
import { createLogger, Registry, type LogLevel } from '../../telemetry/index.js';
import { formatDiagnostic } from '../../problems/index.js';
import {
  KafkaProxy, KafkaXdsClient, PolicyStore, proxyMetrics, startAdmin, validateKafkaPolicy, DEFAULTS,
  type HostPort, type KafkaFlowEvent, type KafkaPolicyJson,
} from '../../kafka-proxy/index.js';
import { originalDestination } from '../../bpf/index.js';
import { FlowPusher, kafkaFlow } from '../../flows/index.js';

const HELP = `Usage: sluice kafka-proxy --node ID --xds-address HOST:PORT --listen HOST:PORT [--upstream HOST:PORT] [options]

Relays Kafka traffic and enforces sluice's Kafka rules (rules.kafka / deny.kafka of L7Policy),
received from sluice's xDS server as sluice.kafka.v1alpha1.KafkaPolicy resources over ADS.
Denied topics, groups and transactional ids get the error a broker would send
(TOPIC_/GROUP_/TRANSACTIONAL_ID_/CLUSTER_AUTHORIZATION_FAILED); what the proxy cannot decode is
never forwarded. Connections are refused until the first rules arrive.

Modes:
  --upstream HOST:PORT   fixed upstream: clients bootstrap at --listen; broker addresses in
                         Metadata/FindCoordinator/DescribeCluster answers are rewritten to proxy
                         listeners (one per broker, opened on first sight)
  (no --upstream)        transparent: connections redirected to --listen (iptables REDIRECT or
                         sluice's eBPF redirect) go to their original destination

Options:
  --node ID                 xDS node id (the proxy's identity in policies' status)
  --xds-address HOST:PORT   sluice's xDS server
  --tls-cert FILE           mutual TLS to it (serve --xds-tls-cert ...): the enforcer's client
  --tls-key FILE            certificate (URI SAN spiffe://TRUST-DOMAIN/node/ID), its key, and
  --ca FILE                 the CA the server's certificate must chain to; flows are pushed the same way
  --rules FILE              instead of xDS: a JSON array of KafkaPolicy resources (JSON form)
  --listen HOST:PORT        where clients connect (or are redirected to)
  --advertised-host HOST    host written into rewritten broker addresses (default: listen host)
  --admin HOST:PORT         admin endpoint: GET /metrics, GET /healthz (default 127.0.0.1:9911; Envoy's admin is 9901)
  --max-frame-bytes N       largest request or response frame accepted (default ${DEFAULTS.maxFrameBytes})
  --max-in-flight N         requests awaiting answers per connection before reading pauses (default ${DEFAULTS.maxInFlight})
  --frame-timeout-ms N      an incomplete request frame older than this closes the connection (default ${DEFAULTS.frameTimeoutMs})
  --flow-log all|deny|none  which decisions are written to the log as flow records (default all)
  --flows-address HOST:PORT where every decision is pushed as a flow (sluice serve's xDS address,
                            which collects them for /flows, /map and audit reports); default the
                            --xds-address, "none" to push nowhere. Never slows the relay: past a
                            bounded buffer flows are dropped and counted (sluice_kafka_flows_total)
  --uncovered deny|allow    traffic to a broker no policy covers: denied (default) or let through
  --log-level LEVEL         debug, info, warn, error (default info)
  -h, --help                show this help

Example:
  sluice kafka-proxy --node kafka-a --xds-address 127.0.0.1:18000 --listen 127.0.0.1:19092 --upstream 10.0.0.5:9092
`;

function positiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag}: expected a positive integer, got "${value}"`);
  return n;
}

/** The real original destination (SO_ORIGINAL_DST), refusing connections that were not redirected. */
function redirectedDestination(socket: Socket): HostPort | undefined {
  const dest = originalDestination(socket);
  if (dest.address === socket.localAddress && dest.port === socket.localPort) return undefined;
  return { host: dest.address, port: dest.port };
}

export const kafkaProxyCommand: Command = {
  name: 'kafka-proxy',
  summary: 'run the Kafka-aware enforcing proxy (rules from the xDS server)',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      node: { type: 'string' }, 'xds-address': { type: 'string' }, rules: { type: 'string' },
      listen: { type: 'string' }, upstream: { type: 'string' }, 'advertised-host': { type: 'string' },
      admin: { type: 'string', default: '127.0.0.1:9911' }, 'max-frame-bytes': { type: 'string' },
      'max-in-flight': { type: 'string' }, 'frame-timeout-ms': { type: 'string' },
      'flow-log': { type: 'string', default: 'all' }, 'log-level': { type: 'string', default: 'info' },
      uncovered: { type: 'string', default: 'deny' }, 'flows-address': { type: 'string' },
      'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, ca: { type: 'string' },
    });
    const credentials = channelCredentials(values['tls-cert'], values['tls-key'], values.ca);
    if (!values.listen) throw new UsageError('--listen is required');
    if (!values['xds-address'] && !values.rules) throw new UsageError('give --xds-address (with --node) or --rules');
    if (values['xds-address'] && !values.node) throw new UsageError('--node is required with --xds-address');
    const flowLog = values['flow-log'];
    if (flowLog !== 'all' && flowLog !== 'deny' && flowLog !== 'none') throw new UsageError(`--flow-log: expected all, deny or none, got "${flowLog}"`);
    const uncovered = values.uncovered;
    if (uncovered !== 'deny' && uncovered !== 'allow') throw new UsageError(`--uncovered: expected deny or allow, got "${uncovered}"`);
    const level = values['log-level'];
    if (!['debug', 'info', 'warn', 'error'].includes(level ?? '')) throw new UsageError(`--log-level: unknown level "${level}"`);
    const listen = parseHostPort('--listen', values.listen);
    const upstream = values.upstream ? parseHostPort('--upstream', values.upstream) : undefined;
    const admin = parseHostPort('--admin', values.admin ?? '127.0.0.1:9911');
    const flowsAddress = values['flows-address'] ?? values['xds-address'];
    if (flowsAddress !== undefined && flowsAddress !== 'none') parseHostPort('--flows-address', flowsAddress);

    const logger = createLogger({ level: level as LogLevel, write: (line) => io.stderr(line) }, { component: 'kafka-proxy', node: values.node ?? '' });
    const registry = new Registry();
    const store = new PolicyStore();
    if (values.rules) {
      const json = JSON.parse(readFileSync(values.rules, 'utf8')) as KafkaPolicyJson[];
      const results = (Array.isArray(json) ? json : [json]).map((p, i) => validateKafkaPolicy(p, `${values.rules}[${i}]`));
      const problems = results.flatMap((r) => r.problems);
      if (problems.length > 0) {
        for (const p of problems) io.stderr(`${formatDiagnostic(p, 'brief')}\n`);
        return EXIT.invalid;
      }
      store.set(results.map((r) => r.policy), 'file');
    }
    const node = values.node ?? '';
    const pusher = flowsAddress !== undefined && flowsAddress !== 'none' ? new FlowPusher({ address: flowsAddress, ...(credentials ? { credentials } : {}) }) : undefined;
    if (pusher) {
      const pushed = registry.counter(
        'sluice_kafka_flows_total',
        'Flows for the collector (--flows-address), by outcome: written (to a stream), dropped (buffer full), accepted or refused (as the collector confirmed), unconfirmed (their stream failed)',
      );
      registry.onCollect(() => {
        for (const [outcome, value] of Object.entries(pusher.counts)) pushed.set(value, { outcome });
      });
    }
    const proxy = new KafkaProxy({
      listen, store, logger, metrics: proxyMetrics(registry), flowLog, uncovered,
      ...(pusher ? { flowSink: (event: KafkaFlowEvent) => pusher.offer(kafkaFlow({ ...event, node, direction: 'ingress' })) } : {}),
      ...(upstream ? { upstream } : { originalDestination: redirectedDestination }),
      ...(values['advertised-host'] ? { advertisedHost: values['advertised-host'] } : {}),
      maxFrameBytes: positiveInt('--max-frame-bytes', values['max-frame-bytes'], DEFAULTS.maxFrameBytes),
      maxInFlight: positiveInt('--max-in-flight', values['max-in-flight'], DEFAULTS.maxInFlight),
      frameTimeoutMs: positiveInt('--frame-timeout-ms', values['frame-timeout-ms'], DEFAULTS.frameTimeoutMs),
    });
    const xds = values['xds-address']
      ? new KafkaXdsClient({ address: values['xds-address'], nodeId: values.node ?? '', store, logger, ...(credentials ? { credentials } : {}) })
      : undefined;
    const bound = await proxy.start();
    const adminServer = await startAdmin(admin.host, admin.port, registry, () => ({
      ready: store.ready, rulesVersion: store.version, policies: store.all().map((p) => p.name),
      xds: xds ? { connected: xds.connected, last: xds.last ?? null } : null, connections: proxy.activeConnections,
    }));
    xds?.start();
    io.stdout(`${JSON.stringify({ listening: formatHostPort(bound.host, bound.port), admin: formatHostPort(admin.host, adminServer.port), mode: upstream ? 'fixed-upstream' : 'transparent' })}\n`);
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      else io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    xds?.stop();
    await proxy.close();
    await pusher?.close();
    await new Promise<void>((resolve) => adminServer.server.close(() => resolve()));
    return EXIT.ok;
  },
};

/** Mutual TLS to sluice's xDS server from `--tls-cert --tls-key --ca` (all three or none). */
function channelCredentials(cert: string | undefined, key: string | undefined, ca: string | undefined): grpc.ChannelCredentials | undefined {
  const given = [cert, key, ca].filter((f) => f !== undefined).length;
  if (given === 0) return undefined;
  if (cert === undefined || key === undefined || ca === undefined) throw new UsageError('--tls-cert, --tls-key and --ca go together');
  return grpc.credentials.createSsl(readFileSync(ca), readFileSync(key), readFileSync(cert));
}
