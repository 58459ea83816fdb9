import { describe, expect, it } from 'vitest';
import {
  COMPACT_HEADER_NAMES, formatMessage, getHeader, getHeaders, parseMessage, parseStartLine, serializeMessage,
  SipParseError, type SipRequest, type SipResponse,
} from '../../src/sip/index.js';

const crlf = (lines: string[]) => lines.join('\r\n');

const register = crlf([
  'REGISTER sip:registrar.example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.4:5060;branch=z9hG4bKnashds7;rport',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@example.com>',
  'From: Bob <sip:bob@example.com>;tag=456248',
  'Call-ID: 843817637684230@998sdasdh09',
  'CSeq: 1826 REGISTER',
  'Contact: <sip:bob@192.0.2.4>',
  'Expires: 7200',
  'Content-Length: 0',
  '', '',
]);

describe('parseMessage: start line', () => {
  it('reads a request line', () => {
    const message = parseMessage(register) as SipRequest;
    expect(message).toMatchObject({ kind: 'request', method: 'REGISTER', uri: 'sip:registrar.example.com', version: 'SIP/2.0', defects: [] });
  });

  it('reads a status line, with an empty reason phrase too', () => {
    const ok = parseMessage('SIP/2.0 180 Ringing\r\nContent-Length: 0\r\n\r\n') as SipResponse;
    expect(ok).toMatchObject({ kind: 'response', status: 180, reason: 'Ringing', defects: [] });
    const bare = parseMessage('SIP/2.0 100\r\nContent-Length: 0\r\n\r\n') as SipResponse;
    expect(bare).toMatchObject({ status: 100, reason: '' });
    expect(bare.defects).toEqual([]);
  });

  it('decodes a UTF-8 reason phrase (RFC 3261 §25.1 TEXT-UTF8)', () => {
    const message = parseMessage(Buffer.from('SIP/2.0 486 Besetzt – bitte später\r\nl: 0\r\n\r\n', 'utf8')) as SipResponse;
    expect(message.reason).toBe('Besetzt – bitte später');
  });

  it('flags an out-of-range status code and a foreign version, but still returns the message', () => {
    const big = parseMessage('SIP/2.0 7000 Huge\r\n\r\n');
    expect(big.defects.map((d) => d.code)).toEqual(['bad-status-code']);
    const v3 = parseMessage('OPTIONS sip:a@b SIP/3.0\r\n\r\n');
    expect(v3.defects.map((d) => d.code)).toEqual(['bad-sip-version']);
  });

  it('flags extra whitespace, a bracketed or spaced Request-URI with specific codes', () => {
    expect(parseMessage('INVITE  sip:a@b SIP/2.0\r\n\r\n').defects[0].code).toBe('bad-start-line');
    expect(parseMessage('INVITE sip:a@b SIP/2.0 \r\n\r\n').defects[0].code).toBe('bad-start-line');
    expect(parseMessage('INVITE <sip:a@b> SIP/2.0\r\n\r\n').defects[0].code).toBe('bad-request-uri');
    expect(parseMessage('INVITE sip:a@b; lr SIP/2.0\r\n\r\n').defects[0].code).toBe('bad-request-uri');
    expect(parseMessage('INV@TE sip:a@b SIP/2.0\r\n\r\n').defects.map((d) => d.code)).toEqual(['bad-method']);
  });

  it('throws SipParseError with code and offset when there is no SIP start line', () => {
    for (const text of ['GET / HTTP/1.1\r\n\r\n', 'garbage', 'INVITE sip:a@b\r\n\r\n', 'SIP/2.0 abc OK\r\n\r\n', '']) {
      let caught: unknown;
      try {
        parseMessage(text);
      } catch (error) {
        caught = error;
      }
      expect(caught, text).toBeInstanceOf(SipParseError);
      expect((caught as SipParseError).code).toMatch(/^(bad-start-line|empty-message)$/);
      expect(typeof (caught as SipParseError).offset).toBe('number');
    }
  });

  it('parseStartLine is the same reader the parser uses', () => {
    expect(parseStartLine('BYE sip:x@y SIP/2.0')).toMatchObject({ kind: 'request', method: 'BYE', uri: 'sip:x@y' });
  });
});

