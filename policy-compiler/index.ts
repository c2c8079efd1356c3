/** The policy compiler: policy files → validated model → IR → Envoy resources. Pure: no I/O. */
export { redirectKey, type RedirectEntry, type RedirectDirection } from './ir/redirect.js';
export { formatDiagnostic, formatPath, hasErrors, sortDiagnostics, type Diagnostic, type PathSegment, type Severity } from './diagnostics.js';
export { loadSources, type LoadResult, type LoadedDocument } from './source/load.js';
export { DEFAULT_PARSE_LIMITS, type ParseLimits, type SourceFile } from './source/yaml-documents.js';
export { SCHEMAS, type SchemaKind } from './source/schema-check.js';
export type * from './model/types.js';
export { checkRe2, re2FullMatch } from './validate/regex.js';
