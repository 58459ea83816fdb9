/**
 * The live sources of `rotate drain` (src/cli/rotation-sources.ts) count SIP messages as `analyze` does: a HEP
 * mirror copy of a message already seen is set aside by the one rule (src/analysis/mirror-copies.ts), so the
 * drain's `sourceMessages` is the number of messages, not of sightings. Fed the real HEP datagrams Kamailio's
 * siptrace sent in fixtures/captures/recorded/hep3-kamailio.pcap (it mirrors the ACK twice), and the whole capture
 * (each message on the wire and in HEP) as a pcap stream; the expected count is tshark's of the wire. The HEP
 * socket listens on a loopback port the system picks (--hep-listen 127.0.0.1:0), named by the source's stderr line.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openLiveSource, type LiveSource } from '../../src/cli/rotation-sources.js';
import { HEP3, hepDatagrams, send } from './hep-datagrams.js';

const WIRE = JSON.parse(readFileSync(`${HEP3}.wire.expected.json`, 'utf8')) as { sipMessages: number };

async function settled(source: LiveSource, messages: number): Promise<void> {
  for (let waited = 0; waited < 5000 && source.messages() < messages; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  // and a little longer, for a count that would go past it
  await new Promise((resolve) => setTimeout(resolve, 200));
}

describe('rotate drain live sources', () => {
  it('--hep-listen: the HEP copies of the wire messages count once each (the second ACK copy set aside)', async () => {
    const issues: string[] = [];
    const source = (await openLiveSource({ hepListen: '127.0.0.1:0', pcapStdin: false, stdin: process.stdin }, 'alice', (issue) => issues.push(issue.code)))!;
    try {
      const port = Number(/^sipscope rotate: listening for HEP on 127\.0\.0\.1:(\d+)$/.exec(source.listening ?? '')?.[1]);
      expect(port).toBeGreaterThan(0);
      expect(source.description).toBe(`HEP on 127.0.0.1:${port}`);
      const datagrams = hepDatagrams();
      expect(datagrams.length).toBe(WIRE.sipMessages + 1);
      await send(datagrams, port);
      await settled(source, WIRE.sipMessages);
      expect(source.messages()).toBe(WIRE.sipMessages);
      expect(issues).toEqual([]);
    } finally {
      await source.close();
    }
  });

  it('--pcap-stdin: a capture holding each message on the wire and in HEP counts each message once', async () => {
    const source = (await openLiveSource({ pcapStdin: true, stdin: createReadStream(HEP3) }, 'alice', () => {}))!;
    try {
      await settled(source, WIRE.sipMessages);
      expect(source.messages()).toBe(WIRE.sipMessages);
    } finally {
      await source.close();
    }
  });
});
