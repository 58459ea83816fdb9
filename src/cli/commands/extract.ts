/**
 * `sipscope extract FILE... --call-id ID -o call.pcap`: every frame carrying a message of one Call-ID, as a capture.
 * Several files (a ring) are read as one capture, as analyze reads them.
 */
import type { Argv } from 'yargs';
import { extractPackets } from '../../capture/writer.js';
import { filesArgument, type CliCommand } from '../command.js';
import { printable } from '../../report/printable.js';
import type { CliIO } from '../io.js';
import { LocalError, localErrorsExit2, noMessageOfCallError, runAnalysis, withCallIdOption } from './analysis-run.js';

export const extractCommand: CliCommand = {
  command: 'extract <files..>',
  describe: "write one call's packets to a new capture that tshark and Wireshark open",
  builder: (yargs: Argv) =>
    withCallIdOption(yargs.positional('files', { type: 'string', array: true, describe: 'capture files (pcap or pcapng, optionally gzipped), read as one capture' }))
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'capture file to write (pcap; pcapng when link types differ)' })
      .example('$0 extract incident.pcap --call-id 1-14594@127.0.0.11 -o call.pcap', 'then: tshark -r call.pcap -Y sip')
      .example('$0 extract ring_*.pcap --call-id 1-14594@127.0.0.11 -o call.pcap', 'a call that spans the files of a ring'),
  run: (argv, io: CliIO) =>
    localErrorsExit2(io, 'extract', async () => {
      const files = filesArgument(argv);
      const callId = String(argv['call-id']);
      const output = String(argv.output);
      if (files.includes('-')) throw new LocalError('extract reads its input twice: give files, not - (stdin)');
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
        throw new LocalError(`cannot write ${output}: ${error instanceof Error ? error.message : String(error)}`);
      }
      io.out(`wrote ${written} packets of Call-ID ${printable(callId)} to ${printable(output)}`);
      return 0;
    }),
};
