/** Listening sockets inside another process's network namespace, read from /proc/<pid>/net/tcp{,6}: on a fake /proc, and on this process's own. */
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listensIn } from './proc-net.js';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

describe('listensIn', () => {
  it('finds a LISTEN socket on the port, per family, and nothing in another state or on another port', () => {
    const proc = mkdtempSync(join(tmpdir(), 'proc-net-'));
    try {
      mkdirSync(join(proc, '42', 'net'), { recursive: true });
      // 0.0.0.0:15123 listening (0x3B13), 10.0.0.1:15124 established (01).
      writeFileSync(join(proc, '42', 'net', 'tcp'), `${HEADER}   0: 00000000:3B13 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n   1: 0100000A:3B14 0200000A:C350 01 00000000:00000000 00:00000000 00000000     0        0 2 1\n`);
      writeFileSync(join(proc, '42', 'net', 'tcp6'), `${HEADER}   0: 00000000000000000000000000000000:3B15 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1\n`);
      expect(listensIn(proc, 42, 2, 15123)).toBe(true);
      expect(listensIn(proc, 42, 2, 15124)).toBe(false);
      expect(listensIn(proc, 42, 2, 15125)).toBe(false);
      expect(listensIn(proc, 42, 10, 15125)).toBe(true);
      expect(listensIn(proc, 42, 10, 15123)).toBe(false);
      expect(listensIn(proc, 43, 2, 15123)).toBe(false); // the process is gone
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });

  it("sees this process's own listener in its own namespace", async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      expect(listensIn('/proc', process.pid, 2, port)).toBe(true);
    } finally {
      server.close();
    }
    expect(listensIn('/proc', process.pid, 2, port)).toBe(false);
  });
});
