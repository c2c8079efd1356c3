/**
 * Credential injection: Envoy's credential_injector HTTP filter, after the RBAC filters (a denied
 * request never carries the credential), sets a header to a generic credential it fetches over SDS
 * (the prefix, such as `Bearer `, is part of the secret's value). The workload never sees it.
 */
import { MESSAGES, typed } from '../../../envoy-api/index.js';
import type { FeatureTranslator } from '../feature.js';
import { sdsSecret, secretRef } from '../sds.js';

export const CREDENTIAL_INJECTION_FEATURE: FeatureTranslator = {
  name: 'credential injection: credential_injector with a generic credential from SDS',
  httpFilters: ({ chain }) => {
    const inject = chain?.tls?.inject;
    if (!inject) return [];
    return [{
      position: 'credential-injection',
      value: {
        name: 'sluice.credential_injector',
        typed_config: typed(MESSAGES.credentialInjector, {
          overwrite: inject.overwrite,
          allow_request_without_credential: false,
          credential: { name: 'envoy.http.injected_credentials.generic', typed_config: typed(MESSAGES.genericCredential, { credential: sdsSecret(inject.credential), header: inject.header }) },
        }),
      },
    }];
  },
  chainReferences: (chain) => (chain.tls?.inject ? [secretRef(chain.tls.inject.credential)] : []),
};
