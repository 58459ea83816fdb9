/** The SIP error classes: name, code and offset as callers read them, and which `instanceof` checks hold. */
import { describe, expect, it } from 'vitest';
import { DigestError } from '../../src/sip/digest/errors.js';
import { HeaderSyntaxError, parseMessage, parseUri, SipError, SipParseError, SipSyntaxError, UriError } from '../../src/sip/index.js';

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('SIP errors', () => {
  it('each class names itself and keeps code and offset', () => {
    for (const [ErrorClass, name] of [
      [SipParseError, 'SipParseError'],
      [HeaderSyntaxError, 'HeaderSyntaxError'],
      [UriError, 'UriError'],
    ] as const) {
      const error = new ErrorClass('some-code', 'what is wrong', 7);
      expect(error.name).toBe(name);
      expect(error.code).toBe('some-code');
      expect(error.message).toBe('what is wrong');
      expect(error.offset).toBe(7);
      expect(error).toBeInstanceOf(SipSyntaxError);
      expect(error).toBeInstanceOf(SipError);
      expect(String(error)).toBe(`${name}: what is wrong`);
    }
    const digest = new DigestError('digest-syntax', 'bad', 'WWW-Authenticate', 3);
    expect([digest.name, digest.code, digest.header, digest.offset]).toEqual(['DigestError', 'digest-syntax', 'WWW-Authenticate', 3]);
    expect(new SipError('x', 'y').name).toBe('SipError');
  });

  it('a header or URI error is not a parse error of the message (decode tells them apart)', () => {
    expect(new HeaderSyntaxError('c', 'm', 0)).not.toBeInstanceOf(SipParseError);
    expect(new UriError('c', 'm', 0)).not.toBeInstanceOf(SipParseError);
    expect(new SipParseError('c', 'm', 0)).not.toBeInstanceOf(UriError);
  });

  it('the parsers throw them', () => {
    const uriError = thrown(() => parseUri('sip:alice@'));
    expect(uriError).toBeInstanceOf(UriError);
    expect((uriError as UriError).name).toBe('UriError');
    const parseError = thrown(() => parseMessage('\u0000\u0001 not sip\r\n\r\n'));
    expect(parseError).toBeInstanceOf(SipParseError);
    expect((parseError as SipParseError).name).toBe('SipParseError');
  });
});
