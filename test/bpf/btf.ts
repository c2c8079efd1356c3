/**
 * Reads struct layouts from an object's BTF (through `bpftool btf dump ... format raw -j`) and
 * compares them with the TypeScript mirror in bpf/loader/abi.ts.
 */
import { execFileSync } from 'node:child_process';
import type { abi } from '../../bpf/index.js';

interface BtfMember {
  name: string;
  type_id: number;
  bits_offset: number;
}
interface BtfType {
  id: number;
  kind: string;
  name?: string;
  size?: number;
  type_id?: number;
  nr_elems?: number;
  members?: BtfMember[];
  vars?: Array<{ type_id: number; offset: number; size: number }>;
}

export class Btf {
  private readonly byId = new Map<number, BtfType>();

  constructor(objectPath: string) {
    const raw = execFileSync('bpftool', ['btf', 'dump', 'file', objectPath, 'format', 'raw', '-j'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    for (const t of (JSON.parse(raw) as { types: BtfType[] }).types) this.byId.set(t.id, t);
  }

  type(id: number): BtfType {
    const t = this.byId.get(id);
    if (!t) throw new Error(`BTF has no type ${id}`);
    return t;
  }

  find(kind: string, name: string): BtfType | undefined {
    return [...this.byId.values()].find((t) => t.kind === kind && t.name === name);
  }

  /** Size in bytes of a type, through typedefs, modifiers and arrays. */
  sizeOf(id: number): number {
    const t = this.type(id);
    switch (t.kind) {
      case 'TYPEDEF':
      case 'CONST':
      case 'VOLATILE':
      case 'RESTRICT':
        return this.sizeOf(t.type_id ?? 0);
      case 'ARRAY':
        return (t.nr_elems ?? 0) * this.sizeOf(t.type_id ?? 0);
      case 'PTR':
        return 8;
      default:
        return t.size ?? 0;
    }
  }

  /** Strips typedefs and const/volatile. */
  resolve(id: number): BtfType {
    const t = this.type(id);
    return ['TYPEDEF', 'CONST', 'VOLATILE', 'RESTRICT'].includes(t.kind) ? this.resolve(t.type_id ?? 0) : t;
  }

  /** The layout of struct `name` as abi.ts would write it. */
  layout(name: string): abi.StructLayout | undefined {
    const t = this.find('STRUCT', name);
    if (!t) return undefined;
    return {
      name,
      size: t.size ?? 0,
      fields: (t.members ?? []).map((m) => ({ name: m.name, offset: m.bits_offset / 8, size: this.sizeOf(m.type_id) })),
    };
  }
}

/** Every difference between the mirror and the BTF, as readable lines; empty when they agree. */
export function compareLayouts(btf: Btf, layouts: readonly abi.StructLayout[]): string[] {
  const problems: string[] = [];
  for (const want of layouts) {
    const got = btf.layout(want.name);
    if (!got) {
      problems.push(`struct ${want.name}: missing from the object's BTF`);
      continue;
    }
    if (got.size !== want.size) problems.push(`struct ${want.name}: size ${got.size} in BTF, ${want.size} in abi.ts`);
    const names = new Set([...got.fields, ...want.fields].map((f) => f.name));
    for (const name of names) {
      const g = got.fields.find((f) => f.name === name);
      const w = want.fields.find((f) => f.name === name);
      if (!g) problems.push(`${want.name}.${name}: in abi.ts but not in redirect.h`);
      else if (!w) problems.push(`${want.name}.${name}: in redirect.h but not in abi.ts`);
      else if (g.offset !== w.offset || g.size !== w.size) {
        problems.push(`${want.name}.${name}: offset ${g.offset} size ${g.size} in BTF, offset ${w.offset} size ${w.size} in abi.ts`);
      }
    }
  }
  return problems;
}
