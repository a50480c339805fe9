/**
 * pcap and pcapng writers, the counterpart of the readers: tests build their
 * captures with them (both byte orders, every magic, several sections and
 * interfaces), and the synthetic traffic generator streams large captures
 * through them.
 *
 * A writer encodes straight into its sink's buffer: nothing is allocated per
 * packet for classic pcap and for pcapng interfaces at 10^-0 … 10^-9 seconds
 * (other resolutions convert the timestamp with BigInt).
 */
import fs from 'node:fs';
import type { TsResolution } from '../time.js';
import { MAX_CAPTURED_LENGTH } from './caps.js';
import { BLOCK_EPB, BLOCK_IDB, BLOCK_NRB, BLOCK_PB, BLOCK_SHB, BLOCK_SPB, BYTE_ORDER_MAGIC } from './pcapng.js';

/** Where a writer puts its bytes. `reserve(n)` makes room for n bytes at buf[pos]. */
export interface CaptureSink {
  buf: Uint8Array;
  pos: number;
  reserve(n: number): void;
  /** Writes out what is buffered (a no-op in memory). */
  flush(): void;
}

/** Collects everything in one growing buffer (tests). */
export class MemorySink implements CaptureSink {
  buf: Uint8Array = Buffer.allocUnsafeSlow(65_536);
  pos = 0;

  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.pos + n, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.pos), 0);
    this.buf = next;
  }

  flush(): void {}

  /** A copy of the bytes written so far. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

/** Default FdSink buffer: 8 MiB, so a 1 GB capture takes ~128 write calls. */
export const FD_SINK_BUFFER_BYTES = 8 << 20;

/**
 * Writes through one large reused buffer to a file descriptor (fs.writeSync),
 * for captures of any size in flat memory. The caller opens and closes the fd;
 * call `flush()` before closing it.
 */
export class FdSink implements CaptureSink {
  buf: Uint8Array;
  pos = 0;
  /** Bytes handed to the file so far. */
  bytesFlushed = 0;
  private readonly fd: number;

  constructor(fd: number, bufferBytes: number = FD_SINK_BUFFER_BYTES) {
    this.fd = fd;
    this.buf = Buffer.allocUnsafeSlow(bufferBytes);
  }

  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafeSlow(n);
  }

  flush(): void {
    let off = 0;
    while (off < this.pos) off += fs.writeSync(this.fd, this.buf, off, this.pos - off);
    this.bytesFlushed += this.pos;
    this.pos = 0;
  }
}

function put16(b: Uint8Array, p: number, v: number, le: boolean): void {
  if (le) {
    b[p] = v;
    b[p + 1] = v >>> 8;
  } else {
    b[p] = v >>> 8;
    b[p + 1] = v;
  }
}

function put32(b: Uint8Array, p: number, v: number, le: boolean): void {
  if (le) {
    b[p] = v;
    b[p + 1] = v >>> 8;
    b[p + 2] = v >>> 16;
    b[p + 3] = v >>> 24;
  } else {
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
  }
}

const TWO_16 = 65_536;
const TWO_32 = 4_294_967_296;
const NS_PER_SEC = 1_000_000_000;

function checkU32(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v >= TWO_32) throw new RangeError(`${name} must be an integer in [0, 2^32), got ${v}`);
}

function checkTime(sec: number, nsec: number): void {
  if (!Number.isSafeInteger(sec)) throw new RangeError(`tsSec must be an integer, got ${sec}`);
  if (!Number.isInteger(nsec) || nsec < 0 || nsec >= NS_PER_SEC) {
    throw new RangeError(`tsNsec must be an integer in [0, 1e9), got ${nsec}`);
  }
}

export interface PcapWriterOptions {
  /** LINKTYPE_* (lower 16 bits of the header field). Default 1 (Ethernet). */
  linkType?: number;
  /** Upper 16 bits of the header's link-type field (FCS information). Default 0. */
  linkTypeUpperBits?: number;
  /** Header snaplen. Default 262144. */
  snaplen?: number;
  /** Nanosecond timestamps (magic a1b23c4d). Default false: microseconds. */
  nanosecond?: boolean;
  /** Big-endian file. Default false. */
  bigEndian?: boolean;
}

/** Classic pcap writer; the 24-byte file header is written by the constructor. */
export class PcapWriter {
  private readonly sink: CaptureSink;
  private readonly le: boolean;
  private readonly nano: boolean;

