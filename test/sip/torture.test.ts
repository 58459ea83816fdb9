/**
 * RFC 4475 torture suite: every message of fixtures/rfc4475 against fixtures/rfc4475/expected.json, whose
 * fields were transcribed from the RFC's listings (not from sipscope's output).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  getHeader, getHeaders, parseCSeq, parseMessage, parseMultipart, parseNameAddr, parseUri, parseVia, serializeMessage,
  SipParseError, unescapeUri, validateMessage, type SipMessage,
} from '../../src/sip/index.js';

const dir = join(import.meta.dirname, '../../fixtures/rfc4475');

interface Expected {
  section: string;
  valid: boolean;
  kind: 'request' | 'response';
  method?: string;
  status?: number;
  reason?: string;
  requestUri?: string;
  callId?: string;
  viaBranch?: string | null;
  viaCount?: number;
  contentLength?: number | null;
  defects?: string[];
  warnings?: string[];
  cseq?: [number, string];
  toTag?: string;
  fromTag?: string;
  fromDisplayName?: string;
  contactDisplayName?: string;
  maxForwards?: string;
  viaTransports?: string[];
  viaBranches?: string[];
  viaRport?: boolean;
  contactCount?: number;
  requestUriUser?: string;
  requestUriPassword?: string;
  requestUriHost?: string;
  requestUriUserDecoded?: string;
  multipartParts?: string[];
}

const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')).messages as Record<string, Expected>;
const files = readdirSync(dir).filter((file) => file.endsWith('.dat')).sort();

function errors(message: SipMessage): string[] {
  return message.defects.filter((defect) => defect.severity !== 'warning').map((defect) => defect.code);
}

function warnings(message: SipMessage): string[] {
  return message.defects.filter((defect) => defect.severity === 'warning').map((defect) => defect.code);
}

describe('RFC 4475 torture messages', () => {
  it('has an expectation for each of the 49 messages', () => {
    expect(files).toHaveLength(49);
    expect(Object.keys(expected).sort()).toEqual(files.map((file) => file.replace(/\.dat$/, '')));
  });

  for (const file of files) {
    const name = file.replace(/\.dat$/, '');
    const expectation = expected[name];
    it(`${name} (RFC 4475 §${expectation.section}) is ${expectation.valid ? 'accepted' : 'flagged ' + expectation.defects?.join(', ')}`, () => {
      const bytes = readFileSync(join(dir, file));
      const message = parseMessage(bytes, { datagram: true, validate: true });
      expect(message.kind).toBe(expectation.kind);
      if (expectation.method !== undefined && message.kind === 'request') expect(message.method).toBe(expectation.method);
      if (expectation.status !== undefined && message.kind === 'response') expect(message.status).toBe(expectation.status);
      if (expectation.valid) {
        expect(errors(message), JSON.stringify(message.defects)).toEqual([]);
        for (const code of expectation.warnings ?? []) expect(warnings(message)).toContain(code);
        checkFields(message, expectation);
      } else {
        expect(errors(message).length).toBeGreaterThan(0);
        for (const code of expectation.defects ?? []) expect(errors(message)).toContain(code);
        for (const defect of message.defects) {
          expect(defect.message.length).toBeGreaterThan(10);
          expect(typeof defect.code).toBe('string');
        }
      }
    });
  }
});

function checkFields(message: SipMessage, expectation: Expected): void {
  if (message.kind === 'request') {
    expect(message.uri).toBe(expectation.requestUri);
  } else if (expectation.reason !== undefined) {
    expect(message.reason).toBe(expectation.reason);
  }
  expect(getHeader(message, 'call-id')).toBe(expectation.callId);
  const vias = getHeaders(message, 'via').flatMap((value) => parseVia(value));
  expect(vias).toHaveLength(expectation.viaCount ?? -1);
  expect(vias[0].branch ?? null).toBe(expectation.viaBranch);
  const declared = getHeader(message, 'content-length');
  expect(declared === undefined ? null : Number(declared)).toBe(expectation.contentLength);
  if (typeof expectation.contentLength === 'number') expect(message.body.length).toBe(expectation.contentLength);
  if (expectation.cseq) {
    const cseq = parseCSeq(getHeader(message, 'cseq') ?? '');
    expect([cseq.seq, cseq.method]).toEqual(expectation.cseq);
  }
  if (expectation.toTag) expect(parseNameAddr(getHeader(message, 'to') ?? '').tag).toBe(expectation.toTag);
  if (expectation.fromTag) expect(parseNameAddr(getHeader(message, 'from') ?? '').tag).toBe(expectation.fromTag);
  if (expectation.fromDisplayName) expect(parseNameAddr(getHeader(message, 'from') ?? '').displayName).toBe(expectation.fromDisplayName);
  if (expectation.contactDisplayName) expect(parseNameAddr(getHeader(message, 'contact') ?? '').displayName).toBe(expectation.contactDisplayName);
  if (expectation.maxForwards) expect(getHeader(message, 'max-forwards')).toBe(expectation.maxForwards);
  if (expectation.viaTransports) expect(vias.map((via) => via.transport)).toEqual(expectation.viaTransports);
  if (expectation.viaBranches) expect(vias.map((via) => via.branch)).toEqual(expectation.viaBranches);
  if (expectation.viaRport) expect(vias[0].rport).toBe(true);
  if (expectation.contactCount) expect(getHeaders(message, 'contact')).toHaveLength(expectation.contactCount);
  if (message.kind === 'request' && (expectation.requestUriHost || expectation.requestUriUser)) {
    const uri = parseUri(message.uri);
    if (expectation.requestUriHost) expect(uri.host).toBe(expectation.requestUriHost);
    if (expectation.requestUriUser) expect(uri.user).toBe(expectation.requestUriUser);
    if (expectation.requestUriPassword) expect(uri.password).toBe(expectation.requestUriPassword);
    if (expectation.requestUriUserDecoded) expect(unescapeUri(uri.user ?? '')).toBe(expectation.requestUriUserDecoded);
  }
  if (expectation.multipartParts) {
    const parts = parseMultipart(message.body, getHeader(message, 'content-type') ?? '');
    expect(parts.map((part) => getHeader({ ...message, headers: part.headers }, 'content-type'))).toEqual(expectation.multipartParts);
  }
}

describe('RFC 4475 messages, other properties', () => {
  it('re-serialises every well-formed message byte for byte (up to the framed body)', () => {
    for (const file of files) {
      const bytes = readFileSync(join(dir, file));
      const message = parseMessage(bytes, { datagram: true });
      if (message.defects.some((defect) => defect.code === 'no-header-end')) continue;
      const written = serializeMessage(message);
      expect(written.equals(bytes.subarray(0, written.length)), file).toBe(true);
      const headEnd = bytes.indexOf('\r\n\r\n') + 4;
      expect(written.length).toBe(headEnd + message.body.length);
    }
  });

  it('parses the long request with 34 Via fields in every spelling of the name', () => {
    const message = parseMessage(readFileSync(join(dir, 'longreq.dat')), { datagram: true });
    const spellings = message.headers.filter((field) => field.name === 'via').map((field) => field.rawName);
    expect(new Set(spellings)).toEqual(new Set(['Via', 'v', 'V', 'ViA', 'VIa', 'VIA', 'via', 'viA', 'vIa', 'vIA']));
  });

  it('keeps the INVITE after the REGISTER of dblreq out of the body on a datagram, and flags it on a stream', () => {
    const bytes = readFileSync(join(dir, 'dblreq.dat'));
    expect(parseMessage(bytes, { datagram: true }).body).toHaveLength(0);
    const stream = parseMessage(bytes);
    expect(stream.defects.map((defect) => defect.code)).toContain('trailing-bytes');
  });

  it('validateMessage gives the same defects as parseMessage({ validate: true }) adds', () => {
    const bytes = readFileSync(join(dir, 'scalar02.dat'));
    const plain = parseMessage(bytes, { datagram: true });
    const validated = parseMessage(bytes, { datagram: true, validate: true });
    expect(validated.defects).toEqual([...plain.defects, ...validateMessage(plain)]);
  });

  it('throws a typed SipParseError when there is no start line', () => {
    expect(() => parseMessage('hello world\r\n\r\n')).toThrow(SipParseError);
    try {
      parseMessage('\r\n\r\n');
    } catch (error) {
      expect((error as SipParseError).code).toBe('empty-message');
    }
  });
});
