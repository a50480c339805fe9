/**
 * CRC-32 as in IEEE 802.3, zlib and PNG (reflected polynomial 0xEDB88320,
 * initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF), used by the `hash`
 * dispatch policy (SPEC §4). Check value: CRC-32("123456789") = 0xCBF43926.
 *
 * Table-driven, one byte at a time, working on numbers: the hash policy
 * feeds address words and a port without building a byte array.
 */

/** Reflected form of the IEEE 802.3 generator polynomial 0x04C11DB7. */
export const CRC32_IEEE_REFLECTED = 0xedb88320;

/** CRC-32 register before the first byte. */
export const CRC32_INIT = 0xffffffff;

const TABLE = /* @__PURE__ */ buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (CRC32_IEEE_REFLECTED ^ (c >>> 1)) >>> 0 : c >>> 1;
    table[n] = c;
  }
  return table;
}

/** Feeds one byte (0–255) into a running CRC register (not yet finalized). */
export function crc32Byte(crc: number, byte: number): number {
  return (TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8)) >>> 0;
}

/** Feeds a 32-bit word as 4 bytes, most significant first (network order). */
export function crc32Word(crc: number, word: number): number {
  crc = crc32Byte(crc, word >>> 24);
  crc = crc32Byte(crc, (word >>> 16) & 0xff);
  crc = crc32Byte(crc, (word >>> 8) & 0xff);
  return crc32Byte(crc, word & 0xff);
}

/** Feeds a 16-bit value as 2 bytes, most significant first (network order). */
export function crc32U16(crc: number, value: number): number {
  crc = crc32Byte(crc, (value >>> 8) & 0xff);
  return crc32Byte(crc, value & 0xff);
}

/** The final XOR: the register becomes the CRC-32 value (unsigned 32-bit). */
export function crc32Finish(crc: number): number {
  return (crc ^ 0xffffffff) >>> 0;
}

/** CRC-32 of bytes[start, end) — for tests and for callers that have bytes. */
export function crc32Bytes(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = CRC32_INIT;
  for (let i = start; i < end; i++) crc = crc32Byte(crc, bytes[i]);
  return crc32Finish(crc);
}
