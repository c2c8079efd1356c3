/**
 * A pinned map, opened by path and checked before use: the pin must be a map of the type and
 * key/value sizes `redirect.h` defines, or the loader refuses it (`pin-corrupt`) rather than
 * writing bytes of the wrong shape into someone else's map.
 */
import { closeSync } from 'node:fs';
import { BpfError, errnoName } from './errors.js';
import { getLibbpf } from './libbpf.js';

export const MAP_TYPE = { hash: 1, array: 2, lruHash: 9, sockhash: 18 } as const;

export interface MapShape {
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
}

export interface MapInfo extends MapShape {
  readonly id: number;
  readonly maxEntries: number;
  readonly name: string;
}

// struct bpf_map_info offsets (linux/bpf.h): type 0, id 4, key_size 8, value_size 12,
// max_entries 16, map_flags 20, name[16] 24.
const MAP_INFO_SIZE = 88;

function readMapInfo(fd: number): MapInfo {
  const lib = getLibbpf();
  const info = Buffer.alloc(MAP_INFO_SIZE);
  const len = Buffer.alloc(4);
  len.writeUInt32LE(MAP_INFO_SIZE);
  const rc = lib.objGetInfoByFd(fd, info, len);
  if (rc < 0) throw new BpfError('pin-corrupt', `not a BPF map (bpf_obj_get_info_by_fd: ${errnoName(rc)})`);
  const name = info.subarray(24, 40);
  const end = name.indexOf(0);
  return {
    type: info.readUInt32LE(0),
    id: info.readUInt32LE(4),
    keySize: info.readUInt32LE(8),
    valueSize: info.readUInt32LE(12),
    maxEntries: info.readUInt32LE(16),
    name: name.subarray(0, end < 0 ? 16 : end).toString('utf8'),
  };
}

export class PinnedMap {
  private constructor(
    readonly path: string,
    readonly fd: number,
    readonly info: MapInfo,
  ) {}

  /** Opens the pin at `path` and checks its shape. */
  static open(path: string, shape: MapShape): PinnedMap {
    const lib = getLibbpf();
    const fd = lib.objGet(path);
    if (fd < 0) {
      const err = lib.errno();
      throw new BpfError(err === 2 ? 'not-loaded' : 'pin-corrupt', `cannot open pinned map ${path}: ${errnoName(err)}`);
    }
    let info: MapInfo;
    try {
      info = readMapInfo(fd);
    } catch (error) {
      closeSync(fd);
      throw new BpfError('pin-corrupt', `${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (info.type !== shape.type || info.keySize !== shape.keySize || info.valueSize !== shape.valueSize) {
      closeSync(fd);
      throw new BpfError(
        'pin-corrupt',
        `${path} is not the map sluice pinned there: type ${info.type}, key ${info.keySize} B, value ${info.valueSize} B; ` +
          `expected type ${shape.type}, key ${shape.keySize} B, value ${shape.valueSize} B (run \`sluice bpf unload\` to clear it)`,
      );
    }
    return new PinnedMap(path, fd, info);
  }

  /** Every (key, value) pair. Entries deleted concurrently may be skipped, never repeated. */
  entries(): Array<{ key: Buffer; value: Buffer }> {
    return this.keys().flatMap((key) => {
      const value = this.lookup(key);
      return value ? [{ key, value }] : [];
    });
  }

  /** Every key (for maps whose values userspace cannot read, such as a sockhash of listeners). */
  keys(): Buffer[] {
    const lib = getLibbpf();
    const out: Buffer[] = [];
    let prev: Buffer | null = null;
    for (let guard = 0; guard <= this.info.maxEntries; guard += 1) {
      const next = Buffer.alloc(this.info.keySize);
      if (lib.mapNextKey(this.fd, prev, next) < 0) break;
      out.push(next);
      prev = next;
    }
    return out;
  }

  lookup(key: Buffer): Buffer | undefined {
    const value = Buffer.alloc(this.info.valueSize);
    return getLibbpf().mapLookup(this.fd, key, value) === 0 ? value : undefined;
  }

  update(key: Buffer, value: Buffer): void {
    const rc = getLibbpf().mapUpdate(this.fd, key, value, 0);
    if (rc < 0) throw new BpfError('map-failed', `update of ${this.info.name} failed: ${errnoName(rc)}`);
  }

  /** Deletes `key`; a key that is already gone is not an error. */
  delete(key: Buffer): void {
    const rc = getLibbpf().mapDelete(this.fd, key);
    if (rc < 0 && rc !== -2) throw new BpfError('map-failed', `delete from ${this.info.name} failed: ${errnoName(rc)}`);
  }

  close(): void {
    closeSync(this.fd);
  }
}
