/**
 * Unsigned integer reads from a Uint8Array, one function per byte order
 * (STYLE hot path: the order is one boolean decided per file or section; no
 * DataView or Buffer method, whose bounds checks and receiver checks cost more
 * than these inlined loads).
 */

export function u16le(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8);
}

export function u16be(b: Uint8Array, p: number): number {
  return (b[p] << 8) | b[p + 1];
}

export function u32le(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

export function u32be(b: Uint8Array, p: number): number {
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

export function u16(b: Uint8Array, p: number, le: boolean): number {
  return le ? u16le(b, p) : u16be(b, p);
}

export function u32(b: Uint8Array, p: number, le: boolean): number {
  return le ? u32le(b, p) : u32be(b, p);
}
