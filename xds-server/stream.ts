/**
 * One xDS stream, SotW or Delta: the one state machine. Its node, and per type its subscription,
 * the last response sent, what the client holds, ACK/NACK bookkeeping, warming state and at most
 * one pending response. The protocol (sotw.ts, delta.ts) says how a request reads and what a
 * response carries; the pure decisions are in respond.ts; the rules are listed in docs/xds-server.md.
 */
import type * as grpc from '@grpc/grpc-js';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { checkNodeIdentity, type NodeIdentityOptions } from './identity.js';
import type { Logger } from '../telemetry/index.js';
import type { BodyCache } from './bodies.js';
import type { SnapshotCache } from './cache.js';
import type { XdsMetrics } from './metrics.js';
import type { AckStatus, NackStatus, StreamStatus, Transport, XdsApi, XdsEvent } from './status.js';
import type { Mode } from './respond.js';
import { Subscription } from './subscription.js';
import { PUSH_ORDER, typeInfo, type ResourceTypeInfo, type TypeUrl } from './type-urls.js';
import { admit, tooLargeDetails, type BaseRequest, type XdsLimits } from './admit.js';
import type { Protocol, Sent, StreamCore, TypeState } from './protocol.js';
import { ackStatus, nackStatus, record, typeStatuses } from './stream-records.js';
import type { ResourceSet, ResourceView } from './view.js';
import type { NodeInfo } from './proto-wire.js';
import { restatedNode } from './node-metadata.js';
import { GRPC_PREFIX_BYTES } from './grpc-frame.js';
import { StreamWriter } from './stream-writer.js';
import { readRequests } from './grpc-reads.js';

export type { XdsLimits } from './admit.js';

/** What a stream needs from its server. */
export interface StreamContext {
  readonly cache: SnapshotCache;
  readonly metrics: XdsMetrics;
  readonly log: Logger;
  readonly now: () => number;
  readonly limits: XdsLimits;
  readonly bodies: BodyCache;
  emit(event: XdsEvent): void;
  /** Whether anyone listens to events (responses are not described when nobody does). */
  listening(): boolean;
  /** The stream named its node: the server files it under that node and hands back where the node's ACKs and NACKs are kept. */
  attach(stream: XdsStream): NodeLedger | undefined;
  /** A later request restated the node with other `sluice.dev/` metadata (a report of sluice's own clients). */
  metadataChanged(stream: XdsStream): void;
  detach(stream: XdsStream, reason: string): void;
  wantedChanged(nodeId: string, typeUrl: TypeUrl): void;
  /** Whether a request must wait behind a fan-out in progress (then it is queued, in order, and handled after). */
  defer(stream: XdsStream, buf: Buffer): boolean;
  /** Mutual TLS binding node ids to client certificates (absent: any node id is taken as claimed). */
  readonly identity?: NodeIdentityOptions;
}

/** A node's last ACK and NACK per type, kept by the server across its streams (and after they end), and its view. */
export interface NodeLedger {
  readonly acks: Map<TypeUrl, AckStatus>;
  readonly nacks: Map<TypeUrl, NackStatus>;
  /** What the node can be sent now: `cache.view` without the lookup by node id (once per response). */
  view(): ResourceView;
}

export type DuplexCall = grpc.ServerDuplexStream<Buffer, Buffer>;

/** What an undescribed request reports (no listener, no NACK: nobody reads it). */
const NOT_DESCRIBED = Object.freeze({ names: Object.freeze([]) as readonly string[], versionInfo: '' });


export class XdsStream implements StreamCore {
  node: NodeInfo | undefined;
  readonly connectedAt: number;
  readonly api: XdsApi;
  private readonly types = new Map<TypeUrl, TypeState>();
  private readonly out: StreamWriter;
  private closed = false;
  private readonly unknownLogged = new Set<string>();
  private readonly log: Logger;
  /** The node's ACK/NACK history, held by the server (set once the stream names its node). */
  private ledger: NodeLedger | undefined;

