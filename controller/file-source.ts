/**
 * Watches the policy directory and the inventory file and calls back, debounced, when anything
 * under them changes: a burst of writes (an editor saving, `git checkout`) becomes one reload
 * after `quietMs` without events, and a steady stream of events still reloads every `maxDelayMs`.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../telemetry/index.js';

export interface WatchOptions {
  readonly paths: readonly string[];
  readonly onChange: () => void;
  readonly logger: Logger;
  readonly quietMs?: number;
  readonly maxDelayMs?: number;
}

export interface Watcher {
  close(): void;
}

export function watchSources(options: WatchOptions): Watcher {
  const quietMs = options.quietMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 1000;
  let quiet: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  const fire = () => {
    clearTimeout(quiet);
    clearTimeout(deadline);
    quiet = deadline = undefined;
    options.onChange();
  };
  const poke = () => {
    clearTimeout(quiet);
    quiet = setTimeout(fire, quietMs);
    deadline ??= setTimeout(fire, maxDelayMs);
  };
  const watchers: fs.FSWatcher[] = [];
  for (const p of options.paths) {
    // A file is watched through its directory: editors replace files by rename, which a watch on
    // the file itself would miss.
    const isDir = fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
    const dir = isDir ? p : path.dirname(p);
    const base = isDir ? undefined : path.basename(p);
    try {
      const w = fs.watch(dir, { recursive: isDir }, (_event, file) => {
        if (base === undefined || file === null || file === base) poke();
      });
      w.on('error', (error) => options.logger.error('watching sources failed', { path: dir, error }));
      watchers.push(w);
    } catch (error) {
      options.logger.error('cannot watch sources', { path: dir, error });
    }
  }
  return {
    close() {
      clearTimeout(quiet);
      clearTimeout(deadline);
      for (const w of watchers) w.close();
    },
  };
}
