/**
 * `sipscope flow FILE... --call-id ID`: the call's messages as a ladder diagram, 403s highlighted. Several files (a
 * ring) are read as one capture, as analyze reads them.
 */
import { byFindingTime, isoMicros, type CallSummary, type Finding } from '../../analysis/index.js';
import { callDurationText, renderFinding } from '../../report/analysis-text.js';
import { renderLadder, type LadderMessage } from '../../report/ladder.js';
import { printable } from '../../report/printable.js';
import { defineCommand } from '../command.js';
import { EXIT, exitAfterInputs } from '../exit.js';
import { CALL_ID_OPTION, captureFiles, noMessageOfCallError, runAnalysis, THREADS_OPTION } from './analysis-run.js';

/** A call with more messages than this is cut (the ladder says so). */
const MAX_LADDER_MESSAGES = 5000;

export const flowCommand = defineCommand({
  command: 'flow <files..>',
  describe: "show one call's messages as a ladder diagram (like sngrep), 403 Forbidden highlighted",
  options: {
    ...captureFiles('capture files (pcap, pcapng, .gz; - alone for stdin), read as one capture'),
    ...CALL_ID_OPTION,
    ...THREADS_OPTION,
  },
  examples: [
    ['$0 flow incident.pcap --call-id 1-14594@127.0.0.11', 'the ladder of that call'],
    ['$0 flow ring_*.pcap --call-id 1-14594@127.0.0.11', 'a call that spans the files of a ring'],
  ],
  async run(args, io) {
    const { files, callId, threads } = args;
    const messages: LadderMessage[] = [];
    const copies: number[] = [];
    // only this call and its findings are kept, not every call of the capture (memory)
    let call: CallSummary | undefined;
    const findings: Finding[] = [];
    let cut = 0;
    const result = await runAnalysis(files, { threads }, io, 'flow', {
      sink: {
        // the first to start, as the sorted calls of a whole analysis list them, when the Call-ID was used again
        call(finished) {
          if (finished.callId === callId && (call === undefined || finished.startUs < call.startUs)) call = finished;
        },
        finding(finding) {
          if (finding.callId === callId) findings.push(finding);
        },
      },
      observer(message, retransmission) {
        if (message.fields.callId !== callId) return;
        if (messages.length >= MAX_LADDER_MESSAGES) {
          cut++;
          return;
        }
        // what the ladder draws, nothing more: a message's fields may keep its bytes (plain reading) alive
        const { packetNumber, timeUs, src, dst, firstLine } = message;
        messages.push({ packetNumber, timeUs, src, dst, firstLine, status: message.kind === 'response' ? message.status : undefined, retransmission });
      },
      mirrorCopy(copy, copyCallId) {
        if (copyCallId === callId) copies.push(copy.packetNumber);
      },
    });
    if (messages.length === 0) throw noMessageOfCallError(callId, files, result.summary.unusableInputs);
    const lines = [
      call
        ? `Call-ID ${printable(callId)}: ${printable(call.from)} -> ${printable(call.to)}, ${call.state}, started ${isoMicros(call.startUs)}, duration ${callDurationText(call)}, ${call.reinvites} re-INVITEs`
        : `Call-ID ${printable(callId)} (no INVITE: not a call)`,
      '',
      renderLadder(messages, io.style),
    ];
    if (cut > 0) lines.push(`(${cut} more messages not shown)`);
    if (copies.length > 0) lines.push(copiesLine(copies));
    findings.sort(byFindingTime);
    if (findings.length > 0) lines.push('', ...findings.map((finding) => renderFinding(finding, io.style)));
    io.out(lines.join('\n'));
    return exitAfterInputs(EXIT.ok, result.summary.unusableInputs);
  },
});

/** Most packet numbers of set-aside mirror copies listed under the ladder. */
const MAX_COPIES_LISTED = 20;

/** The HEP mirror copies of the call's messages, not drawn (they are the same messages: src/analysis/mirror-copies.ts). */
function copiesLine(copies: number[]): string {
  const listed = copies.slice(0, MAX_COPIES_LISTED).map((packet) => `#${packet}`).join(', ');
  const more = copies.length > MAX_COPIES_LISTED ? `, ${copies.length - MAX_COPIES_LISTED} more` : '';
  return `(${copies.length} HEP mirror ${copies.length === 1 ? 'copy' : 'copies'} of these messages not drawn: ${listed}${more})`;
}
