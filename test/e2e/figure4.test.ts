/**
 * Issue 9: the paper's Figure 4 claims (§4.2) on a seeded Olympic-style
 * capture at the series' typical load, asserted with numbers from the
 * summary JSON (docs/reproduction.md gives the full table and the 20-minute
 * segment). The capture is 5 minutes at 57.45 connections/s — the median
 * segment load of the generated two weeks (segment 318, 23 July 1996
 * 10:00 EDT) — after the profile's unwritten pre-roll, so it starts in steady
 * state; header-only (snaplen 68) like the paper's traces.
 *
 * Claims that hold at any load are asserted as stated. The connection-count
 * thresholds of the paper (least-active within 5 % in the worst case, the
 * others never above 50 % and mostly below 30 %) depend on how many
 * connections each server holds: the imbalance of the non-adaptive policies
 * shrinks roughly as 1/√n. At this load (about 60 active connections a
 * server) they are a little above the paper's figures; the last test shows
 * the 1/√n dependence that explains it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { runReplay } from '../../src/replay.js';
import type { PolicySummary, ReplaySummary } from '../../src/output/replay-summary.js';
import { runCli, tempDir } from '../helpers/scenario.js';

const TYPICAL_RATE = '57.45';
const NON_ADAPTIVE = ['round-robin', 'random', 'hash'];

function synth(dir: string, name: string, rate: string, duration: string, seed: string): string {
  const file = path.join(dir, name);
  const r = runCli(['synth', '--profile', 'olympic', '--rate', rate, '--duration', duration, '--seed', seed, '-o', file, '-q']);
  expect(r.status, r.stderr).toBe(0);
  return file;
}

function byPolicy(summary: ReplaySummary): Map<string, PolicySummary> {
  return new Map(summary.policies.map((p) => [p.policy, p]));
}

const num = (text: string | null): number => Number(text);

describe('the paper’s Figure 4 on an Olympic-style capture at the typical load (5 servers)', () => {
  let policies: Map<string, PolicySummary>;
  let summary: ReplaySummary;

  beforeAll(async () => {
    const dir = tempDir();
    const capture = synth(dir, 'typical.pcap', TYPICAL_RATE, '300', '1');
    summary = (await runReplay([capture], { servers: 5 })).summary;
    policies = byPolicy(summary);
  });

  it('samples every half second over the 5 minutes, none idle', () => {
    expect(summary.replay.samples).toBe(599);
    expect(summary.replay.idle_samples).toEqual({ connections: 0, bytes: 0 });
    expect(summary.policies.map((p) => p.policy)).toEqual(['round-robin', 'random', 'hash', 'least-active']);
  });

  it('connections: least-active performs best — its worst sample beats the others’ median', () => {
    const la = policies.get('least-active')!.connections;
    for (const name of NON_ADAPTIVE) {
      expect(num(la.max_imbalance)).toBeLessThan(num(policies.get(name)!.connections.p50));
      expect(num(la.mean_imbalance) * 5).toBeLessThan(num(policies.get(name)!.connections.mean_imbalance));
    }
    // Within 5 % in most samples and 16.4 % at worst here (the paper: 5 % at worst, at a higher load).
    expect(num(la.p50)).toBeLessThanOrEqual(0.05);
    expect(num(la.max_imbalance)).toBeLessThan(0.2);
  });

  it('connections: the other three are similar to each other', () => {
    const means = NON_ADAPTIVE.map((p) => num(policies.get(p)!.connections.mean_imbalance));
    const average = means.reduce((a, b) => a + b, 0) / means.length;
    for (const m of means) expect(Math.abs(m - average) / average).toBeLessThan(0.25);
    // Around the paper's 30 % in most samples, rarely past 50 % (above both at this load: see the last test).
    for (const p of NON_ADAPTIVE) {
      const c = policies.get(p)!.connections;
      expect(num(c.p50)).toBeLessThanOrEqual(0.4);
      expect(num(c.p90)).toBeLessThanOrEqual(0.6);
    }
  });

  it('bytes: all four alike, mostly within 125 %, rarely above 300 %', () => {
    const all = [...NON_ADAPTIVE, 'least-active'];
    const means = all.map((p) => num(policies.get(p)!.bytes.mean_imbalance));
    const average = means.reduce((a, b) => a + b, 0) / means.length;
    for (const m of means) expect(Math.abs(m - average) / average).toBeLessThan(0.15);
    for (const p of all) {
      const b = policies.get(p)!.bytes;
      // The median sample within 125 % of the mean load; fewer than 1 % of samples above 300 %.
      expect(num(b.p50)).toBeLessThanOrEqual(1.25);
      expect(num(b.p99)).toBeLessThanOrEqual(3);
    }
  });
});

describe('the connection imbalance shrinks as the load grows (why the paper’s thresholds pin the load)', () => {
  it('four times the connections per server roughly halves the non-adaptive policies’ imbalance', async () => {
    const dir = tempDir();
    const low = byPolicy((await runReplay([synth(dir, 'low.pcap', '14.3625', '180', '2')], { servers: 5 })).summary);
    const high = byPolicy((await runReplay([synth(dir, 'high.pcap', TYPICAL_RATE, '180', '2')], { servers: 5 })).summary);
    for (const p of NON_ADAPTIVE) {
      const ratio = num(low.get(p)!.connections.mean_imbalance) / num(high.get(p)!.connections.mean_imbalance);
      // 1/√n predicts 2; sampling noise of a 3-minute capture allows a margin.
      expect(ratio, p).toBeGreaterThan(1.5);
      expect(ratio, p).toBeLessThan(2.7);
    }
  });
});
