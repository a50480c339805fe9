/**
 * Writer → parser round trips (STYLE tests: both byte orders, every magic,
 * fed whole, one byte at a time and in random chunks). Expected values are
 * written out by hand.
 */
import { describe, expect, it } from 'vitest';
import { createCaptureParser } from '../../src/reader/parser.js';
import { MemorySink, PcapWriter, PcapngWriter } from '../../src/reader/writer.js';
import { CHUNKINGS, type Got, copyRecord, parseBytes, payload } from './helpers.js';

const T0 = 1_700_000_000; // 2023-11-14T22:13:20Z

/** Three records: an empty one, a header-only one (orig > captured), one larger than 64 KiB. */
function classic(nanosecond: boolean, bigEndian: boolean): Buffer {
  const sink = new MemorySink();
  // Upper bits of the link-type field set (FCS info): the link type is the lower 16 bits.
  const w = new PcapWriter(sink, { linkType: 276, linkTypeUpperBits: 0x1234, snaplen: 68, nanosecond, bigEndian });
  w.writePacket(T0, 0, payload(0, 0));
  w.writePacket(T0 + 1, 123_456_789, payload(68, 1), 1514);
  w.writePacket(0xffff_ffff, 999_999_999, payload(70_000, 2));
  return sink.toBuffer();
}

const CLASSIC_CASES = [
  { nanosecond: false, bigEndian: false, format: 'pcap', magic: [0xd4, 0xc3, 0xb2, 0xa1] },
  { nanosecond: false, bigEndian: true, format: 'pcap-be', magic: [0xa1, 0xb2, 0xc3, 0xd4] },
  { nanosecond: true, bigEndian: false, format: 'pcap-ns', magic: [0x4d, 0x3c, 0xb2, 0xa1] },
  { nanosecond: true, bigEndian: true, format: 'pcap-ns-be', magic: [0xa1, 0xb2, 0x3c, 0x4d] },
] as const;

