/**
 * Watches the sources so that no change goes unnoticed, and calls back, debounced: a burst of
 * events (an editor saving, `git checkout`, a ConfigMap update) becomes one reload after `quietMs`
 * without events, and a steady stream still reloads every `maxDelayMs`.
 *
 * Why not `fs.watch(dir, { recursive: true })`: on Linux, Node 20 emulates it with inotify watches
 * that follow inodes, and it goes deaf to a file after an atomic save renames a new file over it.
 * Why not a library: chokidar 4.0.3 and 5.0.0 go deaf to a watched file once its directory is
 * removed and re-created, and @parcel/watcher 2.x to a watched root once it is removed and
 * re-created (both tried on Node 20); neither re-arms. What this does instead:
 *
 * - one non-recursive `fs.watch` (an inotify watch) per directory: every directory of each policy
 *   tree (non-hidden, symbolic links to directories followed) and the directory holding each root,
 *   which sees the root itself replaced, removed or created. A watch on a directory sees renames
 *   into it, atomic saves and, in a ConfigMap volume, the `..data` symlink swap;
 * - re-arming: before each reload the set of directories is computed again; a directory that is
 *   new, replaced (another inode, or named by a rename event) or gone gets its watch re-made or
 *   closed. Re-arming happens before reading, so nothing written after the read goes unseen;
 * - a periodic rescan (`rescanMs` after each reload) as the safety net for whatever the kernel did
 *   not report (a watch limit reached, a network file system, a link to a file outside the tree
 *   edited in place): the callback re-reads, and the caller compares content hashes, so a rescan
 *   that finds nothing changed costs a read and nothing more. The callback is told which of the
 *   two called, so that changes only a rescan found can be counted (they mean a watch missed one).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../telemetry/index.js';

/** What made the watcher call back: its directory watches, or the periodic rescan. */
export type WatchTrigger = 'watch' | 'rescan';

export interface WatchMetrics {
  /** An event from a directory watch that concerns the sources. */
  event(): void;
  /** How many directories are watched now. */
  directories(count: number): void;
}

export interface WatchOptions {
  /** Source roots: directories (watched as trees) and files. */
  readonly paths: readonly string[];
  readonly onChange: (trigger: WatchTrigger) => void;
  readonly logger: Logger;
  readonly metrics?: WatchMetrics;
  readonly quietMs?: number;
  readonly maxDelayMs?: number;
  /** Time from one reload to the safety-net rescan after it; 0 turns it off (tests of the watches alone). */
  readonly rescanMs?: number;
}

export interface Watcher {
  /** The directories watched now (for tests and debugging). */
  directories(): string[];
  close(): void;
}

/** Which events of a directory matter: all of them (a tree's own directory), or those naming these entries (a root's parent). */
type Interest = 'all' | ReadonlySet<string>;

interface Armed {
  readonly watcher: fs.FSWatcher;
  readonly identity: string;
  interest: Interest;
  /** Named by a rename event: re-arm at the next sync even if the inode looks the same. */
  replaced: boolean;
}

export function watchSources(options: WatchOptions): Watcher {
  const quietMs = options.quietMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 1000;
  const log = options.logger;
  const armed = new Map<string, Armed>();
  const failing = new Set<string>();
  let quiet: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let closed = false;

  let rescan: NodeJS.Timeout | undefined;
  const fire = (trigger: WatchTrigger) => {
    // A rescan while events are pending would only read what the pending reload reads.
    if (trigger === 'rescan' && quiet !== undefined) return;
    clearTimeout(quiet);
    clearTimeout(deadline);
    clearTimeout(rescan);
    quiet = deadline = rescan = undefined;
    if (closed) return;
    sync();
    try {
      options.onChange(trigger);
    } catch (error) {
      log.error('reloading the sources failed', { error });
    }
    if (options.rescanMs) {
      rescan = setTimeout(() => fire('rescan'), options.rescanMs);
      rescan.unref();
    }
  };
  const poke = () => {
    if (closed) return;
    clearTimeout(quiet);
    quiet = setTimeout(() => fire('watch'), quietMs);
    deadline ??= setTimeout(() => fire('watch'), maxDelayMs);
  };

  const onEvent = (dir: string, event: string, name: string | null) => {
    const a = armed.get(dir);
    if (!a) return;
    if (name !== null && a.interest !== 'all' && !a.interest.has(name) && !name.startsWith('..')) return;
    if (event === 'rename' && name !== null) {
      const child = path.join(dir, name);
      for (const [d, other] of armed) if (d === child || d.startsWith(`${child}${path.sep}`)) other.replaced = true;
    }
    options.metrics?.event();
    poke();
  };

  const arm = (dir: string, interest: Interest) => {
    const identity = identityOf(dir);
    if (identity === undefined) return;
    try {
      const watcher = fs.watch(dir, { persistent: false }, (event, name) => onEvent(dir, event, name));
      watcher.on('error', (error) => {
        log.warn('a directory watch failed; it is re-armed at the next reload or rescan', { path: dir, error });
        const a = armed.get(dir);
        if (a) a.replaced = true;
        poke();
      });
      armed.set(dir, { watcher, identity, interest, replaced: false });
      failing.delete(dir);
    } catch (error) {
      if (!failing.has(dir)) log.warn('cannot watch a directory; its changes are seen by the periodic rescan', { path: dir, error });
      failing.add(dir);
    }
  };

  const sync = () => {
    const wanted = directoriesOf(options.paths);
    for (const [dir, a] of armed) {
      if (wanted.has(dir) && !a.replaced && identityOf(dir) === a.identity) continue;
      a.watcher.close();
      armed.delete(dir);
    }
    for (const [dir, interest] of wanted) {
      const a = armed.get(dir);
      if (a) a.interest = interest;
      else arm(dir, interest);
    }
    options.metrics?.directories(armed.size);
  };

  sync();
  if (options.rescanMs) {
    rescan = setTimeout(() => fire('rescan'), options.rescanMs);
    rescan.unref();
  }
  return {
    directories: () => [...armed.keys()].sort(),
    close() {
      closed = true;
      clearTimeout(quiet);
      clearTimeout(deadline);
      clearTimeout(rescan);
      for (const a of armed.values()) a.watcher.close();
      armed.clear();
    },
  };
}

/** Every directory to watch, with what matters in it. */
function directoriesOf(roots: readonly string[]): Map<string, Interest> {
  const out = new Map<string, Interest>();
  const add = (dir: string, interest: Interest) => {
    const had = out.get(dir);
    if (had === 'all' || interest === 'all') out.set(dir, 'all');
    else out.set(dir, new Set([...(had ?? []), ...interest]));
  };
  const seen = new Set<string>();
  const walk = (dir: string) => {
    const real = realpathOf(dir);
    if (real === undefined || seen.has(real)) return;
    seen.add(real);
    add(dir, 'all');
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory() || (e.isSymbolicLink() && isDirectory(p))) walk(p);
    }
  };
  for (const root of roots) {
    // The nearest existing ancestor sees the root (or the missing directory above it) appear.
    let child = path.resolve(root);
    let parent = path.dirname(child);
    while (!isDirectory(parent) && parent !== path.dirname(parent)) {
      child = parent;
      parent = path.dirname(parent);
    }
    add(parent, new Set([path.basename(child)]));
    if (isDirectory(root)) walk(path.resolve(root));
  }
  return out;
}

function identityOf(dir: string): string | undefined {
  try {
    const st = fs.statSync(dir, { bigint: true });
    return st.isDirectory() ? `${st.dev}:${st.ino}:${st.birthtimeNs}` : undefined;
  } catch {
    return undefined;
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}

function realpathOf(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}
