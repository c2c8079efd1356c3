/**
 * The flows' admin routes, mounted beside `/status` by the admin endpoint's `extra` hook:
 *   /flows?FILTERS           the newest matching flows (default 20), oldest first, as JSON lines;
 *                            with `follow=true` (or `Accept: text/event-stream`) an SSE stream
 *                            (`event: flow`) of the last N and then every new match
 *   /flows/audit?policy=NS/NAME&since=24h   the audit report (audit.ts); `since` is a duration back
 *                            or an RFC 3339 time (the controller's replicas ask each other so)
 *   /flows/status            the store's and the collector's counters
 *   /map, /map/app.js, /map/cytoscape.min.js, /map/graph?namespace=NS&since=1h   the service map
 * Filters are parsed by filter.ts, the same parser `sluice observe` uses; a bad one is a 400 with
 * every problem and its parameter. A follower that reads slower than flows arrive misses flows
 * (counted, and told with an `event: dropped`) instead of growing a buffer here.
 */
import type http from 'node:http';
import { formatDiagnostic, type Diagnostic } from '../policy-compiler/index.js';
import { auditReport, type WindowCoverage } from './audit.js';
import { flowToJson } from './codec.js';
import { parseDuration, parseFlowQuery, parseTime } from './filter.js';
import { buildGraph } from './map-graph.js';
import { cytoscapeScript, MAP_APP_JS, MAP_HTML } from './map-page.js';
import { compilePredicate } from './predicate.js';
import type { FlowStore, StoredFlow } from './store.js';

export interface FlowRoutesOptions {
  readonly store: FlowStore;
  readonly now?: () => number;
  readonly coverage: () => WindowCoverage;
  /** Extra counters for `/flows/status` (the collector's). */
  readonly status?: () => Record<string, unknown>;
  /** At most this many `follow` streams at once (default 64). */
  readonly maxFollowers?: number;
  /** A follower whose unsent output passes this many bytes misses flows (default 1 MiB). */
  readonly followerBufferBytes?: number;
  /** Comment lines that keep idle streams open through proxies (default 15 s). */
  readonly heartbeatMs?: number;
}

export type ExtraRoute = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => boolean;

const DEFAULT_LAST = 20;
const MAP_WINDOW_MS = 3_600_000;

function json(res: http.ServerResponse, code: number, body: unknown, head: boolean): void {
  res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(head ? undefined : `${JSON.stringify(body, null, 2)}\n`);
}

function text(res: http.ServerResponse, type: string, body: string, head: boolean): void {
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(head ? undefined : body);
}

function badRequest(res: http.ServerResponse, problems: readonly Diagnostic[], head: boolean): void {
  json(res, 400, { error: 'invalid flow filter', problems: problems.map((d) => ({ parameter: d.path, message: d.message, text: formatDiagnostic({ ...d, file: 'query' }) })) }, head);
}

