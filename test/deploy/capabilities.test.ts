/**
 * The node agent's eBPF loader needs exactly the capabilities the chart gives it, measured on this
 * kernel: `sluice bpf load` run as UID 0 with every capability dropped but the ones named
 * (setpriv: bounding, inheritable and ambient sets) attaches the programs with CAP_BPF,
 * CAP_NET_ADMIN and CAP_PERFMON (the node-mode Pods' sk_lookup check reads a socket's network
 * namespace through BTF, which the verifier allows only with CAP_PERFMON): the kernel accepts
 * every load and attach. With any two of them it is refused (by sluice's own check of its
 * capabilities, before the kernel would refuse). CAP_SYS_RESOURCE (RLIMIT_MEMLOCK) matters only
 * on kernels before 5.11, which charge BPF maps to memlock; the chart keeps it for them
 * (`nodeAgent.memlockCapability`). `sluice node-agent` (what the DaemonSet runs) is measured the
 * same way: with those three it attaches, writes its rules and ACKs. Attaching a sidecar Pod's inbound
 * steering in the Pod's network namespace opens `/proc/<pid>/ns/net` of another user's process:
 * refused (EACCES) without CAP_SYS_PTRACE, attached with it, so the chart adds it (and hostPID).
 * The node Envoy, for a node-mode Pod's listener opened through the agent's link to another user's
 * /proc/<pid>/ns/net: refused without CAP_SYS_PTRACE (opening it) or CAP_SYS_ADMIN (setns), opened
 * with both, which is what the chart gives it with nodeAgent.podInbound.
 * Needs root, cgroup v2, bpffs and the built object and CLI.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { findCgroup2Mount } from '../../bpf/index.js';
import { findEnvoy } from '../../controller/envoy-binary.js';
import { freePort } from '../support/poll.js';
import { missingForKernelTests } from '../../bench/redirect/sandbox.js';
import { encodeMessage, MESSAGES } from '../../envoy-api/index.js';
import { createSnapshot, SnapshotCache, TYPE_URL, XdsServer, type XdsEvent } from '../../xds-server/index.js';

const CLI = path.resolve('dist/cli/main.js');
const missing = missingForKernelTests() ?? (fs.existsSync(CLI) ? undefined : 'dist/cli/main.js is not built (make build)') ?? (fs.existsSync('/usr/bin/setpriv') ? undefined : 'no setpriv (util-linux)');
const describeCaps = (name: string, fn: () => void) => {
  if (!missing) describe(name, fn);
  else if (process.env['CI'] === 'true') describe(name, () => it('has what the kernel suites need', () => { throw new Error(missing); }));
  else {
    console.warn(`[skip] ${name}: ${missing}`);
    describe.skip(name, fn);
  }
};

describeCaps('the eBPF loader\'s capabilities, measured', () => {
  const tag = `sluice-caps-${process.pid}`;
  let cgroup: string;
  const pin = `/sys/fs/bpf/${tag}`;
  const load = (caps: readonly string[]) => {
    const set = ['-all', ...caps.map((c) => `+${c}`)].join(',');
    return spawnSync('setpriv', ['--reuid=0', `--inh-caps=${set}`, `--ambient-caps=${set}`, `--bounding-set=${set}`, process.execPath, CLI, 'bpf', 'load', '--cgroup', cgroup, '--pin-root', pin], { encoding: 'utf8' });
  };
  const unload = () => spawnSync(process.execPath, [CLI, 'bpf', 'unload', '--pin-root', pin], { encoding: 'utf8' });

  beforeAll(() => {
    cgroup = path.join(findCgroup2Mount() ?? '/sys/fs/cgroup', tag);
    fs.mkdirSync(cgroup, { recursive: true });
  });
  afterAll(() => {
    unload();
    fs.rmSync(cgroup, { recursive: true, force: true });
  });

  it('attaches with CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON alone', () => {
    const r = load(['bpf', 'net_admin', 'perfmon']);
    expect({ status: r.status, out: r.stdout + r.stderr }).toMatchObject({ status: 0, out: expect.stringContaining('attachment(s) created') });
    expect(unload().status).toBe(0);
  });

  it.each([[['bpf', 'net_admin']], [['bpf', 'perfmon']], [['net_admin', 'perfmon']], [[]]])('is refused with only %j', (caps) => {
    const r = load(caps);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('needs root (CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON, or CAP_SYS_ADMIN)');
    unload();
  });
});

describeCaps('the node agent\'s capabilities, measured', () => {
  const tag = `sluice-caps-agent-${process.pid}`;
  const pin = `/sys/fs/bpf/${tag}`;
  const uid = '0000000a-0000-0000-0000-00000000000a';
  let root: string;
  const podPath = `kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${uid.replace(/-/g, '_')}.slice/cri-containerd-c.scope`;
  const cache = new SnapshotCache();
  const server = new XdsServer({ cache });
  const events: XdsEvent[] = [];
  let port = 0;

  beforeAll(async () => {
    root = path.join(findCgroup2Mount() ?? '/sys/fs/cgroup', tag);
    fs.mkdirSync(path.join(root, podPath), { recursive: true });
    port = await server.listen('127.0.0.1:0');
    server.on((e) => events.push(e));
    const json = { host: 'caps', redirects: [{ proxy: 'caps', port: 443, proxy_port: 15001, workloads: ['shop/web'], pod_uid: uid, bind_v4: '10.9.9.9' }] };
    const r = createSnapshot([{ typeUrl: TYPE_URL.REDIRECTS, name: 'caps', body: encodeMessage(MESSAGES.nodeRedirects, json) }]);
    if (!r.ok) throw new Error('snapshot');
    cache.set('caps.agent', r.snapshot);
  });
  afterAll(async () => {
    await server.close();
    spawnSync(process.execPath, [CLI, 'bpf', 'unload', '--pin-root', pin], { encoding: 'utf8' });
    // Deepest first; a cgroup directory holds only its control files, which rmdir takes along.
    for (let dir = path.join(root, podPath); dir.startsWith(root); dir = path.dirname(dir)) fs.rmdirSync(dir);
  });

  it('attaches, writes its rules and ACKs with CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON alone', async () => {
    const set = '-all,+bpf,+net_admin,+perfmon';
    const child = spawn('setpriv', ['--reuid=0', `--inh-caps=${set}`, `--ambient-caps=${set}`, `--bounding-set=${set}`, process.execPath, CLI, 'node-agent', '--node', 'caps',
      '--xds-address', `127.0.0.1:${port}`, '--cgroup-root', root, '--pin-root', pin, '--admin', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      const end = Date.now() + 15000;
      while (!events.some((e) => e.kind === 'ack' && e.nodeId === 'caps.agent') && Date.now() < end && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      expect({ acked: events.some((e) => e.kind === 'ack' && e.nodeId === 'caps.agent'), err: child.exitCode === null ? '' : err }).toEqual({ acked: true, err: '' });
      const status = spawnSync(process.execPath, [CLI, 'bpf', 'status', '--pin-root', pin], { encoding: 'utf8' });
      expect(status.stdout).toContain('*:443 (IPv4) → 127.0.0.1:15001 bind 10.9.9.9');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describeCaps("the node agent's capability to steer a sidecar Pod's inbound, measured", () => {
  const tag = `sluice-caps-podns-${process.pid}`;
  const pin = `/sys/fs/bpf/${tag}`;
  const netns = `sl-${tag}`;
  let cgroup: string;
  let pod: ReturnType<typeof spawn> | undefined;
  const BPF = path.resolve('dist/bpf/index.js');

  beforeAll(async () => {
    cgroup = path.join(findCgroup2Mount() ?? '/sys/fs/cgroup', tag);
    fs.mkdirSync(cgroup, { recursive: true });
    expect(spawnSync(process.execPath, [CLI, 'bpf', 'load', '--cgroup', cgroup, '--pin-root', pin], { encoding: 'utf8' }).status).toBe(0);
    expect(spawnSync('ip', ['netns', 'add', netns]).status).toBe(0);
    // A Pod's process: another user, in a network namespace of its own.
    pod = spawn('nsenter', [`--net=/run/netns/${netns}`, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'sleep', '120'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
  });
  afterAll(async () => {
    pod?.kill('SIGKILL');
    spawnSync(process.execPath, [CLI, 'bpf', 'unload', '--pin-root', pin], { encoding: 'utf8' });
    spawnSync('ip', ['netns', 'del', netns]);
    fs.rmSync(cgroup, { recursive: true, force: true });
  });

  // What the agent does for a sidecar Pod (bpf/loader/pod-links.ts), as UID 0 with only these capabilities.
  const attach = (caps: readonly string[]) => {
    const set = ['-all', ...caps.map((c) => `+${c}`)].join(',');
    const script = `import(${JSON.stringify(BPF)}).then((m) => { try { console.log(JSON.stringify({ created: m.attachPodNetns(${JSON.stringify(pin)}, '/proc/${pod?.pid}/ns/net').created })); } catch (e) { console.log(JSON.stringify({ error: String(e.code ?? e.message) })); } })`;
    const r = spawnSync('setpriv', ['--reuid=0', `--inh-caps=${set}`, `--ambient-caps=${set}`, `--bounding-set=${set}`, process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8' });
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { created?: boolean; error?: string };
  };

  it("is refused another user's /proc/PID/ns/net with CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON alone, and attaches sk_lookup there with CAP_SYS_PTRACE too", () => {
    expect(attach(['bpf', 'net_admin', 'perfmon'])).toEqual({ error: 'EACCES' });
    expect(attach(['bpf', 'net_admin', 'perfmon', 'sys_ptrace'])).toEqual({ created: true });
  });
});

describeCaps("the node Envoy's capabilities for a node-mode Pod's listener, measured", () => {
  // What the chart's Envoy does with nodeAgent.podInbound: open a listener inside a Pod's network
  // namespace through the agent's link to /proc/<pid>/ns/net of a process of another user.
  const netns = `sluice-caps-envoy-${process.pid}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-caps-envoy-'));
  const envoy = findEnvoy();
  let pod: ReturnType<typeof spawn> | undefined;
  let port = 0;

  beforeAll(async () => {
    expect(spawnSync('ip', ['netns', 'add', netns]).status).toBe(0);
    pod = spawn('nsenter', [`--net=/run/netns/${netns}`, 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'sleep', '120'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
    fs.symlinkSync(`/proc/${pod.pid}/ns/net`, path.join(dir, 'link'));
    port = await freePort();
    const admin = await freePort();
    const listener = {
      name: 'in-pod',
      address: { socket_address: { address: '0.0.0.0', port_value: port, network_namespace_filepath: path.join(dir, 'link') } },
      filter_chains: [{ filters: [{ name: 'envoy.filters.network.direct_response', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.direct_response.v3.Config', response: { inline_string: 'ok' } } }] }],
    };
    fs.writeFileSync(path.join(dir, 'bootstrap.json'), JSON.stringify({ admin: { address: { socket_address: { address: '127.0.0.1', port_value: admin } } }, static_resources: { listeners: [listener] } }));
  });
  afterAll(() => {
    pod?.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', netns]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Envoy as UID 0 with only `caps`: whether its listener opened in the Pod's namespace, or why Envoy refused it. */
  const run = async (caps: readonly string[]): Promise<string> => {
    if (!('path' in envoy)) throw new Error(envoy.missing);
    const set = ['-all', ...caps.map((c) => `+${c}`)].join(',');
    const child = spawn('setpriv', ['--reuid=0', `--inh-caps=${set}`, `--ambient-caps=${set}`, `--bounding-set=${set}`, envoy.path, '-c', path.join(dir, 'bootstrap.json'), '--disable-hot-restart', '-l', 'error'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    try {
      const deadline = Date.now() + 15_000;
      while (Date.now() < deadline) {
        if (spawnSync('ip', ['netns', 'exec', netns, 'ss', '-Hltn', `sport = :${port}`], { encoding: 'utf8' }).stdout.trim() !== '') return 'listening in the Pod namespace';
        if (child.exitCode !== null) return /failed to (?:open|set) netns[^\n`']+/.exec(err)?.[0] ?? `exited: ${err.slice(0, 200)}`;
        await new Promise((r) => setTimeout(r, 100));
      }
      return 'neither listening nor refused';
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  };

  it('opens it with CAP_SYS_ADMIN (setns) and CAP_SYS_PTRACE (another user\'s namespace file) together, and is refused with either alone', async () => {
    expect(await run([])).toMatch(/^failed to open netns file .*: Permission denied/);
    expect(await run(['sys_ptrace'])).toMatch(/^failed to set netns to .*: Operation not permitted/);
    expect(await run(['sys_admin'])).toMatch(/^failed to open netns file .*: Permission denied/);
    expect(await run(['sys_admin', 'sys_ptrace'])).toBe('listening in the Pod namespace');
  }, 90_000);
});
