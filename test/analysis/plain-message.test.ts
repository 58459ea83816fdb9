/**
 * readPlainMessage (plain-message.ts) stands in for parseMessage + readFields on messages in the plain form: on
 * every SIP message of every fixture capture and every RFC 4475 torture message, whatever it answers must equal
 * what the general path answers (kind, method, status, reason, first line and every analysis field), and on
 * ordinary traffic it must answer (or it would save nothing).
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeCaptures } from '../../src/capture/decode.js';
import type { SipPayload } from '../../src/capture/types.js';
import type { MessageFields } from '../../src/analysis/fields.js';
import { observe } from '../../src/analysis/observed.js';
import { readPlainMessage, readScannedMessage } from '../../src/analysis/plain-message.js';
import { SCAN_STRIDE } from '../../src/analysis/plain-record.js';
import { scanPlainMessage } from '../../src/analysis/plain-scan.js';
import { parseMessage } from '../../src/sip/index.js';

function generalReading(bytes: Uint8Array, datagram: boolean) {
  let message;
  try {
    message = parseMessage(bytes, { datagram });
  } catch {
    return undefined;
  }
  const payload = { file: 'x', packetNumber: 1, packets: [], timeUs: 0, src: { ip: '', port: 0 }, dst: { ip: '', port: 0 }, transport: 'udp', bytes } as unknown as SipPayload;
  const observed = observe(payload, message);
  if (!observed) return undefined;
  const common = { kind: observed.kind, firstLine: observed.firstLine, startLineHash: observed.startLineHash, fields: fieldsOf(observed.fields), questions: questionsOf(observed.fields, observed.fields) };
  return observed.kind === 'request' ? { ...common, method: observed.method, counted: message.kind === 'request' ? message.method : '' } : { ...common, status: observed.status, reason: observed.reason };
}

/** Every field read by name (From and To URIs are getters of the plain reading). */
function fieldsOf(fields: MessageFields): MessageFields {
  const { callId, cseqNumber, cseqMethod, fromTag, toTag, fromUri, toUri, viaBranch, viaSentBy, credential, staleChallenge } = fields;
  return { callId, cseqNumber, cseqMethod, fromTag, toTag, fromUri, toUri, viaBranch, viaSentBy, credential, staleChallenge };
}

/**
 * The questions the hot paths ask of a message's fields (MessageFields), about the values of `values`: each value
 * itself and one that differs. The plain reading answers them from its bytes while it has made no string yet (so
 * `fields` must be fresh: `values` a second reading of the same bytes).
 */
function questionsOf(fields: MessageFields, values: MessageFields) {
  const { callId, fromTag, toTag, viaBranch } = values;
  const sentBy = values.viaSentBy ?? '';
  return {
    branchKeyed: fields.branchKeyed,
    viaBranchHash: fields.viaBranchHash,
    toTagHash: fields.toTagHash,
    hasFromTag: fields.hasFromTag,
    inDialog: fields.inDialog,
    callIdIs: [fields.callIdIs(callId), fields.callIdIs(`${callId}x`), fields.callIdIs(callId.slice(1))],
    fromTagIs: [fields.fromTagIs(fromTag), fields.fromTagIs(`${fromTag ?? ''}x`), fields.fromTagIs(undefined), fields.fromTagIs('')],
    toTagIs: [fields.toTagIs(toTag ?? ''), fields.toTagIs(`${toTag ?? ''}x`), fields.toTagIs('')],
    viaBranchIs: [fields.viaBranchIs(viaBranch ?? ''), fields.viaBranchIs((viaBranch ?? '').slice(1)), fields.viaBranchIs('')],
    viaSentByIs: [fields.viaSentByIs(sentBy), fields.viaSentByIs(`${sentBy}x`), fields.viaSentByIs(sentBy.toUpperCase()), fields.viaSentByIs('')],
  };
}

