/** `sipscope decode FILE...`: one line (or JSON object) per SIP message found in pcap/pcapng captures. */
import type { Argv } from 'yargs';
import { decodeCaptures } from '../../capture/decode.js';
import { CaptureError } from '../../capture/errors.js';
import { formatTimeUs } from '../../capture/time-format.js';
import type { DecodeIssue, SipPayload } from '../../capture/types.js';
import { parseStartLine, readCallId, SipParseError } from '../../sip/index.js';
import { EXIT_LOCAL_ERROR, type CliCommand } from '../command.js';
import type { CliIO } from '../io.js';

/** Issues printed one by one before only their counts are kept (a snaplen-cut capture has one per packet). */
const DEFAULT_MAX_ISSUES = 50;
/** Output is written in chunks of about this many characters. */
const WRITE_CHUNK_CHARS = 256 * 1024;
const latin1 = new TextDecoder('latin1');

function firstLineOf(bytes: Uint8Array): string {
  let end = 0;
  while (end < bytes.length && end < 8192 && bytes[end] !== 0x0d && bytes[end] !== 0x0a) end++;
  return latin1.decode(bytes.subarray(0, end));
}

/**
 * The Call-ID as `getHeader(parseMessage(bytes, { datagram: true }), 'call-id')`, null where that throws (no
 * SIP start line), read by a byte scan of the header block instead of a full parse.
 */
export function callIdOf(bytes: Uint8Array): string | null {
  if (startLineWouldThrow(bytes)) return null;
  return readCallId(bytes) ?? null;
}

const SIP_VERSION_TAIL = ' SIP/2.0';

/** Whether parseMessage throws on this message's start line (the only place it throws). */
function startLineWouldThrow(bytes: Uint8Array): boolean {
  const total = bytes.length;
  let pos = 0;
  while (pos < total && (bytes[pos] === 0x0d || bytes[pos] === 0x0a)) pos++;
  if (pos >= total) return true;
  const lineBreak = bytes.indexOf(0x0a, pos);
  const lineEnd = lineBreak < 0 ? total : lineBreak > pos && bytes[lineBreak - 1] === 0x0d ? lineBreak - 1 : lineBreak;
  if (plainStartLine(bytes, pos, lineEnd)) return false;
  try {
    parseStartLine(latin1Line(bytes, pos, lineEnd), pos);
    return false;
  } catch (error) {
    if (error instanceof SipParseError) return true;
    throw error;
  }
}

/** "SIP/2.0 DDD[ reason]" or "METHOD SP uri SP SIP/2.0": lines parseStartLine certainly accepts. */
function plainStartLine(bytes: Uint8Array, pos: number, lineEnd: number): boolean {
  const startsWithSip = bytes[pos] === 0x53 && bytes[pos + 1] === 0x49 && bytes[pos + 2] === 0x50 && bytes[pos + 3] === 0x2f;
  if (startsWithSip) {
    if (lineEnd - pos < 11 || bytes[pos + 7] !== 0x20 || (lineEnd > pos + 11 && bytes[pos + 11] !== 0x20)) return false;
    for (let i = 0; i < 7; i++) if (bytes[pos + i] !== SIP_VERSION_TAIL.charCodeAt(i + 1)) return false;
    for (let i = 8; i < 11; i++) if (bytes[pos + i] < 0x30 || bytes[pos + i] > 0x39) return false;
    return true;
  }
  if (lineEnd - pos < 12 || bytes[pos] === 0x20) return false;
  for (let i = 0; i < 8; i++) if (bytes[lineEnd - 8 + i] !== SIP_VERSION_TAIL.charCodeAt(i)) return false;
  let firstSpace = pos;
  while (bytes[firstSpace] !== 0x20) firstSpace++;
  return firstSpace < lineEnd - 8;
}