describe('classic pcap round trip', () => {
  for (const c of CLASSIC_CASES) {
    for (const chunking of CHUNKINGS) {
      it(`${c.format}, fed ${chunking}`, () => {
        const bytes = classic(c.nanosecond, c.bigEndian);
        expect(Array.from(bytes.subarray(0, 4))).toEqual(c.magic);
        // 24 header + (16 + 0) + (16 + 68) + (16 + 70 000)
        expect(bytes.length).toBe(70_140);
        const { records, info } = parseBytes(bytes, chunking);
        expect(info).toEqual({
          file: 'test.pcap',
          format: c.format,
          gzip: false,
          byteOrder: c.bigEndian ? 'big' : 'little',
          timeResolutions: [c.nanosecond ? '10^-9' : '10^-6'],
          linkTypes: [276],
          records: 3,
          bytesRead: 70_140,
          truncated: false,
          truncatedOffset: undefined,
          warnings: [],
        });
        const head = records.map(({ bytes: _b, ...rest }) => rest);
        expect(head).toEqual([
          { interfaceId: 0, linkType: 276, tsSec: T0, tsNsec: 0, capturedLength: 0, originalLength: 0, fileOffset: 24 },
          {
            interfaceId: 0,
            linkType: 276,
            tsSec: T0 + 1,
            tsNsec: c.nanosecond ? 123_456_789 : 123_456_000,
            capturedLength: 68,
            originalLength: 1514,
            fileOffset: 40,
          },
          {
            interfaceId: 0,
            linkType: 276,
            tsSec: 4_294_967_295,
            tsNsec: c.nanosecond ? 999_999_999 : 999_999_000,
            capturedLength: 70_000,
            originalLength: 70_000,
            fileOffset: 124,
          },
        ]);
        expect(records[1].bytes).toEqual(Array.from(payload(68, 1)));
        expect(records[2].bytes).toEqual(Array.from(payload(70_000, 2)));
      });
    }
  }

  it('carries a microsecond field of 1 000 000 or more into the seconds', () => {
    const sink = new MemorySink();
    new PcapWriter(sink, {});
    const bytes = sink.toBuffer();
    // Record header: ts_sec = 10, ts_usec = 2 500 000, caplen 0, orig 0 (little-endian).
    const rec = Buffer.from([10, 0, 0, 0, 0xa0, 0x25, 0x26, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
    const { records } = parseBytes(Buffer.concat([bytes, rec]), 'whole');
    expect(records[0].tsSec).toBe(12);
    expect(records[0].tsNsec).toBe(500_000_000);
  });
});

/**
 * Two sections in different byte orders; five interfaces; every packet block
 * kind; blocks to skip. Returns the bytes and what a reader must see.
 */
function multiSection(): { bytes: Buffer; expected: Omit<Got, 'bytes' | 'fileOffset'>[] } {
  const sink = new MemorySink();
  const w = new PcapngWriter(sink, { bigEndian: false });
  const eth = w.addInterface({ linkType: 1 }); // default 10^-6
  const sll2 = w.addInterface({ linkType: 276, tsresol: { base: 10, exp: 9 }, name: 'any' });
  const raw = w.addInterface({ linkType: 101, snaplen: 96, tsresol: { base: 2, exp: 10 }, tsoffsetSec: -3600 });
  w.writeNameResolutionIpv4(Uint8Array.of(192, 0, 2, 1), 'example.test');
  w.writeEnhancedPacket(eth, T0, 123_456_789, payload(60, 1)); // floored to the µs
  w.writeEnhancedPacket(sll2, T0 + 1, 987_654_321, payload(61, 2), 1500);
  // 2^-10 units, taken exactly: (T0 + 3600)·1024 + 513; if_tsoffset −3600 → T0 s + 513/1024 s.
  const units = (T0 + 3600) * 1024 + 513;
  w.writeEnhancedPacketUnits(raw, Math.floor(units / 2 ** 32), units % 2 ** 32, payload(62, 3));
  w.writeSimplePacket(payload(63, 4)); // interface 0, previous packet's time
  w.writeBlock(0x0000_0bad, payload(10, 5)); // custom block (§4.8 range): skipped
  w.writeObsoletePacket(eth, T0 + 2, 5_000, payload(64, 6), 64, 3);
  w.writeBlock(5, payload(20, 7)); // Interface Statistics Block: skipped

  w.startSection({ bigEndian: true });
  const sll = w.addInterface({ linkType: 113, snaplen: 40, tsresol: { base: 10, exp: 3 } });
  const ip4 = w.addInterface({ linkType: 228, tsresol: { base: 2, exp: 30 }, tsoffsetSec: 86_400 });
  w.writeEnhancedPacket(ip4, T0 + 3, 123_456_789, payload(65, 8)); // 2^-30 reads back exactly
  w.writeSimplePacket(payload(80, 9), 100); // captured min(100, snaplen 40, 80) = 40
  w.writeEnhancedPacket(sll, T0 + 4, 987_654_321, payload(40, 10)); // floored to the ms
  w.writeSimplePacket(payload(20, 11), 12); // captured min(12, 40, 20) = 12
  return {
    bytes: sink.toBuffer(),
    expected: [
      { interfaceId: 0, linkType: 1, tsSec: T0, tsNsec: 123_456_000, capturedLength: 60, originalLength: 60 },
      { interfaceId: 1, linkType: 276, tsSec: T0 + 1, tsNsec: 987_654_321, capturedLength: 61, originalLength: 1500 },
      // 513/1024 s = 500 976 562.5 ns, floored
      { interfaceId: 2, linkType: 101, tsSec: T0, tsNsec: 500_976_562, capturedLength: 62, originalLength: 62 },
      { interfaceId: 0, linkType: 1, tsSec: T0, tsNsec: 500_976_562, capturedLength: 63, originalLength: 63 },
      { interfaceId: 0, linkType: 1, tsSec: T0 + 2, tsNsec: 5_000, capturedLength: 64, originalLength: 64 },
      { interfaceId: 1, linkType: 228, tsSec: T0 + 3, tsNsec: 123_456_789, capturedLength: 65, originalLength: 65 },
      { interfaceId: 0, linkType: 113, tsSec: T0 + 3, tsNsec: 123_456_789, capturedLength: 40, originalLength: 100 },
      { interfaceId: 0, linkType: 113, tsSec: T0 + 4, tsNsec: 987_000_000, capturedLength: 40, originalLength: 40 },
      { interfaceId: 0, linkType: 113, tsSec: T0 + 4, tsNsec: 987_000_000, capturedLength: 12, originalLength: 12 },
    ],
  };
}

describe('pcapng round trip: two sections, byte orders little then big', () => {
  const { bytes, expected } = multiSection();
  const payloadSeeds = [1, 2, 3, 4, 6, 8, 9, 10, 11];

  it('starts with a little-endian SHB and has a big-endian one later', () => {
    expect(Array.from(bytes.subarray(0, 12))).toEqual([0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a]);
    const second = bytes.indexOf(Buffer.from([0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 28, 0x1a, 0x2b, 0x3c, 0x4d]));
    expect(second).toBeGreaterThan(0);
  });

  for (const chunking of CHUNKINGS) {
    for (const seed of chunking === 'random' ? [1, 2, 3, 4, 5] : [1]) {
      it(`fed ${chunking}${chunking === 'random' ? ` (seed ${seed})` : ''}`, () => {
        const { records, info } = parseBytes(bytes, chunking, seed);
        expect(records.map(({ bytes: _b, fileOffset: _o, ...rest }) => rest)).toEqual(expected);
        records.forEach((r, i) => {
          expect(r.bytes).toEqual(Array.from(payload(r.capturedLength, payloadSeeds[i])));
        });
        expect(info).toEqual({
          file: 'test.pcap',
          format: 'pcapng',
          gzip: false,
          byteOrder: 'mixed',
          timeResolutions: ['10^-6', '10^-9', '2^-10', '10^-3', '2^-30'],
          linkTypes: [1, 276, 101, 113, 228],
          records: 9,
          bytesRead: bytes.length,
          truncated: false,
          truncatedOffset: undefined,
          warnings: [],
        });
      });
    }
  }

  it('gives each record the offset of its block', () => {
    const { records } = parseBytes(bytes, 'whole');
    // SHB 28, IDB eth 20, IDB sll2 (if_name "any" 8 + if_tsresol 8 + end 4) 40,
    // IDB raw (if_tsresol 8 + if_tsoffset 12 + end 4) 44, NRB (record 4+20, end 4) 40 → first EPB at 172.
    expect(records[0].fileOffset).toBe(172);
    // EPB of 60 bytes: 32 + 60 = 92.
    expect(records[1].fileOffset).toBe(264);
    for (let i = 0; i < records.length; i++) {
      const o = records[i].fileOffset;
      const type = Math.min(bytes.readUInt32LE(o), bytes.readUInt32BE(o));
      expect([2, 3, 6]).toContain(type);
    }
  });
});

describe('pcapng details', () => {
  it('an interface with no packets still lists its link type and resolution', () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink, { bigEndian: true });
    w.addInterface({ linkType: 1 });
    w.addInterface({ linkType: 147, tsresol: { base: 2, exp: 32 } });
    const { records, info } = parseBytes(sink.toBuffer(), 'bytes');
    expect(records).toEqual([]);
    expect(info.linkTypes).toEqual([1, 147]);
    expect(info.timeResolutions).toEqual(['10^-6', '2^-32']);
    expect(info.byteOrder).toBe('big');
  });

  it('a Simple Packet Block before any other packet has time 0', () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink);
    w.addInterface({ linkType: 1, snaplen: 0 });
    w.writeSimplePacket(payload(5, 0));
    const { records } = parseBytes(sink.toBuffer(), 'whole');
    expect(records[0]).toMatchObject({ tsSec: 0, tsNsec: 0, capturedLength: 5, originalLength: 5 });
  });

  it('interface ids start again at 0 in each section', () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink);
    w.addInterface({ linkType: 1 });
    w.addInterface({ linkType: 105 });
    w.writeEnhancedPacket(1, T0, 0, payload(4, 0));
    w.startSection({});
    w.addInterface({ linkType: 127 });
    w.writeEnhancedPacket(0, T0, 0, payload(4, 0));
    const { records, info } = parseBytes(sink.toBuffer(), 'random');
    expect(records.map((r) => [r.interfaceId, r.linkType])).toEqual([
      [1, 105],
      [0, 127],
    ]);
    expect(info.byteOrder).toBe('little');
  });

  it('accepts a captured length above the snaplen (under the cap), as tshark does', () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink);
    w.addInterface({ linkType: 1, snaplen: 68 });
    w.writeEnhancedPacket(0, T0, 0, payload(1500, 0));
    const p = new MemorySink();
    new PcapWriter(p, { snaplen: 68 }).writePacket(T0, 0, payload(1500, 0));
    expect(parseBytes(sink.toBuffer(), 'whole').records[0].capturedLength).toBe(1500);
    expect(parseBytes(p.toBuffer(), 'whole').records[0].capturedLength).toBe(1500);
  });

  it('reads records of exactly the cap: 262 144 captured bytes', () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink);
    w.addInterface({ linkType: 1 });
    w.writeEnhancedPacket(0, T0, 0, payload(262_144, 3));
    const p = new MemorySink();
    new PcapWriter(p).writePacket(T0, 0, payload(262_144, 3));
    for (const b of [sink.toBuffer(), p.toBuffer()]) {
      const { records } = parseBytes(b, 'random');
      expect(records[0].capturedLength).toBe(262_144);
      expect(records[0].bytes).toEqual(Array.from(payload(262_144, 3)));
    }
  });
});

