/**
 * Client transaction timers (RFC 3261 §17.1.1.2, §17.1.2.2) with fake time, against a UDP/TCP peer on 127.0.0.1
 * that drops the first requests. Times are read at the peer (Date.now() under fake time = when it was sent).
 */
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { TransactionError, TransactionLayer } from '../../src/client/transaction.js';
import type { OutgoingRequest } from '../../src/client/request.js';
import { newBranch } from '../../src/sip/index.js';
import { connectTransport, type SipTransport } from '../../src/transport/index.js';
import { startTcpPeer, startUdpPeer, type SipPeer } from './sip-peer.js';

const T1 = 500;
const T2 = 4000;

function request(method: string, local: SipTransport, branch = newBranch()): OutgoingRequest {
  return {
    method,
    uri: 'sip:127.0.0.1',
    headers: [
      ['Via', `SIP/2.0/${local.viaToken} 127.0.0.1:${local.local.port};rport;branch=${branch}`],
      ['Max-Forwards', '70'],
      ['From', '<sip:alice@127.0.0.1>;tag=abc'],
      ['To', '<sip:alice@127.0.0.1>'],
      ['Call-ID', `call-${branch}`],
      ['CSeq', `1 ${method}`],
    ],
  };
}

/** Lets real socket I/O happen while timers are fake: a bounded number of event-loop turns. */
async function turns(count = 20): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Advances fake time step by step, letting I/O through after each step. */
async function advance(ms: number, step = 50): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    await vi.advanceTimersByTimeAsync(Math.min(step, ms - done));
    await turns(5);
  }
}

let peer: SipPeer | undefined;
let transport: SipTransport | undefined;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});

afterEach(async () => {
  vi.useRealTimers();
  await transport?.close();
  await peer?.close();
  peer = undefined;
  transport = undefined;
});

async function udpLayer(port: number, answer: Parameters<typeof startUdpPeer>[1]): Promise<TransactionLayer> {
  peer = await startUdpPeer(port, answer);
  transport = await connectTransport({ transport: 'udp', address: '127.0.0.1', port, family: 4 });
  return new TransactionLayer(transport, { t1: T1, t2: T2 });
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((time, index) => time - times[index]);
}

describe('non-INVITE over UDP (§17.1.2.2)', () => {
  test('Timer E doubles from T1: the peer drops 3 requests, the 4th is answered; 3 retransmissions counted', async () => {
    const layer = await udpLayer(45010, (_request, index) => (index < 3 ? undefined : { status: 200, reason: 'OK' }));
    const start = Date.now();
    const outcome = layer.send(request('REGISTER', transport!));
    await turns();
    await advance(3600);
    const result = await outcome;
    expect(result.response.status).toBe(200);
    expect(result.retransmissions).toBe(3);
    const times = peer!.received.map((entry) => entry.at - start);
    expect(times).toHaveLength(4);
    expect(gaps(times)).toEqual([500, 1000, 2000]);
  });

  test('Timer E is capped at T2 and Timer F ends the transaction at 64*T1 with code "timeout"', async () => {
    const layer = await udpLayer(45011, () => undefined);
    const start = Date.now();
    const outcome = layer.send(request('OPTIONS', transport!)).catch((error: unknown) => error);
    await turns();
    await advance(64 * T1 + 100, 250);
    const error = await outcome;
    expect(error).toBeInstanceOf(TransactionError);
    expect((error as TransactionError).code).toBe('timeout');
    const times = peer!.received.map((entry) => entry.at - start);
    // 0, 500, 1500, 3500, 7500, then every T2 until 32000
    expect(gaps(times)).toEqual([500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000]);
    expect((error as TransactionError).retransmissions).toBe(10);
  });

  test('after a provisional response Timer E fires at T2 (Proceeding)', async () => {
    const layer = await udpLayer(45012, (_request, index) => {
      if (index === 0) return { status: 100, reason: 'Trying' };
      if (index === 1) return undefined;
      return { status: 200, reason: 'OK' };
    });
    const start = Date.now();
    const outcome = layer.send(request('REGISTER', transport!));
    await turns();
    await advance(8200);
    const result = await outcome;
    expect(result.provisional.map((response) => response.status)).toEqual([100]);
    expect(gaps(peer!.received.map((entry) => entry.at - start))).toEqual([T2, T2]);
    expect(result.retransmissions).toBe(2);
  });
});