  constructor(sink: CaptureSink, options: PcapWriterOptions = {}) {
    this.sink = sink;
    this.le = options.bigEndian !== true;
    this.nano = options.nanosecond === true;
    const linkType = options.linkType ?? 1;
    const upper = options.linkTypeUpperBits ?? 0;
    const snaplen = options.snaplen ?? MAX_CAPTURED_LENGTH;
    checkU32('snaplen', snaplen);
    sink.reserve(24);
    const b = sink.buf;
    const p = sink.pos;
    put32(b, p, this.nano ? 0xa1b23c4d : 0xa1b2c3d4, this.le);
    put16(b, p + 4, 2, this.le);
    put16(b, p + 6, 4, this.le);
    put32(b, p + 8, 0, this.le);
    put32(b, p + 12, 0, this.le);
    put32(b, p + 16, snaplen, this.le);
    put32(b, p + 20, (((upper & 0xffff) << 16) | (linkType & 0xffff)) >>> 0, this.le);
    sink.pos = p + 24;
  }

  /**
   * One record. tsNsec is floored to the microsecond in a microsecond file;
   * the captured length is bytes.length, `originalLength` defaults to it.
   */
  writePacket(tsSec: number, tsNsec: number, bytes: Uint8Array, originalLength: number = bytes.length): void {
    checkTime(tsSec, tsNsec);
    checkU32('tsSec', tsSec);
    checkU32('originalLength', originalLength);
    const frac = this.nano ? tsNsec : Math.floor(tsNsec / 1_000);
    const sink = this.sink;
    const n = bytes.length;
    sink.reserve(16 + n);
    const b = sink.buf;
    const p = sink.pos;
    put32(b, p, tsSec, this.le);
    put32(b, p + 4, frac, this.le);
    put32(b, p + 8, n, this.le);
    put32(b, p + 12, originalLength, this.le);
    b.set(bytes, p + 16);
    sink.pos = p + 16 + n;
  }
}

export interface PcapngSectionOptions {
  /** Big-endian section. Default false. */
  bigEndian?: boolean;
  /** Raw SHB options (already encoded in the section's byte order, ending with opt_endofopt). */
  rawOptions?: Uint8Array;
}

export interface PcapngInterfaceOptions {
  /** LINKTYPE_* (16 bits). */
  linkType: number;
  /** 0 = no limit. Default 0. */
  snaplen?: number;
  /** if_tsresol; written only when given. Reader default 10^-6. */
  tsresol?: TsResolution;
  /** if_tsoffset, signed whole seconds; written only when given. */
  tsoffsetSec?: number;
  /** if_name; written only when given. */
  name?: string;
}

interface InterfaceState {
  resolution: TsResolution;
  offsetSec: number;
}

/** Where `timeToUnits` leaves its result: the 64-bit count as two 32-bit halves. */
const unitsOut = { hi: 0, lo: 0 };

/** Floor of x·m + add as hi/lo (x < 2^37, m < 2^31, add < 2^32), exact. */
function mulAdd64(x: number, m: number, add: number): void {
  const xh = Math.floor(x / TWO_16);
  const xl = x - xh * TWO_16;
  const p1 = xh * m; // < 2^52
  const p0 = xl * m + add; // < 2^48
  const q = Math.floor(p1 / TWO_16);
  const r = p1 - q * TWO_16;
  const low = r * TWO_16 + p0; // < 2^49
  const carry = Math.floor(low / TWO_32);
  unitsOut.lo = low - carry * TWO_32;
  unitsOut.hi = q + carry;
}

/**
 * The count of `res` units for (sec, nsec) since the epoch minus `offsetSec`,
 * floored; a 2^-b resolution is rounded up instead, so that a resolution of
 * 2^-30 or finer reads back as the same nanosecond.
 */
function timeToUnits(sec: number, nsec: number, res: TsResolution, offsetSec: number): void {
  const s = sec - offsetSec;
  if (s < 0) throw new RangeError(`timestamp ${sec} s is before the interface's if_tsoffset ${offsetSec} s`);
  if (res.base === 10 && res.exp <= 9 && s < 2 ** 37) {
    const perSec = 10 ** res.exp;
    mulAdd64(s, perSec, Math.floor(nsec / 10 ** (9 - res.exp)));
    return;
  }
  let units: bigint;
  if (res.base === 10) {
    units =
      res.exp >= 9
        ? BigInt(s) * 10n ** BigInt(res.exp) + BigInt(nsec) * 10n ** BigInt(res.exp - 9)
        : BigInt(s) * 10n ** BigInt(res.exp) + BigInt(nsec) / 10n ** BigInt(9 - res.exp);
  } else {
    const scale = 1n << BigInt(res.exp);
    units = BigInt(s) * scale + (BigInt(nsec) * scale + 999_999_999n) / 1_000_000_000n;
  }
  if (units >= 1n << 64n) throw new RangeError(`timestamp ${sec}.${nsec} does not fit 64 bits at ${res.base}^-${res.exp}`);
  unitsOut.hi = Number(units >> 32n);
  unitsOut.lo = Number(units & 0xffffffffn);
}

