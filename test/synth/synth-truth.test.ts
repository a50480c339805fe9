/**
 * Issue 9 item 1: `synth --truth` writes the ground truth exactly as
 * `connections` prints it, so `connections` on the capture reproduces the
 * truth byte for byte — for several seeds and for every format, link type,
 * IPv6 share and snaplen, in the web profile (starting empty) and in the
 * Olympic profile (starting in steady state, connections seen mid-stream).
 * The truth's `active_until` is also checked against its rule, row by row.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTION_COLUMNS, runConnections } from '../../src/connections.js';
import { ReplayError } from '../../src/errors.js';
import { csvLine } from '../../src/output/csv.js';
import { CaptureOutput } from '../../src/synth/capture-output.js';
import { writeSynthCapture, type SynthFormat, type SynthOptions } from '../../src/synth/series.js';
import type { SynthLinkType } from '../../src/synth/web-traffic.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-truth-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Made {
  file: string;
  truth: string;
  packets: number;
}

let counter = 0;
function make(options: SynthOptions): Made {
  const file = path.join(dir, `c${counter++}.pcap${options.gzip ? '.gz' : ''}`);
  const fd = fs.openSync(file, 'w');
  let truth = '';
  try {
    const run = writeSynthCapture(new CaptureOutput(fd, file, options.gzip), options, { truth: (t) => (truth += t) });
    return { file, truth, packets: run.stats.packets };
  } finally {
    fs.closeSync(fd);
  }
}

async function connectionsOf(file: string): Promise<string> {
  let out = csvLine(CONNECTION_COLUMNS);
  await runConnections([file], {}, { row: (r) => (out += csvLine(r)) });
  return out;
}

function closeCounts(csv: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of csv.trim().split('\n').slice(1)) {
    const f = line.split(',');
    const key = `${f[13]}/${f[14]}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Epoch text with 9 decimals → integer nanoseconds. */
const ns = (text: string): bigint => BigInt(text.replace('.', ''));

/**
 * Checks the truth's active_until by the rule (docs/connections.md) with the
 * default timeouts (300 s idle, 60 s SYN): last packet + timeout for `idle`
 * and `syn-timeout`, the closing packet (between first and last) for `fin`
 * and `rst`, the capture's last packet for `end-of-trace`. Returns how many
 * `fin` rows end before their last packet (the final ACK comes later).
 */
function checkActiveUntil(csv: string): number {
  const col = (name: (typeof CONNECTION_COLUMNS)[number]): number => CONNECTION_COLUMNS.indexOf(name);
  const rows = csv.trim().split('\n').slice(1).map((l) => l.split(','));
  const end = rows.reduce((m, r) => (ns(r[col('last_time')]) > m ? ns(r[col('last_time')]) : m), 0n);
  let finBeforeLast = 0;
  for (const r of rows) {
    const [first, last, until, close] = [ns(r[col('first_time')]), ns(r[col('last_time')]), ns(r[col('active_until')]), r[col('close')]];
    const where = `conn ${r[0]} ${close}`;
    if (close === 'idle') expect(until - last, where).toBe(300_000_000_000n);
    else if (close === 'syn-timeout') expect(until - last, where).toBe(60_000_000_000n);
    else if (close === 'end-of-trace') expect(until, where).toBe(end);
    else {
      expect(['fin', 'rst'], where).toContain(close);
      expect(first <= until && until <= last, where).toBe(true);
      if (close === 'fin' && until < last) finBeforeLast++;
    }
  }
  return finBeforeLast;
}

const FORMATS: SynthFormat[] = ['pcap', 'pcap-ns', 'pcapng'];
const LINKS: SynthLinkType[] = ['ethernet', 'vlan', 'sll', 'raw'];
/** Link header bytes: a header-only snaplen must hold them, the IP header and 14 TCP bytes. */
const LINK_HEADER: Record<SynthLinkType, number> = { ethernet: 14, vlan: 18, sll: 16, raw: 0 };

