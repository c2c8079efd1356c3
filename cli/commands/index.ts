/** Every `sluice` subcommand, in the order `sluice --help` lists them. Add a command here. */
import type { Command } from '../command.js';
import { BPF_COMMANDS } from './bpf.js';
import { bootstrapCommand } from './bootstrap.js';
import { CERTS_COMMANDS } from './certs.js';
import { compileCommand } from './compile.js';
import { serveCommand } from './serve.js';
import { simulateCommand } from './simulate.js';
import { kafkaProxyCommand } from './kafka-proxy.js';
import { validateCommand } from './validate.js';
import { FLOW_COMMANDS } from './flows.js';
import { webhookCommand } from './webhook.js';
import { controllerCommand } from './controller.js';
import { nodeAgentCommand } from './node-agent.js';

export const COMMANDS: readonly Command[] = [
  serveCommand,
  validateCommand,
  compileCommand,
  simulateCommand,
  bootstrapCommand,
  ...BPF_COMMANDS,
  kafkaProxyCommand,
  ...CERTS_COMMANDS,
  ...FLOW_COMMANDS,
  webhookCommand,
  controllerCommand,
  nodeAgentCommand,
];
