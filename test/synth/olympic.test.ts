/**
 * Issue 9 item 2: the Olympic profile and its series of 20-minute segments.
 * Totals against the paper's figures (§4.2: about 60 million requests from
 * about 725,000 clients in about two weeks), segments regenerated alone equal
 * to the ones of the series, unique 4-tuples.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaptureParser } from '../../src/reader/index.js';
import {
  OLYMPIC,
  OLYMPIC_ACCESS_LINKS,
  OlympicArrivals,
  PORT_WINDOW_SEC,
  RateCurve,
  olympicShape,
} from '../../src/synth/olympic.js';
import { MANIFEST_NAME, segmentFileName, writeOlympicSeries, type SynthOptions } from '../../src/synth/series.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-olympic-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function subdir(name: string): string {
  const d = path.join(dir, name);
  fs.mkdirSync(d);
  return d;
}

/** A small load (1/25 of the paper's) so that a day is generated in a few seconds. */
const SMALL: SynthOptions = { profile: 'olympic', seed: 1, rate: 2, format: 'pcap', linkType: 'ethernet', gzip: false };

function recordTimes(file: string): { first: number; last: number; records: number } {
  let first = Infinity;
  let last = -Infinity;
  let records = 0;
  const parser = createCaptureParser(file, (r) => {
    const t = r.tsSec + r.tsNsec / 1e9;
    if (t < first) first = t;
    if (t > last) last = t;
    records++;
  });
  parser.push(fs.readFileSync(file));
  parser.end();
  return { first, last, records };
}

describe('the Olympic rate curve', () => {
  it("holds the paper's 60 million connections over its 14 days, with a daily cycle and event peaks", () => {
    const curve = RateCurve.olympic();
    const total = curve.expected(0, OLYMPIC.days * 86_400);
    expect(Math.abs(total - 60_000_000) / 60_000_000).toBeLessThan(1e-9);
    // Mean 49.6 /s; the quietest hour (04:00–05:00 EDT) is under half the busiest.
    expect(total / (14 * 86_400)).toBeCloseTo(49.603, 3);
    const day3 = [...Array(24).keys()].map((h) => curve.expected(3 * 86_400 + h * 3_600, 3 * 86_400 + (h + 1) * 3_600));
    expect(Math.min(...day3) / Math.max(...day3)).toBeLessThan(0.3);
    // The morning after the bombing (27 July, day 8, 09:00 EDT) is above the same hour a day earlier.
    expect(olympicShape(8 * 86_400 + 9 * 3_600)).toBeGreaterThan(1.5 * olympicShape(7 * 86_400 + 9 * 3_600));
    expect(curve.peak).toBeGreaterThan(100);
    expect(curve.peak).toBeLessThan(200);
  });

  it('draws about 725,000 distinct clients over the 60 million connections', () => {
    // Expected distinct clients of the Zipf–Mandelbrot popularity (offset 10): Σ 1 − (1 − p_r)^N.
    const n = OLYMPIC.clients;
    const span = Math.log((n + 10) / 10);
    let distinct = 0;
    for (let r = 0; r < n; r++) {
      const p = Math.log((r + 11) / (r + 10)) / span;
      distinct += 1 - Math.exp(OLYMPIC.totalConnections * Math.log1p(-p));
    }
    expect(Math.abs(distinct - 725_000) / 725_000).toBeLessThan(0.01);
  });

  it('makes a full-scale day of arrivals within 1 % of the curve (Poisson: σ ≈ 0.05 %)', () => {
    const curve = RateCurve.olympic();
    const day = 5;
    const arrivals = new OlympicArrivals({
      seed: 4,
      curve,
      fromSlot: day * 86_400,
      toSlot: (day + 1) * 86_400,
      captureSlot: day * 86_400,
      ipv6Fraction: 0,
      servers: 4,
      accessLinks: OLYMPIC_ACCESS_LINKS,
    });
    let last = -1;
    let ordered = true;
    for (let t = arrivals.next(); t !== Infinity; t = arrivals.next()) {
      if (t < last) ordered = false;
      last = t;
    }
    const expected = curve.expected(day * 86_400, (day + 1) * 86_400);
    expect(expected).toBeGreaterThan(4e6);
    expect(ordered).toBe(true);
    expect(Math.abs(arrivals.count - expected) / expected).toBeLessThan(0.01);
  });

  it(`never repeats a 4-tuple within ${PORT_WINDOW_SEC} s, even at the peak (and does repeat later)`, () => {
    const curve = RateCurve.olympic();
    const from = 8 * 86_400 + 7 * 3_600; // around the busiest morning
    const arrivals = new OlympicArrivals({
      seed: 2,
      curve,
      fromSlot: from,
      toSlot: from + 3 * 3_600,
      captureSlot: from,
      ipv6Fraction: 0,
      servers: 4,
      accessLinks: OLYMPIC_ACCESS_LINKS,
    });
    const lastSeen = new Map<number, number>();
    let minGapNs = Infinity;
    let repeats = 0;
    for (let t = arrivals.next(); t !== Infinity; t = arrivals.next()) {
      const key = (arrivals.clientKey * 65_536 + arrivals.clientPort) * 4 + arrivals.serverIndex;
      const before = lastSeen.get(key);
      if (before !== undefined) {
        repeats++;
        if (t - before < minGapNs) minGapNs = t - before;
      }
      lastSeen.set(key, t);
    }
    expect(arrivals.count).toBeGreaterThan(900_000);
    expect(repeats).toBeGreaterThan(0);
    expect(minGapNs).toBeGreaterThanOrEqual(PORT_WINDOW_SEC * 1e9);
  });
});

