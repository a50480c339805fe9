/**
 * The `active_until` column of the `connections` CSV: the instant, on the
 * replay clock, at which a connection stopped being active for the balancer
 * and the sampler (the tracker's `deactivate`). The e2e tests of
 * connections-state, connections-input, large-seconds and udp pin it for
 * every close reason; the scenarios here pin the corners they leave: an idle
 * deadline whose nanoseconds carry, a FIN-closed connection that later
 * expires, a closing packet older than the clock, a capture whose last record
 * is not a TCP packet or goes backwards. Last, on synthetic web traffic, the
 * replay's samples count exactly the rows with first_time < t ≤ active_until
 * (SPEC §5: an event at the sample instant comes after the sample), which is
 * what the column is for (a replay of the CSV as a flow log, docs/flow-logs.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runReplay } from '../../src/replay.js';
import { buildUdpFrame } from '../../src/synth/frames.js';
import { writeWebTrafficFile } from '../../src/synth/web-traffic.js';
import { CONNECTION_COLUMNS, runConnections } from '../../src/connections.js';
import { C1, C2, S1, makeTempDir, rawFrame, removeDir, runRows, tcp, writeCapture, type ScenarioRecord } from './connections-helpers.js';

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => {
  removeDir(dir);
});

async function rowsOf(name: string, records: ScenarioRecord[], options = {}): Promise<string[]> {
  return (await runRows([writeCapture(dir, `${name}.pcap`, records)], options)).rows;
}

describe('active_until in corner cases', () => {
  it('idle: last packet + --idle-timeout to the nanosecond, with a carry into the seconds', async () => {
    // 0.999999999 + 2.000000007 = 3.000000006; the deadline falls in the gap before C2's packet at 5.
    const rows = await rowsOf(
      'idle-carry',
      [tcp('0.999999999', C1, S1, 'PA', { payload: 1 }), tcp('5', C2, S1, 'PA', { payload: 1 })],
      { idleTimeout: '2.000000007' },
    );
    expect(rows).toEqual([
      '0,1700000000.999999999,1700000000.999999999,0.000000000,10.0.0.1,40001,192.0.2.1,80,tcp,1,0,1,0,idle,0,1700000003.000000006',
      '1,1700000005.000000000,1700000005.000000000,0.000000000,10.0.0.2,40002,192.0.2.1,80,tcp,1,0,1,0,end-of-trace,0,1700000005.000000000',
    ]);
  });

  it('fin: a closed connection that leaves later by idle expiry keeps its FIN instant', async () => {
    // Idle timeout 1 s: conn 0 leaves at 1.3 (last ACK 0.3 + 1) as fin, active until the server's FIN at 0.2.
    const rows = await rowsOf(
      'fin-then-idle',
      [
        tcp('0', C1, S1, 'S', { seq: 1000 }),
        tcp('0.01', S1, C1, 'SA', { seq: 5000, ack: 1001 }),
        tcp('0.1', C1, S1, 'FA', { seq: 1001, ack: 5001 }),
        tcp('0.2', S1, C1, 'FA', { seq: 5001, ack: 1002 }),
        tcp('0.3', C1, S1, 'A', { seq: 1002, ack: 5002 }),
        tcp('5', C2, S1, 'PA', { payload: 1 }),
      ],
      { idleTimeout: '1' },
    );
    expect(rows).toEqual([
      '0,1700000000.000000000,1700000000.300000000,0.300000000,10.0.0.1,40001,192.0.2.1,80,tcp,3,2,0,0,fin,1,1700000000.200000000',
      '1,1700000005.000000000,1700000005.000000000,0.000000000,10.0.0.2,40002,192.0.2.1,80,tcp,1,0,1,0,end-of-trace,0,1700000005.000000000',
    ]);
  });

  it('a closing FIN older than the clock closes at the clock, not at its own timestamp', async () => {
    // The server's FIN is stamped 0.5 but read after C2's packet at 0.6: the clock is 0.6.
    const rows = await rowsOf('backwards-fin', [
      tcp('0', C1, S1, 'S', { seq: 1000 }),
      tcp('0.01', S1, C1, 'SA', { seq: 5000, ack: 1001 }),
      tcp('0.1', C1, S1, 'FA', { seq: 1001, ack: 5001 }),
      tcp('0.6', C2, S1, 'PA', { payload: 1 }),
      tcp('0.5', S1, C1, 'FA', { seq: 5001, ack: 1002 }),
      tcp('0.7', C1, S1, 'A', { seq: 1002, ack: 5002 }),
    ]);
    expect(rows).toEqual([
      '0,1700000000.000000000,1700000000.700000000,0.700000000,10.0.0.1,40001,192.0.2.1,80,tcp,3,2,0,0,fin,1,1700000000.600000000',
      '1,1700000000.600000000,1700000000.600000000,0.000000000,10.0.0.2,40002,192.0.2.1,80,tcp,1,0,1,0,end-of-trace,0,1700000000.700000000',
    ]);
  });

  it('end-of-trace: the replay clock at the end, also when the last record goes backwards', async () => {
    // The last record (C1 at 0.5) is older than C2's at 1: C1's last_time is 0.5, but the capture ends at 1.
    const rows = await rowsOf('backwards-last', [
      tcp('0', C1, S1, 'PA', { payload: 1 }),
      tcp('1', C2, S1, 'PA', { payload: 2 }),
      tcp('0.5', C1, S1, 'PA', { payload: 3 }),
    ]);
    expect(rows).toEqual([
      '0,1700000000.000000000,1700000000.500000000,0.500000000,10.0.0.1,40001,192.0.2.1,80,tcp,2,0,4,0,end-of-trace,0,1700000001.000000000',
      '1,1700000001.000000000,1700000001.000000000,0.000000000,10.0.0.2,40002,192.0.2.1,80,tcp,1,0,2,0,end-of-trace,0,1700000001.000000000',
    ]);
  });

  it('end-of-trace: a UDP datagram last in a TCP-only run still ends the capture', async () => {
    const udp = buildUdpFrame({ src: '10.0.0.9', dst: '192.0.2.53', srcPort: 40009, dstPort: 53, payloadLength: 20 });
    const records: ScenarioRecord[] = [tcp('0', C1, S1, 'PA', { payload: 1 }), rawFrame('0.8', udp)];
    expect(await rowsOf('udp-last', records)).toEqual([
      '0,1700000000.000000000,1700000000.000000000,0.000000000,10.0.0.1,40001,192.0.2.1,80,tcp,1,0,1,0,end-of-trace,0,1700000000.800000000',
    ]);
  });
});

/** Epoch text with 9 decimals → integer nanoseconds. */
const ns = (text: string): bigint => BigInt(text.replace('.', ''));

