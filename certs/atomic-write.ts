/**
 * Writing files so that a crash or a failure never leaves a half-written one: each file is written
 * to a temporary file beside it (created with its final mode, so a key is never readable by
 * others, even for a moment), fsynced, renamed over the target, and the directory fsynced.
 * A set of files (a secret's tls.crt, tls.key, ca.crt) is staged completely before the first
 * rename, so a failure while writing leaves every old file as it was. The file system is a seam:
 * tests inject failures at each step.
 */
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { reason } from './keys.js';
import { CertsError } from './problems.js';

export interface FsSeam {
  /** Creates `file` (it must not exist) with `mode`, writes `data`, fsyncs and closes it. */
  writeNew(file: string, data: string, mode: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; no error when it is already gone. */
  remove(file: string): Promise<void>;
  /** fsyncs a directory, so that renames in it survive a power loss. */
  syncDir(dir: string): Promise<void>;
  /** What is at `file`, without following a symbolic link. */
  kindOf(file: string): Promise<'file' | 'missing' | 'other'>;
  mkdir(dir: string, mode: number): Promise<void>;
}

export const nodeFs: FsSeam = {
  async writeNew(file, data, mode) {
    const handle = await fsp.open(file, 'wx', mode);
    try {
      await handle.writeFile(data);
      await handle.chmod(mode); // the umask may have taken bits off the mode open() was given
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => fsp.rename(from, to),
  remove: (file) => fsp.rm(file, { force: true }),
  async syncDir(dir) {
    const handle = await fsp.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  async kindOf(file) {
    try {
      return (await fsp.lstat(file)).isFile() ? 'file' : 'other';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      throw error;
    }
  },
  mkdir: async (dir, mode) => {
    await fsp.mkdir(dir, { recursive: true, mode });
  },
};

export interface FileToWrite {
  readonly name: string;
  readonly data: string;
  readonly mode: number;
}

let sequence = 0;

/** Writes `files` into `dir` (created 0700 when missing), each atomically; see the module comment for the guarantees. */
export async function writeFilesAtomically(dir: string, files: readonly FileToWrite[], fs: FsSeam = nodeFs): Promise<void> {
  try {
    await fs.mkdir(dir, 0o700);
  } catch (error) {
    throw new CertsError('write-failed', `${dir}: cannot create the directory: ${reason(error)}`, dir);
  }
  // A target that is a directory or a link would make its rename fail after others were done: refuse first.
  for (const file of files) {
    const target = path.join(dir, file.name);
    const kind = await fs.kindOf(target).catch((error: unknown) => {
      throw new CertsError('write-failed', `${target}: ${reason(error)}`, target);
    });
    if (kind === 'other') throw new CertsError('write-failed', `${target} exists and is not a regular file; nothing was written`, target);
  }
  const staged: { temp: string; target: string }[] = [];
  try {
    for (const file of files) {
      const temp = path.join(dir, `.${file.name}.tmp-${process.pid}-${++sequence}`);
      staged.push({ temp, target: path.join(dir, file.name) });
      await fs.writeNew(temp, file.data, file.mode);
    }
  } catch (error) {
    await Promise.all(staged.map((s) => fs.remove(s.temp).catch(() => undefined)));
    const failedAt = staged[staged.length - 1]?.target ?? dir;
    throw new CertsError('write-failed', `${failedAt}: ${reason(error)}; no file was replaced`, failedAt);
  }
  const replaced: string[] = [];
  for (const [i, { temp, target }] of staged.entries()) {
    try {
      await fs.rename(temp, target);
      replaced.push(path.basename(target));
    } catch (error) {
      await Promise.all(staged.slice(i).map((s) => fs.remove(s.temp).catch(() => undefined)));
      const kept = staged.slice(i).map((s) => path.basename(s.target));
      throw new CertsError('write-failed', `${target}: rename failed: ${reason(error)}; ${replaced.length > 0 ? `replaced ${replaced.join(', ')}, ` : ''}kept the old ${kept.join(', ')}`, target);
    }
  }
  try {
    await fs.syncDir(dir);
  } catch (error) {
    throw new CertsError('write-failed', `${dir}: fsync of the directory failed (the files are in place, their renames may not survive a power loss): ${reason(error)}`, dir);
  }
}
