/** Matching a proxyless server's Listener name to the policy targets it carries. */
import type { CompileOutput, PolicyTarget } from '../policy-compiler/index.js';

export type { PolicyTarget };

/** Whether the Listener named `name` is built from the proxyless server port `target`. */
export function findProxylessTarget(output: CompileOutput, name: string, target: Extract<PolicyTarget, { kind: 'proxyless' }>): boolean {
  const server = output.proxylessServerOf(name);
  return server?.workload === target.workload && server.port === target.port;
}
