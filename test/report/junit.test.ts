import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { junitOutcome, renderJUnit, type JUnitCase, type JUnitSuite } from '../../src/report/junit.js';

const workDir = mkdtempSync(join(tmpdir(), 'sipscope-junit-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

// Python's expat (a strict, independent XML 1.0 parser) reads each document and reports what it found.
const PYTHON_READER = `
import json, sys, xml.dom.minidom
def text(node): return ''.join(c.data for c in node.childNodes if c.nodeType in (c.TEXT_NODE, c.CDATA_SECTION_NODE))
out = []
for path in sys.argv[1:]:
    root = xml.dom.minidom.parse(path).documentElement
    suites = []
    for suite in root.getElementsByTagName('testsuite'):
        cases = []
        for case in suite.getElementsByTagName('testcase'):
            entry = {'name': case.getAttribute('name'), 'classname': case.getAttribute('classname'), 'time': case.getAttribute('time')}
            for kind in ('failure', 'error', 'skipped'):
                found = case.getElementsByTagName(kind)
                if found:
                    entry[kind] = {'message': found[0].getAttribute('message'), 'type': found[0].getAttribute('type'), 'details': text(found[0])}
            outs = case.getElementsByTagName('system-out')
            if outs: entry['systemOut'] = text(outs[0])
            cases.append(entry)
        suites.append({'name': suite.getAttribute('name'), 'counts': {k: suite.getAttribute(k) for k in ('tests', 'failures', 'errors', 'skipped', 'time')}, 'cases': cases})
    out.append({'root': root.tagName, 'counts': {k: root.getAttribute(k) for k in ('tests', 'failures', 'errors', 'skipped')}, 'suites': suites})
print(json.dumps(out))
`;

interface ReadCase {
  name: string;
  classname: string;
  time: string;
  failure?: { message: string; type: string; details: string };
  error?: { message: string; type: string; details: string };
  skipped?: { message: string };
  systemOut?: string;
}
interface ReadDocument {
  root: string;
  counts: Record<string, string>;
  suites: { name: string; counts: Record<string, string>; cases: ReadCase[] }[];
}

function readWithPython(documents: string[]): ReadDocument[] {
  const paths = documents.map((xml, index) => {
    const path = join(workDir, `doc-${index}.xml`);
    writeFileSync(path, xml, 'utf8');
    return path;
  });
  const python = spawnSync('python3', ['-c', PYTHON_READER, ...paths], { encoding: 'utf8', timeout: 30_000 });
  expect(python.status, python.stderr).toBe(0);
  return JSON.parse(python.stdout) as ReadDocument[];
}

describe('renderJUnit', () => {
  it('writes a document that a strict XML parser reads back with the right counts and texts', () => {
    const suites: JUnitSuite[] = [
      {
        name: 'register sip:alice@127.0.0.1',
        timestamp: '2026-11-23T22:00:00.000Z',
        cases: [
          { name: 'REGISTER 200 OK', timeMs: 12.3456, systemOut: 'sent REGISTER\nreceived 401 <then> 200 & done' },
          { name: 'auth "digest"', classname: 'sipscope.register', timeMs: 3, failure: { message: 'wrong password: 403 Forbidden', type: 'status', details: 'SIP/2.0 403 Forbidden\r\n' } },
          { name: 'tls', error: { message: 'connect ECONNREFUSED 127.0.0.1:5061' } },
          { name: 'ws', skipped: 'no WebSocket listener' },
          { name: 'both', error: { message: 'e' }, failure: { message: 'f' } },
        ],
      },
      { name: 'empty', cases: [] },
    ];
    const [document] = readWithPython([renderJUnit(suites, { name: 'sipscope' })]);
    expect(document!.root).toBe('testsuites');
    expect(document!.counts).toEqual({ tests: '5', failures: '1', errors: '2', skipped: '1' });
    const [first, empty] = document!.suites;
    expect(first!.counts).toEqual({ tests: '5', failures: '1', errors: '2', skipped: '1', time: '0.015' });
    expect(empty!.counts).toEqual({ tests: '0', failures: '0', errors: '0', skipped: '0', time: '0.000' });
    expect(first!.cases[0]).toEqual({ name: 'REGISTER 200 OK', classname: 'register sip:alice@127.0.0.1', time: '0.012', systemOut: 'sent REGISTER\nreceived 401 <then> 200 & done' });
    expect(first!.cases[1]!.name).toBe('auth "digest"');
    expect(first!.cases[1]!.classname).toBe('sipscope.register');
    // expat turns CRLF in content into LF (XML 1.0 §2.11 end-of-line handling); the message keeps its text.
    expect(first!.cases[1]!.failure).toEqual({ message: 'wrong password: 403 Forbidden', type: 'status', details: 'SIP/2.0 403 Forbidden\n' });
    expect(first!.cases[2]!.error?.message).toBe('connect ECONNREFUSED 127.0.0.1:5061');
    expect(first!.cases[3]!.skipped).toEqual({ message: 'no WebSocket listener', type: '', details: '' });
    // error wins over failure, and the case is counted once
    expect(first!.cases[4]!.error?.message).toBe('e');
    expect(first!.cases[4]!.failure).toBeUndefined();
  });

  it('escapes characters XML 1.0 cannot hold as visible text', () => {
    const xml = renderJUnit([{ name: 's', cases: [{ name: 'colour \u001b[31mred\u001b[0m', systemOut: 'nul \u0000 bell \u0007 \uFFFF lone \uD800 ok \u{1F600}' }] }]);
    expect(xml).toContain('colour \\x1b[31mred\\x1b[0m');
    const [document] = readWithPython([xml]);
    expect(document!.suites[0]!.cases[0]!.systemOut).toBe('nul \\x00 bell \\x07 \\uffff lone \\ud800 ok \u{1F600}');
  });

  it('round-trips arbitrary names, messages and output through a strict parser (property)', () => {
    const anyText = fc.string({ maxLength: 30, unit: 'binary' });
    const testCase: fc.Arbitrary<JUnitCase> = fc.record(
      {
        name: anyText,
        timeMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
        failure: fc.record({ message: anyText, details: anyText }),
        error: fc.record({ message: anyText }),
        skipped: anyText,
        systemOut: anyText,
      },
      { requiredKeys: ['name'] },
    );
    const suitesArbitrary = fc.array(fc.record({ name: anyText, cases: fc.array(testCase, { maxLength: 6 }) }), { minLength: 1, maxLength: 4 });
    const samples = fc.sample(suitesArbitrary, { numRuns: 60, seed: 4711 });
    const documents = readWithPython(samples.map((suites) => renderJUnit(suites)));
    // Characters XML can carry come back unchanged; the others as their visible escape. XML 1.0 §2.11 and §3.3.3:
    // element content loses CR (CRLF/CR -> LF); attributes keep it as a character reference.
    const visible = (text: string) =>
      text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, (char) => {
        const code = char.charCodeAt(0);
        return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
      });
    const content = (text: string) => visible(text).replace(/\r\n?/g, '\n');
    samples.forEach((suites, index) => {
      const document = documents[index]!;
      const all = suites.flatMap((suite) => suite.cases);
      expect(Number(document.counts.tests)).toBe(all.length);
      for (const kind of ['failure', 'error', 'skipped'] as const) {
        const plural = kind === 'failure' ? 'failures' : kind === 'error' ? 'errors' : 'skipped';
        expect(Number(document.counts[plural])).toBe(all.filter((one) => junitOutcome(one) === kind).length);
      }
      suites.forEach((suite, suiteIndex) => {
        const read = document.suites[suiteIndex]!;
        expect(read.name).toBe(visible(suite.name));
        suite.cases.forEach((one, caseIndex) => {
          const readCase = read.cases[caseIndex]!;
          expect(readCase.name).toBe(visible(one.name));
          expect(Number(readCase.time)).toBeCloseTo((one.timeMs ?? 0) / 1000, 3);
          if (one.systemOut !== undefined) expect(readCase.systemOut).toBe(content(one.systemOut));
          if (junitOutcome(one) === 'failure') {
            expect(readCase.failure!.message).toBe(visible(one.failure!.message));
            expect(readCase.failure!.details).toBe(content(one.failure!.details ?? ''));
          }
        });
      });
    });
  });
});
