/** Runs `sluice` in-process with captured output, as the CLI's own entry point does. */
import { main } from '../../cli/main.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(args: readonly string[], signal: AbortSignal = new AbortController().signal): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), signal });
  return { code, stdout, stderr };
}

/** Runs `sluice ARGS` in-process until `stop()`; its output is readable while it runs. */
export function startCli(args: readonly string[]): { out: { stdout: string; stderr: string }; done: Promise<number>; stop: () => Promise<number> } {
  const controller = new AbortController();
  const out = { stdout: '', stderr: '' };
  const done = main(args, { stdout: (t) => (out.stdout += t), stderr: (t) => (out.stderr += t), signal: controller.signal });
  return { out, done, stop: async () => (controller.abort(), done) };
}
