/**
 * The analysis's bounded tables: JudgedOutcomes forgets exactly what BoundedSet would (the oldest outcome first),
 * and the transaction table, when full, closes the least recently active transaction and counts it; the transaction
 * table against a model of RFC 3261 §17.2.3 matching with 64*T1 expiry; the call table's finished Call-IDs. The
 * tables found by a hash of a string (JudgedOutcomes by Call-ID, the transactions by branch) tell apart two strings
 * of the same hash.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedSet, JudgedOutcomes, outcomeIdentity, type RequestOutcome } from '../../src/analysis/outcome.js';
import { textHash } from '../../src/analysis/own-copy.js';
import { TransactionTable, type TransactionId } from '../../src/analysis/transactions.js';
import { observeReading, type MessageReading, type ObservedMessage } from '../../src/analysis/observed.js';
import { TextFields } from '../../src/analysis/fields.js';
import type { SipPayload } from '../../src/capture/types.js';
import { TagSet } from '../../src/analysis/calls.js';
import { CallTable } from '../../src/analysis/call-table.js';
import { TimedQueue } from '../../src/analysis/timed-queue.js';
import { TRANSACTION_LIFETIME_US } from '../../src/analysis/timers.js';

function outcome(callId: string, cseqNumber: number, method: string, status: number): RequestOutcome {
  return { callId, cseqNumber, method, status, credentialSent: false, stale: false, timeUs: 0, responsePacket: 1, inDialog: false };
}

describe('JudgedOutcomes', () => {
  it('says false for an outcome already judged, true for a new status of the same request', () => {
    const judged = new JudgedOutcomes();
    expect(judged.add(outcome('a', 1, 'INVITE', 200))).toBe(true);
    expect(judged.add(outcome('a', 1, 'INVITE', 200))).toBe(false);
    expect(judged.add(outcome('a', 1, 'INVITE', 403))).toBe(true);
    expect(judged.add(outcome('a', 2, 'INVITE', 200))).toBe(true);
    expect(judged.add(outcome('b', 1, 'INVITE', 200))).toBe(true);
  });

  it('answers as a BoundedSet of outcomeIdentity strings of the same capacity, on any sequence', () => {
    // few Call-IDs and a small ring (forgetting), or many Call-IDs sharing its buckets (chains of several Call-IDs)
    const few = fc.record({ callId: fc.constantFrom('a', 'b', 'c', 'd'), cseq: fc.integer({ min: 1, max: 3 }), method: fc.constantFrom('INVITE', 'BYE'), status: fc.constantFrom(200, 403) });
    const many = fc.record({ callId: fc.integer({ min: 0, max: 200 }).map((n) => `${n}-8089@127.0.0.1`), cseq: fc.integer({ min: 1, max: 2 }), method: fc.constantFrom('INVITE', 'BYE'), status: fc.constantFrom(200, 403) });
    const cases = fc.oneof(
      fc.tuple(fc.integer({ min: 1, max: 6 }), fc.array(few, { maxLength: 80 })),
      fc.tuple(fc.integer({ min: 1, max: 60 }), fc.array(many, { maxLength: 400 })),
    );
    fc.assert(
      fc.property(cases, ([capacity, sequence]) => {
        const judged = new JudgedOutcomes(capacity);
        const reference = new BoundedSet(capacity);
        for (const { callId, cseq, method, status } of sequence) {
          const next = outcome(callId, cseq, method, status);
          expect(judged.add(next)).toBe(reference.add(outcomeIdentity(next)));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

/**
 * A message of the tests written as a plain object (spread to vary it) made into what the analysis reads: its
 * fields as TextFields, its start line hashed.
 */
function the(spec: ObservedMessage): ObservedMessage {
  const plain = spec as unknown as Record<string, unknown> & { fields: ConstructorParameters<typeof TextFields>[0]; firstLine: string };
  const payload = { file: plain.file, packetNumber: plain.packetNumber, packets: plain.packets, timeUs: plain.timeUs, src: plain.src, dst: plain.dst, transport: 'udp', bytes: new Uint8Array() } as unknown as SipPayload;
  const reading = { ...plain, startLineHash: textHash(plain.firstLine), fields: new TextFields(plain.fields) } as unknown as MessageReading;
  return observeReading(payload, reading);
}

