/**
 * What one stream asked for, for one type (SotW). Wildcard is explicit (`*` among the names) or
 * legacy: empty names on a stream that has never named a resource of that type. Once a stream has
 * named something, empty names mean "nothing" (unsubscribe), not wildcard.
 */
import type { Selector } from './view.js';

export class Subscription {
  private wildcardFlag = false;
  private named: ReadonlySet<string> = new Set();
  private everNamed = false;
  private sel: Selector = { wildcard: false, names: [], key: '' };
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

  /** Applies a request's `resource_names`; returns whether the subscription changed. */
  update(resourceNames: readonly string[]): boolean {
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
    this.wildcardFlag = wildcard;
    this.named = names;
    const sorted = [...names].sort();
    this.sel = { wildcard, names: sorted, key: wildcard ? '*' : sorted.join('\n') };
    return true;
  }
}
