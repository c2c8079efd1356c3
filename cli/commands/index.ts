/** Every `sluice` subcommand, in the order `sluice --help` lists them. Add a command here. */
import type { Command } from '../command.js';

export const COMMANDS: readonly Command[] = [];
