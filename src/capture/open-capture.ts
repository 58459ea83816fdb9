/**
 * Opens one input ('-' is stdin), unwraps gzip (RFC 1952, detected by its magic, not the file name) and picks
 * the container reader by magic number. Only an unrecognised format is fatal.
 */
import { stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { ByteSource, CountingByteSource, FileByteSource, PrefixedByteSource, StreamByteSource } from './byte-source.js';
import { ChunkReader, DEFAULT_WINDOW_BYTES } from './chunk-reader.js';
import { CaptureReadError, UnrecognisedCaptureError } from './errors.js';
import type { ContainerIssue, PacketReader } from './packet-record.js';
import { parsePcapHeader, PcapReader } from './pcap.js';
import { isPcapngStart, PcapngReader } from './pcapng.js';

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
      source = gunzipSource(source);
      head = await readUpTo(source, PEEK_BYTES);
      source = new PrefixedByteSource(head, source);
    }
    const chunks = new ChunkReader(source, options.windowBytes ?? DEFAULT_WINDOW_BYTES);
    await chunks.fill(24);
    const reader = containerReader(file, chunks, head, issue);
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
    if (error instanceof UnrecognisedCaptureError) throw error;
    throw new CaptureReadError(file, error);
  }
}

function containerReader(file: string, chunks: ChunkReader, head: Uint8Array, issue: ContainerIssue): PacketReader {
  const b = chunks.buffer;
  if (chunks.available >= 24) {
    const pcapHeader = parsePcapHeader(b, chunks.pos);
    if (pcapHeader !== undefined) return new PcapReader(chunks, pcapHeader, issue);
  }
  if (chunks.available >= 12 && isPcapngStart(b, chunks.pos)) return new PcapngReader(chunks, issue);
  throw new UnrecognisedCaptureError(file, head.subarray(0, Math.min(head.length, 8)));
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

/** Feeds the compressed source through zlib, respecting backpressure; errors surface on read(). */
function gunzipSource(compressed: ByteSource): ByteSource {
  const gunzip = createGunzip();
  const output = new StreamByteSource(gunzip);
  const pump = async (): Promise<void> => {
    const chunk = Buffer.allocUnsafe(DEFAULT_WINDOW_BYTES);
    for (;;) {
      const got = await compressed.read(chunk, 0, chunk.length);
      if (got === 0) break;
      // copy: zlib may keep the chunk while we read the next one into our buffer
      if (!gunzip.write(Buffer.from(chunk.subarray(0, got)))) {
        await new Promise<void>((resolve) => {
          const resume = (): void => {
            gunzip.off('drain', resume);
            gunzip.off('close', resume);
            resolve();
          };
          gunzip.on('drain', resume);
          gunzip.on('close', resume);
        });
        if (gunzip.destroyed) return;
      }
    }
    gunzip.end();
  };
  pump().catch((error: unknown) => gunzip.destroy(error instanceof Error ? error : new Error(String(error))));
  return {
    read: (target, offset, length) => output.read(target, offset, length),
    close: async () => {
      gunzip.destroy();
      await compressed.close();
    },
  };
}
