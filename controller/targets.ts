/** Matching a proxyless server's Listener name to the policy targets it carries. */
import { findProxylessServer, parseServerListenerName, type CompileOutput, type PolicyTarget } from '../policy-compiler/index.js';

export type { PolicyTarget };

/** Whether the Listener named `name` is built from the proxyless server port `target`. */
export function findProxylessTarget(output: CompileOutput, name: string, target: Extract<PolicyTarget, { kind: 'proxyless' }>): boolean {
  const parsed = parseServerListenerName(name);
  if (!parsed || parsed.port !== target.port) return false;
  const server = findProxylessServer(output.ir.proxyless, parsed.host, parsed.port);
  return server?.workload === target.workload;
}