function latin1Line(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

function endpointText(endpoint: { ip: string; port: number }): string {
  return endpoint.ip.includes(':') ? `[${endpoint.ip}]:${endpoint.port}` : `${endpoint.ip}:${endpoint.port}`;
}

function textLine(payload: SipPayload, firstLine: string, callId: string | null, withFile: boolean): string {
  const transport = `${payload.transport}${payload.hep ? '/hep' : ''}${payload.icmpQuote ? ' (quoted in ICMP error)' : ''}`;
  const where = withFile ? `${payload.file}:${payload.packetNumber}` : String(payload.packetNumber);
  const time = formatTimeUs(payload.timeUs);
  return `${where}\t${time}\t${endpointText(payload.src)} -> ${endpointText(payload.dst)}\t${transport}\t${firstLine}\t${callId ?? '-'}`;
}

/**
 * The JSON object JSON.stringify gave for { file, packetNumber, time, src, dst, transport, firstLine, callId,
 * hep?, icmpQuote? }, built directly. Addresses, times and transports are plain ASCII (nothing to escape).
 */
function jsonLine(payload: SipPayload, fileJson: string, firstLine: string, callId: string | null): string {
  const { src, dst } = payload;
  return (
    `{"file":${fileJson},"packetNumber":${payload.packetNumber},"time":"${formatTimeUs(payload.timeUs)}",` +
    `"src":{"ip":"${src.ip}","port":${src.port}},"dst":{"ip":"${dst.ip}","port":${dst.port}},` +
    `"transport":"${payload.transport}","firstLine":${JSON.stringify(firstLine)},"callId":${callId === null ? 'null' : JSON.stringify(callId)}` +
    `${payload.hep ? ',"hep":true' : ''}${payload.icmpQuote ? ',"icmpQuote":true' : ''}}`
  );
}

function issueText(issue: DecodeIssue): string {
  const where = [issue.file, issue.packetNumber !== undefined ? `packet ${issue.packetNumber}` : undefined, issue.offset !== undefined ? `offset ${issue.offset}` : undefined];
  return `sipscope decode: ${where.filter(Boolean).join(', ')}: ${issue.code}: ${issue.message}`;
}

export const decodeCommand: CliCommand = {
  command: 'decode <files..>',
  describe: 'list the SIP messages in pcap/pcapng captures (.gz, - for stdin), merged by time',
  builder: (yargs: Argv) =>
    yargs
      .positional('files', { type: 'string', array: true, describe: 'capture files (pcap, pcapng, optionally gzipped); - alone (or /dev/stdin) reads stdin' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object per line (JSON Lines)' })
      .option('max-issues', { type: 'number', default: DEFAULT_MAX_ISSUES, describe: 'decode issues printed one by one; beyond that only counted' })
      .example('$0 decode trace.pcapng', 'one line per SIP message')
      .example('$0 decode ring-*.pcap.gz --json', 'JSON Lines, files merged by capture time'),
  async run(argv, io: CliIO) {
    // yargs drops a lone '-' from positionals: an empty list here means the user asked for stdin
    const named = ((argv.files as string[] | undefined) ?? []).map(String);
    const files = named.length > 0 ? named : ['-'];
    const json = argv.json === true;
    const maxIssues = Number(argv['max-issues'] ?? DEFAULT_MAX_ISSUES);
    const withFile = files.length > 1;
    const issueCounts = new Map<string, number>();
    let issuesPrinted = 0;
    // lines joined once per chunk: a string grown by += is a deep rope that the write must flatten first
    let pending: string[] = [];
    let pendingChars = 0;
    const flush = (): void => {
      if (pending.length > 0) io.out(pending.join(''));
      pending = [];
      pendingChars = 0;
    };
    let lastFile = '';
    let lastFileJson = '""';
    try {
      await decodeCaptures(
        files,
        {
          payload(payload) {
            const firstLine = firstLineOf(payload.bytes);
            const callId = callIdOf(payload.bytes);
            if (json && payload.file !== lastFile) {
              lastFile = payload.file;
              lastFileJson = JSON.stringify(lastFile);
            }
            const line = (json ? jsonLine(payload, lastFileJson, firstLine, callId) : textLine(payload, firstLine, callId, withFile)) + '\n';
            pending.push(line);
            pendingChars += line.length;
            if (pendingChars >= WRITE_CHUNK_CHARS) flush();
          },
          issue(issue) {
            issueCounts.set(issue.code, (issueCounts.get(issue.code) ?? 0) + 1);
            if (issuesPrinted++ < maxIssues) io.err(issueText(issue));
          },
        },
        { stdin: io.stdin },
      );
    } catch (error) {
      flush();
      if (error instanceof CaptureError) {
        io.err(`sipscope decode: ${error.message}`);
        return EXIT_LOCAL_ERROR;
      }
      throw error;
    }
    flush();
    if (issuesPrinted > maxIssues) {
      const counts = [...issueCounts].map(([code, count]) => `${code} ${count}`).join(', ');
      io.err(`sipscope decode: ${issuesPrinted} decode issues in all (${counts}); first ${maxIssues} shown`);
    }
    return 0;
  },
};
