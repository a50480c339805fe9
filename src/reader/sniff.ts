/**
 * Capture format from the first bytes, never the file name, never seeking
 * (SPEC §1; works on pipes).
 */
import type { CaptureFormat } from './record.js';

/** Bytes needed to tell the formats apart. */
export const SNIFF_BYTES = 4;

/** pcap magics as they appear in the file, byte by byte (tcpdump.org pcap format). */
const PCAP_MAGICS: ReadonlyArray<readonly [number, number, number, number, CaptureFormat]> = [
  [0xd4, 0xc3, 0xb2, 0xa1, 'pcap'], // 0xa1b2c3d4 little-endian, microseconds
  [0xa1, 0xb2, 0xc3, 0xd4, 'pcap-be'],
  [0x4d, 0x3c, 0xb2, 0xa1, 'pcap-ns'], // 0xa1b23c4d little-endian, nanoseconds
  [0xa1, 0xb2, 0x3c, 0x4d, 'pcap-ns-be'],
];

/** Section Header Block type 0x0A0D0D0A: the same bytes in either order (pcapng §4.1). */
export const PCAPNG_SHB_BYTES = [0x0a, 0x0d, 0x0d, 0x0a] as const;

/** Gzip member header ID1 ID2 (RFC 1952 §2.3.1). */
export const GZIP_ID1 = 0x1f;
export const GZIP_ID2 = 0x8b;

/**
 * The capture format of a stream starting with `head[0, n)` (n ≥ SNIFF_BYTES),
 * or undefined for an unknown magic.
 */
export function sniffFormat(head: Uint8Array): CaptureFormat | undefined {
  if (
    head[0] === PCAPNG_SHB_BYTES[0] &&
    head[1] === PCAPNG_SHB_BYTES[1] &&
    head[2] === PCAPNG_SHB_BYTES[2] &&
    head[3] === PCAPNG_SHB_BYTES[3]
  ) {
    return 'pcapng';
  }
  for (const m of PCAP_MAGICS) {
    if (head[0] === m[0] && head[1] === m[1] && head[2] === m[2] && head[3] === m[3]) return m[4];
  }
  return undefined;
}

/** True when head[0, n) (n < SNIFF_BYTES) could still begin a known magic. */
export function isMagicPrefix(head: Uint8Array, n: number): boolean {
  const candidates: ReadonlyArray<ReadonlyArray<number | string>> = [PCAPNG_SHB_BYTES, ...PCAP_MAGICS];
  for (const m of candidates) {
    let ok = true;
    for (let i = 0; i < n; i++) {
      if (head[i] !== m[i]) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}

/** True when the stream starts with the gzip magic (head holds ≥ 2 bytes). */
export function isGzip(head: Uint8Array): boolean {
  return head[0] === GZIP_ID1 && head[1] === GZIP_ID2;
}
