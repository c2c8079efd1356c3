/** `sluice webhook`: the admission webhooks (L7Policy validation, the rollout guard, Pod mutation) as a process of their own. */
import { defaultEnv } from '../../certs/index.js';
import { formatHostPort } from '../../ip/index.js';
import { DEFAULT_MIN_AUDIT_MS, DEFAULT_SIDECAR, PATHS, serviceNames, startStandalone, StandaloneError, type StandaloneConfig } from '../../k8s/admission/index.js';
import { createLogger } from '../../telemetry/index.js';
import { parseCommandArgs, parseDurationFlag, parseHostPort, parseLogLevel } from '../args.js';
import { EXIT, UsageError, type Command } from '../command.js';

const HELP = `Usage: sluice webhook --inventory FILE (--tls-dir DIR | --ca-dir DIR) [options]

Serves sluice's Kubernetes admission webhooks over HTTPS (docs/kubernetes.md):
  ${PATHS.validatePolicy}          L7Policy: validated and compiled as by sluice validate/compile; warnings for risky ones
  ${PATHS.rolloutGuard}  L7Policy in namespaces labelled sluice.dev/rollout=audit-first: audit before enforce
  ${PATHS.podsSidecar}          Pods: the Envoy sidecar (namespaces labelled sluice.dev/inject=sidecar)
  ${PATHS.podsNode}             Pods: marked for the node proxy (sluice.dev/inject=node)
  ${PATHS.podsLabelled}         Pods labelled sluice.dev/inject themselves
The webhook configurations to register are in deploy/webhooks/.

Options:
  --listen HOST:PORT        where to serve (default 0.0.0.0:9443)
  --tls-dir DIR             serve DIR's tls.crt and tls.key (sluice certs issue, or a mounted TLS Secret),
                            read again every --reload-interval and served without a restart when they change;
                            its ca.crt is the caBundle
  --ca-dir DIR              instead: issue the serving certificate from the CA in DIR (sluice certs init) and
                            renew it 10 days before its end (30-day certificates)
  --service NAME.NAMESPACE  with --ca-dir: the Service the certificate is for (default sluice-webhook.sluice-system)
  --ip IP                   with --ca-dir: an IP address the certificate is for as well (repeat)
  --inventory FILE          the inventory policies are compiled against (read on every request)
  --policies DIR            policy files a new policy is compared with, for shadowing warnings (repeat)
  --kubeconfig FILE         the API server (token and inline CA): its stored policies count too
  --in-cluster              the API server through the Pod's service account
  --sync-ca-bundle          keep the caBundle of the sluice-l7policies and sluice-pods configurations current
  --audit-for DURATION      rollout guard: how long a policy runs in audit before it may enforce (default 24h)
  --xds-address HOST:PORT   sidecar: sluice's xDS service (default ${formatHostPort(DEFAULT_SIDECAR.xds.host, DEFAULT_SIDECAR.xds.port)})
  --proxy-image IMAGE       sidecar: the Envoy image (default ${DEFAULT_SIDECAR.image})
  --reload-interval DURATION  how often the certificate is checked (default 10s)
  --log-level LEVEL         debug (every admission with its duration), info, warn, error (default info)
  -h, --help                show this help

Example:
  sluice certs init --dir ca && sluice webhook --ca-dir ca --ip 127.0.0.1 --inventory examples/inventory.yaml --listen 127.0.0.1:9443
`;


function serviceFlag(text: string): { service: string; namespace: string } {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/.exec(text);
  if (!m?.[1] || !m[3]) throw new UsageError(`--service: expected NAME.NAMESPACE (for example sluice-webhook.sluice-system), got "${text}"`);
  return { service: m[1], namespace: m[3] };
}

export const webhookCommand: Command = {
  name: 'webhook',
  summary: 'serve the Kubernetes admission webhooks (policy validation, rollout guard, Pod injection)',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      listen: { type: 'string', default: '0.0.0.0:9443' }, 'tls-dir': { type: 'string' }, 'ca-dir': { type: 'string' },
      service: { type: 'string', default: 'sluice-webhook.sluice-system' }, ip: { type: 'string', multiple: true, default: [] },
      inventory: { type: 'string' }, policies: { type: 'string', multiple: true, default: [] },
      kubeconfig: { type: 'string' }, 'in-cluster': { type: 'boolean', default: false }, 'sync-ca-bundle': { type: 'boolean', default: false },
      'audit-for': { type: 'string' }, 'xds-address': { type: 'string' }, 'proxy-image': { type: 'string' },
      'reload-interval': { type: 'string', default: '10s' }, 'log-level': { type: 'string', default: 'info' },
    });
    if (!values.inventory) throw new UsageError('--inventory FILE is required');
    if ((values['tls-dir'] === undefined) === (values['ca-dir'] === undefined)) throw new UsageError('give one of --tls-dir DIR and --ca-dir DIR');
    if (values.kubeconfig && values['in-cluster']) throw new UsageError('give --kubeconfig or --in-cluster, not both');
    const level = parseLogLevel(values['log-level']);
    const { service, namespace } = serviceFlag(values.service);
    const tls: StandaloneConfig['tls'] = values['tls-dir'] !== undefined ? { kind: 'dir', dir: values['tls-dir'] } : { kind: 'ca', dir: values['ca-dir'] ?? '', names: serviceNames(service, namespace, 'cluster.local', values.ip) };
    const config: StandaloneConfig = {
      listen: parseHostPort('--listen', values.listen),
      tls,
      inventory: values.inventory,
      policyDirs: values.policies,
      ...(values.kubeconfig ? { api: { kind: 'kubeconfig' as const, file: values.kubeconfig } } : values['in-cluster'] ? { api: { kind: 'in-cluster' as const } } : {}),
      syncCaBundle: values['sync-ca-bundle'],
      reloadIntervalMs: parseDurationFlag('--reload-interval', values['reload-interval']),
      deps: {
        rollout: { now: () => Date.now(), minAuditMs: values['audit-for'] ? parseDurationFlag('--audit-for', values['audit-for']) : DEFAULT_MIN_AUDIT_MS },
        sidecar: {
          ...(values['xds-address'] ? { xds: parseHostPort('--xds-address', values['xds-address']) } : {}),
          ...(values['proxy-image'] ? { image: values['proxy-image'] } : {}),
        },
      },
    };
    const logger = createLogger({ level, write: io.stderr });
    const stop = new AbortController();
    let server;
    try {
      server = await startStandalone(config, defaultEnv(), logger, stop.signal);
    } catch (error) {
      stop.abort();
      if (error instanceof StandaloneError) {
        io.stderr(`sluice webhook: ${error.message}\n`);
        return EXIT.invalid;
      }
      throw error;
    }
    io.stdout(`sluice webhook serving ${server.url} (${Object.values(PATHS).join(' ')})\n`);
    await new Promise<void>((resolve) => (io.signal.aborted ? resolve() : io.signal.addEventListener('abort', () => resolve(), { once: true })));
    stop.abort();
    await server.close();
    return EXIT.ok;
  },
};
