/**
 * Classic pcap (libpcap format; IETF draft-ietf-opsawg-pcap).
 *
 * File header, 24 bytes: magic (4), version major (2), minor (2), reserved
 * "thiszone" (4), reserved "sigfigs" (4), snaplen (4), "LinkType and
 * additional information" (4: link type in the lower 16 bits, FCS length
 * in the upper bits, ignored here).
 * Record header, 16 bytes: ts_sec (4), ts_usec or ts_nsec (4), captured length
 * (4), original length (4); then the captured bytes.
 * Every field is in the byte order of the magic, decided once per file.
 */
import { ReplayError } from '../errors.js';
import { RESOLUTION_MICRO, RESOLUTION_NANO, resolutionText } from '../time.js';
import { FramedParser } from './byte-queue.js';
import { u16be, u16le, u32be, u32le } from './bytes.js';
import { MAX_CAPTURED_LENGTH, baseInfo, newRecord } from './caps.js';
import type { CaptureFileInfo, CaptureFormat, CaptureRecord, RecordHandler } from './record.js';

export const PCAP_FILE_HEADER_BYTES = 24;
export const PCAP_RECORD_HEADER_BYTES = 16;

const NS_PER_US = 1_000;
const US_PER_SEC = 1_000_000;
const NS_PER_SEC = 1_000_000_000;

export class PcapParser extends FramedParser {
  private readonly file: string;
  private readonly handler: RecordHandler;
  private readonly format: CaptureFormat;
  private readonly le: boolean;
  private readonly nano: boolean;
  private readonly record: CaptureRecord = newRecord();
  private headerDone = false;
  private linkType = 0;
  /** The header's snaplen: informative only (a larger record is accepted, SPEC §2a). */
  snaplen = 0;
  versionMajor = 0;
  versionMinor = 0;
  private records = 0;

  constructor(file: string, handler: RecordHandler, format: CaptureFormat) {
    super(PCAP_RECORD_HEADER_BYTES + MAX_CAPTURED_LENGTH);
    this.file = file;
    this.handler = handler;
    this.format = format;
    this.le = format === 'pcap' || format === 'pcap-ns';
    this.nano = format === 'pcap-ns' || format === 'pcap-ns-be';
  }

  protected frameLength(buf: Uint8Array, pos: number, avail: number): number {
    if (!this.headerDone) {
      return avail < PCAP_FILE_HEADER_BYTES ? -PCAP_FILE_HEADER_BYTES : PCAP_FILE_HEADER_BYTES;
    }
    if (avail < PCAP_RECORD_HEADER_BYTES) return -PCAP_RECORD_HEADER_BYTES;
    const caplen = this.le ? u32le(buf, pos + 8) : u32be(buf, pos + 8);
    if (caplen > MAX_CAPTURED_LENGTH) {
      throw new ReplayError('CAPTURE_BAD_LENGTH', `bad record length ${caplen} (cap ${MAX_CAPTURED_LENGTH})`, {
        file: this.file,
        offset: this.offset,
      });
    }
    return PCAP_RECORD_HEADER_BYTES + caplen;
  }

  protected frame(buf: Uint8Array, pos: number, len: number): void {
    if (!this.headerDone) {
      this.header(buf, pos);
      return;
    }
    const le = this.le;
    let sec = le ? u32le(buf, pos) : u32be(buf, pos);
    let frac = le ? u32le(buf, pos + 4) : u32be(buf, pos + 4);
    const r = this.record;
    if (this.nano) {
      if (frac >= NS_PER_SEC) {
        // Out of range: carried into the seconds so that 0 ≤ tsNsec < 1e9 holds.
        sec += Math.floor(frac / NS_PER_SEC);
        frac %= NS_PER_SEC;
      }
      r.tsNsec = frac;
    } else {
      if (frac >= US_PER_SEC) {
        sec += Math.floor(frac / US_PER_SEC);
        frac %= US_PER_SEC;
      }
      r.tsNsec = frac * NS_PER_US;
    }
    r.tsSec = sec;
    r.data = buf;
    r.start = pos + PCAP_RECORD_HEADER_BYTES;
    r.capturedLength = len - PCAP_RECORD_HEADER_BYTES;
    r.originalLength = le ? u32le(buf, pos + 12) : u32be(buf, pos + 12);
    r.fileOffset = this.offset;
    this.records++;
    this.handler(r);
  }

  private header(buf: Uint8Array, pos: number): void {
    const le = this.le;
    this.versionMajor = le ? u16le(buf, pos + 4) : u16be(buf, pos + 4);
    this.versionMinor = le ? u16le(buf, pos + 6) : u16be(buf, pos + 6);
    this.snaplen = le ? u32le(buf, pos + 16) : u32be(buf, pos + 16);
    // Lower 16 bits of "LinkType and additional information" (SPEC §2).
    this.linkType = le ? u16le(buf, pos + 20) : u16be(buf, pos + 22);
    this.record.linkType = this.linkType;
    this.headerDone = true;
  }

  /**
   * Ends the stream. `streamCut`: the source itself ended early (a gzip stream
   * cut short), which makes the end a cut tail even at a record boundary.
   */
  finish(streamCut: boolean): CaptureFileInfo {
    if (!this.headerDone) {
      throw new ReplayError(
        'CAPTURE_TRUNCATED_HEADER',
        `file header cut short (${this.carryLen} of ${PCAP_FILE_HEADER_BYTES} bytes)`,
        { file: this.file, offset: 0 },
      );
    }
    const info = baseInfo(this.file, this.format);
    info.byteOrder = this.le ? 'little' : 'big';
    info.timeResolutions.push(resolutionText(this.nano ? RESOLUTION_NANO : RESOLUTION_MICRO));
    info.linkTypes.push(this.linkType);
    info.records = this.records;
    info.bytesRead = this.bytesPushed;
    if (this.carryLen > 0 || streamCut) {
      info.truncated = true;
      info.truncatedOffset = this.offset;
      info.warnings.push(cutWarning('record', this.offset, this.carryLen > 0, streamCut));
    }
    return info;
  }
}

/** The warning of a cut tail (SPEC §2a); it names the offset of the incomplete record or block. */
export function cutWarning(unit: 'record' | 'block', offset: number, inside: boolean, streamCut: boolean): string {
  const where = inside ? `capture cut inside the ${unit} at byte ${offset}` : `capture cut at byte ${offset}`;
  return streamCut ? `${where} (gzip stream ends early)` : where;
}
