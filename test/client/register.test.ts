/**
 * REGISTER and OPTIONS flows against a digest-checking peer on 127.0.0.1 (verification by the project's digest
 * verifier, the server side of the same RFC 7616 rules): challenge rounds, stale nonces, 407 + 401, bindings,
 * unregister/query forms, TCP connection reuse with split responses.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { runRegister, type RegisterOptions } from '../../src/client/register.js';
import { runOptions } from '../../src/client/options.js';
import { getHeader, type SipRequest } from '../../src/sip/index.js';
import { PASSWORD, REALM, registrar } from './digest-registrar.js';
import { startTcpPeer, startUdpPeer, type Reply, type SipPeer } from './sip-peer.js';

let peer: SipPeer | undefined;

afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

const base = (port: number, extra: Partial<RegisterOptions> = {}): RegisterOptions => ({
  uri: `sip:alice@127.0.0.1:${port}`,
  password: PASSWORD,
  timeoutMs: 3000,
  timers: { t1: 50, t2: 400 },
  ...extra,
});

describe('REGISTER over UDP with digest', () => {
  test('right password: 401 then 200; realm/algorithm/qop from the challenge; same Call-ID, CSeq+1, new branch; bindings', async () => {
    peer = await startUdpPeer(45100, registrar());
    // T1 of 2 s: this test counts the requests (none retransmitted) and the peer shares this process, so a stall of
    // its event loop over T1 (50 ms, under CI load) would make the client retransmit before the peer read the request
    const result = await runRegister(base(45100, { timers: { t1: 2000, t2: 4000 } }));
    expect(result).toMatchObject({ ok: true, status: 200, realm: REALM, algorithm: 'MD5', qop: 'auth', challenged: true, retransmissions: 0 });
    expect(result.transactions.map((record) => record.status)).toEqual([401, 200]);
    expect(result.bindings).toContainEqual({ uri: 'sip:other-device@192.0.2.9:5060', expires: 55 });
    expect(result.bindings.some((binding) => binding.uri.startsWith('sip:alice@127.0.0.1:') && binding.expires === 120)).toBe(true);
    const [first, second] = peer.received.map((entry) => entry.request);
    expect(getHeader(second, 'call-id')).toBe(getHeader(first, 'call-id'));
    expect(getHeader(first, 'cseq')).toBe('1 REGISTER');
    expect(getHeader(second, 'cseq')).toBe('2 REGISTER');
    const branch = (request: SipRequest) => /branch=([^;]+)/.exec(getHeader(request, 'via')!)![1];
    expect(branch(second)).not.toBe(branch(first));
    expect(getHeader(first, 'via')).toMatch(/^SIP\/2\.0\/UDP 127\.0\.0\.1:\d+;rport;branch=z9hG4bK/);
    expect(first.uri).toBe('sip:127.0.0.1:45100');
    expect(getHeader(first, 'to')).toBe('<sip:alice@127.0.0.1>');
    // a check that removes its binding again asks for a short lifetime (should the removal be lost)
    expect(getHeader(first, 'expires')).toBe('60');
    expect(getHeader(second, 'authorization')).toMatch(new RegExp(`realm="${REALM}"`));
  });

  test('the strongest offered algorithm is used (SHA-256 over MD5)', async () => {
    peer = await startUdpPeer(45101, registrar({
      challenge: (n) => [`Digest realm="${REALM}", nonce="nonce-${n}", qop="auth", algorithm=MD5`, `Digest realm="${REALM}", nonce="nonce-${n}", qop="auth", algorithm=SHA-256`],
    }));
    const result = await runRegister(base(45101));
    expect(result).toMatchObject({ ok: true, algorithm: 'SHA-256' });
  });

  test('wrong password: the second 401 is final (two transactions, no loop)', async () => {
    peer = await startUdpPeer(45102, registrar());
    const result = await runRegister(base(45102, { password: 'wrong' }));
    expect(result).toMatchObject({ ok: false, status: 401, realm: REALM });
    expect(result.transactions.map((record) => record.status)).toEqual([401, 401]);
    expect(result.authProblem).toMatch(/refused/);
  });

  test('stale=true is answered once with the new nonce', async () => {
    peer = await startUdpPeer(45103, registrar({ staleRounds: 1 }));
    const result = await runRegister(base(45103));
    expect(result.transactions.map((record) => record.status)).toEqual([401, 401, 200]);
    expect(result.ok).toBe(true);
  });

  test('stale=true twice ends the exchange: one retry per realm, said so', async () => {
    peer = await startUdpPeer(45104, registrar({ staleRounds: 5 }));
    const result = await runRegister(base(45104));
    expect(result.ok).toBe(false);
    expect(result.transactions.map((record) => record.status)).toEqual([401, 401, 401]);
    expect(result.authProblem).toBe(`realm "${REALM}" said stale=true twice`);
  });

  test('407, 401, then 401 stale=true: the stale nonce is retried once within the rounds -> 200', async () => {
    peer = await startUdpPeer(45109, registrar({ proxyFirst: true, staleRounds: 1 }));
    const result = await runRegister(base(45109));
    expect(result.transactions.map((record) => record.status)).toEqual([407, 401, 401, 200]);
    expect(result.ok).toBe(true);
  });

  test('407 from a proxy, then 401 from the registrar: both credentials sent, then 200', async () => {
    peer = await startUdpPeer(45105, registrar({ proxyFirst: true }));
    const result = await runRegister(base(45105));
    expect(result.transactions.map((record) => record.status)).toEqual([407, 401, 200]);
    expect(result.transactions[2].credentials.sort()).toEqual(['authorization', 'proxy-authorization']);
    expect(result.ok).toBe(true);
  });

  test('403 is a final failure; no password means the 401 is final', async () => {
    peer = await startUdpPeer(45106, registrar({ forbid: true }));
    expect(await runRegister(base(45106))).toMatchObject({ ok: false, status: 403 });
    await peer.close();
    peer = await startUdpPeer(45106, registrar());
    const result = await runRegister(base(45106, { password: undefined }));
    expect(result).toMatchObject({ ok: false, status: 401 });
    expect(result.transactions).toHaveLength(1);
    expect(result.authProblem).toMatch(/no password/);
  });

  test('--unregister, --unregister --all and --query send the RFC 3261 §10.2 forms', async () => {
    peer = await startUdpPeer(45107, registrar());
    await runRegister(base(45107, { mode: 'unregister', contact: 'sip:alice@192.0.2.1:5070' }));
    await runRegister(base(45107, { mode: 'unregister-all' }));
    await runRegister(base(45107, { mode: 'query' }));
    const firsts = peer.received.filter((entry) => getHeader(entry.request, 'cseq') === '1 REGISTER').map((entry) => entry.request);
    expect(getHeader(firsts[0], 'contact')).toBe('<sip:alice@192.0.2.1:5070>;expires=0');
    expect(getHeader(firsts[0], 'expires')).toBe('0');
    expect(getHeader(firsts[1], 'contact')).toBe('*');
    expect(getHeader(firsts[1], 'expires')).toBe('0');
    expect(getHeader(firsts[2], 'contact')).toBeUndefined();
    expect(getHeader(firsts[2], 'expires')).toBeUndefined();
  });

  test('a lost 401 and a lost 200 are made good by retransmission, and counted', async () => {
    const answer = registrar();
    peer = await startUdpPeer(45108, (request, index) => (index === 0 || index === 2 ? undefined : answer(request, index)));
    const result = await runRegister(base(45108));
    expect(result.ok).toBe(true);
    expect(result.transactions.map((record) => record.retransmissions)).toEqual([1, 1]);
    expect(result.retransmissions).toBe(2);
  });
});

describe('REGISTER over TCP', () => {
  test('one connection carries both rounds; responses split into 7-byte pieces are framed', async () => {
    const tcpPeer = await startTcpPeer(45110, registrar(), 'split');
    peer = tcpPeer;
    const result = await runRegister(base(45110, { transport: 'tcp' }));
    expect(result).toMatchObject({ ok: true, status: 200, retransmissions: 0 });
    expect(tcpPeer.connections).toBe(1);
    expect(getHeader(tcpPeer.received[0].request, 'via')).toMatch(/^SIP\/2\.0\/TCP /);
    expect(getHeader(tcpPeer.received[0].request, 'contact')).toMatch(/;transport=tcp>;\+sip\.instance="<urn:uuid:[0-9a-f-]{36}>"$/);
  });

  test('a provisional and a final response merged into one segment are both read', async () => {
    const answer = registrar();
    const tcpPeer = await startTcpPeer(45111, (request, index) => {
      const final = answer(request, index) as Reply;
      return [{ status: 100, reason: 'Trying' }, final];
    }, 'merged');
    peer = tcpPeer;
    const result = await runRegister(base(45111, { transport: 'tcp' }));
    expect(result.ok).toBe(true);
    expect(result.transactions.map((record) => record.provisional)).toEqual([[100], [100]]);
  });
});

describe('OPTIONS', () => {
  test('answered 200 without a challenge; Request-URI is the target URI', async () => {
    peer = await startUdpPeer(45112, () => ({ status: 200, reason: 'OK' }));
    const result = await runOptions({ uri: 'sip:ping@127.0.0.1:45112', timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: true, status: 200, challenged: false });
    expect(peer.received[0].request.uri).toBe('sip:ping@127.0.0.1:45112');
    expect(peer.received[0].request.method).toBe('OPTIONS');
  });

  test('challenged OPTIONS is answered with credentials', async () => {
    peer = await startUdpPeer(45113, registrar());
    const result = await runOptions({ uri: 'sip:alice@127.0.0.1:45113', password: PASSWORD, timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: true, status: 200, realm: REALM, qop: 'auth' });
  });
});
