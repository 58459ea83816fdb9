/**
 * The read thread of a threaded analysis (read-thread.ts starts it): decodes the captures (capture/decode.ts) and
 * scans each message's bytes for the plain reading (plain-scan.ts), and posts them in batches (batch.ts), waiting
 * while the analysis thread has maxUnread batches unread (memory stays bounded). Loaded as its own entry: the
 * bundle's dist/read-worker.cjs, or dist/analysis/read-thread/worker.js.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { decodeCaptures } from '../../capture/decode.js';
import type { DecodeIssue, SipPayload } from '../../capture/types.js';
import { SCAN_STRIDE } from '../plain-record.js';
import { scanPlainMessage } from '../plain-scan.js';
import {
  FLAG_HEP,
  FLAG_ICMP_QUOTE,
  FLAG_STREAM_KEYS,
  META_BYTES_AT,
  META_BYTES_LENGTH,
  META_DST_IP,
  META_DST_PORT,
  META_FILE,
  META_FRAMES_AT,
  META_FRAMES_LENGTH,
  META_KIND,
  META_PACKET,
  META_SRC_IP,
  META_SRC_PORT,
  META_STRIDE,
  POSTED,
  READ,
  type Batch,
  type BatchEvent,
  type ReadThreadData,
  sentError,
  type ReadThreadMessage,
} from './batch.js';

/** Messages of the first batch (read-thread.ts sets batchMessages, the most in one). */
const FIRST_BATCH_MESSAGES = 64;

const TRANSPORT_CODES: Record<SipPayload['transport'], number> = { udp: 0, tcp: 1, ws: 2, sctp: 3 };

/** Fills batches and posts them (the one place the read thread's messages are made). */
class BatchWriter {
  private readonly strings = new Map<string, number>();
  private newStrings: string[] = [];
  private stringsReset = false;
  private count = 0;
  private numbers: Int32Array;
  private times: Float64Array;
  private scans: Int32Array;
  private frames: Int32Array;
  private framesUsed = 0;
  private bytes: Uint8Array;
  private bytesUsed = 0;
  private events: BatchEvent[] = [];
  private readonly counters: Int32Array;
  /**
   * Messages in this batch at most: the first batches are small, so that the analysis thread, waiting for the
   * first, starts ~70 ms sooner (2,048 messages take that long in unoptimised code); each one twice the last, up to
   * batchMessages.
   */
  private limit: number;

  constructor(
    private readonly data: ReadThreadData,
    private readonly post: (message: ReadThreadMessage, transfer: ArrayBuffer[]) => void,
  ) {
    this.counters = new Int32Array(data.counters);
    this.numbers = new Int32Array(data.batchMessages * META_STRIDE);
    this.times = new Float64Array(data.batchMessages);
    this.scans = new Int32Array(data.batchMessages * SCAN_STRIDE);
    this.frames = new Int32Array(data.batchMessages * 2);
    this.bytes = new Uint8Array(data.batchBytes);
    this.limit = Math.min(FIRST_BATCH_MESSAGES, data.batchMessages);
  }

  payload(payload: SipPayload): void {
    const length = payload.bytes.length;
    if (this.count === this.limit || this.bytesUsed + length > this.bytes.length) this.flush(length);
    const at = this.count * META_STRIDE;
    const numbers = this.numbers;
    numbers[at + META_PACKET] = payload.packetNumber;
    numbers[at + META_FILE] = this.stringId(payload.file);
    numbers[at + META_SRC_IP] = this.stringId(payload.src.ip);
    numbers[at + META_SRC_PORT] = payload.src.port;
    numbers[at + META_DST_IP] = this.stringId(payload.dst.ip);
    numbers[at + META_DST_PORT] = payload.dst.port;
    let kind = TRANSPORT_CODES[payload.transport];
    if ('opening' in payload) kind |= FLAG_STREAM_KEYS;
    if (payload.hep) kind |= FLAG_HEP;
    if (payload.icmpQuote) kind |= FLAG_ICMP_QUOTE;
    numbers[at + META_KIND] = kind;
    numbers[at + META_BYTES_AT] = this.bytesUsed;
    numbers[at + META_BYTES_LENGTH] = length;
    const packets = payload.packets;
    if (this.framesUsed + packets.length > this.frames.length) this.frames = grown(this.frames, this.framesUsed + packets.length);
    numbers[at + META_FRAMES_AT] = this.framesUsed;
    numbers[at + META_FRAMES_LENGTH] = packets.length;
    for (let i = 0; i < packets.length; i++) this.frames[this.framesUsed++] = packets[i];
    this.times[this.count] = payload.timeUs;
    this.bytes.set(payload.bytes, this.bytesUsed);
    // 8-byte aligned, as the decoder's pool keeps its copies
    this.bytesUsed = (this.bytesUsed + length + 7) & ~7;
    scanPlainMessage(payload.bytes, this.scans, this.count * SCAN_STRIDE);
    this.count++;
  }

