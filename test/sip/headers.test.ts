import { describe, expect, it } from 'vitest';
import {
  HeaderSyntaxError, parseCSeq, parseMessage, parseMultipart, parseNameAddr, parseNameAddrList, parseVia, readParams,
  splitHeaderList, validateMessage,
} from '../../src/sip/index.js';

function syntaxError(run: () => unknown): HeaderSyntaxError {
  try {
    run();
  } catch (error) {
    if (error instanceof HeaderSyntaxError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('splitHeaderList', () => {
  it('splits at commas outside quotes and <>', () => {
    expect(splitHeaderList('"Doe, John" <sip:j@x;a=1,2>, <sip:k@y> ,sip:z@w')).toEqual(['"Doe, John" <sip:j@x;a=1,2>', '<sip:k@y>', 'sip:z@w']);
    expect(splitHeaderList('"a \\" , b" <sip:x@y>')).toEqual(['"a \\" , b" <sip:x@y>']);
    expect(splitHeaderList('a,,b')).toEqual(['a', '', 'b']);
  });
});

describe('readParams', () => {
  it('allows whitespace around ; and =, quoted values and valueless params', () => {
    const { params, end } = readParams(' ; Tag = abc ;lr; q=0.5;x="a;b"', 0);
    expect({ ...params }).toEqual({ tag: 'abc', lr: null, q: '0.5', x: '"a;b"' });
    expect(end).toBe(31);
  });

  it('rejects an empty parameter', () => {
    expect(syntaxError(() => readParams(';;', 0)).code).toBe('bad-params');
    expect(syntaxError(() => readParams(';a=', 0)).code).toBe('bad-params');
  });
});

describe('parseVia', () => {
  it('reads protocol, transport, sent-by, branch, received and rport (RFC 3261 §20.42, RFC 3581)', () => {
    const [via] = parseVia('SIP/2.0/UDP pc33.atlanta.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.1;rport=5066');
    expect(via).toMatchObject({ protocol: 'SIP/2.0', transport: 'UDP', host: 'pc33.atlanta.com', port: 5066, branch: 'z9hG4bK776asdhds', received: '192.0.2.1', rport: 5066 });
    const [asking] = parseVia('SIP/2.0/tcp client.example.com;rport;branch=z9hG4bKx');
    expect(asking.rport).toBe(true);
    expect(asking.transport).toBe('TCP');
    expect(asking.port).toBeUndefined();
  });

  it('reads several via-parms with free whitespace and IPv6 sent-by', () => {
    const vias = parseVia('SIP  / 2.0  / TCP     spindle.example.com   ;  branch  =   z9hG4bK9ikj8  , SIP/2.0/WSS [2001:db8::9]:443;branch=z9hG4bKa;received=2001:db8::5');
    expect(vias.map((v) => [v.transport, v.host, v.port, v.branch])).toEqual([['TCP', 'spindle.example.com', undefined, 'z9hG4bK9ikj8'], ['WSS', '[2001:db8::9]', 443, 'z9hG4bKa']]);
    expect(vias[1].received).toBe('2001:db8::5');
  });

  it('rejects broken Via values with bad-via or bad-params', () => {
    expect(syntaxError(() => parseVia('SIP/2.0/UDP')).code).toBe('bad-via');
    expect(syntaxError(() => parseVia('SIP/2.0 UDP host')).code).toBe('bad-via');
    expect(syntaxError(() => parseVia('SIP/2.0/UDP host:70000')).code).toBe('bad-via');
    expect(syntaxError(() => parseVia('SIP/2.0/UDP host;received=not-an-ip')).code).toBe('bad-via');
    expect(syntaxError(() => parseVia('SIP/2.0/UDP host;rport=x')).code).toBe('bad-via');
    expect(syntaxError(() => parseVia('SIP/2.0/UDP 192.0.2.15;;,;,,')).code).toBe('bad-params');
    expect(syntaxError(() => parseVia('SIP/2.0/UDP a,')).code).toBe('bad-via');
  });
});

describe('parseCSeq', () => {
  it('reads number and method (RFC 3261 §20.16)', () => {
    expect(parseCSeq('314159 INVITE')).toEqual({ seq: 314159, method: 'INVITE' });
    expect(parseCSeq('0009   INVITE')).toEqual({ seq: 9, method: 'INVITE' });
    expect(parseCSeq('4294967295 BYE').seq).toBe(4294967295);
  });

  it('rejects bad syntax and 32-bit overflow with distinct codes', () => {
    expect(syntaxError(() => parseCSeq('INVITE')).code).toBe('bad-cseq');
    expect(syntaxError(() => parseCSeq('12INVITE')).code).toBe('bad-cseq');
    expect(syntaxError(() => parseCSeq('1 IN VITE')).code).toBe('bad-cseq');
    expect(syntaxError(() => parseCSeq('4294967296 INVITE')).code).toBe('scalar-overflow');
  });
});

describe('parseNameAddr', () => {
  it('reads quoted and token display names, URI, params and tag (RFC 3261 §20.10)', () => {
    expect(parseNameAddr('"Alice \\"A\\" Liddell" <sip:alice@atlanta.com>;tag=1928301774')).toMatchObject({
      displayName: 'Alice "A" Liddell', quotedDisplayName: true, uri: 'sip:alice@atlanta.com', bracketed: true, tag: '1928301774',
    });
    expect(parseNameAddr('Bob  Smith <sips:bob@biloxi.com>')).toMatchObject({ displayName: 'Bob Smith', quotedDisplayName: false, uri: 'sips:bob@biloxi.com' });
    expect(parseNameAddr('caller<sip:caller@example.com>;tag=323')).toMatchObject({ displayName: 'caller', tag: '323' });
  });

  it('treats parameters after an addr-spec as header parameters', () => {
    const address = parseNameAddr('sip:+12125551212@phone2net.com;tag=887s');
    expect(address).toMatchObject({ uri: 'sip:+12125551212@phone2net.com', bracketed: false, tag: '887s' });
    expect(address.displayName).toBeUndefined();
  });

  it('reads Contact params and the * wildcard', () => {
    const [first, second] = parseNameAddrList('<sip:a@b>;expires=3600;q=0.7, "B" <sip:c@d;transport=tcp>');
    expect(first.params).toMatchObject({ expires: '3600', q: '0.7' });
    expect(second).toMatchObject({ displayName: 'B', uri: 'sip:c@d;transport=tcp' });
    expect(parseNameAddr('*')).toMatchObject({ wildcard: true });
  });

  it('names each kind of broken address', () => {
    expect(syntaxError(() => parseNameAddr('"Mr. J. User <sip:j.user@example.com>')).code).toBe('unbalanced-quotes');
    expect(syntaxError(() => parseNameAddr('Bell, Alexander <sip:a.g.bell@example.com>;tag=43')).code).toBe('unquoted-display-name-chars');
    expect(syntaxError(() => parseNameAddr('"W" < sip:t.watson@example.org >')).code).toBe('whitespace-in-uri');
    expect(syntaxError(() => parseNameAddr('sip:user@example.com?Route=%3Csip:sip.example.com%3E')).code).toBe('bad-addr-spec');
    expect(syntaxError(() => parseNameAddr('<sip:a@b')).code).toBe('bad-name-addr');
    expect(syntaxError(() => parseNameAddr('<sip:a@b> junk')).code).toBe('bad-name-addr');
    expect(syntaxError(() => parseNameAddr('"Joe" <sip:joe@example.org>;;;;')).code).toBe('bad-params');
  });
});

describe('parseMultipart (RFC 2046 §5.1)', () => {
  const body = Buffer.from([
    'preamble', '--b1', 'Content-Type: text/plain', '', 'Hello', '--b1', 'Content-Type: application/octet-stream', '', '\u0000\u00ff\r\nbin', '--b1--', 'epilogue',
  ].join('\r\n'), 'latin1');

  it('splits parts with their headers and exact bytes', () => {
    const parts = parseMultipart(body, 'multipart/mixed;boundary="b1"');
    expect(parts).toHaveLength(2);
    expect(parts[0].headers[0]).toMatchObject({ name: 'content-type', value: 'text/plain' });
    expect(Buffer.from(parts[0].body).toString()).toBe('Hello');
    expect(Buffer.from(parts[1].body).equals(Buffer.from('\u0000\u00ff\r\nbin', 'latin1'))).toBe(true);
  });

  it('rejects a missing boundary or close delimiter', () => {
    expect(syntaxError(() => parseMultipart(body, 'multipart/mixed')).code).toBe('bad-multipart');
    expect(syntaxError(() => parseMultipart(Buffer.from('--b1\r\n\r\nx'), 'multipart/mixed; boundary=b1')).code).toBe('bad-multipart');
    expect(syntaxError(() => parseMultipart(body, 'multipart/mixed; boundary=zz')).code).toBe('bad-multipart');
  });
});

describe('validateMessage', () => {
  const base = (extra: string[] = [], method = 'INVITE', cseqMethod = method) => [
    `${method} sip:bob@example.com SIP/2.0`, 'Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1', 'Max-Forwards: 70', 'To: <sip:bob@example.com>',
    'From: <sip:alice@example.com>;tag=1', 'Call-ID: abc@h', `CSeq: 1 ${cseqMethod}`, ...extra, 'Content-Length: 0', '', '',
  ].join('\r\n');
  const codes = (text: string) => validateMessage(parseMessage(text)).map((d) => `${d.code}${d.severity === 'warning' ? '?' : ''}`);

  it('accepts a well-formed request', () => {
    expect(codes(base())).toEqual([]);
  });

  it('reports each class of problem with its own code', () => {
    expect(codes(base([], 'OPTIONS', 'INVITE'))).toEqual(['cseq-method-mismatch']);
    expect(codes(base(['Max-Forwards: 256']))).toEqual(['duplicate-scalar-header', 'scalar-overflow']);
    expect(codes(base(['Date: Sat, 13 Nov 2010 23:29:00 PST']))).toEqual(['bad-date']);
    expect(codes(base(['Date: Sat, 13 Nov 2010 23:29:00 GMT']))).toEqual([]);
    expect(codes(base(['Expires: soon']))).toEqual(['bad-expires']);
    expect(codes(base(['Retry-After: 120 (lunch);duration=60']))).toEqual([]);
    expect(codes(base(['Warning: 370 devnull "Choose a bigger pipe"']))).toEqual([]);
    expect(codes(base(['Content-Type: sdp']))).toEqual(['bad-content-type']);
    expect(codes(base(['Bad Header: x']))).toEqual(['bad-header-name']);
    expect(codes(base(['Route: sip:proxy.example.com']))).toEqual([]);
    expect(codes(base(['Contact: <http://example.com>']))).toEqual(['unsupported-uri-scheme?']);
    expect(codes(base(['Contact: <sip:a@b:99999>']))).toEqual(['bad-uri-port']);
    expect(codes('OPTIONS sip:a@b?x=y SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKq\r\nTo: <sip:a@b>\r\nFrom: <sip:c@d>;tag=2\r\nCall-ID: q\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 1\r\n\r\n')).toEqual(['bad-request-uri']);
  });

  it('lists missing mandatory headers, Max-Forwards only as a warning (RFC 4475 §3.4.1)', () => {
    expect(codes('BYE sip:a@b SIP/2.0\r\n\r\n')).toEqual(['missing-header', 'missing-header', 'missing-header', 'missing-header', 'missing-header', 'missing-header?']);
    expect(codes('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKq\r\nTo: <sip:a@b>\r\nFrom: <sip:c@d>;tag=2\r\nCall-ID: q\r\nCSeq: 1 OPTIONS\r\n\r\n')).toEqual([]);
  });
});

describe('real-world shapes', () => {
  it('reads an addr-spec Contact whose quoted parameter holds <> (RFC 5626 +sip.instance)', () => {
    const [contact] = parseNameAddrList('sip:alice@192.0.2.1:5060;+sip.instance="<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>";reg-id=1');
    expect(contact).toMatchObject({ uri: 'sip:alice@192.0.2.1:5060', bracketed: false });
    expect(contact.params['+sip.instance']).toBe('"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>"');
  });

  it('warns about, but accepts, a base64 Call-ID with "="', () => {
    const text = 'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKq\r\nTo: <sip:a@b>\r\nFrom: <sip:c@d>;tag=2\r\nCall-ID: ZmFrZQ==\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 1\r\n\r\n';
    expect(validateMessage(parseMessage(text))).toMatchObject([{ code: 'bad-call-id', severity: 'warning' }]);
    expect(validateMessage(parseMessage(text.replace('ZmFrZQ==', 'a b')))).toMatchObject([{ code: 'bad-call-id' }]);
    expect(validateMessage(parseMessage(text.replace('ZmFrZQ==', 'a b')))[0].severity).toBeUndefined();
  });
});
