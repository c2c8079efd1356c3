/**
 * The node-mode Pods whose network namespace each node agent reports linked
 * (`sluice.dev/netns-links` in its node's metadata, policy-compiler/translate/node-redirects-report.ts):
 * the inventory names their link, so the node proxy gets a listener inside each of them.
 *
 * Kept per host while its agent is away (restarting, or connected to another replica that has not
 * been asked yet): the links are files on the node that outlive the agent's process, and taking
 * them away would close the Pods' listeners and refuse their connections for nothing. A Pod that is
 * gone leaves the inventory anyway; a reconnected agent's report replaces what was kept.
 */
import { hostOfAgent, linkNameUid, parseNetnsLinks } from '../../policy-compiler/index.js';
import type { NodeStatus } from '../../xds-server/index.js';

export class ReportedNetnsLinks {
  private readonly byHost = new Map<string, string>();
  private current: ReadonlyMap<string, string> = new Map();

  /** Takes the reports of the agents among `nodes` (connected ones win over stale ones); true when what is linked changed. */
  update(nodes: readonly NodeStatus[]): boolean {
    const reports = new Map<string, { connected: boolean; names: string[] }>();
    for (const n of nodes) {
      const host = hostOfAgent(n.nodeId);
      const names = host === undefined ? undefined : parseNetnsLinks(n.node.metadata);
      if (host === undefined || names === undefined) continue;
      if (reports.get(host)?.connected && !n.connected) continue;
      reports.set(host, { connected: n.connected, names });
    }
    let changed = false;
    for (const [host, { names }] of reports) {
      const text = names.join(',');
      if (this.byHost.get(host) === text) continue;
      this.byHost.set(host, text);
      changed = true;
    }
    if (changed) this.current = new Map([...this.byHost].flatMap(([host, text]) => (text === '' ? [] : text.split(',').map((name) => [`${host}|${linkNameUid(name) ?? ''}`, name] as const))));
    return changed;
  }

  /** `<host>|<pod uid>` → the name of its link, for every link reported. */
  links(): ReadonlyMap<string, string> {
    return this.current;
  }
}
