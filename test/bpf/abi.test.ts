/**
 * The ABI between redirect.h and loader/abi.ts, checked against the BTF of the compiled object:
 * struct sizes and field offsets, the map names and key/value sizes, and the load-time config
 * global. A second case compiles a copy of redirect.h with two fields swapped and shows the
 * comparison catches it, so this test can fail.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAP_SHAPES, abi, findObject } from '../../bpf/index.js';
import { Btf, compareLayouts } from './btf.js';
import { repoRoot } from './kernel.js';

function objectOrReason(): { path?: string; reason?: string } {
  try {
    return { path: findObject() };
  } catch {
    return { reason: 'bpf/build/redirect.bpf.o is not built (make -C bpf needs clang, bpftool, libbpf-dev)' };
  }
}
const object = objectOrReason();
const hasBpftool = (() => {
  try {
    execFileSync('bpftool', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const reason = object.reason ?? (hasBpftool ? undefined : 'bpftool is not installed');
if (reason) console.warn(`[skip] bpf ABI: ${reason}`);
const suite = reason ? describe.skip : describe;

suite('bpf ABI: redirect.h against loader/abi.ts', () => {
  const btf = object.path ? new Btf(object.path) : undefined;
  const tmp = mkdtempSync(join(tmpdir(), 'sluice-abi-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('every struct has the size and field offsets abi.ts expects', () => {
    expect(compareLayouts(btf!, abi.LAYOUTS)).toEqual([]);
  });

  it('every pinned map exists with the key and value sizes the loader checks pins against', () => {
    const maps = btf!.find('DATASEC', '.maps');
    const defs = new Map(
      (maps?.vars ?? []).map((v) => {
        const variable = btf!.type(v.type_id);
        const def = btf!.resolve(variable.type_id ?? 0);
        const member = (name: string): number => {
          const m = def.members?.find((x) => x.name === name);
          return m ? btf!.sizeOf(btf!.type(m.type_id).type_id ?? 0) : -1;
        };
        return [variable.name ?? '', { key: member('key'), value: member('value') }];
      }),
    );
    for (const [key, name] of Object.entries(abi.MAP_NAMES)) {
      const shape = MAP_SHAPES[key as keyof typeof abi.MAP_NAMES];
      expect({ name, ...defs.get(name) }).toEqual({ name, key: shape.keySize, value: shape.valueSize });
    }
    expect([...defs.keys()].sort()).toEqual(Object.values(abi.MAP_NAMES).sort());
  });

  it('the load-time configuration is the only .rodata variable, at offset 0, of type sluice_config', () => {
    const rodata = btf!.find('DATASEC', '.rodata');
    expect(rodata?.vars).toHaveLength(1);
    const v = rodata!.vars![0]!;
    const variable = btf!.type(v.type_id);
    expect({ name: variable.name, offset: v.offset, type: btf!.resolve(variable.type_id ?? 0).name }).toEqual({
      name: abi.CONFIG_VARIABLE,
      offset: 0,
      type: 'sluice_config',
    });
  });

  it('the inbound-leg mark the compiler puts on Envoy\'s inbound cluster is the one the kernel programs exempt', () => {
    const header = readFileSync(join(repoRoot, 'bpf', 'redirect.h'), 'utf8');
    const value = /SLUICE_MARK_INBOUND_LEG\s*=\s*(0x[0-9a-fA-F]+)/.exec(header)?.[1];
    expect(Number(value)).toBe(abi.INBOUND_LEG_MARK);
  });

  const hasClang = existsSync('/usr/bin/clang');
  (hasClang ? it : it.skip)('fails when a field in redirect.h moves (two fields swapped in a copy)', () => {
    const header = readFileSync(join(repoRoot, 'bpf', 'redirect.h'), 'utf8');
    const swapped = header.replace(
      '\t__u16 client_port; /* host byte order */\n\t__u16 proxy_port;  /* host byte order */',
      '\t__u16 proxy_port;  /* host byte order */\n\t__u16 client_port; /* host byte order */',
    );
    expect(swapped).not.toBe(header); // the edit applied
    const compile = (text: string, name: string): Btf => {
      writeFileSync(join(tmp, 'redirect.h'), text);
      const probe = join(tmp, `${name}.c`);
      const structs = abi.LAYOUTS.map((l, i) => `struct ${l.name} probe_${i};`).join('\n');
      writeFileSync(probe, `#include "vmlinux.h"\n#include "redirect.h"\n${structs}\n`);
      const out = join(tmp, `${name}.o`);
      execFileSync('clang', ['-g', '-O2', '-target', 'bpf', '-I', tmp, '-I', join(repoRoot, 'bpf', 'build'), '-c', probe, '-o', out]);
      return new Btf(out);
    };
    expect(compareLayouts(compile(header, 'same'), abi.LAYOUTS)).toEqual([]);
    expect(compareLayouts(compile(swapped, 'moved'), abi.LAYOUTS).sort()).toEqual([
      'sluice_flow_key.client_port: offset 34 size 2 in BTF, offset 32 size 2 in abi.ts',
      'sluice_flow_key.proxy_port: offset 32 size 2 in BTF, offset 34 size 2 in abi.ts',
    ]);
  });
});
