/**
 * Terminal ladder diagram of one call, like sngrep's call flow: one column per endpoint (ip:port, in order of
 * first appearance), one arrow per message with its start line above it and its time offset from the first
 * message. 403 responses are highlighted: red through the style, and marked `!!` so they stand out without colour.
 * Retransmissions are marked `(retransmission)`.
 */
import type { Endpoint } from '../capture/types.js';
import type { TextStyle } from './analysis-style.js';
import { hostPort } from '../sip/index.js';
import { printable } from './printable.js';

export interface LadderMessage {
  packetNumber: number;
  timeUs: number;
  src: Endpoint;
  dst: Endpoint;
  firstLine: string;
  status?: number;
  retransmission: boolean;
}

export interface LadderOptions {
  /** Characters between two endpoint columns (default 30, at least 16). */
  columnWidth?: number;
  /** Longest start line shown (default 70 characters). */
  maxLabel?: number;
}

const TIME_WIDTH = 14;
const MARK_WIDTH = 3;

function endpointLabel(endpoint: Endpoint): string {
  return hostPort(endpoint.ip, endpoint.port);
}

/** Whether a message is highlighted: a 403 Forbidden. */
export function isHighlighted(message: LadderMessage): boolean {
  return message.status === 403;
}

export function renderLadder(messages: readonly LadderMessage[], style: TextStyle, options: LadderOptions = {}): string {
  const width = Math.max(16, options.columnWidth ?? 30);
  const maxLabel = options.maxLabel ?? 70;
  const columns: string[] = [];
  for (const message of messages) {
    for (const endpoint of [message.src, message.dst]) {
      const label = endpointLabel(endpoint);
      if (!columns.includes(label)) columns.push(label);
    }
  }
  const left = TIME_WIDTH + MARK_WIDTH;
  const center = (column: number) => left + column * width + Math.floor(width / 2);
  const lineLength = left + columns.length * width;
  const blank = () => {
    const chars = Array<string>(lineLength).fill(' ');
    for (let column = 0; column < columns.length; column++) chars[center(column)] = '|';
    return chars;
  };
  const header = Array<string>(lineLength).fill(' ');
  columns.forEach((label, column) => {
    const text = shortenMiddle(label, width - 2);
    const start = Math.max(left, center(column) - Math.floor(text.length / 2));
    for (let i = 0; i < text.length; i++) header[start + i] = text[i];
  });
  const lines = [style.bold(header.join('').trimEnd())];
  const firstUs = messages[0]?.timeUs ?? 0;
  for (const message of messages) {
    const from = columns.indexOf(endpointLabel(message.src));
    const to = columns.indexOf(endpointLabel(message.dst));
    const highlighted = isHighlighted(message);
    const mark = highlighted ? '!! ' : '   ';
    const labelText = truncate(`${printable(message.firstLine)}${message.retransmission ? ' (retransmission)' : ''}`, maxLabel);
    const labelLine = blank();
    const labelStart = Math.min(center(from), center(to)) + 2;
    for (let i = 0; i < labelText.length; i++) labelLine[labelStart + i] = labelText[i];
    const arrowLine = blank();
    drawArrow(arrowLine, center(from), center(to));
    const offset = `+${((message.timeUs - firstUs) / 1e6).toFixed(6)}`.padEnd(TIME_WIDTH);
    const number = `#${message.packetNumber}`.padEnd(TIME_WIDTH);
    const paint = highlighted ? (text: string) => style.red(style.bold(text)) : message.retransmission ? style.dim : (text: string) => text;
    lines.push(`${style.dim(number)}${mark}${paint(labelLine.join('').slice(left).trimEnd())}`);
    lines.push(`${offset}${mark}${paint(arrowLine.join('').slice(left).trimEnd())}`);
  }
  return lines.join('\n');
}

function drawArrow(chars: string[], from: number, to: number): void {
  if (from === to) {
    chars[from + 1] = '<';
    chars[from + 2] = '-';
    chars[from + 3] = '+';
    return;
  }
  const low = Math.min(from, to);
  const high = Math.max(from, to);
  for (let i = low + 1; i < high; i++) chars[i] = '-';
  if (to > from) chars[high - 1] = '>';
  else chars[low + 1] = '<';
}

/**
 * An endpoint label cut in the middle when it does not fit its lane: the start and the end (the last groups of an
 * IPv6 address and the port) are what tell lanes apart; cutting the end made every lane of a /64 read the same.
 */
function shortenMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const tail = Math.ceil((max - 1) / 2);
  return `${text.slice(0, max - 1 - tail)}…${text.slice(text.length - tail)}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
