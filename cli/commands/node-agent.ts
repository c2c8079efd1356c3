/** `sluice node-agent`: programs this node's eBPF redirects from the controller's NodeRedirects (Kubernetes DaemonSet). */
import * as grpc from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { familyOf, formatHostPort, parseIp } from '../../ip/index.js';
import { BpfError, DEFAULT_PIN_ROOT } from '../../bpf/index.js';
import { NodeAgent, startAgentAdmin } from '../../node-agent/index.js';
import { createLogger, Registry } from '../../telemetry/index.js';
import { parseCommandArgs, parseDurationFlag, parseHostPort, parseLogLevel } from '../args.js';
import { EXIT, UsageError, type Command } from '../command.js';

const HELP = `Usage: sluice node-agent --node NAME --xds-address HOST:PORT [options]

Programs this node's eBPF redirects from sluice's controller (docs/kubernetes.md, "The node
agent"). It attaches the programs (idempotently, as \`sluice bpf load\`) to the kubelet's kubepods
cgroup, subscribes over ADS as \`<node>.agent\` to the node's
sluice.redirect.v1alpha1.NodeRedirects, resolves each Pod UID to the Pod's cgroup (kubelet's
systemd or cgroupfs layout), registers proxy cgroups (this agent Pod's containers; the sidecars
the controller names), and syncs the maps by difference. A bad update is NACKed with the field
paths and changes no map. While the controller is away the pinned maps keep their entries.

Options:
  --node NAME               this node (the downward API's spec.nodeName); default $NODE_NAME
  --xds-address HOST:PORT   sluice's xDS service
  --tls-cert FILE           mutual TLS to it: the agent's client certificate, its key, and the CA
  --tls-key FILE            the server's certificate must chain to (all three, or none)
  --ca FILE
  --node-address IP[,IP]    where Pods reach this node's proxies, one address per family (the
                            downward API's status.hostIPs, comma-separated; or repeat the flag);
                            default $HOST_IPS, else $HOST_IP. Pods have network namespaces of
                            their own: 127.0.0.1 there is the Pod's own loopback
  --cgroup-root DIR         the host's cgroup v2 hierarchy as this process sees it (default /sys/fs/cgroup)
  --attach-cgroup DIR       where the programs attach (default DIR/kubepods.slice, else DIR/kubepods)
  --pod-uid UID             this agent's own Pod (the downward API's metadata.uid; default $POD_UID):
                            its containers are proxy cgroups. Without it, from /proc/self/cgroup
                            (which a private cgroup namespace hides)
  --pin-root DIR            default ${DEFAULT_PIN_ROOT}
  --inbound-iface NAME      steer new inbound connections arriving on NAME only (repeatable)
  --proxy-mark N            sockets with this SO_MARK are the proxy's and never redirected
  --sidecar-inbound-port N  the port sidecars' inbound listeners listen on (repeatable; default
                            15006; the sidecar Pods' entries add theirs): a listener there is
                            registered by its container's cgroup, to take its Pod's inbound
  --poll DURATION           how often Pods not found yet, and this Pod's containers, are looked
                            for again (default 1s)
  --admin HOST:PORT         /healthz /readyz /status /metrics (default 0.0.0.0:9902)
  --log-level LEVEL         debug, info (default), warn or error; JSON lines on stderr
  -h, --help                show this help

Example:
  sluice node-agent --node node-a --xds-address sluice-xds.sluice-system:18000 --node-address 10.0.0.4
`;

function credentialsOf(cert: string | undefined, key: string | undefined, ca: string | undefined): grpc.ChannelCredentials | undefined {
  const given = [cert, key, ca].filter((f) => f !== undefined).length;
  if (given === 0) return undefined;
  if (cert === undefined || key === undefined || ca === undefined) throw new UsageError('--tls-cert, --tls-key and --ca go together');
  return grpc.credentials.createSsl(readFileSync(ca), readFileSync(key), readFileSync(cert));
}

function nodeAddresses(list: readonly string[]): { v4?: string; v6?: string } {
  const out: { v4?: string; v6?: string } = {};
  for (const a of list.flatMap((item) => item.split(',')).map((a) => a.trim()).filter(Boolean)) {
    if (typeof parseIp(a) === 'string') throw new UsageError(`--node-address: expected an IP address, got "${a}"`);
    const family = familyOf(a);
    const k = family === 4 ? 'v4' : 'v6';
    if (out[k] !== undefined) throw new UsageError(`--node-address: two IPv${family} addresses (${out[k]}, ${a})`);
    out[k] = a;
  }
  return out;
}