describe('parseMessage: header fields', () => {
  it('keeps wire order, raw names and canonical names', () => {
    const message = parseMessage(register);
    expect(message.headers.map((h) => h.name)).toEqual(['via', 'max-forwards', 'to', 'from', 'call-id', 'cseq', 'contact', 'expires', 'content-length']);
    expect(message.headers[4]).toMatchObject({ rawName: 'Call-ID', value: '843817637684230@998sdasdh09' });
  });

  it('expands every compact form of RFC 3261 §7.3.3 and later RFCs', () => {
    const letters = 'imftvlckseourbxy'.split('');
    const text = crlf(['OPTIONS sip:a@b SIP/2.0', ...letters.map((letter) => `${letter}: value-${letter}`), '', '']).replace('l: value-l', 'l: 0');
    const message = parseMessage(text);
    for (const letter of letters) {
      const field = message.headers.find((h) => h.rawName === letter);
      expect(field?.name).toBe(COMPACT_HEADER_NAMES[letter]);
      expect(field?.name.length).toBeGreaterThan(1);
    }
    expect(getHeader(message, 'Call-ID')).toBe('value-i');
    expect(getHeader(message, 'i')).toBe('value-i');
  });

  it('unfolds continuation lines into one space (RFC 3261 §7.3.1)', () => {
    const message = parseMessage(crlf([
      'OPTIONS sip:a@b SIP/2.0',
      'Subject: first',
      '   second   ',
      '\tthird',
      'Accept:',
      ' application/sdp',
      'Via  : SIP/2.0/UDP h;branch=z9hG4bK1',
      '', '',
    ]));
    expect(getHeader(message, 'subject')).toBe('first second third');
    expect(getHeader(message, 'accept')).toBe('application/sdp');
    expect(message.headers[2]).toMatchObject({ rawName: 'Via', value: 'SIP/2.0/UDP h;branch=z9hG4bK1' });
  });

  it('accepts bare LF line ends and ignores CRLFs before the start line (RFC 3261 §7.5)', () => {
    const message = parseMessage('\r\n\r\nOPTIONS sip:a@b SIP/2.0\nCall-ID: x\nContent-Length: 3\n\nabc');
    expect(getHeader(message, 'call-id')).toBe('x');
    expect(Buffer.from(message.body).toString()).toBe('abc');
    expect(message.defects).toEqual([]);
  });

  it('decodes UTF-8 values only where bytes >= 0x80 are present', () => {
    const message = parseMessage(Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nSubject: Grüße 👋\r\nX-Plain: ascii\r\nl: 0\r\n\r\n', 'utf8'));
    expect(getHeader(message, 'subject')).toBe('Grüße 👋');
    expect(getHeader(message, 'x-plain')).toBe('ascii');
  });

  it('records a line without a colon as a defect and keeps the other fields', () => {
    const message = parseMessage('OPTIONS sip:a@b SIP/2.0\r\nthis is not a header\r\nCall-ID: y\r\n\r\n');
    expect(message.defects).toMatchObject([{ code: 'bad-header-line', offset: 25 }]);
    expect(getHeader(message, 'call-id')).toBe('y');
  });

  it('gives each field its byte offset and length in the raw input', () => {
    const bytes = Buffer.from(register);
    const message = parseMessage(bytes);
    for (const field of message.headers) {
      const wire = bytes.subarray(field.offset, (field.offset ?? 0) + (field.length ?? 0)).toString();
      expect(wire.startsWith(field.rawName)).toBe(true);
      expect(wire.endsWith(field.value)).toBe(true);
    }
  });

  it('getHeaders returns every field of a name in order', () => {
    const message = parseMessage('OPTIONS sip:a@b SIP/2.0\r\nVia: a\r\nv: b\r\nVIA: c\r\n\r\n');
    expect(getHeaders(message, 'via')).toEqual(['a', 'b', 'c']);
  });
});

describe('parseMessage: body framing by Content-Length (RFC 3261 §18.3, §20.14)', () => {
  const withBody = (length: string, body: string) => `MESSAGE sip:a@b SIP/2.0\r\nContent-Length: ${length}\r\n\r\n${body}`;

  it('takes exactly Content-Length bytes; a datagram drops the rest silently', () => {
    const message = parseMessage(withBody('5', 'hello world'), { datagram: true });
    expect(Buffer.from(message.body).toString()).toBe('hello');
    expect(message.defects).toEqual([]);
  });

  it('flags bytes after the body on a stream', () => {
    const message = parseMessage(withBody('5', 'hello world'));
    expect(Buffer.from(message.body).toString()).toBe('hello');
    expect(message.defects).toMatchObject([{ code: 'trailing-bytes', offset: 51 }]);
  });

  it('flags a short body, keeping the bytes that are there', () => {
    const message = parseMessage(withBody('50', 'short'), { datagram: true });
    expect(message.defects).toMatchObject([{ code: 'content-length-mismatch', header: 'content-length' }]);
    expect(Buffer.from(message.body).toString()).toBe('short');
  });

  it('names negative and non-numeric lengths', () => {
    expect(parseMessage(withBody('-3', 'abc')).defects[0].code).toBe('negative-content-length');
    expect(parseMessage(withBody('abc', 'abc')).defects[0].code).toBe('bad-content-length');
  });

  it('takes the rest as the body when there is no Content-Length', () => {
    expect(Buffer.from(parseMessage('MESSAGE sip:a@b SIP/2.0\r\n\r\nxyz', { datagram: true }).body).toString()).toBe('xyz');
  });

  it('keeps a body with bytes >= 0x80 intact', () => {
    const body = Buffer.from([0x00, 0xff, 0x80, 0x0d, 0x0a, 0x41]);
    const bytes = Buffer.concat([Buffer.from('MESSAGE sip:a@b SIP/2.0\r\nl: 6\r\n\r\n'), body]);
    expect(Buffer.from(parseMessage(bytes).body).equals(body)).toBe(true);
  });

  it('reports a header block with no terminating empty line', () => {
    expect(parseMessage('OPTIONS sip:a@b SIP/2.0\r\nCall-ID: z\r\n').defects.map((d) => d.code)).toEqual(['no-header-end']);
  });

  it('parses header blocks larger than the first decoding window', () => {
    const big = 'x'.repeat(40_000);
    const message = parseMessage(`MESSAGE sip:a@b SIP/2.0\r\nX-Big: ${big}\r\nContent-Length: 2\r\n\r\nok`);
    expect(getHeader(message, 'x-big')).toHaveLength(40_000);
    expect(Buffer.from(message.body).toString()).toBe('ok');
  });
});

describe('serializeMessage and formatMessage', () => {
  it('round-trips byte for byte', () => {
    const bytes = Buffer.from(crlf(['INVITE sip:bob@b SIP/2.0', 'Subject: folded', '  line', 'V :  SIP/2.0/UDP h;branch=z9hG4bK1', 'Content-Length: 2', '', 'hi']));
    expect(serializeMessage(parseMessage(bytes)).equals(bytes)).toBe(true);
  });

  it('writes changed fields and start lines fresh, keeping untouched ones as they were', () => {
    const message = parseMessage(Buffer.from('OPTIONS  sip:a@b SIP/2.0\r\nTo :  <sip:a@b>\r\nFrom: <sip:c@d>\r\n\r\n')) as SipRequest;
    message.headers[1].value = '<sip:e@f>;tag=1';
    message.uri = 'sip:z@y';
    expect(serializeMessage(message).toString()).toBe('OPTIONS sip:z@y SIP/2.0\r\nTo :  <sip:a@b>\r\nFrom: <sip:e@f>;tag=1\r\n\r\n');
  });

  it('formatMessage sets Content-Length to the body size and the result parses back', () => {
    const bytes = formatMessage({ kind: 'request', method: 'MESSAGE', uri: 'sip:a@b', headers: [{ name: 'Call-ID', value: 'c1' }, { name: 'Content-Length', value: '999' }], body: 'héllo' });
    const message = parseMessage(bytes);
    expect(getHeader(message, 'content-length')).toBe('6');
    expect(message.defects).toEqual([]);
    expect(Buffer.from(message.body).toString()).toBe('héllo');
    expect(formatMessage({ kind: 'response', status: 200, reason: 'OK', headers: [] }).toString()).toBe('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n');
  });
});
