/**
 * Where heavy test and benchmark peers are cached, outside the repository (Envoy, Kafka's jars,
 * librdkafka's mock launcher, the go-control-plane build): `$SLUICE_CACHE`, else
 * `/var/cache/sluice` as root, else `~/.cache/sluice`. The `.ci/deps/*.sh` scripts use the same rule.
 */
import os from 'node:os';
import path from 'node:path';

export const PEER_CACHE = process.env['SLUICE_CACHE'] ?? (process.getuid?.() === 0 ? '/var/cache/sluice' : path.join(os.homedir(), '.cache', 'sluice'));
