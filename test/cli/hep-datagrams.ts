/** The HEP datagrams Kamailio's siptrace sent in a real capture, and a paced sender of datagrams to a loopback port. */
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';

export const HEP3 = 'fixtures/captures/recorded/hep3-kamailio.pcap';

/** The UDP payloads sent to the HOMER port (9060) in HEP3, read out with tshark: 10 HEP3 datagrams. */
export function hepDatagrams(): Buffer[] {
  const hex = execFileSync('tshark', ['-r', HEP3, '-Y', 'udp.dstport == 9060', '-T', 'fields', '-e', 'udp.payload'], { encoding: 'utf8' });
  return hex.trim().split('\n').map((line) => Buffer.from(line.replace(/:/g, ''), 'hex'));
}

export async function send(datagrams: Buffer[], port: number, from = '127.0.0.1'): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, from, () => resolve()));
  for (const [index, datagram] of datagrams.entries()) {
    await new Promise<void>((resolve, reject) => socket.send(datagram, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())));
    // paced, so the loopback socket buffer never overflows
    if (index % 20 === 19 || datagrams.length < 20) await new Promise((resolve) => setTimeout(resolve, 2));
  }
  socket.close();
}
