/**
 * A Contact URI with a password in its userinfo (`sip:u:pw@host`, RFC 3261 §19.1.1, deprecated but still given) is
 * shown with the password redacted in the text and JSON of a register check, by the rule of the -v trace
 * (src/sip/digest/redact.ts): our own Contact (REMOVED / NOT REMOVED) and the bindings the registrar lists.
 */
import { describe, expect, test } from 'vitest';
import type { CheckResult } from '../../src/client/result.js';
import { checkJson } from '../../src/report/check-json.js';
import { renderCheckText } from '../../src/report/check-text.js';
import { PLAIN_STYLE } from '../../src/report/analysis-style.js';

const OWN = 'sip:u:ContactSecret1@127.0.0.1:5555';
const OTHER = 'sip:v:OtherSecret2@192.0.2.9:5060';

function registered(removalOk: boolean): CheckResult {
  const transaction = { request: 'REGISTER', cseq: 1, status: 200, reason: 'OK', rttMs: 1, retransmissions: 0, provisional: [], credentials: [] };
  return {
    method: 'REGISTER', ok: true, status: 200, reason: 'OK', challenged: false, rttMs: 1, retransmissions: 0,
    transactions: [transaction],
    bindings: [{ uri: OWN, expires: 60 }, { uri: OTHER, expires: 55 }],
    removal: removalOk
      ? { ok: true, status: 200, reason: 'OK', rttMs: 1, retransmissions: 0, transactions: [{ ...transaction, cseq: 2 }], bindings: [{ uri: OTHER, expires: 50 }], contact: OWN }
      : { ok: false, status: 500, reason: 'Server Error', rttMs: 1, retransmissions: 0, transactions: [{ ...transaction, cseq: 2, status: 500 }], bindings: [], contact: OWN },
  } as CheckResult;
}

describe('a password in a Contact URI', () => {
  test('text: bindings and REMOVED own binding show it redacted', () => {
    const text = renderCheckText(registered(true), PLAIN_STYLE);
    expect(text.split('\n').filter((line) => /binding/.test(line))).toEqual([
      '  binding sip:u:<redacted>@127.0.0.1:5555  expires 60 s',
      '  binding sip:v:<redacted>@192.0.2.9:5060  expires 55 s',
      'REMOVED own binding sip:u:<redacted>@127.0.0.1:5555; 1 binding left',
      '  binding sip:v:<redacted>@192.0.2.9:5060  expires 50 s',
    ]);
    expect(text).not.toMatch(/ContactSecret1|OtherSecret2/);
  });

  test('text: NOT REMOVED own binding shows it redacted', () => {
    const text = renderCheckText(registered(false), PLAIN_STYLE);
    expect(text).toContain('NOT REMOVED own binding sip:u:<redacted>@127.0.0.1:5555: 500 Server Error');
    expect(text).not.toMatch(/ContactSecret1|OtherSecret2/);
  });

  test('JSON: bindings and the removal contact redacted', () => {
    const json = checkJson(registered(true));
    expect(json.bindings).toEqual([{ uri: 'sip:u:<redacted>@127.0.0.1:5555', expires: 60 }, { uri: 'sip:v:<redacted>@192.0.2.9:5060', expires: 55 }]);
    expect(json.removal).toMatchObject({ contact: 'sip:u:<redacted>@127.0.0.1:5555', bindings: [{ uri: 'sip:v:<redacted>@192.0.2.9:5060', expires: 50 }] });
    expect(JSON.stringify(json)).not.toMatch(/ContactSecret1|OtherSecret2/);
  });

  test('a Contact without a password is shown as it is', () => {
    const result = { ...registered(true), bindings: [{ uri: 'sip:alice@192.0.2.1:5060;transport=tcp', expires: 60 }] };
    expect(renderCheckText(result, PLAIN_STYLE)).toContain('  binding sip:alice@192.0.2.1:5060;transport=tcp  expires 60 s');
    expect(checkJson(result).bindings).toEqual([{ uri: 'sip:alice@192.0.2.1:5060;transport=tcp', expires: 60 }]);
  });
});
