/**
 * Damaged captures (SPEC §2a): each ends with a cut-tail warning or a
 * ReplayError with a stable code, an exact message and the offset of the
 * damaged record or block — the same whatever the chunking.
 */
import { describe, expect, it } from 'vitest';
import { cutBytes, withU32 } from '../../src/reader/damage.js';
import { createCaptureParser } from '../../src/reader/parser.js';
import { MemorySink, PcapWriter, PcapngWriter } from '../../src/reader/writer.js';
import { CHUNKINGS, parseBytes, payload, thrown } from './helpers.js';

const T0 = 1_700_000_000;

/** Header 24 + records of 16 + 100 bytes at 24, 140, 256. */
function pcap3(bigEndian = false): Buffer {
  const sink = new MemorySink();
  const w = new PcapWriter(sink, { bigEndian });
  for (let i = 0; i < 3; i++) w.writePacket(T0 + i, 0, payload(100, i));
  return sink.toBuffer();
}

/**
 * SHB at 0 (28), IDB at 28 (20), EPBs of 32 + 100 = 132 bytes at 48, 180, 312;
 * 444 bytes in all.
 */
function pcapng3(bigEndian = false): Buffer {
  const sink = new MemorySink();
  const w = new PcapngWriter(sink, { bigEndian });
  w.addInterface({ linkType: 1 });
  for (let i = 0; i < 3; i++) w.writeEnhancedPacket(0, T0 + i, 0, payload(100, i));
  return sink.toBuffer();
}

function expectError(bytes: Uint8Array, code: string, problem: string, offset: number | undefined): void {
  for (const chunking of CHUNKINGS) {
    const e = thrown(() => parseBytes(bytes, chunking));
    expect({ chunking, code: e.code, problem: e.problem, offset: e.offset }).toEqual({ chunking, code, problem, offset });
    expect(e.message).toBe(`test.pcap: ${problem}${offset === undefined ? '' : ` at byte ${offset}`}`);
  }
}

function expectCut(bytes: Uint8Array, records: number, offset: number, warning: string): void {
  for (const chunking of CHUNKINGS) {
    const { records: got, info } = parseBytes(bytes, chunking);
    expect(got).toHaveLength(records);
    expect(info.records).toBe(records);
    expect(info.truncated).toBe(true);
    expect(info.truncatedOffset).toBe(offset);
    expect(info.bytesRead).toBe(bytes.length);
    expect(info.warnings).toEqual([warning]);
  }
}

describe('no capture at all', () => {
  it('empty: CAPTURE_EMPTY, no offset', () => {
    expectError(new Uint8Array(0), 'CAPTURE_EMPTY', 'empty capture', undefined);
  });

  it('an unknown magic: CAPTURE_BAD_MAGIC at byte 0', () => {
    // "GET " — an HTTP request saved under a .pcap name.
    expectError(Buffer.from('GET / HTTP/1.1\r\n'), 'CAPTURE_BAD_MAGIC', 'not a pcap or pcapng capture (unknown magic)', 0);
    // Two bytes that start no magic.
    expectError(Buffer.from('hi'), 'CAPTURE_BAD_MAGIC', 'not a pcap or pcapng capture (unknown magic)', 0);
  });

  it('pcap header cut short: CAPTURE_TRUNCATED_HEADER', () => {
    expectError(cutBytes(pcap3(), 10), 'CAPTURE_TRUNCATED_HEADER', 'file header cut short (10 of 24 bytes)', 0);
    expectError(cutBytes(pcap3(), 2), 'CAPTURE_TRUNCATED_HEADER', 'file header cut short (2 bytes present)', 0);
  });

  it('pcapng cut inside its first Section Header Block: CAPTURE_TRUNCATED_HEADER', () => {
    expectError(cutBytes(pcapng3(), 20), 'CAPTURE_TRUNCATED_HEADER', 'section header block cut short (20 bytes present)', 0);
  });
});

