/**
 * `npm run bench:compile`: how fast sluice turns 1,000 policies / 10,000 rules into Envoy
 * resources, in full and after one policy changes. The peer measured in the same run is the
 * floor every compiler of YAML policies pays: parsing the same YAML (js-yaml, the faster of the
 * two parsers sluice uses) into plain objects, with nothing validated or compiled.
 */
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { PolicyRuntime } from '../../controller/index.js';
import { compile, loadSources, type SourceFile } from '../../policy-compiler/index.js';
import { silentLogger } from '../../telemetry/index.js';
import { SnapshotCache } from '../../xds-server/index.js';
import { inventoryFile, policyFile, policyFiles, type WorkloadShape } from './workload.js';

const SHAPE: WorkloadShape = { policies: 1000, rulesPerPolicy: 10, workloads: 2000, namespaces: 50, nodes: 20 };
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function time(fn: () => void, runs = RUNS): number {
  return timeWithCpu(fn, runs).wall;
}

/** Median wall time and median CPU time (user + system, the process's threads) of `runs` calls after a warm-up. */
function timeWithCpu(fn: () => void, runs = RUNS): { wall: number; cpu: number } {
  fn(); // warm-up
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    fn();
    const used = process.cpuUsage(c);
    wall.push(performance.now() - t);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const fmt = (ms: number) => `${ms.toFixed(1).padStart(8)} ms`;

function main(): void {
  const files: SourceFile[] = [inventoryFile(SHAPE), ...policyFiles(SHAPE)];
  const bytes = files.reduce((n, f) => n + f.text.length, 0);
  const load = loadSources(files);
  const errors = load.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !load.inventory) throw new Error(`benchmark input is invalid: ${errors[0]?.message ?? 'no inventory'}`);
  const rules = load.policies.reduce((n, p) => n + p.rules.flatMap((r) => r.ports).reduce((m, pr) => m + (pr.allow === 'all' ? 1 : pr.allow.length) + pr.deny.length, 0), 0);
  const inventory = load.inventory;
  const output = compile(load.policies, inventory);
  const resources = output.nodes.reduce((n, x) => n + x.resources.length, 0) + output.shared.length;

  const yamlOnly = time(() => {
    for (const f of files) loadAll(f.text, { schema: CORE_SCHEMA });
  });
  const loadValidate = time(() => loadSources(files));
  const compileOnly = time(() => compile(load.policies, inventory));

  // The whole pipeline as `sluice serve` runs it: load, validate, compile, encode, snapshot, publish.
  // Cold: a fresh runtime each time (what a start-up costs).
  const full = time(() => new PolicyRuntime({ cache: new SnapshotCache(), logger: silentLogger }).apply({ files, readDiagnostics: [] }), 3);
  // Warm: the runtime of a running `sluice serve` reloads after one policy file changed.
  const runtime = new PolicyRuntime({ cache: new SnapshotCache(), logger: silentLogger });
  runtime.apply({ files, readDiagnostics: [] });
  let variant = 0;
  // More runs than the rest: one change takes milliseconds, so the machine's other work moves single runs most.
  const { wall: changed, cpu: changedCpu } = timeWithCpu(() => {
    const next = [...files];
    next[1 + 500] = policyFile(SHAPE, 500, ++variant);
    runtime.apply({ files: next, readDiagnostics: [] });
  }, 25);

  console.log(`sluice compile benchmark: ${load.policies.length} policies, ${rules} rules, ${SHAPE.workloads} workloads, ${output.nodes.length} nodes, ${resources} resources, ${(bytes / 1024).toFixed(0)} KiB of YAML`);
  console.log(`  peer: YAML parse only (js-yaml)           ${fmt(yamlOnly)}   1.00x`);
  console.log(`  load + validate (schema, RE2, CIDRs)      ${fmt(loadValidate)}   ${(loadValidate / yamlOnly).toFixed(2)}x the peer`);
  console.log(`  compile (lower + translate to Envoy)      ${fmt(compileOnly)}   ${(compileOnly / yamlOnly).toFixed(2)}x the peer`);
  console.log(`  full apply, cold (load → snapshots)       ${fmt(full)}   ${(full / yamlOnly).toFixed(2)}x the peer`);
  console.log(`  one policy changed, apply again           ${fmt(changed)}   ${(changed / yamlOnly).toFixed(2)}x the peer, ${(changed / full).toFixed(3)}x the full apply; CPU ${changedCpu.toFixed(1)} ms`);
}

main();
