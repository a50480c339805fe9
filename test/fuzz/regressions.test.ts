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
import { runReplay } from '../../src/replay.js';
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
