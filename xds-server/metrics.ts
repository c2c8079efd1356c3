/** The server's Prometheus metrics, registered on the registry the runtime passes in. */
import type { Counter, CounterSeries, Gauge, Histogram, Registry } from '../telemetry/index.js';
import type { ShortName } from './type-urls.js';

/** One type's series of the per-type counters, labels rendered once (they are counted per message, per stream). */
export interface TypeCounters {
  readonly requests: CounterSeries;
  readonly responses: CounterSeries;
  readonly acks: CounterSeries;
  readonly resumes: CounterSeries;
  readonly nacks: CounterSeries;
  readonly bytesSent: CounterSeries;
  readonly staleNonces: CounterSeries;
  readonly encodes: CounterSeries;
  readonly skipped: CounterSeries;
}

export interface XdsMetrics {
  readonly streams: Gauge;
  readonly requests: Counter;
  readonly responses: Counter;
  readonly acks: Counter;
  readonly resumes: Counter;
  readonly nacks: Counter;
  readonly bytesSent: Counter;
  readonly staleNonces: Counter;
  readonly rejected: Counter;
  readonly unknownTypes: Counter;
  readonly encodes: Counter;
  readonly skipped: Counter;
  readonly pushDuration: Histogram;
  /** The per-type counters' series for one type (`{type: short}`), made once per type. */
  byType(type: ShortName): TypeCounters;
}

export function createMetrics(registry: Registry): XdsMetrics {
  const types = new Map<ShortName, TypeCounters>();
  const m: Omit<XdsMetrics, 'byType'> = {
    streams: registry.gauge('sluice_xds_streams', 'Connected xDS streams, by transport (ADS or the per-type service).'),
    requests: registry.counter('sluice_xds_requests_total', 'DiscoveryRequests received, by type.'),
    responses: registry.counter('sluice_xds_responses_total', 'DiscoveryResponses sent, by type.'),
    acks: registry.counter('sluice_xds_acks_total', 'ACKs received, by type.'),
    resumes: registry.counter('sluice_xds_resumes_total', 'First requests on a stream whose version_info is exactly what the stream would be sent: nothing sent, recorded as held, by type.'),
    nacks: registry.counter('sluice_xds_nacks_total', 'NACKs (requests with error_detail) received for a response we sent, by type.'),
    bytesSent: registry.counter('sluice_xds_bytes_sent_total', 'DiscoveryResponse bytes written to streams, by type.'),
    staleNonces: registry.counter('sluice_xds_stale_nonces_total', 'Requests ignored because their nonce was not the last one sent, by type.'),
    rejected: registry.counter('sluice_xds_streams_rejected_total', 'Streams ended by the server with an error status, by reason.'),
    unknownTypes: registry.counter('sluice_xds_unknown_type_requests_total', 'Requests for a type URL the server does not serve (logged and ignored).'),
    encodes: registry.counter('sluice_xds_response_encodes_total', 'DiscoveryResponse bodies encoded (once per type, version and resource set, shared by all streams), by type.'),
    skipped: registry.counter(
      'sluice_xds_responses_skipped_total',
      'Responses not sent because the stream already held exactly what it would be sent (a change that did not touch its resources, an unchanged re-request), by type.',
    ),
    pushDuration: registry.histogram(
      'sluice_xds_push_duration_seconds',
      'Time to fan one node change out to that node\'s streams.',
      [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
    ),
  };
  const byType = (type: ShortName): TypeCounters => {
    let c = types.get(type);
    if (!c) {
      const l = { type };
      c = {
        requests: m.requests.series(l),
        responses: m.responses.series(l),
        acks: m.acks.series(l),
        resumes: m.resumes.series(l),
        nacks: m.nacks.series(l),
        bytesSent: m.bytesSent.series(l),
        staleNonces: m.staleNonces.series(l),
        encodes: m.encodes.series(l),
        skipped: m.skipped.series(l),
      };
      types.set(type, c);
    }
    return c;
  };
  return { ...m, byType };
}
