/**
 * Issue 8 item 3: seconds options of any size up to the maximum (10^10 s),
 * held as exact (sec, nsec) pairs. Each consumer is run at values a double of
 * nanoseconds cannot hold (above 2^53 ns ≈ 104 days) and checked to the
 * nanosecond: the idle and SYN timeouts (flows/expiry.ts), the --from/--to
 * window (pass.ts), and the sampling interval (sampler/sampler.ts) with the
 * summary's interval text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../src/replay.js';
import { MemorySink, PcapngWriter } from '../../src/reader/writer.js';
import { RESOLUTION_NANO } from '../../src/time.js';
import { C1, C2, C3, S1, frameOf, makeTempDir, removeDir, runRows, tcp, timePair, writeCapture, type TcpRecord } from './connections-helpers.js';

let dir = '';
beforeAll(() => {
  dir = makeTempDir();
});
afterAll(() => removeDir(dir));

describe('--idle-timeout and --syn-timeout of 1000000000 s (31.7 years)', () => {
  it('idle 1 ns less than the timeout stays open; idle exactly the timeout or 1 ns more expires', async () => {
    const file = writeCapture(dir, 'idle-1e9.pcap', [
      tcp('0', C1, S1, 'PA', { payload: 1 }),
      tcp('0.5', C2, S1, 'PA', { payload: 2 }),
      tcp('0.75', C3, S1, 'PA', { payload: 3 }),
      tcp('999999999.999999999', C1, S1, 'PA', { payload: 10 }),
      tcp('1000000000.5', C2, S1, 'PA', { payload: 20 }),
      tcp('1000000000.750000001', C3, S1, 'PA', { payload: 30 }),
    ]);
    const { rows } = await runRows([file], { idleTimeout: '1000000000' });
    // SPEC §3: expired when t − last ≥ the timeout. C2 and C3 leave at their
    // deadlines (1000000000.5 and .75 after the base) and come back as new
    // connections; C1 is one connection of two packets. active_until: the
    // deadlines, then the last packet (1000000000.750000001) for the rest.
    expect(rows).toEqual([
      '1,1700000000.500000000,1700000000.500000000,0.000000000,10.0.0.2,40002,192.0.2.1,80,tcp,1,0,2,0,idle,0,2700000000.500000000',
      '2,1700000000.750000000,1700000000.750000000,0.000000000,10.0.0.3,40003,192.0.2.1,80,tcp,1,0,3,0,idle,0,2700000000.750000000',
      '0,1700000000.000000000,2699999999.999999999,999999999.999999999,10.0.0.1,40001,192.0.2.1,80,tcp,2,0,11,0,end-of-trace,0,2700000000.750000001',
      '3,2700000000.500000000,2700000000.500000000,0.000000000,10.0.0.2,40002,192.0.2.1,80,tcp,1,0,20,0,end-of-trace,0,2700000000.750000001',
      '4,2700000000.750000001,2700000000.750000001,0.000000000,10.0.0.3,40003,192.0.2.1,80,tcp,1,0,30,0,end-of-trace,0,2700000000.750000001',
    ]);
  });

  it('a SYN-only connection expires exactly --syn-timeout after its last SYN', async () => {
    const file = writeCapture(dir, 'syn-1e9.pcap', [
      tcp('0', C1, S1, 'S', { seq: 1000 }),
      tcp('0.5', C2, S1, 'S', { seq: 2000 }),
      tcp('1000000000', C3, S1, 'PA', { payload: 5 }),
      tcp('1000000000.5', C1, S1, 'PA', { payload: 6 }),
    ]);
    const { rows } = await runRows([file], { idleTimeout: '0', synTimeout: '1000000000.000000001' });
    // C1's SYN deadline is 1000000000.000000001: the packet of C3 at 1000000000
    // is 1 ns before it; C1's own packet at 1000000000.5 comes after it.
    // C2's deadline (1000000000.500000001) is after the last packet.
    // active_until: C1's deadline to the ns; the last packet for the rest.
    expect(rows).toEqual([
      '0,1700000000.000000000,1700000000.000000000,0.000000000,10.0.0.1,40001,192.0.2.1,80,tcp,1,0,0,0,syn-timeout,1,2700000000.000000001',
      '1,1700000000.500000000,1700000000.500000000,0.000000000,10.0.0.2,40002,192.0.2.1,80,tcp,1,0,0,0,end-of-trace,1,2700000000.500000000',
      '2,2700000000.000000000,2700000000.000000000,0.000000000,10.0.0.3,40003,192.0.2.1,80,tcp,1,0,5,0,end-of-trace,0,2700000000.500000000',
      '3,2700000000.500000000,2700000000.500000000,0.000000000,10.0.0.1,40001,192.0.2.1,80,tcp,1,0,6,0,end-of-trace,0,2700000000.500000000',
    ]);
  });
});

describe('--from/--to 31536000 (one year) on a capture spanning two years', () => {
  // The first record is 0.25 s after the base second: the window counts from it.
  const records = (): TcpRecord[] => [
    tcp('0.25', C1, S1, 'PA', { payload: 1 }),
    tcp('31536000.249999999', C1, S1, 'PA', { payload: 2 }),
    tcp('31536000.25', C2, S1, 'PA', { payload: 3 }),
    tcp('31536000.250000001', C2, S1, 'PA', { payload: 4 }),
    tcp('63072000.25', C3, S1, 'PA', { payload: 5 }),
  ];

  it('--to 31536000 keeps exactly the records before first + 31536000 s', async () => {
    const file = writeCapture(dir, 'to-1y.pcap', records());
    const { rows, result } = await runRows([file], { to: '31536000', idleTimeout: '0' });
    expect(rows).toEqual(['0,1700000000.250000000,1731536000.249999999,31535999.999999999,10.0.0.1,40001,192.0.2.1,80,tcp,2,0,3,0,end-of-trace,0,1731536000.249999999']);
    expect(result.stats.packets).toBe(2);
  });

  it('--from 31536000 starts exactly at first + 31536000 s; --to one ns later keeps one record', async () => {
    const file = writeCapture(dir, 'from-1y.pcap', records());
    const from = await runRows([file], { from: '31536000', idleTimeout: '0' });
    expect(from.rows).toEqual([
      '0,1731536000.250000000,1731536000.250000001,0.000000001,10.0.0.2,40002,192.0.2.1,80,tcp,2,0,7,0,end-of-trace,0,1763072000.250000000',
      '1,1763072000.250000000,1763072000.250000000,0.000000000,10.0.0.3,40003,192.0.2.1,80,tcp,1,0,5,0,end-of-trace,0,1763072000.250000000',
    ]);
    expect(from.result.stats.packets).toBe(3);
    const narrow = await runRows([file], { from: '31536000', to: '31536000.000000001', idleTimeout: '0' });
    expect(narrow.rows).toEqual(['0,1731536000.250000000,1731536000.250000000,0.000000000,10.0.0.2,40002,192.0.2.1,80,tcp,1,0,3,0,end-of-trace,0,1731536000.250000000']);
    expect(narrow.result.stats.packets).toBe(1);
  });
});

/** A nanosecond pcapng (its 64-bit timestamps reach past 2106) of the records, base second `baseSec`. */
function pcapngFile(name: string, records: readonly TcpRecord[], baseSec: number): string {
  const sink = new MemorySink();
  const writer = new PcapngWriter(sink);
  const id = writer.addInterface({ linkType: 1, tsresol: RESOLUTION_NANO });
  for (const r of records) {
    const [sec, nsec] = timePair(r.t);
    const frame = frameOf(r);
    writer.writeEnhancedPacket(id, baseSec + sec, nsec, frame.data, frame.originalLength);
  }
  const file = path.join(dir, name);
  fs.writeFileSync(file, sink.toBuffer());
  return file;
}

