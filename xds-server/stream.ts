/**
 * One SotW stream (ADS or a per-type service): its node, and per type its subscription, the last
 * response sent, what the client holds, ACK/NACK bookkeeping, the warming flag and at most one
 * pending response. The decisions (respond or not, what to send, resume) are the pure functions
 * in respond.ts; the rules are listed in docs/xds-server.md.
 */
import type * as grpc from '@grpc/grpc-js';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { checkNodeIdentity, type NodeIdentityOptions } from './identity.js';
import type { Logger } from '../telemetry/index.js';
import type { BodyCache } from './bodies.js';
import type { SnapshotCache } from './cache.js';
import type { XdsMetrics } from './metrics.js';
import type { Resource } from './snapshot.js';
import type { ResourceSet } from './view.js';
import type { AckStatus, NackStatus, SentStatus, StreamStatus, Transport, XdsEvent } from './status.js';
import { planRequest, planResponse, type Mode } from './respond.js';
import { Subscription } from './subscription.js';
import { PUSH_ORDER, TYPE_URL, typeInfo, type ResourceTypeInfo, type TypeUrl } from './type-urls.js';
import { admit, type XdsLimits } from './admit.js';
import { encodeResponseBody, withNonce, type DiscoveryRequest, type NodeInfo } from './wire.js';

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
  attach(stream: XdsStream): void;
  detach(stream: XdsStream, reason: string): void;
  wantedChanged(nodeId: string, typeUrl: TypeUrl): void;
  recordAck(nodeId: string, typeUrl: TypeUrl, ack: AckStatus): void;
  recordNack(nodeId: string, typeUrl: TypeUrl, nack: NackStatus): void;
  /** Mutual TLS binding node ids to client certificates (absent: any node id is taken as claimed). */
  readonly identity?: NodeIdentityOptions;
}

export type DuplexCall = grpc.ServerDuplexStream<Buffer, Buffer>;

type Pending = 'none' | Mode;

/** A set of one type as the client holds it (or will, once it applies our last response). */
interface Held {
  readonly version: string;
  /** name → version of every resource in it. */
  readonly versions: ReadonlyMap<string, string>;
}

type Sent = SentStatus & Held;

interface TypeState {
  readonly info: ResourceTypeInfo;
  readonly sub: Subscription;
  lastSent: Sent | undefined;
  /** What the client holds: the last response sent, else the set it resumed with on this stream. */
  held: Held | undefined;
  /** The version the first request said the client holds (see respond.ts); until the next request. */
  claim: string | undefined;
  lastAcked: AckStatus | undefined;
  lastNack: NackStatus | undefined;
  /** Answer the next request even if nothing changed (a CDS/LDS response was just sent: warming). */
  warm: boolean;
  /** What to send once the stream drains (backpressure): only the latest state is ever sent. */
  pending: Pending;
}

export class XdsStream {
  node: NodeInfo | undefined;
  readonly connectedAt: number;
  private readonly types = new Map<TypeUrl, TypeState>();
  private nonceSeq = 0;
  private blocked = false;
  private closed = false;
  private readonly unknownLogged = new Set<string>();
  private readonly log: Logger;

