/**
 * A scripted SIP server for tests, on 127.0.0.1 (UDP or TCP): parses each request with the project parser,
 * asks the test's `answer` function what to reply (nothing = drop it), and builds responses per RFC 3261 §8.2.6
 * (Via, From, Call-ID, CSeq copied; To gets a tag). Records every request with its arrival time (Date.now()).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { getHeader, getHeaders, parseMessage, type SipRequest } from '../../src/sip/index.js';
import { StreamFramer } from '../../src/transport/stream-framer.js';

export interface Reply {
  status: number;
  reason: string;
  headers?: [string, string][];
  /** Replace the copied top Via / CSeq (to make responses that must not match, §17.1.3). */
  via?: string;
  cseq?: string;
  /** Replace the copied Call-ID (a response to some other request, §8.2.6.2). */
  callId?: string;
}

export interface ReceivedRequest {
  request: SipRequest;
  raw: string;
  at: number;
}

export type Answer = (request: SipRequest, index: number) => Reply | Reply[] | undefined;

export interface SipPeer {
  port: number;
  received: ReceivedRequest[];
  /** Sends raw text from the peer's own socket to the client that sent request `index` (UDP) or on its connection. */
  sendLater(index: number, text: string): Promise<void>;
  close(): Promise<void>;
}

export function buildResponse(request: SipRequest, reply: Reply): string {
  const lines = [`SIP/2.0 ${reply.status} ${reply.reason}`];
  const vias = getHeaders(request, 'via');
  if (reply.via !== undefined) vias[0] = reply.via;
  for (const via of vias) lines.push(`Via: ${via}`);
  lines.push(`From: ${getHeader(request, 'from')}`);
  const to = getHeader(request, 'to') ?? '';
  lines.push(`To: ${to}${reply.status > 100 && !/;tag=/.test(to) ? ';tag=peer1' : ''}`);
  lines.push(`Call-ID: ${reply.callId ?? getHeader(request, 'call-id')}`);
  lines.push(`CSeq: ${reply.cseq ?? getHeader(request, 'cseq')}`);
  for (const [name, value] of reply.headers ?? []) lines.push(`${name}: ${value}`);
  lines.push('Content-Length: 0', '', '');
  return lines.join('\r\n');
}

function replies(answer: Answer, request: SipRequest, index: number): string[] {
  const result = answer(request, index);
  if (result === undefined) return [];
  return (Array.isArray(result) ? result : [result]).map((reply) => buildResponse(request, reply));
}

export async function startUdpPeer(port: number, answer: Answer): Promise<SipPeer> {
  const socket = dgram.createSocket('udp4');
  const received: ReceivedRequest[] = [];
  const senders: { port: number; address: string }[] = [];
  socket.on('message', (datagram, remote) => {
    const message = parseMessage(datagram, { datagram: true });
    if (message.kind !== 'request') return;
    received.push({ request: message, raw: datagram.toString('utf8'), at: Date.now() });
    senders.push({ port: remote.port, address: remote.address });
    for (const text of replies(answer, message, received.length - 1)) socket.send(text, remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(port, '127.0.0.1', () => resolve()));
  return {
    // the bound port: the one the system chose when asked for 0
    port: socket.address().port,
    received,
    sendLater: (index, text) => new Promise((resolve) => socket.send(text, senders[index].port, senders[index].address, () => resolve())),
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/**
 * TCP peer; `chunking` decides how response bytes are written: 'whole', 'split' (byte by byte groups, to test
 * framing) or 'merged' (all replies of one request in a single write).
 */
export async function startTcpPeer(port: number, answer: Answer, chunking: 'whole' | 'split' | 'merged' = 'whole'): Promise<SipPeer & { connections: number }> {
  const received: ReceivedRequest[] = [];
  const sockets = new Set<net.Socket>();
  const connectionOf: net.Socket[] = [];
  const peer = {
    port,
    received,
    connections: 0,
    sendLater: async (index: number, text: string) => {
      connectionOf[index].write(text);
    },
    close: async () => {},
  };
  const server = net.createServer((socket) => {
    peer.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const framer = new StreamFramer();
    socket.on('data', (chunk) => {
      for (const raw of framer.push(chunk)) {
        const message = parseMessage(raw);
        if (message.kind !== 'request') continue;
        received.push({ request: message, raw: raw.toString('utf8'), at: Date.now() });
        connectionOf.push(socket);
        const texts = replies(answer, message, received.length - 1);
        if (chunking === 'merged') {
          if (texts.length > 0) socket.write(texts.join(''));
        } else if (chunking === 'split') {
          // pieces of 7 bytes, 3 ms apart, so the client's reads really see partial messages
          const bytes = Buffer.from(texts.join(''));
          const pieces: Buffer[] = [];
          for (let offset = 0; offset < bytes.length; offset += 7) pieces.push(bytes.subarray(offset, offset + 7));
          const writeNext = () => {
            const piece = pieces.shift();
            if (piece && !socket.destroyed) {
              socket.write(piece);
              setTimeout(writeNext, 3);
            }
          };
          writeNext();
        } else {
          for (const text of texts) socket.write(text);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  peer.port = (server.address() as net.AddressInfo).port;
  peer.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return peer;
}
