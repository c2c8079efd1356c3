/**
 * kafkajs's own request encoders and response decoders (its `src/protocol`), used as an
 * independent oracle: requests we did not encode, and our responses read by a real client's code.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface KafkajsRequest {
  readonly apiKey: number;
  readonly apiVersion: number;
  encode(): Promise<{ buffer: Buffer }>;
}
type RequestFactory = (args: Record<string, unknown>) => KafkajsRequest;
interface ResponseModule {
  decode(payload: Buffer): Promise<Record<string, unknown>>;
  parse(decoded: Record<string, unknown>): Promise<Record<string, unknown>>;
}

const frameOf = require('kafkajs/src/protocol/request') as (args: { correlationId: number; clientId: string; request: KafkajsRequest }) => Promise<{ buffer: Buffer }>;

/** kafkajs's request factory for `api` (folder name, e.g. `produce`) at `version`. */
export function kafkajsRequest(api: string, version: number): RequestFactory {
  return require(`kafkajs/src/protocol/requests/${api}/v${version}/request`) as RequestFactory;
}

export function kafkajsResponse(api: string, version: number): ResponseModule {
  return require(`kafkajs/src/protocol/requests/${api}/v${version}/response`) as ResponseModule;
}

/** A whole request frame (size prefix included), encoded by kafkajs. */
export async function kafkajsFrame(api: string, version: number, args: Record<string, unknown>, correlationId = 1, clientId = 'oracle'): Promise<Buffer> {
  const request = kafkajsRequest(api, version)(args);
  const encoded = await frameOf({ correlationId, clientId, request });
  return Buffer.from(encoded.buffer);
}

/** Decodes a response payload (after the size prefix) with kafkajs: strips the correlation id, then `decode`. */
export async function kafkajsDecode(api: string, version: number, payload: Buffer): Promise<Record<string, unknown>> {
  return kafkajsResponse(api, version).decode(payload.subarray(4));
}
