/**
 * The report page without a browser: the data blocks cannot be ended by capture text, the CSP's hashes are those of
 * the page's one script and one style, and nothing is loaded from outside or run from an attribute.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../../src/analysis/types.js';
import { REPORT_SCRIPT, renderHtmlReport } from '../../../src/report/html/page.js';
import { scriptSafeJson } from '../../../src/report/html/script-json.js';

const EMPTY: AnalysisResult = {
  summary: { files: 1, packets: 0, sipMessages: 0, calls: 0, requests: {}, responses: {}, decodeErrors: 0 },
  calls: [],
  findings: [],
  revocations: [],
  durations: { count: 0 },
  issues: [],
};

function page(result: AnalysisResult = EMPTY, files = ['a.pcap']): string {
  return renderHtmlReport({ result, files, details: new Map(), credentials: [], decodeIssues: [], callsWithoutDetail: 0, showSecrets: false, filters: [], generator: 'test' });
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('scriptSafeJson', () => {
  it('reads back as the same value and never holds <, > or & (so no </script>, <!-- or entity)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = scriptSafeJson(value);
        expect(text).not.toMatch(/[<>&\u2028\u2029]/);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
    expect(scriptSafeJson('</script><!--')).toBe('"\\u003c/script\\u003e\\u003c!--"');
  });
});

describe('renderHtmlReport', () => {
  it("the page's script is valid strict-mode JavaScript", () => {
    expect(() => new Function(REPORT_SCRIPT)).not.toThrow();
    expect(REPORT_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
  });

  it('has one script and one style, both allowed by their SHA-256 in the CSP, and the CSP first in <head>', () => {
    const html = page();
    const scripts = [...html.matchAll(/<script(?: type="[^"]+" id="[^"]+")?>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(3);
    const executable = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]);
    expect(executable).toHaveLength(1);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((match) => match[1]);
    expect(styles).toHaveLength(1);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1];
    expect(csp).toContain(`script-src ${sha256(executable[0])}`);
    expect(csp).toContain(`style-src ${sha256(styles[0])}`);
    expect(csp).toContain("default-src 'none'");
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<style>'));
  });

  it('loads nothing from outside and has no event-handler attribute or inline style', () => {
    const html = page();
    expect(html).not.toMatch(/\s(src|href)=/i);
    expect(html).not.toMatch(/<[^>]+\son\w+=/i);
    expect(html).not.toMatch(/<[^>]+\sstyle=/i);
    expect(html).not.toMatch(/@import|url\(/i);
  });

  it('carries capture text only inside the data blocks, escaped', () => {
    const hostile = '</script><script>alert(1)</script>';
    const html = page({ ...EMPTY, issues: [{ code: 'x', message: hostile }] }, [hostile]);
    expect(html).not.toContain(hostile);
    expect(html.match(/<\/script>/g)).toHaveLength(3);
  });
});