describe('active_until is what the sampler counts', () => {
  it('every sample counts exactly the rows with first_time < t ≤ active_until', async () => {
    const file = path.join(dir, 'web.pcap');
    writeWebTrafficFile(file, { seed: 5, durationSec: 30, connectionRate: 20, startSec: 1_700_000_000 });
    // Short timeouts and a small table, so that rows leave by every reason but port reuse.
    const options = { idleTimeout: '1', synTimeout: '0.5', maxConnections: 60 };
    const rows: string[][] = [];
    await runConnections([file], options, { row: (f) => rows.push([...f]) });
    const col = (name: (typeof CONNECTION_COLUMNS)[number]): number => CONNECTION_COLUMNS.indexOf(name);
    const reasons = new Set(rows.map((r) => r[col('close')]));
    for (const reason of ['fin', 'rst', 'idle', 'syn-timeout', 'evicted', 'end-of-trace']) expect(reasons, reason).toContain(reason);
    const spans = rows.map((r) => [ns(r[col('first_time')]), ns(r[col('active_until')])] as const);

    let timeseries = '';
    await runReplay([file], { ...options, servers: 3, policy: ['round-robin'], interval: '0.25' }, { timeseries: (s) => (timeseries += s) });
    const active = new Map<string, number>();
    for (const line of timeseries.trim().split('\n').slice(1)) {
      const [time, , , connections] = line.split(',');
      active.set(time, (active.get(time) ?? 0) + Number(connections));
    }
    expect(active.size).toBeGreaterThan(100);
    let busy = 0;
    for (const [time, count] of active) {
      const t = ns(time);
      const expected = spans.filter(([first, until]) => first < t && t <= until).length;
      expect(count, time).toBe(expected);
      if (count > 0) busy++;
    }
    expect(busy).toBeGreaterThan(100);
  });
});
