import { describe, expect, it } from 'vitest';
import { formatUri, isIPv6, parseUri, unescapeUri, UriError } from '../../src/sip/index.js';

function uriError(text: string): UriError {
  try {
    parseUri(text);
  } catch (error) {
    if (error instanceof UriError) return error;
    throw error;
  }
  throw new Error(`${text} parsed`);
}

describe('parseUri', () => {
  it('reads every component of a SIP URI (RFC 3261 §19.1.1)', () => {
    const uri = parseUri('sip:alice:secret@Atlanta.example.com:5061;transport=TCP;lr;Maddr=239.255.255.1?subject=project%20x&priority=urgent');
    expect(uri).toMatchObject({ scheme: 'sip', user: 'alice', password: 'secret', host: 'Atlanta.example.com', hostType: 'domain', port: 5061 });
    expect({ ...uri.params }).toEqual({ transport: 'TCP', lr: null, maddr: '239.255.255.1' });
    expect(uri.headers).toEqual([{ name: 'subject', value: 'project%20x' }, { name: 'priority', value: 'urgent' }]);
  });

  it('reads SIPS, IPv4 and IPv6 references', () => {
    expect(parseUri('SIPS:bob@192.0.2.4')).toMatchObject({ scheme: 'sips', host: '192.0.2.4', hostType: 'ipv4' });
    expect(parseUri('sip:[2001:db8::10]:5070')).toMatchObject({ host: '[2001:db8::10]', hostType: 'ipv6', port: 5070 });
    expect(parseUri('sip:alice@[::ffff:192.0.2.1];transport=udp')).toMatchObject({ user: 'alice', host: '[::ffff:192.0.2.1]', hostType: 'ipv6' });
  });

  it('keeps escapes as written and decodes them on request (RFC 3261 §19.1.2)', () => {
    const uri = parseUri('sip:sips%3Auser%40example.com@example.net');
    expect(uri.user).toBe('sips%3Auser%40example.com');
    expect(unescapeUri(uri.user ?? '')).toBe('sips:user@example.com');
    expect(unescapeUri('null-%00-null')).toBe('null-\u0000-null');
    expect(unescapeUri('%ZZ%41')).toBe('%ZZA');
  });

  it('names a well-formed escape where none is allowed (RFC 3261 §25.1 hostname) as misplaced, not as a bad escape', () => {
    expect(() => parseUri('sip:alice@exa%6Dple.com')).toThrow('URI "sip:alice@exa%6Dple.com" has an escape "%6D" where none is allowed at 13');
    expect(() => parseUri('sip:alice@example.com%zz')).toThrow('URI "sip:alice@example.com%zz" has a bad escape "%zz" at 21');
    expect(() => parseUri('sip:alice@example.com>')).toThrow('URI "sip:alice@example.com>" has unexpected character ">" at 21');
    expect(() => parseUri('sip:al%zzice@example.com')).toThrow('user part of "sip:al%zzice@example.com" has a bad escape "%zz" at 6');
  });

  it('allows the user-unreserved characters ; ? / in the user part', () => {
    expect(parseUri('sip:user;par=u%40example.net@example.com')).toMatchObject({ user: 'user;par=u%40example.net', host: 'example.com' });
    expect(parseUri('sip:+1-212-555-1212:1234@gateway.com;user=phone')).toMatchObject({ user: '+1-212-555-1212', password: '1234', host: 'gateway.com' });
  });

  it('reads tel URIs (RFC 3966)', () => {
    const uri = parseUri('tel:+1-201-555-0123;phone-context=example.com');
    expect(uri).toMatchObject({ scheme: 'tel', user: '+1-201-555-0123', host: '', hostType: 'none' });
    expect(uri.params['phone-context']).toBe('example.com');
  });

  it('rejects bad URIs with specific codes', () => {
    expect(uriError('http://example.com').code).toBe('unsupported-uri-scheme');
    expect(uriError('no-scheme').code).toBe('bad-uri-scheme');
    expect(uriError('sip:').code).toBe('bad-uri-host');
    expect(uriError('sip:a b@example.com').code).toBe('bad-uri-user');
    expect(uriError('sip:a%4@example.com').code).toBe('bad-uri-user');
    expect(uriError('sip:example.com:99999').code).toBe('bad-uri-port');
    expect(uriError('sip:example.com:').code).toBe('bad-uri-port');
    expect(uriError('sip:[2001:db8::1').code).toBe('bad-uri-host');
    expect(uriError('sip:[2001:zz8::1]').code).toBe('bad-uri-host');
    expect(uriError('sip:host_name.com').code).toBe('bad-uri');
    expect(uriError('sip:a@example.com;;lr').code).toBe('bad-uri-param');
    expect(uriError('sip:a@example.com?Route').code).toBe('bad-uri-header');
    expect(uriError('sip:a@example.com; lr').code).toBe('bad-uri-param');
    expect(uriError('sip:a@-bad.example.com').code).toBe('bad-uri-host');
  });

  it('formats back what it parsed', () => {
    for (const text of ['sip:alice:pw@example.com:5060;transport=tcp;lr?to=x&y=z', 'sips:[::1]', 'tel:+1-201-555-0123;ext=1', 'sip:%61lice@h']) {
      expect(formatUri(parseUri(text))).toBe(text);
    }
  });
});

describe('isIPv6', () => {
  it('follows RFC 3261 §25.1 IPv6address', () => {
    for (const ok of ['::', '::1', '2001:db8::1', '1:2:3:4:5:6:7:8', '::ffff:192.0.2.1', 'fe80::1:2']) expect(isIPv6(ok), ok).toBe(true);
    for (const bad of ['1:2:3:4:5:6:7:8:9', '1::2::3', ':1:2', '12345::', 'g::1', '1:2:3:4:5:6:7']) expect(isIPv6(bad), bad).toBe(false);
  });
});
