/**
 * Test-only: ground truth from tshark (a real, independent dissector) for the transport-layer tests, and the
 * location of the public captures they read.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SipPayload } from '../../src/capture/types.js';

const candidates = [join(import.meta.dirname, '../../fixtures/captures/public/heplify'), join(import.meta.dirname, '../../fixtures/captures/public/sngrep')];

/** Path of a public capture (the copies in fixtures/captures/public/). */
export function publicCapture(name: string): string {
  for (const directory of candidates) {
    const path = join(directory, name);
    if (existsSync(path)) return path;
  }
  throw new Error(`capture ${name} not found in ${candidates.join(' or ')}`);
}

export interface TsharkSip {
  /** Frame that completed the message. */
  frame: number;
  callId: string;
}

/**
 * SIP messages tshark finds with display filter `filter`, one entry per message (tshark joins several messages
 * of one frame with commas).
 */
export function tsharkSip(path: string, filter: string, extraArgs: string[] = []): TsharkSip[] {
  const output = execFileSync('tshark', ['-r', path, ...extraArgs, '-Y', filter, '-T', 'fields', '-e', 'frame.number', '-e', 'sip.Call-ID'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const messages: TsharkSip[] = [];
  for (const line of output.split('\n')) {
    if (!line.trim()) continue;
    const [frame, callIds] = line.split('\t');
    for (const callId of callIds.split(',')) messages.push({ frame: Number(frame), callId });
  }
  return messages;
}

/** tshark's UDP payload of frame `frame` of `path`, in hex. */
export function tsharkUdpPayload(path: string, frame: number): string {
  return execFileSync('tshark', ['-r', path, '-Y', `frame.number == ${frame}`, '-T', 'fields', '-e', 'udp.payload'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().replace(/:/g, '');
}

const textDecoder = new TextDecoder();

export function callIdOf(bytes: Uint8Array): string {
  const text = textDecoder.decode(bytes);
  const match = /^(?:call-id|i)[ \t]*:[ \t]*(.*?)[ \t]*\r?$/im.exec(text);
  return match ? match[1] : '';
}

/** "frame callId" keys, sorted, for comparing our messages with tshark's. */
export function frameCallIdKeys(messages: Array<TsharkSip | SipPayload>): string[] {
  return messages
    .map((m) => ('frame' in m ? `${m.frame} ${m.callId}` : `${m.packetNumber} ${callIdOf(m.bytes)}`))
    .sort();
}
