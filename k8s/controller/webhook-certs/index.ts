/** The webhooks' certificates issued and rotated by the controller's leader, served by every replica from a Secret (docs/kubernetes.md). */
export { WebhookCertIssuer, DEFAULT_CA_SECRET, DEFAULT_TLS_SECRET, DEFAULT_CA_DAYS, DEFAULT_CA_RENEW_WINDOW_MS, WEBHOOK_CA_NAME, type CaOptions, type WebhookIssuerOptions } from './issuer.js';
export { watchServingSecret, type ServingSecretWatch, type ServingSecretWatchOptions } from './serving-secret.js';
export { startWebhookCertificates, placeholderCertificate, webhookServingNames, DEFAULT_WEBHOOK_SERVICE, DEFAULT_ROUND_MS, DEFAULT_RELOAD_MS, type WebhookCertificates, type WebhookIssueSettings } from './run.js';
export { CA_SECRET_KEYS, SERVING_SECRET_KEYS, PREVIOUS_UNTIL_ANNOTATION, readCaSecret, readServingSecret, readServingPair, secretPath } from './secret-format.js';
