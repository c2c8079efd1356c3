/** What the translators produce: named resources in JSON form, typed by their message, with the names they point to. */
import { PUSH_ORDER, type MessageTypes, type ResourceMessage } from '../../envoy-api/index.js';

export interface ResourceRef {
  readonly message: ResourceMessage;
  readonly name: string;
}

/** One resource of a served type, its JSON typed by its message: `EnvoyResource<'envoy.config.listener.v3.Listener'>`. */
export type EnvoyResource<M extends ResourceMessage = ResourceMessage> = {
  readonly [K in M]: {
    /** The resource's message type; its xDS type URL is `type.googleapis.com/<message>`. */
    readonly message: K;
    readonly name: string;
    readonly json: MessageTypes[K];
    /** Resources this one needs (a listener's route configs, a route's clusters, a cluster's endpoints). */
    readonly references: readonly ResourceRef[];
  };
}[M];

/** Stat prefixes allow `[A-Za-z0-9_.]`; everything else becomes `_`. */
export function statPrefix(name: string): string {
  return name.replace(/[^A-Za-z0-9_.]/g, '_');
}

/** The served messages in push order. */
const PUSH_MESSAGES: readonly string[] = PUSH_ORDER.map((t) => t.message);

/** Resources in push order (clusters, endpoints, listeners, routes, secrets, Kafka policies), then by name. */
export function sortResources(resources: readonly EnvoyResource[]): EnvoyResource[] {
  return [...resources].sort((a, b) => PUSH_MESSAGES.indexOf(a.message) - PUSH_MESSAGES.indexOf(b.message) || a.name.localeCompare(b.name));
}
