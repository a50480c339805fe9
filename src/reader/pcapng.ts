/**
 * pcapng (draft-ietf-opsawg-pcapng; section numbers below are that draft's).
 *
 * Every block: type (4), total length (4), body, total length again (4), in
 * the byte order of its section. Read here:
 * - Section Header Block (type 0x0A0D0D0A, §4.1): byte-order magic 0x1A2B3C4D,
 *   version, section length (ignored), options. Starts a section: byte order
 *   and interface list are per section.
 * - Interface Description Block (1, §4.2): link type (2), reserved (2),
 *   snaplen (4), options — if_tsresol (9) and if_tsoffset (14) are used.
 * - Enhanced Packet Block (6, §4.3): interface id (4), timestamp high (4) and
 *   low (4), captured length (4), original length (4), data padded to 4.
 * - Simple Packet Block (3, §4.4): original length (4), data; no interface id
 *   (interface 0) and no timestamp.
 * - Packet Block (2, obsolete, appendix A): interface id (2), drops count (2),
 *   then as the EPB.
 * Every other block type is skipped by its length.
 */
import { ReplayError } from '../errors.js';
import { type TsResolution, resolutionText, signedU64ToNumber, tsOut, unitsToTime } from '../time.js';
import { FramedParser } from './byte-queue.js';
import { u16, u32, u32be, u32le } from './bytes.js';
import {
  MAX_BLOCK_LENGTH,
  MAX_CAPTURED_LENGTH,
  MAX_INTERFACES_PER_SECTION,
  MAX_TIMESTAMP_SECONDS,
  addDistinct,
  baseInfo,
  newRecord,
} from './caps.js';
import { cutWarning } from './pcap.js';
import type { CaptureFileInfo, CaptureRecord, RecordHandler } from './record.js';

export const BLOCK_SHB = 0x0a0d0d0a;
export const BLOCK_IDB = 1;
export const BLOCK_PB = 2;
export const BLOCK_SPB = 3;
export const BLOCK_NRB = 4;
export const BLOCK_ISB = 5;
export const BLOCK_EPB = 6;
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

export const OPT_ENDOFOPT = 0;
export const OPT_IF_TSRESOL = 9;
export const OPT_IF_TSOFFSET = 14;

/** Smallest valid total length per block type (header, fixed fields, trailer). */
const MIN_BLOCK = 12;
const MIN_SHB = 28;
const MIN_IDB = 20;
const MIN_EPB = 32;
const MIN_SPB = 16;
const MIN_PB = 32;

/** Offset of the packet data in EPB and PB blocks, and of SPB data. */
const EPB_DATA = 28;
const SPB_DATA = 12;

/** if_tsresol when absent: 10^-6 (§4.2). */
const DEFAULT_RESOLUTION: TsResolution = { base: 10, exp: 6 };

export class PcapngParser extends FramedParser {
  private readonly file: string;
  private readonly handler: RecordHandler;
  private readonly record: CaptureRecord = newRecord();
  /** Byte order of the current section. */
  private le = true;
  private sections = 0;
  private sawLittle = false;
  private sawBig = false;
  private readonly linkTypes: number[] = [];
  private readonly resolutions: string[] = [];
  /** Interfaces of the current section, indexed by interface id. */
  private ifCount = 0;
  private readonly ifLinkType: number[] = [];
  private readonly ifSnaplen: number[] = [];
  private readonly ifResolution: TsResolution[] = [];
  private readonly ifOffsetSec: number[] = [];
  /** Time of the previous packet, for Simple Packet Blocks (SPEC §1). */
  private lastSec = 0;
  private lastNsec = 0;
  private records = 0;

  constructor(file: string, handler: RecordHandler) {
    super(MAX_BLOCK_LENGTH);
    this.file = file;
    this.handler = handler;
  }

  private fail(code: 'CAPTURE_BAD_LENGTH' | 'CAPTURE_BAD_TRAILER' | 'CAPTURE_BAD_INTERFACE', problem: string): never {
    throw new ReplayError(code, problem, { file: this.file, offset: this.offset });
  }