function request(branch: string, timeUs: number): ObservedMessage {
  return {
    kind: 'request', method: 'OPTIONS', file: 'f', packetNumber: timeUs, packets: [timeUs], timeUs, src: { ip: '10.0.0.1', port: 5060 }, dst: { ip: '10.0.0.2', port: 5060 },
    firstLine: 'OPTIONS sip:b@x SIP/2.0',
    fields: { callId: `c-${branch}`, cseqNumber: 1, cseqMethod: 'OPTIONS', fromUri: 'sip:a@x', toUri: 'sip:b@x', fromTag: '1', viaBranch: `z9hG4bK${branch}`, viaSentBy: '10.0.0.1:5060', staleChallenge: false },
  } as ObservedMessage;
}

/** Pairs of different strings with the same textHash (32-bit FNV-1a, found by search): what only a compare tells apart. */
const SAME_HASH_BRANCHES = ['z9hG4bK91698', 'z9hG4bK416556'];
const SAME_HASH_CALL_IDS = ['40189@x', '797186@x'];

describe('tables keyed by a hash of a string', () => {
  it('the colliding pairs do collide (else the tests below would not test the compare)', () => {
    expect(textHash(SAME_HASH_BRANCHES[0])).toBe(textHash(SAME_HASH_BRANCHES[1]));
    expect(textHash(SAME_HASH_CALL_IDS[0])).toBe(textHash(SAME_HASH_CALL_IDS[1]));
  });

  it('JudgedOutcomes tells apart two Call-IDs of the same hash', () => {
    const judged = new JudgedOutcomes();
    expect(judged.add(outcome(SAME_HASH_CALL_IDS[0], 1, 'INVITE', 200))).toBe(true);
    expect(judged.add(outcome(SAME_HASH_CALL_IDS[1], 1, 'INVITE', 200))).toBe(true);
    expect(judged.add(outcome(SAME_HASH_CALL_IDS[1], 1, 'INVITE', 200))).toBe(false);
  });

  it('TransactionTable tells apart two branches of the same hash', () => {
    const table = new TransactionTable();
    const [a, b] = SAME_HASH_BRANCHES.map((branch) => request(branch.slice('z9hG4bK'.length), 1));
    // observe answers with one reused object: what it says is copied at once
    const first = { ...table.observe(the(a), () => {}) };
    expect(first.created).toBe(true);
    const second = { ...table.observe(the(b), () => {}) };
    expect(second.created).toBe(true);
    expect(second.transaction).not.toBe(first.transaction);
    const again = { ...table.observe(the(request(SAME_HASH_BRANCHES[0].slice('z9hG4bK'.length), 2)), () => {}) };
    expect(again).toMatchObject({ created: false, retransmission: true, transaction: first.transaction });
    expect(table.record(first.transaction).lookupKey).toBe(SAME_HASH_BRANCHES[0]);
    expect(table.record(second.transaction).lookupKey).toBe(SAME_HASH_BRANCHES[1]);
    expect(table.size).toBe(2);
  });
});

