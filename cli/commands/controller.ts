/** `sluice controller`: the policy runtime fed from the Kubernetes API; several replicas serve xDS, the Lease holder writes status. */
import fs from 'node:fs';
import os from 'node:os';
import { formatHostPort } from '../../ip/index.js';
import { DEFAULT_MIN_AUDIT_MS, DEFAULT_SIDECAR, inClusterKubeApi, kubeApiFromKubeconfig, PATHS, type KubeApi } from '../../k8s/admission/index.js';
import { DEFAULT_CA_SECRET, DEFAULT_LEASE, DEFAULT_TLS_SECRET, DEFAULT_WEBHOOK_SERVICE, kubeConfigFrom, startController } from '../../k8s/controller/index.js';
import { createLogger } from '../../telemetry/index.js';
import { parseCommandArgs, parseDurationFlag, parseHostPort, parseLogLevel } from '../args.js';
import { FLOW_FLAGS, FLOW_HELP, flowOptions } from '../flow-flags.js';
import { EXIT, UsageError, type Command } from '../command.js';

const HELP = `Usage: sluice controller (--kubeconfig FILE | --in-cluster) [options]

Serves the L7Policy resources of a cluster over xDS (docs/kubernetes.md). Informers on L7Policy,
Pods, Services, EndpointSlices and Namespaces (and the Secrets policies reference, only those)
build the compiler's inventory; the same runtime as \`sluice serve\` compiles it, keeps the last
good version of each policy and serves the proxies. Run several replicas: each serves xDS from
its own informers; the one that holds the Lease writes L7Policy status (Accepted, Enforced n/m,
Rejected with the NACK and the node) and keeps the webhooks' caBundle current.

While the API server cannot be reached, a replica keeps serving its last good configuration and
says so in /readyz and /status; a broken watch resumes from its resourceVersion, or relists.

Options:
  --kubeconfig FILE         the API server (the current context)
  --in-cluster              the API server through the Pod's service account
  --xds-address HOST:PORT   where the xDS server listens (default 0.0.0.0:18000)
  --admin-address HOST:PORT /healthz /readyz /status /config_dump?node=ID /metrics /xds/nodes /flows
                            (default 0.0.0.0:9901)
  --identity NAME           this replica in the Lease (default $POD_NAME, else the host name)
  --namespace NS            where the Lease and the controller's Service are (default $POD_NAMESPACE,
                            else sluice-system)
  --lease NAME              the Lease (default ${DEFAULT_LEASE})
  --lease-duration DURATION how long a Lease not renewed holds (default 15s)
  --peer-service NAME       the Service whose EndpointSlices list the replicas (port "admin"):
                            the leader reads the other replicas' proxies there, the rollout guard
                            their would-deny flows (default sluice-controller)
  --ca-bundle FILE          the leader keeps the webhook configurations' caBundle equal to FILE (PEM),
                            read again every 30s (a mounted Secret's ca.crt)
  --webhook-certificates controller|external
                            also serve the admission webhooks (as sluice webhook), validating against
                            this replica's informers (the inventory and policies its xDS comes from).
                            controller: the leader keeps a CA in the Secret --webhook-ca-secret, issues
                            the serving certificate for --webhook-service into --webhook-tls-secret,
                            renews it and rotates the CA before they expire, and keeps the caBundle
                            current; every replica serves that Secret, read through the API every 5s.
                            external: with --webhook-tls-dir (the default when it is given)
  --webhook-tls-dir DIR     external certificates: serve the webhooks from DIR's tls.crt and tls.key
                            (a mounted TLS Secret someone else issues, read again every 10s)
  --webhook-tls-secret NAME controller certificates: the serving Secret (default ${DEFAULT_TLS_SECRET})
  --webhook-ca-secret NAME  controller certificates: the CA Secret (default ${DEFAULT_CA_SECRET})
  --webhook-service NAME    controller certificates: the webhooks' Service in --namespace, which the
                            certificate names in every form (default ${DEFAULT_WEBHOOK_SERVICE})
  --cluster-domain DOMAIN   controller certificates: the cluster's DNS domain (default cluster.local)
  --webhook-listen HOST:PORT  where the webhooks listen (default 0.0.0.0:9443)
  --audit-for DURATION      webhooks' rollout guard: audit time before enforce (default 24h); the
                            would-deny flows are every replica's (one that does not answer refuses)
  --sidecar-xds-address HOST:PORT  webhooks: the xDS service injected sidecars use
                            (default ${formatHostPort(DEFAULT_SIDECAR.xds.host, DEFAULT_SIDECAR.xds.port)})
  --proxy-image IMAGE       webhooks: the sidecar's Envoy image (default ${DEFAULT_SIDECAR.image})
  --state-dir DIR           where the last good state is kept across restarts (default: not kept)
  --status-qps N            L7Policy status writes per second, all policies together (default 20)
  --disconnect-grace DURATION  how long a disconnected proxy's ACKs still count (default 15s)
  --inbound-port PORT       every Envoy's inbound listener (default 15006)
  --outbound-port PORT      every Envoy's outbound listener (default 15001)
  --steering agents|external  who steers the Pods' traffic into the proxies. agents (default): sluice's
                            node agents (sluice node-agent, the chart's DaemonSet): Enforced also waits
                            for the node's agent to ACK its redirects, and inbound rules of Pods (which
                            nothing steers yet) are Bypassed. external: something else does (an iptables
                            init container, a CNI), and Enforced means every proxy ACKed
  --log-level LEVEL         debug, info (default), warn or error; JSON lines on stderr
  -h, --help                show this help

${FLOW_HELP}
Example:
  sluice controller --kubeconfig ~/.kube/config --xds-address 127.0.0.1:18000 --admin-address 127.0.0.1:9901
`;