  protected frameLength(buf: Uint8Array, pos: number, avail: number): number {
    if (avail < 8) return -8;
    let le = this.le;
    // The SHB type reads the same in both orders; its own byte order follows it.
    const type = u32(buf, pos, le);
    if (type === BLOCK_SHB) {
      if (avail < 12) return -12;
      const bom = u32be(buf, pos + 8);
      if (bom === BYTE_ORDER_MAGIC) le = false;
      else if (u32le(buf, pos + 8) === BYTE_ORDER_MAGIC) le = true;
      else {
        throw new ReplayError('CAPTURE_BAD_BYTE_ORDER', 'bad pcapng byte-order magic', {
          file: this.file,
          offset: this.offset + 8,
        });
      }
    }
    const len = u32(buf, pos + 4, le);
    if (len > MAX_BLOCK_LENGTH) this.fail('CAPTURE_BAD_LENGTH', `bad block length ${len} (cap ${MAX_BLOCK_LENGTH})`);
    if (len < MIN_BLOCK) this.fail('CAPTURE_BAD_LENGTH', `bad block length ${len} (minimum ${MIN_BLOCK})`);
    if ((len & 3) !== 0) this.fail('CAPTURE_BAD_LENGTH', `bad block length ${len} (not a multiple of 4)`);
    const min = minLength(type);
    if (len < min) this.fail('CAPTURE_BAD_LENGTH', `bad block length ${len} for block type ${type} (minimum ${min})`);
    return len;
  }

  protected frame(buf: Uint8Array, pos: number, len: number): void {
    const type = u32(buf, pos, this.le);
    if (type === BLOCK_SHB) {
      this.section(buf, pos, len);
      return;
    }
    const le = this.le;
    const trailer = u32(buf, pos + len - 4, le);
    if (trailer !== len) this.badTrailer(trailer, len);
    switch (type) {
      case BLOCK_EPB:
        this.packet(buf, pos, len, u32(buf, pos + 8, le));
        return;
      case BLOCK_SPB:
        this.simplePacket(buf, pos, len);
        return;
      case BLOCK_PB:
        this.packet(buf, pos, len, u16(buf, pos + 8, le));
        return;
      case BLOCK_IDB:
        this.interfaceBlock(buf, pos, len);
        return;
      default:
        // Name resolution, statistics, decryption secrets, custom… (SPEC §1).
        return;
    }
  }

  private badTrailer(trailer: number, len: number): never {
    this.fail('CAPTURE_BAD_TRAILER', `block trailing length ${trailer} differs from its length ${len}`);
  }

  private section(buf: Uint8Array, pos: number, len: number): void {
    // frameLength has checked the byte-order magic of this very block.
    const le = u32le(buf, pos + 8) === BYTE_ORDER_MAGIC;
    const trailer = u32(buf, pos + len - 4, le);
    if (trailer !== len) this.badTrailer(trailer, len);
    this.le = le;
    if (le) this.sawLittle = true;
    else this.sawBig = true;
    this.sections++;
    this.ifCount = 0;
  }

