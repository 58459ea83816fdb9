/** `sipscope decode FILE...`: one line (or JSON object) per SIP message found in pcap/pcapng captures. */
import { decodeCaptures } from '../../capture/decode.js';
import { formatTimeUs } from '../../capture/time-format.js';
import type { DecodeIssue, SipPayload } from '../../capture/types.js';
import { byteFaithfulValue, hostPort, parseMessage, parseStartLine, readCallId, SipParseError } from '../../sip/index.js';
import { defineCommand } from '../command.js';
import { badArgument, EXIT, exitAfterInputs } from '../exit.js';
import { noSipMessageText } from '../inputs-read.js';
import { issueLine } from '../issue-line.js';
import type { CliIO } from '../io.js';
import { printable } from '../../report/printable.js';

/** Issues printed one by one before only their counts are kept (a snaplen-cut capture has one per packet). */
const DEFAULT_MAX_ISSUES = 50;
const latin1 = new TextDecoder('latin1');

/**
 * The Call-ID as `getHeader(parseMessage(bytes, { datagram: true }), 'call-id')`, null where that throws (no
 * SIP start line), read by a byte scan of the header block instead of a full parse.
 */
export function callIdOf(bytes: Uint8Array): string | null {
  if (startLineWouldThrow(bytes)) return null;
  return readCallId(bytes) ?? null;
}

/**
 * The Call-ID as the text output shows it: where invalid UTF-8 became U+FFFD, its bytes with each invalid one as
 * \xNN, the form analyze, calls and flow use as the call's key (so it can be given to --call-id). Rare: a full parse.
 */
