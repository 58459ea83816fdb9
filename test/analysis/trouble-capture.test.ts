/**
 * fixtures/captures/recorded/trouble-udp.pcap (fixtures/recordings/record-trouble.sh): one real Kamailio + SIPp
 * recording per finding kind other than the revocation ones. The evidence each finding must carry is read from
 * tshark here (frames, Call-IDs, To tags), not from sipscope.
 */
import { describe, expect, it } from 'vitest';
import { analyzeWithCallIds, RECORDED_DIR, tsharkFields } from './capture-helpers.js';

const CAPTURE = `${RECORDED_DIR}/trouble-udp.pcap`;
const analysis = analyzeWithCallIds([CAPTURE]);

/** Call-ID of the first INVITE To the given user. */
function inviteCallId(toUser: string): string {
  return tsharkFields(CAPTURE, `sip.Method == "INVITE" && sip.to.user == "${toUser}"`, ['sip.Call-ID'])[0][0];
}

const frames = (filter: string) => tsharkFields(CAPTURE, filter, ['frame.number']).map((row) => Number(row[0]));

describe('trouble-udp.pcap: one finding kind per scenario', () => {
  it('dave: REGISTER challenged 3 times on one Call-ID without success is auth-failure-loop', async () => {
    const { result } = await analysis;
    const challenges = frames('sip.Status-Code == 401 && sip.to.user == "dave"');
    expect(challenges.length).toBeGreaterThanOrEqual(3);
    const loops = result.findings.filter((f) => f.kind === 'auth-failure-loop');
    expect(loops.map((f) => f.username)).toEqual(['dave']);
    expect(loops[0].packets).toEqual(challenges.slice(0, loops[0].packets.length));
  });

  it('erin: wrong password (401 then 403, never a success) is auth-rejected with the 403 as evidence', async () => {
    const { result } = await analysis;
    const forbidden = frames('sip.Status-Code == 403 && sip.to.user == "erin"');
    const rejected = result.findings.filter((f) => f.kind === 'auth-rejected');
    expect(rejected.map((f) => f.username)).toEqual(['erin']);
    expect(rejected[0].packets).toContain(forbidden[0]);
    expect(result.findings.filter((f) => f.kind === 'register-forbidden')).toEqual([]);
  });

  it('frank: 503 from the callee relayed as 500 is one server-error on that call, which failed', async () => {
    const { result } = await analysis;
    const callId = inviteCallId('frank');
    const serverErrors = frames(`sip.Status-Code >= 500 && sip.Call-ID == "${callId}"`);
    expect(serverErrors.length).toBe(2);
    const found = result.findings.filter((f) => f.kind === 'server-error');
    expect(found).toHaveLength(1);
    expect(found[0].callId).toBe(callId);
    expect(serverErrors).toContain(found[0].packets[found[0].packets.length - 1]);
    expect(result.calls.find((call) => call.callId === callId)?.state).toBe('failed');
  });

  it('grace: CANCEL after ringing makes the call cancelled; nobody: 404 makes it failed', async () => {
    const { result } = await analysis;
    expect(result.calls.find((call) => call.callId === inviteCallId('grace'))?.state).toBe('cancelled');
    expect(result.calls.find((call) => call.callId === inviteCallId('nobody'))?.state).toBe('failed');
  });

  it('henry: the forked INVITE gives as many dialogs as tshark shows To tags on 18x/2xx, one re-INVITE, ended', async () => {
    const { result } = await analysis;
    const callId = inviteCallId('henry');
    const toTags = new Set(
      tsharkFields(CAPTURE, `sip.Call-ID == "${callId}" && sip.Status-Code > 100 && sip.Status-Code < 300 && sip.CSeq.method == "INVITE"`, ['sip.to.tag']).map(
        (row) => row[0],
      ),
    );
    expect(toTags.size).toBe(2);
    const call = result.calls.find((candidate) => candidate.callId === callId)!;
    expect(call).toMatchObject({ dialogs: 2, reinvites: 1, state: 'ended' });
  });

  it('ivan: a 2xx never ACKed is no-ack; its retransmissions are a retransmission-storm', async () => {
    const { result } = await analysis;
    const callId = inviteCallId('ivan');
    const answeredSeq = tsharkFields(CAPTURE, `sip.Status-Code == 200 && sip.Call-ID == "${callId}"`, ['sip.CSeq.seq'])[0][0];
    expect(frames(`sip.Method == "ACK" && sip.Call-ID == "${callId}" && sip.CSeq.seq == ${answeredSeq}`)).toEqual([]);
    const ok = frames(`sip.Status-Code == 200 && sip.Call-ID == "${callId}"`);
    const noAck = result.findings.filter((f) => f.kind === 'no-ack');
    expect(noAck.map((f) => f.callId)).toEqual([callId]);
    expect(ok).toContain(noAck[0].packets[1]);
    expect(result.findings.some((f) => f.kind === 'retransmission-storm' && f.callId === callId)).toBe(true);
  });

  it('judy: 408 after Kamailio gave up is invite-timeout with the 408 as evidence', async () => {
    const { result } = await analysis;
    const callId = inviteCallId('judy');
    const timeout = frames(`sip.Status-Code == 408 && sip.Call-ID == "${callId}"`);
    const found = result.findings.filter((f) => f.kind === 'invite-timeout');
    expect(found.map((f) => f.callId)).toEqual([callId]);
    expect(found[0].packets).toContain(timeout[0]);
  });

  it('answered calls without BYE (carol, ivan) are orphan-call and active', async () => {
    const { result } = await analysis;
    const orphans = result.findings.filter((f) => f.kind === 'orphan-call').map((f) => f.callId).sort();
    expect(orphans).toEqual([inviteCallId('carol'), inviteCallId('ivan')].sort());
    for (const callId of orphans) expect(result.calls.find((call) => call.callId === callId)?.state).toBe('active');
  });
});
