/**
 * The streaming analyzer (issue 9) says what the analysis said before it, on every fixture capture.
 *
 * test/analysis/golden/<capture>.json is `sipscope analyze <capture> --json` as main printed it at commit acb98a4,
 * the last commit before the streaming analyzer; test/analysis/golden/record-golden.sh remakes them from any commit
 * (`sh test/analysis/golden/record-golden.sh acb98a4` checks out that commit in a temporary worktree, builds it and
 * runs it). They are the old code's output, not an expectation derived independently: the tshark-derived
 * expectations stay in recorded-captures.test.ts, public-captures.test.ts and test/cli/analyze.test.ts.
 *
 * The documented changes: `calls` come in the order the calls finished, so they are compared sorted as the old
 * document sorted them (start, then Call-ID); a retransmission-storm's message now also says which message was sent
 * again (the request, a response, the ACK: "request sent once, 200 sent 10 times"), so its text is compared up to
 * what the old one said. --jsonl must carry the same entries.
 *
 * `summary.mirrorCopies` is new (HEP mirror copies set aside, src/analysis/mirror-copies.ts): it must be 0 for a
 * capture without them and is then left out of the comparison. The captures holding both the wire traffic and
 * Kamailio's HEP copies of it (MIRRORED) were analysed wrongly before: their golden files count each copy as a
 * message (and as a retransmission). For them the messages analysed and the copies set aside must add up to the old
 * count, everything else (calls with their packets, findings, revocations, durations) must be as before; their
 * counts per method and status are checked against tshark's wire view in test/analysis/hep-mirror.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/analysis-cli-helpers.js';

const GOLDEN = 'test/analysis/golden';

interface Document {
  summary: Record<string, unknown>;
  calls: Array<{ callId: string; start: string }>;
  findings: unknown[];
  revocations: unknown[];
  durations: unknown;
}

function goldenFiles(): string[] {
  return readdirSync(GOLDEN, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * A retransmission-storm message cut to what the text before the change said: "INVITE (CSeq 2) retransmitted 9 times
 * (request sent once" (the old text went on with the final status only; the new one lists what was sent again).
 */
function stormTextAsBefore(document: Document): Document {
  const findings = document.findings.map((entry) => {
    const finding = entry as { kind: string; message: string };
    if (finding.kind !== 'retransmission-storm') return entry;
    return { ...finding, message: /^.* retransmitted \d+ times \(request sent (?:once|\d+ times)/.exec(finding.message)![0] };
  });
  return { ...document, findings };
}

/** Captures of the wire traffic and of its HEP copies (fixtures/captures/recorded/record-hep-kamailio.sh). */
const MIRRORED = new Set(['fixtures/captures/recorded/hep3-kamailio.pcap', 'fixtures/captures/recorded/hep2-kamailio.pcap']);

/**
 * The summary as the golden file has it: without mirrorCopies (0 unless the capture is MIRRORED); for a MIRRORED
 * capture the old message count (copies included) and the old per-method and per-status counts, once the copies
 * and the messages analysed are seen to add up to the old count.
 */
function summaryAsBefore(capture: string, summary: Record<string, unknown>, before: Record<string, unknown>): Record<string, unknown> {
  const { mirrorCopies, ...rest } = summary as { mirrorCopies: number; sipMessages: number };
  if (!MIRRORED.has(capture)) {
    expect(mirrorCopies).toBe(0);
    return rest;
  }
  expect(mirrorCopies).toBeGreaterThan(0);
  expect(rest.sipMessages + mirrorCopies).toBe(before.sipMessages);
  return { ...rest, sipMessages: before.sipMessages, requests: before.requests, responses: before.responses };
}

const byStart = (a: { start: string; callId: string }, b: { start: string; callId: string }) =>
  a.start < b.start ? -1 : a.start > b.start ? 1 : a.callId.localeCompare(b.callId);

describe('streamed analyze output equals the output before streaming (acb98a4)', () => {
  const files = goldenFiles();
  it('has a golden file for every fixture capture', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  for (const golden of files) {
    const capture = relative(GOLDEN, golden).replace(/\.json$/, '');
    it(capture, async () => {
      const before = stormTextAsBefore(JSON.parse(readFileSync(golden, 'utf8')) as Document);
      const run = await runCli(['analyze', capture, '--json', '--fail-on', 'info']);
      const parsed = JSON.parse(run.out) as Document;
      const now = stormTextAsBefore({ ...parsed, summary: summaryAsBefore(capture, parsed.summary, before.summary) });
      expect(Object.keys(now)).toEqual(Object.keys(before));
      expect({ ...now, calls: [...now.calls].sort(byStart) }).toEqual(before);

      const lines = (await runCli(['analyze', capture, '--jsonl', '--fail-on', 'info'])).out.trim().split('\n').map((line) => JSON.parse(line));
      const of = (type: string) => lines.filter((event) => event.type === type).map(({ type: _type, ...entry }) => entry);
      const [summary] = of('summary');
      expect(lines.at(-1).type).toBe('summary');
      const { durations, ...counts } = summary as { durations: unknown };
      expect(summaryAsBefore(capture, counts, before.summary)).toEqual(before.summary);
      expect(durations).toEqual(before.durations);
      expect(of('call').sort(byStart)).toEqual(before.calls);
      expect(stormTextAsBefore({ ...before, findings: of('finding') }).findings).toEqual(expect.arrayContaining(before.findings));
      expect(of('finding').length).toBe(before.findings.length);
      expect(of('revocation')).toEqual(before.revocations);
    });
  }
});