function shownCallId(bytes: Uint8Array, callId: string | null): string | null {
  if (callId === null || !callId.includes('\uFFFD')) return callId;
  const message = parseMessage(bytes, { datagram: true });
  const field = message.headers.find((header) => header.name === 'call-id');
  return (field && byteFaithfulValue(bytes, field)) ?? callId;
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

function textLine(payload: SipPayload, firstLine: string, callId: string | null, withFile: boolean): string {
  const transport = `${payload.transport}${payload.hep ? '/hep' : ''}${payload.icmpQuote ? ' (quoted in ICMP error)' : ''}`;
  const where = withFile ? `${printable(payload.file)}:${payload.packetNumber}` : String(payload.packetNumber);
  const time = formatTimeUs(payload.timeUs);
  // capture text through the one printable gate: a message cannot drive the terminal (JSON keeps it exact)
  return `${where}\t${time}\t${hostPort(payload.src.ip, payload.src.port)} -> ${hostPort(payload.dst.ip, payload.dst.port)}\t${transport}\t${printable(firstLine)}\t${callId === null ? '-' : printable(callId)}`;
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

/** Bytes per output chunk handed to stdout. */
const CHUNK_BYTES = 256 * 1024;
/** Room a line needs besides its file name, first line, Call-ID and addresses (keys, numbers, time, flags). */
const LINE_FIXED_BYTES = 256;

/**
 * Output lines assembled as bytes in chunks: writing strings to stdout costs several ns per character (UTF-8
 * conversion of a rope), bytes cost a copy. Lines whose first line and Call-ID are plain ASCII (no JSON escape,
 * nothing to UTF-8 encode) are written byte by byte; any other line is formatted as a string (jsonLine/textLine)
 * and UTF-8 encoded: the output is byte for byte what those string functions print.
 */
class LineWriter {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private at = 0;
  private file = '';
  private fileBytes: Buffer = Buffer.alloc(0);
  private fileJson = '""';

  constructor(
    private readonly io: CliIO,
    private readonly json: boolean,
    private readonly withFile: boolean,
  ) {}

  line(payload: SipPayload): void {
    const bytes = payload.bytes;
    if (payload.file !== this.file) {
      this.file = payload.file;
      this.fileJson = JSON.stringify(payload.file);
      this.fileBytes = Buffer.from(this.json ? this.fileJson : printable(payload.file), 'utf8');
    }
    let firstLineEnd = 0;
    let plain = true;
    while (firstLineEnd < bytes.length && firstLineEnd < 8192) {
      const byte = bytes[firstLineEnd];
      if (byte === 0x0d || byte === 0x0a) break;
      if (!this.plainByte(byte)) plain = false;
      firstLineEnd++;
    }
    const callId = callIdOf(bytes);
    if (plain && callId !== null) {
      for (let i = 0; i < callId.length; i++) {
        if (!this.plainByte(callId.charCodeAt(i))) {
          plain = false;
          break;
        }
      }
    }
    const need = LINE_FIXED_BYTES + this.fileBytes.length + firstLineEnd + (callId?.length ?? 0) + payload.src.ip.length + payload.dst.ip.length;
    if (!plain || need > CHUNK_BYTES) {
      const firstLine = latin1.decode(bytes.subarray(0, firstLineEnd));
      const text = this.json ? jsonLine(payload, this.fileJson, firstLine, callId) : textLine(payload, firstLine, shownCallId(bytes, callId), this.withFile);
      this.text(text + '\n');
      return;
    }
    if (this.at + need > this.chunk.length) this.flush();
    if (this.json) this.jsonBytes(payload, firstLineEnd, callId);
    else this.textBytes(payload, firstLineEnd, callId);
    this.chunk[this.at++] = 0x0a;
  }

  /**
   * A byte (or char) that prints as itself: JSON string content needs no escape there; text needs printable ASCII
   * (controls go the slow way, through printable()).
   */
  private plainByte(code: number): boolean {
    return this.json ? code >= 0x20 && code < 0x7f && code !== 0x22 && code !== 0x5c : code >= 0x20 && code < 0x7f;
  }

  private jsonBytes(payload: SipPayload, firstLineEnd: number, callId: string | null): void {
    this.ascii('{"file":');
    this.put(this.fileBytes, 0, this.fileBytes.length);
    this.ascii(',"packetNumber":');
    this.number(payload.packetNumber);
    this.ascii(',"time":"');
    this.ascii(formatTimeUs(payload.timeUs));
    this.ascii('","src":{"ip":"');
    this.ascii(payload.src.ip);
    this.ascii('","port":');
    this.number(payload.src.port);
    this.ascii('},"dst":{"ip":"');
    this.ascii(payload.dst.ip);
    this.ascii('","port":');
    this.number(payload.dst.port);
    this.ascii('},"transport":"');
    this.ascii(payload.transport);
    this.ascii('","firstLine":"');
    this.put(payload.bytes, 0, firstLineEnd);
    if (callId === null) {
      this.ascii('","callId":null');
    } else {
      this.ascii('","callId":"');
      this.ascii(callId);
      this.ascii('"');
    }
    if (payload.hep) this.ascii(',"hep":true');
    if (payload.icmpQuote) this.ascii(',"icmpQuote":true');
    this.ascii('}');
  }

  private textBytes(payload: SipPayload, firstLineEnd: number, callId: string | null): void {
    if (this.withFile) {
      this.put(this.fileBytes, 0, this.fileBytes.length);
      this.ascii(':');
    }
    this.number(payload.packetNumber);
    this.ascii('\t');
    this.ascii(formatTimeUs(payload.timeUs));
    this.ascii('\t');
    this.endpoint(payload.src);
    this.ascii(' -> ');
    this.endpoint(payload.dst);
    this.ascii('\t');
    this.ascii(payload.transport);
    if (payload.hep) this.ascii('/hep');
    if (payload.icmpQuote) this.ascii(' (quoted in ICMP error)');
    this.ascii('\t');
    this.put(payload.bytes, 0, firstLineEnd);
    this.ascii('\t');
    this.ascii(callId ?? '-');
  }

  /** hostPort(ip, port) written as bytes. */
  private endpoint(endpoint: { ip: string; port: number }): void {
    const bracketed = endpoint.ip.includes(':');
    if (bracketed) this.ascii('[');
    this.ascii(endpoint.ip);
    this.ascii(bracketed ? ']:' : ':');
    this.number(endpoint.port);
  }

  /** Text known to be ASCII. */
  private ascii(text: string): void {
    const chunk = this.chunk;
    let at = this.at;
    for (let i = 0; i < text.length; i++) chunk[at++] = text.charCodeAt(i);
    this.at = at;
  }

  private number(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) return this.ascii(String(value));
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    let at = this.at + digits;
    this.at = at;
    let rest = value;
    do {
      this.chunk[--at] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
  }

  private put(bytes: Uint8Array, start: number, end: number): void {
    if (end - start > 32) {
      this.chunk.set(bytes.subarray(start, end), this.at);
      this.at += end - start;
      return;
    }
    const chunk = this.chunk;
    let at = this.at;
    for (let i = start; i < end; i++) chunk[at++] = bytes[i];
    this.at = at;
  }

  /** A line formatted as a string, UTF-8 encoded as stdout would encode it. */
  private text(line: string): void {
    const length = Buffer.byteLength(line, 'utf8');
    if (this.at + length > this.chunk.length) this.flush();
    if (length > this.chunk.length) {
      this.emit(Buffer.from(line, 'utf8'));
      return;
    }
    this.at += this.chunk.write(line, this.at, 'utf8');
  }

  flush(): void {
    if (this.at === 0) return;
    this.emit(this.chunk.subarray(0, this.at));
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.at = 0;
  }

  /** Whole lines, each ending in LF. */
  private emit(bytes: Buffer): void {
    if (this.io.outBytes) this.io.outBytes(bytes);
    else this.io.out(bytes.toString('utf8'));
  }
}


export const decodeCommand = defineCommand({
  command: 'decode <files..>',
  describe: 'list the SIP messages in pcap/pcapng captures (.gz, - for stdin), merged by time',
  options: {
    files: { positional: true, type: 'string', array: true, describe: 'capture files (pcap, pcapng, optionally gzipped); - alone (or /dev/stdin) reads stdin' },
    json: { type: 'boolean', default: false, describe: 'one JSON object per line (JSON Lines)' },
    merged: {
      type: 'boolean',
      default: false,
      describe: 'read the files as the one capture mergecap would make of them: packets numbered across them, TCP streams and IP fragments continuing from file to file (a ring of files)',
    },
    'max-issues': { type: 'number', default: DEFAULT_MAX_ISSUES, describe: 'decode issues printed one by one; beyond that only counted' },
  },
  examples: [
    ['$0 decode trace.pcapng', 'one line per SIP message'],
    ['$0 decode ring-*.pcap.gz --json', 'JSON Lines, files merged by capture time'],
    ['$0 decode ring_*.pcap --merged', 'a ring of files as one capture'],
  ],
  async run(args, io) {
    const { files, json, maxIssues, merged } = args;
    if (!Number.isInteger(maxIssues) || maxIssues < 0) throw badArgument('--max-issues must be a whole number >= 0');
    // merged: a packet number names one frame of all the files (the JSON still says which file holds it)
    const withFile = files.length > 1 && !merged;
    const issueCounts = new Map<string, number>();
    let issuesPrinted = 0;
    const writer = new LineWriter(io, json, withFile);
    let unusableInputs: string[] | undefined;
    let messages = 0;
    try {
      ({ unusableInputs } = await decodeCaptures(
        files,
        {
          payload(payload) {
            messages++;
            writer.line(payload);
          },
          issue(issue) {
            // an input not read at all is always named, whatever --max-issues says
            if (issue.unusableInput) return io.err(issueLine('decode', issue));
            issueCounts.set(issue.code, (issueCounts.get(issue.code) ?? 0) + 1);
            if (issuesPrinted++ < maxIssues) io.err(issueLine('decode', issue));
          },
        },
        { stdin: io.stdin, asOneCapture: merged },
      ));
    } finally {
      // what was decoded before a capture error is printed before its message (src/cli/index.ts prints that)
      writer.flush();
    }
    if (issuesPrinted > maxIssues) {
      const counts = [...issueCounts].map(([code, count]) => `${code} ${count}`).join(', ');
      io.err(`sipscope decode: ${issuesPrinted} decode issues in all (${counts}); first ${maxIssues} shown`);
    }
    if (messages === 0) io.err(`sipscope decode: ${noSipMessageText(files, unusableInputs)}`);
    return exitAfterInputs(EXIT.ok, unusableInputs);
  },
});
