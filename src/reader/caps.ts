/**
 * Absolute caps on lengths read from a capture (SPEC §2a), and the pieces of
 * `CaptureFileInfo` both format parsers fill the same way.
 */
import type { CaptureFileInfo, CaptureFormat, CaptureRecord } from './record.js';

/**
 * Largest captured length of one record: libpcap's MAXIMUM_SNAPLEN (262 144),
 * which is also Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD. Checked on every
 * pcap record and pcapng packet block, whatever the header's snaplen says.
 */
export const MAX_CAPTURED_LENGTH = 262_144;

/** Largest pcapng block: 16 MiB (Wireshark's MAX_BLOCK_SIZE is the same order). */
export const MAX_BLOCK_LENGTH = 16 * 1024 * 1024;

/**
 * Largest magnitude of a record's time in whole epoch seconds: 2^48 s, about
 * 8.9 million years either side of 1970. Only pcapng can exceed it (a 64-bit
 * count at a coarse if_tsresol, or a huge if_tsoffset); such a time is damage.
 * Times are (sec, nsec) pairs of integers that must stay exact in a double
 * (below 2^53) through differences and sums with timeouts; fuzzing found
 * internal errors in the tracker and the sampler from times at 2^53 s and
 * above (issue 8 item 7, docs/fuzzing.md).
 */
export const MAX_TIMESTAMP_SECONDS = 2 ** 48;

/** Most interfaces one pcapng section may define (pcapng EPB interface IDs are 32 bits). */
export const MAX_INTERFACES_PER_SECTION = 65_536;

/** A fresh record object, every field initialized (one shape, STYLE hot path). */
export function newRecord(): CaptureRecord {
  return {
    interfaceId: 0,
    linkType: 0,
    tsSec: 0,
    tsNsec: 0,
    data: new Uint8Array(0),
    start: 0,
    capturedLength: 0,
    originalLength: 0,
    fileOffset: 0,
  };
}

/** Adds `value` to `list` unless it is there (lists of a few link types or resolutions). */
export function addDistinct<T>(list: T[], value: T): void {
  if (!list.includes(value)) list.push(value);
}

/** Info for a stream fully parsed, before the source layer sets `gzip`. */
export function baseInfo(file: string, format: CaptureFormat): CaptureFileInfo {
  return {
    file,
    format,
    gzip: false,
    byteOrder: 'little',
    timeResolutions: [],
    linkTypes: [],
    records: 0,
    bytesRead: 0,
    truncated: false,
    truncatedOffset: undefined,
    warnings: [],
  };
}
