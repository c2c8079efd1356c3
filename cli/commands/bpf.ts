/** `sluice bpf load|status|unload`: the eBPF redirect dataplane by hand (serve does the same with --bpf-cgroup). */
import { parseCommandArgs } from '../args.js';
import { EXIT, UsageError, type Command, type CommandIo } from '../command.js';
import { BpfError, DEFAULT_PIN_ROOT, attachDataplane, readStatus, unloadDataplane, type DataplaneStatus } from '../../bpf/index.js';
import { formatErrorLines } from '../../problems/index.js';

const LOAD_HELP = `Usage: sluice bpf load --cgroup PATH [options]

Loads bpf/build/redirect.bpf.o, attaches its connect4/connect6/sockops/getsockopt programs to the
workload cgroup (v2), its listener registration to each proxy cgroup, and its inbound sk_lookup
program to this network namespace, and pins maps and links under the pin root, so they outlive
this command. Inbound connections to protected ports are dropped while no proxy listens.
Safe to run again: existing maps (and their entries) are reused and pinned links are updated in
place, so connections keep flowing. Needs root (CAP_BPF + CAP_NET_ADMIN, or CAP_SYS_ADMIN).

Options:
  --cgroup PATH          workload cgroup whose outbound connections are steered (required)
  --pin-root DIR         where to pin (default ${DEFAULT_PIN_ROOT}; must be on bpffs)
  --proxy-cgroup PATH    cgroup the proxy runs in: never redirected, answers SO_ORIGINAL_DST,
                         and the only place whose listeners inbound connections go to (repeatable)
  --inbound-iface IFACE  steer new inbound connections arriving on IFACE (repeatable; default:
                         every interface of this network namespace except loopback)
  --proxy-mark N         sockets with this SO_MARK are the proxy's and never redirected
  --object PATH          the compiled object (default bpf/build/redirect.bpf.o)
  -h, --help             show this help

Example:
  sluice bpf load --cgroup /sys/fs/cgroup/unified/shop --proxy-cgroup /sys/fs/cgroup/unified/envoy
`;

const STATUS_HELP = `Usage: sluice bpf status [--pin-root DIR] [-o text|json]

Prints what is loaded under the pin root: attachments with their program ids, the redirect
rules (e.g. "outbound 10.1.0.7:8080 → 127.0.0.1:15001"), proxy cgroups, live flows and the
programs' counters. Exits 3 when nothing is loaded there.

Options:
  --pin-root DIR         default ${DEFAULT_PIN_ROOT}
  -o, --output text|json output format (default text)
  -h, --help             show this help
`;

const UNLOAD_HELP = `Usage: sluice bpf unload [--pin-root DIR]

Detaches every program sluice attached from the pin root (cgroup and netns links, the sk_msg
verdict) and removes its pins, maps included. Redirected connections already established keep
working; new ones are no longer redirected.

Options:
  --pin-root DIR   default ${DEFAULT_PIN_ROOT}
  -h, --help       show this help
`;

function fail(io: CommandIo, command: string, error: unknown): number {
  if (!(error instanceof BpfError)) throw error;
  io.stderr(`sluice ${command}: ${formatErrorLines(error)}`);
  return EXIT.failure;
}

const port = (flag: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new UsageError(`${flag}: expected an unsigned 32-bit integer, got "${text}"`);
  return n;
};

