// Parser benchmark: sipscope's parseMessage against sip.js's Parser.parseMessage on the same typical
// INVITE / 200 OK / REGISTER messages. Run after `npm run build`: node bench/parser.mjs [--seconds N]
// Prints messages per CPU-second (and per wall-clock second) for each parser and their ratio.
import os from 'node:os';
import { LoggerFactory } from 'sip.js/lib/core/log/logger-factory.js';
import { Parser } from 'sip.js/lib/core/messages/parser.js';
import { getHeader, parseCSeq, parseMessage, parseNameAddr, parseVia } from '../dist/sip/index.js';

const secondsArg = process.argv.indexOf('--seconds');
const seconds = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 1;

const sdp = [
  'v=0', 'o=alice 2890844526 2890844526 IN IP4 192.0.2.101', 's=-', 'c=IN IP4 192.0.2.101', 't=0 0',
  'm=audio 49172 RTP/AVP 0 8 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-15', 'a=sendrecv', '',
].join('\r\n');

const invite = [
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: "Alice Liddell" <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.example.com;transport=udp>',
  'Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REFER, NOTIFY, MESSAGE, SUBSCRIBE, INFO',
  'Supported: replaces, timer',
  'User-Agent: sipscope-bench/1.0',
  'Content-Type: application/sdp',
  `Content-Length: ${Buffer.byteLength(sdp)}`,
  '', sdp,
].join('\r\n');

const ok = [
  'SIP/2.0 200 OK',
  'Via: SIP/2.0/UDP server10.biloxi.example.com;branch=z9hG4bKnashds8;received=192.0.2.3',
  'Via: SIP/2.0/UDP bigbox3.site3.atlanta.example.com;branch=z9hG4bK77ef4c2312983.1;received=192.0.2.2',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1',
  'To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:bob@192.0.2.4>',
  'Content-Type: application/sdp',
  `Content-Length: ${Buffer.byteLength(sdp)}`,
  '', sdp,
].join('\r\n');

const register = [
  'REGISTER sip:registrar.biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7;rport',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: Bob <sip:bob@biloxi.example.com>;tag=456248',
  'Call-ID: 843817637684230@998sdasdh09',
  'CSeq: 1826 REGISTER',
  'Contact: <sip:bob@192.0.2.4>;expires=7200',
  'User-Agent: sipscope-bench/1.0',
  'Content-Length: 0',
  '', '',
].join('\r\n');

const texts = [invite, ok, register];
const buffers = texts.map((text) => Buffer.from(text, 'latin1'));
const logger = new LoggerFactory().getLogger('bench');

/**
 * Runs `parseOne(i)` in rounds of `batch` calls for about `seconds` of wall time (after a JIT warm-up).
 * Rates are messages per CPU-second of this process (process.cpuUsage: user + system), the median over the
 * rounds, so other load on the machine does not count against either parser; wall-clock rate shown beside.
 */
function measure(parseOne, batch) {
  let sink = 0;
  const warmup = Math.max(batch * 3, 300);
  for (let i = 0; i < warmup; i++) sink += parseOne(i % 3) ? 1 : 0;
  const rates = [];
  let count = 0;
  const wallStart = process.hrtime.bigint();
  const limit = BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() - wallStart < limit || rates.length < 5) {
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < batch; i++) sink += parseOne(i % 3) ? 1 : 0;
    const cpu = process.cpuUsage(cpuStart);
    rates.push(batch / ((cpu.user + cpu.system) / 1e6 || 1e-6));
    count += batch;
  }
  const wall = count / (Number(process.hrtime.bigint() - wallStart) / 1e9);
  if (sink === -1) console.log('unreachable');
  rates.sort((x, y) => x - y);
  return { cpu: rates[Math.floor(rates.length / 2)], wall };
}

function checkSame() {
  for (let i = 0; i < 3; i++) {
    const ours = parseMessage(buffers[i]);
    const theirs = Parser.parseMessage(texts[i], logger);
    if (!theirs) throw new Error(`sip.js could not parse message ${i}`);
    if (ours.defects.length > 0) throw new Error(`sipscope found defects in message ${i}: ${JSON.stringify(ours.defects)}`);
    if (getHeader(ours, 'call-id') !== theirs.callId) throw new Error(`Call-ID differs in message ${i}`);
    if (parseCSeq(getHeader(ours, 'cseq')).seq !== theirs.cseq) throw new Error(`CSeq differs in message ${i}`);
  }
}

checkSame();
const results = [
  ['sipscope parseMessage (framing + headers, fields lazy)', measure((i) => parseMessage(buffers[i]), 30000)],
  ['sipscope parseMessage + Via/CSeq/From/To field parses', measure((i) => {
    const message = parseMessage(buffers[i]);
    return parseVia(getHeader(message, 'via'))[0].branch && parseCSeq(getHeader(message, 'cseq')).seq
      && parseNameAddr(getHeader(message, 'from')).tag && parseNameAddr(getHeader(message, 'to')).uri;
  }, 30000)],
  ['sip.js Parser.parseMessage (eager: Via, From, To, CSeq, Call-ID)', measure((i) => Parser.parseMessage(texts[i], logger), 60)],
];
const width = Math.max(...results.map(([name]) => name.length));
const format = (rate) => Math.round(rate).toLocaleString('en-US').padStart(11);
console.log(`${''.padEnd(width)}  ${'msgs/CPU-s'.padStart(11)}  ${'msgs/wall-s'.padStart(11)}`);
for (const [name, rate] of results) console.log(`${name.padEnd(width)}  ${format(rate.cpu)}  ${format(rate.wall)}`);
const sipjs = results[2][1].cpu;
console.log(`ratio sipscope/sip.js (CPU time): parse ${(results[0][1].cpu / sipjs).toFixed(0)}x, parse + fields ${(results[1][1].cpu / sipjs).toFixed(0)}x`);
console.log(`messages: INVITE ${buffers[0].length} B, 200 OK ${buffers[1].length} B, REGISTER ${buffers[2].length} B, in turn; ~${seconds}s per run, one thread; load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} CPUs`);
