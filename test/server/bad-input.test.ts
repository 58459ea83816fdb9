/**
 * Bad input to `sipscope serve`: each answered (400, 401, 413, 513; a malformed CSeq 400) or dropped with a log line, and the server
 * keeps serving. Raw datagrams and TCP bytes from the test, replies read back with the project parser.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { runRegister } from '../../src/client/register.js';
import { parseMessage, type SipResponse } from '../../src/sip/index.js';
import { PASSWORDS, startTestServer, type TestServer } from './serve-helpers.js';

let running: TestServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

function request(lines: string[], body = ''): Buffer {
  return Buffer.from([...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'));
}

const headers = (method: string, branch: string, extra: string[] = []) => [
  `${method} sip:127.0.0.1 SIP/2.0`,
  `Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK${branch}`,
  'Max-Forwards: 70',
  'From: <sip:alice@127.0.0.1>;tag=a1',
  'To: <sip:alice@127.0.0.1>',
  `Call-ID: bad-input-${branch}`,
  `CSeq: 1 ${method}`,
  ...extra,
];

/** Sends datagrams and collects what comes back within `waitMs`. */
async function exchangeDatagrams(port: number, datagrams: Buffer[], waitMs = 300, batch = datagrams.length): Promise<SipResponse[]> {
  const socket = dgram.createSocket('udp4');
  const answers: SipResponse[] = [];
  socket.on('message', (bytes) => {
    const message = parseMessage(bytes, { datagram: true });
    if (message.kind === 'response') answers.push(message);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  for (let start = 0; start < datagrams.length; start += batch) {
    for (const datagram of datagrams.slice(start, start + batch)) socket.send(datagram, port, '127.0.0.1');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const deadline = Date.now() + waitMs;
  while (answers.length < datagrams.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  socket.close();
  return answers;
}

describe('serve: bad input', () => {
  test('garbage is dropped with a log line; a request without Via dropped; one missing Call-ID gets 400 naming it', async () => {
    running = await startTestServer();
    const answers = await exchangeDatagrams(running.port, [
      Buffer.from('\u0000\u0001 this is not SIP at all\r\n\r\n'),
      request(headers('OPTIONS', 'novia').filter((line) => !line.startsWith('Via'))),
      request(headers('OPTIONS', 'nocallid').filter((line) => !line.startsWith('Call-ID'))),
    ]);
    expect(answers.map((answer) => [answer.status, answer.reason])).toEqual([[400, 'Bad Request (missing-header in call-id)']]);
    expect(running.log.some((line) => /dropped \d+ bytes from UDP 127\.0\.0\.1:\d+: not a SIP message/.test(line))).toBe(true);
    expect(running.log.some((line) => /dropped OPTIONS .* no Via/.test(line))).toBe(true);
  });

  test('a malformed CSeq gets 400 naming it (RFC 3261 §8.2.2, §21.4.1); an ACK with one is dropped with a log line', async () => {
    running = await startTestServer();
    const malformed = ['x OPTIONS', '1OPTIONS', '1x OPTIONS', '4294967296 OPTIONS'];
    const answers = await exchangeDatagrams(running.port, [
      ...malformed.map((cseq, i) => request(headers('OPTIONS', `badcseq${i}`).map((line) => (line.startsWith('CSeq') ? `CSeq: ${cseq}` : line)))),
      request(headers('ACK', 'badcseqack').map((line) => (line.startsWith('CSeq') ? 'CSeq: 1x ACK' : line))),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([400, 400, 400, 400]);
    for (const answer of answers) expect(answer.reason).toMatch(/^Bad Request \((bad-cseq|scalar-overflow) in cseq\)$/);
    expect(running.log.some((line) => /^400 to ACK from UDP 127\.0\.0\.1:\d+: Bad Request \(bad-cseq in cseq\)$/.test(line))).toBe(true);
  });

  test('an oversize message gets 513, an oversize body 413', async () => {
    running = await startTestServer();
    const answers = await exchangeDatagrams(running.port, [
      request([...headers('OPTIONS', 'hugeheaders'), ...Array.from({ length: 400 }, (_, i) => `X-Filler-${i}: ${'x'.repeat(40)}`)]),
      request([...headers('INVITE', 'hugebody'), 'Content-Type: application/sdp'], 'a=x\r\n'.repeat(2000)),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([413, 513]);
  });

  test('a flood of REGISTERs with wrong passwords: every one answered 401, the log stays short, memory stays bounded, right passwords still work', async () => {
    running = await startTestServer();
    const before = process.memoryUsage().heapUsed;
    const flood = Array.from({ length: 3000 }, (_, i) => request([...headers('REGISTER', `flood${i}`), 'Contact: <sip:alice@127.0.0.1:9>',
      `Authorization: Digest username="alice", realm="serve-realm.test", nonce="forged${i}", uri="sip:127.0.0.1", response="${'0'.repeat(32)}", algorithm=MD5`]));
    const answers = await exchangeDatagrams(running.port, flood, 10_000, 50);
    expect(answers.length).toBeGreaterThan(2900); // UDP on loopback: nearly all arrive
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([401]));
    expect(running.log.length).toBeLessThan(25);
    global.gc?.();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
    expect(await runRegister({ uri: `sip:alice@127.0.0.1:${running.port}`, password: PASSWORDS.alice, timeoutMs: 3000 })).toMatchObject({ ok: true });
  });

  test('a flood of REGISTERs from an unknown user: every one answered 403, the log lines limited', async () => {
    running = await startTestServer();
    const flood = Array.from({ length: 500 }, (_, i) => request([...headers('REGISTER', `unknown${i}`), 'Contact: <sip:mallory@127.0.0.1:9>',
      `Authorization: Digest username="mallory", realm="serve-realm.test", nonce="n${i}", uri="sip:127.0.0.1", response="${'0'.repeat(32)}", algorithm=MD5`]));
    const answers = await exchangeDatagrams(running.port, flood, 5000, 50);
    expect(answers.length).toBeGreaterThan(480);
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([403]));
    expect(running.log.length).toBeLessThan(60);
    expect(running.log.some((line) => /similar lines suppressed|403 to REGISTER from user "mallory": unknown user/.test(line))).toBe(true);
  });

  test('TCP: bytes that cannot be framed close the connection with a log line; the server keeps serving', async () => {
    running = await startTestServer();
    const socket = net.connect(running.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.write('OPTIONS sip:x SIP/2.0\r\nContent-Length: many\r\n\r\n');
    await closed;
    expect(running.log.some((line) => /closed TCP 127\.0\.0\.1:\d+/.test(line))).toBe(true);
    expect(await runRegister({ uri: `sip:bob@127.0.0.1:${running.port}`, transport: 'tcp', password: PASSWORDS.bob, timeoutMs: 3000 })).toMatchObject({ ok: true });
  });
});
