/**
 * The checker's public entry points: `createEnvoyChecker` (explicit root, clock and limits) and
 * `checkResource`, which uses the shared root and the default options.
 */
import type protobuf from 'protobufjs';
import { decodeMessage, encodeMessage } from '../codec.js';
import { protoRoot } from '../proto-root.js';
import { PlanCache } from './plan.js';
import { fileSourceReader } from './proto-source.js';
import { roundTripWith, type Codec, type RoundTripDifference } from './round-trip.js';
import { ViolationSink, type Violation } from './violation.js';
import { walkMessage, type WalkContext } from './walk.js';

export interface CheckOptions {
  /** JSON nesting (objects and lists) beyond which the walk stops with `json.depth`. Default 100, as protobuf's own parse limit. */
  readonly maxDepth?: number;
  /** Violations kept per resource; past it one `check.truncated` ends the list. Default 1000. */
  readonly maxViolations?: number;
  /** Report use of deprecated fields and enum values as `envoy.deprecated` (Envoy only warns unless told to fail). Default false. */
  readonly reportDeprecated?: boolean;
}

export interface CheckerConfig extends CheckOptions {
  /** The protobufjs root holding the messages; default: the shared `protoRoot()`. */
  readonly root?: protobuf.Root;
  /** Now, as milliseconds since the epoch, for PGV's `timestamp.lt_now`/`gt_now`/`within`. Default `Date.now`. */
  readonly now?: () => number;
}

export interface EnvoyChecker {
  /**
   * Checks one resource in sluice's JSON form (snake_case, enums as names, Any as `@type` plus
   * fields) against what Envoy's loader accepts and the PGV rules Envoy runs. Never throws on bad
   * JSON; throws only when `messageName` is not a loaded message type (a bug in the caller).
   */
  check(messageName: string, json: unknown, options?: CheckOptions): Violation[];
  /**
   * Encodes the resource to protobuf and decodes it again (sluice's codec), and lists each field
   * that was lost, changed or appeared, compared with proto3 semantics (a default equals absent).
   */
  roundTrip(messageName: string, json: unknown): RoundTripDifference[];
  /** The plan cache, shared by `check` and `roundTrip`. */
  readonly plans: PlanCache;
}

/** The codec over a caller's root, converting exactly as `envoy-api/codec.ts` does over the shared one. */
function rootCodec(root: protobuf.Root): Codec {
  return {
    encode(name, json) {
      const type = root.lookupType(name);
      const message = type.fromObject(json);
      const problem = type.verify(message);
      if (problem) throw new Error(`${name}: ${problem}`);
      return type.encode(message).finish();
    },
    decode(name, bytes) {
      const type = root.lookupType(name);
      return type.toObject(type.decode(bytes), { longs: String, enums: String, bytes: String, json: true });
    },
  };
}

/** Creates a checker over one protobufjs root; plans are cached for the checker's lifetime. */
export function createEnvoyChecker(config: CheckerConfig = {}): EnvoyChecker {
  const plans = new PlanCache(config.root ?? protoRoot(), fileSourceReader());
  const codec: Codec = config.root ? rootCodec(config.root) : { encode: encodeMessage, decode: (name, bytes) => ({ ...decodeMessage(name, bytes) }) };
  const nowMs = config.now ?? Date.now;
  return {
    plans,
    roundTrip: (messageName, json) => roundTripWith(plans, codec, messageName, json),
    check(messageName, json, options = {}) {
      const plan = plans.lookup(messageName);
      if (!plan) throw new Error(`checkResource: ${messageName} is not a loaded message type`);
      const sink = new ViolationSink(options.maxViolations ?? config.maxViolations ?? 1000);
      const ctx: WalkContext = {
        plans,
        sink,
        maxDepth: options.maxDepth ?? config.maxDepth ?? 100,
        now: () => BigInt(Math.trunc(nowMs())) * 1_000_000n,
        reportDeprecated: options.reportDeprecated ?? config.reportDeprecated ?? false,
      };
      walkMessage(ctx, plan, json, undefined, 1, true);
      return sink.violations;
    },
  };
}

let shared: EnvoyChecker | undefined;

/** The checker over the shared root, created on first use. */
function sharedChecker(): EnvoyChecker {
  shared ??= createEnvoyChecker();
  return shared;
}

/**
 * Checks a resource against Envoy's rules with the shared checker: the JSON shape Envoy's loader
 * and sluice's codec accept, every PGV annotation in the message and in each `Any` it holds, and
 * a few of Envoy's own C++ checks. An empty list means no rule found a problem.
 *
 * @example checkResource('envoy.config.listener.v3.Listener', listenerJson)
 */
export function checkResource(messageName: string, json: unknown, options?: CheckOptions): Violation[] {
  return sharedChecker().check(messageName, json, options);
}

/**
 * Encode → decode → compare with the shared checker (see `EnvoyChecker.roundTrip`). Together with
 * `checkResource`, this is what the compiler's golden tests run on every emitted resource.
 */
export function roundTrip(messageName: string, json: unknown): RoundTripDifference[] {
  return sharedChecker().roundTrip(messageName, json);
}
