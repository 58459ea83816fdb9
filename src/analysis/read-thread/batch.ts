/**
 * What the read thread (worker.ts) posts to the analysis thread (read-thread.ts): batches of decoded messages as
 * numbers, bytes and scan records in transferred buffers, with the decoder's issues and progress reports at their
 * place among the messages; then the decoding's end (its statistics) or its error.
 */
import {
  CaptureError,
  CaptureReadError,
  EmptyCaptureError,
  GzipDamageError,
  NoUsableInputError,
  TruncatedHeaderError,
  UnrecognisedCaptureError,
} from '../../capture/errors.js';
import type { DecodeIssue, DecodeStats } from '../../capture/types.js';

/** Int32 slots of one message's numbers in Batch.numbers. */
export const META_STRIDE = 11;
export const META_PACKET = 0;
/** Ids into the string table (Batch.strings adds to it): the file, the source and destination addresses. */
export const META_FILE = 1;
export const META_SRC_IP = 2;
export const META_SRC_PORT = 3;
export const META_DST_IP = 4;
export const META_DST_PORT = 5;
/** TRANSPORT_* | FLAG_*. */
export const META_KIND = 6;
/** The message's bytes in Batch.bytes. */
export const META_BYTES_AT = 7;
export const META_BYTES_LENGTH = 8;
/** Its `packets` in Batch.frames. */
export const META_FRAMES_AT = 9;
export const META_FRAMES_LENGTH = 10;

export const TRANSPORTS = ['udp', 'tcp', 'ws', 'sctp'] as const;
export const TRANSPORT_MASK = 0x0f;
/** The decoder's payload had the stream keys (opening, leadIn: TCP and HEP payloads): the same shape is made. */
export const FLAG_STREAM_KEYS = 0x10;
export const FLAG_HEP = 0x20;
export const FLAG_ICMP_QUOTE = 0x40;

/** An issue or a progress report, before message `before` of its batch (count: after all of them). */
export type BatchEvent = { before: number; issue: DecodeIssue } | { before: number; bytesRead: number; totalBytes: number | undefined };

export interface Batch {
  type: 'batch';
  count: number;
  /** Strings new to the table, in id order. */
  strings: string[];
  /** The table starts anew with this batch (ids from 0): the read thread clears it once it holds maxStrings. */
  stringsReset: boolean;
  numbers: Int32Array;
  /** Capture times (µs since the epoch). */
  times: Float64Array;
  frames: Int32Array;
  bytes: ArrayBuffer;
  /** The plain scan's record of each message (plain-record.ts, SCAN_STRIDE slots each). */
  scans: Int32Array;
  events: BatchEvent[];
}

export interface DecodeEnd {
  type: 'end';
  stats: DecodeStats;
  events: BatchEvent[];
}

/** The decoding threw: the error as data (sentError), made again by errorOfSent. */
export interface DecodeFailure {
  type: 'error';
  events: BatchEvent[];
  error: SentError;
}

/** An error as data: its class (one of capture/errors.ts, else Error), message, stack and own fields. */
export interface SentError {
  className: string;
  message: string;
  stack?: string;
  fields: Record<string, unknown>;
}

const CAPTURE_ERRORS: Record<string, { prototype: Error }> = {
  CaptureError,
  UnrecognisedCaptureError,
  EmptyCaptureError,
  TruncatedHeaderError,
  CaptureReadError,
  NoUsableInputError,
  GzipDamageError,
};

/** The error as data; a capture error's class and its own fields (the CaptureErrors a NoUsableInputError holds too). */
export function sentError(error: unknown): SentError {
  if (!(error instanceof Error)) return { className: 'Error', message: String(error), fields: {} };
  const className = error instanceof CaptureError && CAPTURE_ERRORS[error.constructor.name] === error.constructor ? error.constructor.name : 'Error';
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    fields[key] = Array.isArray(value) ? value.map((item) => (item instanceof Error ? { sentError: sentError(item) } : item)) : value instanceof Error ? { sentError: sentError(value) } : value;
  }
  return { className, message: error.message, stack: error.stack, fields };
}

/** The error sentError made data of, of the same class with the same fields. */
export function errorOfSent(sent: SentError): Error {
  const error: Error = sent.className === 'Error' ? new Error(sent.message) : (Object.create(CAPTURE_ERRORS[sent.className].prototype) as Error);
  Object.defineProperty(error, 'message', { value: sent.message, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(error, 'stack', { value: sent.stack, writable: true, configurable: true, enumerable: false });
  for (const [key, value] of Object.entries(sent.fields)) {
    const made = (item: unknown) => (item !== null && typeof item === 'object' && 'sentError' in item ? errorOfSent((item as { sentError: SentError }).sentError) : item);
    (error as unknown as Record<string, unknown>)[key] = Array.isArray(value) ? value.map(made) : made(value);
  }
  return error;
}

export type ReadThreadMessage = Batch | DecodeEnd | DecodeFailure;

/** What the read thread is started with (workerData). */
export interface ReadThreadData {
  inputs: string[];
  asOneCapture: boolean;
  windowBytes?: number;
  /** Most messages in a batch, and its bytes buffer's size (a larger message is a batch of its own). */
  batchMessages: number;
  batchBytes: number;
  /** [batches posted, batches read]: the read thread waits while more than maxUnread are unread. */
  counters: SharedArrayBuffer;
  maxUnread: number;
  /** Whether to post progress reports. */
  progress: boolean;
  /** Strings (files, addresses) the table holds before it starts anew: memory stays bounded whatever the addresses. */
  maxStrings: number;
}

export const POSTED = 0;
export const READ = 1;
