/**
 * Wire form of outgoing requests (RFC 3261 §7: start line, header fields, empty line, body; Content-Length in
 * bytes, §18.3 / §20.14), read back with the project parser.
 */
import { describe, expect, test } from 'vitest';
import { branchOf, serializeRequest, type OutgoingRequest } from '../../src/client/request.js';
import { getHeader, parseMessage } from '../../src/sip/index.js';

const request = (body?: string): OutgoingRequest => ({
  method: 'OPTIONS',
  uri: 'sip:bob@example.test',
  headers: [
    ['Via', 'SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bKabc123'],
    ['CSeq', '7 OPTIONS'],
    ['Call-ID', 'call-1'],
  ],
  body,
});

describe('serializeRequest', () => {
  test('without a body: header fields in order, Content-Length: 0, then the empty line and nothing more', () => {
    const text = serializeRequest(request()).toString('utf8');
    expect(text).toBe(
      'OPTIONS sip:bob@example.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bKabc123\r\n'
      + 'CSeq: 7 OPTIONS\r\nCall-ID: call-1\r\nContent-Length: 0\r\n\r\n',
    );
  });

  test('a UTF-8 body: Content-Length counts bytes, not characters; the parser reads the same body back', () => {
    const body = 'v=0\r\ns=caf\u00e9 \u2603\r\n';
    const bytes = serializeRequest(request(body));
    const message = parseMessage(bytes, { datagram: true });
    expect(getHeader(message, 'content-length')).toBe(String(Buffer.byteLength(body, 'utf8')));
    expect(Buffer.byteLength(body, 'utf8')).toBeGreaterThan(body.length);
    expect(Buffer.from(message.body).toString('utf8')).toBe(body);
    expect(bytes.toString('utf8').endsWith(`\r\n\r\n${body}`)).toBe(true);
    expect(branchOf(request(body))).toBe('z9hG4bKabc123');
  });
});
