/**
 * `sipscope flow FILE... --call-id ID`: the call's messages as a ladder diagram, 403s highlighted. Several files (a
 * ring) are read as one capture, as analyze reads them.
 */
import type { Argv } from 'yargs';
import { isoMicros } from '../../analysis/index.js';
import { durationText, renderFinding } from '../../report/analysis-text.js';
import { renderLadder, type LadderMessage } from '../../report/ladder.js';
import { printable } from '../../report/printable.js';
import { filesArgument, type CliCommand } from '../command.js';
import type { CliIO } from '../io.js';
import { localErrorsExit2, noMessageOfCallError, runAnalysis, withCallIdOption } from './analysis-run.js';

/** A call with more messages than this is cut (the ladder says so). */
const MAX_LADDER_MESSAGES = 5000;

export const flowCommand: CliCommand = {
  command: 'flow <files..>',
  describe: "show one call's messages as a ladder diagram (like sngrep), 403 Forbidden highlighted",
  builder: (yargs: Argv) =>
    withCallIdOption(yargs.positional('files', { type: 'string', array: true, describe: 'capture files (pcap, pcapng, .gz; - alone for stdin), read as one capture' }))
      .example('$0 flow incident.pcap --call-id 1-14594@127.0.0.11', 'the ladder of that call')
      .example('$0 flow ring_*.pcap --call-id 1-14594@127.0.0.11', 'a call that spans the files of a ring'),
  run: (argv, io: CliIO) =>
    localErrorsExit2(io, 'flow', async () => {
      const files = filesArgument(argv);
      const callId = String(argv['call-id']);
      const messages: LadderMessage[] = [];
      let cut = 0;
      const result = await runAnalysis(files, {}, io, 'flow', {
        observer(message, retransmission) {
          if (message.fields.callId !== callId) return;
          if (messages.length >= MAX_LADDER_MESSAGES) {
            cut++;
            return;
          }
          messages.push({ ...message, retransmission });
        },
      });
      if (messages.length === 0) throw noMessageOfCallError(callId, files.join(' '));
      const call = result.calls.find((candidate) => candidate.callId === callId);
      const lines = [
        call
          ? `Call-ID ${printable(callId)}: ${printable(call.from)} -> ${printable(call.to)}, ${call.state}, started ${isoMicros(call.startUs)}, duration ${durationText(call.durationMs)}, ${call.reinvites} re-INVITEs`
          : `Call-ID ${printable(callId)} (no INVITE: not a call)`,
        '',
        renderLadder(messages, io.style),
      ];
      if (cut > 0) lines.push(`(${cut} more messages not shown)`);
      const findings = result.findings.filter((finding) => finding.callId === callId);
      if (findings.length > 0) lines.push('', ...findings.map((finding) => renderFinding(finding, io.style)));
      io.out(lines.join('\n'));
      return 0;
    }),
};
