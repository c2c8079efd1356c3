/**
 * A generic codec driven by the generated schema table: decodes any message of any version the
 * table knows into a plain object tree (`KafkaStruct`), and encodes such a tree back. Field names
 * are Kafka's (`TopicData`, `PartitionData`, `Index`). Unknown tagged fields are kept verbatim
 * (under `UNKNOWN_TAGS`) and written back, so a rewritten message loses nothing it carried.
 *
 * Value mapping: int8/16/32, uint16/32, float64 → number; int64 → bigint; string → string | null;
 * bytes, records, uuid → Buffer (zero-copy views into the frame) | null; struct → KafkaStruct;
 * arrays → arrays (null for a null array).
 */
import { DecodeError, Reader, Writer } from './wire.js';
import { inRange, type FieldSchema, type MessageSchema, type PrimitiveType } from './schema.js';

export const UNKNOWN_TAGS: unique symbol = Symbol('unknownTags');

export interface RawTag {
  readonly tag: number;
  readonly data: Buffer;
}

export type KafkaValue = null | boolean | number | bigint | string | Buffer | KafkaStruct | readonly KafkaValue[];

export interface KafkaStruct {
  [field: string]: KafkaValue | undefined;
  [UNKNOWN_TAGS]?: readonly RawTag[];
}

const ZERO_UUID = Buffer.alloc(16);

/** The JSON default of a field, in its decoded form. */
function defaultValue(field: FieldSchema, version: number): KafkaValue {
  const d = field.d;
  if (field.t.startsWith('[]')) return d === 'null' ? null : [];
  switch (field.t as PrimitiveType | 'struct') {
    case 'bool':
      return d === 'true';
    case 'int8': case 'int16': case 'uint16': case 'int32': case 'uint32': case 'float64':
      return d === undefined ? 0 : Number(d);
    case 'int64':
      return d === undefined ? 0n : BigInt(d);
    case 'string':
      return d === 'null' ? null : (d ?? '');
    case 'bytes': case 'records':
      return d === 'null' || inRange(field.nv, version) ? null : Buffer.alloc(0);
    case 'uuid':
      return ZERO_UUID;
    case 'struct':
      return inRange(field.nv, version) && d === 'null' ? null : defaultStruct(field.f ?? [], version);
  }
}

/** A struct with every field of `version` at its default; tagged fields are left out (absent means default). */
export function defaultStruct(fields: readonly FieldSchema[], version: number): KafkaStruct {
  const out: KafkaStruct = {};
  for (const f of fields) if (inRange(f.v, version) && !inRange(f.tv, version)) out[f.n] = defaultValue(f, version);
  return out;
}

// ---- decoding -------------------------------------------------------------------------------

function isFlexible(field: FieldSchema, flexible: boolean): boolean {
  return field.fv !== undefined ? false : flexible;
}

function readPrimitive(r: Reader, type: PrimitiveType, compact: boolean, nullable: boolean): KafkaValue {
  switch (type) {
    case 'bool': return r.bool();
    case 'int8': return r.int8();
    case 'int16': return r.int16();
    case 'uint16': return r.uint16();
    case 'int32': return r.int32();
    case 'uint32': return r.uint32();
    case 'int64': return r.int64();
    case 'float64': return r.float64();
    case 'string': return r.string(compact, nullable);
    case 'bytes': case 'records': return r.bytes(compact, nullable);
    case 'uuid': return r.uuid();
  }
}

function readField(r: Reader, field: FieldSchema, version: number, flexible: boolean, path: string): KafkaValue {
  const compact = isFlexible(field, flexible);
  const nullable = inRange(field.nv, version);
  if (field.t === '[]struct' || field.t.startsWith('[]')) {
    const n = r.arrayLength(compact);
    if (n < 0) {
      if (!nullable) throw new DecodeError('null in a non-nullable array', path, r.offset);
      return null;
    }
    const items: KafkaValue[] = new Array<KafkaValue>(n);
    const inner = field.t.slice(2) as PrimitiveType | 'struct';
    for (let i = 0; i < n; i++) {
      items[i] = inner === 'struct'
        ? readStruct(r, field.f ?? [], version, flexible, `${path}[${i}]`)
        : readPrimitive(r, inner, compact, false);
    }
    return items;
  }
  if (field.t === 'struct') {
    if (nullable && r.int8() < 0) return null;
    return readStruct(r, field.f ?? [], version, flexible, path);
  }
  return readPrimitive(r, field.t as PrimitiveType, compact, nullable);
}

/** Reads the fields of one struct (and, in flexible versions, its tagged section). */
export function readStruct(r: Reader, fields: readonly FieldSchema[], version: number, flexible: boolean, path = ''): KafkaStruct {
  const out: KafkaStruct = {};
  for (const field of fields) {
    if (!inRange(field.v, version)) continue;
    if (flexible && inRange(field.tv, version)) continue;
    const at = path ? `${path}.${field.n}` : field.n;
    try {
      out[field.n] = readField(r, field, version, flexible, at);
    } catch (error) {
      if (error instanceof DecodeError && error.path === '') throw new DecodeError(error.message, at, error.offset);
      throw error;
    }
  }
  if (flexible) readTaggedSection(r, fields, version, out, path);
  return out;
}

