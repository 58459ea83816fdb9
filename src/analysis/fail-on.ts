/**
 * `--fail-on`: which findings make `sipscope analyze` exit 1. Either a severity (`error`: errors only, the
 * default; `warning`: warnings and errors; `info`: everything) or a comma-separated list of finding kinds.
 */
import { AnalysisError } from './errors.js';
import { FINDING_KINDS, type Finding, type FindingKind, type Severity } from './types.js';

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, error: 2 };

export type FailOn = (finding: Finding) => boolean;

/** Parses a --fail-on value; throws AnalysisError('bad-fail-on') naming the unknown word. */
export function parseFailOn(text: string): FailOn {
  const value = text.trim();
  if (value in SEVERITY_RANK) {
    const threshold = SEVERITY_RANK[value as Severity];
    return (finding) => SEVERITY_RANK[finding.severity] >= threshold;
  }
  const kinds = value.split(',').map((kind) => kind.trim()).filter((kind) => kind !== '');
  const unknown = kinds.filter((kind) => !(FINDING_KINDS as readonly string[]).includes(kind));
  const severities = unknown.filter((word) => word in SEVERITY_RANK);
  if (severities.length > 0) {
    throw new AnalysisError(
      'bad-fail-on',
      `--fail-on ${JSON.stringify(text)}: a severity (${severities.join(', ')}) stands alone, it already takes every severity above it; or list finding kinds: ${FINDING_KINDS.join(', ')}`,
    );
  }
  if (kinds.length === 0 || unknown.length > 0) {
    throw new AnalysisError(
      'bad-fail-on',
      `--fail-on ${JSON.stringify(text)}: ${unknown.length > 0 ? `unknown finding kind ${unknown.join(', ')}` : 'empty'}; use error, warning, info or kinds from: ${FINDING_KINDS.join(', ')}`,
    );
  }
  const wanted = new Set<FindingKind>(kinds as FindingKind[]);
  return (finding) => wanted.has(finding.kind);
}
