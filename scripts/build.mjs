#!/usr/bin/env node
// `npm run build`: a complete, runnable dist/ from the TypeScript sources. tsc compiles the code;
// the assets the compiled code reads at run time, which tsc does not copy, are copied beside it
// (today the JSON Schemas: policy-compiler/source/schema-check.ts reads ../schema/*.json).
// `make build` runs this and then builds the eBPF object.
//
//   node scripts/build.mjs [--out-dir DIR]   (default dist; another directory gets its own
//                                             .tsbuildinfo, so a test build never touches dist/)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Directories of sources whose files the compiled code reads, copied to the same place under the output. */
const ASSETS = ['policy-compiler/schema'];

function main() {
  const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } } });
  const outDir = path.resolve(root, values['out-dir'] ?? 'dist');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const args = [tsc, '-p', path.join(root, 'tsconfig.build.json')];
  if (values['out-dir']) args.push('--outDir', outDir, '--tsBuildInfoFile', path.join(outDir, '.tsbuildinfo'));
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`build: tsc failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`);
    process.exit(1);
  }
  for (const asset of ASSETS) {
    const from = path.join(root, asset);
    if (!existsSync(from)) {
      console.error(`build: ${asset} is missing from the sources`);
      process.exit(1);
    }
    mkdirSync(path.dirname(path.join(outDir, asset)), { recursive: true });
    cpSync(from, path.join(outDir, asset), { recursive: true });
  }
}

main();