function readTaggedSection(r: Reader, fields: readonly FieldSchema[], version: number, out: KafkaStruct, path: string): void {
  const count = r.uvarint();
  if (count > r.remaining) throw new DecodeError(`${count} tagged fields in ${r.remaining} bytes`, path, r.offset);
  let unknown: RawTag[] | undefined;
  let last = -1;
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    if (tag <= last) throw new DecodeError(`tagged fields out of order (${tag} after ${last})`, path, r.offset);
    last = tag;
    const size = r.uvarint();
    const data = r.slice(size);
    const field = fields.find((f) => f.tag === tag && inRange(f.tv, version) && inRange(f.v, version));
    if (field) {
      const sub = new Reader(data);
      out[field.n] = readField(sub, field, version, true, path ? `${path}.${field.n}` : field.n);
      if (sub.remaining !== 0) throw new DecodeError(`${sub.remaining} bytes left in tagged field`, `${path}.${field.n}`, r.offset);
    } else {
      (unknown ??= []).push({ tag, data });
    }
  }
  if (unknown) out[UNKNOWN_TAGS] = unknown;
}

/** Decodes a whole message body; bytes left over are an error (a header/body mismatch). */
export function decodeMessage(schema: MessageSchema, version: number, body: Buffer, flexible: boolean): KafkaStruct {
  const r = new Reader(body);
  const out = readStruct(r, schema.fields, version, flexible);
  if (r.remaining !== 0) throw new DecodeError(`${r.remaining} unexpected bytes after the body`, schema.name, r.offset);
  return out;
}

// ---- encoding -------------------------------------------------------------------------------

function writePrimitive(w: Writer, type: PrimitiveType, value: KafkaValue | undefined, compact: boolean): void {
  switch (type) {
    case 'bool': w.bool(value === true); return;
    case 'int8': w.int8(Number(value ?? 0)); return;
    case 'int16': w.int16(Number(value ?? 0)); return;
    case 'uint16': w.uint16(Number(value ?? 0)); return;
    case 'int32': w.int32(Number(value ?? 0)); return;
    case 'uint32': w.uint32(Number(value ?? 0)); return;
    case 'int64': w.int64(typeof value === 'bigint' ? value : BigInt(Number(value ?? 0))); return;
    case 'float64': w.float64(Number(value ?? 0)); return;
    case 'string': w.string(typeof value === 'string' ? value : null, compact); return;
    case 'bytes': case 'records': w.bytes(Buffer.isBuffer(value) ? value : null, compact); return;
    case 'uuid': w.raw(Buffer.isBuffer(value) && value.length === 16 ? value : ZERO_UUID); return;
  }
}

function writeField(w: Writer, field: FieldSchema, value: KafkaValue | undefined, version: number, flexible: boolean): void {
  const compact = isFlexible(field, flexible);
  const v = value === undefined ? defaultValue(field, version) : value;
  if (field.t.startsWith('[]')) {
    if (!Array.isArray(v)) {
      w.length_(-1, compact, true);
      return;
    }
    w.length_(v.length, compact, true);
    const inner = field.t.slice(2) as PrimitiveType | 'struct';
    for (const item of v as readonly KafkaValue[]) {
      if (inner === 'struct') writeStruct(w, field.f ?? [], item as KafkaStruct, version, flexible);
      else writePrimitive(w, inner, item, compact);
    }
    return;
  }
  if (field.t === 'struct') {
    if (inRange(field.nv, version)) {
      if (v === null) {
        w.int8(-1);
        return;
      }
      w.int8(1);
    }
    writeStruct(w, field.f ?? [], (v ?? {}) as KafkaStruct, version, flexible);
    return;
  }
  writePrimitive(w, field.t as PrimitiveType, v, compact);
}

function isDefault(field: FieldSchema, value: KafkaValue | undefined, version: number): boolean {
  if (value === undefined) return true;
  const d = defaultValue(field, version);
  if (Array.isArray(value)) return Array.isArray(d) && value.length === 0;
  if (Buffer.isBuffer(value)) return Buffer.isBuffer(d) && d.equals(value);
  if (typeof value === 'object' && value !== null) return false;
  return value === d;
}

/** Writes one struct (and, in flexible versions, its tagged section, known fields first merged with kept unknown ones by tag). */
function writeStruct(w: Writer, fields: readonly FieldSchema[], value: KafkaStruct, version: number, flexible: boolean): void {
  const tagged: { tag: number; data: Buffer }[] = [];
  for (const field of fields) {
    if (!inRange(field.v, version)) continue;
    if (flexible && inRange(field.tv, version)) {
      const v = value[field.n];
      if (isDefault(field, v, version)) continue;
      const sub = new Writer();
      writeField(sub, field, v, version, true);
      tagged.push({ tag: field.tag ?? 0, data: Buffer.from(sub.finish()) });
      continue;
    }
    writeField(w, field, value[field.n], version, flexible);
  }
  if (!flexible) return;
  for (const raw of value[UNKNOWN_TAGS] ?? []) tagged.push(raw);
  tagged.sort((a, b) => a.tag - b.tag);
  w.uvarint(tagged.length);
  for (const t of tagged) w.uvarint(t.tag).uvarint(t.data.length).raw(t.data);
}

/** Encodes a whole message body. */
export function encodeMessage(schema: MessageSchema, version: number, value: KafkaStruct, flexible: boolean): Buffer {
  const w = new Writer(512);
  writeStruct(w, schema.fields, value, version, flexible);
  return w.finish();
}
