/**
 * Where heavy test and benchmark peers are cached, outside the repository (Envoy, Kafka's jars,
 * librdkafka's mock launcher, the go-control-plane build): `$SLUICE_CACHE`, else
 * `/var/cache/sluice` as root, else `~/.cache/sluice`. The `.ci/deps/*.sh` scripts use the same rule.
 */
import { sluiceCacheDir } from '../controller/envoy-binary.js';

export const PEER_CACHE = sluiceCacheDir();
