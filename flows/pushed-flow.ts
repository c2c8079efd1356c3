/** What a flow pushed over `PushFlows` must hold before it is stored: a node, a verdict, a protocol, addresses. */
import type { FlowRecord } from './record.js';

export function checkPushedFlow(f: FlowRecord): { path: string; message: string } | undefined {
  if (!f.node) return { path: 'node', message: 'the node that saw the flow is required' };
  if (f.verdict === 'unknown') return { path: 'verdict', message: 'FORWARDED, DENIED or AUDIT_DENIED is required' };
  if (f.protocol === 'unknown') return { path: 'protocol', message: 'HTTP, GRPC or KAFKA is required' };
  if (!f.source.address) return { path: 'source.address', message: 'required' };
  if (f.protocol === 'kafka' && !f.kafka) return { path: 'kafka', message: 'a KAFKA flow carries its kafka fields' };
  for (const [path, v] of [['policy', f.policy], ['rule', f.rule], ['reason', f.reason]] as const) if (v.length > 2048) return { path, message: 'longer than 2048 characters' };
  return undefined;
}
