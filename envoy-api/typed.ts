/** Building a `google.protobuf.Any` in JSON form, typed by the message it holds. */
import type { AnyOf, MessageTypes } from './generated/messages.js';
import { TYPE_URL_PREFIX, type MessageName } from './protos.js';

/**
 * `{ '@type': 'type.googleapis.com/<message>', ...fields }`: an `Any` in the JSON form Envoy's
 * config and sluice's codec use. `fields` must be the message's own (a misspelt field does not
 * compile).
 */
export function typed<M extends MessageName>(message: M, fields?: MessageTypes[M]): AnyOf[M] {
  // The one cast: '@type' beside a spread of MessageTypes[M] is AnyOf[M] by construction (TypeScript
  // cannot follow a generic key through the table).
  const any: unknown = { '@type': `${TYPE_URL_PREFIX}${message}`, ...fields };
  return any as AnyOf[M];
}
