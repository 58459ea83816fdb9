/**
 * Opens one input ('-' is stdin), unwraps gzip (RFC 1952, detected by its magic, not the file name; see
 * gunzip-source.ts) and picks the container reader by magic number. Only an input whose container header cannot be
 * read (unrecognised format, unreadable file, gzip damaged before it, a file cut inside it) is fatal: to a lone input;
 * of several (openCaptures) only to that one, set aside and named while the others are read.
 */
import { stat } from 'node:fs/promises';
import { ByteSource, CountingByteSource, FileByteSource, PrefixedByteSource, RetainingByteSource, StreamByteSource } from './byte-source.js';
import { ChunkReader, DEFAULT_WINDOW_BYTES } from './chunk-reader.js';
import { CaptureError, CaptureReadError, EmptyCaptureError, hexBytes, NoUsableInputError, TruncatedHeaderError, UnrecognisedCaptureError } from './errors.js';
import { gunzipSource, type Replay } from './gunzip-source.js';
import { u32le, type ContainerIssue, type PacketReader } from './packet-record.js';
import { isPcapMagic, parsePcapHeader, PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO, pcapHeaderCut, PcapReader } from './pcap.js';
import { BLOCK_SECTION_HEADER, isPcapngStart, PcapngReader, sectionHeaderBytes, sectionHeaderCut } from './pcapng.js';

export interface OpenedCapture {
  file: string;
  reader: PacketReader;
  /** Bytes read so far from the file or stdin (compressed bytes for .gz). */
  readonly rawBytesRead: number;
  /** Size on disk, undefined for stdin. */
  totalBytes: number | undefined;
  compressed: boolean;
  close(): Promise<void>;
}

export interface OpenOptions {
  windowBytes?: number;
  stdin?: NodeJS.ReadableStream;
}

const PEEK_BYTES = 12;

/** The inputs of one run, all opened before any is read: those that could be, and why each other one could not. */
export interface OpenedCaptures {
  /** In the order given, each with its index among the inputs. */
  captures: Array<{ index: number; capture: OpenedCapture }>;
  /** One error per input that could not be opened (missing, a directory, empty, not a capture), in the order given. */
  unusable: CaptureError[];
}

/**
 * Opens every input the way openCapture does, the one way all commands open several files: an input that cannot be
 * opened is set aside with its error and the others are kept, as a reader of the rest still has something to show.
 * Only when no input can be opened does it throw: a lone input's own error, or for several a NoUsableInputError
 * naming each. Anything else thrown (not a CaptureError) is a bug and goes on up, the opened inputs closed.
 */
export async function openCaptures(inputs: string[], issueOf: (file: string, index: number) => ContainerIssue, options: OpenOptions = {}): Promise<OpenedCaptures> {
  const opened: OpenedCaptures = { captures: [], unusable: [] };
  try {
    for (const [index, file] of inputs.entries()) {
      try {
        opened.captures.push({ index, capture: await openCapture(file, issueOf(file, index), options) });
      } catch (error) {
        if (!(error instanceof CaptureError)) throw error;
        opened.unusable.push(error);
      }
    }
  } catch (error) {
    for (const { capture } of opened.captures) await capture.close().catch(() => undefined);
    throw error;
  }
  if (opened.captures.length === 0 && opened.unusable.length > 0) {
    throw opened.unusable.length === 1 ? opened.unusable[0] : new NoUsableInputError(opened.unusable);
  }
  return opened;
}

export async function openCapture(file: string, issue: ContainerIssue, options: OpenOptions = {}): Promise<OpenedCapture> {
  let raw: CountingByteSource;
  let totalBytes: number | undefined;
  try {
    if (file === '-') {
      raw = new CountingByteSource(new StreamByteSource((options.stdin ?? process.stdin) as never));
    } else {
      const info = await stat(file);
      totalBytes = info.isFile() ? info.size : undefined;
      raw = new CountingByteSource(await FileByteSource.open(file));
    }
  } catch (error) {
    throw new CaptureReadError(file, error);
  }
  try {
    const peek = await readUpTo(raw, PEEK_BYTES);
    const compressed = peek[0] === 0x1f && peek[1] === 0x8b;
    let source: ByteSource = new PrefixedByteSource(peek, raw);
    let head = peek;
    if (compressed) {
      source = gunzipSource(...replayable(source, file, totalBytes));
      head = await readUpTo(source, PEEK_BYTES);
      source = new PrefixedByteSource(head, source);
    }
    const chunks = new ChunkReader(source, options.windowBytes ?? DEFAULT_WINDOW_BYTES);
    await chunks.fill(24);
    // a pcapng file's header is its whole first section header block: read it all to tell a cut one
    if (chunks.available >= 4 && u32le(chunks.buffer, chunks.pos) === BLOCK_SECTION_HEADER) await chunks.fill(sectionHeaderBytes(chunks.buffer, chunks.pos, chunks.available));
    const reader = containerReader(file, chunks, head, issue, compressed);
    return {
      file,
      reader,
      get rawBytesRead() {
        return raw.bytesRead;
      },
      totalBytes,
      compressed,
      close: async () => {
        await chunks.settle();
        await source.close();
      },
    };
  } catch (error) {
    await raw.close().catch(() => undefined);
    // an unrecognised format, a file cut inside its header, or a gzip stream damaged before the header could be read
    if (error instanceof CaptureError) throw error;
    throw new CaptureReadError(file, error);
  }
}