describe('Olympic series', () => {
  it('names segments by start time; same seed → same bytes; a segment alone equals the one of the series; another seed differs', () => {
    const a = subdir('a');
    const rows = writeOlympicSeries(SMALL, { dir: a, first: 0, last: 2 });
    expect(rows.map((r) => r.file)).toEqual([
      'olympic-19960719T040000Z.pcap',
      'olympic-19960719T042000Z.pcap',
      'olympic-19960719T044000Z.pcap',
    ]);
    expect(fs.readFileSync(path.join(a, MANIFEST_NAME), 'utf8').split('\n')[0]).toBe('file,start,end,connections,packets,bytes');
    const manifest = fs.readFileSync(path.join(a, MANIFEST_NAME), 'utf8').trim().split('\n');
    expect(manifest[2]).toBe(
      `olympic-19960719T042000Z.pcap,837750000,837751200,${rows[1].connections},${rows[1].packets},${rows[1].wireBytes}`,
    );

    const again = subdir('again');
    writeOlympicSeries(SMALL, { dir: again, first: 0, last: 2 });
    for (const r of rows) expect(fs.readFileSync(path.join(again, r.file)).equals(fs.readFileSync(path.join(a, r.file)))).toBe(true);
    expect(fs.readFileSync(path.join(again, MANIFEST_NAME), 'utf8')).toBe(fs.readFileSync(path.join(a, MANIFEST_NAME), 'utf8'));

    const alone = subdir('alone');
    const one = writeOlympicSeries(SMALL, { dir: alone, first: 2, last: 2 });
    expect(one).toEqual([rows[2]]);
    expect(fs.readFileSync(path.join(alone, rows[2].file)).equals(fs.readFileSync(path.join(a, rows[2].file)))).toBe(true);

    const other = subdir('other');
    writeOlympicSeries({ ...SMALL, seed: 2 }, { dir: other, first: 2, last: 2 });
    expect(fs.readFileSync(path.join(other, rows[2].file)).equals(fs.readFileSync(path.join(a, rows[2].file)))).toBe(false);

    // Each segment holds only its own 20 minutes, and starts in steady state (traffic from its first second).
    for (const r of rows) {
      const t = recordTimes(path.join(a, r.file));
      expect(t.records).toBe(r.packets);
      expect(t.first).toBeGreaterThanOrEqual(r.startSec);
      expect(t.first).toBeLessThan(r.startSec + 2);
      expect(t.last).toBeLessThan(r.endSec);
    }
  });

  it('a gzip and pcapng segment alone equals the one of the series too', () => {
    const options: SynthOptions = { ...SMALL, seed: 7, format: 'pcapng', linkType: 'vlan', gzip: true };
    const both = subdir('gz-both');
    const rows = writeOlympicSeries(options, { dir: both, first: 30, last: 31 });
    expect(rows[1].file).toBe(segmentFileName(OLYMPIC.startSec + 31 * 1_200, 'pcapng', true));
    expect(rows[1].file).toBe('olympic-19960719T142000Z.pcapng.gz');
    const alone = subdir('gz-alone');
    writeOlympicSeries(options, { dir: alone, first: 31, last: 31 });
    const x = fs.readFileSync(path.join(both, rows[1].file));
    expect(x[0]).toBe(0x1f);
    expect(x.equals(fs.readFileSync(path.join(alone, rows[1].file)))).toBe(true);
  });

  it("a generated day's connections match the profile within 3 %", () => {
    const d = subdir('day');
    const rate = 0.5;
    const rows = writeOlympicSeries({ ...SMALL, rate, seed: 3 }, { dir: d, first: 72, last: 143 }); // day 1 (20 July)
    expect(rows.length).toBe(72);
    const expected = RateCurve.olympic(rate).expected(86_400, 2 * 86_400);
    const connections = rows.reduce((a, r) => a + r.connections, 0);
    // Connections crossing a segment boundary count in both segments (a few per boundary at this rate).
    expect(expected).toBeGreaterThan(45_000);
    expect(Math.abs(connections - expected) / expected).toBeLessThan(0.03);
    // The daily cycle shows: the busiest segment has more than twice the connections of the quietest.
    const counts = rows.map((r) => r.connections);
    expect(Math.max(...counts)).toBeGreaterThan(2 * Math.min(...counts));
  });
});
