/** The agents' netns-link reports as the controller keeps them: per host, connected streams first, kept while the agent is away. */
import { describe, expect, it } from '@jest/globals';
import { formatNetnsLinks } from '../../policy-compiler/index.js';
import type { NodeStatus } from '../../xds-server/index.js';
import { ReportedNetnsLinks } from './netns-links.js';

const UA = '11111111-1111-4111-8111-111111111111';
const UB = '22222222-2222-4222-8222-222222222222';
const A = `${UA}.4026532248`;
const B = `${UB}.4026532249`;
const node = (nodeId: string, connected: boolean, metadata?: Record<string, unknown>): NodeStatus =>
  ({ nodeId, connected, node: { id: nodeId, ...(metadata ? { metadata } : {}) }, streams: [], types: [] }) as unknown as NodeStatus;

describe('ReportedNetnsLinks', () => {
  it('takes each agent\'s report by host, says when it changed, and ignores proxies that are no agent', () => {
    const links = new ReportedNetnsLinks();
    expect(links.update([node('node-a.agent', true, formatNetnsLinks([A])), node('node-a', true, formatNetnsLinks([B]))])).toBe(true);
    expect([...links.links()]).toEqual([[`node-a|${UA}`, A]]);
    expect(links.update([node('node-a.agent', true, formatNetnsLinks([A]))])).toBe(false);
    expect(links.update([node('node-a.agent', true, formatNetnsLinks([A, B])), node('node-b.agent', true, formatNetnsLinks([]))])).toBe(true);
    expect([...links.links()].sort()).toEqual([[`node-a|${UA}`, A], [`node-a|${UB}`, B]]);
  });

  it('keeps a host\'s links while its agent is away or sends no report, and prefers a connected stream\'s report over a stale one', () => {
    const links = new ReportedNetnsLinks();
    links.update([node('node-a.agent', true, formatNetnsLinks([A]))]);
    expect(links.update([])).toBe(false);
    expect(links.update([node('node-a.agent', true)])).toBe(false); // an older agent: no report, nothing taken away
    expect([...links.links()]).toEqual([[`node-a|${UA}`, A]]);
    expect(links.update([node('node-a.agent', true, formatNetnsLinks([B])), node('node-a.agent', false, formatNetnsLinks([A]))])).toBe(true);
    expect([...links.links()]).toEqual([[`node-a|${UB}`, B]]);
    expect(links.update([node('node-a.agent', true, formatNetnsLinks([]))])).toBe(true);
    expect([...links.links()]).toEqual([]);
  });
});
