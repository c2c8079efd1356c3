/** What the node-agent controller suites share: a request from the node's namespace, the app a Pod runs, the policy they apply, the kernel bed check and its teardown. */
import { it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import { missingForKernelTests, type Sandbox } from '../../../bench/redirect/sandbox.js';
import { unloadDataplane } from '../../../bpf/index.js';
import type { ControllerBed } from './bed.js';

/** One HTTP request from this process (the node's namespace): the status, or the socket error's code. */
export function call(method: string, url: string): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method, timeout: 5000, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end();
  });
}

/** An HTTP app that prints one JSON line per request it serves: `{method, url, local}`. */
export const APP = `const http = require('node:http');
const [host, port] = process.argv.slice(1);
http.createServer((req, res) => { console.log(JSON.stringify({ method: req.method, url: req.url, local: req.socket.localAddress + ':' + req.socket.localPort })); res.end('app'); })
  .listen(Number(port), host, () => console.log(JSON.stringify({ listening: true })));`;

/** An enforcing policy allowing only GET to port 8080 of the Pods labelled `app`. */
export const getOnlyIngress = (app: string) => ({
  mode: 'enforce',
  selector: { matchLabels: { app } },
  ingress: [{ toPorts: [{ ports: [{ port: 8080, protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
});

/**
 * Registers, when the kernel test bed is missing, a test that says why: skipped on a developer's
 * machine, failed in CI (which always has it: root, kernel 6.18, .ci/deps/bpf.sh). True then.
 */
export function withoutKernelBed(): boolean {
  const missing = missingForKernelTests();
  if (!missing) return false;
  if (process.env['CI'] === 'true') it('has the kernel test bed', () => { throw new Error(missing); });
  else it.skip(`needs the kernel test bed: ${missing}`, () => undefined);
  return true;
}

/** After a suite's own processes are stopped: the API server bed, the dataplane pinned under `pinRoot` (if it was ever attached), the sandbox's cgroups and namespaces. */
export async function releaseKernelBed(bed: ControllerBed | undefined, pinRoot: string, box: Sandbox): Promise<void> {
  await bed?.stop();
  try {
    unloadDataplane({ pinRoot });
  } catch {
    /* never attached */
  }
  await box.cleanup();
}
