/**
 * readCapture over real files, pipes and gzip (SPEC §1, §2a): temp files in a
 * per-test directory, standard input through a spawned process.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReplayError } from '../../src/errors.js';
import { cutBytes, flipByte, gzipBytes } from '../../src/reader/damage.js';
import { readCapture } from '../../src/reader/index.js';
import type { CaptureRecord } from '../../src/reader/record.js';
import { MemorySink, PcapWriter, PcapngWriter } from '../../src/reader/writer.js';
import { type Got, copyRecord, payload, rng } from './helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const T0 = 1_700_000_000;

let dir = '';
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anycast-replay-reader-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, bytes: Uint8Array): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, bytes);
  return p;
}

/**
 * 2000 records of 40…1039 bytes with pseudo-random content (so gzip cannot
 * shrink them to nothing). Returns the bytes and each record's offset.
 */
function bigPcap(): { bytes: Buffer; offsets: number[] } {
  const next = rng(99);
  const sink = new MemorySink();
  const w = new PcapWriter(sink, { nanosecond: true });
  const offsets: number[] = [];
  for (let i = 0; i < 2000; i++) {
    offsets.push(sink.pos);
    const b = new Uint8Array(40 + (i % 1000));
    for (let j = 0; j < b.length; j++) b[j] = (next() * 256) & 0xff;
    w.writePacket(T0 + i, i * 1000, b);
  }
  return { bytes: sink.toBuffer(), offsets };
}

async function collect(file: string, chunkSize?: number): Promise<{ records: Got[]; info: Awaited<ReturnType<typeof readCapture>> }> {
  const records: Got[] = [];
  const info = await readCapture(file, (r) => records.push(copyRecord(r)), { chunkSize });
  return { records, info };
}

async function rejection(p: Promise<unknown>): Promise<ReplayError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ReplayError);
    return err as ReplayError;
  }
  throw new Error('expected a rejection');
}

