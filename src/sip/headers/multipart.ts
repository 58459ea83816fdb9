/**
 * multipart bodies (RFC 2046 §5.1, used by SIP per RFC 3261 §7.4 and RFC 5621): parts separated by
 * "--boundary" lines, closed by "--boundary--"; the CRLF before a delimiter belongs to the delimiter.
 */
import { readHeaderBlock } from '../header-block.js';
import type { Defect, HeaderField } from '../message.js';
import { latin1 } from '../syntax.js';
import { HeaderSyntaxError } from './header-error.js';
import { readParams, unquote } from './params.js';

export interface BodyPart {
  headers: HeaderField[];
  body: Uint8Array;
}

/** The boundary parameter of a multipart Content-Type, or undefined when it is not multipart. */
export function multipartBoundary(contentType: string): string | undefined {
  const semicolon = contentType.indexOf(';');
  const mediaType = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (!mediaType.startsWith('multipart/')) return undefined;
  if (semicolon < 0) throw new HeaderSyntaxError('bad-multipart', `Content-Type ${JSON.stringify(contentType)} has no boundary parameter (RFC 2046 §5.1.1)`, 0);
  const { params } = readParams(contentType, semicolon);
  const boundary = params.boundary;
  if (!boundary) throw new HeaderSyntaxError('bad-multipart', `Content-Type ${JSON.stringify(contentType)} has no boundary parameter (RFC 2046 §5.1.1)`, semicolon);
  return unquote(boundary);
}

/** Splits a multipart body into its parts. Throws HeaderSyntaxError('bad-multipart') when the framing is broken. */
export function parseMultipart(body: Uint8Array, contentType: string): BodyPart[] {
  const boundary = multipartBoundary(contentType);
  if (boundary === undefined) throw new HeaderSyntaxError('bad-multipart', `Content-Type ${JSON.stringify(contentType)} is not multipart`, 0);
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const text = latin1(bytes, 0, bytes.length);
  const delimiter = '--' + boundary;
  let at = text.startsWith(delimiter) ? 0 : text.indexOf('\n' + delimiter);
  if (at < 0) throw new HeaderSyntaxError('bad-multipart', `multipart body has no "${delimiter}" delimiter line`, 0);
  if (at > 0) at += 1;
  const parts: BodyPart[] = [];
  for (;;) {
    const afterDelimiter = at + delimiter.length;
    if (text.startsWith('--', afterDelimiter)) return parts;
    const lineEnd = text.indexOf('\n', afterDelimiter);
    if (lineEnd < 0) throw new HeaderSyntaxError('bad-multipart', `multipart body ends inside a delimiter line at byte ${at}`, at);
    const partStart = lineEnd + 1;
    const next = text.indexOf('\n' + delimiter, partStart - 1);
    if (next < 0) throw new HeaderSyntaxError('bad-multipart', `multipart body has no closing "${delimiter}--" delimiter`, partStart);
    const partEnd = next > partStart && text.charCodeAt(next - 1) === 0x0d ? next - 1 : next;
    parts.push(readPart(bytes, text.slice(partStart, Math.max(partStart, partEnd)), partStart));
    at = next + 1;
  }
}

function readPart(bytes: Buffer, partText: string, partStart: number): BodyPart {
  const defects: Defect[] = [];
  const utf8 = /[\x80-\xff]/.test(partText);
  const block = readHeaderBlock(partText, 0, utf8, defects);
  if (defects.length > 0) throw new HeaderSyntaxError('bad-multipart', `body part at byte ${partStart}: ${defects[0].message}`, partStart);
  if (block.bodyStart < 0) return { headers: block.headers, body: bytes.subarray(partStart + partText.length, partStart + partText.length) };
  return { headers: block.headers, body: bytes.subarray(partStart + block.bodyStart, partStart + partText.length) };
}
