/**
 * Big- and little-endian reads straight from a Uint8Array (STYLE hot path: no
 * DataView or subarray per packet). Callers check bounds before reading.
 */

/** Unsigned 16-bit big-endian (network order) value at `off`. */
export function be16(data: Uint8Array, off: number): number {
  return (data[off] << 8) | data[off + 1];
}

/** Unsigned 32-bit big-endian value at `off` (`>>> 0` keeps it unsigned). */
export function be32(data: Uint8Array, off: number): number {
  return ((data[off] << 24) | (data[off + 1] << 16) | (data[off + 2] << 8) | data[off + 3]) >>> 0;
}

/** Unsigned 16-bit little-endian value at `off`. */
export function le16(data: Uint8Array, off: number): number {
  return data[off] | (data[off + 1] << 8);
}

/** Unsigned 32-bit little-endian value at `off`. */
export function le32(data: Uint8Array, off: number): number {
  return (data[off] | (data[off + 1] << 8) | (data[off + 2] << 16) | (data[off + 3] << 24)) >>> 0;
}
