/**
 * The service map page (`/map`): Cytoscape.js (served from node_modules at `/map/cytoscape.min.js`)
 * draws `/map/graph`; workloads are nodes inside their namespace, edges carry request counts and
 * the colour of their worst verdict (denied red, audit-denied amber, forwarded green). The page
 * follows `/flows?follow=true` (SSE) and updates counts live; a click on an edge or a node lists
 * its recent flows (`/flows?from=…&to=…`) and the policies and rules that decided them.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let cytoscapeSource: string | undefined;

/** The Cytoscape.js browser build, read once from the installed package. */
export function cytoscapeScript(): string {
  cytoscapeSource ??= fs.readFileSync(require.resolve('cytoscape/dist/cytoscape.min.js'), 'utf8');
  return cytoscapeSource;
}

export const MAP_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>sluice service map</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 0; font: 13px system-ui, sans-serif; display: grid; grid-template-columns: 1fr 440px; grid-template-rows: auto 1fr; height: 100vh; }
  header { grid-column: 1 / 3; padding: 6px 10px; background: #1f2933; color: #f5f7fa; display: flex; gap: 16px; align-items: center; }
  header select { font: inherit; }
  #graph { border-right: 1px solid #ccc; }
  #panel { overflow: auto; padding: 8px; }
  .legend span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 10px; border-radius: 2px; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: 2px 4px; border-bottom: 1px solid #eee; vertical-align: top; }
  .forwarded { color: #1b7f3b; } .denied { color: #c62828; } .audit-denied { color: #b26a00; }
  code { font-size: 11px; word-break: break-all; }
</style>
</head>
<body>
<header>
  <strong>sluice service map</strong>
  <label>namespace <select id="namespace"><option value="">all</option></select></label>
  <span id="summary"></span>
  <span class="legend"><span style="background:#2e9d50"></span>forwarded<span style="background:#e0a000"></span>audit-denied<span style="background:#d32f2f"></span>denied</span>
  <span id="live">connecting…</span>
</header>
<div id="graph"></div>
<div id="panel"><p>Click an edge or a workload to see its recent flows and the policies that decided them.</p></div>
<script src="/map/cytoscape.min.js"></script>
<script src="/map/app.js"></script>
</body>
</html>
`;

export const MAP_APP_JS = `'use strict';
(function () {
  const verdictColour = { denied: '#d32f2f', 'audit-denied': '#e0a000', forwarded: '#2e9d50' };
  const state = { namespace: '', edges: new Map(), nodes: new Map() };
  const cy = cytoscape({
    container: document.getElementById('graph'),
    wheelSensitivity: 0.3,
    maxZoom: 2,
    style: [
      { selector: 'node[kind = "namespace"]', style: { label: 'data(label)', 'text-valign': 'top', 'text-halign': 'center', 'font-size': 12, 'background-color': '#f0f4f8', 'border-color': '#9aa5b1', 'border-width': 1, 'font-weight': 'bold', padding: 24 } },
      { selector: 'node[kind = "workload"]', style: { label: 'data(label)', width: 22, height: 22, 'background-color': '#3e4c59', color: '#1f2933', 'text-valign': 'bottom', 'text-margin-y': 3, 'font-size': 10 } },
      { selector: 'node[kind = "external"]', style: { label: 'data(label)', width: 22, height: 22, shape: 'diamond', 'background-color': '#9aa5b1', 'font-size': 9, 'text-valign': 'bottom', 'text-margin-y': 3 } },
      { selector: 'edge', style: { width: 'data(width)', 'line-color': 'data(colour)', 'target-arrow-color': 'data(colour)', 'target-arrow-shape': 'triangle', 'arrow-scale': 0.8, 'curve-style': 'bezier', label: 'data(label)', 'font-size': 9, 'text-rotation': 'autorotate', 'text-margin-y': -8, 'text-background-color': '#fff', 'text-background-opacity': 0.85, 'text-background-padding': 1 } },
      { selector: ':selected', style: { 'overlay-color': '#2680c2', 'overlay-opacity': 0.25 } },
    ],
  });
  window.sluiceMap = cy;

  function worst(counts) {
    if (counts.denied > 0) return 'denied';
    if (counts['audit-denied'] > 0) return 'audit-denied';
    return 'forwarded';
  }
  function edgeData(e) {
    const v = worst(e.counts);
    return { id: e.id, source: e.source, target: e.target, total: e.total, verdict: v, colour: verdictColour[v], width: Math.min(8, 1 + Math.log2(1 + e.total)), label: e.total + (e.counts.denied ? ' (' + e.counts.denied + ' denied)' : '') + (e.counts['audit-denied'] ? ' (' + e.counts['audit-denied'] + ' audit)' : '') };
  }
  function ensureNode(n) {
    if (cy.getElementById(n.id).nonempty()) return false;
    const parent = n.namespace ? 'ns:' + n.namespace : undefined;
    if (parent && cy.getElementById(parent).empty()) cy.add({ group: 'nodes', data: { id: parent, label: n.namespace, kind: 'namespace' } });
    cy.add({ group: 'nodes', data: { id: n.id, label: n.label, kind: n.namespace ? 'workload' : 'external', namespace: n.namespace, parent } });
    return true;
  }
  function setEdge(e) {
    state.edges.set(e.id, e);
    const el = cy.getElementById(e.id);
    if (el.nonempty()) el.data(edgeData(e));
    else cy.add({ group: 'edges', data: edgeData(e) });
  }
  function relayout() {
    cy.layout({ name: 'cose', animate: false, randomize: true, padding: 40, nodeDimensionsIncludeLabels: true, nodeRepulsion: () => 400000, nodeOverlap: 40, idealEdgeLength: () => 140, edgeElasticity: () => 100, nestingFactor: 1.2, gravity: 0.25, componentSpacing: 140, numIter: 1500 }).run();
  }
  function summary() {
    let total = 0, denied = 0, audit = 0;
    for (const e of state.edges.values()) { total += e.total; denied += e.counts.denied; audit += e.counts['audit-denied']; }
    document.getElementById('summary').textContent = cy.nodes('[kind != "namespace"]').length + ' workloads, ' + state.edges.size + ' edges, ' + total + ' flows (' + denied + ' denied, ' + audit + ' audit-denied)';
  }
  function nodeIdOf(ep) { return ep.workload ? ep.namespace + '/' + ep.workload : ep.address; }
  function nodeOf(ep) { return ep.workload ? { id: nodeIdOf(ep), label: ep.workload, namespace: ep.namespace } : { id: ep.address, label: ep.address, namespace: '' }; }

  async function load() {
    const q = state.namespace ? '?namespace=' + encodeURIComponent(state.namespace) : '';
    const graph = await (await fetch('/map/graph' + q)).json();
    cy.elements().remove();
    state.edges.clear();
    for (const n of graph.nodes) ensureNode(n);
    for (const e of graph.edges) setEdge(e);
    const select = document.getElementById('namespace');
    for (const ns of graph.namespaces) if (![...select.options].some((o) => o.value === ns)) select.add(new Option(ns, ns));
    relayout();
    summary();
    document.body.dataset.loaded = 'true';
  }

  function onFlow(f) {
    if (state.namespace && f.source.namespace !== state.namespace && f.destination.namespace !== state.namespace) return;
    const s = nodeOf(f.source), t = nodeOf(f.destination);
    const added = ensureNode(s) | ensureNode(t);
    const id = s.id + ' -> ' + t.id;
    const e = state.edges.get(id) || { id, source: s.id, target: t.id, counts: { forwarded: 0, denied: 0, 'audit-denied': 0 }, total: 0, policies: {}, last: 0 };
    if (e.counts[f.verdict] !== undefined) e.counts[f.verdict] += 1;
    e.total += 1;
    if (f.policy) e.policies[f.policy] = (e.policies[f.policy] || 0) + 1;
    setEdge(e);
    if (added) relayout();
    summary();
  }

  function follow() {
    const source = new EventSource('/flows?follow=true');
    source.addEventListener('open', () => { document.getElementById('live').textContent = 'live'; });
    source.addEventListener('flow', (m) => onFlow(JSON.parse(m.data)));
    source.addEventListener('error', () => { document.getElementById('live').textContent = 'reconnecting…'; });
  }

  function esc(s) { return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]); }
  function l7(f) { return f.http ? f.http.method + ' ' + f.http.path + ' → ' + f.http.status : f.grpc ? f.grpc.service + '/' + f.grpc.method + ' → ' + (f.grpc.status || '-') : f.kafka ? f.kafka.api + ' ' + (f.kafka.topic || f.kafka.group) : ''; }
  async function flowsOf(params) {
    const text = await (await fetch('/flows?' + new URLSearchParams(params).toString())).text();
    return text.split('\\n').filter(Boolean).map((l) => JSON.parse(l));
  }
  function showFlows(title, flows) {
    const rules = new Map();
    for (const f of flows) { const k = (f.rule || (f.policy ? f.policy + ' (default deny)' : '(no policy)')) + '|' + f.verdict; rules.set(k, (rules.get(k) || 0) + 1); }
    const ruleRows = [...rules].sort((a, b) => b[1] - a[1]).map(([k, n]) => { const [r, v] = k.split('|'); return '<tr><td class="' + v + '">' + v + '</td><td><code>' + esc(r) + '</code></td><td>' + n + '</td></tr>'; }).join('');
    const rows = flows.slice().reverse().map((f) => '<tr class="flow"><td>' + esc(f.time.slice(11, 23)) + '</td><td class="' + f.verdict + '">' + f.verdict + '</td><td>' + esc(l7(f)) + '</td><td><code>' + esc(f.rule || f.reason) + '</code></td></tr>').join('');
    document.getElementById('panel').innerHTML = '<h3>' + esc(title) + '</h3><h4>Deciding policies and rules</h4><table id="rules">' + ruleRows + '</table><h4>Recent flows (' + flows.length + ')</h4><table id="flows"><tr><th>time</th><th>verdict</th><th>request</th><th>rule</th></tr>' + rows + '</table>';
    document.getElementById('panel').dataset.title = title;
  }
  cy.on('tap', 'edge', async (ev) => {
    const d = ev.target.data();
    showFlows(d.source + ' → ' + d.target, await flowsOf([['from', d.source], ['to', d.target], ['last', '50']]));
  });
  cy.on('tap', 'node[kind != "namespace"]', async (ev) => {
    const id = ev.target.id();
    const out = await flowsOf([['from', id], ['last', '25']]);
    const into = await flowsOf([['to', id], ['last', '25']]);
    showFlows(id, [...into, ...out].sort((a, b) => (a.time < b.time ? -1 : 1)));
  });
  document.getElementById('namespace').addEventListener('change', (ev) => { state.namespace = ev.target.value; load(); });
  load().then(follow);
})();
`;
