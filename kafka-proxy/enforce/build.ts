/** Small helpers shared by the per-API enforcers: schema lookups, default structs, responses. */
import { REQUESTS, RESPONSES } from '../protocol/messages.generated.js';
import { defaultStruct, type KafkaStruct, type KafkaValue } from '../protocol/message-codec.js';
import { decodeResponse, encodeResponse, type DecodedRequest } from '../protocol/messages.js';
import type { FieldSchema } from '../protocol/schema.js';
import type { RequestContext } from '../policy/evaluate.js';
import type { EnforceEnv, ResponseTransform } from './types.js';

/** The sub-fields of the struct (array) at `path` in an API's response (or request) schema. */
export function fieldsAt(apiKey: number, path: readonly string[], side: 'request' | 'response' = 'response'): readonly FieldSchema[] {
  let fields = (side === 'response' ? RESPONSES : REQUESTS)[apiKey]?.fields ?? [];
  for (const name of path) fields = fields.find((f) => f.n === name)?.f ?? [];
  return fields;
}

export function responseShell(apiKey: number, version: number): KafkaStruct {
  return defaultStruct(RESPONSES[apiKey]?.fields ?? [], version);
}

export function struct(fields: readonly FieldSchema[], version: number, values: Readonly<Record<string, KafkaValue>>): KafkaStruct {
  return Object.assign(defaultStruct(fields, version), values);
}

export function respond(req: DecodedRequest, body: KafkaStruct): Buffer {
  return encodeResponse(req.header.apiKey, req.header.apiVersion, req.header.correlationId, body);
}

/** A response transform that decodes, edits in place, and re-encodes. */
export function editResponse(req: DecodedRequest, edit: (body: KafkaStruct) => void | Promise<void>): ResponseTransform {
  const { apiKey, apiVersion } = req.header;
  return async (payload: Buffer) => {
    const { correlationId, body } = decodeResponse(apiKey, apiVersion, payload);
    await edit(body);
    return encodeResponse(apiKey, apiVersion, correlationId, body);
  };
}

export function contextOf(req: DecodedRequest, env: EnforceEnv): RequestContext {
  return { apiKey: req.header.apiKey, apiVersion: req.header.apiVersion, clientId: req.header.clientId, peer: env.peer };
}

export function structs(value: KafkaValue | undefined): KafkaStruct[] {
  return Array.isArray(value) ? (value as KafkaStruct[]) : [];
}

export function str(value: KafkaValue | undefined): string | null {
  return typeof value === 'string' ? value : null;
}