describe('--interval of decades and centuries', () => {
  it('100 years (3153600000 s): two samples over 250 years, at t0 + k·interval exactly', async () => {
    const file = pcapngFile(
      'interval-100y.pcapng',
      [tcp('0.5', C1, S1, 'PA', { payload: 1 }), tcp('3153600000.5', C1, S1, 'PA', { payload: 2 }), tcp('7884000000.5', C1, S1, 'PA', { payload: 4 })],
      1_700_000_000,
    );
    let timeseries = '';
    const run = await runReplay([file], { interval: '3153600000', idleTimeout: '0', servers: 2, policy: ['round-robin'] }, { timeseries: (s) => (timeseries += s) });
    expect(run.results.samples).toBe(2);
    expect(run.summary.replay.interval).toBe('3153600000.000000000');
    // Sample 1 at t0 + 100 y sees the packet exactly at that instant only
    // afterwards (SPEC §5): its bytes are those of [t0, t0 + 100 y).
    expect(timeseries).toBe(
      'time,policy,server,connections,bytes\n' +
        '4853600000.500000000,round-robin,0,1,1\n' +
        '4853600000.500000000,round-robin,1,0,0\n' +
        '8007200000.500000000,round-robin,0,1,2\n' +
        '8007200000.500000000,round-robin,1,0,0\n',
    );
  });

  it('2000000000.000000001 s: the instants carry the nanosecond; the last is kept only if not after the last packet', async () => {
    const records = (last: string): TcpRecord[] => [tcp('0', C1, S1, 'PA', { payload: 1 }), tcp(last, C1, S1, 'PA', { payload: 2 })];
    const options = { interval: '2000000000.000000001', idleTimeout: '0', servers: 1, policy: ['round-robin' as const] };
    let timeseries = '';
    const atSecond = await runReplay([pcapngFile('interval-2e9-a.pcapng', records('4000000000.000000002'), 0)], options, {
      timeseries: (s) => (timeseries += s),
    });
    expect(atSecond.results.samples).toBe(2);
    expect(timeseries).toBe(
      'time,policy,server,connections,bytes\n' + '2000000000.000000001,round-robin,0,1,1\n' + '4000000000.000000002,round-robin,0,1,0\n',
    );
    const before = await runReplay([pcapngFile('interval-2e9-b.pcapng', records('4000000000.000000001'), 0)], options);
    expect(before.results.samples).toBe(1);
    expect(before.summary.replay.interval).toBe('2000000000.000000001');
  });

  it('the maximum, 10000000000 s, is accepted; one nanosecond more is refused', async () => {
    const file = pcapngFile('interval-max.pcapng', [tcp('0', C1, S1, 'PA', { payload: 1 }), tcp('10000000000', C1, S1, 'PA', { payload: 2 })], 0);
    const run = await runReplay([file], { interval: '10000000000', idleTimeout: '0', servers: 1, policy: ['round-robin'] });
    expect(run.results.samples).toBe(1);
    await expect(runReplay([file], { interval: '10000000000.000000001' })).rejects.toMatchObject({
      code: 'OPTION_INVALID',
      message: "option --interval: '10000000000.000000001' is more than the maximum of 10000000000 seconds",
    });
  });
});