  constructor(
    readonly id: number,
    private readonly call: DuplexCall,
    readonly transport: Transport,
    private readonly ctx: StreamContext,
    private readonly proto: Protocol<BaseRequest>,
  ) {
    this.api = proto.api;
    this.connectedAt = ctx.now();
    this.log = ctx.log.child({ stream: id, transport });
    this.out = new StreamWriter(call, this.log, (reason) => this.close(reason), () => this.drain());
    readRequests(call, ctx.limits.maxRequestBytes, {
      message: (buf) => this.onData(buf),
      tooLarge: (bytes) => this.fail(GrpcStatus.RESOURCE_EXHAUSTED, 'too_large', tooLargeDetails(bytes, ctx.limits)),
    });
    call.on('end', () => {
      this.close('client closed the stream');
      if (!call.writableEnded) call.end();
    });
    call.on('error', (err: Error) => this.close(`error: ${err.message}`));
    call.on('cancelled', () => this.close('cancelled'));
    call.on('close', () => this.close('closed'));
  }

  private authContext(): ReturnType<DuplexCall['getAuthContext']> | null {
    try {
      return this.call.getAuthContext();
    } catch {
      return null;
    }
  }

  get peer(): string {
    try {
      return this.call.getPeer();
    } catch {
      return 'unknown';
    }
  }

  /** The cache changed these types for this stream's node: send what changed, in push order. */
  push(changed: ReadonlySet<TypeUrl>): void {
    for (const t of PUSH_ORDER) {
      if (!changed.has(t.typeUrl)) continue;
      const st = this.types.get(t.typeUrl);
      if (!st?.sub.started) continue;
      const held = st.held !== undefined;
      // Nothing sent although the type changed for the node: the stream already holds what it would be sent.
      if (this.respond(st, 'push') === 'unchanged' && held) this.ctx.metrics.byType(t.short).skipped.inc();
    }
  }

  /** The names this stream asks for, for one type (for on-demand resolution). */
  wantedNames(typeUrl: TypeUrl): ReadonlySet<string> {
    return this.types.get(typeUrl)?.sub.names ?? new Set();
  }

  typeState(typeUrl: TypeUrl): TypeState | undefined {
    return this.types.get(typeUrl);
  }

  stateOf(typeUrl: TypeUrl): TypeState {
    const info = typeInfo(typeUrl);
    if (!info) throw new Error(`stateOf: ${typeUrl} is not a served type`);
    return this.state(info);
  }

  status(): StreamStatus {
    return {
      id: this.id,
      peer: this.peer,
      transport: this.transport,
      api: this.api,
      connectedAt: this.connectedAt,
      types: typeStatuses(this.types),
    };
  }

  /** Ends the stream with an error status (protocol violation or limit). */
  fail(code: GrpcStatus, reason: string, details: string): void {
    if (this.closed) return;
    this.ctx.metrics.rejected.inc({ reason });
    this.log.warn('ending xDS stream', { node: this.node?.id, code: GrpcStatus[code], details });
    const err = Object.assign(new Error(details), { code, details });
    this.close(`${GrpcStatus[code]}: ${details}`);
    try {
      this.call.emit('error', err);
    } catch (e) {
      this.log.debug('could not send status', { err: e });
    }
  }

