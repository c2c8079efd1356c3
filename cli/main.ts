#!/usr/bin/env node
/** `sluice`: the command-line entry point. Dispatches to a subcommand; prints help and usage errors. */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from './commands/index.js';
import { EXIT, UsageError, type Command, type CommandIo } from './command.js';
import { formatErrorLines } from '../problems/index.js';

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 8);
  return [
    'sluice: an API-aware L7 policy controller (HTTP, gRPC, Kafka) for Envoy and proxyless gRPC',
    '',
    'Usage: sluice <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `sluice <command> --help` for the options of a command.',
    '',
  ].join('\n');
}

/** The commands under a group word (`certs` → certs init, certs issue, ...): `sluice certs --help` lists them. */
function group(word: string | undefined): string | undefined {
  const members = COMMANDS.filter((c) => c.name.includes(' ') && c.name.split(' ')[0] === word);
  if (members.length === 0) return undefined;
  const width = Math.max(...members.map((c) => c.name.length));
  return [
    `Usage: sluice ${word ?? ''} <command> [options]`,
    '',
    'Commands:',
    ...members.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run \`sluice ${members[0]?.name ?? ''} --help\` (and so on) for the options of a command.`,
    '',
  ].join('\n');
}

/** Finds the longest command name that prefixes the arguments (`bpf load` before `bpf`). */
function findCommand(argv: readonly string[]): { command: Command; rest: readonly string[] } | undefined {
  const candidates = [...COMMANDS].sort((a, b) => b.name.split(' ').length - a.name.split(' ').length);
  for (const command of candidates) {
    const words = command.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { command, rest: argv.slice(words.length) };
  }
  return undefined;
}

export async function main(argv: readonly string[], io: CommandIo): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout(overview());
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  const found = findCommand(argv);
  if (!found) {
    const members = group(argv[0]);
    const rest = argv.slice(1);
    if (members !== undefined && (rest.length === 0 || rest[0] === '--help' || rest[0] === '-h')) {
      // `sluice certs --help`: the group's commands; `sluice certs` alone is a usage error with the same list.
      if (rest.length === 0) {
        io.stderr(members);
        return EXIT.usage;
      }
      io.stdout(members);
      return EXIT.ok;
    }
    io.stderr(`sluice: unknown command "${argv.join(' ')}"\n\n${members ?? overview()}`);
    return EXIT.usage;
  }
  if (found.rest.includes('--help') || found.rest.includes('-h')) {
    io.stdout(found.command.help);
    return EXIT.ok;
  }
  try {
    return await found.command.run(found.rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`sluice ${found.command.name}: ${error.message}\n\n${found.command.help}`);
      return EXIT.usage;
    }
    io.stderr(`sluice ${found.command.name}: ${formatErrorLines(error)}`);
    return EXIT.failure;
  }
}

const entry = process.argv[1];
const isEntryPoint = entry !== undefined && realpathSync(entry) === fileURLToPath(import.meta.url);
if (isEntryPoint) {
  const controller = new AbortController();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => controller.abort());
  const io: CommandIo = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    signal: controller.signal,
  };
  main(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
