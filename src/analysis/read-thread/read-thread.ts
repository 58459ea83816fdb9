/**
 * A threaded analysis's reading (issue 9): a second thread (worker.ts) decodes the captures and scans each message
 * for the plain reading; this thread makes the payloads again from its batches (batch.ts), in the decoder's own
 * object shapes, and hands each with its scan record to the analysis, with the issues and progress reports at their
 * place among them: the same events in the same order as decodeCaptures gives in one thread.
 * The payloads made here carry no `opening` or `leadIn` frames (the analysis reads neither, nor do the hooks of flow,
 * report and analyze --dataset): the threaded path is not for a caller that reads them (extract). Their `bytes` are
 * views into the batch's buffer, transferred here and never written again (the read thread fills a new one): a hook
 * may read them at any time, and one that keeps them holds the batch's whole buffer (up to 512 KiB).
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CaptureSink } from '../../capture/decode.js';
import type { DecodeStats, Endpoint, SipPayload } from '../../capture/types.js';
import { SCAN_STRIDE } from '../plain-record.js';
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
  READ,
  TRANSPORT_MASK,
  TRANSPORTS,
  type Batch,
  type BatchEvent,
  type ReadThreadData,
  errorOfSent,
  type ReadThreadMessage,
} from './batch.js';

/** Where the read thread's messages go: each payload with the scan record of its bytes (record[at...]). */
export interface ScannedSink extends Omit<CaptureSink, 'payload'> {
  payload(payload: SipPayload, scans: Int32Array, at: number): void;
}

export interface ReadThreadOptions {
  asOneCapture?: boolean;
  windowBytes?: number;
  /** Most messages in a batch (default 2,048) and its bytes buffer's size (default 512 KiB): tests make them tiny. */
  batchMessages?: number;
  batchBytes?: number;
  /** Strings (files, addresses) in the table before it starts anew (default 65,536): tests make it tiny. */
  maxStrings?: number;
  /** Where the read thread's entry is (default: beside this module or the bundle). */
  workerUrl?: URL;
}

const BATCH_MESSAGES = 2048;
const BATCH_BYTES = 512 * 1024;
/** Batches posted and not yet read at most: the read thread waits (memory stays bounded). */
const MAX_UNREAD = 4;
/** Strings of the table before it starts anew (a batch adds at most three a message to it). */
const MAX_STRINGS = 65_536;

/**
 * The read thread's entry: dist/read-worker.cjs beside the bundle (dist/sipscope.cjs, whose import.meta.url the
 * bundler sets to its own), worker.js beside this module in dist/, or, run from the sources (tests), the build's.
 */
export function readWorkerUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith('.cjs')) return new URL('./read-worker.cjs', here);
  if (here.endsWith('.ts')) return new URL('../../../dist/analysis/read-thread/worker.js', here);
  return new URL('./worker.js', here);
}

/** Read threads started in this process (tests check that the threaded path was taken). */
export let readThreadsStarted = 0;
/** Read threads of those that bin/prestart-read-thread.js had started. */
export let readThreadsAdopted = 0;

/** Where bin/prestart-read-thread.js leaves the read thread it started. */
const PRESTARTED = Symbol.for('sipscope.prestartedReadThread');

/**
 * The read thread bin/prestart-read-thread.js started before the bundle loaded (it waits for its work), given its
 * work now; undefined when there is none (or the caller wants another entry, `workerUrl`: tests).
 */
function adoptPrestarted(data: ReadThreadData, workerUrl: URL | undefined): Worker | undefined {
  const slot = globalThis as { [PRESTARTED]?: Worker };
  const worker = slot[PRESTARTED];
  if (worker === undefined || workerUrl !== undefined) return undefined;
  slot[PRESTARTED] = undefined;
  worker.ref();
  worker.postMessage({ sipscopeReadThread: data });
  readThreadsAdopted++;
  return worker;
}

