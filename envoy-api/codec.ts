/**
 * Conversion between the JSON form of Envoy resources (snake_case field names, enums as strings,
 * `google.protobuf.Any` written as `{ "@type": "type.googleapis.com/…", …fields }`, the form
 * Envoy's own YAML configuration uses) and their protobuf encoding.
 *
 * The compiler emits the JSON form (readable, golden-file friendly); the xDS server sends the
 * binary form. Both directions go through protobufjs's reflection over Envoy's protos.
 */
import type protobuf from 'protobufjs';
import { messageType } from './proto-root.js';
import { TYPE_URL_PREFIX } from './protos.js';

/** A resource in JSON form. */
export type ResourceJson = { readonly [field: string]: unknown };

/**
 * Encodes a resource. Throws when protobufjs rejects the JSON (a wrong scalar type): the compiler
 * builds these objects, so a failure here is a bug in sluice. protobufjs silently drops unknown
 * fields and enum names; `checkResource` (the Envoy-rules checker) catches those, and the golden
 * tests run it on every resource the compiler emits.
 */
export function encodeMessage(messageName: string, json: object): Uint8Array {
  const type = messageType(messageName);
  const message = type.fromObject(json as Record<string, unknown>); // protobufjs's own (loose) parameter type
  const problem = type.verify(message);
  if (problem) throw new Error(`${messageName}: ${problem}`);
  return type.encode(message).finish();
}

const TO_JSON: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: String,
  json: true,
};

/** Decodes bytes into the JSON form (defaults omitted, Any expanded with `@type`). */
export function decodeMessage(messageName: string, bytes: Uint8Array): ResourceJson {
  const type = messageType(messageName);
  return type.toObject(type.decode(bytes), TO_JSON) as ResourceJson;
}

/** Encodes and wraps as `google.protobuf.Any`. */
export function packAny(messageName: string, json: object): { type_url: string; value: Uint8Array } {
  return { type_url: TYPE_URL_PREFIX + messageName, value: encodeMessage(messageName, json) };
}
