/**
 * The summary's request and response counts: responses are counted by number (a slot per code of 100-699, a map
 * beyond), and must list what counting by the text of each status would: the same keys, counts and key order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageCounts } from '../../src/analysis/message-counts.js';

type Counted = { kind: 'request'; method: string } | { kind: 'response'; status: number };

/** Counting as the summary defines it: by the method, by the status code as text, keys sorted as strings. */
function byText(messages: Counted[]): { requests: Record<string, number>; responses: Record<string, number> } {
  const requests = new Map<string, number>();
  const responses = new Map<string, number>();
  for (const message of messages) {
    if (message.kind === 'request') requests.set(message.method, (requests.get(message.method) ?? 0) + 1);
    else responses.set(String(message.status), (responses.get(String(message.status)) ?? 0) + 1);
  }
  const sorted = (counts: Map<string, number>) => Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
  return { requests: sorted(requests), responses: sorted(responses) };
}

describe('MessageCounts', () => {
  it('counts codes inside and outside 100-699 (a damaged status line keeps its number) under their text', () => {
    const counts = new MessageCounts();
    for (const status of [200, 99, 700, 200, 1000, 100, 699, 12345678901]) counts.add({ kind: 'response', status });
    counts.add({ kind: 'request', method: 'INVITE' });
    expect(counts.responsesByCode()).toEqual({ '99': 1, '100': 1, '200': 2, '699': 1, '700': 1, '1000': 1, '12345678901': 1 });
    expect(Object.keys(counts.responsesByCode())).toEqual(Object.keys(byText([99, 100, 200, 699, 700, 1000, 12345678901].map((status) => ({ kind: 'response', status }))).responses));
    expect(counts.requestsByMethod()).toEqual({ INVITE: 1 });
  });

  it('lists what counting by text lists, keys in the same order, on any sequence', () => {
    const message: fc.Arbitrary<Counted> = fc.oneof(
      fc.record({ kind: fc.constant('request' as const), method: fc.constantFrom('INVITE', 'ACK', 'BYE', 'REGISTER', 'X-CUSTOM') }),
      fc.record({ kind: fc.constant('response' as const), status: fc.oneof(fc.integer({ min: 100, max: 699 }), fc.integer({ min: 0, max: 99_999 }), fc.constantFrom(99, 700, 2 ** 31, 2 ** 53)) }),
    );
    fc.assert(
      fc.property(fc.array(message, { maxLength: 60 }), (messages) => {
        const counts = new MessageCounts();
        for (const one of messages) counts.add(one);
        const expected = byText(messages);
        expect(Object.entries(counts.requestsByMethod())).toEqual(Object.entries(expected.requests));
        expect(Object.entries(counts.responsesByCode())).toEqual(Object.entries(expected.responses));
      }),
    );
  });
});
