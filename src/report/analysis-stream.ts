/**
 * `analyze --json` and `analyze --jsonl` written as the analysis goes (src/analysis Analyzer with a sink), so the
 * output never has to be held whole: each writer takes calls and findings as they are known and the rest at the
 * end, and hands text to `write` in chunks.
 *
 * --json (docs/analyze-json.md): the same document, keys and fields, with `calls` in the order calls finished
 * (not by start: a call is only known once it is over). The summary comes first but is only known at the end, so
 * the calls are set aside in a spool (the CLI's: memory, then a temporary file) and the document is written when
 * the analysis ends; findings are set aside until then too (their text in a spool of their own, their time and
 * kind in memory) and sorted by time as before.
 * --jsonl: one JSON object per line, `type` first (`call`, `finding`, `revocation`, then one `summary` holding the
 * summary's fields and `durations`), each beside the fields of the matching --json entry; calls and findings are
 * written the moment they are known.
 */
import type { AnalysisResult, CallSummary, Finding } from '../analysis/index.js';
import { callJsonText, durationsJson, findingJson, revocationJson, writeCallJson } from './analysis-json.js';
import { JsonBytes } from './json-bytes.js';
import type { TextStyle } from './analysis-style.js';
import { callCells, CallsTableWidths, renderAnalysisHead, renderAfterFindings, renderCallRow, renderCallsHeader, renderFinding, renderFindingsTitle } from './analysis-text.js';

/** What the writers need of the end of an analysis (calls and findings came before). */
export type AnalysisEnd = Pick<AnalysisResult, 'summary' | 'revocations' | 'durations' | 'user'>;

export interface AnalysisStreamWriter {
  call(call: CallSummary): void;
  finding(finding: Finding): void;
  end(result: AnalysisEnd): void;
}

/** Output is handed on in chunks of about this size (one write per call would be slow on a busy capture). */
const CHUNK_CHARS = 64 * 1024;

class ChunkedText {
  private pending = '';
  constructor(private readonly write: (text: string) => void) {}

  add(text: string): void {
    this.pending += text;
    if (this.pending.length >= CHUNK_CHARS) this.flush();
  }

  flush(): void {
    if (this.pending === '') return;
    this.write(this.pending);
    this.pending = '';
  }
}

/** Where the writers set the findings' texts aside until the end (a record back by its number, in any order). */
export interface FindingsSpool {
  add(text: string): void;
  get(index: number): string;
}

/**
 * Findings held until the end of a run, each as its finished text (JSON or a rendered line) in a spool: the Finding
 * objects (message, packets, strings) go as soon as they are known, and what stays in memory per finding is its
 * time and kind (a capture with 50,000 findings has 14 MB of their text). Handed back in the whole-document order:
 * by time, then kind.
 */
class FindingTexts {
  private readonly times: number[] = [];
  private readonly kinds: string[] = [];

  constructor(private readonly texts: FindingsSpool) {}

  get size(): number {
    return this.times.length;
  }

  add(finding: Finding, text: string): void {
    this.times.push(finding.timeUs);
    this.kinds.push(finding.kind);
    this.texts.add(text);
  }

  /** Each text by time, then kind (a stable order: ties keep the order they came in). */
  inOrder(each: (text: string, position: number) => void): void {
    const { times, kinds } = this;
    const order = times.map((_, index) => index);
    order.sort((a, b) => times[a] - times[b] || kinds[a].localeCompare(kinds[b]) || a - b);
    order.forEach((index, position) => each(this.texts.get(index), position));
  }
}

/** Where the --json writer sets the calls aside until the end (UTF-8 bytes in; back in order, as bytes or as text). */
export interface CallsSpool {
  /** Text as UTF-8 bytes (copied: the caller may write over them afterwards). */
  addBytes(bytes: Uint8Array): void;
  /** Everything added, in order, as UTF-8 bytes; `write` answers whether it is done with them (they may be reused). */
  replayBytes(write: (bytes: Uint8Array) => boolean): void;
  /** Everything added, in order, as text (an output that takes no bytes). */
  replay(write: (text: string) => void): void;
}

export class JsonDocumentWriter implements AnalysisStreamWriter {
  private readonly out: ChunkedText;
  private calls = 0;
  private readonly findings: FindingTexts;
  /** A call's entry, written as bytes and copied into the spool. */
  private readonly entry = new JsonBytes();

  /**
   * writeBytes: the output as bytes, when it takes them (the calls then go from the spool to it without decoding);
   * it answers whether it is done with the bytes it was given (written through: they may be written over).
   */
  constructor(
    write: (text: string) => void,
    private readonly spool: CallsSpool,
    findingsSpool: FindingsSpool,
    private readonly writeBytes?: (bytes: Uint8Array) => boolean,
  ) {
    this.out = new ChunkedText(write);
    this.findings = new FindingTexts(findingsSpool);
  }

