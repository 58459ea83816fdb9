/**
 * `sipscope lint FILE... [--json]`: parses raw SIP message files (one message per file, read as a datagram:
 * bytes after Content-Length are ignored, RFC 3261 §18.3), validates them and prints their structure or defects.
 * Exit 0 when every message is valid, 1 when any is not, 2 when a file cannot be read.
 * --json prints one JSON array with one object per file:
 *   { file, valid, kind: 'request'|'response'|null, method?, status?, reason?, requestUri?, callId?, cseq?, from?,
 *     to?, via?: [{transport, host, port?, branch?}], contentLength?, bodyBytes?, errors: [{code, message, header?, offset?}],
 *     warnings: [...] }
 */
import { readFile } from 'node:fs/promises';
import {
  getHeader, getHeaders, parseMessage, parseVia, SipError, type Defect, type SipMessage, type Via,
} from '../../sip/index.js';
import { defineCommand } from '../command.js';
import { EXIT } from '../exit.js';
import type { CliIO } from '../io.js';
import { printable } from '../../report/printable.js';

interface LintIssue {
  code: string;
  message: string;
  header?: string;
  offset?: number;
}

interface LintResult {
  file: string;
  valid: boolean;
  kind: 'request' | 'response' | null;
  method?: string;
  status?: number;
  reason?: string;
  requestUri?: string;
  callId?: string;
  cseq?: string;
  from?: string;
  to?: string;
  via?: Array<{ transport: string; host: string; port?: number; branch?: string }>;
  contentLength?: string;
  bodyBytes?: number;
  errors: LintIssue[];
  warnings: LintIssue[];
}

function issue(defect: Defect): LintIssue {
  const result: LintIssue = { code: defect.code, message: defect.message };
  if (defect.header !== undefined) result.header = defect.header;
  if (defect.offset !== undefined) result.offset = defect.offset;
  return result;
}

/** Via summary; a Via that does not parse is already an error in the defects, so it is skipped here. */
function viaSummary(message: SipMessage): LintResult['via'] {
  const vias: Via[] = [];
  for (const value of getHeaders(message, 'via')) {
    try {
      vias.push(...parseVia(value));
    } catch (error) {
      if (!(error instanceof SipError)) throw error;
    }
  }
  return vias.map((via) => ({ transport: via.transport, host: via.host, port: via.port, branch: via.branch }));
}

function lintMessage(file: string, bytes: Uint8Array): LintResult {
  let message: SipMessage;
  try {
    message = parseMessage(bytes, { datagram: true, validate: true });
  } catch (error) {
    if (!(error instanceof SipError)) throw error;
    const offset = (error as SipError & { offset?: number }).offset;
    return { file, valid: false, kind: null, errors: [{ code: error.code, message: error.message, ...(offset === undefined ? {} : { offset }) }], warnings: [] };
  }
  const errors = message.defects.filter((defect) => defect.severity !== 'warning').map(issue);
  const warnings = message.defects.filter((defect) => defect.severity === 'warning').map(issue);
  const result: Omit<LintResult, 'errors' | 'warnings'> = { file, valid: errors.length === 0, kind: message.kind };
  if (message.kind === 'request') {
    result.method = message.method;
    result.requestUri = message.uri;
  } else {
    result.status = message.status;
    result.reason = message.reason;
  }
  result.callId = getHeader(message, 'call-id');
  result.cseq = getHeader(message, 'cseq');
  result.from = getHeader(message, 'from');
  result.to = getHeader(message, 'to');
  result.via = viaSummary(message);
  result.contentLength = getHeader(message, 'content-length');
  result.bodyBytes = message.body.length;
  // errors and warnings added last, so the JSON reads structure first (a key set earlier keeps its place)
  return { ...result, errors, warnings };
}

function printText(result: LintResult, io: CliIO): void {
  const { style } = io;
  const verdict = result.valid ? style.green('valid') : style.red('INVALID');
  const what = result.kind === 'request' ? `request ${printable(result.method)} ${printable(result.requestUri)}`
    : result.kind === 'response' ? `response ${result.status} ${printable(result.reason)}` : 'not a SIP message';
  io.out(`${style.bold(printable(result.file))}: ${verdict} ${what}`);
  if (result.kind !== null) {
    const fields: Array<[string, string | undefined]> = [['Call-ID', result.callId], ['CSeq', result.cseq], ['From', result.from], ['To', result.to]];
    for (const [name, value] of fields) if (value !== undefined) io.out(`  ${name}: ${printable(value)}`);
    for (const via of result.via ?? []) {
      io.out(`  Via: ${printable(via.transport)} ${printable(via.host)}${via.port === undefined ? '' : ':' + via.port}${via.branch === undefined ? '' : ' branch=' + printable(via.branch)}`);
    }
    io.out(`  body: ${result.bodyBytes} bytes${result.contentLength === undefined ? ' (no Content-Length)' : ` (Content-Length ${result.contentLength})`}`);
  }
  for (const error of result.errors) io.out(`  ${style.red('error')} ${error.code}${error.header ? ` [${printable(error.header)}]` : ''}: ${printable(error.message)}`);
  for (const warning of result.warnings) io.out(`  ${style.yellow('warning')} ${warning.code}${warning.header ? ` [${printable(warning.header)}]` : ''}: ${printable(warning.message)}`);
}

export const lintCommand = defineCommand({
  command: 'lint <files..>',
  describe: 'parse raw SIP message files (one message each) and report their structure or defects',
  options: {
    files: { positional: true, type: 'string', array: true, describe: 'files holding one raw SIP message each' },
    json: { type: 'boolean', default: false, describe: 'print a JSON array, one object per file' },
  },
  examples: [['$0 lint fixtures/rfc4475/*.dat', 'check the RFC 4475 torture messages']],
  async run(args, io) {
    const { files } = args;
    const results: LintResult[] = [];
    let unreadable = false;
    for (const file of files) {
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (error) {
        unreadable = true;
        const reason = error instanceof Error ? error.message : String(error);
        results.push({ file, valid: false, kind: null, errors: [{ code: 'unreadable-file', message: `cannot read ${file}: ${reason}` }], warnings: [] });
        continue;
      }
      results.push(lintMessage(file, bytes));
    }
    if (args.json) io.out(JSON.stringify(results, null, 2));
    else {
      for (const result of results) {
        if (result.errors[0]?.code === 'unreadable-file') io.err(`sipscope: ${result.errors[0].message}`);
        else printText(result, io);
      }
    }
    // an unreadable file is an entry of the output (JSON or text) like any other, not a CliError
    if (unreadable) return EXIT.local;
    return results.every((result) => result.valid) ? EXIT.ok : EXIT.failed;
  },
});
