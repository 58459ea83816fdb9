/**
 * `sipscope extract FILE... --call-id ID -o call.pcap`: every frame carrying a message of one Call-ID, as a capture.
 * Several files (a ring) are read as one capture, as analyze reads them.
 */
import { extractPackets } from '../../capture/writer.js';
import { defineCommand } from '../command.js';
import { printable } from '../../report/printable.js';
import { badArgument, CliError, EXIT } from '../exit.js';
import { checkOutputFile } from '../output-file.js';
import { CALL_ID_OPTION, captureFiles, noMessageOfCallError, runAnalysis } from './analysis-run.js';

export const extractCommand = defineCommand({
  command: 'extract <files..>',
  describe: "write one call's packets to a new capture that tshark and Wireshark open",
  options: {
    ...captureFiles('capture files (pcap or pcapng, optionally gzipped), read as one capture'),
    ...CALL_ID_OPTION,
    output: { alias: 'o', type: 'string', demandOption: true, describe: 'capture file to write (pcap; pcapng when link types differ)' },
  },
  examples: [
    ['$0 extract incident.pcap --call-id 1-14594@127.0.0.11 -o call.pcap', 'then: tshark -r call.pcap -Y sip'],
    ['$0 extract ring_*.pcap --call-id 1-14594@127.0.0.11 -o call.pcap', 'a call that spans the files of a ring'],
  ],
  async run(args, io) {
    const { files, callId, output } = args;
    if (files.includes('-')) throw badArgument('extract reads its input twice: give files, not - (stdin)');
    checkOutputFile(output, files, '-o');
    const packets = new Set<number>();
    await runAnalysis(files, {}, io, 'extract', {
      observer(message) {
        if (message.fields.callId === callId) for (const packet of message.packets) packets.add(packet);
      },
    });
    if (packets.size === 0) throw noMessageOfCallError(callId, files.join(' '));
    let written: number;
    try {
      written = await extractPackets(files, packets, output);
    } catch (error) {
      throw new CliError('unwritable-file', `cannot write ${output}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    io.out(`wrote ${written} packets of Call-ID ${printable(callId)} to ${printable(output)}`);
    return EXIT.ok;
  },
});
