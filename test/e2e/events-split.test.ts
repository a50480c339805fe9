/**
 * Issue 11: "an event at T equals splitting the capture at T by hand where
 * that is well-defined". It is well-defined when no connection is open across
 * T and a record falls exactly at T: then a replay with `--event T:remove:4`
 * on 5 servers is a replay of [0, T) on 5 servers followed by one of [T, end)
 * on the 4 servers left. For the hash schemes whose mapping over servers
 * 0–3 does not depend on a fifth server having existed (modulo,
 * hash-threshold, hrw, ring), every connection goes where the two halves
 * send it, so every non-idle sample is the same and each histogram bin of
 * the whole run is the sum of the halves' bins. (Idle samples differ: the
 * halves do not sample the quiet gap; they are not in the histograms.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { runCli, tempDir, writeScenario, type ScenarioPacket } from '../helpers/scenario.js';

const POLICIES = ['modulo', 'hash-threshold', 'hrw', 'ring'];
const T = 20;

/** Connections of client c<first+k> from `start` + 0.13·k s, each over within 2 s; many clients so every server gets some. */
function burst(start: number, first: number, count: number): ScenarioPacket[] {
  const out: ScenarioPacket[] = [];
  for (let k = 0; k < count; k++) {
    const c = `c${first + k}`;
    const t = start + k * 0.13;
    const len = 0.4 + ((k * 7) % 10) * 0.15;
    out.push(
      { t: t.toFixed(3), from: c, to: 's1', flags: 'S' },
      { t: (t + 0.01).toFixed(3), from: 's1', to: c, flags: 'SA' },
      { t: (t + 0.02).toFixed(3), from: c, to: 's1', flags: 'PA', payload: 200 + k },
      { t: (t + len / 2).toFixed(3), from: 's1', to: c, flags: 'PA', payload: 1000 + 37 * k },
      { t: (t + len).toFixed(3), from: c, to: 's1', flags: 'FA' },
      { t: (t + len + 0.01).toFixed(3), from: 's1', to: c, flags: 'FA' },
    );
  }
  return out;
}

/** The CSV's counts by (metric, policy, bin_start); zero bins left out. */
function counts(csv: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of csv.trim().split('\n').slice(1)) {
    const [metric, policy, start, , count] = line.split(',');
    if (Number(count) > 0) out.set(`${metric},${policy},${start}`, Number(count));
  }
  return out;
}

function sum(a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const out = new Map(a);
  for (const [k, v] of b) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}

let file = '';

beforeAll(() => {
  // Quiet from about 17 s to 20 s; the second burst's first SYN is exactly at T (0 is the first record).
  const packets = [...burst(0, 1, 120), ...burst(T, 121, 120)].sort((a, b) => Number(a.t) - Number(b.t));
  expect(Number(packets[0].t)).toBe(0);
  const lastBefore = Math.max(...packets.filter((p) => Number(p.t) < T).map((p) => Number(p.t)));
  expect(lastBefore).toBeLessThan(T - 1);
  file = writeScenario(tempDir(), 'split.pcap', packets);
});

describe('--event T:remove:4 equals the capture split at T by hand', () => {
  it.each(POLICIES)('%s: the whole run’s bins are the sums of the halves’ bins', (policy) => {
    const common = ['--policy', policy, '-q'];
    const whole = runCli([file, '--servers', '5', '--event', `${T}:remove:4`, ...common]);
    const before = runCli([file, '--servers', '5', '--to', String(T), ...common]);
    const after = runCli([file, '--servers', '4', '--from', String(T), ...common]);
    for (const r of [whole, before, after]) expect(r.status, r.stderr).toBe(0);
    const expected = sum(counts(before.stdout), counts(after.stdout));
    expect(expected.size).toBeGreaterThan(10);
    expect(counts(whole.stdout)).toEqual(expected);
  });

  it('and a run without the event differs (the test can fail)', () => {
    const common = ['--policy', 'modulo', '-q'];
    const whole = runCli([file, '--servers', '5', ...common]);
    const before = runCli([file, '--servers', '5', '--to', String(T), ...common]);
    const after = runCli([file, '--servers', '4', '--from', String(T), ...common]);
    expect(counts(whole.stdout)).not.toEqual(sum(counts(before.stdout), counts(after.stdout)));
  });
});
