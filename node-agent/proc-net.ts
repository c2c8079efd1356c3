/**
 * Whether a TCP socket listens on a port inside another process's network namespace, read from
 * `/proc/<pid>/net/tcp` and `tcp6` (which list the sockets of that process's namespace). The agent
 * asks it of a node-mode Pod: the node proxy's listener for the Pod must be open *inside* the Pod's
 * namespace (a listener it opened elsewhere, through a stale link, takes no connection of the Pod's).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const LISTEN = '0A';

/** `family` 2 (AF_INET) reads `tcp`, 10 (AF_INET6) `tcp6`; false when the file cannot be read (the process exited). */
export function listensIn(procRoot: string, pid: number, family: number, port: number): boolean {
  let text: string;
  try {
    text = readFileSync(join(procRoot, String(pid), 'net', family === 10 ? 'tcp6' : 'tcp'), 'utf8');
  } catch {
    return false;
  }
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  // "  sl  local_address rem_address   st ...": local_address is <hex address>:<hex port>.
  return text.split('\n').slice(1).some((line) => {
    const [, local, , state] = line.trim().split(/\s+/);
    return state === LISTEN && local?.endsWith(`:${hex}`) === true;
  });
}
