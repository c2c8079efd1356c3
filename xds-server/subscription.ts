/**
 * What one stream asked for, for one type. Wildcard is explicit (`*` among the names) or legacy:
 * SotW, empty names on a stream that has never named a resource of that type (once it has, empty
 * names mean "nothing", not wildcard); Delta, a first request that subscribes to nothing (ended
 * by a later request that names resources without `*`).
 */
import type { Selector } from './view.js';

/** What a Delta request changed (see `Subscription.updateDelta`). */
export interface DeltaChange {
  readonly changed: boolean;
  readonly resubscribed: readonly string[];
  readonly dropped: readonly string[];
}

const UNCHANGED: DeltaChange = Object.freeze({ changed: false, resubscribed: Object.freeze([]) as readonly string[], dropped: Object.freeze([]) as readonly string[] });

export class Subscription {
  private wildcardFlag = false;
  private named: ReadonlySet<string> = new Set();
  private everNamed = false;
  private sel: Selector = { wildcard: false, names: [], key: '' };
  /** SotW: the last request's `resource_names`, as sent (an ACK repeats them: compared without building a set). */
  private lastNames: readonly string[] | undefined;
  /** Whether the stream has sent any request for this type yet. */
  started = false;

  get wildcard(): boolean {
    return this.wildcardFlag;
  }
  /** Explicit names (without `*`). */
  get names(): ReadonlySet<string> {
    return this.named;
  }
  get selector(): Selector {
    return this.sel;
  }
  /** Nothing to send: neither wildcard nor any name. */
  get empty(): boolean {
    return !this.wildcardFlag && this.named.size === 0;
  }

  /** Whether a resource of this name is subscribed (by name or wildcard). */
  covers(name: string): boolean {
    return this.wildcardFlag || this.named.has(name);
  }

  /**
   * Applies a Delta request's `resource_names_subscribe` / `_unsubscribe`. Returns the names
   * (re)subscribed — the client asks for them, so it is sent them even if it held them — and the
   * names it no longer covers (the client drops them itself; `*` dropped drops what only it covered).
   */
  updateDelta(subscribe: readonly string[], unsubscribe: readonly string[], held: ReadonlyMap<string, string>): DeltaChange {
    // The common case, an ACK: nothing (un)subscribed, nothing to copy or compare.
    if (this.started && subscribe.length === 0 && unsubscribe.length === 0) return UNCHANGED;
    this.lastNames = undefined;
    const first = !this.started;
    this.started = true;
    let wildcard = this.wildcardFlag;
    const names = new Set(this.named);
    if (first && subscribe.length === 0) wildcard = true;
    else if (subscribe.length > 0 && !this.everNamed && !subscribe.includes('*')) wildcard = false;
    if (subscribe.length > 0) this.everNamed = true;
    const resubscribed: string[] = [];
    for (const n of subscribe) {
      if (n === '*') wildcard = true;
      else {
        names.add(n);
        resubscribed.push(n);
      }
    }
    for (const n of unsubscribe) {
      if (n === '*') wildcard = false;
      else names.delete(n);
    }
    const dropped: string[] = [];
    for (const n of held.keys()) if (!wildcard && !names.has(n)) dropped.push(n);
    // A name unsubscribed while `*` still covers it: the client must be sent it again (or its removal).
    if (wildcard) for (const n of unsubscribe) if (n !== '*') resubscribed.push(n);
    const changed = first || wildcard !== this.wildcardFlag || names.size !== this.named.size || [...names].some((n) => !this.named.has(n));
    if (changed) this.set(wildcard, names);
    return { changed, resubscribed, dropped };
  }

  /** Applies a SotW request's `resource_names`; returns whether the subscription changed. */
  update(resourceNames: readonly string[]): boolean {
    // The same names as the last request, in the same order (what an ACK carries): the same subscription.
    const last = this.lastNames;
    if (this.started && last && last.length === resourceNames.length && last.every((n, i) => n === resourceNames[i])) return false;
    this.lastNames = resourceNames;
    const first = !this.started;
    this.started = true;
    let wildcard: boolean;
    const names = new Set<string>();
    if (resourceNames.length === 0) {
      wildcard = !this.everNamed;
    } else {
      this.everNamed = true;
      wildcard = false;
      for (const n of resourceNames) {
        if (n === '*') wildcard = true;
        else names.add(n);
      }
    }
    const same = !first && wildcard === this.wildcardFlag && names.size === this.named.size && [...names].every((n) => this.named.has(n));
    if (same) return false;
    this.set(wildcard, names);
    return true;
  }

  private set(wildcard: boolean, names: ReadonlySet<string>): void {
    this.wildcardFlag = wildcard;
    this.named = names;
    const sorted = [...names].sort();
    this.sel = { wildcard, names: sorted, key: wildcard ? '*' : sorted.join('\n') };
  }
}
