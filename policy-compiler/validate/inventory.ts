/** An `Inventory` document (already schema-valid) → the model: canonical addresses, proxies with defaults. */
import type { Inventory as SourceInventory } from '../generated/inventory.js';
import { formatIp, parseIp } from '../../ip/index.js';
import { objectKey } from '../names.js';
import { DEFAULT_ACCESS_LOG, DEFAULT_PORTS, type Inventory, type InventoryService, type ProxyNode, type ProxyRef, type Workload } from '../model/types.js';
import type { DocumentContext } from './context.js';
import { checkLabelKeys } from './selector.js';

export function validateInventory(ctx: DocumentContext, source: SourceInventory): Inventory {
  const proxies = new Map<string, ProxyNode>();
  (source.proxies ?? []).forEach((p, i) => {
    if (proxies.has(p.node)) {
      ctx.error(['proxies', i, 'node'], 'inventory.duplicate-proxy', `proxy node "${p.node}" is listed twice`);
      return;
    }
    proxies.set(p.node, {
      node: p.node,
      kind: p.kind ?? 'envoy',
      inboundPort: p.inboundPort ?? DEFAULT_PORTS.inbound,
      outboundPort: p.outboundPort ?? DEFAULT_PORTS.outbound,
      listenPort: p.listenPort ?? DEFAULT_PORTS.kafka,
      failOpen: p.failOpen ?? false,
      accessLog: p.accessLog ?? DEFAULT_ACCESS_LOG,
      ...(p.host !== undefined ? { host: p.host } : {}),
    });
  });
  const keys = new Set<string>();
  const owners = new Map<string, string>();
  const workloads: Workload[] = source.workloads.map((w, i) => {
    const namespace = w.namespace ?? 'default';
    const key = objectKey(namespace, w.name);
    if (keys.has(key)) ctx.error(['workloads', i, 'name'], 'inventory.duplicate-workload', `workload ${key} is listed twice`);
    keys.add(key);
    checkLabelKeys(ctx, ['workloads', i, 'labels'], w.labels);
    const addresses = w.addresses.flatMap((text, j) => {
      const ip = parseIp(text);
      if (typeof ip === 'string') {
        ctx.error(['workloads', i, 'addresses', j], 'inventory.address', ip);
        return [];
      }
      const canonical = formatIp(ip.family, ip.bits);
      const owner = owners.get(canonical);
      if (owner && owner !== key) ctx.error(['workloads', i, 'addresses', j], 'inventory.address-taken', `${canonical} already belongs to ${owner}`);
      owners.set(canonical, key);
      return [canonical];
    });
    const ports = (w.ports ?? []).map((p) => ({ port: p.port, ...(p.name !== undefined ? { name: p.name } : {}) }));
    const names = ports.flatMap((p) => (p.name ? [p.name] : []));
    names.forEach((n, j) => {
      if (names.indexOf(n) !== j) ctx.error(['workloads', i, 'ports'], 'inventory.port-name', `port name "${n}" is used twice`);
    });
    if (w.cgroup !== undefined && w.cgroup.split('/').some((segment) => segment === '.' || segment === '..')) {
      ctx.error(['workloads', i, 'cgroup'], 'inventory.cgroup', `"${w.cgroup}" must name the cgroup directly, without "." or ".." segments`);
    }
    if (w.netnsLink !== undefined && w.podUID === undefined) ctx.error(['workloads', i, 'netnsLink'], 'inventory.netns-link', 'a network namespace link is a Pod\'s: it needs podUID');
    if (w.netnsLink?.split('/').some((segment) => segment === '.' || segment === '..')) ctx.error(['workloads', i, 'netnsLink'], 'inventory.netns-link', `"${w.netnsLink}" must name the link directly, without "." or ".." segments`);
    if (w.podUID !== undefined && w.cgroup !== undefined) ctx.error(['workloads', i, 'podUID'], 'inventory.identity', 'a workload is named by its cgroup or by its Pod UID, not both');
    const identity = {
      ...(w.cgroup !== undefined ? { cgroup: w.cgroup } : {}),
      ...(w.host !== undefined ? { host: w.host } : {}),
      ...(w.podUID !== undefined ? { podUid: w.podUID.toLowerCase() } : {}),
      ...(w.proxyContainers?.length ? { proxyContainers: [...w.proxyContainers] } : {}),
      ...(w.netnsLink !== undefined ? { netnsLink: w.netnsLink } : {}),
    };
    return { key, name: w.name, namespace, labels: { ...(w.labels ?? {}) }, addresses: [...new Set(addresses)], ports, proxy: proxyRef(ctx, i, w.proxy, proxies), ...identity };
  });
  return { workloads, proxies, ...(source.services ? { services: validateServices(ctx, source.services) } : {}) };
}

