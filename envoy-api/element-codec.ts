/**
 * Encoding a large resource again after a small change. A node's inbound Listener holds one
 * filter chain per protected port (a hundred and more), and one changed policy changes one or two
 * of them; the compiler hands back the same JSON object for every chain that did not change. So
 * the repeated field that holds them is encoded element by element, each element's bytes
 * remembered by the identity of its JSON object, and the message is the rest of its fields
 * followed by the elements, each framed as that field (protobuf's wire format allows a repeated
 * field's elements after the other fields: a parser appends them in order, so the decoded message
 * is the same as from a single `encode`).
 *
 * Which field of which message is encoded this way is one table, `ELEMENT_WISE`.
 */
import protobuf from 'protobufjs';
import { encodeMessage } from './codec.js';
import { messageType } from './proto-root.js';

/** The repeated message field, per message, whose elements are encoded one by one. */
export const ELEMENT_WISE: Readonly<Record<string, string>> = {
  'envoy.config.listener.v3.Listener': 'filter_chains',
};

const LENGTH_DELIMITED = 2;

interface ElementField {
  readonly name: string;
  readonly tag: number;
  readonly elementType: string;
}

function elementField(messageName: string): ElementField | undefined {
  const name = ELEMENT_WISE[messageName];
  if (name === undefined) return undefined;
  const field = messageType(messageName).fields[name];
  field?.resolve();
  if (!field?.repeated || !(field.resolvedType instanceof protobuf.Type)) throw new Error(`${messageName}.${name} is not a repeated message field`);
  return { name, tag: (field.id << 3) | LENGTH_DELIMITED, elementType: field.resolvedType.fullName.replace(/^\./, '') };
}

/**
 * Encodes resources, remembering the bytes of each element of the `ELEMENT_WISE` fields by the
 * identity of its (immutable) JSON object. Every other message is encoded as `encodeMessage` does.
 */
export class ElementWiseEncoder {
  private readonly elements = new WeakMap<object, Uint8Array>();
  private readonly fields = new Map<string, ElementField | undefined>();
  /** Elements encoded (not found remembered): what a test counts. */
  encodedElements = 0;

  encode(messageName: string, json: object): Uint8Array {
    if (!this.fields.has(messageName)) this.fields.set(messageName, elementField(messageName));
    const field = this.fields.get(messageName);
    const list = field ? (json as Record<string, unknown>)[field.name] : undefined;
    if (!field || !Array.isArray(list) || list.length === 0) return encodeMessage(messageName, json);
    const rest = encodeMessage(messageName, { ...json, [field.name]: [] });
    const out = protobuf.Writer.create();
    for (const element of list as object[]) {
      let bytes = this.elements.get(element);
      if (!bytes) {
        bytes = encodeMessage(field.elementType, element);
        this.elements.set(element, bytes);
        this.encodedElements++;
      }
      out.uint32(field.tag).bytes(bytes);
    }
    const tail = out.finish();
    const result = new Uint8Array(rest.length + tail.length);
    result.set(rest, 0);
    result.set(tail, rest.length);
    return result;
  }
}
