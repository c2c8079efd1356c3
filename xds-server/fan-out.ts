/**
 * The server's fan-out of node changes: merged per node, pushed in slices, with the requests read
 * meanwhile held back until the last slice. A burst of changes made in one synchronous run (a
 * reload sets every node it changed in one loop) becomes one push per node of its latest state.
 * The first slice starts in a microtask right after that run, not in a later event-loop turn: a
 * change to one proxy is written before the event loop runs anything else (measured with
 * `bench:xds`: a setImmediate waited 0.1–0.3 ms behind the loop's other work). Each slice runs
 * `FAN_OUT_SLICE_MS`, then the next waits for a turn of the event loop (it flushes what was
 * written, so the first proxies get their bytes while later ones are still being served);
 * requests read during a fan-out (the ACKs of the streams already pushed) are handled in arrival
 * order after it, in slices too, so a change reaches the last stream without waiting for the ACKs
 * of the first ones.
 */
import type { TypeUrl } from './type-urls.js';

/**
 * What the fan-out queues: a node's record, with the slot its change waits in (a field, not a map
 * keyed by node id: at 10,000 nodes the map's growth and lookups were a third of a fleet-wide `set`).
 */
export interface FanOutNode {
  /** The types changed since the node was last pushed (`undefined`: nothing queued). Written by the fan-out only. */
  queuedTypes: ReadonlySet<TypeUrl> | undefined;
}

/** How long one slice of a fan-out (or of the deferred requests) runs before the event loop gets a turn (milliseconds). */
export const FAN_OUT_SLICE_MS = 5;

/** A request that waited behind a fan-out: handled, in order, after it. */
export interface DeferredRequest {
  handleData(buf: Buffer): void;
}

export class FanOut<N extends FanOutNode> {
  /**
   * The nodes with a change not yet pushed, in the order they were queued, and the fan-out's
   * position in it (kept across slices). A node's changes merge in its slot (the set as the cache
   * gave it, copied only to merge a second change); a node queued again after its push is appended
   * again. An array and an index allocate nothing per node.
   */
  private order: N[] = [];
  private at = 0;
  private running = false;
  private deferred: Array<{ readonly stream: DeferredRequest; readonly buf: Buffer }> = [];
  private deferredAt = 0;
  private deferredScheduled = false;

  private readonly start = (): void => this.run();

  constructor(
    private readonly now: () => number,
    private readonly pushNode: (node: N, types: ReadonlySet<TypeUrl>) => void,
  ) {}

  /** Queues a node's change; the first one of a burst starts the fan-out once the synchronous run that made it ends. */
  change(node: N, types: ReadonlySet<TypeUrl>): void {
    const q = node.queuedTypes;
    if (!q) {
      node.queuedTypes = types;
      this.order.push(node);
    } else if (q !== types && [...types].some((t) => !q.has(t))) node.queuedTypes = new Set([...q, ...types]);
    if (!this.running) {
      this.running = true;
      // A promise job, not `queueMicrotask`: that makes an AsyncResource per call (about 10 µs of a single-node change, profiled).
      void Promise.resolve().then(this.start);
    }
  }

  /** Whether a request must wait behind the fan-out in progress (then it is queued, in order). */
  defer(stream: DeferredRequest, buf: Buffer): boolean {
    if (!this.running && this.deferred.length === 0) return false;
    this.deferred.push({ stream, buf });
    return true;
  }

  private run(): void {
    if (!this.running) return;
    const start = this.now();
    const order = this.order;
    while (this.at < order.length) {
      const node = order[this.at++];
      const types = node?.queuedTypes;
      if (!node || !types) continue;
      node.queuedTypes = undefined;
      this.pushNode(node, types);
      if (this.now() - start >= FAN_OUT_SLICE_MS && this.at < order.length) {
        setImmediate(() => this.run());
        return;
      }
    }
    this.order = [];
    this.at = 0;
    this.running = false;
    if (this.deferred.length > 0) this.scheduleDeferred();
  }

  /**
   * The requests that waited behind a fan-out, in order, in slices. A fan-out that starts meanwhile
   * alternates slices with them (each slice yields), so neither can starve the other.
   */
  private handleDeferred(): void {
    this.deferredScheduled = false;
    const start = this.now();
    const q = this.deferred;
    while (this.deferredAt < q.length) {
      const item = q[this.deferredAt++];
      if (item) item.stream.handleData(item.buf);
      if (this.now() - start >= FAN_OUT_SLICE_MS && this.deferredAt < q.length) {
        this.scheduleDeferred();
        return;
      }
    }
    this.deferred = [];
    this.deferredAt = 0;
  }

  private scheduleDeferred(): void {
    if (this.deferredScheduled) return;
    this.deferredScheduled = true;
    setImmediate(() => this.handleDeferred());
  }
}