function plainReading(bytes: Uint8Array) {
  const plain = readPlainMessage(bytes);
  if (!plain) return undefined;
  // asked first, while the reading has made no string
  const questions = questionsOf(plain.fields, readPlainMessage(bytes)!.fields);
  const common = { kind: plain.kind, firstLine: plain.firstLine, startLineHash: plain.startLineHash, fields: fieldsOf(plain.fields), questions };
  return plain.kind === 'request' ? { ...common, method: plain.method.toUpperCase(), counted: plain.method } : { ...common, status: plain.status, reason: plain.reason };
}

function captureFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(pcap|pcapng)(\.gz)?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

describe('plain reading of SIP messages', () => {
  it('equals the general reading on every message of the fixture captures, and reads most of them', async () => {
    let messages = 0;
    let plain = 0;
    for (const file of captureFiles('fixtures/captures')) {
      await decodeCaptures([file], {
        payload: (payload) => {
          messages++;
          const fast = plainReading(payload.bytes);
          if (fast === undefined) return;
          plain++;
          expect({ file, packet: payload.packetNumber, reading: fast }).toEqual({ file, packet: payload.packetNumber, reading: generalReading(payload.bytes, payload.transport === 'udp') });
        },
      });
    }
    expect(messages).toBeGreaterThan(1000);
    expect(plain / messages).toBeGreaterThan(0.8);
  }, 120_000);

  it('equals the general reading on the RFC 4475 torture messages (or leaves them to it)', () => {
    const dir = 'fixtures/rfc4475';
    let plain = 0;
    for (const name of readdirSync(dir).filter((entry) => entry.endsWith('.dat'))) {
      const bytes = readFileSync(join(dir, name));
      const fast = plainReading(bytes);
      if (fast === undefined) continue;
      plain++;
      expect({ name, reading: fast }).toEqual({ name, reading: generalReading(bytes, true) });
    }
    expect(plain).toBeGreaterThan(0);
  });

  it('leaves every variation of a plain message it cannot read exactly to the parser', () => {
    const base = 'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds\r\nTo: Bob <sip:bob@example.com>\r\nFrom: Alice <sip:alice@example.com>;tag=1928301774\r\nCall-ID: a84b4c76e66710@pc33.example.com\r\nCSeq: 314159 INVITE\r\nContent-Length: 0\r\n\r\n';
    const variants = [
      base,
      base.replace('Call-ID:', 'i :'),
      base.replace('Call-ID:', 'CALL-id:'),
      base.replace('CSeq: 314159 INVITE', 'CSeq: 314159 invite'),
      base.replace('CSeq: 314159 INVITE', 'CSeq: 99999999999 INVITE'),
      base.replace('CSeq: 314159 INVITE', 'CSeq: 4294967296 INVITE'),
      base.replace('CSeq: 314159 INVITE', 'CSeq:314159INVITE'),
      base.replace('To: Bob', 'To:\r\n Bob'),
      base.replace('From: Alice', 'From: "Alice"'),
      base.replace('From: Alice', 'From: Alicé'),
      base.replace('To: Bob <sip:bob@example.com>', 'To: Bob <sip:bøb@example.com>'),
      base.replace('Content-Length: 0\r\n\r\n', 'Subject: Grüße\r\nContent-Length: 4\r\n\r\nv=é'),
      base.replace('Call-ID: a84b4c76e66710', 'Call-ID: a84b4c76é66710'),
      base.replace('Via: SIP/2.0/UDP pc33.example.com', 'Via: SIP/2.0/UDP pç33.example.com'),
      base.replace('INVITE sip:bob@example.com SIP/2.0', 'INVITE sip:bøb@example.com SIP/2.0'),
      base.replace('\r\nContent-Length', '\r\nAuthorization: Digest username="ålice", realm="example.com", nonce="n", uri="sip:bob@example.com", response="00000000000000000000000000000000"\r\nContent-Length'),
      base.replace('Via: SIP/2.0/UDP', 'Via: SIP/2.0/UDP\t'),
      base.replace('Via:', 'Via: \r\nv:'),
      base.replace(';tag=1928301774', ';TAG=x;tag=y'),
      base.replace('\r\nContent-Length', '\r\nAuthorization: Digest username="alice", realm="example.com", nonce="n", uri="sip:bob@example.com", response="00000000000000000000000000000000"\r\nContent-Length'),
      base.replace('INVITE sip:bob@example.com SIP/2.0', 'invite sip:bob@example.com SIP/2.0'),
      base.replace('INVITE sip:bob@example.com SIP/2.0', 'INVITE sip:bob@example.com sip/2.0'),
      'SIP/2.0 401 Unauthorized  \r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\nWWW-Authenticate: Digest realm="r", nonce="n", stale=TRUE\r\n\r\n',
      'SIP/2.0 200\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>;tag=2\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n\r\n',
      'SIP/2.0 099 Odd\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n\r\n',
    ];
    const addresses = [
      '<sip:alice@example.com>;tag=1', 'sipp <sip:sipp@127.0.0.1:5061>;tag=12345SIPpTag001', 'Bob Smith <sip:bob@biloxi.example.com>',
      'sip:carol@chicago.example.com;tag=abc', 'sip:carol@chicago.example.com;TAG=abc;tag=def', '<sip:a@b>;tag', '<sip:a@b>;tag=', '<sip:a@b>;;tag=1',
      '<sip:a@b> ;tag=1', '<>;tag=1', 'x:y <sip:a@b>;tag=1', 'abc;x=a:b', 'a@b:c;tag=1', 'sip:a@b?x=1;tag=2', 'sip:a@b,c;tag=2', '<sip:a@b;transport=udp>;tag=9;x',
      '<sip:[::1]:5060>;tag=v6;maddr=[::1]', '<sip:a"b@c>;tag=1', '<sip:a\\b@c>;tag=1', 'sip:a<b@c;tag=1', 'sip:a@b;tag=1<', '<sip:a@b>x;tag=1', '*', ':a;tag=1', 'sip:a@b>;tag=1', '<sip:a@b',
    ];
    for (const address of addresses) {
      variants.push(base.replace('From: Alice <sip:alice@example.com>;tag=1928301774', `From: ${address}`));
      variants.push(base.replace('To: Bob <sip:bob@example.com>', `To: ${address}`));
    }
    const vias = [
      'SIP/2.0/UDP Host.Example.COM:5060;BRANCH=z9hG4bKcase', 'SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2',
      'SIP/2.0/UDP a.example.com ;branch=z9hG4bK1', 'SIP/2.0/UDP  a.example.com;branch', 'SIP/2.0/UDP a;branch=', 'SIP/2.0/UDP a;;branch=1',
      'SIP/2.0/UDP a.example.com', 'SIP/2.0/UDP ;branch=1', 'SIP/2.0/ a;branch=1', 'SIP/2.0/UDP a;branch=x;branch=y', 'SIP/2.0/UDP a;rport;branch=z9hG4bKrp',
      'sip/2.0/udp a;branch=lower', 'SIP/2.0/UDP a\x0b;branch=z9hG4bK1', 'SIP/2.0/UDP a;received="x";branch=z9hG4bK1', 'SIP/2.0/UDP a,b;branch=1',
      // the first element ends at ',': what follows it is not read (SPs before the ',' trimmed, as splitHeaderList does)
      'SIP/2.0/UDP a;branch=z9hG4bK1 , SIP/2.0/UDP b;branch=2', 'SIP/2.0/UDP a;branch=z9hG4bK1,"x"', 'SIP/2.0/UDP a;branch=z9hG4bK1, <b\x01>',
      'SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP bé', 'SIP/2.0/UDP a;branch=z9hG4bK1;,b', 'SIP/2.0/UDP a;branch=z9hG4bK1 x,b', 'SIP/2.0/UDP A.B ,b',
      'SIP/2.0/U,DP a;branch=1', 'SIP/2.0/UDP ,a;branch=1', 'SIP/2.0/UDP a;branch=z9hG4bK1 ;x, b', 'SIP/2.0/UDP a;branch=z9hG4bK1 \x0b, b',
      'SIP/2.0/UDP a;x=1 ;branch=z2', 'SIP/2.0/UDP a;x=1"q";branch=z2, b', 'SIP/2.0/UDP a;x=1 y;branch=z2', 'SIP/2.0/UDP a;x=1 , b;branch=z2',
      'SIP/2.0/UDP a;x=1<q;branch=z2, b>;branch=z3', 'SIP/2.0/UDP a;x=1, b;branch=z2', 'SIP/2.0/UDP a;x=1 ,b;branch=z2',
    ];
    for (const via of vias) variants.push(base.replace('Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds', `Via: ${via.replace('\\x0b', '\x0b')}`));
    let plain = 0;
    for (const text of variants) {
      const bytes = Buffer.from(text, 'utf8');
      const fast = plainReading(bytes);
      if (fast === undefined) continue;
      plain++;
      expect({ text, reading: fast }).toEqual({ text, reading: generalReading(bytes, true) });
    }
    expect(plain).toBeGreaterThanOrEqual(40);
  });

  it('equals the general reading on random From, To and Via values (or leaves them to it)', () => {
    const base = 'INVITE sip:bob@example.com SIP/2.0\r\nVia: VIA\r\nTo: TO\r\nFrom: FROM\r\nCall-ID: c1@example.com\r\nCSeq: 1 INVITE\r\n\r\n';
    const address = fc.array(fc.constantFrom(...'sip:a@b<>;tag=1 "\\,?*.[]-_~TÿÀ'.split('')), { maxLength: 40 }).map((chars) => chars.join('').trim());
    const via = fc.array(fc.constantFrom(...'SIP/2.0/UDP a:5;branch=z9hG4bK1 ,"<>\t'.split('')), { maxLength: 50 }).map((chars) => `SIP/2.0/UDP ${chars.join('').trim()}`);
    let plain = 0;
    fc.assert(
      fc.property(address, address, via, (from, to, top) => {
        const bytes = Buffer.from(base.replace('FROM', from).replace('TO', to).replace('VIA', top), 'utf8');
        const fast = plainReading(bytes);
        if (fast === undefined) return;
        plain++;
        expect(fast).toEqual(generalReading(bytes, true));
      }),
      { numRuns: 20_000 },
    );
    // most draws are read plainly: the comparison is not vacuous
    expect(plain).toBeGreaterThan(10_000);
  });

  it('reads a message from its scan record alone as it reads its bytes (the read thread\'s split: scan, then strings)', async () => {
    // records at an offset in a larger array, another message's record left before it, as in a batch
    const records = new Int32Array(3 * SCAN_STRIDE).fill(7);
    const at = 2 * SCAN_STRIDE;
    let plain = 0;
    const check = (bytes: Uint8Array, where: string) => {
      const scanned = scanPlainMessage(bytes, records, at);
      const direct = readPlainMessage(bytes);
      expect(scanned).toBe(direct !== undefined);
      const split = readScannedMessage(bytes, records, at);
      if (split !== undefined) plain++;
      // the questions first (answered from the bytes and the scan's hashes), then every value
      const values = readPlainMessage(bytes)?.fields;
      const whole = (reading: typeof split) =>
        reading && {
          kind: reading.kind,
          questions: questionsOf(reading.fields, values!),
          firstLine: reading.firstLine,
          startLineHash: reading.startLineHash,
          head: reading.kind === 'request' ? reading.method : [reading.status, reading.reason],
          fields: fieldsOf(reading.fields),
        };
      expect({ where, reading: whole(split) }).toEqual({ where, reading: whole(direct) });
    };
    for (const file of captureFiles('fixtures/captures')) {
      await decodeCaptures([file], { payload: (payload) => check(payload.bytes, `${file} ${payload.packetNumber}`) });
    }
    for (const name of readdirSync('fixtures/rfc4475').filter((entry) => entry.endsWith('.dat'))) check(readFileSync(join('fixtures/rfc4475', name)), name);
    expect(plain).toBeGreaterThan(1000);
  }, 120_000);
});
