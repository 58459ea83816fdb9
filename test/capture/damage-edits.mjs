/**
 * Test-only: damage made to real fixture captures, byte for byte and reproducibly, for the tests of damaged input
 * (test/capture/damaged-*.test.ts). Each function takes the bytes of a capture from fixtures/captures/ and returns a
 * damaged copy; the tests write it to a scratch file and take what must be read of it from tshark, never from
 * sipscope. No packet is added or removed unless the function says so, and frame numbers stay those of the original.
 * fixtures/captures/damaged/make-damaged.mjs writes the captures the tests damage this way, with tshark's reading.
 */

/** File offset of the first byte of frame `frame`'s captured data in a little-endian pcapng (EPBs only), and its length. */
/** @param {Buffer} bytes @param {number} frame @returns {{ at: number, length: number }} */
export function pcapngFrameData(bytes, frame) {
  let seen = 0;
  for (let at = 0; at + 12 <= bytes.length; at += bytes.readUInt32LE(at + 4)) {
    if (bytes.readUInt32LE(at) !== 6) continue;
    if (++seen === frame) return { at: at + 28, length: bytes.readUInt32LE(at + 20) };
  }
  throw new Error(`no enhanced packet block for frame ${frame}`);
}

/**
 * A copy of a pcapng with the first `original` in frame `frame`'s data replaced by `replacement` (same length: the
 * frame keeps its size, its TCP sequence numbers stay right; only the bytes are wrong, as when a bit flips).
 */
/** @param {Buffer} bytes @param {number} frame @param {string} original @param {string} replacement @returns {Buffer} */
export function replaceInFrame(bytes, frame, original, replacement) {
  if (original.length !== replacement.length) throw new Error('a replacement keeps the length of the bytes it replaces');
  const { at, length } = pcapngFrameData(bytes, frame);
  const where = bytes.subarray(at, at + length).indexOf(Buffer.from(original, 'latin1'));
  if (where < 0) throw new Error(`${JSON.stringify(original)} not in frame ${frame}`);
  const damaged = Buffer.from(bytes);
  damaged.write(replacement, at + where, 'latin1');
  return damaged;
}

/** File offsets of the records of a little-endian classic pcap (24-byte file header, 16-byte record headers). */
/** @param {Buffer} bytes @returns {number[]} */
export function pcapRecordOffsets(bytes) {
  const offsets = [];
  for (let at = 24; at + 16 <= bytes.length; at += 16 + bytes.readUInt32LE(at + 8)) offsets.push(at);
  return offsets;
}

/** A copy of a classic pcap without `count` bytes at `offset` (bytes lost in the middle of the file). */
/** @param {Buffer} bytes @param {number} offset @param {number} count @returns {Buffer} */
export function deleteBytes(bytes, offset, count) {
  return Buffer.concat([bytes.subarray(0, offset), bytes.subarray(offset + count)]);
}

/**
 * A copy of a little-endian classic pcap whose record `record` (1-based) has the most significant byte of its
 * timestamp seconds XORed with `mask` (one corrupt byte, as when bits flip): its lengths and every other byte intact.
 */
/** @param {Buffer} bytes @param {number} record @param {number} mask @returns {Buffer} */
export function flipSecondsHighByte(bytes, record, mask) {
  const damaged = Buffer.from(bytes);
  damaged[pcapRecordOffsets(bytes)[record - 1] + 3] ^= mask;
  return damaged;
}

/**
 * A copy of a little-endian classic pcap of Ethernet + IPv4 + UDP in which record `record`'s (1-based) UDP payload is
 * cut to `keep` bytes: the record's lengths, the IPv4 total length and header checksum and the UDP length follow
 * (the UDP checksum is set to 0, "none", RFC 768), as if the sender had sent only those bytes.
 */
/** @param {Buffer} bytes @param {number} record @param {(payload: Buffer) => number} keep @returns {Buffer} */
export function cutUdpPayload(bytes, record, keep) {
  return rewriteUdpPayload(bytes, record, (payload) => payload.subarray(0, keep(payload)));
}

/**
 * A copy of a little-endian classic pcap of Ethernet + IPv4 + UDP in which record `record`'s (1-based) UDP payload is
 * replaced by `rewrite(payload)`: the record's lengths, the IPv4 total length and header checksum and the UDP length
 * follow (the UDP checksum is set to 0, "none", RFC 768), as if the sender had sent those bytes.
 */
/** @param {Buffer} bytes @param {number} record @param {(payload: Buffer) => Buffer} rewrite @returns {Buffer} */
export function rewriteUdpPayload(bytes, record, rewrite) {
  const at = pcapRecordOffsets(bytes)[record - 1];
  const frame = bytes.subarray(at + 16, at + 16 + bytes.readUInt32LE(at + 8));
  const ip = 14;
  const udp = ip + (frame[ip] & 0x0f) * 4;
  const payload = frame.subarray(udp + 8);
  const cut = Buffer.concat([frame.subarray(0, udp + 8), rewrite(payload)]);
  cut.writeUInt16BE(cut.length - ip, ip + 2);
  cut.writeUInt16BE(0, ip + 10);
  let sum = 0;
  for (let i = ip; i < udp; i += 2) sum += cut.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  cut.writeUInt16BE(~sum & 0xffff, ip + 10);
  cut.writeUInt16BE(cut.length - udp, udp + 4);
  cut.writeUInt16BE(0, udp + 6);
  const header = Buffer.from(bytes.subarray(at, at + 16));
  header.writeUInt32LE(cut.length, 8);
  header.writeUInt32LE(cut.length, 12);
  return Buffer.concat([bytes.subarray(0, at), header, cut, bytes.subarray(at + 16 + frame.length)]);
}

/** File offsets of the packet blocks (EPB, SPB, PB) of a little-endian pcapng. */
/** @param {Buffer} bytes @returns {number[]} */
export function pcapngPacketOffsets(bytes) {
  const offsets = [];
  for (let at = 0; at + 8 <= bytes.length; at += bytes.readUInt32LE(at + 4)) {
    if ([2, 3, 6].includes(bytes.readUInt32LE(at))) offsets.push(at);
  }
  return offsets;
}

/**
 * A copy of a little-endian pcapng whose packet block `frame` (1-based, an EPB) has the high 32-bit word of its
 * timestamp XORed with `mask` (bits flipped, as in a corrupt byte): its lengths and every other byte intact.
 */
/** @param {Buffer} bytes @param {number} frame @param {number} mask @returns {Buffer} */
export function flipTimestampHighWord(bytes, frame, mask) {
  const at = pcapngPacketOffsets(bytes)[frame - 1];
  if (bytes.readUInt32LE(at) !== 6) throw new Error(`frame ${frame} is not in an enhanced packet block`);
  const damaged = Buffer.from(bytes);
  damaged.writeUInt32LE((damaged.readUInt32LE(at + 12) ^ mask) >>> 0, at + 12);
  return damaged;
}
