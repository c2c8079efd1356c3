/** An `L7Policy` document (already schema-valid) → the model, with every semantic problem reported. */
import type { EgressRule, IngressRule, L7Policy as SourcePolicy, Peer as SourcePeer, PortRule as SourcePortRule } from '../generated/l7policy.js';
import type { PathSegment } from '../diagnostics.js';
import { objectKey, parseObjectKey, ruleId } from '../names.js';
import { cidrContains, parseCidr } from '../../ip/index.js';
import type { Cidr } from '../../ip/index.js';
import type { Peer, Policy, PortRef, PortRule, TrafficRule } from '../model/types.js';
import type { DocumentContext } from './context.js';
import { l7Rules, portProtocol } from './l7-rules.js';
import { checkLabelKeys, validateSelector } from './selector.js';
import { portTls } from './tls.js';

/** The namespace of a policy's key. */
const namespaceOf = (key: string): string => parseObjectKey(key)?.namespace ?? '';

const PORT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function validatePolicy(ctx: DocumentContext, source: SourcePolicy): Policy {
  const namespace = source.metadata.namespace ?? 'default';
  const key = objectKey(namespace, source.metadata.name);
  checkLabelKeys(ctx, ['metadata', 'labels'], source.metadata.labels);
  const selector = validateSelector(ctx, ['spec', 'selector'], source.spec.selector);
  const ingress = (source.spec.ingress ?? []).map((r, i) => trafficRule(ctx, key, 'ingress', i, r));
  const egress = (source.spec.egress ?? []).map((r, i) => trafficRule(ctx, key, 'egress', i, r));
  if (ingress.length + egress.length === 0) {
    ctx.warn(['spec'], 'policy.empty', 'the policy has no ingress or egress rules, so it changes nothing');
  }
  return {
    key,
    name: source.metadata.name,
    namespace,
    mode: source.spec.mode ?? 'enforce',
    selector,
    rules: [...ingress, ...egress],
    source: { file: ctx.file, document: ctx.index },
  };
}

function trafficRule(ctx: DocumentContext, key: string, direction: 'ingress' | 'egress', index: number, rule: IngressRule | EgressRule): TrafficRule {
  const path: PathSegment[] = ['spec', direction, index];
  const peerField = direction === 'ingress' ? 'from' : 'to';
  const sourcePeers = 'from' in rule ? rule.from : 'to' in rule ? rule.to : undefined;
  const peers = sourcePeers ? sourcePeers.map((p, i) => peer(ctx, namespaceOf(key), [...path, peerField, i], p)) : 'any';
  return {
    direction,
    id: ruleId(key, path),
    peers,
    ports: rule.toPorts.map((p, i) => portRule(ctx, key, direction, [...path, 'toPorts', i], p)),
  };
}

function peer(ctx: DocumentContext, ownNamespace: string, path: readonly PathSegment[], p: SourcePeer): Peer {
  if (p.ipBlock) {
    if (p.namespaces) ctx.error([...path, 'namespaces'], 'peer.namespaces', '`namespaces` applies to a `selector` peer, not to an `ipBlock`');
    const cidr = cidrOrReport(ctx, [...path, 'ipBlock', 'cidr'], p.ipBlock.cidr);
    const except: Cidr[] = [];
    (p.ipBlock.except ?? []).forEach((text, i) => {
      const at = [...path, 'ipBlock', 'except', i];
      const ex = cidrOrReport(ctx, at, text);
      if (!ex || !cidr) return;
      if (!cidrContains(cidr, ex)) ctx.error(at, 'cidr.except-outside', `${text} is not inside ${p.ipBlock?.cidr ?? ''}`);
      else except.push(ex);
    });
    // An unparseable CIDR was reported; the placeholder keeps the model total and is never used.
    return { kind: 'cidr', cidr: cidr ?? { family: 4, address: '0.0.0.0', prefixLength: 32, bits: 0n }, except };
  }
  const namespaces: readonly string[] = p.namespaces ?? [];
  if (namespaces.includes('*') && namespaces.length > 1) ctx.error([...path, 'namespaces'], 'peer.namespaces', '`*` already means every namespace: list it alone');
  const selector = validateSelector(ctx, [...path, 'selector'], p.selector ?? {});
  return { kind: 'selector', selector, namespaces: namespaces.includes('*') ? 'all' : namespaces.length > 0 ? [...new Set(namespaces)].sort() : [ownNamespace] };
}

function cidrOrReport(ctx: DocumentContext, path: readonly PathSegment[], text: string): Cidr | undefined {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') {
    ctx.error(path, 'cidr.invalid', parsed);
    return undefined;
  }
  return parsed;
}

function portRule(ctx: DocumentContext, key: string, direction: 'ingress' | 'egress', path: readonly PathSegment[], p: SourcePortRule): PortRule {
  const ports: PortRef[] = p.ports.map((pp, i) => {
    const at = [...path, 'ports', i, 'port'];
    if (typeof pp.port === 'number') {
      if (pp.port < 1 || pp.port > 65535) ctx.error(at, 'port.range', `port ${pp.port} is outside 1–65535`);
      return { kind: 'number', port: pp.port };
    }
    if (/^\d+$/.test(pp.port)) ctx.error(at, 'port.quoted', `write the port as a number (${pp.port}), not a string`);
    else if (!PORT_NAME.test(pp.port) || pp.port.length > 15) ctx.error(at, 'port.name', `"${pp.port}" is neither a port number nor a valid port name`);
    return { kind: 'name', name: pp.port };
  });
  const seen = new Set<string>();
  ports.forEach((ref, i) => {
    const id = ref.kind === 'number' ? String(ref.port) : ref.name;
    if (seen.has(id)) ctx.warn([...path, 'ports', i], 'port.duplicate', `port ${id} is listed twice`);
    seen.add(id);
  });
  const allow = p.rules ? l7Rules(ctx, [...path, 'rules'], key, p.rules) : 'all';
  const deny = l7Rules(ctx, [...path, 'deny'], key, p.deny);
  const protocol = portProtocol(ctx, [...path], [...(allow === 'all' ? [] : allow), ...deny]);
  if (p.rules && allow !== 'all' && allow.length === 0) {
    ctx.warn([...path, 'rules'], 'rules.empty', '`rules` lists no rule, so nothing is allowed on these ports; omit `rules` to allow every request');
  }
  const tls = portTls(ctx, namespaceOf(key), path, p, direction, protocol);
  return { id: ruleId(key, path), ports, protocol, allow, deny, ...(tls ? { tls } : {}) };
}
