/**
 * A capture split across hosts the way a fleet splits traffic: each Call-ID's frames go to one host (dealt in turn
 * by order of first appearance), so a user's REGISTERs and calls land on different hosts. Frames are chosen with
 * tshark (frame number -> Call-ID) and cut with editcap -r, Wireshark's own tools; frames without SIP go to the
 * first host. For UDP captures without IP fragments (a message is one frame).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { frameCount } from '../capture/split-captures.js';

/** Which host (0-based) gets a Call-ID: its index among the Call-IDs in order of first appearance, its first method. */
export type HostChooser = (index: number, firstMethod: string) => number;

export function splitByCallId(capture: string, hosts: number, dir: string, name: string, choose: HostChooser = (index) => index % hosts): string[] {
  const output = execFileSync('tshark', ['-r', capture, '-T', 'fields', '-e', 'frame.number', '-e', 'sip.Call-ID', '-e', 'sip.CSeq.method'], { encoding: 'utf8' });
  const hostOfCall = new Map<string, number>();
  const framesOf: number[][] = Array.from({ length: hosts }, () => []);
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    const [frame, callId, method] = line.split('\t');
    let host = 0;
    if (callId) {
      if (!hostOfCall.has(callId)) hostOfCall.set(callId, choose(hostOfCall.size, method));
      host = hostOfCall.get(callId)!;
    }
    framesOf[host].push(Number(frame));
  }
  const parts = framesOf.map((frames, index) => {
    const part = join(dir, `${name}-host${index + 1}.pcap`);
    execFileSync('editcap', ['-r', capture, part, ...ranges(frames)], { stdio: 'ignore' });
    return part;
  });
  const dealt = parts.reduce((sum, part) => sum + frameCount(part), 0);
  if (dealt !== frameCount(capture)) throw new Error(`editcap dealt ${dealt} of the frames of ${capture}`);
  return parts;
}

/** Ascending frame numbers as editcap ranges (`3-7`); editcap takes at most 512 of them. */
function ranges(frames: number[]): string[] {
  const result: string[] = [];
  for (let i = 0; i < frames.length; ) {
    let j = i;
    while (j + 1 < frames.length && frames[j + 1] === frames[j] + 1) j++;
    result.push(i === j ? String(frames[i]) : `${frames[i]}-${frames[j]}`);
    i = j + 1;
  }
  if (result.length > 512) throw new Error(`too many ranges for editcap (${result.length})`);
  return result;
}
