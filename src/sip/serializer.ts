/**
 * Writes messages back to wire bytes (RFC 3261 §7). `serializeMessage` reuses the original bytes of every
 * start line and header field the parser saw and that still holds the same value, so serialize(parse(x)) is
 * byte-equal for well-formed CRLF messages; changed or new fields are written as "Name: value" CRLF.
 * `formatMessage` builds a message from a model and sets Content-Length to the body size (RFC 3261 §20.14).
 */
import type { HeaderField, SipMessage } from './message.js';
import { parseStartLine, unfold, utf8FromLatin1 } from './parser.js';
import { latin1 } from './syntax.js';

const CRLF = Buffer.from('\r\n', 'latin1');

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function formatStartLine(message: SipMessage): string {
  return message.kind === 'request'
    ? `${message.method} ${message.uri} ${message.version}`
    : `${message.version} ${message.status} ${message.reason}`;
}

/** The original start line bytes when they still say what the message says. */
function originalStartLine(message: SipMessage, raw: Buffer): Buffer | undefined {
  let start = 0;
  while (start < raw.length && (raw[start] === 0x0d || raw[start] === 0x0a)) start++;
  let end = raw.indexOf(0x0a, start);
  if (end < 0) return undefined;
  if (end > start && raw[end - 1] === 0x0d) end--;
  try {
    const line = parseStartLine(latin1(raw, start, end), start);
    const same = line.kind === 'request' && message.kind === 'request'
      ? line.method === message.method && line.uri === message.uri && line.version === message.version
      : line.kind === 'response' && message.kind === 'response' && line.status === message.status && line.reason === message.reason && line.version === message.version;
    return same ? raw.subarray(start, end) : undefined;
  } catch {
    return undefined;
  }
}

/** The original field bytes when name and value are unchanged since parsing. */
function originalField(field: HeaderField, raw: Buffer): Buffer | undefined {
  if (field.offset === undefined || field.length === undefined || field.offset + field.length > raw.length) return undefined;
  const text = latin1(raw, field.offset, field.offset + field.length);
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  if (utf8FromLatin1(text.slice(0, colon).trimEnd()) !== field.rawName) return undefined;
  if (utf8FromLatin1(unfold(text, colon + 1, text.length)) !== field.value) return undefined;
  return raw.subarray(field.offset, field.offset + field.length);
}

/** Wire bytes of a message; byte-exact for unmodified fields of a parsed message. Content-Length is left as is. */
export function serializeMessage(message: SipMessage): Buffer {
  const raw = message.raw ? asBuffer(message.raw) : undefined;
  const chunks: Buffer[] = [];
  chunks.push((raw && originalStartLine(message, raw)) ?? Buffer.from(formatStartLine(message), 'utf8'), CRLF);
  for (const field of message.headers) {
    chunks.push((raw && originalField(field, raw)) ?? Buffer.from(`${field.rawName}: ${field.value}`, 'utf8'), CRLF);
  }
  chunks.push(CRLF, asBuffer(message.body));
  return Buffer.concat(chunks);
}

/**
 * Content-Length or its compact form l (§7.3.3), in any letter case. Only a name of their length is lowercased: the
 * client writes a dozen fields per request, thousands of requests a second in load mode.
 */
function isContentLength(name: string): boolean {
  if (name.length !== 14 && name.length !== 1) return false;
  const lower = name.toLowerCase();
  return lower === 'content-length' || lower === 'l';
}

/** What formatMessage needs: a start line, headers by name and value, and an optional body. */
export type MessageModel =
  | { kind: 'request'; method: string; uri: string; version?: string; headers: ReadonlyArray<{ name: string; value: string }>; body?: Uint8Array | string }
  | { kind: 'response'; status: number; reason: string; version?: string; headers: ReadonlyArray<{ name: string; value: string }>; body?: Uint8Array | string };

/**
 * Builds wire bytes from a model (RFC 3261 §7: start line, header fields, empty line, body): header names written
 * as given, any Content-Length replaced by one holding the real body size (RFC 3261 §20.14, always present so that
 * stream transports can frame the message, §18.3), placed last. The one serializer of new messages: the client's
 * requests (src/client/request.ts) are written by it too.
 */
export function formatMessage(model: MessageModel): Buffer {
  const version = model.version ?? 'SIP/2.0';
  let head = model.kind === 'request' ? `${model.method} ${model.uri} ${version}\r\n` : `${version} ${model.status} ${model.reason}\r\n`;
  for (const header of model.headers) {
    if (isContentLength(header.name)) continue;
    head += `${header.name}: ${header.value}\r\n`;
  }
  // a text body goes into the same string: one Buffer per message (load mode writes thousands a second)
  if (model.body === undefined || typeof model.body === 'string') {
    const body = model.body ?? '';
    return Buffer.from(`${head}Content-Length: ${body === '' ? 0 : Buffer.byteLength(body, 'utf8')}\r\n\r\n${body}`, 'utf8');
  }
  const body = asBuffer(model.body);
  return Buffer.concat([Buffer.from(`${head}Content-Length: ${body.length}\r\n\r\n`, 'utf8'), body]);
}