/**
 * pcapng writer: sections, interfaces, Enhanced / Simple / obsolete Packet
 * blocks and arbitrary blocks. The constructor writes the first Section
 * Header Block.
 */
export class PcapngWriter {
  private readonly sink: CaptureSink;
  private le = true;
  private interfaces: InterfaceState[] = [];

  constructor(sink: CaptureSink, section: PcapngSectionOptions = {}) {
    this.sink = sink;
    this.startSection(section);
  }

  /** Starts a new section (SHB); its interfaces start again from id 0. */
  startSection(options: PcapngSectionOptions = {}): void {
    this.le = options.bigEndian !== true;
    this.interfaces = [];
    const opts = options.rawOptions ?? new Uint8Array(0);
    const body = new Uint8Array(16 + opts.length);
    put32(body, 0, BYTE_ORDER_MAGIC, this.le);
    put16(body, 4, 1, this.le);
    put16(body, 6, 0, this.le);
    // Section length unknown: -1 (§4.1).
    put32(body, 8, 0xffffffff, this.le);
    put32(body, 12, 0xffffffff, this.le);
    body.set(opts, 16);
    this.writeBlock(BLOCK_SHB, body);
  }

  /** Adds an Interface Description Block; returns its interface id in this section. */
  addInterface(options: PcapngInterfaceOptions): number {
    const le = this.le;
    const opts: Uint8Array[] = [];
    if (options.name !== undefined) opts.push(this.option(2, Buffer.from(options.name, 'utf8')));
    if (options.tsresol !== undefined) {
      const { base, exp } = options.tsresol;
      if (!Number.isInteger(exp) || exp < 0 || exp > 127) throw new RangeError(`tsresol exponent must be 0..127, got ${exp}`);
      opts.push(this.option(9, Uint8Array.of(base === 2 ? 0x80 | exp : exp)));
    }
    if (options.tsoffsetSec !== undefined) {
      const v = BigInt.asUintN(64, BigInt(options.tsoffsetSec));
      const o = new Uint8Array(8);
      const hi = Number(v >> 32n);
      const lo = Number(v & 0xffffffffn);
      put32(o, le ? 4 : 0, hi, le);
      put32(o, le ? 0 : 4, lo, le);
      opts.push(this.option(14, o));
    }
    if (opts.length > 0) opts.push(new Uint8Array(4)); // opt_endofopt
    const optBytes = Buffer.concat(opts);
    const body = new Uint8Array(8 + optBytes.length);
    put16(body, 0, options.linkType, le);
    put16(body, 2, 0, le);
    put32(body, 4, options.snaplen ?? 0, le);
    body.set(optBytes, 8);
    this.writeBlock(BLOCK_IDB, body);
    this.interfaces.push({
      resolution: options.tsresol ?? { base: 10, exp: 6 },
      offsetSec: options.tsoffsetSec ?? 0,
    });
    return this.interfaces.length - 1;
  }

  /** One option: code, length, value padded to 4 bytes. */
  option(code: number, value: Uint8Array): Uint8Array {
    const o = new Uint8Array(4 + ((value.length + 3) & ~3));
    put16(o, 0, code, this.le);
    put16(o, 2, value.length, this.le);
    o.set(value, 4);
    return o;
  }

  private iface(interfaceId: number): InterfaceState {
    const s = this.interfaces[interfaceId];
    if (s === undefined) throw new RangeError(`interface ${interfaceId} not defined in this section`);
    return s;
  }

  /** Enhanced Packet Block, timestamp as it should read back (the interface's offset is taken off). */
  writeEnhancedPacket(
    interfaceId: number,
    tsSec: number,
    tsNsec: number,
    bytes: Uint8Array,
    originalLength: number = bytes.length,
  ): void {
    checkTime(tsSec, tsNsec);
    const s = this.iface(interfaceId);
    timeToUnits(tsSec, tsNsec, s.resolution, s.offsetSec);
    this.packetBlock(BLOCK_EPB, interfaceId, unitsOut.hi, unitsOut.lo, bytes, originalLength, 0);
  }

