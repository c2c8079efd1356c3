/**
 * Load, attach, pin; and unload. Idempotent by construction: every map is pinned by name under
 * the pin root and reused by the next load (so its entries survive a controller restart), and
 * every attachment is a pinned link that a later load updates in place with the new program
 * (BPF_LINK_UPDATE) instead of detaching and re-attaching, so traffic is never unsteered.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, realpathSync, rmdirSync, unlinkSync } from 'node:fs';
import { join, sep } from 'node:path';
import { silentLogger, type Logger } from '../../telemetry/index.js';
import {
  CFG_F_SOCKMAP,
  FLOW_KEY,
  IFACE_ANY,
  LISTENER_KEY,
  MAP_NAMES,
  ORIG_DST,
  PROGRAM_NAMES,
  RULE_KEY,
  RULE_VALUE,
  SOCK_KEY,
  encodeConfig,
} from './abi.js';
import { checkBpffs, checkBtf, checkCgroup, checkPrivileges, findObject } from './environment.js';
import { BpfError, errnoName } from './errors.js';
import { getLibbpf, type Handle, type Libbpf } from './libbpf.js';
import { MAP_TYPE, PinnedMap, type MapShape } from './maps.js';
import { interfaceIndex, netnsIno, OWN_NETNS } from './netns.js';
import { BPF_SK_MSG_VERDICT, CGROUP_HOOKS, parseLinkName, pinLayout, type CgroupHook, type PinLayout } from './pins.js';

/** The shape of every pinned map, as redirect.h defines it. */
export const MAP_SHAPES: Readonly<Record<keyof typeof MAP_NAMES, MapShape>> = {
  outRules: { type: MAP_TYPE.hash, keySize: RULE_KEY.size, valueSize: RULE_VALUE.size },
  inRules: { type: MAP_TYPE.hash, keySize: RULE_KEY.size, valueSize: RULE_VALUE.size },
  proxyCgroups: { type: MAP_TYPE.hash, keySize: 8, valueSize: 4 },
  cookies: { type: MAP_TYPE.lruHash, keySize: 8, valueSize: ORIG_DST.size },
  flows: { type: MAP_TYPE.lruHash, keySize: FLOW_KEY.size, valueSize: ORIG_DST.size },
  sockhash: { type: MAP_TYPE.sockhash, keySize: SOCK_KEY.size, valueSize: 8 },
  stats: { type: MAP_TYPE.array, keySize: 4, valueSize: 8 },
  workloads: { type: MAP_TYPE.hash, keySize: 8, valueSize: 4 },
  proxyListeners: { type: MAP_TYPE.sockhash, keySize: LISTENER_KEY.size, valueSize: 8 },
  inboundIfaces: { type: MAP_TYPE.hash, keySize: 4, valueSize: 4 },
  proxyConns: { type: MAP_TYPE.lruHash, keySize: SOCK_KEY.size, valueSize: 4 },
  sidecarPorts: { type: MAP_TYPE.hash, keySize: 4, valueSize: 4 },
};

export interface AttachOptions {
  /** Where maps, links and programs are pinned (default /sys/fs/bpf/sluice). */
  readonly pinRoot: string;
  /** The workload cgroup (v2) whose connections are steered. */
  readonly cgroup: string;
  /**
   * Cgroups the proxy runs in. Their connections are never redirected (their ids go to
   * sluice_proxy_cgroups), getsockopt(SO_ORIGINAL_DST) is answered there, and the listening
   * sockets the proxy opens there are the only ones inbound connections are steered to. A proxy
   * cgroup inside the workload cgroup inherits the workload's programs.
   */
  readonly proxyCgroups?: readonly string[];
  /**
   * Interfaces (of this process's network namespace) whose new inbound connections are steered
   * to the proxy. Absent or empty: every interface except loopback.
   */
  readonly inboundInterfaces?: readonly string[];
  /** Sockets with this SO_MARK are the proxy's and never redirected (0 or absent: off). */
  readonly proxyMark?: number;
  /**
   * Experimental, default off, not offered by the CLI: the sockmap/sk_msg path between client and
   * proxy sockets. On kernel 6.18 it measured slower than the plain path and bulk senders failed
   * with ENOMEM (docs/bpf.md); it stays only so `npm run bench:redirect` can re-measure it.
   */
  readonly sockmap?: boolean;
  /** The compiled object (default: bpf/build/redirect.bpf.o). */
  readonly objectPath?: string;
  readonly logger?: Logger;
}

export interface AttachReport {
  readonly cgroupId: bigint;
  /** Pins created by this call (new attachments). */
  readonly created: readonly string[];
  /** Pinned links whose program was replaced in place (an earlier load's attachments). */
  readonly updated: readonly string[];
  /** Maps that already existed and were reused with their entries. */
  readonly reusedMaps: readonly string[];
}