export function flowRoutes(o: FlowRoutesOptions): ExtraRoute {
  const now = o.now ?? Date.now;
  const maxFollowers = o.maxFollowers ?? 64;
  let followers = 0;
  let missed = 0;

  const follow = (req: http.IncomingMessage, res: http.ServerResponse, backlog: readonly StoredFlow[], test: (s: StoredFlow) => boolean, dispose: () => void): void => {
    if (followers >= maxFollowers) {
      dispose();
      return json(res, 503, { error: `at most ${maxFollowers} flow streams at once` }, false);
    }
    followers += 1;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': sluice flows\n\n');
    const limit = o.followerBufferBytes ?? 1 << 20;
    let skipped = 0;
    const send = (s: StoredFlow) => {
      if (res.writableLength > limit) {
        skipped += 1;
        missed += 1;
        return;
      }
      if (skipped > 0) {
        res.write(`event: dropped\ndata: ${JSON.stringify({ dropped: skipped })}\n\n`);
        skipped = 0;
      }
      res.write(`event: flow\nid: ${s.seq}\ndata: ${JSON.stringify(flowToJson(s.flow))}\n\n`);
    };
    for (const s of backlog) send(s);
    const unfollow = o.store.follow((s) => {
      if (test(s)) send(s);
    });
    const beat = setInterval(() => res.write(': keep-alive\n\n'), o.heartbeatMs ?? 15_000);
    beat.unref();
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      followers -= 1;
      clearInterval(beat);
      unfollow();
      dispose();
    };
    req.on('close', end);
    res.on('close', end);
  };

  const flows = (req: http.IncomingMessage, res: http.ServerResponse, url: URL, head: boolean): void => {
    const { query, problems } = parseFlowQuery(url.searchParams.entries(), now());
    const compiled = compilePredicate(query.filter);
    const all = [...problems, ...compiled.problems];
    if (all.length > 0) {
      compiled.predicate.dispose();
      return badRequest(res, all, head);
    }
    const wantsStream = query.follow || (req.headers.accept ?? '').includes('text/event-stream');
    const last = query.last ?? (wantsStream ? 0 : DEFAULT_LAST);
    const backlog = o.store.run(query.filter, compiled.predicate, { limit: last }).reverse();
    if (wantsStream && !head) return follow(req, res, backlog, (s) => compiled.predicate.test(s.flow), () => compiled.predicate.dispose());
    compiled.predicate.dispose();
    text(res, 'application/x-ndjson', backlog.map((s) => `${JSON.stringify(flowToJson(s.flow))}\n`).join(''), head);
  };

  const audit = (res: http.ServerResponse, url: URL, head: boolean): void => {
    const problems: Diagnostic[] = [];
    const policy = url.searchParams.get('policy') ?? '';
    if (!/^[^/\s#]+\/[^/\s#]+$/.test(policy)) problems.push({ severity: 'error', code: 'flows.audit.policy', path: 'policy', message: `expected NAMESPACE/NAME, got "${policy}"` });
    const sinceText = url.searchParams.get('since') ?? '24h';
    const t = now();
    const since = parseTime(sinceText, t);
    if (since === undefined) problems.push({ severity: 'error', code: 'flows.audit.since', path: 'since', message: `expected a duration (30m, 24h) or an RFC 3339 time, got "${sinceText}"` });
    if (problems.length > 0) return badRequest(res, problems, head);
    json(res, 200, auditReport(o.store, policy, since ?? t, t, o.coverage()), head);
  };

  const graph = (res: http.ServerResponse, url: URL, head: boolean): void => {
    const back = parseDuration(url.searchParams.get('since') ?? '') ?? MAP_WINDOW_MS;
    const namespace = url.searchParams.get('namespace') ?? '';
    const stored = o.store.query({ since: now() - back, ...(namespace ? { namespaces: [namespace] } : {}) });
    const g = buildGraph(stored.map((s) => s.flow));
    // The namespace list comes from the whole window, so the page can switch back.
    const everything = namespace ? buildGraph(o.store.query({ since: now() - back }).map((s) => s.flow)).namespaces : g.namespaces;
    json(res, 200, { ...g, namespaces: everything }, head);
  };

  return (req, res, url) => {
    const head = req.method === 'HEAD';
    switch (url.pathname) {
      case '/flows':
        flows(req, res, url, head);
        return true;
      case '/flows/audit':
        audit(res, url, head);
        return true;
      case '/flows/status':
        json(res, 200, { store: o.store.stats(), followers, missedByFollowers: missed, ...(o.status?.() ?? {}) }, head);
        return true;
      case '/map':
        text(res, 'text/html; charset=utf-8', MAP_HTML, head);
        return true;
      case '/map/app.js':
        text(res, 'text/javascript; charset=utf-8', MAP_APP_JS, head);
        return true;
      case '/map/cytoscape.min.js':
        text(res, 'text/javascript; charset=utf-8', cytoscapeScript(), head);
        return true;
      case '/map/graph':
        graph(res, url, head);
        return true;
      default:
        return false;
    }
  };
}
