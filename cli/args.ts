/** Option parsing shared by the commands: `parseArgs` in strict mode, with errors as `UsageError`. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<O extends Options>(args: readonly string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Splits `HOST:PORT` (IPv6 as `[::1]:18000`); a usage error names the flag. */
export function parseHostPort(flag: string, value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[3]) : NaN;
  const host = match?.[1] ?? match?.[2];
  if (!host || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(`${flag}: expected HOST:PORT (for example 127.0.0.1:18000), got "${value}"`);
  }
  return { host, port };
}
