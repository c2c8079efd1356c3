/** Option parsing shared by the commands: `parseArgs` in strict mode, with errors as `UsageError`. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from '../certs/index.js';
import { splitHostPort } from '../ip/index.js';
import type { LogLevel } from '../telemetry/index.js';
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
  const address = splitHostPort(value);
  if (!address) throw new UsageError(`${flag}: expected HOST:PORT (for example 127.0.0.1:18000), got "${value}"`);
  return address;
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** `--log-level`: one of the logger's levels. */
export function parseLogLevel(value: string): LogLevel {
  const level = LOG_LEVELS.find((l) => l === value);
  if (!level) throw new UsageError(`--log-level: expected one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  return level;
}

/** A positive duration flag (`24h`, `90m`, `1d12h`, `500ms`). */
export function parseDurationFlag(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new UsageError(`${flag}: expected a duration such as 24h, 90m or 1d12h, got "${text}"`);
  return ms;
}