describe('INVITE over UDP (§17.1.1.2)', () => {
  test('Timer A doubles without the T2 cap until Timer B (64*T1)', async () => {
    const layer = await udpLayer(45013, () => undefined);
    const start = Date.now();
    const outcome = layer.send(request('INVITE', transport!)).catch((error: unknown) => error);
    await turns();
    await advance(64 * T1 + 100, 250);
    expect(((await outcome) as TransactionError).code).toBe('timeout');
    expect(gaps(peer!.received.map((entry) => entry.at - start))).toEqual([500, 1000, 2000, 4000, 8000, 16000]);
  });

  test('a provisional response stops Timer A; a 486 is acknowledged with ACK (§17.1.1.3)', async () => {
    const layer = await udpLayer(45014, (received, index) => {
      if (received.method === 'ACK') return undefined;
      return index === 0 ? { status: 180, reason: 'Ringing' } : undefined;
    });
    const outcome = layer.send(request('INVITE', transport!));
    await turns();
    await advance(5000);
    expect(peer!.received.map((entry) => entry.request.method)).toEqual(['INVITE']);
    // the final answer arrives later, from the peer's socket
    const { buildResponse } = await import('./sip-peer.js');
    await peer!.sendLater(0, buildResponse(peer!.received[0].request, { status: 486, reason: 'Busy Here' }));
    await turns(50);
    await advance(100);
    const result = await outcome;
    expect(result.response.status).toBe(486);
    expect(result.retransmissions).toBe(0);
    const ack = peer!.received.find((entry) => entry.request.method === 'ACK');
    expect(ack?.raw).toMatch(/^ACK sip:127\.0\.0\.1 SIP\/2\.0\r\n/);
    expect(ack?.raw).toMatch(/CSeq: 1 ACK/);
    expect(ack?.raw).toMatch(/To: <sip:alice@127\.0\.0\.1>;tag=peer1/);
  });
});

describe('the caller\'s limits on an INVITE (§17.1.1.2: Timer B guards Calling only)', () => {
  test('callingLimitMs ends an INVITE nothing answers, before limitMs and Timer B', async () => {
    const layer = await udpLayer(27863, () => undefined);
    const start = Date.now();
    let endedAt = 0;
    const outcome = layer.send(request('INVITE', transport!), { limitMs: 20_000, callingLimitMs: 1000 })
      .catch((error: unknown) => { endedAt = Date.now(); return error; });
    await turns();
    await advance(1200);
    const error = (await outcome) as TransactionError;
    expect(error.code).toBe('timeout');
    expect(error.message).toMatch(/^no final response to INVITE within 1000 ms \(transaction timeout, 1 retransmission\)$/);
    expect(endedAt - start).toBe(1000);
  });

  test('after a provisional response the INVITE waits past callingLimitMs, until limitMs', async () => {
    const layer = await udpLayer(27864, (received) => (received.method === 'INVITE' ? { status: 180, reason: 'Ringing' } : undefined));
    const start = Date.now();
    let endedAt = 0;
    const outcome = layer.send(request('INVITE', transport!), { limitMs: 3000, callingLimitMs: 1000 })
      .catch((error: unknown) => { endedAt = Date.now(); return error; });
    await turns();
    await advance(3200);
    const error = (await outcome) as TransactionError;
    expect(error.message).toMatch(/^no final response to INVITE within 3000 ms \(overall timeout after a provisional response/);
    // the limit counts on the real clock (performance.now()), the peer's 180 took a few real milliseconds
    expect(endedAt - start).toBeGreaterThan(2900);
    expect(endedAt - start).toBeLessThanOrEqual(3000);
  });

  test('callingLimitMs does not shorten a non-INVITE (Timer F, or limitMs)', async () => {
    const layer = await udpLayer(27865, () => undefined);
    const start = Date.now();
    let endedAt = 0;
    const outcome = layer.send(request('OPTIONS', transport!), { limitMs: 2000, callingLimitMs: 500 })
      .catch((error: unknown) => { endedAt = Date.now(); return error; });
    await turns();
    await advance(2200);
    expect(((await outcome) as TransactionError).message).toMatch(/\(overall timeout, /);
    expect(endedAt - start).toBe(2000);
  });
});

describe('matching (§17.1.3) and reliable transports', () => {
  test('responses with another branch or another CSeq method are not taken as the answer', async () => {
    const layer = await udpLayer(45015, (received) => {
      const topVia = received.headers.find((field) => field.name === 'via')!.value;
      return [
        { status: 486, reason: 'Other Branch', via: topVia.replace(/branch=[^;,\s]+/, 'branch=z9hG4bKother') },
        { status: 487, reason: 'Other Method', cseq: '1 INVITE' },
        { status: 200, reason: 'OK' },
      ];
    });
    const result = await layer.send(request('OPTIONS', transport!));
    await turns();
    expect(result.response.status).toBe(200);
    expect(layer.unmatched).toBe(2);
  });

  test('no retransmission over TCP; Timer F still ends the transaction', async () => {
    const tcpPeer = await startTcpPeer(45016, () => undefined);
    peer = tcpPeer;
    transport = await connectTransport({ transport: 'tcp', address: '127.0.0.1', port: 45016, family: 4 });
    const layer = new TransactionLayer(transport, { t1: T1, t2: T2 });
    const outcome = layer.send(request('REGISTER', transport)).catch((error: unknown) => error);
    await turns();
    await advance(64 * T1 + 100, 500);
    const error = (await outcome) as TransactionError;
    expect(error.code).toBe('timeout');
    expect(error.retransmissions).toBe(0);
    expect(tcpPeer.received).toHaveLength(1);
  });
});
