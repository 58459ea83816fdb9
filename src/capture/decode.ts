/**
 * The capture pipeline's entry point: inputs (files, '-' for stdin, .gz) -> container readers -> per-file packet
 * decoders -> SIP payloads, streaming in constant memory. Several inputs are merged by capture time (k-way
 * merge of the per-file streams); each file keeps its own fragment and TCP state and its own packet numbers, or,
 * with `asOneCapture`, all files share one decoder and one numbering, as the capture mergecap would write. All
 * inputs are opened first; one that cannot be is reported as an issue (`unusableInput`) and the others are read.
 */
import { GzipDamageError } from './errors.js';
import { DEFAULT_FRAGMENT_LIMITS, type FragmentLimits } from './fragments.js';
import { MergeHeap, type MergeSource } from './merge-heap.js';
import { openCaptures, type OpenedCapture } from './open-capture.js';
import type { CaptureError } from './errors.js';
import { PacketDecoder } from './packet-decoder.js';
import { STEP_NEED_BYTES, STEP_PACKET, type ContainerIssue } from './packet-record.js';
import { decodeSctp, SctpFragments } from './sctp.js';
import { TcpReassembler, type TcpLimits } from './tcp-reassembly.js';
import type { StreamDecoderSink, StreamHooks } from './layer-state.js';
import type { DecodeIssue, DecodeStats, SipPayload } from './types.js';

export interface CaptureSink {
  /** One SIP message; `bytes` is the receiver's to keep. */
  payload(p: SipPayload): void;
  issue?(i: DecodeIssue): void;
  /** Called as input is read: bytes of all inputs read so far, and their total size when known. */
  progress?(bytesRead: number, totalBytes: number | undefined): void;
}

export interface DecodeOptions {
  fragments?: Partial<FragmentLimits>;
  tcp?: Partial<TcpLimits>;
  /** Size of each file's read window (default 4 MiB). */
  windowBytes?: number;
  /** Stream read for the input '-' (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /**
   * Several inputs read as the one capture `mergecap -w merged.pcapng FILE...` would make of them: packets
   * numbered across all files in the merged order (packet N is frame N of the merged file), and one IP fragment
   * and TCP reassembly state, so a ring of files loses nothing at its file boundaries. Without it, each file has
   * its own numbers and its own state. Issues name the file and byte offset either way, and their packet numbers
   * are those of the packets: a container issue (corrupt block, truncated file) lies before the merged number of
   * the next packet read from its file, or, at the file's end, before the number after its last packet.
   */
  asOneCapture?: boolean;
}

interface FileDecode extends MergeSource {
  index: number;
  file: string;
  capture: OpenedCapture;
  /** The file's own, or the one decoder of all files read as one capture. */
  decoder: PacketDecoder;
  /** Where the file's issues go. */
  issue: (issue: DecodeIssue) => void;
  /** Where the file's container reader reports damage (numbered as the file's own packets). */
  containerIssue: ContainerIssue;
  /**
   * Container issues of a file read as part of one capture, held until the packet they precede or are in has its
   * number in the merged order (the reader reads one packet ahead of the merge); always empty otherwise.
   */
  held: DecodeIssue[];
  /** The decoder is the file's own: flushed at the file's end. */
  flushes: boolean;
  /** Set once the file is exhausted or unreadable. */
  done: boolean;
}

export async function decodeCaptures(inputs: string[], sink: CaptureSink, options: DecodeOptions = {}): Promise<DecodeStats> {
  const stats: DecodeStats = { files: inputs.length, packets: 0, bytes: 0, sipMessages: 0, decodeErrors: 0 };
  const issueSink = (issue: DecodeIssue): void => {
    stats.decodeErrors++;
    sink.issue?.(issue);
  };
  // files read through gunzip (known once opened): the offsets of their packets count inflated bytes
  const compressedFiles = new Set<string>();
  const payloadSink: StreamDecoderSink = {
    message: (payload) => {
      stats.sipMessages++;
      sink.payload(payload);
    },
    issue: (issue) => {
      if (issue.offset !== undefined && compressedFiles.has(issue.file)) issue.offsetInflated = true;
      issueSink(issue);
    },
  };
  const asOne = options.asOneCapture === true && inputs.length > 1;
  const newDecoder = () => new PacketDecoder(payloadSink, streamHooks(payloadSink, options), { ...DEFAULT_FRAGMENT_LIMITS, ...options.fragments });
  const sharedDecoder = asOne ? newDecoder() : undefined;
  const files: FileDecode[] = [];
  try {
    // each input's container issues, made before it is opened (its reader reports through them) and kept by index
    const perInput: Array<{ held: DecodeIssue[]; containerIssue: ContainerIssue }> = [];
    const containerIssueOf = (file: string, index: number): ContainerIssue => {
      const held: DecodeIssue[] = [];
      const containerIssue: ContainerIssue = (code, message, place, offset, offsetInFile = false) => {
        const issue: DecodeIssue = { code, message, file, ...place, offset };
        if (!offsetInFile && compressedFiles.has(file)) issue.offsetInflated = true;
        if (asOne) held.push(issue);
        else issueSink(issue);
      };
      perInput[index] = { held, containerIssue };
      return containerIssue;
    };
    const opened = await openCaptures(inputs, containerIssueOf, { windowBytes: options.windowBytes, stdin: options.stdin });
    for (const { index, capture } of opened.captures) {
      const { held, containerIssue } = perInput[index];
      if (capture.compressed) compressedFiles.add(capture.file);
      const decoder = sharedDecoder ?? newDecoder();
      const record = capture.reader.record;
      files.push({
        index, file: capture.file, capture, decoder, issue: issueSink, containerIssue, held, done: false, flushes: !asOne,
        currentTimeUs: () => record.timeUs, currentTimeExtraNs: () => record.timeExtraNs,
      });
    }
    reportUnusable(opened.unusable, stats, issueSink, asOne);
    const progress = progressReporter(files, sink);
    // read as one capture, a lone readable file of several still has its container issues held and numbered
    if (files.length === 1 && !asOne) await decodeOne(files[0], stats, progress);
    else await decodeMerged(files, stats, progress, asOne);
    sharedDecoder?.flush();
  } finally {
    for (const file of files) {
      stats.bytes += file.capture.rawBytesRead;
      await file.capture.close().catch(() => undefined);
    }
  }
  return stats;
}

