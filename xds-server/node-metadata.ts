/**
 * `node.metadata` (a `google.protobuf.Struct`) as far as sluice reads it: only the keys under
 * `sluice.dev/` are decoded, into plain JSON values; every other key (Envoy's own metadata, which
 * may come on every request) is skipped unread. This is how sluice's own clients report to the
 * server over the stream they already have: the node agent names there the Pods it cannot steer
 * (`sluice.dev/unresolved-pods`, docs/kubernetes.md). Bounded: nesting deeper than 8 is refused.
 */
import type protobuf from 'protobufjs';
import { checkWire, lenDelimited, LEN, readFields, str, WireError, type NodeInfo } from './proto-wire.js';

export type JsonValue = null | number | string | boolean | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** The key prefix whose values are decoded. */
export const SLUICE_METADATA_PREFIX = 'sluice.dev/';

const MAX_DEPTH = 8;
const VARINT = 0;
const FIXED64 = 1;

function readValue(bytes: Uint8Array, depth: number): JsonValue {
  if (depth > MAX_DEPTH) throw new WireError(`node.metadata: nested deeper than ${MAX_DEPTH}`);
  let value: JsonValue = null;
  readFields(bytes, 'node.metadata value: ', (r, field, wire) => {
    switch (field) {
      case 1:
        checkWire(field, wire, VARINT, 'Value.null_value');
        r.int32();
        value = null;
        return true;
      case 2:
        checkWire(field, wire, FIXED64, 'Value.number_value');
        value = r.double();
        return true;
      case 3:
        checkWire(field, wire, LEN, 'Value.string_value');
        value = str(r);
        return true;
      case 4:
        checkWire(field, wire, VARINT, 'Value.bool_value');
        value = r.bool();
        return true;
      case 5:
        checkWire(field, wire, LEN, 'Value.struct_value');
        value = readStruct(lenDelimited(r), depth + 1, () => true);
        return true;
      case 6: {
        checkWire(field, wire, LEN, 'Value.list_value');
        const list: JsonValue[] = [];
        readFields(lenDelimited(r), 'node.metadata list: ', (lr, f, w) => {
          if (f !== 1) return false;
          checkWire(f, w, LEN, 'ListValue.values');
          list.push(readValue(lenDelimited(lr), depth + 1));
          return true;
        });
        value = list;
        return true;
      }
      default:
        return false;
    }
  });
  return value;
}

/** A Struct's entries whose key `wanted` accepts (the others' values are skipped, not decoded). */
function readStruct(bytes: Uint8Array, depth: number, wanted: (key: string) => boolean): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  readFields(bytes, 'node.metadata: ', (r: protobuf.Reader, field, wire) => {
    if (field !== 1) return false;
    checkWire(field, wire, LEN, 'Struct.fields');
    let key = '';
    let value: Uint8Array | undefined;
    readFields(lenDelimited(r), 'node.metadata entry: ', (er, f, w) => {
      if (f === 1) {
        checkWire(f, w, LEN, 'Struct.fields.key');
        key = str(er);
        return true;
      }
      if (f === 2) {
        checkWire(f, w, LEN, 'Struct.fields.value');
        value = lenDelimited(er);
        return true;
      }
      return false;
    });
    if (wanted(key)) out[key] = value === undefined ? null : readValue(value, depth);
    return true;
  });
  return out;
}

/** The `sluice.dev/` keys of a `node.metadata` Struct (undefined: none). */
export function readSluiceMetadata(bytes: Uint8Array): Readonly<Record<string, JsonValue>> | undefined {
  const out = readStruct(bytes, 0, (key) => key.startsWith(SLUICE_METADATA_PREFIX));
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The node a stream holds after a later request restated it: only the `sluice.dev/` metadata is
 * taken; the id (and with it the identity the stream was admitted under) never changes on a
 * stream. `undefined` when nothing changed.
 */
export function restatedNode(held: NodeInfo, restated: NodeInfo | undefined): NodeInfo | undefined {
  if (!restated || sameMetadata(held.metadata, restated.metadata)) return undefined;
  const { id, cluster, userAgentName, userAgentVersion } = held;
  return { id, cluster, userAgentName, userAgentVersion, ...(restated.metadata ? { metadata: restated.metadata } : {}) };
}

/** Whether two nodes' decoded `sluice.dev/` metadata say the same (absent only equals absent). */
function sameMetadata(a: { readonly [key: string]: JsonValue } | undefined, b: { readonly [key: string]: JsonValue } | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b));
}
