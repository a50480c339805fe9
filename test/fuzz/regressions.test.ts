/**
 * Bugs the hostile-capture fuzzing found (issue 8 item 7), each with the
 * smallest capture that showed it. docs/fuzzing.md lists them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runConnections } from '../../src/connections.js';
import { ReplayError } from '../../src/errors.js';
import { inspectCapture } from '../../src/info.js';
import { MAX_TIMESTAMP_SECONDS } from '../../src/reader/caps.js';
import { gzipBytes } from '../../src/reader/damage.js';
import { MemorySink, PcapngWriter } from '../../src/reader/writer.js';
import { readCapture } from '../../src/reader/source.js';
import { runReplay } from '../../src/replay.js';
import { materialize, type FuzzCase } from '../../scripts/fuzz-cases.mjs';
import { buildTcpFrame } from '../../src/synth/frames.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anycast-fuzz-regressions-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const SYN = 0x02;
const ACK = 0x10;

function frame(srcPort: number, flags: number): Uint8Array {
  return buildTcpFrame({ src: '10.0.0.1', dst: '192.0.2.1', srcPort, dstPort: 80, flags, payloadLength: 10 }).data;
}

/**
 * pcapng, if_tsresol 10^0 (one unit = one second): SYNs at 1 s and 2 s, then
 * a SYN and an ACK at `units` and `units + 1` seconds. The third EPB starts
 * at byte 28 (SHB) + 32 (IDB with if_tsresol) + 2 × 96 (EPBs: 64-byte frames) = 252.
 */
function captureAt(units: bigint, tsoffsetSec?: number): Buffer {
  const sink = new MemorySink();
  const w = new PcapngWriter(sink);
  const iface: Parameters<PcapngWriter['addInterface']>[0] = { linkType: 1, tsresol: { base: 10, exp: 0 } };
  if (tsoffsetSec !== undefined) iface.tsoffsetSec = tsoffsetSec;
  w.addInterface(iface);
  const put = (u: bigint, f: Uint8Array): void => w.writeEnhancedPacketUnits(0, Number(u >> 32n), Number(u & 0xffffffffn), f);
  put(1n, frame(1000, SYN));
  put(2n, frame(1001, SYN));
  put(units, frame(1002, SYN));
  put(units + 1n, frame(1000, ACK));
  return sink.toBuffer();
}

function write(name: string, bytes: Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

async function errorOf(run: () => Promise<unknown>): Promise<ReplayError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof ReplayError) return err;
    throw err;
  }
  throw new Error('expected a ReplayError');
}

describe('issue 8 item 7: pcapng times beyond ±2^48 s are damage, not internal errors', () => {
  it('2^63 s (10^0 units): was "internal: slot 1 is not in the connection index" (exit 70), now CAPTURE_BAD_TIME at the block', async () => {
    const file = write('t2e63.pcapng', captureAt(2n ** 63n));
    const runs = [
      () => runReplay([file], { policy: ['all'], maxConnections: 2 }),
      () => runConnections([file], { maxConnections: 2 }, { row: () => undefined }),
      () => inspectCapture(file),
    ];
    for (const run of runs) {
      const err = await errorOf(run);
      expect(err.code).toBe('CAPTURE_BAD_TIME');
      expect(err.message).toBe(`${file}: timestamp out of range (more than 2^48 s from 1970) at byte 252`);
      expect(err.exitCode).toBe(1);
    }
  });

  it('exactly 2^48 s is read; 2^48 + 1 s is the error (the ACK at units + 1, byte 348)', async () => {
    const cap = BigInt(MAX_TIMESTAMP_SECONDS);
    expect(cap).toBe(281_474_976_710_656n);
    const ok = write('t-cap-minus-1.pcapng', captureAt(cap - 1n));
    const info = await inspectCapture(ok);
    expect(info.packets).toBe(4);
    expect(info.last_time).toBe('281474976710656.000000000');
    const over = write('t-cap.pcapng', captureAt(cap));
    const err = await errorOf(() => inspectCapture(over));
    expect(err.code).toBe('CAPTURE_BAD_TIME');
    expect(err.offset).toBe(348);
  });

  it('a huge negative if_tsoffset (−2^62 s) is the same error, in gzip input too (offset in the inflated stream)', async () => {
    const bytes = captureAt(5n, -(2 ** 62));
    // IDB with if_tsresol and if_tsoffset: 16 + 8 + 12 + 4 + 4 = 44 bytes; first EPB at 28 + 44 = 72.
    const file = write('offset.pcapng.gz', gzipBytes(bytes));
    const err = await errorOf(() => runReplay([file], {}));
    expect(err.code).toBe('CAPTURE_BAD_TIME');
    expect(err.offset).toBe(72);
  });
});

async function readWith(file: string, chunkSize: number | undefined): Promise<{ records: number; cutAt: number | undefined }> {
  let records = 0;
  const info = await readCapture(file, () => void records++, { chunkSize });
  return { records, cutAt: info.truncated ? info.truncatedOffset : undefined };
}

describe('issue 8 item 7: gzip input read the same whatever the read size', () => {
  it('a cut gzip stream gives all it inflates to: the last write\'s output was dropped with the "unexpected end" error (6 records instead of 7 in 192-byte reads)', async () => {
    // The shrunk fuzz case: a big-endian pcapng of 11 packets, gzip cut at
    // 2364 + a few bytes of inflated data; 249 bytes of gzip.
    const c = {
      base: { format: 'pcapng-be', packets: 11, linkType: 276, ipv6: true, snaplen: 0, tsresol: 9, startSec: 0, gapUs: 24866, gzip: true },
      mutations: [
        { kind: 'tsoffset', hi: 1405107651, lo: 2576386946 },
        { kind: 'tsoffset', hi: 168398003, lo: 316701729 },
      ],
      gzipMutations: [
        { kind: 'gz-cut', at: 1836436113 },
        { kind: 'gz-flip', at: 1553038713, bit: 3 },
      ],
      options: { strict: false, maxConnections: null, idleTimeout: null, window: null, interval: null, chunkSize: 192 },
    } as unknown as FuzzCase;
    const bytes = materialize(c).bytes;
    expect(bytes.length).toBe(249);
    const file = write('cut-gzip.pcapng.gz', bytes);
    for (const chunkSize of [undefined, 192, 64, 7, 1]) {
      expect(await readWith(file, chunkSize), `chunkSize ${chunkSize}`).toEqual({ records: 7, cutAt: 2364 });
    }
  });

  it('chunkSize 1 sees the 2-byte gzip magic (it read a gzip file as CAPTURE_BAD_MAGIC)', async () => {
    const sink = new MemorySink();
    const w = new PcapngWriter(sink);
    w.addInterface({ linkType: 1 });
    for (let i = 0; i < 3; i++) w.writeEnhancedPacket(0, 1_700_000_000 + i, 0, frame(1000 + i, SYN));
    const file = write('one-byte-reads.pcapng.gz', gzipBytes(sink.toBuffer()));
    expect(await readWith(file, 1)).toEqual({ records: 3, cutAt: undefined });
  });
});
