#!/usr/bin/env node
/**
 * The least CPU a Node.js UAC can spend on bench/call.mjs's calls: a floor for `sipscope call --count`, not a tool.
 * Same calls as SIPp's -sn uac places (INVITE with SDP, ACK on the 200, hold, BYE, its 200), at the same rate, on one
 * connected UDP socket, but with no SIP stack at all: requests are string templates, a response is read only for
 * its status code, its CSeq method and its Call-ID and To (byte searches, no parser), there is no retransmission,
 * no transaction or dialog state, no authentication, no timer per call (one 5 ms tick launches calls and sends the
 * BYEs due). Whatever this costs per call is Node's own price for the datagrams, the event loop and start-up, which
 * any Node implementation pays; sipscope's CPU beyond it is its SIP stack.
 *
 * Usage: node bench/call-floor-uac.mjs HOST:PORT COUNT RATE HOLD_MS   (prints {"count", "ok", "elapsedMs"})
 */
import dgram from 'node:dgram';

const [target, countText, rateText, holdText] = process.argv.slice(2);
const [host, portText] = target.split(':');
const count = Number(countText);
const rate = Number(rateText);
const holdMs = Number(holdText);
const TICK_MS = 5;

const socket = dgram.createSocket('udp4');
await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
await new Promise((resolve) => socket.connect(Number(portText), host, resolve));
const local = `127.0.0.1:${socket.address().port}`;
const sdp = ['v=0', 'o=user1 53655765 2353687637 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 6000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');

function request(method, callId, cseq, toHeader, body) {
  return (
    `${method} sip:service@${target} SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP ${local};branch=z9hG4bK-${callId}-${cseq}-${method}\r\n` +
    `From: floor <sip:floor@${local}>;tag=${callId}\r\n` +
    `To: ${toHeader}\r\n` +
    `Call-ID: ${callId}\r\n` +
    `CSeq: ${cseq} ${method}\r\n` +
    `Contact: <sip:floor@${local}>\r\n` +
    'Max-Forwards: 70\r\n' +
    (body ? 'Content-Type: application/sdp\r\n' : '') +
    `Content-Length: ${body.length}\r\n\r\n${body}`
  );
}

/** To header value of each answered call (for ACK and BYE), by Call-ID. */
const answered = new Map();
/** Calls whose BYE is due: Call-IDs and due times, in order (the hold is the same for every call). */
const byeQueue = [];
let byeHead = 0;
let launched = 0;
let ok = 0;
/** Calls whose BYE was answered. */
let done = 0;
const startMs = performance.now();
let endMs = startMs;

/** The value of the header line starting with `name` (e.g. "\r\nTo: "), as text. */
function headerValue(message, name) {
  const at = message.indexOf(name);
  if (at < 0) return '';
  const start = at + name.length;
  return message.latin1Slice(start, message.indexOf(13, start));
}

socket.on('message', (message) => {
  if (message[0] !== 0x53) return; // requests from the UAS: none in this scenario
  const status = (message[8] - 48) * 100 + (message[9] - 48) * 10 + (message[10] - 48);
  if (status < 200) return;
  const callId = headerValue(message, '\r\nCall-ID: ');
  const isInvite = headerValue(message, '\r\nCSeq: ').endsWith('INVITE');
  if (isInvite) {
    const toHeader = headerValue(message, '\r\nTo: ');
    socket.send(request('ACK', callId, 1, toHeader, ''));
    answered.set(callId, toHeader);
    byeQueue.push(callId, performance.now() + holdMs);
  } else if (answered.delete(callId)) {
    if (status === 200) ok++;
    if (++done === count) finish();
  }
});

const tick = setInterval(() => {
  const now = performance.now();
  const due = Math.min(count, Math.floor(((now - startMs) / 1000) * rate) + 1);
  while (launched < due) {
    launched++;
    const callId = `${launched}-${process.pid}-floor`;
    socket.send(request('INVITE', callId, 1, `service <sip:service@${target}>`, sdp));
  }
  while (byeHead < byeQueue.length && byeQueue[byeHead + 1] <= now) {
    const callId = byeQueue[byeHead];
    byeHead += 2;
    socket.send(request('BYE', callId, 2, answered.get(callId), ''));
  }
}, TICK_MS);

// bounded: a lost datagram is never retransmitted here, so the run ends at the latest this long after the last launch
const deadline = setTimeout(finish, (count / rate) * 1000 + holdMs + 10_000);

function finish() {
  endMs = performance.now();
  clearInterval(tick);
  clearTimeout(deadline);
  socket.close();
  process.stdout.write(`${JSON.stringify({ count, ok, elapsedMs: endMs - startMs })}\n`);
}