describe('classic pcap', () => {
  it('a whole file ends without warning', () => {
    const { info } = parseBytes(pcap3(), 'bytes');
    expect(info.truncated).toBe(false);
    expect(info.truncatedOffset).toBeUndefined();
  });

  it('cut inside the last record: records before it, a warning at its first byte', () => {
    expectCut(cutBytes(pcap3(), 300), 2, 256, 'capture cut inside the record at byte 256');
  });

  it('cut inside a record header', () => {
    expectCut(cutBytes(pcap3(), 262), 2, 256, 'capture cut inside the record at byte 256');
  });

  it('cut inside the first record: no record, a warning at 24', () => {
    expectCut(cutBytes(pcap3(true), 30), 0, 24, 'capture cut inside the record at byte 24');
  });

  it('captured length over the cap: CAPTURE_BAD_LENGTH at the record', () => {
    // Record 2 at 140: its captured length field is at 140 + 8.
    expectError(withU32(pcap3(), 148, 0xffff_ffff), 'CAPTURE_BAD_LENGTH', 'bad record length 4294967295 (cap 262144)', 140);
    expectError(withU32(pcap3(true), 148, 262_145, true), 'CAPTURE_BAD_LENGTH', 'bad record length 262145 (cap 262144)', 140);
  });

  it('a huge length in a cut record is still an error, found before any buffering', () => {
    expectError(cutBytes(withU32(pcap3(), 264, 0x7fff_fff0), 280), 'CAPTURE_BAD_LENGTH', 'bad record length 2147483632 (cap 262144)', 256);
  });
});