  issue(issue: DecodeIssue): void {
    this.events.push({ before: this.count, issue });
  }

  progress(bytesRead: number, totalBytes: number | undefined): void {
    this.events.push({ before: this.count, bytesRead, totalBytes });
  }

  /** Posts the batch (if it holds anything) and starts the next, with room for a message of nextLength bytes. */
  flush(nextLength = 0): void {
    if (this.count > 0 || this.events.length > 0) {
      this.waitForReader();
      const batch: Batch = {
        type: 'batch',
        count: this.count,
        strings: this.newStrings,
        stringsReset: this.stringsReset,
        numbers: this.numbers,
        times: this.times,
        frames: this.frames,
        bytes: this.bytes.buffer as ArrayBuffer,
        scans: this.scans,
        events: this.events,
      };
      this.post(batch, [this.numbers.buffer as ArrayBuffer, this.times.buffer as ArrayBuffer, this.frames.buffer as ArrayBuffer, this.bytes.buffer as ArrayBuffer, this.scans.buffer as ArrayBuffer]);
      Atomics.add(this.counters, POSTED, 1);
      const messages = this.data.batchMessages;
      this.numbers = new Int32Array(messages * META_STRIDE);
      this.times = new Float64Array(messages);
      this.scans = new Int32Array(messages * SCAN_STRIDE);
      this.frames = new Int32Array(messages * 2);
      this.newStrings = [];
      // the next batch's ids start from 0 once the table is full (a capture of many addresses: a scan, a flood)
      this.stringsReset = this.strings.size >= this.data.maxStrings;
      if (this.stringsReset) this.strings.clear();
      this.events = [];
      this.count = 0;
      this.framesUsed = 0;
      this.limit = Math.min(this.limit * 2, this.data.batchMessages);
    }
    this.bytes = new Uint8Array(Math.max(this.data.batchBytes, nextLength));
    this.bytesUsed = 0;
  }

  /** Takes the events not yet posted (the end and the error carry them). */
  takeEvents(): BatchEvent[] {
    const events = this.events;
    this.events = [];
    return events;
  }

  private waitForReader(): void {
    for (;;) {
      const read = Atomics.load(this.counters, READ);
      if (Atomics.load(this.counters, POSTED) - read < this.data.maxUnread) return;
      Atomics.wait(this.counters, READ, read, 1000);
    }
  }

  private stringId(value: string): number {
    let id = this.strings.get(value);
    if (id === undefined) {
      id = this.strings.size;
      this.strings.set(value, id);
      this.newStrings.push(value);
    }
    return id;
  }
}

function grown(frames: Int32Array, needed: number): Int32Array {
  const larger = new Int32Array(Math.max(needed, frames.length * 2));
  larger.set(frames);
  return larger;
}

/** Decodes and posts everything, then the end or the error. */
export async function runReadThread(data: ReadThreadData, post: (message: ReadThreadMessage, transfer: ArrayBuffer[]) => void): Promise<void> {
  const writer = new BatchWriter(data, post);
  try {
    const stats = await decodeCaptures(
      data.inputs,
      {
        payload: (payload) => writer.payload(payload),
        issue: (issue) => writer.issue(issue),
        progress: data.progress ? (read, total) => writer.progress(read, total) : undefined,
      },
      { asOneCapture: data.asOneCapture, windowBytes: data.windowBytes },
    );
    writer.flush();
    post({ type: 'end', stats, events: writer.takeEvents() }, []);
  } catch (error) {
    writer.flush();
    post({ type: 'error', events: writer.takeEvents(), error: sentError(error) }, []);
  }
}

const started = workerData as { sipscopeReadThread?: ReadThreadData; sipscopePrestarted?: boolean } | undefined;
if (!isMainThread && parentPort !== null) {
  const port = parentPort;
  const post = (message: ReadThreadMessage, transfer: ArrayBuffer[]): void => port.postMessage(message, transfer);
  if (started?.sipscopeReadThread) {
    void runReadThread(started.sipscopeReadThread, post);
  } else if (started?.sipscopePrestarted) {
    // started before its work was known (bin/prestart-read-thread.js): the work comes as the first message
    port.once('message', (work: { sipscopeReadThread: ReadThreadData }) => void runReadThread(work.sipscopeReadThread, post));
  }
}
