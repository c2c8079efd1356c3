/**
 * The shape every `sluice` subcommand has. A command gets its arguments (after the command name)
 * and the process's streams; it returns the exit code. Commands parse options with
 * `node:util` `parseArgs` in strict mode, so an unknown flag is an error, not silently ignored.
 */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Fires when the process is asked to stop (SIGINT/SIGTERM); long-running commands listen. */
  readonly signal: AbortSignal;
}

export interface Command {
  /** The word after `sluice`, or two words for a group (`bpf load`). */
  readonly name: string;
  /** One line for `sluice --help`. */
  readonly summary: string;
  /** The full `--help` text: usage line, options, examples. */
  readonly help: string;
  run(args: readonly string[], io: CommandIo): Promise<number>;
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, invalid: 1, usage: 2, failure: 3 } as const;

/** Thrown by option parsing helpers; main prints it with the command's usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