describe('pcapng', () => {
  it('cut inside the last block: a warning at its first byte', () => {
    expectCut(cutBytes(pcapng3(), 400), 2, 312, 'capture cut inside the block at byte 312');
    expectCut(cutBytes(pcapng3(true), 316), 2, 312, 'capture cut inside the block at byte 312');
  });

  it('cut inside the Interface Description Block: no record, a warning at 28', () => {
    expectCut(cutBytes(pcapng3(), 40), 0, 28, 'capture cut inside the block at byte 28');
  });

  it('block length over the cap, under 12, not a multiple of 4', () => {
    expectError(withU32(pcapng3(), 184, 0x7fff_fff0), 'CAPTURE_BAD_LENGTH', 'bad block length 2147483632 (cap 16777216)', 180);
    expectError(withU32(pcapng3(), 184, 8), 'CAPTURE_BAD_LENGTH', 'bad block length 8 (minimum 12)', 180);
    expectError(withU32(pcapng3(true), 184, 130, true), 'CAPTURE_BAD_LENGTH', 'bad block length 130 (not a multiple of 4)', 180);
  });

  it('a block too short for its type', () => {
    expectError(withU32(pcapng3(), 184, 28), 'CAPTURE_BAD_LENGTH', 'bad block length 28 for block type 6 (minimum 32)', 180);
    expectError(withU32(pcapng3(), 32, 16), 'CAPTURE_BAD_LENGTH', 'bad block length 16 for block type 1 (minimum 20)', 28);
  });

  it('an EPB captured length larger than its block', () => {
    // EPB at 180: captured length at 180 + 20; the block has room for 100.
    expectError(withU32(pcapng3(), 200, 101), 'CAPTURE_BAD_LENGTH', 'captured length 101 larger than its block (room for 100)', 180);
  });

  it('a trailing length that differs: CAPTURE_BAD_TRAILER at the block', () => {
    // EPB at 180, 132 bytes: trailer at 180 + 128.
    expectError(withU32(pcapng3(), 308, 136), 'CAPTURE_BAD_TRAILER', 'block trailing length 136 differs from its length 132', 180);
    expectError(withU32(pcapng3(true), 24, 32, true), 'CAPTURE_BAD_TRAILER', 'block trailing length 32 differs from its length 28', 0);
  });

  it('a bad byte-order magic: CAPTURE_BAD_BYTE_ORDER at the magic (8 in the first section)', () => {
    expectError(withU32(pcapng3(), 8, 0x1234_5678), 'CAPTURE_BAD_BYTE_ORDER', 'bad pcapng byte-order magic', 8);
    const second = Buffer.concat([pcapng3(), withU32(pcapng3(true), 8, 0)]);
    expectError(second, 'CAPTURE_BAD_BYTE_ORDER', 'bad pcapng byte-order magic', 452);
  });

  it('a packet on an undefined interface: CAPTURE_BAD_INTERFACE', () => {
    expectError(withU32(pcapng3(), 188, 5), 'CAPTURE_BAD_INTERFACE', 'packet on interface 5, but the section defines 1', 180);
    const sink = new MemorySink();
    const w = new PcapngWriter(sink);
    w.writeSimplePacket(payload(4, 0));
    expectError(sink.toBuffer(), 'CAPTURE_BAD_INTERFACE', 'packet on interface 0, but the section defines 0', 28);
  });

  it('interfaces of an earlier section do not carry over', () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink);
    w.addInterface({ linkType: 1 });
    w.startSection({ bigEndian: true });
    w.writeEnhancedPacketUnits(0, 0, 0, payload(4, 0));
    // SHB 28 + IDB 20 + SHB 28 → the EPB at 76.
    expectError(sink.toBuffer(), 'CAPTURE_BAD_INTERFACE', 'packet on interface 0, but the section defines 0', 76);
  });

  it('an option running past its block: CAPTURE_BAD_LENGTH', () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink);
    w.addInterface({ linkType: 1, name: 'eth0' });
    // IDB at 28: options at 28 + 16; if_name's length field at 46 says 200.
    const bytes = sink.toBuffer();
    bytes.writeUInt16LE(200, 46);
    expectError(bytes, 'CAPTURE_BAD_LENGTH', 'option 2 length 200 runs past the end of its block', 28);
  });

  it('a hand-written file: SHB, IDB with if_tsresol 2^-10, one EPB', () => {
    // prettier-ignore
    const bytes = Uint8Array.from([
      // SHB: type 0x0A0D0D0A, total length 28, byte-order magic (little-endian),
      0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a,
      // version 1.0, section length −1, total length 28
      1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0,
      // IDB: type 1, total length 32, link type 276 (SLL2), reserved, snaplen 0,
      1, 0, 0, 0, 32, 0, 0, 0, 0x14, 0x01, 0, 0, 0, 0, 0, 0,
      // option if_tsresol (9), length 1, value 0x8a = 2^-10, padding; opt_endofopt; total length 32
      9, 0, 1, 0, 0x8a, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0, 0,
      // EPB: type 6, total length 36, interface 0,
      6, 0, 0, 0, 36, 0, 0, 0, 0, 0, 0, 0,
      // timestamp high 0, low 0x00000C01 = 3073 units = 3 s + 1/1024 s,
      0, 0, 0, 0, 0x01, 0x0c, 0, 0,
      // captured length 3, original length 60, data padded to 4, total length 36
      3, 0, 0, 0, 60, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0, 36, 0, 0, 0,
    ]);
    for (const chunking of CHUNKINGS) {
      const { records, info } = parseBytes(bytes, chunking);
      expect(records).toEqual([
        // 1/1024 s = 976 562.5 ns, floored
        { interfaceId: 0, linkType: 276, tsSec: 3, tsNsec: 976_562, capturedLength: 3, originalLength: 60, fileOffset: 60, bytes: [0xaa, 0xbb, 0xcc] },
      ]);
      expect(info.timeResolutions).toEqual(['2^-10']);
    }
  });
});

describe('caps bound what the reader buffers', () => {
  it('a block of exactly 16 MiB is read; 16 MiB + 4 is refused before buffering', () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink);
    w.writeBlock(0x0000_0bad, new Uint8Array(16 * 1024 * 1024 - 12));
    const ok = sink.toBuffer();
    const parser = createCaptureParser('big.pcapng', () => undefined);
    // In 1 MiB pieces: the block straddles 17 chunks and is assembled once.
    for (let p = 0; p < ok.length; p += 1 << 20) parser.push(ok.subarray(p, p + (1 << 20)));
    expect(parser.end().truncated).toBe(false);
    const bad = cutBytes(withU32(ok, 32, 16 * 1024 * 1024 + 4), 64);
    expectError(bad, 'CAPTURE_BAD_LENGTH', 'bad block length 16777220 (cap 16777216)', 28);
  });
});