describe('TransactionTable', () => {
  it('beyond maxOpen closes the least recently active transaction and counts it', () => {
    const table = new TransactionTable({ maxOpen: 2 });
    const closed: string[] = [];
    const onClosed = (transaction: TransactionId) => closed.push(table.record(transaction).lookupKey);
    table.observe(the(request('one', 1)), onClosed);
    table.observe(the(request('two', 2)), onClosed);
    // 'one' is active again (a retransmission): 'two' is now the least recently active
    expect(table.observe(the(request('one', 3)), onClosed).retransmission).toBe(true);
    table.observe(the(request('three', 4)), onClosed);
    expect(closed).toEqual(['z9hG4bKtwo']);
    expect(table.evicted).toBe(1);
    expect(table.size).toBe(2);
    // a later message of the closed one opens it again; of the open ones, is theirs
    expect(table.observe(the(request('two', 5)), onClosed).created).toBe(true);
    expect(table.observe(the(request('three', 6)), onClosed).created).toBe(false);
  });

  it('tells transactions on the same branch apart by method and sent-by (RFC 3261 §17.2.3)', () => {
    const table = new TransactionTable();
    const none = () => undefined;
    const invite = { ...request('same', 1), method: 'INVITE', firstLine: 'INVITE sip:b@x SIP/2.0' } as ObservedMessage;
    const cancel = { ...request('same', 2), method: 'CANCEL', firstLine: 'CANCEL sip:b@x SIP/2.0' } as ObservedMessage;
    const otherHop = { ...invite, timeUs: 3, fields: { ...invite.fields, viaSentBy: '10.0.0.9:5060' } } as ObservedMessage;
    const first = table.observe(the(invite), none).transaction;
    expect(table.observe(the(cancel), none).transaction).not.toBe(first);
    expect(table.observe(the(otherHop), none).transaction).not.toBe(first);
    expect(table.observe(the({ ...invite, timeUs: 4 } as ObservedMessage), none).transaction).toBe(first);
    expect(table.size).toBe(3);
    const order: string[] = [];
    table.closeAll((transaction) => order.push(`${table.record(transaction).method} ${table.record(transaction).sentBy}`));
    expect(order).toEqual(['INVITE 10.0.0.1:5060', 'CANCEL 10.0.0.1:5060', 'INVITE 10.0.0.9:5060']);
    expect(table.size).toBe(0);
  });
});

describe('TransactionTable past its first columns', () => {
  it('keeps every open transaction whole while its columns grow (3,000 open, responses chained), and uses a closed one\'s slot again', () => {
    const table = new TransactionTable();
    const none = () => undefined;
    const ids: TransactionId[] = [];
    for (let i = 0; i < 3000; i++) ids.push(table.observe(the(request(`t${i}`, 1_000 + i)), none).transaction);
    for (let i = 0; i < 3000; i++) {
      const answer = (status: number, timeUs: number) =>
        ({ ...request(`t${i}`, timeUs), kind: 'response', status, reason: 'x', firstLine: `SIP/2.0 ${status} x`, fields: { ...request(`t${i}`, timeUs).fields, toTag: 'u' } }) as unknown as ObservedMessage;
      table.observe(the(answer(100, 10_000 + i)), none);
      if (i % 2 === 0) table.observe(the(answer(200, 20_000 + i)), none);
    }
    expect(new Set(ids).size).toBe(3000);
    for (let i = 0; i < 3000; i++) {
      const record = table.record(ids[i]);
      expect(record.lookupKey).toBe(`z9hG4bKt${i}`);
      expect(record.callId).toBe(`c-t${i}`);
      expect(record.request?.packetNumber).toBe(1_000 + i);
      expect(record.responses.map((response) => [response.status, response.timeUs])).toEqual(i % 2 === 0 ? [[100, 10_000 + i], [200, 20_000 + i]] : [[100, 10_000 + i]]);
      expect(record.final?.status).toBe(i % 2 === 0 ? 200 : undefined);
      expect(table.finalStatus(ids[i])).toBe(i % 2 === 0 ? 200 : 0);
    }
    // all idle past 64*T1: closed oldest first; the next transaction takes a slot given back, with nothing of its past
    const closed: string[] = [];
    table.expire(40_000 + TRANSACTION_LIFETIME_US + 1, (transaction) => closed.push(table.record(transaction).lookupKey));
    expect(closed).toEqual(ids.map((_, i) => `z9hG4bKt${i}`));
    expect(table.size).toBe(0);
    const fresh = table.observe(the(request('fresh', 50_000_000)), none).transaction;
    expect(ids).toContain(fresh);
    const record = table.record(fresh);
    expect([record.lookupKey, record.responses.length, record.final, record.retransmissions, record.requestSends]).toEqual(['z9hG4bKfresh', 0, undefined, 0, 1]);
  });
});