  private close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ctx.detach(this, reason);
  }

  private onData(buf: Buffer): void {
    if (this.closed) return;
    // During a fan-out, requests wait in order behind it (server.ts): the pushes go out first.
    if (this.ctx.defer(this, buf)) return;
    this.handleData(buf);
  }

  /** Handles one request (now, or after the fan-out it waited behind). */
  handleData(buf: Buffer): void {
    if (this.closed) return;
    try {
      this.handle(buf);
    } catch (err) {
      // A bug, not bad input: end this stream only; the server and other streams keep working.
      this.log.error('xDS request handling failed', { err });
      this.fail(GrpcStatus.INTERNAL, 'internal', 'internal error handling the request');
    }
  }

  private handle(buf: Buffer): void {
    const { metrics } = this.ctx;
    const admission = admit(buf, (b, max) => this.proto.decode(b, max), this.transport, this.node, this.ctx.limits);
    if (!admission.ok) {
      this.fail(admission.code, admission.reason, admission.details);
      if (admission.bug !== undefined) throw admission.bug;
      return;
    }
    const { req, typeUrl } = admission;
    if (!this.node) {
      if (this.ctx.identity) {
        const verdict = checkNodeIdentity(this.authContext(), admission.node.id, this.ctx.identity);
        if (!verdict.ok) {
          this.log.warn('refusing an xDS stream: its node id is not the one its client certificate names', { node: admission.node.id, peer: this.peer, details: verdict.details });
          this.fail(verdict.code, 'identity', verdict.details);
          return;
        }
      }
      this.node = admission.node;
      this.ledger = this.ctx.attach(this);
    } else {
      // Before the request itself: an ACK and the report that came with it are recorded together.
      const restated = restatedNode(this.node, admission.req.node);
      if (restated) {
        this.node = restated;
        this.ctx.metadataChanged(this);
      }
    }
    const info = typeInfo(typeUrl);
    if (!info) {
      metrics.unknownTypes.inc();
      if (this.unknownLogged.size < 16 && !this.unknownLogged.has(typeUrl)) {
        this.unknownLogged.add(typeUrl);
        this.log.warn('ignoring request for a type this server does not serve', { node: this.node.id, typeUrl });
      }
      return;
    }
    this.request(info, req);
  }

  private state(info: ResourceTypeInfo): TypeState {
    let st = this.types.get(info.typeUrl);
    if (!st) {
      st = {
        info,
        sub: new Subscription(),
        lastSent: undefined,
        held: undefined,
        heldVersion: undefined,
        rejected: new Map(),
        claim: undefined,
        lastAcked: undefined,
        lastNack: undefined,
        warm: false,
        answerEmpty: false,
        absent: new Set(),
        resend: new Set(),
        pending: 'none',
      };
      this.types.set(info.typeUrl, st);
    }
    return st;
  }

  private request(info: ResourceTypeInfo, req: BaseRequest): void {
    const { metrics, now } = this.ctx;
    const nodeId = this.node?.id ?? '';
    const counters = metrics.byType(info.short);
    counters.requests.inc();
    const st = this.state(info);
    const sent = st.lastSent;
    const stale = sent !== undefined && req.responseNonce !== '' && req.responseNonce !== sent.nonce;
    if (stale) {
      // A request answering an older (or unknown) response is superseded.
      counters.staleNonces.inc();
      this.log.debug('stale nonce', { node: nodeId, type: info.short, nonce: req.responseNonce, last: sent.nonce });
      if (this.proto.staleIgnoresRequest) return;
    }
    const at = now();
    const described = this.ctx.listening() || req.errorDetail !== undefined ? this.proto.describe(req) : NOT_DESCRIBED;
    if (this.ctx.listening()) this.ctx.emit({ kind: 'request', at, streamId: this.id, nodeId, type: info.short, names: described.names, versionInfo: described.versionInfo, nonce: req.responseNonce });
    const answers = sent !== undefined && req.responseNonce === sent.nonce;
    const nack = answers && req.errorDetail !== undefined;
    const newAck = answers && !nack && st.lastAcked?.nonce !== sent.nonce;
    if (nack && sent && req.errorDetail) this.nack(st, sent, described.versionInfo, req.errorDetail, at);
    else if (newAck && sent) this.ack(st, sent, at);
    else if (req.errorDetail && !stale) {
      this.log.warn('error_detail on a request that answers no response of ours; treated as a plain request', { node: nodeId, type: info.short, message: req.errorDetail.message });
    }
    const before = st.lastSent;
    const first = !st.sub.started;
    const plan = this.proto.apply(st, req, { first, answersLast: answers, nack, newAck });
    if (plan.subscriptionChanged) this.ctx.wantedChanged(nodeId, info.typeUrl);
    if (plan.subscriptionChanged && st.lastSent !== before) return; // resolving the new names already answered it
    this.respond(st, plan.mode);
  }

  private ack(st: TypeState, sent: Sent, at: number): void {
    const nodeId = this.node?.id ?? '';
    const ack = ackStatus(sent, at, this.id);
    st.lastAcked = ack;
    this.ctx.metrics.byType(st.info.short).acks.inc();
    this.ledger?.acks.set(st.info.typeUrl, ack);
    if (this.ctx.listening()) this.ctx.emit({ kind: 'ack', at, streamId: this.id, nodeId, type: st.info.short, ack });
  }

  private nack(st: TypeState, sent: Sent, acceptedVersion: string, error: { code: number; message: string }, at: number): void {
    const nodeId = this.node?.id ?? '';
    const nack = nackStatus(this.api, st, sent, acceptedVersion, error, at, this.id);
    st.lastNack = nack;
    this.proto.nacked(st, sent);
    this.ctx.metrics.byType(st.info.short).nacks.inc();
    this.log.warn('NACK', { node: nodeId, type: st.info.short, version: sent.version, message: nack.message });
    this.ledger?.nacks.set(st.info.typeUrl, nack);
    this.ctx.emit({ kind: 'nack', at, streamId: this.id, nodeId, type: st.info.short, nack });
  }

  /** Sends what the type's state calls for; says what happened. */
  private respond(st: TypeState, mode: Mode): 'sent' | 'unchanged' | 'deferred' {
    if (this.closed) return 'deferred';
    if (st.sub.empty) {
      st.pending = 'none';
      return 'deferred';
    }
    if (this.out.blocked) {
      if (st.pending !== 'force') st.pending = mode;
      return 'deferred';
    }
    const nodeId = this.node?.id ?? '';
    const { info } = st;
    const set = (this.ledger?.view() ?? this.ctx.cache.view(nodeId)).select(info.typeUrl, st.sub.selector);
    const out = this.proto.plan(st, set, mode);
    if (out === 'none') {
      st.pending = 'none';
      return 'unchanged';
    }
    if (out === 'resume') {
      this.resume(st, set);
      return 'unchanged';
    }
    // A nonce newer than any this stream was sent for the type: it names this one response (bodies.ts).
    const counters = this.ctx.metrics.byType(info.short);
    const encodes = this.ctx.bodies.encodes;
    const { message, nonce, seq } = this.ctx.bodies.get(out.bodyKey, out.encode, st.lastSent?.seq ?? 0);
    if (this.ctx.bodies.encodes !== encodes) counters.encodes.inc();
    const at = this.ctx.now();
    const heldBefore = st.held;
    const holds = out.holds ?? set.versions;
    const count = out.resources.length;
    st.lastSent = out.removed.length > 0
      ? { version: out.version, nonce, seq, at, count, removed: out.removed.length, versions: holds, before: heldBefore, carried: out.resources }
      : { version: out.version, nonce, seq, at, count, versions: holds, before: heldBefore, carried: out.resources };
    st.held = holds;
    st.heldVersion = set.version;
    st.pending = 'none';
    st.answerEmpty = false;
    counters.responses.inc();
    const bytes = message.length - GRPC_PREFIX_BYTES;
    counters.bytesSent.inc(bytes);
    if (this.ctx.listening()) {
      const names = out.resources.map((r) => r.name);
      this.ctx.emit({ kind: 'response', at, streamId: this.id, nodeId, type: info.short, version: out.version, nonce, names, ...(out.removed.length ? { removed: out.removed } : {}), bytes });
    }
    this.out.write(message);
    // After the write: what the protocol sends in consequence goes out behind this response.
    this.proto.afterSend(this, st, out, heldBefore);
    return 'sent';
  }

  /**
   * The client reconnected holding exactly the set this stream would be sent: send nothing, and
   * record it as held, like an ACK of that set (status shows it; pushes start from it).
   */
  private resume(st: TypeState, set: ResourceSet): void {
    const nodeId = this.node?.id ?? '';
    const at = this.ctx.now();
    st.held = set.versions;
    st.heldVersion = set.version;
    st.pending = 'none';
    st.answerEmpty = false;
    const ack: AckStatus = { version: set.version, nonce: '', at, streamId: this.id, resources: record(set.versions), resumed: true };
    st.lastAcked = ack;
    this.ctx.metrics.byType(st.info.short).resumes.inc();
    this.log.debug('resumed: the client holds the current version', { node: nodeId, type: st.info.short, version: set.version });
    this.ledger?.acks.set(st.info.typeUrl, ack);
    this.ctx.emit({ kind: 'resume', at, streamId: this.id, nodeId, type: st.info.short, ack });
  }

  /** The write buffer drained: the latest state of each pending type, in push order. */
  private drain(): void {
    for (const t of PUSH_ORDER) {
      const st = this.types.get(t.typeUrl);
      if (!st || st.pending === 'none') continue;
      const mode = st.pending;
      st.pending = 'none';
      this.respond(st, mode);
      if (this.out.blocked) return;
    }
  }
}
