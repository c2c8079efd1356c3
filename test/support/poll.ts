/** Waiting without fixed sleeps, and free ports, for tests that run real servers and peers. */
import net from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Polls `check` until it returns something other than `undefined` or `false`, and returns that;
 * fails after `deadlineMs` naming `what` and the last error `check` threw. Deadlines are generous:
 * these tests run on loaded 2-core machines.
 */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, what: string, deadlineMs = 30_000, intervalMs = 50): Promise<Exclude<T, false>> {
  const until = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as Exclude<T, false>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