describe('synth --truth equals connections on the capture', () => {
  const cases: { format: SynthFormat; linkType: SynthLinkType; ipv6: number; snaplen: number }[] = [];
  for (const format of FORMATS) {
    for (const linkType of LINKS) {
      for (const ipv6 of [0, 0.3]) {
        const headerOnly = Math.max(68, LINK_HEADER[linkType] + (ipv6 > 0 ? 40 : 20) + 14);
        for (const snaplen of [headerOnly, 262_144]) cases.push({ format, linkType, ipv6, snaplen });
      }
    }
  }

  it.each(cases.map((c, k) => ({ ...c, seed: k + 1 })))(
    'web, seed $seed: $format, $linkType, ipv6 $ipv6, snaplen $snaplen',
    async ({ format, linkType, ipv6, snaplen, seed }) => {
      const made = make({ profile: 'web', seed, rate: 8, durationSec: 25, format, linkType, ipv6, snaplen, gzip: seed % 5 === 0 });
      expect(made.packets).toBeGreaterThan(1_000);
      const rows = made.truth.split('\n').length - 2;
      expect(rows).toBeGreaterThan(150);
      expect(await connectionsOf(made.file)).toBe(made.truth);
    },
  );

  it('web, several seeds over 400 s: rows leave by idle and syn timeouts, closes and the end, in the same order', async () => {
    const all: Record<string, number> = {};
    let finBeforeLast = 0;
    for (const seed of [11, 12, 13]) {
      const made = make({ profile: 'web', seed, rate: 2, durationSec: 400, format: 'pcap', linkType: 'ethernet', snaplen: 68, gzip: false });
      expect(await connectionsOf(made.file)).toBe(made.truth);
      for (const [k, v] of Object.entries(closeCounts(made.truth))) all[k] = (all[k] ?? 0) + v;
      finBeforeLast += checkActiveUntil(made.truth);
    }
    expect(finBeforeLast).toBeGreaterThan(0);
    // Every way a row can end is exercised (the web profile starts empty: every connection has its SYN).
    for (const reason of ['fin/1', 'rst/1', 'idle/1', 'syn-timeout/1', 'end-of-trace/1']) expect(all[reason], reason).toBeGreaterThan(0);
  });

  it('olympic: a capture in steady state, with connections open at its start seen mid-stream', async () => {
    for (const [seed, linkType, format] of [
      [1, 'ethernet', 'pcap'],
      [2, 'sll', 'pcapng'],
      [3, 'raw', 'pcap-ns'],
    ] as const) {
      const made = make({ profile: 'olympic', seed, rate: 10, durationSec: 420, format, linkType, gzip: seed === 2 });
      expect(await connectionsOf(made.file)).toBe(made.truth);
      checkActiveUntil(made.truth);
      const counts = closeCounts(made.truth);
      // Mid-stream connections (syn_seen 0) from the pre-roll, and every other ending.
      const midStream = Object.entries(counts).filter(([k]) => k.endsWith('/0')).reduce((a, [, v]) => a + v, 0);
      expect(midStream).toBeGreaterThanOrEqual(5);
      for (const reason of ['fin/1', 'idle/1', 'syn-timeout/1']) expect(counts[reason], `${seed} ${reason}`).toBeGreaterThan(0);
    }
  });

  it('olympic with IPv6 clients', async () => {
    const made = make({ profile: 'olympic', seed: 9, rate: 4, durationSec: 60, format: 'pcap', linkType: 'ethernet', ipv6: 0.5, gzip: false });
    expect(made.truth).toContain('2001:db8::1');
    expect(await connectionsOf(made.file)).toBe(made.truth);
  });

  it('refuses a snaplen that would cut the TCP header (IPv6 over SLL needs 70)', () => {
    let error: unknown;
    try {
      make({ profile: 'web', seed: 1, durationSec: 1, format: 'pcap', linkType: 'sll', ipv6: 0.2, snaplen: 68, gzip: false });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ReplayError);
    expect((error as ReplayError).code).toBe('OPTION_INVALID');
    expect((error as ReplayError).problem).toBe('synth: snaplen 68 cuts the TCP header of IPv6 packets on link type sll (needs ≥ 70)');
  });
});