describe('buffer ownership (STYLE: parse in place, copy only a straddling record, once)', () => {
  it('hands records inside a chunk as views of that chunk, and a straddling one correctly', () => {
    const sink = new MemorySink();
    const w = new PcapWriter(sink, { nanosecond: true });
    for (let i = 0; i < 10; i++) w.writePacket(T0 + i, i, payload(100, i));
    const bytes = sink.toBuffer(); // 24 + 10 × 116 = 1184
    // Chunk 1 ends inside record 4 (offset 24 + 4·116 = 488 .. 604).
    const chunk1 = Uint8Array.from(bytes.subarray(0, 550));
    const chunk2 = Uint8Array.from(bytes.subarray(550));
    const seen: { i: number; inChunk1: boolean; inChunk2: boolean; start: number; got: Got }[] = [];
    const parser = createCaptureParser('reuse.pcap', (r) => {
      seen.push({ i: seen.length, inChunk1: r.data === chunk1, inChunk2: r.data === chunk2, start: r.start, got: copyRecord(r) });
    });
    parser.push(chunk1);
    expect(seen).toHaveLength(4);
    // The parser must not keep chunk1: overwrite it as a reused read buffer would be.
    chunk1.fill(0);
    parser.push(chunk2);
    parser.end();
    expect(seen.map((s) => s.inChunk1)).toEqual([true, true, true, true, false, false, false, false, false, false]);
    expect(seen.map((s) => s.inChunk2)).toEqual([false, false, false, false, false, true, true, true, true, true]);
    // In place: the data starts right after the 16-byte record header.
    expect(seen[0].start).toBe(40);
    expect(seen[5].start).toBe(24 + 5 * 116 + 16 - 550);
    // The straddling record, from the reader's own buffer, is intact.
    expect(seen[4].got.bytes).toEqual(Array.from(payload(100, 4)));
    expect(seen[4].got.tsSec).toBe(T0 + 4);
    expect(seen[4].got.tsNsec).toBe(4);
    expect(seen[4].start).toBe(16);
  });

  it('reuses one record object for every record', () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink);
    w.addInterface({ linkType: 1 });
    for (let i = 0; i < 3; i++) w.writeEnhancedPacket(0, T0, i, payload(10, i));
    const objects = new Set<object>();
    const parser = createCaptureParser('x', (r) => objects.add(r));
    parser.push(sink.toBuffer());
    parser.end();
    expect(objects.size).toBe(1);
  });
});
