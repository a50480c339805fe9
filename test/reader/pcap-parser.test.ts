/**
 * Differential test against the `pcap-parser` npm package (an independent
 * classic-pcap reader, microseconds only): same records, timestamps and
 * lengths on files our writer makes.
 */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MemorySink, PcapWriter } from '../../src/reader/writer.js';
import { parseBytes, rng } from './helpers.js';

// CommonJS without type declarations: loaded through require, typed here.
const pcapParser = createRequire(import.meta.url)('pcap-parser') as { parse(input: Readable): EventEmitter };

interface Their {
  sec: number;
  usec: number;
  capturedLength: number;
  originalLength: number;
  bytes: number[];
}

function theirs(bytes: Buffer): Promise<Their[]> {
  return new Promise((resolve, reject) => {
    const out: Their[] = [];
    // Several small chunks, so its own buffering is exercised too.
    const pieces: Buffer[] = [];
    for (let p = 0; p < bytes.length; p += 1000) pieces.push(bytes.subarray(p, p + 1000));
    const parser = pcapParser.parse(Readable.from(pieces));
    parser.on(
      'packet',
      (packet: {
        header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
        data: Buffer;
      }) => {
        out.push({
          sec: packet.header.timestampSeconds,
          usec: packet.header.timestampMicroseconds,
          capturedLength: packet.header.capturedLength,
          originalLength: packet.header.originalLength,
          bytes: Array.from(packet.data),
        });
      },
    );
    parser.on('error', reject);
    parser.on('end', () => resolve(out));
  });
}

function randomCapture(seed: number, bigEndian: boolean): Buffer {
  const next = rng(seed);
  const sink = new MemorySink();
  const w = new PcapWriter(sink, { bigEndian, linkType: 1 });
  let sec = 1_000_000_000 + Math.floor(next() * 1e9);
  for (let i = 0; i < 300; i++) {
    sec += Math.floor(next() * 3);
    const len = Math.floor(next() * 1600);
    const b = new Uint8Array(len);
    for (let j = 0; j < len; j++) b[j] = (next() * 256) & 0xff;
    const orig = next() < 0.2 ? len + Math.floor(next() * 9000) : len;
    w.writePacket(sec, Math.floor(next() * 1e9), b, orig);
  }
  return sink.toBuffer();
}

describe('differential: pcap-parser', () => {
  for (const bigEndian of [false, true]) {
    for (const seed of [1, 2, 3]) {
      it(`${bigEndian ? 'big' : 'little'}-endian µs capture, seed ${seed}`, async () => {
        const bytes = randomCapture(seed, bigEndian);
        const expected = await theirs(bytes);
        expect(expected).toHaveLength(300);
        const { records, info } = parseBytes(bytes, 'random', seed);
        expect(info.records).toBe(expected.length);
        expect(
          records.map((r) => ({
            sec: r.tsSec,
            usec: r.tsNsec / 1000,
            capturedLength: r.capturedLength,
            originalLength: r.originalLength,
            bytes: r.bytes,
          })),
        ).toEqual(expected);
      });
    }
  }
});
