/**
 * A live HEP source: HEP v2/v3 datagrams over UDP, as Kamailio's siptrace (hep_mode_on), heplify and HOMER agents
 * send them. Each datagram is decoded with the one HEP decoder (hep.ts); what is not HEP, or not SIP, is reported
 * as an issue and counted, never fatal. Packets are numbered in arrival order; the file name is `hep:ADDR:PORT`.
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { decodeHep } from './hep.js';
import type { DecodeIssue, SipPayload } from './types.js';

export interface HepListenerSink {
  payload(payload: SipPayload): void;
  issue(issue: DecodeIssue): void;
}

export interface HepListener {
  readonly file: string;
  /** Datagrams received so far. */
  readonly datagrams: number;
  close(): Promise<void>;
}

/** "127.0.0.1:9060", "[::1]:9060" -> host and port; undefined when not of that form. */
export function parseListenAddress(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+|localhost)):(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1] ?? match[2], port };
}

export async function listenHep(host: string, port: number, sink: HepListenerSink): Promise<HepListener> {
  const socket: Socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
  const file = `hep:${isIPv6(host) ? `[${host}]` : host}:${port}`;
  let datagrams = 0;
  socket.on('message', (datagram) => {
    datagrams++;
    const meta = { file, packetNumber: datagrams, timeUs: Date.now() * 1000, offset: 0 };
    const decoded = decodeHep(datagram, meta, { message: (payload) => sink.payload(payload), issue: (issue) => sink.issue(issue) });
    if (!decoded) sink.issue({ code: 'not-hep', message: `datagram ${datagrams} (${datagram.length} bytes) is not a HEP v2/v3 packet`, file, packetNumber: datagrams });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', (error) => sink.issue({ code: 'hep-socket', message: `${file}: ${error.message}`, file }));
  return {
    file,
    get datagrams() {
      return datagrams;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
