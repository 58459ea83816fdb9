/**
 * JUnit XML, the de-facto format CI systems read (Jenkins, GitLab, GitHub Actions reporters): a <testsuites> root,
 * one <testsuite> per suite with tests/failures/errors/skipped/time counts, one <testcase> per check. Text is
 * XML 1.0-escaped; characters XML 1.0 cannot carry at all (most C0 controls such as ESC from terminal colours,
 * U+FFFE/U+FFFF, lone surrogates; XML 1.0 §2.2 "Char") are written as visible `\xNN` / `\uNNNN` text instead.
 */

export interface JUnitProblem {
  message: string;
  type?: string;
  details?: string;
}

export interface JUnitCase {
  name: string;
  classname?: string;
  timeMs?: number;
  failure?: JUnitProblem;
  error?: JUnitProblem;
  /** Present (possibly empty) when the case was skipped: the reason. */
  skipped?: string;
  systemOut?: string;
  systemErr?: string;
}

export interface JUnitSuite {
  name: string;
  cases: JUnitCase[];
  /** ISO 8601 start time of the suite. */
  timestamp?: string;
  hostname?: string;
}

export interface JUnitOptions {
  /** name attribute of <testsuites>. */
  name?: string;
}

/** How a case ended. A case with several outcomes counts once: error over failure over skipped. */
export function junitOutcome(testCase: JUnitCase): 'error' | 'failure' | 'skipped' | 'passed' {
  if (testCase.error !== undefined) return 'error';
  if (testCase.failure !== undefined) return 'failure';
  if (testCase.skipped !== undefined) return 'skipped';
  return 'passed';
}

const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function visibleEscape(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Character data for element content. */
export function escapeXmlText(text: string): string {
  return text
    .replace(NOT_XML_CHAR, visibleEscape)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** A double-quoted attribute value; tab/CR/LF as character references so attribute normalisation keeps them (XML 1.0 §3.3.3). */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

function seconds(timeMs: number | undefined): string {
  return ((timeMs ?? 0) / 1000).toFixed(3);
}

function attributes(pairs: Record<string, string | number | undefined>): string {
  return Object.entries(pairs)
    .filter((pair): pair is [string, string | number] => pair[1] !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXmlAttribute(String(value))}"`)
    .join('');
}

function renderProblem(element: 'failure' | 'error', problem: JUnitProblem): string {
  const open = `<${element}${attributes({ message: problem.message, type: problem.type })}`;
  return problem.details === undefined || problem.details === '' ? `${open}/>` : `${open}>${escapeXmlText(problem.details)}</${element}>`;
}

function renderCase(testCase: JUnitCase, suiteName: string): string {
  const lines = [`    <testcase${attributes({ name: testCase.name, classname: testCase.classname ?? suiteName, time: seconds(testCase.timeMs) })}>`];
  const outcome = junitOutcome(testCase);
  if (outcome === 'error') lines.push(`      ${renderProblem('error', testCase.error!)}`);
  if (outcome === 'failure') lines.push(`      ${renderProblem('failure', testCase.failure!)}`);
  if (outcome === 'skipped') lines.push(`      <skipped${attributes({ message: testCase.skipped || undefined })}/>`);
  if (testCase.systemOut !== undefined) lines.push(`      <system-out>${escapeXmlText(testCase.systemOut)}</system-out>`);
  if (testCase.systemErr !== undefined) lines.push(`      <system-err>${escapeXmlText(testCase.systemErr)}</system-err>`);
  lines.push('    </testcase>');
  return lines.join('\n');
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  timeMs: number;
}

function countCases(cases: readonly JUnitCase[]): Counts {
  const counts: Counts = { tests: cases.length, failures: 0, errors: 0, skipped: 0, timeMs: 0 };
  for (const testCase of cases) {
    const outcome = junitOutcome(testCase);
    if (outcome === 'error') counts.errors++;
    if (outcome === 'failure') counts.failures++;
    if (outcome === 'skipped') counts.skipped++;
    counts.timeMs += testCase.timeMs ?? 0;
  }
  return counts;
}

function countAttributes(counts: Counts): Record<string, string | number> {
  return { tests: counts.tests, failures: counts.failures, errors: counts.errors, skipped: counts.skipped, time: seconds(counts.timeMs) };
}

/** The whole JUnit XML document, UTF-8, ending with a newline. */
export function renderJUnit(suites: readonly JUnitSuite[], options: JUnitOptions = {}): string {
  const total: Counts = { tests: 0, failures: 0, errors: 0, skipped: 0, timeMs: 0 };
  const rendered = suites.map((suite, index) => {
    const counts = countCases(suite.cases);
    for (const key of Object.keys(total) as (keyof Counts)[]) total[key] += counts[key];
    const open = `  <testsuite${attributes({ name: suite.name, id: index, ...countAttributes(counts), timestamp: suite.timestamp, hostname: suite.hostname })}`;
    if (suite.cases.length === 0) return `${open}/>`;
    return [`${open}>`, ...suite.cases.map((testCase) => renderCase(testCase, suite.name)), '  </testsuite>'].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: options.name, ...countAttributes(total) })}>`,
    ...rendered,
    '</testsuites>',
    '',
  ].join('\n');
}
