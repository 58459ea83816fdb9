/**
 * Glue between a byte stream (TCP, TLS) and SIP messages: accumulates chunks and cuts messages by
 * Content-Length (RFC 3261 §18.3) with the shared framing rule of src/sip/framing.ts.
 */
import { frameMessage } from '../sip/index.js';
import { TransportError } from './errors.js';

export class StreamFramer {
  private buffer: Buffer = Buffer.alloc(0);
  /** Bytes consumed so far, for error offsets. */
  private consumed = 0;

  /** Adds a chunk and returns every whole message now available, in order. Throws on unframeable bytes. */
  push(chunk: Uint8Array): Buffer[] {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const messages: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const frame = frameMessage(this.buffer, offset);
      if (frame.kind === 'incomplete') {
        offset += frame.start;
        break;
      }
      if (frame.kind === 'error') {
        throw new TransportError(
          'bad-framing',
          `stream message at byte ${this.consumed + offset + frame.start} cannot be framed: ${frame.code}`,
        );
      }
      const start = offset + frame.start;
      messages.push(this.buffer.subarray(start, start + frame.length));
      offset = start + frame.length;
    }
    this.consumed += offset;
    this.buffer = offset === this.buffer.length ? Buffer.alloc(0) : Buffer.from(this.buffer.subarray(offset));
    return messages;
  }

  /** Bytes held while waiting for the rest of a message. */
  get pending(): number {
    return this.buffer.length;
  }
}