const isUnder = (child: string, parent: string): boolean => {
  const c = realpathSync(child);
  const p = realpathSync(parent);
  return c === p || c.startsWith(p.endsWith(sep) ? p : p + sep);
};

/** Loads redirect.bpf.o and attaches it; safe to call again (restart, upgrade, more interfaces). */
export function attachDataplane(options: AttachOptions): AttachReport {
  const logger = options.logger ?? silentLogger;
  checkPrivileges();
  checkBtf();
  checkBpffs(options.pinRoot);
  const cgroupId = checkCgroup(options.cgroup, 'cgroup');
  const proxies = (options.proxyCgroups ?? []).map((path) => ({ path, id: checkCgroup(path, 'proxy cgroup') }));
  const ifindexes = (options.inboundInterfaces ?? []).map(interfaceIndex);
  const objectPath = findObject(options.objectPath);
  const lib = getLibbpf();
  const layout = pinLayout(options.pinRoot);
  for (const dir of [layout.root, layout.maps, layout.links, layout.progs]) mkdirSync(dir, { recursive: true });

  const reusedMaps = Object.entries(MAP_NAMES)
    .filter(([, name]) => existsSync(layout.map(name)))
    .map(([key, name]) => {
      // A pin of the wrong shape would make libbpf fail with a vague "couldn't reuse"; say exactly what is wrong.
      PinnedMap.open(layout.map(name), MAP_SHAPES[key as keyof typeof MAP_NAMES]).close();
      return name;
    });

  const log: string[] = [];
  lib.setPrint((_level, line) => {
    log.push(line);
    logger.debug('libbpf', { line });
  });
  const created: string[] = [];
  const updated: string[] = [];
  try {
    const obj = lib.objectOpen(objectPath);
    if (!obj) throw new BpfError('load-failed', `cannot open ${objectPath}: ${errnoName(lib.errno())}`, log.slice(-40));
    try {
      prepare(lib, obj, layout, options);
      const rc = lib.objectLoad(obj);
      if (rc < 0) {
        throw new BpfError('load-failed', `the kernel refused ${objectPath}: ${errnoName(rc)} (see details for libbpf's log)`, log.slice(-40));
      }
      const cgroupFd = openSync(options.cgroup, 'r');
      try {
        for (const hook of CGROUP_HOOKS) attachCgroupHook(lib, obj, cgroupFd, layout.link(cgroupId, hook), hook, created, updated);
      } finally {
        closeSync(cgroupFd);
      }
      const proxyMap = PinnedMap.open(layout.map(MAP_NAMES.proxyCgroups), MAP_SHAPES.proxyCgroups);
      try {
        for (const proxy of proxies) {
          const key = Buffer.alloc(8);
          key.writeBigUInt64LE(proxy.id);
          proxyMap.update(key, Buffer.from([1, 0, 0, 0]));
          // A proxy below the workload cgroup inherits its hooks; every proxy registers its listeners.
          const inherits = isUnder(proxy.path, options.cgroup);
          const hooks: CgroupHook[] = ['proxy_sockops', ...(inherits ? [] : options.sockmap ? (['getsockopt', 'sockops'] as const) : (['getsockopt'] as const))];
          const fd = openSync(proxy.path, 'r');
          try {
            for (const hook of hooks) attachCgroupHook(lib, obj, fd, layout.link(proxy.id, hook), hook, created, updated);
          } finally {
            closeSync(fd);
          }
        }
      } finally {
        proxyMap.close();
      }
      attachSkLookup(lib, obj, layout, created, updated);
      preparePodPrograms(lib, obj, layout, updated, logger);
      setInboundInterfaces(layout, ifindexes);
      configureSockmap(lib, obj, layout, options.sockmap === true, created);
    } finally {
      lib.objectClose(obj);
    }
  } finally {
    lib.setPrint(null);
  }
  logger.info('bpf dataplane attached', { cgroup: options.cgroup, pinRoot: options.pinRoot, created: created.length, updated: updated.length });
  return { cgroupId, created, updated, reusedMaps };
}