describe('TagSet', () => {
  it('counts distinct tags, few or many', () => {
    const tags = new TagSet();
    for (const tag of ['a', 'b', 'a', 'c', 'b']) tags.add(tag);
    expect(tags.size).toBe(3);
    for (let i = 0; i < 1000; i++) tags.add(`t${i % 400}`);
    expect(tags.size).toBe(403);
    tags.add('a');
    expect(tags.size).toBe(403);
    tags.clear();
    expect(tags.size).toBe(0);
  });
});

describe('TransactionTable against a model', () => {
  // transactions on a few branches, each shared by methods and sent-bys (chains under one key), closed by the clock,
  // or by a different request reusing the key (another request URI: the old transaction is over, and its slot serves
  // the next one while the expiry queue still holds the old one's entries)
  const step = fc.record({
    branch: fc.constantFrom('a', 'b', 'c'),
    method: fc.constantFrom('INVITE', 'CANCEL', 'OPTIONS'),
    sentBy: fc.constantFrom('10.0.0.1:5060', '10.0.0.2:5060'),
    target: fc.constantFrom('b', 'b', 'b', 'c'),
    gapUs: fc.constantFrom(0, 1_000_000, 20_000_000, TRANSACTION_LIFETIME_US + 1),
  });

  it('opens, finds and closes (64*T1 after the last message, RFC 3261 §17) exactly the transactions the model does, in its order, whatever the chain order', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const table = new TransactionTable();
        // the model: one instance per opening, an expiry queue of (key, instance, time) in message order
        const open = new Map<string, { instance: number; lastUs: number; firstLine: string }>();
        const queue: Array<{ key: string; instance: number; timeUs: number }> = [];
        let instances = 0;
        const expected: string[] = [];
        const closedKeys: string[] = [];
        const onClosed = (transaction: TransactionId) => {
          const record = table.record(transaction);
          closedKeys.push(`${record.lookupKey} ${record.method} ${record.sentBy}`);
        };
        const ids = new Map<string, TransactionId>();
        let nowUs = 1;
        for (const { branch, method, sentBy, target, gapUs } of steps) {
          nowUs += gapUs;
          const key = `z9hG4bK${branch} ${method} ${sentBy}`;
          const firstLine = `${method} sip:${target}@x SIP/2.0`;
          const message = { ...request(branch, nowUs), method, firstLine, fields: { ...request(branch, nowUs).fields, cseqMethod: method, viaSentBy: sentBy } } as ObservedMessage;
          let known = open.get(key);
          if (known && known.firstLine !== firstLine) {
            expected.push(key);
            open.delete(key);
            known = undefined;
          }
          if (!known) open.set(key, (known = { instance: instances++, lastUs: nowUs, firstLine }));
          known.lastUs = nowUs;
          queue.push({ key, instance: known.instance, timeUs: nowUs });
          const observation = table.observe(the(message), onClosed);
          expect(observation.created).toBe(known.instance === instances - 1 && !ids.has(`${key} ${known.instance}`));
          ids.set(`${key} ${known.instance}`, observation.transaction);
          const record = table.record(observation.transaction);
          expect(`${record.lookupKey} ${record.method} ${record.sentBy}`).toBe(key);
          // the analyzer moves the clock after each message: what is idle for longer than 64*T1 closes, in the order
          // of the queue entry that finds it expired
          table.expire(nowUs, onClosed);
          while (queue.length > 0 && queue[0].timeUs <= nowUs - TRANSACTION_LIFETIME_US - 1) {
            const entry = queue.shift()!;
            const now = open.get(entry.key);
            if (!now || now.instance !== entry.instance || nowUs - now.lastUs <= TRANSACTION_LIFETIME_US) continue;
            expected.push(entry.key);
            open.delete(entry.key);
          }
          expect(closedKeys).toEqual(expected);
          expect(table.size).toBe(open.size);
        }
        // the end closes the rest in the order they opened
        closedKeys.length = 0;
        table.closeAll(onClosed);
        expect(closedKeys).toEqual([...open].sort(([, a], [, b]) => a.instance - b.instance).map(([key]) => key));
      }),
      { numRuns: 1500 },
    );
  });
});

