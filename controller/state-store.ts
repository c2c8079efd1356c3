/**
 * The state directory of `serve`: where the last good state survives a restart. Writes are atomic
 * (a temporary file, fsync, rename over the old one, fsync of the directory), so a crash at any
 * moment leaves either the previous state or the new one, never half of one. A state file that
 * cannot be read or decoded is reported and ignored: serving goes on from the sources alone.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../policy-compiler/index.js';
import type { Logger } from '../telemetry/index.js';
import { decodeState, encodeState, type LastGoodState } from './last-good-state.js';

export const STATE_FILE = 'last-good.json';

export interface StateLoad {
  readonly state?: LastGoodState;
  /** Why the state file was ignored, when it was. */
  readonly problem?: Diagnostic;
}

export class StateStore {
  readonly file: string;
  private written: string | undefined;

  constructor(readonly dir: string, private readonly logger: Logger) {
    this.file = path.join(dir, STATE_FILE);
  }

  load(): StateLoad {
    this.removeLeftovers();
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      return { problem: this.problem('state.unreadable', error instanceof Error ? error.message : String(error)) };
    }
    const decoded = decodeState(text);
    if (!decoded.ok) return { problem: this.problem('state.corrupt', `${decoded.problem}${this.keepAside()}`) };
    this.written = text;
    return { state: decoded.state };
  }

  /** Persists `state` unless the file already holds exactly it. Returns the error when writing failed. */
  save(state: LastGoodState): Error | undefined {
    const text = encodeState(state);
    if (text === this.written) return undefined;
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      const fd = fs.openSync(tmp, 'w', 0o600);
      try {
        fs.writeSync(fd, text);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.file);
      const dirFd = fs.openSync(this.dir, 'r');
      try {
        fs.fsyncSync(dirFd);
      } finally {
        fs.closeSync(dirFd);
      }
      this.written = text;
      return undefined;
    } catch (error) {
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // Nothing more to do: the error below says what failed.
      }
      const e = error instanceof Error ? error : new Error(String(error));
      this.logger.error('cannot save the last good state; a restart would start from the sources alone', { file: this.file, error: e });
      return e;
    }
  }

  /** Temporary files of writes a crash interrupted (the state file itself is whole: the rename never happened). */
  private removeLeftovers(): void {
    try {
      const prefix = `${STATE_FILE}.`;
      for (const f of fs.readdirSync(this.dir)) if (f.startsWith(prefix) && f.endsWith('.tmp')) fs.rmSync(path.join(this.dir, f), { force: true });
    } catch {
      // No directory yet, or not ours to clean: the next save says what is wrong, if anything.
    }
  }

  /** Keeps a state file that cannot be decoded beside the next one, for whoever wants to look at it. */
  private keepAside(): string {
    try {
      fs.copyFileSync(this.file, `${this.file}.corrupt`);
      return ` (kept as ${path.basename(this.file)}.corrupt)`;
    } catch {
      return '';
    }
  }

  private problem(code: string, message: string): Diagnostic {
    return { severity: 'error', code, file: this.file, path: '', message: `${message}; the state file is ignored` };
  }
}

/** Where `serve` keeps its state by default: `/var/lib/sluice` as root, else the XDG state home. */
export function defaultStateDir(env: { readonly uid: number; readonly home: string; readonly xdgStateHome?: string | undefined }): string {
  if (env.uid === 0) return '/var/lib/sluice';
  if (env.xdgStateHome && path.isAbsolute(env.xdgStateHome)) return path.join(env.xdgStateHome, 'sluice');
  return path.join(env.home, '.local', 'state', 'sluice');
}
