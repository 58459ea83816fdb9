/**
 * SIP message parser (RFC 3261 §7, §25). Tolerant: returns a message with `defects` wherever the start line
 * could be read; throws SipParseError only when there is no SIP start line at all.
 * (Initial version: correct framing and header unfolding; field-level checks live in headers/*.ts.)
 */
import { SipParseError } from './errors.js';
import { canonicalHeaderName, type Defect, type HeaderField, type SipMessage } from './message.js';

export interface ParseOptions {
  /** Datagram transport (UDP): bytes past Content-Length are dropped (RFC 3261 §18.3); a short body is a defect. */
  datagram?: boolean;
}

const decoder = new TextDecoder('utf-8');

export function parseMessage(input: Uint8Array | string, options: ParseOptions = {}): SipMessage {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const defects: Defect[] = [];
  let headerEnd = -1;
  let bodyStart = bytes.length;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (bytes[i + 1] === 0x0a) { headerEnd = i; bodyStart = i + 2; break; }
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) { headerEnd = i; bodyStart = i + 3; break; }
  }
  if (headerEnd < 0) {
    headerEnd = bytes.length;
    defects.push({ code: 'no-header-end', message: 'header block does not end with an empty line', offset: bytes.length });
  }
  const head = decoder.decode(bytes.subarray(0, headerEnd));
  const lines = head.split(/\r?\n/);
  const startLine = lines[0] ?? '';
  const headers: HeaderField[] = [];
  for (let i = 1; i < lines.length; i++) {
    let line = lines[i];
    if (line === '') continue;
    // RFC 3261 §7.3.1: a line starting with whitespace continues the previous header field
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1])) line += ' ' + lines[++i].trim();
    const colon = line.indexOf(':');
    if (colon <= 0) {
      defects.push({ code: 'bad-header-line', message: `header line without a name and colon: ${JSON.stringify(line.slice(0, 40))}` });
      continue;
    }
    const rawName = line.slice(0, colon).trim();
    headers.push({ name: canonicalHeaderName(rawName), rawName, value: line.slice(colon + 1).trim() });
  }
  let body = bytes.subarray(bodyStart);
  const lengthField = headers.find((h) => h.name === 'content-length');
  if (lengthField) {
    const declared = /^\d+$/.test(lengthField.value) ? Number(lengthField.value) : NaN;
    if (Number.isNaN(declared)) {
      defects.push({ code: 'bad-content-length', header: 'content-length', message: `Content-Length is not a number: ${lengthField.value}` });
    } else if (declared > body.length) {
      defects.push({ code: 'content-length-mismatch', header: 'content-length', message: `Content-Length ${declared} exceeds the ${body.length} body bytes present` });
    } else if (options.datagram) {
      body = body.subarray(0, declared);
    }
  }
  const response = /^(SIP\/\d+\.\d+) (\d{3}) ?(.*)$/.exec(startLine);
  if (response) {
    return { kind: 'response', version: response[1], status: Number(response[2]), reason: response[3], headers, body, defects };
  }
  const request = /^([!%'*+\-.0-9A-Z_`a-z~]+) (\S+) (SIP\/\d+\.\d+)$/.exec(startLine);
  if (request) {
    return { kind: 'request', method: request[1], uri: request[2], version: request[3], headers, body, defects };
  }
  throw new SipParseError('bad-start-line', `not a SIP start line: ${JSON.stringify(startLine.slice(0, 80))}`, 0);
}
