/**
 * The node's SDS secrets: exactly those its chains name (lowering gave the node only those), each
 * a Secret resource: a certificate with its key, trusted CA certificates (the host's bundle read
 * by Envoy from its file), or a generic secret (an injected credential).
 */
import { MESSAGES, type envoy } from '../../../envoy-api/index.js';
import type { EnvoyNode, IrSecret } from '../../ir/types.js';
import type { FeatureTranslator } from '../feature.js';
import type { EnvoyResource } from '../resource.js';

/** Where Envoy reads the system trust bundle (Debian/Ubuntu and Alpine path). */
export const SYSTEM_TRUST_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

export function secretJson(s: IrSecret): envoy.extensions.transport_sockets.tls.v3.Secret {
  switch (s.kind) {
    case 'certificate':
      return { name: s.name, tls_certificate: { certificate_chain: { inline_string: s.certificateChain }, private_key: { inline_string: s.privateKey } } };
    case 'trust':
      return { name: s.name, validation_context: { trusted_ca: { inline_string: s.trustedCa } } };
    case 'system-trust':
      return { name: s.name, validation_context: { trusted_ca: { filename: SYSTEM_TRUST_BUNDLE } } };
    case 'credential':
      return { name: s.name, generic_secret: { secret: { inline_string: s.value } } };
  }
}

const memo = new WeakMap<IrSecret, EnvoyResource>();

function secretResource(s: IrSecret): EnvoyResource {
  let r = memo.get(s);
  if (!r) memo.set(s, (r = { message: MESSAGES.secret, name: s.name, references: [], json: secretJson(s) }));
  return r;
}

export const SECRETS_FEATURE: FeatureTranslator = {
  name: 'SDS secrets: the certificates, trusted CAs and credentials a node\'s chains name, and no other',
  nodeResources: (node: EnvoyNode) => (node.secrets ?? []).map(secretResource),
};