/** Pin paths for every map, and the load-time configuration in .rodata. */
function prepare(lib: Libbpf, obj: Handle, layout: PinLayout, options: AttachOptions): void {
  for (const name of Object.values(MAP_NAMES)) {
    const map = lib.findMap(obj, name);
    if (!map) throw new BpfError('load-failed', `the object has no map ${name}: rebuild it (make -C bpf)`);
    const rc = lib.mapSetPinPath(map, layout.map(name));
    if (rc < 0) throw new BpfError('load-failed', `cannot set the pin path of ${name}: ${errnoName(rc)}`);
  }
  let rodata: Handle | null = null;
  for (let m = lib.nextMap(obj, null); m; m = lib.nextMap(obj, m)) if (lib.mapName(m).endsWith('.rodata')) rodata = m;
  if (!rodata) throw new BpfError('load-failed', 'the object has no .rodata section (sluice_cfg): rebuild it (make -C bpf)');
  const config = encodeConfig(
    { proxyMark: options.proxyMark ?? 0, flags: options.sockmap ? CFG_F_SOCKMAP : 0 },
    lib.mapValueSize(rodata),
  );
  const rc = lib.mapSetInitialValue(rodata, config);
  if (rc < 0) throw new BpfError('load-failed', `cannot set the load-time configuration: ${errnoName(rc)}`);
}

function program(lib: Libbpf, obj: Handle, name: string): Handle {
  const prog = lib.findProgram(obj, name);
  if (!prog) throw new BpfError('load-failed', `the object has no program ${name}: rebuild it (make -C bpf)`);
  return prog;
}

const HOOK_PROGRAM: Readonly<Record<CgroupHook, string>> = {
  connect4: PROGRAM_NAMES.connect4,
  connect6: PROGRAM_NAMES.connect6,
  sockops: PROGRAM_NAMES.sockops,
  getsockopt: PROGRAM_NAMES.getsockopt,
  proxy_sockops: PROGRAM_NAMES.proxySockops,
};

function attachCgroupHook(lib: Libbpf, obj: Handle, cgroupFd: number, pin: string, hook: CgroupHook, created: string[], updated: string[]): void {
  const prog = program(lib, obj, HOOK_PROGRAM[hook]);
  attachOrUpdate(lib, prog, pin, hook, () => lib.attachCgroup(prog, cgroupFd), created, updated);
}

/** sk_lookup on this process's network namespace: inbound steering for every interface it names. */
function attachSkLookup(lib: Libbpf, obj: Handle, layout: PinLayout, created: string[], updated: string[]): void {
  const prog = program(lib, obj, PROGRAM_NAMES.skLookup);
  const fd = openSync(OWN_NETNS, 'r');
  try {
    attachOrUpdate(lib, prog, layout.netnsLink(netnsIno()), 'sk_lookup', () => lib.attachNetns(prog, fd), created, updated);
  } finally {
    closeSync(fd);
  }
}

/**
 * The sk_lookup program the node agent attaches in each sidecar Pod's network namespace
 * (pod-links.ts), pinned under progs/ so it can attach it without loading the object again; and
 * every such link pinned by an earlier load gets the new program in place, as the node's own
 * links do.
 */
function preparePodPrograms(lib: Libbpf, obj: Handle, layout: PinLayout, updated: string[], logger: Logger): void {
  const lookup = program(lib, obj, PROGRAM_NAMES.podSkLookup);
  if (existsSync(layout.podSkLookup)) unlinkSync(layout.podSkLookup);
  pinProgram(lib, lookup, layout.podSkLookup);
  const own = netnsIno();
  for (const name of existsSync(layout.links) ? readdirSync(layout.links) : []) {
    const link = parseLinkName(name);
    if (link?.kind !== 'netns' || link.netnsIno === own) continue;
    const pin = join(layout.links, name);
    const handle = lib.linkOpen(pin);
    const rc = handle ? lib.linkUpdateProgram(handle, lookup) : -lib.errno();
    if (handle) lib.linkDestroy(handle);
    // A link whose namespace is gone cannot be updated; the node agent releases it.
    if (rc < 0) logger.warn('a sidecar Pod\'s sk_lookup link was not updated (its Pod is gone?)', { pin, error: errnoName(rc) });
    else updated.push(pin);
  }
}

/** Makes sluice_inbound_ifaces hold exactly these interfaces (none: every interface but loopback). */
function setInboundInterfaces(layout: PinLayout, ifindexes: readonly number[]): void {
  const map = PinnedMap.open(layout.map(MAP_NAMES.inboundIfaces), MAP_SHAPES.inboundIfaces);
  try {
    const want = new Set(ifindexes.length > 0 ? ifindexes : [IFACE_ANY]);
    for (const { key } of map.entries()) if (!want.has(key.readUInt32LE(0))) map.delete(key);
    for (const index of want) {
      const key = Buffer.alloc(4);
      key.writeUInt32LE(index);
      map.update(key, Buffer.alloc(4));
    }
  } finally {
    map.close();
  }
}

