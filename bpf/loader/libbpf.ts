/**
 * The few libbpf 1.1 and libc entry points the loader uses, bound through koffi. Loaded lazily:
 * importing sluice on a machine without `libbpf.so.1` costs nothing until a BPF call is made,
 * and then fails with a `BpfError` that says what is missing.
 *
 * Conventions (libbpf ≥ 1.0 "strict" mode): functions returning `int` return a negative errno;
 * functions returning pointers return NULL and set `errno`.
 */
import koffi, { type LibraryHandle } from 'koffi';
import { BpfError } from './errors.js';

/** Opaque libbpf handles; only ever passed back to libbpf. */
export type Handle = unknown;

export interface Libbpf {
  readonly version: string;
  objectOpen(path: string): Handle | null;
  objectLoad(obj: Handle): number;
  objectClose(obj: Handle): void;
  findMap(obj: Handle, name: string): Handle | null;
  nextMap(obj: Handle, prev: Handle | null): Handle | null;
  mapName(map: Handle): string;
  mapValueSize(map: Handle): number;
  mapSetPinPath(map: Handle, path: string): number;
  mapSetInitialValue(map: Handle, data: Buffer): number;
  mapFd(map: Handle): number;
  findProgram(obj: Handle, name: string): Handle | null;
  programFd(prog: Handle): number;
  programPin(prog: Handle, path: string): number;
  attachCgroup(prog: Handle, cgroupFd: number): Handle | null;
  linkPin(link: Handle, path: string): number;
  linkOpen(path: string): Handle | null;
  linkUpdateProgram(link: Handle, prog: Handle): number;
  linkDestroy(link: Handle): number;
  objGet(path: string): number;
  objGetInfoByFd(fd: number, info: Buffer, len: Buffer): number;
  progGetFdById(id: number): number;
  mapUpdate(fd: number, key: Buffer, value: Buffer, flags: number): number;
  mapLookup(fd: number, key: Buffer, value: Buffer): number;
  mapDelete(fd: number, key: Buffer): number;
  mapNextKey(fd: number, key: Buffer | null, next: Buffer): number;
  progAttach(progFd: number, targetFd: number, type: number, flags: number): number;
  progDetach2(progFd: number, targetFd: number, type: number): number;
  attachNetns(prog: Handle, netnsFd: number): Handle | null;
  /** bpf_link_create with no options: a link of a program (by fd) to a target (cgroup or netns fd); the link's fd, or a negative errno. */
  linkCreate(progFd: number, targetFd: number, attachType: number): number;
  objPin(fd: number, path: string): number;
  errno(): number;
  /** Routes libbpf's own log lines (verifier output, pin reuse decisions) to `sink`; null restores stderr. */
  setPrint(sink: ((level: number, line: string) => void) | null): void;
}

export interface Libc {
  getsockopt(fd: number, level: number, name: number, value: Buffer, len: Buffer): number;
  /** The interface's index in this process's network namespace; 0 when there is none. */
  ifNameToIndex(name: string): number;
  errno(): number;
}

let libbpf: Libbpf | undefined;
let libc: Libc | undefined;
let printCallback: unknown;

