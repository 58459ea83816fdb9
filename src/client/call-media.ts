/**
 * The media side of a test call: a real UDP socket bound for RTP (so peers that check the offered port find it
 * open) and the SDP offer advertising it (RFC 4566, offer/answer RFC 3264 §5: audio, PCMU/PCMA + telephone-event).
 * Nothing is streamed; RTP that arrives is counted.
 */
import dgram from 'node:dgram';
import { familyOf } from '../transport/index.js';

export interface MediaPort {
  address: string;
  port: number;
  /** RTP/RTCP datagrams received on the port. */
  received(): number;
  /** SDP body offering audio on the port. `version` is the o= session version (RFC 3264 §8: +1 per change). */
  offer(version: number): string;
  close(): Promise<void>;
}

export async function bindMediaPort(address: string): Promise<MediaPort> {
  const family = familyOf(address);
  const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
  let count = 0;
  socket.on('message', () => count++);
  socket.on('error', () => undefined); // a stray ICMP error on the media port says nothing about the call
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address, port: 0 }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const port = socket.address().port;
  const sessionId = Math.floor(Date.now() / 1000);
  const addressType = family === 6 ? 'IP6' : 'IP4';
  // load mode offers the same session to every call: the body is written once per version
  let written: { version: number; sdp: string } | undefined;
  const offer = (version: number): string => {
    if (written?.version !== version) written = { version, sdp: sdpOffer(version) };
    return written.sdp;
  };
  const sdpOffer = (version: number): string => [
    'v=0',
    `o=sipscope ${sessionId} ${version} IN ${addressType} ${address}`,
    's=sipscope call',
    `c=IN ${addressType} ${address}`,
    't=0 0',
    `m=audio ${port} RTP/AVP 0 8 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=sendrecv',
    '',
  ].join('\r\n');
  return {
    address,
    port,
    received: () => count,
    offer,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