/** Compressed bytes of a stream read once (stdin, a pipe) kept to inflate them again after damage (gunzip-source.ts). */
const REPLAY_KEEP_BYTES = 4 * 1024 * 1024;

/**
 * The gzip input and how to read it again from its start: a regular file is opened again; anything else is kept as
 * it is read, up to REPLAY_KEEP_BYTES.
 */
function replayable(compressed: ByteSource, file: string, totalBytes: number | undefined): [ByteSource, string, Replay] {
  if (file !== '-' && totalBytes !== undefined) return [compressed, file, () => FileByteSource.open(file)];
  const retaining = new RetainingByteSource(compressed, REPLAY_KEEP_BYTES);
  return [retaining, file, async () => retaining.replay()];
}

function containerReader(file: string, chunks: ChunkReader, head: Uint8Array, issue: ContainerIssue, compressed: boolean): PacketReader {
  const b = chunks.buffer;
  const at = chunks.pos;
  if (chunks.available >= 24) {
    const pcapHeader = parsePcapHeader(b, at);
    if (pcapHeader !== undefined) return new PcapReader(chunks, pcapHeader, issue);
  }
  if (chunks.available >= 12 && isPcapngStart(b, at) && sectionHeaderCut(b, at, chunks.available) === undefined) return new PcapngReader(chunks, issue);
  throw notReadable(file, chunks, head, compressed);
}

/** The four bytes of a 32-bit number, most significant first, and least significant first. */
const bytesOf = (value: number): number[][] => {
  const bigEndian = [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
  return [bigEndian, [...bigEndian].reverse()];
};

/** Magic numbers a capture may start with (pcap.ts, pcapng.ts), for telling what the first bytes of a too short input begin. */
const MAGIC_STARTS: Array<[string, number[][]]> = [
  ['a pcap file', [PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO].flatMap(bytesOf)],
  ['a pcapng file', bytesOf(BLOCK_SECTION_HEADER)],
];

/**
 * Why the input is no capture that can be read: empty; too short for a magic number; a pcap or pcapng file cut
 * inside its file header (for pcapng, its first section header block), said with the field the cut falls in; a
 * pcapng section header block whose byte-order magic is wrong; or something else altogether (then its first bytes
 * are shown).
 */
function notReadable(file: string, chunks: ChunkReader, head: Uint8Array, compressed: boolean): CaptureError {
  const b = chunks.buffer;
  const at = chunks.pos;
  const available = chunks.available;
  const firstBytes = head.subarray(0, Math.min(head.length, 8));
  if (available === 0) return new EmptyCaptureError(file, compressed);
  if (available < 4) {
    const bytes = [...b.subarray(at, at + available)];
    const begun = MAGIC_STARTS.find(([, magics]) => magics.some((magic) => bytes.every((byte, i) => byte === magic[i])));
    const what = available === 1 ? ['1 byte', 'it is'] : [`${available} bytes`, 'they are'];
    return new UnrecognisedCaptureError(file, firstBytes, `only ${what[0]}, too few for a magic number (4 bytes)${begun ? `, though ${what[1]} the start of ${begun[0]}'s` : ''}`);
  }
  if (available < 24 && isPcapMagic(b, at)) return new TruncatedHeaderError(file, 'pcap', pcapHeaderCut(available));
  if (u32le(b, at) === BLOCK_SECTION_HEADER) {
    if (available >= 12 && !isPcapngStart(b, at)) {
      const magic = hexBytes(b.subarray(at + 8, at + 12));
      return new UnrecognisedCaptureError(file, firstBytes, `its pcapng section header block has the byte-order magic ${magic}, not 4d 3c 2b 1a or 1a 2b 3c 4d`);
    }
    const cut = sectionHeaderCut(b, at, available);
    if (cut !== undefined) return new TruncatedHeaderError(file, 'pcapng', cut);
  }
  return new UnrecognisedCaptureError(file, firstBytes);
}

async function readUpTo(source: ByteSource, count: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(count);
  let filled = 0;
  while (filled < count) {
    const got = await source.read(bytes, filled, count - filled);
    if (got === 0) break;
    filled += got;
  }
  return bytes.subarray(0, filled);
}
