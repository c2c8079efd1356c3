/** The one problem type (`Diagnostic`), its one formatter, and the one error type of the environment. */
export { formatPath, parsePath, hasErrors, sortDiagnostics, type Diagnostic, type PathSegment, type Severity, type Subject } from './diagnostic.js';
export { formatDiagnostic, type DiagnosticStyle } from './format.js';
export { EnvironmentError, formatErrorLines, serializeError } from './environment-error.js';
