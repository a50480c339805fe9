/**
 * Hostile captures (issue 8 item 7): a capture cut at every byte — every
 * record boundary and every offset inside a file header, record header,
 * block header or body — read plain and through gzip, and a gzip stream cut
 * at every byte. Expectations are exact (SPEC §2a): a cut inside the file
 * header is CAPTURE_TRUNCATED_HEADER (CAPTURE_EMPTY at 0 bytes); any later
 * cut reads every whole record before it, and is a cut tail (warning, offset
 * = the last boundary before it) unless it falls on a boundary.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBase, type BaseSpec } from '../../scripts/fuzz-cases.mjs';
import { ReplayError } from '../../src/errors.js';
import { createCaptureParser } from '../../src/reader/parser.js';
import { readCapture } from '../../src/reader/source.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anycast-cuts-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

type Outcome = { records: number; truncatedOffset: number | undefined } | { code: string };

function parse(bytes: Uint8Array): Outcome {
  let records = 0;
  const parser = createCaptureParser('cut', () => void records++);
  try {
    parser.push(bytes);
    const info = parser.end();
    expect(info.records).toBe(records);
    return { records, truncatedOffset: info.truncated ? info.truncatedOffset : undefined };
  } catch (err) {
    if (err instanceof ReplayError) return { code: err.code };
    throw err;
  }
}

async function read(file: string, chunkSize?: number): Promise<Outcome> {
  let records = 0;
  try {
    const info = await readCapture(file, () => void records++, { chunkSize });
    return { records, truncatedOffset: info.truncated ? info.truncatedOffset : undefined };
  } catch (err) {
    if (err instanceof ReplayError) return { code: err.code };
    throw err;
  }
}

const spec = (format: string): BaseSpec => ({
  format,
  packets: 12,
  linkType: 1,
  ipv6: false,
  snaplen: 0,
  tsresol: 9,
  startSec: 1_700_000_000,
  gapUs: 1000,
  gzip: false,
});

/** What a cut at `at` must give, from the layout: `headerEnd` = end of the file header (pcap) or first SHB. */
function expected(at: number, bounds: number[], packetEnds: number[], headerEnd: number): Outcome {
  if (at === 0) return { code: 'CAPTURE_EMPTY' };
  if (at < headerEnd) return { code: 'CAPTURE_TRUNCATED_HEADER' };
  const last = Math.max(...bounds.filter((b) => b <= at));
  return { records: packetEnds.filter((e) => e <= at).length, truncatedOffset: last === at ? undefined : last };
}

describe.each(['pcap', 'pcap-ns-be', 'pcapng', 'pcapng-multi'])('%s cut at every byte', (format) => {
  const layout = buildBase(spec(format));
  const bytes = layout.bytes;
  // Packet records end where a boundary follows a packet record: every boundary after the headers
  // except those of SHB, IDB and NRB blocks (pcapng) — recomputed from the block types.
  const packetEnds: number[] = [];
  for (let i = 1; i < layout.bounds.length; i++) {
    const start = layout.bounds[i - 1];
    if (!layout.pcapng) {
      if (start >= 24) packetEnds.push(layout.bounds[i]);
      continue;
    }
    const le = sectionLittleEndian(bytes, start);
    const type = le ? bytes.readUInt32LE(start) : bytes.readUInt32BE(start);
    if (type === 2 || type === 3 || type === 6) packetEnds.push(layout.bounds[i]);
  }
  const headerEnd = layout.pcapng ? layout.bounds[1] : 24;

  it(`plain: exact outcome at each of the ${bytes.length + 1} cuts`, () => {
    expect(packetEnds.length).toBe(format === 'pcapng-multi' ? 24 : 12);
    for (let at = 0; at <= bytes.length; at++) {
      expect(parse(bytes.subarray(0, at)), `cut at ${at}`).toEqual(expected(at, layout.bounds, packetEnds, headerEnd));
    }
  });

  it('gzip of the cut file, read in 7-byte chunks: the same outcome at a sample of cuts', async () => {
    for (let at = 0; at <= bytes.length; at += 41) {
      const file = path.join(dir, `${format}-${at}.gz`);
      fs.writeFileSync(file, zlib.gzipSync(bytes.subarray(0, at)));
      expect(await read(file, 7), `cut at ${at}`).toEqual(expected(at, layout.bounds, packetEnds, headerEnd));
    }
  });

  it('the gzip stream itself cut at every byte of its head, then every 5th: a warning or an error, never more records than were written', async () => {
    const gz = zlib.gzipSync(bytes);
    let previous = 0;
    // From 2 bytes: a lone 1f is not a gzip magic (CAPTURE_BAD_MAGIC).
    // Every byte of the gzip header and the first deflate bytes, then every 5th.
    for (let at = 2; at < gz.length; at += at < 64 ? 1 : 5) {
      const file = path.join(dir, `${format}-gzcut.gz`);
      fs.writeFileSync(file, gz.subarray(0, at));
      const r = await read(file);
      if ('code' in r) {
        // Too little inflates to hold the file header (or nothing at all).
        expect(['CAPTURE_EMPTY', 'CAPTURE_TRUNCATED_HEADER', 'CAPTURE_GZIP'], `gzip cut at ${at}`).toContain(r.code);
        continue;
      }
      expect(r.truncatedOffset, `gzip cut at ${at}`).toBeDefined();
      expect(r.records).toBeGreaterThanOrEqual(previous);
      expect(r.records).toBeLessThanOrEqual(packetEnds.length);
      previous = r.records;
    }
  });
});

function sectionLittleEndian(bytes: Buffer, at: number): boolean {
  let le = true;
  for (let p = 0; p + 12 <= at; ) {
    const shb = bytes.readUInt32LE(p) === 0x0a0d0d0a;
    if (shb) le = bytes[p + 8] === 0x4d;
    const len = le ? bytes.readUInt32LE(p + 4) : bytes.readUInt32BE(p + 4);
    p += len;
  }
  return le;
}
