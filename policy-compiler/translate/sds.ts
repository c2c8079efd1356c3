/** How a TLS context or a credential names a secret: by its SDS name, fetched over the ADS stream (never inline). */
import { MESSAGES, type envoy } from '../../envoy-api/index.js';
import { ADS_CONFIG_SOURCE } from './ads.js';
import type { ResourceRef } from './resource.js';

export function sdsSecret(name: string): envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig {
  return { name, sds_config: ADS_CONFIG_SOURCE };
}

export function secretRef(name: string): ResourceRef {
  return { message: MESSAGES.secret, name };
}
