/**
 * The one error type for failures of the environment (a kernel feature missing, a file that cannot
 * be written, a library that cannot be loaded): a stable `code` to react to, a message to print as
 * it is, `details` (a verifier's log lines, say) and the `cause`. Parts define their closed code
 * sets by subclassing (`BpfError`, `CertsError`). Bad input is a `Diagnostic` instead, and a bug
 * is any other exception.
 *
 * The logger writes an error with `serializeError`, so code, details and cause reach the log.
 */
export class EnvironmentError<Code extends string = string> extends Error {
  override readonly name: string = 'EnvironmentError';
  constructor(
    readonly code: Code,
    message: string,
    /** Lines that explain the failure (libbpf's log around it, the verifier's output), when any. */
    readonly details: readonly string[] = [],
    options?: { readonly cause?: unknown },
  ) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
  }
}

/** What the logs say of an error: its name and message, every own field (code, details, errno, syscall, path, ...) and its cause, in full. */
export function serializeError(error: Error, depth = 0): Record<string, unknown> {
  const own = Object.fromEntries(Object.entries(error).filter(([k]) => k !== 'name' && k !== 'message' && k !== 'cause' && k !== 'stack'));
  const cause = error.cause;
  return {
    name: error.name,
    message: error.message,
    ...own,
    ...(cause !== undefined ? { cause: cause instanceof Error && depth < 5 ? serializeError(cause, depth + 1) : String(cause) } : {}),
  };
}

/** What a command prints of an error on stderr: the message, an EnvironmentError's `[code]`, and its details indented below. */
export function formatErrorLines(error: unknown): string {
  if (!(error instanceof Error)) return `${String(error)}\n`;
  if (!(error instanceof EnvironmentError)) return `${error.message}\n`;
  return `${error.message} [${error.code}]\n${error.details.map((line) => `  ${line}\n`).join('')}`;
}
