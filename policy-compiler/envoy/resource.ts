/** What the translators produce: named resources in JSON form, with the names they point to. */
import type { MessageName } from './extensions.js';

export interface ResourceRef {
  readonly message: MessageName;
  readonly name: string;
}

export interface EnvoyResource {
  /** The resource's message type; its xDS type URL is `type.googleapis.com/<message>`. */
  readonly message: MessageName;
  readonly name: string;
  readonly json: Readonly<Record<string, unknown>>;
  /** Resources this one needs (a listener's route configs, a route's clusters, a cluster's endpoints). */
  readonly references: readonly ResourceRef[];
}

/** Stat prefixes allow `[A-Za-z0-9_.]`; everything else becomes `_`. */
export function statPrefix(name: string): string {
  return name.replace(/[^A-Za-z0-9_.]/g, '_');
}
