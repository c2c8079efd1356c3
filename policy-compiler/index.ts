/** The policy compiler: policy files → validated model → IR → Envoy resources. Pure: no I/O. */
export { redirectKey, type RedirectEntry, type RedirectDirection } from './ir/redirect.js';