  call(call: CallSummary): void {
    const entry = this.entry;
    entry.clear();
    entry.ascii(this.calls++ === 0 ? '\n    ' : ',\n    ');
    writeCallJson(call, entry);
    this.spool.addBytes(entry.view());
  }

  finding(finding: Finding): void {
    this.findings.add(finding, JSON.stringify(findingJson(finding)));
  }

  end(result: AnalysisEnd): void {
    this.out.add(`{\n  "summary": ${JSON.stringify(result.summary)},\n  "calls": [`);
    if (this.writeBytes) {
      this.out.flush();
      this.spool.replayBytes(this.writeBytes);
    } else {
      this.spool.replay((text) => this.out.add(text));
    }
    this.out.add(this.calls === 0 ? '],\n' : '\n  ],\n');
    // The order of the whole-document analysis: by time, then kind; written one by one (no document-sized string).
    if (this.findings.size === 0) this.out.add('  "findings": [],\n');
    else {
      this.out.add('  "findings": [');
      this.findings.inOrder((text, position) => this.out.add(`${position === 0 ? '\n' : ',\n'}    ${text}`));
      this.out.add('\n  ],\n');
    }
    this.out.add(`  "revocations": ${list(result.revocations.map((revocation) => JSON.stringify(revocationJson(revocation))))},\n`);
    this.out.add(`  "durations": ${JSON.stringify(durationsJson(result.durations))}\n}\n`);
    this.out.flush();
  }
}

function list(entries: string[]): string {
  return entries.length === 0 ? '[]' : `[\n    ${entries.join(',\n    ')}\n  ]`;
}

export class JsonLinesWriter implements AnalysisStreamWriter {
  private readonly out: ChunkedText;

  /** `live`: every line is handed on at once (a live run reports as things happen). */
  constructor(write: (text: string) => void, private readonly live = false) {
    this.out = new ChunkedText(write);
  }

  call(call: CallSummary): void {
    // {"type":"call", then the --json entry's fields (callJsonText's text after its opening brace)
    this.lineText(`{"type":"call",${callJsonText(call).slice(1)}`);
  }

  finding(finding: Finding): void {
    this.line({ type: 'finding', ...findingJson(finding) });
  }

  end(result: AnalysisEnd): void {
    for (const revocation of result.revocations) this.line({ type: 'revocation', ...revocationJson(revocation) });
    this.line({ type: 'summary', ...result.summary, durations: durationsJson(result.durations) });
    this.out.flush();
  }

  private line(event: object): void {
    this.lineText(JSON.stringify(event));
  }

  private lineText(text: string): void {
    this.out.add(`${text}\n`);
    if (this.live) this.out.flush();
  }
}

/** Where the text writer sets the calls table's rows aside (text in, the same lines back in order). */
export interface RowsSpool {
  add(text: string): void;
  replayLines(line: (text: string) => void): void;
}

/**
 * The text report (renderAnalysisText) written from a streaming analysis: the calls table's rows are set aside
 * (their widths are only known at the end) and listed in the order the calls finished; the rest as before.
 */
export class TextReportWriter implements AnalysisStreamWriter {
  private readonly out: ChunkedText;
  private readonly widths = new CallsTableWidths();
  private calls = 0;
  private readonly findings: FindingTexts;

  constructor(
    write: (text: string) => void,
    private readonly spool: RowsSpool,
    private readonly style: TextStyle,
    findingsSpool: FindingsSpool,
  ) {
    this.out = new ChunkedText(write);
    this.findings = new FindingTexts(findingsSpool);
  }

  call(call: CallSummary): void {
    const cells = callCells(call);
    this.widths.add(cells);
    this.spool.add(`${JSON.stringify(cells)}\n`);
    this.calls++;
  }

  finding(finding: Finding): void {
    this.findings.add(finding, renderFinding(finding, this.style));
  }

  end(result: AnalysisEnd): void {
    this.out.add(`${renderAnalysisHead(result, this.style)}\n`);
    if (this.calls === 0) this.out.add('  (none)\n');
    else {
      this.out.add(`${renderCallsHeader(this.widths.widths, this.style)}\n`);
      this.spool.replayLines((line) => this.out.add(`${renderCallRow(JSON.parse(line) as string[], this.widths.widths, this.style)}\n`));
    }
    // line by line: tens of thousands of findings never make one string
    this.out.add(`${renderFindingsTitle(this.findings.size, this.style)}\n`);
    if (this.findings.size === 0) this.out.add('  (none)\n');
    this.findings.inOrder((line) => this.out.add(`${line}\n`));
    this.out.add(`${renderAfterFindings(result, this.style)}\n`);
    this.out.flush();
  }
}