describe('plain files', () => {
  it('reads every record with any chunk size, the same as whole', async () => {
    const { bytes } = bigPcap();
    const file = write('big.pcap', bytes);
    const whole = await collect(file);
    expect(whole.records).toHaveLength(2000);
    expect(whole.records[1999]).toMatchObject({ tsSec: T0 + 1999, tsNsec: 1_999_000, capturedLength: 1039 });
    expect(whole.info).toMatchObject({ format: 'pcap-ns', gzip: false, records: 2000, bytesRead: bytes.length, truncated: false });
    for (const chunkSize of [509, 4096, 65_536]) {
      const r = await collect(file, chunkSize);
      expect(r.records).toEqual(whole.records);
      expect(r.info).toEqual(whole.info);
    }
  });

  it('reads one byte per read', async () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink, { bigEndian: true });
    w.addInterface({ linkType: 1, tsresol: { base: 2, exp: 30 } });
    for (let i = 0; i < 20; i++) w.writeEnhancedPacket(0, T0 + i, 7, payload(60 + i, i));
    const file = write('small.pcapng', sink.toBuffer());
    const a = await collect(file, 1);
    const b = await collect(file);
    expect(a.records).toHaveLength(20);
    expect(a.records).toEqual(b.records);
    expect(a.records[19]).toMatchObject({ tsSec: T0 + 19, tsNsec: 7, capturedLength: 79 });
  });

  it('parses in place: records share the reused read buffer, not one copy each', async () => {
    const { bytes } = bigPcap();
    const file = write('big.pcap', bytes);
    const views = new Set<Uint8Array>();
    let n = 0;
    await readCapture(
      file,
      (r: CaptureRecord) => {
        views.add(r.data);
        n++;
      },
      { chunkSize: 65_536 },
    );
    expect(n).toBe(2000);
    // The 64 KiB read buffer, the reader's buffer for straddling records, and
    // the view of the last, shorter read.
    expect(views.size).toBeLessThanOrEqual(3);
  });

  it('reports progress after each chunk, ending at the file size', async () => {
    const file = write('big.pcap', bigPcap().bytes);
    const size = fs.statSync(file).size;
    const calls: [number, number | undefined][] = [];
    await readCapture(file, () => undefined, { chunkSize: 1 << 18, onProgress: (c, t) => calls.push([c, t]) });
    expect(calls.length).toBe(Math.ceil(size / (1 << 18)));
    expect(calls[0]).toEqual([1 << 18, size]);
    expect(calls.at(-1)).toEqual([size, size]);
  });

  it('a missing file: FILE_READ', async () => {
    const file = path.join(dir, 'nope.pcap');
    const e = await rejection(readCapture(file, () => undefined));
    expect(e.code).toBe('FILE_READ');
    expect(e.message).toBe(`${file}: cannot open (ENOENT)`);
    expect(e.offset).toBeUndefined();
  });

  it('a directory: FILE_READ', async () => {
    const e = await rejection(readCapture(dir, () => undefined));
    expect(e.code).toBe('FILE_READ');
    expect(e.message).toBe(`${dir}: cannot read (EISDIR)`);
  });

  it('an empty file: CAPTURE_EMPTY without offset, naming the path as given', async () => {
    const file = write('empty.pcap', new Uint8Array(0));
    const e = await rejection(readCapture(file, () => undefined));
    expect(e.code).toBe('CAPTURE_EMPTY');
    expect(e.message).toBe(`${file}: empty capture`);
  });

  it('refuses a chunk size that is not a positive integer', async () => {
    await expect(readCapture('x', () => undefined, { chunkSize: 0 })).rejects.toThrow(RangeError);
  });

  it('reads a FIFO as a stream', async () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink);
    w.addInterface({ linkType: 1 });
    for (let i = 0; i < 50; i++) w.writeEnhancedPacket(0, T0, i, payload(100, i));
    const src = write('src.pcapng', sink.toBuffer());
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const child = spawn('sh', ['-c', `cat "${src}" > "${fifo}"`]);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const { records, info } = await collect(fifo);
    expect(records).toHaveLength(50);
    expect(info.format).toBe('pcapng');
    expect(await exited).toBe(0);
  });

  it('stops reading a FIFO when the handler throws, releasing the writer', async () => {
    const sink = new MemorySink();
    const w = new PcapWriter(sink);
    for (let i = 0; i < 20_000; i++) w.writePacket(T0, i, payload(200, i));
    const src = write('big.pcap', sink.toBuffer()); // 4.3 MB, far more than a pipe holds
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const child = spawn('sh', ['-c', `cat "${src}" > "${fifo}"`]);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await expect(
      readCapture(fifo, () => {
        throw new Error('consumer stops');
      }),
    ).rejects.toThrow('consumer stops');
    // cat ends (killed by SIGPIPE: exit status non-zero) instead of blocking forever.
    expect(await exited).not.toBe(0);
  });
});