function port(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError(`${flag}: expected a port, got "${text}"`);
  return n;
}

export const controllerCommand: Command = {
  name: 'controller',
  summary: 'serve the cluster\'s L7Policy resources over xDS; the leader writes their status (Kubernetes)',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      kubeconfig: { type: 'string' }, 'in-cluster': { type: 'boolean', default: false },
      'xds-address': { type: 'string', default: '0.0.0.0:18000' }, 'admin-address': { type: 'string', default: '0.0.0.0:9901' },
      identity: { type: 'string' }, namespace: { type: 'string' }, lease: { type: 'string', default: DEFAULT_LEASE },
      'lease-duration': { type: 'string', default: '15s' }, 'peer-service': { type: 'string', default: 'sluice-controller' },
      'ca-bundle': { type: 'string' }, 'state-dir': { type: 'string' }, 'status-qps': { type: 'string', default: '20' },
      'disconnect-grace': { type: 'string', default: '15s' }, 'inbound-port': { type: 'string' }, 'outbound-port': { type: 'string' },
      'log-level': { type: 'string', default: 'info' }, steering: { type: 'string', default: 'agents' },
      'webhook-tls-dir': { type: 'string' }, 'webhook-listen': { type: 'string', default: '0.0.0.0:9443' },
      'webhook-certificates': { type: 'string' }, 'webhook-tls-secret': { type: 'string' }, 'webhook-ca-secret': { type: 'string' },
      'webhook-service': { type: 'string' }, 'cluster-domain': { type: 'string' },
      'audit-for': { type: 'string' }, 'sidecar-xds-address': { type: 'string' }, 'proxy-image': { type: 'string' },
      ...FLOW_FLAGS,
    });
    if (!values.kubeconfig === !values['in-cluster']) throw new UsageError('give one of --kubeconfig FILE and --in-cluster');
    const level = parseLogLevel(values['log-level']);
    const steering = values.steering;
    if (steering !== 'agents' && steering !== 'external') throw new UsageError(`--steering: expected agents or external, got "${steering}"`);
    const qps = Number(values['status-qps']);
    if (!(qps > 0) || qps > 1000) throw new UsageError(`--status-qps: expected a number of writes per second between 0 and 1000, got "${values['status-qps']}"`);
    const inbound = port('--inbound-port', values['inbound-port']);
    const outbound = port('--outbound-port', values['outbound-port']);
    const xdsAddress = parseHostPort('--xds-address', values['xds-address']);
    const adminAddress = parseHostPort('--admin-address', values['admin-address']);
    const caBundle = values['ca-bundle'];
    const mode = values['webhook-certificates'] ?? (values['webhook-tls-dir'] !== undefined ? 'external' : undefined);
    if (mode !== undefined && mode !== 'controller' && mode !== 'external') throw new UsageError(`--webhook-certificates: expected controller or external, got "${mode}"`);
    if (mode === 'external' && values['webhook-tls-dir'] === undefined) throw new UsageError('--webhook-certificates external needs --webhook-tls-dir DIR');
    if (mode === 'controller' && values['webhook-tls-dir'] !== undefined) throw new UsageError('--webhook-tls-dir is for external certificates: with --webhook-certificates controller the leader issues them');
    if (mode === 'controller' && caBundle !== undefined) throw new UsageError('--ca-bundle is for external certificates: with --webhook-certificates controller the leader publishes its own CA');
    const strayIssue = (['webhook-tls-secret', 'webhook-ca-secret', 'webhook-service', 'cluster-domain'] as const).find((f) => values[f] !== undefined);
    if (strayIssue && mode !== 'controller') throw new UsageError(`--${strayIssue} needs --webhook-certificates controller`);
    const strayWebhook = (['audit-for', 'sidecar-xds-address', 'proxy-image'] as const).find((f) => values[f] !== undefined);
    if (strayWebhook && mode === undefined) throw new UsageError(`--${strayWebhook} needs --webhook-certificates controller or --webhook-tls-dir`);
    const webhook = mode !== undefined
      ? {
          listen: parseHostPort('--webhook-listen', values['webhook-listen']),
          ...(mode === 'controller'
            ? {
                issue: {
                  ...(values['webhook-tls-secret'] ? { tlsSecret: values['webhook-tls-secret'] } : {}),
                  ...(values['webhook-ca-secret'] ? { caSecret: values['webhook-ca-secret'] } : {}),
                  ...(values['webhook-service'] ? { service: values['webhook-service'] } : {}),
                  ...(values['cluster-domain'] ? { clusterDomain: values['cluster-domain'] } : {}),
                },
              }
            : { tlsDir: values['webhook-tls-dir'] }),
          rollout: { minAuditMs: values['audit-for'] ? parseDurationFlag('--audit-for', values['audit-for']) : DEFAULT_MIN_AUDIT_MS },
          sidecar: {
            ...(values['sidecar-xds-address'] ? { xds: parseHostPort('--sidecar-xds-address', values['sidecar-xds-address']) } : {}),
            ...(values['proxy-image'] ? { image: values['proxy-image'] } : {}),
          },
        }
      : undefined;
    let api: KubeApi;
    let kubeconfigText: string | undefined;
    if (values.kubeconfig) {
      kubeconfigText = fs.readFileSync(values.kubeconfig, 'utf8');
      api = kubeApiFromKubeconfig(kubeconfigText, values.kubeconfig);
    } else api = inClusterKubeApi(process.env, (f) => fs.readFileSync(f, 'utf8'));
    const flows = await flowOptions(values);
    const logger = createLogger({ level, write: io.stderr });
    const controller = await startController({
      api,
      kubeconfig: kubeConfigFrom(kubeconfigText !== undefined ? { kind: 'text', text: kubeconfigText } : { kind: 'in-cluster' }),
      xds: xdsAddress,
      admin: adminAddress,
      logger,
      identity: values.identity ?? process.env['POD_NAME'] ?? os.hostname(),
      namespace: values.namespace ?? process.env['POD_NAMESPACE'] ?? 'sluice-system',
      leaseName: values.lease,
      leaseDurationMs: parseDurationFlag('--lease-duration', values['lease-duration']),
      peerService: values['peer-service'],
      ...(process.env['POD_IP'] ? { advertise: { host: process.env['POD_IP'], port: adminAddress.port } } : {}),
      ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}),
      status: { qps, burst: Math.max(1, Math.round(qps * 2)) },
      disconnectGraceMs: parseDurationFlag('--disconnect-grace', values['disconnect-grace']),
      ...(inbound !== undefined || outbound !== undefined ? { proxyPorts: { inboundPort: inbound ?? 15006, outboundPort: outbound ?? 15001 } } : {}),
      ...(caBundle ? { webhookCa: { read: () => readOptional(caBundle) } } : {}),
      ...(webhook ? { webhook } : {}),
      nodeAgents: steering === 'agents',
      flows,
    }).catch((error: unknown) => {
      logger.error('sluice controller cannot start', { error });
      throw error;
    });
    io.stdout([
      `sluice controller (${api.server})`,
      `  xDS (ADS)  ${formatHostPort(xdsAddress.host, controller.xdsPort)}`,
      `  admin      http://${formatHostPort(adminAddress.host, controller.adminPort)}/status  (/healthz /readyz /config_dump?node=ID /metrics /xds/nodes)`,
      ...(controller.webhookPort !== undefined ? [`  webhooks   https://${formatHostPort(webhook?.listen.host ?? '', controller.webhookPort)} (${Object.values(PATHS).join(' ')})`] : []),
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'));
    await new Promise<void>((resolve) => (io.signal.aborted ? resolve() : io.signal.addEventListener('abort', () => resolve(), { once: true })));
    logger.info('stopping');
    await controller.close({ release: true });
    return EXIT.ok;
  },
};

function readOptional(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
