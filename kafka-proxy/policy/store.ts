/**
 * The rules in force: the KafkaPolicy resources last applied (from xDS, or set directly), looked
 * up per request so a change applies to the next request on every open connection. A change
 * bumps `generation`, which connections use to reset fetch sessions.
 */
import { formatIp, parseIp, unmapIpv4 } from '../../ip/index.js';
import type { KafkaPolicy } from './resource.js';

/**
 * What a connection to a broker no policy covers is held to, with `--uncovered deny` (the
 * default): no rule allows anything, so every authorizable request is denied (flow records name
 * the rule `uncovered`). With `--uncovered allow` such traffic passes, as an unselected workload's.
 */
export const UNCOVERED_DENY: KafkaPolicy = {
  name: '(uncovered)', policy: '', endpoints: [], mode: 'enforce', deny: [], allow: [], defaultRuleId: 'uncovered',
};

/** Canonical, and an IPv4-mapped IPv6 address as the IPv4 address it maps. */
function normalize(address: string): string {
  const ip = parseIp(address);
  if (typeof ip === 'string') return address;
  const plain = unmapIpv4(ip);
  return formatIp(plain.family, plain.bits);
}

export class PolicyStore {
  private policies: readonly KafkaPolicy[] = [];
  private applied = false;
  generation = 0;
  version = '';

  /** Whether a first set of rules has been applied (connections are refused before). */
  get ready(): boolean {
    return this.applied;
  }

  set(policies: readonly KafkaPolicy[], version = ''): void {
    this.policies = policies;
    this.version = version;
    this.applied = true;
    this.generation += 1;
  }

  all(): readonly KafkaPolicy[] {
    return this.policies;
  }

  /** The policy covering a broker endpoint: an exact address match first, then a port-only one. */
  lookup(address: string, port: number): KafkaPolicy | undefined {
    const addr = normalize(address);
    let portOnly: KafkaPolicy | undefined;
    for (const p of this.policies) {
      for (const e of p.endpoints) {
        if (e.port !== port) continue;
        if (e.address === '') portOnly ??= p;
        else if (normalize(e.address) === addr) return p;
      }
    }
    return portOnly;
  }
}