describe('gzip files', () => {
  it('is sniffed from 1f 8b whatever the name, and streamed', async () => {
    const { bytes } = bigPcap();
    const file = write('capture.pcap', gzipBytes(bytes));
    for (const chunkSize of [4096, undefined]) {
      const { records, info } = await collect(file, chunkSize);
      expect(records).toHaveLength(2000);
      expect(info).toMatchObject({ format: 'pcap-ns', gzip: true, bytesRead: bytes.length, truncated: false, warnings: [] });
    }
  });

  it('reads concatenated members as one stream (`cat a.gz b.gz`)', async () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink, { bigEndian: true });
    w.addInterface({ linkType: 276 });
    for (let i = 0; i < 10; i++) w.writeEnhancedPacket(0, T0 + i, 0, payload(50, i));
    const bytes = sink.toBuffer();
    // Split in the middle of a block: members need not end on record boundaries.
    const file = write('two.pcapng.gz', Buffer.concat([gzipBytes(bytes.subarray(0, 301)), gzipBytes(bytes.subarray(301))]));
    const { records, info } = await collect(file);
    expect(records.map((r) => r.tsSec)).toEqual(Array.from({ length: 10 }, (_, i) => T0 + i));
    expect(info).toMatchObject({ format: 'pcapng', gzip: true, byteOrder: 'big', linkTypes: [276], truncated: false });
  });

  it('reports compressed progress, ending at the file size', async () => {
    const file = write('big.pcap.gz', gzipBytes(bigPcap().bytes));
    const size = fs.statSync(file).size;
    const calls: number[] = [];
    await readCapture(file, () => undefined, { onProgress: (c, t) => (expect(t).toBe(size), calls.push(c)) });
    expect(calls.at(-1)).toBe(size);
    for (let i = 1; i < calls.length; i++) expect(calls[i]).toBeGreaterThanOrEqual(calls[i - 1]);
  });

  it('a gzip stream cut short is a cut tail: every record it still inflates to, a warning', async () => {
    const { bytes, offsets } = bigPcap();
    const gz = gzipBytes(bytes);
    const cut = cutBytes(gz, Math.floor(gz.length / 2));
    // What the cut stream inflates to (the oracle: zlib without the final check).
    const inflated = zlib.gunzipSync(cut, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).length;
    const whole = offsets.filter((o, i) => (offsets[i + 1] ?? bytes.length) <= inflated).length;
    const cutAt = offsets[whole];
    expect(cutAt).toBeLessThan(inflated);
    const { records, info } = await collect(write('cut.pcap.gz', cut));
    expect(records).toHaveLength(whole);
    expect(info).toMatchObject({ gzip: true, truncated: true, truncatedOffset: cutAt, bytesRead: inflated });
    expect(info.warnings).toEqual([`capture cut inside the record at byte ${cutAt} (gzip stream ends early)`]);
  });

  it('a gzip stream cut inside its trailer: every record, and a warning at the end of the data', async () => {
    const { bytes } = bigPcap();
    const gz = gzipBytes(bytes);
    const { records, info } = await collect(write('cut.pcap.gz', cutBytes(gz, gz.length - 4)));
    expect(records).toHaveLength(2000);
    expect(info.truncatedOffset).toBe(bytes.length);
    expect(info.warnings).toEqual([`capture cut at byte ${bytes.length} (gzip stream ends early)`]);
  });

  it('a bad CRC: CAPTURE_GZIP, no offset', async () => {
    const gz = gzipBytes(bigPcap().bytes);
    const file = write('crc.pcap.gz', flipByte(gz, gz.length - 8, 0x01));
    const e = await rejection(readCapture(file, () => undefined));
    expect(e.code).toBe('CAPTURE_GZIP');
    expect(e.offset).toBeUndefined();
    expect(e.message).toBe(`${file}: corrupt gzip data (incorrect data check)`);
  });

  it('a bad gzip header: CAPTURE_GZIP', async () => {
    // Byte 2 is the compression method, 8 (deflate) is the only one.
    const file = write('hdr.pcap.gz', flipByte(gzipBytes(bigPcap().bytes), 2, 0x0f));
    const e = await rejection(readCapture(file, () => undefined));
    expect(e.code).toBe('CAPTURE_GZIP');
    expect(e.message).toBe(`${file}: corrupt gzip data (unknown compression method)`);
  });

  it('corrupt deflate data is a gzip error even when its garbage reaches the parser first', async () => {
    const { bytes } = bigPcap();
    const gz = gzipBytes(bytes, 1);
    for (const at of [1000, 50_000, Math.floor(gz.length / 2)]) {
      const e = await rejection(readCapture(write(`bad${at}.pcap.gz`, flipByte(gz, at, 0x10)), () => undefined));
      expect(e.code).toBe('CAPTURE_GZIP');
      expect(e.offset).toBeUndefined();
    }
  });

  it('a damaged record inside an intact gzip stream is still the record’s error', async () => {
    const { bytes, offsets } = bigPcap();
    const damaged = Buffer.from(bytes);
    damaged.writeUInt32LE(0xffff_fff0, offsets[1500] + 8);
    const e = await rejection(readCapture(write('len.pcap.gz', gzipBytes(damaged)), () => undefined));
    expect(e.code).toBe('CAPTURE_BAD_LENGTH');
    expect(e.offset).toBe(offsets[1500]);
    expect(e.problem).toBe('bad record length 4294967280 (cap 262144)');
  });

  it('an error thrown by the handler stops the read and propagates', async () => {
    const file = write('big.pcap.gz', gzipBytes(bigPcap().bytes));
    let n = 0;
    await expect(
      readCapture(file, () => {
        if (++n === 10) throw new Error('consumer stops');
      }),
    ).rejects.toThrow('consumer stops');
    expect(n).toBe(10);
  });
});