/** Decodes the inputs on a second thread into `sink`; resolves to the decoding's statistics, or rejects with its error. */
export function decodeOnReadThread(inputs: string[], sink: ScannedSink, options: ReadThreadOptions = {}): Promise<DecodeStats> {
  const counters = new SharedArrayBuffer(8);
  const data: ReadThreadData = {
    inputs,
    asOneCapture: options.asOneCapture ?? false,
    windowBytes: options.windowBytes,
    batchMessages: options.batchMessages ?? BATCH_MESSAGES,
    batchBytes: options.batchBytes ?? BATCH_BYTES,
    counters,
    maxUnread: MAX_UNREAD,
    progress: sink.progress !== undefined,
    maxStrings: options.maxStrings ?? MAX_STRINGS,
  };
  const read = new Int32Array(counters);
  const payloads = new PayloadMaker();
  return new Promise<DecodeStats>((resolve, reject) => {
    let settled = false;
    const worker = adoptPrestarted(data, options.workerUrl) ?? new Worker(options.workerUrl ?? readWorkerUrl(), { workerData: { sipscopeReadThread: data } });
    readThreadsStarted++;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(error);
    };
    worker.on('message', (message: ReadThreadMessage) => {
      if (settled) return;
      try {
        if (message.type === 'batch') {
          payloads.deliver(message, sink);
          Atomics.add(read, READ, 1);
          Atomics.notify(read, READ);
          return;
        }
        deliverEvents(message.events, 0, Infinity, sink);
        settled = true;
        void worker.terminate();
        if (message.type === 'end') resolve(message.stats);
        else reject(errorOfSent(message.error));
      } catch (error) {
        fail(error);
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the read thread stopped (exit code ${code}) before the end of the capture`)));
  });
}

/** The events placed before message `before` in [from, to), in order. */
function deliverEvents(events: BatchEvent[], from: number, to: number, sink: ScannedSink): number {
  let i = from;
  for (; i < events.length && events[i].before < to; i++) {
    const event = events[i];
    if ('issue' in event) sink.issue?.(event.issue);
    else sink.progress?.(event.bytesRead, event.totalBytes);
  }
  return i;
}


/** Endpoints kept for reuse at most (cleared when full: memory stays bounded). */
const MAX_ENDPOINTS = 65_536;

/** Makes the payloads of batches again; endpoints are made once per address and port (never changed by readers). */
class PayloadMaker {
  private readonly strings: string[] = [];
  private readonly endpoints = new Map<number, Endpoint>();

  deliver(batch: Batch, sink: ScannedSink): void {
    if (batch.stringsReset) {
      this.strings.length = 0;
      this.endpoints.clear();
    }
    for (const value of batch.strings) this.strings.push(value);
    const { numbers, times, frames, scans, events, count } = batch;
    const strings = this.strings;
    const buffer = batch.bytes;
    let event = 0;
    for (let i = 0; i < count; i++) {
      if (event < events.length && events[event].before <= i) event = deliverEvents(events, event, i + 1, sink);
      const at = i * META_STRIDE;
      const kind = numbers[at + META_KIND];
      const framesAt = numbers[at + META_FRAMES_AT];
      const framesLength = numbers[at + META_FRAMES_LENGTH];
      // the frame list as a literal for the usual one or two frames (push into [] was most of the cost)
      const packets =
        framesLength === 1 ? [frames[framesAt]] : framesLength === 2 ? [frames[framesAt], frames[framesAt + 1]] : Array.from(frames.subarray(framesAt, framesAt + framesLength));
      const file = strings[numbers[at + META_FILE]];
      const packetNumber = numbers[at + META_PACKET];
      const timeUs = times[i];
      const src = this.endpoint(numbers[at + META_SRC_IP], numbers[at + META_SRC_PORT]);
      const dst = this.endpoint(numbers[at + META_DST_IP], numbers[at + META_DST_PORT]);
      const transport = TRANSPORTS[kind & TRANSPORT_MASK];
      const bytes = new Uint8Array(buffer, numbers[at + META_BYTES_AT], numbers[at + META_BYTES_LENGTH]);
      let payload: SipPayload;
      // the decoder's shapes: a datagram's (sip-datagram.ts, sctp.ts), a stream's (tcp-stream.ts), HEP's (hep.ts)
      if ((kind & FLAG_HEP) !== 0) payload = { file, packetNumber, packets, timeUs, src, dst, transport, opening: undefined, leadIn: undefined, hep: true, bytes };
      else if ((kind & FLAG_STREAM_KEYS) !== 0) payload = { file, packetNumber, packets, timeUs, src, dst, transport, opening: undefined, leadIn: undefined, bytes };
      else payload = { file, packetNumber, packets, timeUs, src, dst, transport, bytes };
      if ((kind & FLAG_ICMP_QUOTE) !== 0) payload.icmpQuote = true;
      sink.payload(payload, scans, i * SCAN_STRIDE);
    }
    deliverEvents(events, event, Infinity, sink);
  }

  private endpoint(ipId: number, port: number): Endpoint {
    const key = ipId * 65536 + port;
    let endpoint = this.endpoints.get(key);
    if (endpoint === undefined) {
      if (this.endpoints.size >= MAX_ENDPOINTS) this.endpoints.clear();
      endpoint = { ip: this.strings[ipId], port };
      this.endpoints.set(key, endpoint);
    }
    return endpoint;
  }
}

/** Capture files smaller than this (in all) are read in one thread: a thread's start costs more than it saves. */
export const READ_THREAD_MIN_BYTES = 32 * 1024 * 1024;

/**
 * Whether reading these inputs on a second thread pays: all are regular files (not '-'), of READ_THREAD_MIN_BYTES
 * or more in all, and the machine runs two threads at once (os.availableParallelism).
 */
export function readThreadPays(inputs: readonly string[], minBytes = READ_THREAD_MIN_BYTES): boolean {
  if (inputs.length === 0 || availableParallelism() < 2) return false;
  let total = 0;
  for (const input of inputs) {
    if (input === '-') return false;
    try {
      const stat = statSync(input);
      if (!stat.isFile()) return false;
      total += stat.size;
    } catch {
      return false;
    }
  }
  return total >= minBytes;
}
