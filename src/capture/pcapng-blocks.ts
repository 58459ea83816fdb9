/**
 * The three pcapng blocks sipscope writes (draft-ietf-opsawg-pcapng §4.1 SHB, §4.2 IDB, §4.3 EPB), little-endian,
 * shared by `extract` (capture/writer.ts) and `serve --record` (server/recorder.ts).
 */

/** SHB: byte-order magic, version 1.0, section length unknown (-1), no options. */
export function sectionHeaderBlock(): Buffer {
  const block = Buffer.alloc(28);
  block.writeUInt32LE(0x0a0d0d0a, 0);
  block.writeUInt32LE(28, 4);
  block.writeUInt32LE(0x1a2b3c4d, 8);
  block.writeUInt16LE(1, 12);
  block.writeUInt16LE(0, 14);
  block.writeInt32LE(-1, 16);
  block.writeInt32LE(-1, 20);
  block.writeUInt32LE(28, 24);
  return block;
}

/** IDB of one link type; with `name`, option if_name; with `nanosecond`, option if_tsresol 9 (else the default, microseconds). */
export function interfaceDescriptionBlock(linkType: number, snaplen: number, nanosecond = false, name?: string): Buffer {
  const options: Buffer[] = [];
  if (name !== undefined) options.push(option(2, Buffer.from(name, 'utf8'))); // if_name
  if (nanosecond) options.push(option(9, Buffer.from([9]))); // if_tsresol: 10^-9 s
  if (options.length > 0) options.push(Buffer.alloc(4)); // opt_endofopt
  const body = Buffer.concat(options);
  const block = Buffer.alloc(20 + body.length);
  block.writeUInt32LE(1, 0);
  block.writeUInt32LE(block.length, 4);
  block.writeUInt16LE(linkType, 8);
  block.writeUInt32LE(snaplen, 12);
  body.copy(block, 16);
  block.writeUInt32LE(block.length, block.length - 4);
  return block;
}

/** One option: code, length, value padded to 32 bits (§3.5). */
function option(code: number, value: Buffer): Buffer {
  const out = Buffer.alloc(4 + ((value.length + 3) & ~3));
  out.writeUInt16LE(code, 0);
  out.writeUInt16LE(value.length, 2);
  value.copy(out, 4);
  return out;
}

/** EPB: a 64-bit time stamp in the interface's units, captured bytes padded to 32 bits, their original length. */
export function enhancedPacketBlock(interfaceId: number, timeUnits: bigint, bytes: Uint8Array, originalLength = bytes.length): Buffer {
  const padded = (bytes.length + 3) & ~3;
  const block = Buffer.alloc(32 + padded);
  block.writeUInt32LE(6, 0);
  block.writeUInt32LE(block.length, 4);
  block.writeUInt32LE(interfaceId, 8);
  block.writeUInt32LE(Number(timeUnits >> 32n), 12);
  block.writeUInt32LE(Number(timeUnits & 0xffffffffn), 16);
  block.writeUInt32LE(bytes.length, 20);
  block.writeUInt32LE(originalLength, 24);
  block.set(bytes, 28);
  block.writeUInt32LE(block.length, block.length - 4);
  return block;
}