export const nodeAgentCommand: Command = {
  name: 'node-agent',
  summary: "program this node's eBPF redirects from the controller (Kubernetes DaemonSet)",
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      node: { type: 'string' }, 'xds-address': { type: 'string' },
      'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, ca: { type: 'string' },
      'node-address': { type: 'string', multiple: true }, 'cgroup-root': { type: 'string', default: '/sys/fs/cgroup' },
      'attach-cgroup': { type: 'string' }, 'pod-uid': { type: 'string' }, 'pin-root': { type: 'string', default: DEFAULT_PIN_ROOT },
      'inbound-iface': { type: 'string', multiple: true }, 'proxy-mark': { type: 'string' }, 'sidecar-inbound-port': { type: 'string', multiple: true }, poll: { type: 'string', default: '1s' },
      admin: { type: 'string', default: '0.0.0.0:9902' }, 'log-level': { type: 'string', default: 'info' },
    });
    const host = values.node ?? process.env['NODE_NAME'];
    if (!host) throw new UsageError('--node NAME is required (or $NODE_NAME)');
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(host)) throw new UsageError(`--node: "${host}" is not a node name`);
    if (!values['xds-address']) throw new UsageError('--xds-address HOST:PORT is required');
    parseHostPort('--xds-address', values['xds-address']);
    const admin = parseHostPort('--admin', values.admin ?? '0.0.0.0:9902');
    const level = parseLogLevel(values['log-level']);
    const envAddress = process.env['HOST_IPS'] ?? process.env['HOST_IP'];
    const nodeAddress = nodeAddresses(values['node-address'] ?? (envAddress ? [envAddress] : []));
    const pollMs = parseDurationFlag('--poll', values.poll ?? '1s');
    const mark = values['proxy-mark'] === undefined ? undefined : Number(values['proxy-mark']);
    if (mark !== undefined && (!Number.isInteger(mark) || mark < 0 || mark > 0xffffffff)) throw new UsageError(`--proxy-mark: expected an unsigned 32-bit integer, got "${values['proxy-mark']}"`);
    const sidecarPorts = (values['sidecar-inbound-port'] ?? []).map((text) => {
      const port = Number(text);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--sidecar-inbound-port: expected a port 1..65535, got "${text}"`);
      return port;
    });
    const podUid = values['pod-uid'] ?? process.env['POD_UID'];
    const credentials = credentialsOf(values['tls-cert'], values['tls-key'], values.ca);
    const logger = createLogger({ level, write: io.stderr }, { component: 'node-agent', node: host });
    const registry = new Registry();
    let agent: NodeAgent;
    try {
      agent = new NodeAgent({
        host,
        xds: { address: values['xds-address'], ...(credentials ? { credentials } : {}) },
        cgroupRoot: values['cgroup-root'] ?? '/sys/fs/cgroup',
        ...(values['attach-cgroup'] ? { attachCgroup: values['attach-cgroup'] } : {}),
        pinRoot: values['pin-root'] ?? DEFAULT_PIN_ROOT,
        ...(nodeAddress.v4 || nodeAddress.v6 ? { nodeAddress } : {}),
        ...(podUid ? { podUid } : {}),
        ...(values['inbound-iface']?.length ? { inboundInterfaces: values['inbound-iface'] } : {}),
        ...(mark ? { proxyMark: mark } : {}),
        ...(sidecarPorts.length > 0 ? { sidecarInboundPorts: sidecarPorts } : {}),
        pollMs,
        logger,
        registry,
      });
    } catch (error) {
      if (!(error instanceof BpfError)) throw error;
      logger.error('sluice node-agent cannot attach the dataplane', { error });
      io.stderr(`sluice node-agent: ${error.message} [${error.code}]\n`);
      return EXIT.failure;
    }
    const server = await startAgentAdmin(admin.host, admin.port, registry, () => agent.status());
    agent.start();
    io.stdout(`${JSON.stringify({ node: `${host}.agent`, xds: values['xds-address'], admin: formatHostPort(admin.host, server.port) })}\n`);
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      else io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    agent.stop();
    await server.close();
    return EXIT.ok;
  },
};
