/** Shared by the reader tests: collect records, feed a parser in different chunkings. */
import { createCaptureParser } from '../../src/reader/parser.js';
import type { CaptureFileInfo, CaptureRecord } from '../../src/reader/record.js';

/** A copy of what a record said (the record object itself is reused). */
export interface Got {
  interfaceId: number;
  linkType: number;
  tsSec: number;
  tsNsec: number;
  capturedLength: number;
  originalLength: number;
  fileOffset: number;
  bytes: number[];
}

export function copyRecord(r: CaptureRecord): Got {
  return {
    interfaceId: r.interfaceId,
    linkType: r.linkType,
    tsSec: r.tsSec,
    tsNsec: r.tsNsec,
    capturedLength: r.capturedLength,
    originalLength: r.originalLength,
    fileOffset: r.fileOffset,
    bytes: Array.from(r.data.subarray(r.start, r.start + r.capturedLength)),
  };
}

/** Deterministic generator (mulberry32) so that "random" chunkings are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Chunking = 'whole' | 'bytes' | 'random';
export const CHUNKINGS: Chunking[] = ['whole', 'bytes', 'random'];

/**
 * Feeds `bytes` to a fresh parser in the given chunking, each chunk a fresh
 * copy that is then overwritten (so a parser keeping a chunk would be caught).
 */
export function parseBytes(bytes: Uint8Array, chunking: Chunking, seed = 1): { records: Got[]; info: CaptureFileInfo } {
  const records: Got[] = [];
  const parser = createCaptureParser('test.pcap', (r) => records.push(copyRecord(r)));
  if (chunking === 'whole') {
    parser.push(Uint8Array.from(bytes));
  } else {
    const next = rng(seed);
    let pos = 0;
    while (pos < bytes.length) {
      const n = chunking === 'bytes' ? 1 : 1 + Math.floor(next() * 300);
      const chunk = Uint8Array.from(bytes.subarray(pos, pos + n));
      parser.push(chunk);
      chunk.fill(0xee);
      pos += n;
    }
  }
  const info = parser.end();
  return { records, info };
}

/** Runs `fn` and returns the error it throws (fails the test if it does not). */
export function thrown(fn: () => unknown): { code: string; problem: string; offset: number | undefined; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code: string; problem: string; offset: number | undefined; message: string };
  }
  throw new Error('expected an error');
}

/** Packet bytes with recognizable content: byte i = (seed + i) & 0xff. */
export function payload(length: number, seed: number): Uint8Array {
  const b = new Uint8Array(length);
  for (let i = 0; i < length; i++) b[i] = (seed + i) & 0xff;
  return b;
}