/**
 * Each input that could not be opened, as one issue naming it and why; the others are read. Read as one capture,
 * the packet numbers are those of the merge of the inputs read, not of all inputs given (mergecap of all of them
 * numbers differently): the issue says so.
 */
function reportUnusable(unusable: CaptureError[], stats: DecodeStats, issueSink: (issue: DecodeIssue) => void, asOne: boolean): void {
  if (unusable.length === 0) return;
  stats.unusableInputs = unusable.map((error) => error.file);
  stats.files -= unusable.length;
  const numbering = asOne ? '; packet numbers count only the packets of the inputs read' : '';
  for (const error of unusable) {
    const reason = error.message.startsWith(`${error.file}: `) ? error.message.slice(error.file.length + 2) : error.message;
    issueSink({ code: error.code, message: `${reason}: input skipped, the other inputs are read${numbering}`, file: error.file, unusableInput: true });
  }
}

function streamHooks(sink: StreamDecoderSink, options: DecodeOptions): StreamHooks {
  const tcp = new TcpReassembler(sink, options.tcp);
  const sctpFragments = new SctpFragments();
  return {
    tcpSegment: (segment) => tcp.segment(segment),
    sctp: (packet, meta) => decodeSctp(packet, meta, sink, sctpFragments),
    flush: () => tcp.flush(),
  };
}

function progressReporter(files: FileDecode[], sink: CaptureSink): () => void {
  if (sink.progress === undefined) return () => undefined;
  const sizes = files.map((file) => file.capture.totalBytes);
  const total = sizes.every((size) => size !== undefined) ? sizes.reduce((sum: number, size) => sum + (size ?? 0), 0) : undefined;
  return () => sink.progress?.(files.reduce((sum, file) => sum + file.capture.rawBytesRead, 0), total);
}

/** The hot loop: synchronous steps through the window, an await only when the window needs refilling. */
async function decodeOne(file: FileDecode, stats: DecodeStats, progress: () => void): Promise<void> {
  const reader = file.capture.reader;
  const decoder = file.decoder;
  for (;;) {
    const step = reader.step();
    if (step === STEP_PACKET) {
      stats.packets++;
      decoder.packet(reader.record, file.file);
    } else if (step === STEP_NEED_BYTES) {
      if (!(await refill(file))) break;
      progress();
    } else {
      break;
    }
  }
  finish(file);
  progress();
}

/** k-way merge by capture time (a min-heap of the files' current packets); ties go to the earlier input. */
async function decodeMerged(files: FileDecode[], stats: DecodeStats, progress: () => void, asOne: boolean): Promise<void> {
  const heap = new MergeHeap<FileDecode>();
  for (const file of files) {
    if (await advance(file, progress)) heap.push(file);
    else releaseHeld(file, stats.packets + 1);
  }
  for (let file = heap.peek(); file !== undefined; file = heap.peek()) {
    stats.packets++;
    const record = file.capture.reader.record;
    const packetNumber = asOne ? stats.packets : record.packetNumber;
    if (file.held.length !== 0) releaseHeld(file, packetNumber);
    file.decoder.packet(record, file.file, packetNumber);
    if (await advance(file, progress)) {
      heap.topChanged();
    } else {
      heap.pop();
      // damage at the file's end lies after its last packet, before the next number
      releaseHeld(file, packetNumber + 1);
    }
  }
}

/** Held container issues, numbered now that the packet they precede (or are in) has its merged number. */
function releaseHeld(file: FileDecode, packetNumber: number): void {
  for (const issue of file.held) {
    if (issue.packetNumber !== undefined) issue.packetNumber = packetNumber;
    else issue.beforePacket = packetNumber;
    file.issue(issue);
  }
  file.held.length = 0;
}

/** Moves a file to its next packet; false (and the file flushed) at its end. */
async function advance(file: FileDecode, progress: () => void): Promise<boolean> {
  for (;;) {
    const step = file.capture.reader.step();
    if (step === STEP_PACKET) return true;
    if (step === STEP_NEED_BYTES && (await refill(file))) {
      progress();
      continue;
    }
    finish(file);
    return false;
  }
}

/**
 * A read failure ends this file with one issue; what was decoded stays. A damaged gzip stream comes after every
 * byte inflated before it (a cut .gz is reported as 'truncated-file' like a cut plain capture, at its compressed
 * offset); any other failure (I/O) is a 'read-error'.
 */
async function refill(file: FileDecode): Promise<boolean> {
  try {
    await file.capture.reader.refill();
    return true;
  } catch (error) {
    // the damage lies before the packet the reader would have read next
    const place = { beforePacket: file.capture.reader.record.packetNumber + 1 };
    if (error instanceof GzipDamageError) {
      file.containerIssue(error.code, error.detail, place, error.offset, true);
    } else {
      const reason = error instanceof Error ? error.message : String(error);
      file.containerIssue('read-error', `reading stopped: ${reason}`, place, file.capture.rawBytesRead, true);
    }
    return false;
  }
}

function finish(file: FileDecode): void {
  if (file.done) return;
  file.done = true;
  if (file.flushes) file.decoder.flush();
}
