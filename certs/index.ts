/**
 * sluice's certificate authority: a root CA (optionally with an intermediate that signs), TLS
 * server and client leaves with the right extensions, renewal decisions and rotation, PEM in and
 * out, and the files of a CA directory and of a TLS secret directory. Pure core (clock, WebCrypto,
 * key and random sources injected through `CertsEnv`); the files are in store.ts and
 * atomic-write.ts. See docs/certs.md.
 */
export { KEY_TYPES, DEFAULT_KEY_TYPE, DAY_MS, isKeyType, ok, failed, type KeyType, type KeyMaterial, type Usage, type CertsEnv, type Result } from './types.js';
export { CertsError, type CertCode, type CertsErrorCode } from './problems.js';
export { defaultEnv } from './env.js';
export { parsePem, encodePem, MAX_PEM_BYTES, MAX_PEM_BLOCKS, type PemBlock } from './pem.js';
export { generateKeyMaterial, parsePrivateKeyPem, privateKeyPem, keyMatchesSpki, describeSpki, keyAlgorithm, type KeyDescription } from './keys.js';
export { checkNames, dnsNameProblem, canonicalIp, uriProblem, spiffeNodeUri, MAX_NAMES, type SubjectNames } from './names.js';
export { parseDuration, formatDuration } from './duration.js';
export { BACKDATE_MS, DEFAULT_CA_DAYS, DEFAULT_LEAF_DAYS, MAX_DAYS, MIN_LIFETIME_MS, SERIAL_BYTES, validityFor, serialNumber, type Validity } from './profiles.js';
export { parseCertificates, parseCertificate, validityProblem, caProblems, leafProblems, issuedBy, selfSigned, chainProblems } from './certificates.js';
export { createCa, loadCaFromPem, servedChain, DEFAULT_CA_NAME, type Ca, type CaRequest, type CaSources, type CertifiedKey, type PemSource } from './ca.js';
export { issueLeaf, type LeafRequest, type IssuedLeaf } from './issue.js';
export { renewalDecision, rotationDecision, leafRequestFrom, rotateLeaf, DEFAULT_RENEW_WINDOW_MS, type RenewalDecision, type RenewalReason } from './renew.js';
export { inspectCertificate, formatCertificateInfo, fingerprintSha256, subjectAltNames, type CertificateInfo } from './inspect.js';
export { checkSecret, type SecretCheck } from './secret.js';
export { loadCa, saveCa, saveSecret, readPemFile, readSecretFiles, CA_FILES, SECRET_FILES, KEY_MODE, CERT_MODE, type PemFile, type SecretSources } from './store.js';
export { writeFilesAtomically, nodeFs, type FsSeam, type FileToWrite } from './atomic-write.js';
export { x509 } from './x509-lib.js';
export { inspectPath, type InspectReport, type InspectedCertificate, type InspectedKey } from './report.js';
