/** Traffic to a Pod in the controller suites: a request from the node's namespace, and the app a Pod runs. */
import { request as httpRequest } from 'node:http';

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