/** libbpf bound on first use. Throws `BpfError('missing-libbpf')` when the library cannot be loaded. */
export function getLibbpf(): Libbpf {
  if (libbpf) return libbpf;
  let lib: LibraryHandle;
  try {
    lib = koffi.load('libbpf.so.1');
  } catch (error) {
    throw new BpfError('missing-libbpf', `cannot load libbpf.so.1 (apt-get install libbpf1): ${String(error)}`);
  }
  // Handles are plain `void *`: named koffi types are process-wide, and a module evaluated twice
  // in one process (jest runs several test files per worker) would register them twice.
  const libcHandle = koffi.load('libc.so.6');
  const vsnprintf = libcHandle.func('int vsnprintf(_Out_ uint8_t *buf, size_t n, const char *fmt, void *ap)');
  const printProto = koffi.proto('int', ['int', 'const char *', 'void *']);
  const setPrintRaw = lib.func('libbpf_set_print', 'void *', [koffi.pointer(printProto)]);
  const f = (sig: string): ((...args: unknown[]) => unknown) => lib.func(sig) as (...args: unknown[]) => unknown;
  const version = f('const char *libbpf_version_string()')() as string;
  const bound = {
    objectOpen: f('void *bpf_object__open(const char *path)'),
    objectLoad: f('int bpf_object__load(void *obj)'),
    objectClose: f('void bpf_object__close(void *obj)'),
    findMap: f('void *bpf_object__find_map_by_name(void *obj, const char *name)'),
    nextMap: f('void *bpf_object__next_map(void *obj, void *prev)'),
    mapName: f('const char *bpf_map__name(void *map)'),
    mapValueSize: f('uint32_t bpf_map__value_size(void *map)'),
    mapSetPinPath: f('int bpf_map__set_pin_path(void *map, const char *path)'),
    mapSetInitialValue: f('int bpf_map__set_initial_value(void *map, const void *data, size_t size)'),
    mapFd: f('int bpf_map__fd(void *map)'),
    findProgram: f('void *bpf_object__find_program_by_name(void *obj, const char *name)'),
    programFd: f('int bpf_program__fd(void *prog)'),
    programPin: f('int bpf_program__pin(void *prog, const char *path)'),
    attachCgroup: f('void *bpf_program__attach_cgroup(void *prog, int fd)'),
    linkPin: f('int bpf_link__pin(void *link, const char *path)'),
    linkOpen: f('void *bpf_link__open(const char *path)'),
    linkUpdateProgram: f('int bpf_link__update_program(void *link, void *prog)'),
    linkDestroy: f('int bpf_link__destroy(void *link)'),
    objGet: f('int bpf_obj_get(const char *path)'),
    objGetInfoByFd: f('int bpf_obj_get_info_by_fd(int fd, void *info, void *len)'),
    progGetFdById: f('int bpf_prog_get_fd_by_id(uint32_t id)'),
    mapUpdate: f('int bpf_map_update_elem(int fd, const void *key, const void *value, uint64_t flags)'),
    mapLookup: f('int bpf_map_lookup_elem(int fd, const void *key, void *value)'),
    mapDelete: f('int bpf_map_delete_elem(int fd, const void *key)'),
    mapNextKey: f('int bpf_map_get_next_key(int fd, const void *key, void *next)'),
    progAttach: f('int bpf_prog_attach(int prog_fd, int target_fd, int type, unsigned int flags)'),
    progDetach2: f('int bpf_prog_detach2(int prog_fd, int target_fd, int type)'),
    attachNetns: f('void *bpf_program__attach_netns(void *prog, int netns_fd)'),
    linkCreate: f('int bpf_link_create(int prog_fd, int target_fd, int attach_type, void *opts)'),
    objPin: f('int bpf_obj_pin(int fd, const char *path)'),
  };
  libbpf = {
    version,
    objectOpen: (path) => bound.objectOpen(path) as Handle | null,
    objectLoad: (obj) => bound.objectLoad(obj) as number,
    objectClose: (obj) => void bound.objectClose(obj),
    findMap: (obj, name) => bound.findMap(obj, name) as Handle | null,
    nextMap: (obj, prev) => bound.nextMap(obj, prev) as Handle | null,
    mapName: (map) => bound.mapName(map) as string,
    mapValueSize: (map) => bound.mapValueSize(map) as number,
    mapSetPinPath: (map, path) => bound.mapSetPinPath(map, path) as number,
    mapSetInitialValue: (map, data) => bound.mapSetInitialValue(map, data, data.length) as number,
    mapFd: (map) => bound.mapFd(map) as number,
    findProgram: (obj, name) => bound.findProgram(obj, name) as Handle | null,
    programFd: (prog) => bound.programFd(prog) as number,
    programPin: (prog, path) => bound.programPin(prog, path) as number,
    attachCgroup: (prog, fd) => bound.attachCgroup(prog, fd) as Handle | null,
    linkPin: (link, path) => bound.linkPin(link, path) as number,
    linkOpen: (path) => bound.linkOpen(path) as Handle | null,
    linkUpdateProgram: (link, prog) => bound.linkUpdateProgram(link, prog) as number,
    linkDestroy: (link) => bound.linkDestroy(link) as number,
    objGet: (path) => bound.objGet(path) as number,
    objGetInfoByFd: (fd, info, len) => bound.objGetInfoByFd(fd, info, len) as number,
    progGetFdById: (id) => bound.progGetFdById(id) as number,
    mapUpdate: (fd, key, value, flags) => bound.mapUpdate(fd, key, value, flags) as number,
    mapLookup: (fd, key, value) => bound.mapLookup(fd, key, value) as number,
    mapDelete: (fd, key) => bound.mapDelete(fd, key) as number,
    mapNextKey: (fd, key, next) => bound.mapNextKey(fd, key, next) as number,
    progAttach: (p, t, type, flags) => bound.progAttach(p, t, type, flags) as number,
    progDetach2: (p, t, type) => bound.progDetach2(p, t, type) as number,
    attachNetns: (prog, fd) => bound.attachNetns(prog, fd) as Handle | null,
    linkCreate: (progFd, targetFd, type) => bound.linkCreate(progFd, targetFd, type, null) as number,
    objPin: (fd, path) => bound.objPin(fd, path) as number,
    errno: () => koffi.errno(),
    setPrint: (sink) => {
      if (printCallback !== undefined) {
        setPrintRaw(null);
        koffi.unregister(printCallback as bigint);
        printCallback = undefined;
      }
      if (!sink) return;
      // libbpf passes a va_list; on x86-64 and arm64 Linux it travels as a pointer, which
      // vsnprintf accepts as is. The callback runs synchronously inside the libbpf call.
      const buffer = Buffer.alloc(4096);
      const callback = (level: number, fmt: string, ap: unknown): number => {
        const n = vsnprintf(buffer, buffer.length, fmt, ap) as number;
        const text = buffer.subarray(0, Math.max(0, Math.min(n, buffer.length - 1))).toString('utf8');
        for (const line of text.split('\n')) if (line.trim() !== '') sink(level, line);
        return 0;
      };
      printCallback = koffi.register(callback, koffi.pointer(printProto));
      setPrintRaw(printCallback);
    },
  };
  return libbpf;
}

/** libc, for getsockopt on a Node socket's descriptor. */
export function getLibc(): Libc {
  if (libc) return libc;
  const lib = koffi.load('libc.so.6');
  const getsockopt = lib.func('int getsockopt(int fd, int level, int name, void *value, void *len)');
  const ifNameToIndex = lib.func('unsigned int if_nametoindex(const char *name)');
  libc = {
    getsockopt: (fd, level, name, value, len) => getsockopt(fd, level, name, value, len) as number,
    ifNameToIndex: (name) => ifNameToIndex(name) as number,
    errno: () => koffi.errno(),
  };
  return libc;
}
