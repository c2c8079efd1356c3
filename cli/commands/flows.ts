/** The flow commands, registered together: `sluice observe` and `sluice audit-report`. */
import type { Command } from '../command.js';
import { auditReportCommand } from './audit-report.js';
import { observeCommand } from './observe.js';

export const FLOW_COMMANDS: readonly Command[] = [observeCommand, auditReportCommand];
