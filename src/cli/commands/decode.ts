/** `sipscope decode FILE...`: one line (or JSON object) per SIP message found in pcap/pcapng captures. */
import type { Argv } from 'yargs';
import { decodeCaptures } from '../../capture/decode.js';
import { CaptureError } from '../../capture/errors.js';
import { formatTimeUs } from '../../capture/time-format.js';
import type { DecodeIssue, SipPayload } from '../../capture/types.js';
import { getHeader, parseMessage, SipParseError } from '../../sip/index.js';
import { EXIT_LOCAL_ERROR, type CliCommand } from '../command.js';
import type { CliIO } from '../io.js';

/** Issues printed one by one before only their counts are kept (a snaplen-cut capture has one per packet). */
const DEFAULT_MAX_ISSUES = 50;
const LINES_PER_WRITE = 512;
const latin1 = new TextDecoder('latin1');

interface DecodedLine {
  file: string;
  packetNumber: number;
  time: string;
  src: { ip: string; port: number };
  dst: { ip: string; port: number };
  transport: string;
  hep?: boolean;
  icmpQuote?: boolean;
  firstLine: string;
  callId: string | null;
}

function firstLineOf(bytes: Uint8Array): string {
  let end = 0;
  while (end < bytes.length && end < 8192 && bytes[end] !== 0x0d && bytes[end] !== 0x0a) end++;
  return latin1.decode(bytes.subarray(0, end));
}

function callIdOf(bytes: Uint8Array): string | null {
  try {
    return getHeader(parseMessage(bytes, { datagram: true }), 'call-id') ?? null;
  } catch (error) {
    if (error instanceof SipParseError) return null;
    throw error;
  }
}

function describe(payload: SipPayload): DecodedLine {
  const line: DecodedLine = {
    file: payload.file,
    packetNumber: payload.packetNumber,
    time: formatTimeUs(payload.timeUs),
    src: payload.src,
    dst: payload.dst,
    transport: payload.transport,
    firstLine: firstLineOf(payload.bytes),
    callId: callIdOf(payload.bytes),
  };
  if (payload.hep) line.hep = true;
  if (payload.icmpQuote) line.icmpQuote = true;
  return line;
}

function endpointText(endpoint: { ip: string; port: number }): string {
  return endpoint.ip.includes(':') ? `[${endpoint.ip}]:${endpoint.port}` : `${endpoint.ip}:${endpoint.port}`;
}

function textLine(line: DecodedLine, withFile: boolean): string {
  const transport = `${line.transport}${line.hep ? '/hep' : ''}${line.icmpQuote ? ' (quoted in ICMP error)' : ''}`;
  const where = withFile ? `${line.file}:${line.packetNumber}` : String(line.packetNumber);
  return `${where}\t${line.time}\t${endpointText(line.src)} -> ${endpointText(line.dst)}\t${transport}\t${line.firstLine}\t${line.callId ?? '-'}`;
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
    let pending: string[] = [];
    const flush = (): void => {
      if (pending.length > 0) io.out(pending.join('\n'));
      pending = [];
    };
    try {
      await decodeCaptures(
        files,
        {
          payload(payload) {
            const line = describe(payload);
            pending.push(json ? JSON.stringify(line) : textLine(line, withFile));
            if (pending.length >= LINES_PER_WRITE) flush();
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
