/** The compiler's diagnostics are the project's one problem type (problems/). */
export { formatDiagnostic, formatPath, parsePath, hasErrors, sortDiagnostics, type Diagnostic, type DiagnosticStyle, type PathSegment, type Severity, type Subject } from '../problems/index.js';