  private interfaceBlock(buf: Uint8Array, pos: number, len: number): void {
    const le = this.le;
    if (this.ifCount >= MAX_INTERFACES_PER_SECTION) {
      this.fail('CAPTURE_BAD_INTERFACE', `more than ${MAX_INTERFACES_PER_SECTION} interfaces in one section`);
    }
    const linkType = u16(buf, pos + 8, le);
    const snaplen = u32(buf, pos + 12, le);
    let resolution = DEFAULT_RESOLUTION;
    let offsetSec = 0;
    let p = pos + 16;
    const end = pos + len - 4;
    while (p + 4 <= end) {
      const code = u16(buf, p, le);
      const olen = u16(buf, p + 2, le);
      p += 4;
      if (code === OPT_ENDOFOPT) break;
      if (olen > end - p) {
        this.fail('CAPTURE_BAD_LENGTH', `option ${code} length ${olen} runs past the end of its block`);
      }
      if (code === OPT_IF_TSRESOL && olen >= 1) {
        const v = buf[p];
        // High bit clear: 10^-v seconds per unit; set: 2^-(v & 0x7f) (§4.2).
        resolution = (v & 0x80) === 0 ? { base: 10, exp: v } : { base: 2, exp: v & 0x7f };
      } else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        const hi = le ? u32le(buf, p + 4) : u32be(buf, p);
        const lo = le ? u32le(buf, p) : u32be(buf, p + 4);
        offsetSec = signedU64ToNumber(hi, lo);
      }
      p += (olen + 3) & ~3;
    }
    const id = this.ifCount++;
    this.ifLinkType[id] = linkType;
    this.ifSnaplen[id] = snaplen;
    this.ifResolution[id] = resolution;
    this.ifOffsetSec[id] = offsetSec;
    addDistinct(this.linkTypes, linkType);
    addDistinct(this.resolutions, resolutionText(resolution));
  }

  /** Enhanced Packet Block, or the obsolete Packet Block (same layout from byte 12 on). */
  private packet(buf: Uint8Array, pos: number, len: number, ifId: number): void {
    const le = this.le;
    if (ifId >= this.ifCount) this.badInterface(ifId);
    const caplen = le ? u32le(buf, pos + 20) : u32be(buf, pos + 20);
    const room = len - MIN_EPB;
    if (caplen > room) {
      this.fail('CAPTURE_BAD_LENGTH', `captured length ${caplen} larger than its block (room for ${room})`);
    }
    if (caplen > MAX_CAPTURED_LENGTH) {
      this.fail('CAPTURE_BAD_LENGTH', `bad captured length ${caplen} (cap ${MAX_CAPTURED_LENGTH})`);
    }
    const hi = le ? u32le(buf, pos + 12) : u32be(buf, pos + 12);
    const lo = le ? u32le(buf, pos + 16) : u32be(buf, pos + 16);
    unitsToTime(hi, lo, this.ifResolution[ifId]);
    const sec = tsOut.sec + this.ifOffsetSec[ifId];
    if (!(Math.abs(sec) <= MAX_TIMESTAMP_SECONDS)) this.badTime();
    const r = this.record;
    r.interfaceId = ifId;
    r.linkType = this.ifLinkType[ifId];
    r.tsSec = this.lastSec = sec;
    r.tsNsec = this.lastNsec = tsOut.nsec;
    r.data = buf;
    r.start = pos + EPB_DATA;
    r.capturedLength = caplen;
    r.originalLength = le ? u32le(buf, pos + 24) : u32be(buf, pos + 24);
    r.fileOffset = this.offset;
    this.records++;
    this.handler(r);
  }

  /** Simple Packet Block: interface 0, the previous packet's time (SPEC §1). */
  private simplePacket(buf: Uint8Array, pos: number, len: number): void {
    if (this.ifCount === 0) this.badInterface(0);
    const orig = this.le ? u32le(buf, pos + 8) : u32be(buf, pos + 8);
    // Captured length = min(original length, interface 0 snaplen if set, block body) (§4.4).
    let caplen = len - MIN_SPB;
    if (orig < caplen) caplen = orig;
    const snaplen = this.ifSnaplen[0];
    if (snaplen !== 0 && snaplen < caplen) caplen = snaplen;
    if (caplen > MAX_CAPTURED_LENGTH) {
      this.fail('CAPTURE_BAD_LENGTH', `bad captured length ${caplen} (cap ${MAX_CAPTURED_LENGTH})`);
    }
    const r = this.record;
    r.interfaceId = 0;
    r.linkType = this.ifLinkType[0];
    r.tsSec = this.lastSec;
    r.tsNsec = this.lastNsec;
    r.data = buf;
    r.start = pos + SPB_DATA;
    r.capturedLength = caplen;
    r.originalLength = orig;
    r.fileOffset = this.offset;
    this.records++;
    this.handler(r);
  }

  private badTime(): never {
    throw new ReplayError('CAPTURE_BAD_TIME', 'timestamp out of range (more than 2^48 s from 1970)', {
      file: this.file,
      offset: this.offset,
    });
  }

  private badInterface(ifId: number): never {
    this.fail('CAPTURE_BAD_INTERFACE', `packet on interface ${ifId}, but the section defines ${this.ifCount}`);
  }

  /** Ends the stream; `streamCut` as for PcapParser.finish. */
  finish(streamCut: boolean): CaptureFileInfo {
    if (this.sections === 0) {
      throw new ReplayError(
        'CAPTURE_TRUNCATED_HEADER',
        `section header block cut short (${this.carryLen} bytes present)`,
        { file: this.file, offset: 0 },
      );
    }
    const info = baseInfo(this.file, 'pcapng');
    info.byteOrder = this.sawLittle && this.sawBig ? 'mixed' : this.sawBig ? 'big' : 'little';
    info.timeResolutions.push(...this.resolutions);
    info.linkTypes.push(...this.linkTypes);
    info.records = this.records;
    info.bytesRead = this.bytesPushed;
    if (this.carryLen > 0 || streamCut) {
      info.truncated = true;
      info.truncatedOffset = this.offset;
      info.warnings.push(cutWarning('block', this.offset, this.carryLen > 0, streamCut));
    }
    return info;
  }
}

function minLength(type: number): number {
  switch (type) {
    case BLOCK_SHB:
      return MIN_SHB;
    case BLOCK_IDB:
      return MIN_IDB;
    case BLOCK_EPB:
      return MIN_EPB;
    case BLOCK_SPB:
      return MIN_SPB;
    case BLOCK_PB:
      return MIN_PB;
    default:
      return MIN_BLOCK;
  }
}
