/** `sipscope extract FILE --call-id ID -o call.pcap`: every frame carrying a message of one Call-ID, as a capture. */
import type { Argv } from 'yargs';
import { extractPackets } from '../../capture/writer.js';
import type { CliCommand } from '../command.js';
import type { CliIO } from '../io.js';
import { LocalError, localErrorsExit2, noMessageOfCallError, runAnalysis, withCallIdOption } from './analysis-run.js';

export const extractCommand: CliCommand = {
  command: 'extract <file>',
  describe: "write one call's packets to a new capture that tshark and Wireshark open",
  builder: (yargs: Argv) =>
    withCallIdOption(yargs.positional('file', { type: 'string', describe: 'capture file (pcap or pcapng, optionally gzipped)' }))
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'capture file to write (pcap; pcapng when link types differ)' })
      .example('$0 extract incident.pcap --call-id 1-14594@127.0.0.11 -o call.pcap', 'then: tshark -r call.pcap -Y sip'),
  run: (argv, io: CliIO) =>
    localErrorsExit2(io, 'extract', async () => {
      const file = String(argv.file);
      const callId = String(argv['call-id']);
      const output = String(argv.output);
      if (file === '-') throw new LocalError('extract reads its input twice: give a file, not - (stdin)');
      const packets = new Set<number>();
      await runAnalysis([file], {}, io, 'extract', {
        observer(message) {
          if (message.fields.callId === callId) for (const packet of message.packets) packets.add(packet);
        },
      });
      if (packets.size === 0) throw noMessageOfCallError(callId, file);
      let written: number;
      try {
        written = await extractPackets(file, packets, output);
      } catch (error) {
        throw new LocalError(`cannot write ${output}: ${error instanceof Error ? error.message : String(error)}`);
      }
      io.out(`wrote ${written} packets of Call-ID ${callId} to ${output}`);
      return 0;
    }),
};