describe('standard input (`-`)', () => {
  let build = '';
  let script = '';
  beforeAll(() => {
    // Compile the reader so that a plain `node` child can read its own stdin.
    build = fs.mkdtempSync(path.join(os.tmpdir(), 'anycast-replay-reader-build-'));
    execFileSync(
      path.join(ROOT, 'node_modules/.bin/tsc'),
      [
        '--outDir', build, '--rootDir', path.join(ROOT, 'src'), '--module', 'nodenext', '--moduleResolution', 'nodenext',
        '--target', 'es2022', '--types', 'node', '--skipLibCheck', path.join(ROOT, 'src/reader/index.ts'),
      ],
      { cwd: ROOT },
    );
    fs.writeFileSync(path.join(build, 'package.json'), '{"type":"module"}');
    script = path.join(build, 'read-stdin.js');
    fs.writeFileSync(
      script,
      `import { readCapture } from './reader/index.js';
let n = 0;
let last = 0;
try {
  const info = await readCapture('-', (r) => { n++; last = r.tsSec; });
  process.stdout.write(JSON.stringify({ n, last, info }));
} catch (e) {
  process.stdout.write(JSON.stringify({ n, error: { code: e.code, message: e.message, offset: e.offset } }));
}
`,
    );
  });
  afterAll(() => {
    if (build !== '') fs.rmSync(build, { recursive: true, force: true });
  });

  function viaPipe(shell: string): Record<string, unknown> {
    return JSON.parse(execFileSync('sh', ['-c', `${shell} | node "${script}"`], { encoding: 'utf8' })) as Record<string, unknown>;
  }

  it('reads a plain capture from a pipe', () => {
    const file = write('big.pcap', bigPcap().bytes);
    const out = viaPipe(`cat "${file}"`);
    expect(out).toMatchObject({ n: 2000, last: T0 + 1999, info: { file: '-', format: 'pcap-ns', gzip: false, truncated: false } });
  });

  it('reads gzip from a pipe, even when the first byte comes alone', () => {
    const file = write('big.pcap.gz', gzipBytes(bigPcap().bytes));
    const out = viaPipe(`{ head -c 1 "${file}"; sleep 0.3; tail -c +2 "${file}"; }`);
    expect(out).toMatchObject({ n: 2000, info: { file: '-', format: 'pcap-ns', gzip: true, truncated: false } });
  });

  it('reports a cut gzip stream on stdin as a cut tail', () => {
    const gz = gzipBytes(bigPcap().bytes);
    const file = write('cut.pcap.gz', cutBytes(gz, gz.length - 1000));
    const out = viaPipe(`cat "${file}"`) as { info: { truncated: boolean; warnings: string[] } };
    expect(out.info.truncated).toBe(true);
    expect(out.info.warnings[0]).toMatch(/^capture cut inside the record at byte \d+ \(gzip stream ends early\)$/);
  });

  it('an empty stdin: CAPTURE_EMPTY naming "-"', () => {
    expect(viaPipe('true')).toEqual({ n: 0, error: { code: 'CAPTURE_EMPTY', message: '-: empty capture' } });
  });
});
