/**
 * Byte surgery for tests: gzip a capture, cut it, overwrite a field — the
 * ways captures get damaged (SPEC §2a). Every helper returns a new buffer and
 * leaves its input untouched.
 */
import zlib from 'node:zlib';
import { put32 } from './writer.js';

/** The gzip (one member) of `bytes`. */
export function gzipBytes(bytes: Uint8Array, level = 6): Buffer {
  return zlib.gzipSync(bytes, { level });
}

/** The first `length` bytes of `bytes` (a killed capture, a cut gzip stream). */
export function cutBytes(bytes: Uint8Array, length: number): Buffer {
  if (length < 0 || length > bytes.length) throw new RangeError(`cut at ${length} outside 0..${bytes.length}`);
  return Buffer.from(bytes.subarray(0, length));
}

/** A copy of `bytes` with the 32-bit field at `offset` set to `value`. */
export function withU32(bytes: Uint8Array, offset: number, value: number, bigEndian = false): Buffer {
  const out = Buffer.from(bytes);
  put32(out, offset, value >>> 0, !bigEndian);
  return out;
}

/** A copy of `bytes` with the byte at `offset` XORed with `mask` (corrupt data, a bad CRC). */
export function flipByte(bytes: Uint8Array, offset: number, mask = 0xff): Buffer {
  const out = Buffer.from(bytes);
  out[offset] ^= mask;
  return out;
}
