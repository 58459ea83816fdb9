/**
 * A capture made to attack an HTML report: one call whose display names, User-Agent, Server, Call-ID, Subject, SDP
 * and credential username carry markup and script (`<script>`, `onerror=`, `onload=`, a `</script>` inside a
 * header). The call is a real call shape (INVITE, 200, ACK, re-INVITE answered 403, BYE) so the report gives it a
 * finding and a ladder. Frames are built with the test capture writer (test/capture/capture-bytes.ts).
 */
import { writeFileSync } from 'node:fs';
import { ethernet, ipv4, pcap, udp, type Frame } from '../../capture/capture-bytes.js';

export const HOSTILE = {
  displayName: '<script>alert("display")</script>',
  userAgent: '<img src=x onerror=alert("ua")>',
  server: '<svg onload=alert("server")>',
  callId: '<img/src/onerror=alert(3)>@evil',
  subject: '</script><script>alert("subject")</script>',
  sdp: '<iframe srcdoc="<script>alert(5)</script>"></iframe>',
  username: '<b onmouseover=alert(6)>mallory</b>',
} as const;

const CALLER = { ip: '192.0.2.10', port: 5060 };
const CALLEE = { ip: '192.0.2.20', port: 5070 };

function invite(cseq: number, branch: string, toTag: string | undefined, extra: string[], body: string): string {
  return [
    `INVITE sip:bob@192.0.2.20:5070 SIP/2.0`,
    `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK${branch}`,
    `From: "${HOSTILE.displayName}" <sip:mallory@evil.test>;tag=caller1`,
    `To: <sip:bob@evil.test>${toTag ? `;tag=${toTag}` : ''}`,
    `Call-ID: ${HOSTILE.callId}`,
    `CSeq: ${cseq} INVITE`,
    `Contact: <sip:mallory@192.0.2.10:5060>`,
    `User-Agent: ${HOSTILE.userAgent}`,
    `Subject: ${HOSTILE.subject}`,
    ...extra,
    `Content-Type: application/sdp`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

function response(status: string, cseq: string, branch: string, toTag: string): string {
  return [
    `SIP/2.0 ${status}`,
    `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK${branch}`,
    `From: "${HOSTILE.displayName}" <sip:mallory@evil.test>;tag=caller1`,
    `To: <sip:bob@evil.test>;tag=${toTag}`,
    `Call-ID: ${HOSTILE.callId}`,
    `CSeq: ${cseq}`,
    `Server: ${HOSTILE.server}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

function request(method: string, cseq: number, branch: string): string {
  return [
    `${method} sip:bob@192.0.2.20:5070 SIP/2.0`,
    `Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK${branch}`,
    `From: "${HOSTILE.displayName}" <sip:mallory@evil.test>;tag=caller1`,
    `To: <sip:bob@evil.test>;tag=callee1`,
    `Call-ID: ${HOSTILE.callId}`,
    `CSeq: ${cseq} ${method}`,
    `User-Agent: ${HOSTILE.userAgent}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

const SDP = ['v=0', 'o=- 1 1 IN IP4 192.0.2.10', `s=${HOSTILE.sdp}`, 'c=IN IP4 192.0.2.10', 't=0 0', 'm=audio 4000 RTP/AVP 0', ''].join('\r\n');
const AUTHORIZATION = `Authorization: Digest username="${HOSTILE.username}", realm="evil.test", nonce="abc", uri="sip:bob@192.0.2.20:5070", response="0123456789abcdef0123456789abcdef"`;

/** The digest response in the re-INVITE's Authorization: must not appear in a report without --show-secrets. */
export const HOSTILE_DIGEST_RESPONSE = '0123456789abcdef0123456789abcdef';

export function writeHostileCapture(path: string): void {
  const startUs = Date.UTC(2026, 10, 23, 22, 0, 0) * 1000;
  const messages: Array<[from: typeof CALLER, to: typeof CALLER, text: string]> = [
    [CALLER, CALLEE, invite(1, 'inv1', undefined, [AUTHORIZATION], SDP)],
    [CALLEE, CALLER, response('200 OK', '1 INVITE', 'inv1', 'callee1')],
    [CALLER, CALLEE, request('ACK', 1, 'ack1')],
    [CALLER, CALLEE, invite(2, 'inv2', 'callee1', [AUTHORIZATION], SDP)],
    [CALLEE, CALLER, response('403 Forbidden', '2 INVITE', 'inv2', 'callee1')],
    [CALLER, CALLEE, request('ACK', 2, 'inv2')],
    [CALLER, CALLEE, request('BYE', 3, 'bye3')],
    [CALLEE, CALLER, response('200 OK', '3 BYE', 'bye3', 'callee1')],
  ];
  const frames: Frame[] = messages.map(([from, to, text], index) => ({
    timeUs: startUs + index * 250_000,
    bytes: ethernet(ipv4(udp(Buffer.from(text), from.port, to.port), { src: from.ip, dst: to.ip, id: index + 1 })),
  }));
  writeFileSync(path, pcap(frames));
}
