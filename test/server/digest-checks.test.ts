/**
 * What `sipscope serve` checks in a Digest answer beyond the response hash (RFC 7616 §3.3, §3.4, §3.4.6, §5.x;
 * RFC 3261 §22.4): an nc accepted once per nonce and only increasing (a replayed Authorization is challenged again,
 * without stale=true), a nonce no longer remembered is stale, the `uri` parameter must be the Request-URI (400), and
 * the answer must use the qop that was offered. REGISTERs go over UDP to a running serve; answers are built with the
 * project's client-side digest (src/sip/digest), the expected outcomes come from the RFC text.
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, test } from 'vitest';
import { DigestAuthenticator } from '../../src/server/auth.js';
import { UserStore } from '../../src/server/users.js';
import { buildAuthorization, parseChallenges, type DigestChallenge, type DigestQop } from '../../src/sip/digest/index.js';
import { getHeaders, parseMessage, type SipResponse } from '../../src/sip/index.js';
import { control, PASSWORDS, REALM, requestOf, startTestServer, type TestServer } from './serve-helpers.js';

let running: TestServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

const REQUEST_URI = 'sip:127.0.0.1';
let branchNumber = 0;

function registerLines(authorization?: string): string[] {
  branchNumber++;
  return [
    `REGISTER ${REQUEST_URI} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKdigestchecks${branchNumber}`,
    'Max-Forwards: 70',
    'From: <sip:alice@127.0.0.1>;tag=d1',
    'To: <sip:alice@127.0.0.1>',
    'Call-ID: digest-checks',
    `CSeq: ${branchNumber} REGISTER`,
    'Contact: <sip:alice@127.0.0.1:5070>',
    ...(authorization === undefined ? [] : [`Authorization: ${authorization}`]),
    'Content-Length: 0',
    '',
    '',
  ];
}

/** Sends one REGISTER and returns serve's final answer. */
async function register(port: number, authorization?: string): Promise<SipResponse> {
  const socket = dgram.createSocket('udp4');
  try {
    return await new Promise<SipResponse>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer from serve')), 2000);
      socket.on('message', (bytes) => {
        const message = parseMessage(bytes, { datagram: true });
        if (message.kind === 'response' && message.status >= 200) {
          clearTimeout(timer);
          resolve(message);
        }
      });
      socket.bind(0, '127.0.0.1', () => socket.send(Buffer.from(registerLines(authorization).join('\r\n')), port, '127.0.0.1'));
    });
  } finally {
    socket.close();
  }
}

function challengeOf(response: SipResponse): DigestChallenge {
  expect(response.status).toBe(401);
  const [challenge] = parseChallenges(getHeaders(response, 'www-authenticate'), 'WWW-Authenticate');
  return challenge;
}

function answer(challenge: DigestChallenge, options: { nc?: number; uri?: string; qop?: DigestQop | null } = {}): string {
  return buildAuthorization({
    challenge,
    username: 'alice',
    password: PASSWORDS.alice,
    method: 'REGISTER',
    uri: options.uri ?? REQUEST_URI,
    nonceCount: options.nc ?? 1,
    ...(options.qop === undefined ? {} : { qop: options.qop }),
  }).value;
}

describe('serve: digest answers (RFC 7616 §3.4)', () => {
  test('the same Authorization twice: the first registers, the replay gets a fresh 401 without stale=true; nc=2 on that nonce registers', async () => {
    running = await startTestServer();
    const challenge = challengeOf(await register(running.port));
    const first = answer(challenge, { nc: 1 });
    expect((await register(running.port, first)).status).toBe(200);

    const replay = await register(running.port, first);
    const again = challengeOf(replay);
    expect(again.stale).toBe(false);
    expect(again.nonce).not.toBe(challenge.nonce);

    expect((await register(running.port, answer(challenge, { nc: 2 }))).status).toBe(200);
    // a lower nc than one already accepted is a replay too (RFC 7616 §3.4: nc counts up)
    expect((await register(running.port, answer(challenge, { nc: 2 }))).status).toBe(401);
  });

  test('an Authorization whose uri is not the Request-URI: 400 (RFC 7616 §3.4.6), nothing registered', async () => {
    running = await startTestServer();
    const challenge = challengeOf(await register(running.port));
    const response = await register(running.port, answer(challenge, { uri: 'sip:elsewhere.example' }));
    expect(response.status).toBe(400);
    expect(getHeaders(response, 'www-authenticate')).toEqual([]);
    expect((await control(running, 'GET', '/registrations')).json).toEqual([]);
  });

  test('uri naming the socket the request was sent to (SIPp\'s default, sipp -h on -auth_uri) registers; another port of it is a mismatch', async () => {
    running = await startTestServer();
    const challenge = challengeOf(await register(running.port));
    expect((await register(running.port, answer(challenge, { uri: `sip:127.0.0.1:${running.port + 1}` }))).status).toBe(400);
    expect((await register(running.port, answer(challenge, { uri: `sip:127.0.0.1:${running.port}`, nc: 2 }))).status).toBe(200);
  });

  test('an answer without qop to a challenge offering qop="auth": 401 (RFC 7616 §3.4: qop MUST be one offered)', async () => {
    running = await startTestServer();
    const challenge = challengeOf(await register(running.port));
    expect(challenge.qop).toEqual(['auth']);
    const response = await register(running.port, answer(challenge, { qop: null }));
    expect(challengeOf(response).stale).toBe(false);
    expect((await control(running, 'GET', '/registrations')).json).toEqual([]);
  });
});

describe('DigestAuthenticator: the nonce table is bounded', () => {
  test('a right answer on a nonce pushed out of the table gets stale=true; the table never holds more than its size', () => {
    const users = new UserStore();
    users.add('alice', PASSWORDS.alice);
    const auth = new DigestAuthenticator(REALM, users, ['MD5'], { rememberedNonces: 2 });
    const challengeFrom = (): DigestChallenge => parseChallenges(auth.challengeHeaders(false).map(([, value]) => value), 'WWW-Authenticate')[0];
    const oldest = challengeFrom();
    challengeFrom();
    challengeFrom();
    expect(auth.rememberedNonceCount).toBe(2);
    const verdict = auth.check(requestOf(registerLines(answer(oldest)), { datagram: true }));
    expect(verdict).toMatchObject({ kind: 'challenge', stale: true });
  });
});
