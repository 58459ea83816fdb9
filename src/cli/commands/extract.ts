/**
 * `sipscope extract FILE... --call-id ID -o call.pcap`: every frame carrying a message of one Call-ID, as a capture.
 * Several files (a ring) are read as one capture, as analyze reads them.
 *
 * A reader of the written file sees only these frames of each TCP connection, so the frames it needs to read the
 * call's messages in them are written too: the frames that opened each connection the call used (the handshake and,
 * for SIP over WebSocket, the HTTP Upgrade and its 101: without them tshark takes the WebSocket frames for raw
 * TCP), and, when a message's first segment begins with the end of another message, that message's earlier
 * segments (SipPayload.opening, leadIn). Other calls' messages come along only where such a frame carries them.
 */
import { framesOf, type SipPayload } from '../../capture/types.js';
import { extractPackets } from '../../capture/writer.js';
import { defineCommand } from '../command.js';
import { printable } from '../../report/printable.js';
import { badArgument, CliError, EXIT, exitAfterInputs } from '../exit.js';
import { checkOutputFile } from '../output-file.js';
import { CALL_ID_OPTION, captureFiles, noMessageOfCallError, runAnalysis } from './analysis-run.js';

export const extractCommand = defineCommand({
  command: 'extract <files..>',
  describe: "write one call's packets, with the TCP handshakes and WebSocket upgrades that make them readable, to a new capture that tshark and Wireshark open",
  options: {
    ...captureFiles('capture files (pcap or pcapng, optionally gzipped), read as one capture'),
    ...CALL_ID_OPTION,
    output: { alias: 'o', type: 'string', demandOption: true, describe: 'capture file to write (pcap; pcapng, with each interface and its name, when the frames come from several interfaces)' },
  },
  examples: [
    ['$0 extract incident.pcap --call-id 1-14594@127.0.0.11 -o call.pcap', 'then: tshark -r call.pcap -Y sip'],
    ['$0 extract ring_*.pcap --call-id 1-14594@127.0.0.11 -o call.pcap', 'a call that spans the files of a ring'],
    [
      '$0 extract ws.pcap --call-id kovfhoptshgn59q712sr -o call.pcap',
      'over TCP or WebSocket, each connection\'s handshake and HTTP Upgrade/101 come too; another call\'s message comes only where it shares a segment with this call (README: extract)',
    ],
  ],
  async run(args, io) {
    const { files, callId, output } = args;
    if (files.includes('-')) throw badArgument('extract reads its input twice: give files, not - (stdin)');
    checkOutputFile(output, files, '-o');
    const packets = new Set<number>();
    // an opening is one array per connection, read at the end: its last frames may come after a message
    const openings = new Set<readonly number[]>();
    let current: SipPayload | undefined;
    const result = await runAnalysis(files, {}, io, 'extract', {
      // the packets are all it needs of the analysis: no call or finding kept (memory)
      collect: false,
      payload(payload) {
        current = payload;
      },
      // called synchronously from the analysis of the payload just handed over, so `current` is this message's
      observer(message) {
        if (message.fields.callId !== callId) return;
        for (const packet of message.packets) packets.add(packet);
        if (current?.opening !== undefined) openings.add(current.opening);
        if (current?.leadIn !== undefined) for (const packet of current.leadIn) packets.add(packet);
      },
      // a HEP mirror copy of one of its messages is not analysed, but its frames carry the call too
      mirrorCopy(copy, copyCallId) {
        if (copyCallId !== callId) return;
        for (const packet of framesOf(copy)) packets.add(packet);
        // HEP over TCP: the connection's handshake and the copy's lead-in, as for a message read from a stream
        if (copy.opening !== undefined) openings.add(copy.opening);
        if (copy.leadIn !== undefined) for (const packet of copy.leadIn) packets.add(packet);
      },
    });
    if (packets.size === 0) throw noMessageOfCallError(callId, files, result.summary.unusableInputs);
    for (const opening of openings) for (const packet of opening) packets.add(packet);
    let written: number;
    try {
      written = await extractPackets(files, packets, output);
    } catch (error) {
      throw new CliError('unwritable-file', `cannot write ${output}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    io.out(`wrote ${written} packets of Call-ID ${printable(callId)} to ${printable(output)}`);
    return exitAfterInputs(EXIT.ok, result.summary.unusableInputs);
  },
});
