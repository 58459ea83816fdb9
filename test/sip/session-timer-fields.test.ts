/** The session timer fields (RFC 4028 §4, §5) and whether a request does session timers (§9: timer in Supported or Require). */
import { describe, expect, it } from 'vitest';
import { parseMessage, parseMinSessionExpires, parseSessionExpires, supportsSessionTimer } from '../../src/sip/index.js';

const requestWith = (...extra: string[]) => parseMessage([
  'UPDATE sip:bob@example.com SIP/2.0', 'Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1', 'From: <sip:alice@example.com>;tag=f1',
  'To: <sip:bob@example.com>;tag=t1', 'Call-ID: st1', 'CSeq: 2 UPDATE', ...extra, 'Content-Length: 0', '', '',
].join('\r\n'));

describe('session timer fields (RFC 4028)', () => {
  it('supportsSessionTimer: timer in Supported or Require, any letter case, compact k, among other tags; not elsewhere', () => {
    expect(supportsSessionTimer(requestWith('Supported: 100rel, timer'))).toBe(true);
    expect(supportsSessionTimer(requestWith('k: TIMER'))).toBe(true);
    expect(supportsSessionTimer(requestWith('Supported: 100rel', 'Require: timer'))).toBe(true);
    expect(supportsSessionTimer(requestWith('Supported: 100rel, timers'))).toBe(false);
    expect(supportsSessionTimer(requestWith('Session-Expires: 90', 'Proxy-Require: timer'))).toBe(false);
  });

  it('Min-SE (§5): delta-seconds, parameters after it allowed; anything else is no value', () => {
    expect(parseMinSessionExpires('90')).toBe(90);
    expect(parseMinSessionExpires(' 1800 ;lr')).toBe(1800);
    expect(parseMinSessionExpires('90s')).toBeUndefined();
    expect(parseMinSessionExpires('')).toBeUndefined();
    expect(parseMinSessionExpires(undefined)).toBeUndefined();
  });

  it('Session-Expires (§4): seconds and the refresher', () => {
    expect(parseSessionExpires('1800;refresher=UAC')).toEqual({ seconds: 1800, refresher: 'uac' });
    expect(parseSessionExpires('90')).toEqual({ seconds: 90 });
  });
});