  constructor(
    readonly id: number,
    private readonly call: DuplexCall,
    readonly transport: Transport,
    private readonly ctx: StreamContext,
  ) {
    this.connectedAt = ctx.now();
    this.log = ctx.log.child({ stream: id, transport });
    call.on('data', (buf: Buffer) => this.onData(buf));
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
      if (st?.sub.started) this.respond(st, 'push');
    }
  }

  /** The names this stream asks for, for one type (for on-demand resolution). */
  wantedNames(typeUrl: TypeUrl): ReadonlySet<string> {
    return this.types.get(typeUrl)?.sub.names ?? new Set();
  }

  status(): StreamStatus {
    return {
      id: this.id,
      peer: this.peer,
      transport: this.transport,
      connectedAt: this.connectedAt,
      types: PUSH_ORDER.flatMap((t) => {
        const st = this.types.get(t.typeUrl);
        if (!st) return [];
        const sent = st.lastSent;
        return [
          {
            typeUrl: t.typeUrl,
            type: t.short,
            subscription: { wildcard: st.sub.wildcard, names: st.sub.selector.names },
            lastSent: sent && { version: sent.version, nonce: sent.nonce, at: sent.at, count: sent.count },
            lastAcked: st.lastAcked,
            lastNack: st.lastNack,
            pending: st.pending !== 'none',
          },
        ];
      }),
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
    const admission = admit(buf, this.transport, this.node, this.ctx.limits);
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
      this.ctx.attach(this);
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
      st = { info, sub: new Subscription(), lastSent: undefined, held: undefined, claim: undefined, lastAcked: undefined, lastNack: undefined, warm: false, pending: 'none' };
      this.types.set(info.typeUrl, st);
    }
    return st;
  }

  private request(info: ResourceTypeInfo, req: DiscoveryRequest): void {
    const { metrics, now } = this.ctx;
    const nodeId = this.node?.id ?? '';
    const labels = { type: info.short };
    metrics.requests.inc(labels);
    const st = this.state(info);
    const sent = st.lastSent;
    if (sent && req.responseNonce !== '' && req.responseNonce !== sent.nonce) {
      // SotW: a request answering an older (or unknown) response is superseded; ignore it whole.
      metrics.staleNonces.inc(labels);
      this.log.debug('stale nonce', { node: nodeId, type: info.short, nonce: req.responseNonce, last: sent.nonce });
      return;
    }
    const at = now();
    this.ctx.emit({ kind: 'request', at, streamId: this.id, nodeId, type: info.short, names: req.resourceNames, versionInfo: req.versionInfo, nonce: req.responseNonce });
    const answers = sent !== undefined && req.responseNonce === sent.nonce;
    if (answers && req.errorDetail) {
      const nack: NackStatus = {
        rejectedVersion: sent.version,
        acceptedVersion: req.versionInfo,
        nonce: sent.nonce,
        code: req.errorDetail.code,
        message: req.errorDetail.message,
        at,
        streamId: this.id,
      };
      st.lastNack = nack;
      metrics.nacks.inc(labels);
      this.log.warn('NACK', { node: nodeId, type: info.short, version: sent.version, message: nack.message });
      this.ctx.recordNack(nodeId, info.typeUrl, nack);
      this.ctx.emit({ kind: 'nack', at, streamId: this.id, nodeId, type: info.short, nack });
    } else if (answers && st.lastAcked?.nonce !== sent.nonce) {
      const ack: AckStatus = { version: sent.version, nonce: sent.nonce, at, streamId: this.id, resources: Object.fromEntries(sent.versions) };
      st.lastAcked = ack;
      metrics.acks.inc(labels);
      this.ctx.recordAck(nodeId, info.typeUrl, ack);
      this.ctx.emit({ kind: 'ack', at, streamId: this.id, nodeId, type: info.short, ack });
    } else if (req.errorDetail) {
      this.log.warn('error_detail on a request that answers no response of ours; treated as a plain request', { node: nodeId, type: info.short, message: req.errorDetail.message });
    }
    const before = st.lastSent;
    const first = !st.sub.started;
    const changed = st.sub.update(req.resourceNames);
    const plan = planRequest({
      first,
      sent: sent !== undefined,
      answersLast: answers,
      hasError: req.errorDetail !== undefined,
      nonce: req.responseNonce,
      versionInfo: req.versionInfo,
      subscriptionChanged: changed,
      warm: st.warm,
    });
    // Set before resolving new names: a push that resolution triggers must honour the claim too.
    st.claim = plan.claim;
    if (changed) this.ctx.wantedChanged(nodeId, info.typeUrl);
    if (changed && st.lastSent !== before) return; // resolving the new names already answered it
    this.respond(st, plan.mode);
  }

  private respond(st: TypeState, mode: Mode): void {
    if (this.closed) return;
    if (st.sub.empty) {
      st.pending = 'none';
      return;
    }
    if (this.blocked) {
      if (st.pending !== 'force') st.pending = mode;
      return;
    }
    const nodeId = this.node?.id ?? '';
    const { info } = st;
    const set = this.ctx.cache.view(nodeId).select(info.typeUrl, st.sub.selector);
    const held = st.held;
    const action = planResponse({ mode, setVersion: set.version, sent: st.lastSent !== undefined, heldVersion: held?.version, claim: st.claim, fullState: info.fullState });
    if (action === 'none') {
      st.pending = 'none';
      return;
    }
    if (action === 'resume') {
      this.resume(st, set);
      return;
    }
    // Full-state types and forced answers carry the whole set; partial pushes only what changed.
    let resources: readonly Resource[] = set.resources;
    let subsetKey = '*';
    if (action === 'changed' && held) {
      resources = set.resources.filter((r) => held.versions.get(r.name) !== r.version);
      // The subset is determined by the two set versions (each a hash of name:version pairs).
      if (resources.length !== set.resources.length) subsetKey = `from ${held.version}`;
    }
    const bodyKey = `${info.typeUrl}\n${set.version}\n${subsetKey}`;
    const body = this.ctx.bodies.get(bodyKey, () => {
      this.ctx.metrics.encodes.inc({ type: info.short });
      return encodeResponseBody(info.typeUrl, set.version, resources.map((r) => r.body));
    });
    const nonce = (++this.nonceSeq).toString(36);
    const message = withNonce(body, nonce);
    const at = this.ctx.now();
    st.lastSent = { version: set.version, nonce, at, count: resources.length, versions: set.versions };
    st.held = st.lastSent;
    st.pending = 'none';
    st.warm = false;
    if (info.short === 'CDS') this.warmNext(TYPE_URL.EDS);
    if (info.short === 'LDS') this.warmNext(TYPE_URL.RDS);
    this.ctx.metrics.responses.inc({ type: info.short });
    this.ctx.metrics.bytesSent.inc({ type: info.short }, message.length);
    if (this.ctx.listening()) {
      this.ctx.emit({ kind: 'response', at, streamId: this.id, nodeId, type: info.short, version: set.version, nonce, names: resources.map((r) => r.name), bytes: message.length });
    }
    this.write(message);
  }

  /**
   * The client reconnected holding exactly the set this stream would be sent: send nothing, and
   * record it as held, like an ACK of that set (status shows it; pushes start from it).
   */
  private resume(st: TypeState, set: ResourceSet): void {
    const nodeId = this.node?.id ?? '';
    const at = this.ctx.now();
    st.held = { version: set.version, versions: set.versions };
    st.pending = 'none';
    const ack: AckStatus = { version: set.version, nonce: '', at, streamId: this.id, resources: Object.fromEntries(set.versions), resumed: true };
    st.lastAcked = ack;
    this.ctx.metrics.resumes.inc({ type: st.info.short });
    this.log.debug('resumed: the client holds the current version', { node: nodeId, type: st.info.short, version: set.version });
    this.ctx.recordAck(nodeId, st.info.typeUrl, ack);
    this.ctx.emit({ kind: 'resume', at, streamId: this.id, nodeId, type: st.info.short, ack });
  }

  private warmNext(typeUrl: TypeUrl): void {
    const st = this.types.get(typeUrl);
    if (st) st.warm = true;
  }

  private write(message: Buffer): void {
    if (this.call.destroyed || this.call.writableEnded) {
      this.close('stream gone while writing');
      return;
    }
    let ok: boolean;
    try {
      ok = this.call.write(message);
    } catch (err) {
      this.log.debug('write failed', { err });
      this.close('write failed');
      return;
    }
    if (!ok && !this.blocked) {
      this.blocked = true;
      this.call.once('drain', () => this.drain());
    }
  }

  private drain(): void {
    this.blocked = false;
    for (const t of PUSH_ORDER) {
      const st = this.types.get(t.typeUrl);
      if (!st || st.pending === 'none') continue;
      const mode = st.pending;
      st.pending = 'none';
      this.respond(st, mode);
      if (this.blocked) return;
    }
  }
}