  /** Enhanced Packet Block with the raw 64-bit timestamp count (tsHigh·2^32 + tsLow units). */
  writeEnhancedPacketUnits(
    interfaceId: number,
    tsHigh: number,
    tsLow: number,
    bytes: Uint8Array,
    originalLength: number = bytes.length,
  ): void {
    checkU32('tsHigh', tsHigh);
    checkU32('tsLow', tsLow);
    this.packetBlock(BLOCK_EPB, interfaceId, tsHigh, tsLow, bytes, originalLength, 0);
  }

  /** Obsolete Packet Block (type 2; 16-bit interface id and drops count). */
  writeObsoletePacket(
    interfaceId: number,
    tsSec: number,
    tsNsec: number,
    bytes: Uint8Array,
    originalLength: number = bytes.length,
    dropsCount = 0,
  ): void {
    checkTime(tsSec, tsNsec);
    if (interfaceId > 0xffff) throw new RangeError(`a Packet Block's interface id is 16 bits, got ${interfaceId}`);
    const s = this.iface(interfaceId);
    timeToUnits(tsSec, tsNsec, s.resolution, s.offsetSec);
    this.packetBlock(BLOCK_PB, interfaceId, unitsOut.hi, unitsOut.lo, bytes, originalLength, dropsCount);
  }

  private packetBlock(
    type: number,
    interfaceId: number,
    tsHigh: number,
    tsLow: number,
    bytes: Uint8Array,
    originalLength: number,
    dropsCount: number,
  ): void {
    checkU32('originalLength', originalLength);
    const le = this.le;
    const n = bytes.length;
    const padded = (n + 3) & ~3;
    const total = 32 + padded;
    const sink = this.sink;
    sink.reserve(total);
    const b = sink.buf;
    const p = sink.pos;
    put32(b, p, type, le);
    put32(b, p + 4, total, le);
    if (type === BLOCK_PB) {
      put16(b, p + 8, interfaceId, le);
      put16(b, p + 10, dropsCount, le);
    } else {
      put32(b, p + 8, interfaceId, le);
    }
    put32(b, p + 12, tsHigh, le);
    put32(b, p + 16, tsLow, le);
    put32(b, p + 20, n, le);
    put32(b, p + 24, originalLength, le);
    b.set(bytes, p + 28);
    b.fill(0, p + 28 + n, p + 28 + padded);
    put32(b, p + 28 + padded, total, le);
    sink.pos = p + total;
  }

  /**
   * Simple Packet Block: `bytes` as the data, `originalLength` (default
   * bytes.length) as the original length. The reader takes min(original length,
   * interface 0's snaplen, data) as the captured length (§4.4).
   */
  writeSimplePacket(bytes: Uint8Array, originalLength: number = bytes.length): void {
    checkU32('originalLength', originalLength);
    const le = this.le;
    const n = bytes.length;
    const padded = (n + 3) & ~3;
    const total = 16 + padded;
    const sink = this.sink;
    sink.reserve(total);
    const b = sink.buf;
    const p = sink.pos;
    put32(b, p, BLOCK_SPB, le);
    put32(b, p + 4, total, le);
    put32(b, p + 8, originalLength, le);
    b.set(bytes, p + 12);
    b.fill(0, p + 12 + n, p + 12 + padded);
    put32(b, p + 12 + padded, total, le);
    sink.pos = p + total;
  }

  /** Name Resolution Block with one IPv4 record and an end-of-records marker (§4.5). */
  writeNameResolutionIpv4(address: Uint8Array, name: string): void {
    const value = Buffer.concat([address, Buffer.from(`${name}\0`, 'utf8')]);
    const rec = this.option(1, value); // nrb_record_ipv4; same layout as an option
    this.writeBlock(BLOCK_NRB, Buffer.concat([rec, new Uint8Array(4)]));
  }

  /** Any block: type, total length, `body` padded to 4 bytes, total length. */
  writeBlock(type: number, body: Uint8Array): void {
    const le = this.le;
    const padded = (body.length + 3) & ~3;
    const total = 12 + padded;
    const sink = this.sink;
    sink.reserve(total);
    const b = sink.buf;
    const p = sink.pos;
    put32(b, p, type, le);
    put32(b, p + 4, total, le);
    b.set(body, p + 8);
    b.fill(0, p + 8 + body.length, p + 8 + padded);
    put32(b, p + 8 + padded, total, le);
    sink.pos = p + total;
  }

  /** Encodes a 32-bit value in the current section's byte order (for raw option bodies in tests). */
  u32Bytes(v: number): Uint8Array {
    const o = new Uint8Array(4);
    put32(o, 0, v, this.le);
    return o;
  }
}

export { put16, put32 };
