/**
 * What a reader hands to its consumer for each packet record (STYLE hot path).
 *
 * One `CaptureRecord` object is owned by the reader and overwritten for every
 * record: the consumer must copy what it keeps before returning. `data` is a
 * view of reader-owned memory, valid only during the handler call.
 */
export interface CaptureRecord {
  /** Interface index within the current pcapng section (0 for classic pcap). */
  interfaceId: number;
  /** LINKTYPE_* number of the record's interface (16 bits). */
  linkType: number;
  /** Whole epoch seconds (after `if_tsoffset`). */
  tsSec: number;
  /** Nanoseconds within the second, 0 ≤ tsNsec < 1e9 (finer resolutions floored). */
  tsNsec: number;
  /** Reader-owned bytes; the captured packet is data[start, start + capturedLength). */
  data: Uint8Array;
  start: number;
  /** Bytes of the packet present in the file. */
  capturedLength: number;
  /** Length of the packet on the wire (pcap `orig_len`, pcapng "Original Packet Length"). */
  originalLength: number;
  /** Absolute offset of the record's (block's) first byte in the decompressed capture stream. */
  fileOffset: number;
}

/** Called once per packet record; must not keep `record` or `record.data`. */
export type RecordHandler = (record: CaptureRecord) => void;

/** The format names of the shared manifest (SPEC §1). */
export type CaptureFormat = 'pcap' | 'pcap-ns' | 'pcap-be' | 'pcap-ns-be' | 'pcapng';

/** What a reader learned about one file once it has read it all. */
export interface CaptureFileInfo {
  file: string;
  format: CaptureFormat;
  gzip: boolean;
  /** 'little', 'big', or 'mixed' (pcapng sections of both orders). */
  byteOrder: 'little' | 'big' | 'mixed';
  /** Distinct time resolutions seen, as `10^-6`, `2^-10`… in order of appearance. */
  timeResolutions: string[];
  /** Distinct link types of the file's interfaces, in order of first appearance. */
  linkTypes: number[];
  /** Packet records handed to the handler. */
  records: number;
  /** Bytes of the (decompressed) capture stream consumed. */
  bytesRead: number;
  /** Set when the capture ends inside a record (SPEC §2a cut tail). */
  truncated: boolean;
  /** Offset of the first byte of the incomplete record, when `truncated`. */
  truncatedOffset: number | undefined;
  /** Human-readable warnings, each naming its byte offset where there is one. */
  warnings: string[];
}
