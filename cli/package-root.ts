/** The sluice package's root directory (where `examples/` lives), from source or from `dist/`. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'sluice') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the sluice package root');
    dir = parent;
  }
}
