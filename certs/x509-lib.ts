/**
 * The one door to `@peculiar/x509`. Its dependency injection (tsyringe) needs the Reflect metadata
 * polyfill loaded before it, so this module imports `reflect-metadata` first; nothing else in
 * sluice imports `@peculiar/x509` directly.
 */
import 'reflect-metadata';
import type { ParseOptions } from '@peculiar/x509';

export * as x509 from '@peculiar/x509';

/**
 * ASN.1 resource limits for everything parsed from outside (asn1js's defaults allow 16 MB and
 * 10,000 nodes). A certificate is a few KB; these bounds leave room for long SAN lists.
 */
export const UNTRUSTED_PARSE: ParseOptions = { berOptions: { maxDepth: 32, maxNodes: 20_000, maxContentLength: 256 * 1024 } };