describe('TimedQueue', () => {
  it('takeNextDue hands the due entries oldest first with their time, and nothing not yet due', () => {
    const queue = new TimedQueue<string>();
    for (let i = 0; i < 3000; i++) queue.push(`item ${i}`, 10 * i);
    const taken: string[] = [];
    for (let item = queue.takeNextDue(15); item !== undefined; item = queue.takeNextDue(15)) taken.push(`${item} at ${queue.takenUs}`);
    expect(taken).toEqual(['item 0 at 0', 'item 1 at 10']);
    let count = 0;
    for (let item = queue.takeNextDue(29_990); item !== undefined; item = queue.takeNextDue(29_990)) count++;
    expect(count).toBe(2998);
    expect(queue.size).toBe(0);
    expect(queue.takeNextDue(Infinity)).toBeUndefined();
  });

  it('gives each entry back with its stamp', () => {
    const queue = new TimedQueue<number>();
    // past the first 1024 entries: the ring grows and keeps each entry's stamp with it
    for (let i = 0; i < 3000; i++) queue.push(i % 7, i, 10_000 + i);
    for (let i = 0; i < 3000; i++) {
      expect(queue.takeNextDue(Infinity)).toBe(i % 7);
      expect(queue.takenStamp).toBe(10_000 + i);
    }
  });
});

describe('CallTable', () => {
  function invite(callId: string, timeUs: number): ObservedMessage {
    const message = request('x', timeUs);
    return { ...message, method: 'INVITE', firstLine: 'INVITE sip:b@x SIP/2.0', fields: { ...message.fields, callId, cseqMethod: 'INVITE' } } as ObservedMessage;
  }

  it("a finished call's INVITE starts nothing for 64*T1 (a late retransmission), then starts a new call; only held calls count", () => {
    const table = new CallTable({ maxCalls: 2, maxPacketsPerCall: 100, maxSessionsPerCall: 10 });
    const first = table.observe(the(invite('one', 1)), false)!;
    expect(table.size).toBe(1);
    table.remove(first, 1_000_000);
    expect(table.size).toBe(0);
    expect(table.get('one')).toBeUndefined();
    expect(table.ownerOf('one')).toBeUndefined();
    expect(table.observe(the(invite('one', 2_000_000)), false)).toBeUndefined();
    // a finished Call-ID does not take a place under maxCalls
    expect(table.observe(the(invite('two', 2_000_000)), false)).toBeDefined();
    expect(table.observe(the(invite('three', 2_000_000)), false)).toBeDefined();
    expect(table.observe(the(invite('four', 2_000_000)), false)).toBeUndefined();
    expect(table.dropped).toBe(1);
    table.expireFinished(1_000_000 + TRANSACTION_LIFETIME_US - 1);
    expect(table.observe(the(invite('one', 1_000_000 + TRANSACTION_LIFETIME_US - 1)), false)).toBeUndefined();
    table.expireFinished(1_000_000 + TRANSACTION_LIFETIME_US);
    table.remove(table.get('two')!, 1_000_000 + TRANSACTION_LIFETIME_US);
    const again = table.observe(the(invite('one', 1_000_000 + TRANSACTION_LIFETIME_US)), false);
    expect(again).toBeDefined();
    expect(again).not.toBe(first);
    expect([...table.held()].map((call) => call.callId)).toEqual(['three', 'one']);
  });

  it("a message goes to its transaction's linked call only while that call is followed under the message's Call-ID", () => {
    const table = new CallTable();
    const one = table.observe(the(invite('one', 1)), false)!;
    const two = table.observe(the(invite('two', 2)), false)!;
    // a UA that reuses a branch under another Call-ID: the message's own Call-ID decides
    const bye = { ...invite('two', 3), method: 'BYE', firstLine: 'BYE sip:b@x SIP/2.0' } as ObservedMessage;
    expect(table.observe(the(bye), false, one)).toBe(two);
    expect(two.bye?.timeUs).toBe(3);
    expect(one.bye).toBeUndefined();
    // a linked call that was reported and dropped: not revived, its Call-ID is a finished one
    table.remove(one, 4);
    one.release();
    expect(table.observe(the({ ...bye, timeUs: 5, fields: { ...bye.fields, callId: 'one' } } as ObservedMessage), false, one)).toBeUndefined();
  });
});