/** Updates the pinned link in place when there is one (no moment without a program), else attaches and pins a new link. */
function attachOrUpdate(lib: Libbpf, prog: Handle, pin: string, hook: string, attach: () => Handle | null, created: string[], updated: string[]): void {
  if (existsSync(pin)) {
    const link = lib.linkOpen(pin);
    if (!link) throw new BpfError('pin-corrupt', `${pin} is not a BPF link: ${errnoName(lib.errno())} (run \`sluice bpf unload\`)`);
    try {
      const rc = lib.linkUpdateProgram(link, prog);
      if (rc < 0) throw new BpfError('pin-corrupt', `cannot update the ${hook} link pinned at ${pin}: ${errnoName(rc)} (run \`sluice bpf unload\`)`);
    } finally {
      lib.linkDestroy(link); // closes our descriptor; the pin keeps the link
    }
    updated.push(pin);
    return;
  }
  const link = attach();
  if (!link) throw new BpfError('attach-failed', `cannot attach ${hook}: ${errnoName(lib.errno())}`);
  try {
    const rc = lib.linkPin(link, pin);
    if (rc < 0) throw new BpfError('attach-failed', `cannot pin the ${hook} link at ${pin}: ${errnoName(rc)}`);
  } finally {
    lib.linkDestroy(link);
  }
  created.push(pin);
}

function pinProgram(lib: Libbpf, prog: Handle, pin: string): void {
  const rc = lib.programPin(prog, pin);
  if (rc < 0) throw new BpfError('attach-failed', `cannot pin a program at ${pin}: ${errnoName(rc)}`);
}

/** The sk_msg verdict lives on the sockhash itself; attaching replaces, detaching needs the old program. */
function configureSockmap(lib: Libbpf, obj: Handle, layout: PinLayout, enabled: boolean, created: string[]): void {
  const sockhash = lib.objGet(layout.map(MAP_NAMES.sockhash));
  if (sockhash < 0) throw new BpfError('pin-corrupt', `cannot open ${layout.map(MAP_NAMES.sockhash)}: ${errnoName(lib.errno())}`);
  try {
    if (existsSync(layout.skMsg)) {
      detachSkMsg(lib, layout, sockhash);
    }
    if (!enabled) return;
    const prog = program(lib, obj, PROGRAM_NAMES.skMsg);
    const rc = lib.progAttach(lib.programFd(prog), sockhash, BPF_SK_MSG_VERDICT, 0);
    if (rc < 0) throw new BpfError('attach-failed', `cannot attach sk_msg to the sockhash: ${errnoName(rc)}`);
    pinProgram(lib, prog, layout.skMsg);
    created.push(layout.skMsg);
  } finally {
    closeSync(sockhash);
  }
}

function detachSkMsg(lib: Libbpf, layout: PinLayout, sockhashFd: number): void {
  const prog = lib.objGet(layout.skMsg);
  if (prog >= 0) {
    lib.progDetach2(prog, sockhashFd, BPF_SK_MSG_VERDICT);
    closeSync(prog);
  }
  unlinkSync(layout.skMsg);
}

export interface UnloadReport {
  readonly removed: readonly string[];
}

/** Detaches everything under the pin root and removes the pins (maps and their entries included). */
export function unloadDataplane(options: { readonly pinRoot: string; readonly logger?: Logger }): UnloadReport {
  checkPrivileges();
  checkBpffs(options.pinRoot);
  const layout = pinLayout(options.pinRoot);
  if (!existsSync(layout.root)) throw new BpfError('not-loaded', `nothing is loaded under ${layout.root}`);
  const removed: string[] = [];
  const list = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);
  for (const name of list(layout.links)) {
    unlinkSync(`${layout.links}/${name}`); // the last reference to a cgroup or netns link: it detaches
    removed.push(`${layout.links}/${name}`);
  }
  if (existsSync(layout.skMsg)) {
    const lib = getLibbpf();
    const sockhash = lib.objGet(layout.map(MAP_NAMES.sockhash));
    if (sockhash >= 0) {
      detachSkMsg(lib, layout, sockhash);
      closeSync(sockhash);
    } else {
      unlinkSync(layout.skMsg);
    }
    removed.push(layout.skMsg);
  }
  for (const name of list(layout.progs)) unlinkSync(`${layout.progs}/${name}`);
  for (const name of list(layout.maps)) {
    unlinkSync(layout.map(name));
    removed.push(layout.map(name));
  }
  for (const dir of [layout.maps, layout.links, layout.progs, layout.root]) if (existsSync(dir)) rmdirSync(dir);
  (options.logger ?? silentLogger).info('bpf dataplane unloaded', { pinRoot: options.pinRoot, removed: removed.length });
  return { removed };
}
