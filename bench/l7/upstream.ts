/**
 * The benchmarks' upstream (`bench/l7/upstream/main.go`, Go's standard library only), built on
 * first use into the peer cache outside the repository, keyed by its sources.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PEER_CACHE } from '../cache.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** bench/l7/upstream in the sources, from bench/l7 or from dist/bench/l7. */
const sources = here.includes(`${path.sep}dist${path.sep}`) ? path.join(here, '..', '..', '..', 'bench', 'l7', 'upstream') : path.join(here, 'upstream');

export function upstreamBinary(): { readonly path: string } | { readonly missing: string } {
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'main.go']) hash.update(fs.readFileSync(path.join(sources, f)));
  const out = path.join(PEER_CACHE, 'bench-upstream', hash.digest('hex').slice(0, 16), 'upstream');
  if (fs.existsSync(out)) return { path: out };
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
  } catch {
    return { missing: 'no Go toolchain (go) to build the benchmark upstream bench/l7/upstream' };
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  try {
    process.stderr.write(`building the benchmark upstream into ${out} (first use)…\n`);
    execFileSync('go', ['build', '-o', out, '.'], { cwd: sources, stdio: ['ignore', 'inherit', 'inherit'], timeout: 5 * 60_000 });
    return { path: out };
  } catch (error) {
    return { missing: `could not build ${sources}: ${error instanceof Error ? error.message : String(error)}` };
  }
}