function validateServices(ctx: DocumentContext, services: NonNullable<SourceInventory['services']>): InventoryService[] {
  const keys = new Set<string>();
  return services.map((s, i) => {
    const namespace = s.namespace ?? 'default';
    const key = objectKey(namespace, s.name);
    if (keys.has(key)) ctx.error(['services', i, 'name'], 'inventory.duplicate-service', `service ${key} is listed twice`);
    keys.add(key);
    const seen = new Set<number>();
    const ports = s.ports.map((p, j) => {
      if (seen.has(p.port)) ctx.error(['services', i, 'ports', j, 'port'], 'inventory.duplicate-service-port', `port ${p.port} of service ${key} is listed twice`);
      seen.add(p.port);
      const endpoints = p.endpoints.flatMap((e, k) => {
        const ip = parseIp(e.address);
        if (typeof ip === 'string') {
          ctx.error(['services', i, 'ports', j, 'endpoints', k, 'address'], 'inventory.address', ip);
          return [];
        }
        return [{ address: formatIp(ip.family, ip.bits), port: e.port }];
      });
      return { port: p.port, endpoints };
    });
    return { key, name: s.name, namespace, ports };
  });
}

/** A proxy node a workload names and the inventory's `proxies` omits: every setting its default. */
function defaultProxy(node: string, kind: ProxyNode['kind']): ProxyNode {
  return { node, kind, inboundPort: DEFAULT_PORTS.inbound, outboundPort: DEFAULT_PORTS.outbound, listenPort: DEFAULT_PORTS.kafka, failOpen: false, accessLog: DEFAULT_ACCESS_LOG };
}

function proxyRef(ctx: DocumentContext, i: number, ref: SourceInventory['workloads'][number]['proxy'], proxies: Map<string, ProxyNode>): ProxyRef {
  if (ref.grpcProxyless) {
    if (ref.kafka !== undefined) ctx.error(['workloads', i, 'proxy', 'kafka'], 'inventory.proxy', 'a proxyless gRPC workload has no Kafka enforcer');
    return { kind: 'grpc-proxyless' };
  }
  const node = ref.node ?? '';
  const declared = proxies.get(node);
  if (declared?.kind === 'kafka') ctx.error(['workloads', i, 'proxy', 'node'], 'inventory.proxy-kind', `"${node}" is a Kafka enforcer; name it under \`kafka\`, and an Envoy node under \`node\``);
  if (!declared) proxies.set(node, defaultProxy(node, 'envoy'));
  if (ref.kafka !== undefined) {
    const kafka = proxies.get(ref.kafka);
    if (kafka && kafka.kind !== 'kafka') ctx.error(['workloads', i, 'proxy', 'kafka'], 'inventory.proxy-kind', `"${ref.kafka}" is declared as an Envoy node, not a Kafka enforcer`);
    if (!kafka) proxies.set(ref.kafka, defaultProxy(ref.kafka, 'kafka'));
    return { kind: 'envoy', node, kafkaNode: ref.kafka };
  }
  return { kind: 'envoy', node };
}