const bpfLoadCommand: Command = {
  name: 'bpf load',
  summary: 'load and attach the eBPF redirect programs to a workload cgroup (idempotent)',
  help: LOAD_HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      cgroup: { type: 'string' },
      'pin-root': { type: 'string', default: DEFAULT_PIN_ROOT },
      'proxy-cgroup': { type: 'string', multiple: true },
      'inbound-iface': { type: 'string', multiple: true },
      'proxy-mark': { type: 'string' },
      object: { type: 'string' },
    });
    if (!values.cgroup) throw new UsageError('--cgroup PATH is required');
    try {
      const report = attachDataplane({
        cgroup: values.cgroup,
        pinRoot: values['pin-root'],
        proxyCgroups: values['proxy-cgroup'] ?? [],
        inboundInterfaces: values['inbound-iface'] ?? [],
        proxyMark: port('--proxy-mark', values['proxy-mark']),
        objectPath: values.object,
      });
      io.stdout(
        `loaded under ${values['pin-root']} for cgroup ${values.cgroup} (id ${report.cgroupId}): ` +
          `${report.created.length} attachment(s) created, ${report.updated.length} updated in place, ` +
          `${report.reusedMaps.length} map(s) reused with their entries\n`,
      );
      return EXIT.ok;
    } catch (error) {
      return fail(io, 'bpf load', error);
    }
  },
};

/** The status in the readable form `sluice bpf status` prints. */
function formatStatus(status: DataplaneStatus): string {
  const out: string[] = [`pin root ${status.pinRoot}`, 'attachments:'];
  for (const a of status.attachments) {
    if (a.kind === 'cgroup') out.push(`  cgroup ${a.cgroupId} ${a.hook.padEnd(10)} prog ${a.programId} ${a.programName}`);
    else out.push(`  netns ${a.netnsIno} ${a.hook.padEnd(10)} prog ${a.programId} ${a.programName}`);
  }
  if (status.attachments.length === 0) out.push('  (none)');
  out.push('rules:');
  for (const r of status.rules) out.push(`  ${r.text}`);
  if (status.rules.length === 0) out.push('  (none)');
  out.push(`proxy cgroups: ${status.proxyCgroups.length === 0 ? '(none)' : status.proxyCgroups.join(', ')}`);
  out.push(`workload cgroups: ${status.workloads.length === 0 ? '(none)' : status.workloads.join(', ')}`);
  out.push(`proxy listeners: ${status.listeners.length === 0 ? '(none: new inbound connections to protected ports are refused)' : status.listeners.join(', ')}`);
  if (status.cgroupListeners.length > 0) out.push(`listeners by cgroup (a sidecar's takes its Pod's inbound): ${status.cgroupListeners.join(', ')}`);
  out.push(`inbound interfaces: ${status.inboundInterfaces.map((i) => (i === 'any' ? 'all but loopback' : `ifindex ${i}`)).join(', ') || '(none)'}`);
  out.push(`flows: ${status.flows}    sockmap fast path: ${status.sockmap ? 'on' : 'off'}`);
  out.push(`counters: ${Object.entries(status.stats).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  return `${out.join('\n')}\n`;
}

const bpfStatusCommand: Command = {
  name: 'bpf status',
  summary: 'show the loaded eBPF programs, attachments and redirect map contents',
  help: STATUS_HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      'pin-root': { type: 'string', default: DEFAULT_PIN_ROOT },
      output: { type: 'string', short: 'o', default: 'text' },
    });
    if (values.output !== 'text' && values.output !== 'json') throw new UsageError(`--output: expected text or json, got "${values.output}"`);
    try {
      const status = readStatus(values['pin-root']);
      io.stdout(
        values.output === 'json'
          ? `${JSON.stringify(status, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`
          : formatStatus(status),
      );
      return EXIT.ok;
    } catch (error) {
      return fail(io, 'bpf status', error);
    }
  },
};

const bpfUnloadCommand: Command = {
  name: 'bpf unload',
  summary: 'detach the eBPF redirect programs and remove their pins',
  help: UNLOAD_HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { 'pin-root': { type: 'string', default: DEFAULT_PIN_ROOT } });
    try {
      const report = unloadDataplane({ pinRoot: values['pin-root'] });
      io.stdout(`unloaded ${values['pin-root']}: ${report.removed.length} pin(s) removed\n`);
      return EXIT.ok;
    } catch (error) {
      return fail(io, 'bpf unload', error);
    }
  },
};

/** Registered as one entry in cli/commands/index.ts. */
export const BPF_COMMANDS: readonly Command[] = [bpfLoadCommand, bpfStatusCommand, bpfUnloadCommand];
