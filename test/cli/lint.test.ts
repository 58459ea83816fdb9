/**
 * `sipscope lint` end to end: runs the built CLI (node bin/sipscope.js, after `npm run build`) on the RFC 4475
 * fixtures and compares its verdicts with fixtures/rfc4475/expected.json (transcribed from the RFC).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const fixtures = join(root, 'fixtures/rfc4475');
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')).messages as Record<string, { valid: boolean; kind: string; method?: string; status?: number; callId?: string }>;
const files = readdirSync(fixtures).filter((file) => file.endsWith('.dat')).sort().map((file) => join(fixtures, file));

async function lint(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [join(root, 'bin/sipscope.js'), 'lint', ...args], { env: { ...process.env, NO_COLOR: '1' }, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('sipscope lint', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist/cli/commands/lint.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  });

  it('judges every RFC 4475 message as the RFC does (JSON array, exit 1 because some are invalid)', async () => {
    const { code, stdout } = await lint(['--json', ...files]);
    expect(code).toBe(1);
    const results = JSON.parse(stdout) as Array<{ file: string; valid: boolean; kind: string | null; method?: string; status?: number; callId?: string; errors: Array<{ code: string; message: string }> }>;
    expect(results).toHaveLength(49);
    for (const result of results) {
      const name = result.file.replace(/^.*\//, '').replace(/\.dat$/, '');
      const expectation = expected[name];
      expect(result.valid, name).toBe(expectation.valid);
      expect(result.kind, name).toBe(expectation.kind);
      if (expectation.method !== undefined) expect(result.method, name).toBe(expectation.method);
      if (expectation.valid) {
        expect(result.callId, name).toBe(expectation.callId);
        expect(result.errors, name).toEqual([]);
      } else {
        expect(result.errors.length, name).toBeGreaterThan(0);
        for (const error of result.errors) expect(error.message.length).toBeGreaterThan(10);
      }
    }
  });

  it('exits 0 and prints the structure when all files are valid', async () => {
    const valid = files.filter((file) => /\/(wsinv|unreason|mpart01|intmeth)\.dat$/.test(file));
    const { code, stdout } = await lint(valid);
    expect(code).toBe(0);
    expect(stdout).toContain('wsinv.dat: valid request INVITE sip:vivekg@chair-dnrc.example.com;unknownparam');
    expect(stdout).toContain('Via: TCP spindle.example.com branch=z9hG4bK9ikj8');
    expect(stdout).toMatch(/unreason\.dat: valid response 200 = 2\*\*3/);
    expect(stdout).not.toContain('error');
    // intmeth's To holds BEL, NUL and DEL inside quoted-pairs: shown escaped, never raw
    expect(stdout).toContain('To: "BEL:\\\\x07 NUL:\\\\x00 DEL:\\\\x7f"');
    expect(stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });

  it('names the defect of an invalid message in text output', async () => {
    const { code, stdout } = await lint([join(fixtures, 'mismatch01.dat')]);
    expect(code).toBe(1);
    expect(stdout).toContain('INVALID request OPTIONS');
    expect(stdout).toMatch(/error cseq-method-mismatch \[cseq\]: CSeq method INVITE differs from the request method OPTIONS/);
  });

  it('prints each object structure first, errors and warnings last (the README order)', async () => {
    const { stdout } = await lint(['--json', join(fixtures, 'wsinv.dat'), join(fixtures, 'mismatch01.dat')]);
    for (const result of JSON.parse(stdout)) {
      const keys = Object.keys(result);
      expect(keys.slice(0, 3)).toEqual(['file', 'valid', 'kind']);
      expect(keys.slice(-2)).toEqual(['errors', 'warnings']);
    }
  });

  it('reports a file without a SIP start line as invalid with kind null', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipscope-lint-'));
    const file = join(dir, 'http.txt');
    writeFileSync(file, 'GET / HTTP/1.1\r\nHost: example.com\r\n\r\n');
    const { code, stdout } = await lint(['--json', file]);
    expect(code).toBe(1);
    const [result] = JSON.parse(stdout);
    expect(result).toMatchObject({ file, valid: false, kind: null });
    expect(result.errors[0].code).toBe('bad-start-line');
  });

  it('exits 2 and names the file when one cannot be read', async () => {
    const missing = join(tmpdir(), 'sipscope-no-such-file.sip');
    const { code, stderr } = await lint([join(fixtures, 'wsinv.dat'), missing]);
    expect(code).toBe(2);
    expect(stderr).toContain(missing);
  });
});
