/**
 * Our writer's files read by Wireshark's tools and by our reader must agree
 * (SPEC §1): packet counts, every timestamp to the nanosecond, lengths.
 * Skipped, with a message, where tshark / capinfos are not installed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCapture } from '../../src/reader/index.js';
import { MemorySink, PcapWriter, PcapngWriter } from '../../src/reader/writer.js';
import { payload } from './helpers.js';

function onPath(tool: string): boolean {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const haveTools = onPath('tshark') && onPath('capinfos');
if (!haveTools) console.warn('tshark or capinfos not on PATH; skipping the Wireshark cross-checks of the reader');

const T0 = 1_700_000_000;

function pad9(n: number): string {
  return String(n).padStart(9, '0');
}

/** Captures of every format and layout, named for what they hold. */
function captures(): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const nanosecond of [false, true]) {
    for (const bigEndian of [false, true]) {
      const sink = new MemorySink();
      const w = new PcapWriter(sink, { linkType: 1, nanosecond, bigEndian, snaplen: 65_535 });
      for (let i = 0; i < 25; i++) w.writePacket(T0 + i * 7, (i * 123_456_789) % 1e9, payload(60 + i, i), 60 + i * 2);
      out[`classic-${nanosecond ? 'ns' : 'us'}-${bigEndian ? 'be' : 'le'}.pcap`] = sink.toBuffer();
    }
  }

  // Two sections (little- then big-endian), if_tsoffset, 2^-n resolutions, SPB, obsolete PB, skipped blocks.
  const sink = new MemorySink();
  const w = new PcapngWriter(sink, { bigEndian: false });
  const a = w.addInterface({ linkType: 1, tsresol: { base: 2, exp: 30 }, name: 'eth0' });
  const b = w.addInterface({ linkType: 1, tsresol: { base: 10, exp: 9 }, tsoffsetSec: -3600 });
  w.writeNameResolutionIpv4(Uint8Array.of(192, 0, 2, 1), 'example.test');
  for (let i = 0; i < 10; i++) w.writeEnhancedPacket(i % 2 === 0 ? a : b, T0 + i, 111_111_111 * (i % 9), payload(64, i));
  w.writeObsoletePacket(a, T0 + 10, 5_000, payload(70, 10), 90);
  // A block type no one defined: skipped by both. (A Custom Block, 0x00000BAD,
  // would differ: Wireshark shows it as a frame without time, we skip it.)
  w.writeBlock(0x0000_0099, payload(12, 1));
  w.startSection({ bigEndian: true });
  const c = w.addInterface({ linkType: 1, tsresol: { base: 2, exp: 10 }, tsoffsetSec: 86_400 });
  for (let i = 0; i < 10; i++) w.writeEnhancedPacket(c, T0 + 20 + i, 250_000_000 * (i % 4), payload(80, i));
  out['multi-section.pcapng'] = sink.toBuffer();

  // Simple Packet Blocks only after an EPB gave a time.
  const s2 = new MemorySink();
  const w2 = new PcapngWriter(s2, { bigEndian: true });
  w2.addInterface({ linkType: 1, snaplen: 100 });
  w2.writeEnhancedPacket(0, T0, 123_456_000, payload(60, 0));
  for (let i = 0; i < 5; i++) w2.writeSimplePacket(payload(60 + i, i));
  out['simple-packets.pcapng'] = s2.toBuffer();
  return out;
}

describe.skipIf(!haveTools)('agreement with tshark and capinfos', () => {
  let dir = '';
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anycast-replay-tshark-'));
  });
  afterAll(() => {
    if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, bytes] of Object.entries(captures())) {
    it(name, async () => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, bytes);
      const ours: string[] = [];
      const info = await readCapture(file, (r) => {
        ours.push(`${r.tsSec}.${pad9(r.tsNsec)}\t${r.capturedLength}\t${r.originalLength}`);
      });
      const theirs = execFileSync(
        'tshark',
        ['-n', '-r', file, '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.time_epoch', '-e', 'frame.cap_len', '-e', 'frame.len'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
      )
        .trim()
        .split('\n');
      // A Simple Packet Block has no time: tshark leaves it empty, we give it the
      // previous packet's (SPEC §1). The lengths must agree.
      const theirsFilled = theirs.map((row, i) => (row.startsWith('\t') ? ours[i - 1].split('\t')[0] + row : row));
      expect(ours).toEqual(theirsFilled);
      // capinfos: count, and start / end as epoch seconds.
      const cap = execFileSync('capinfos', ['-M', '-T', '-r', '-c', '-S', '-a', '-e', file], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .trim()
        .split('\t');
      expect(Number(cap[1])).toBe(info.records);
      // capinfos prints start / end at the file's precision (or n/a when a
      // packet has no time): compare at that precision.
      const first = ours[0].split('\t')[0];
      const last = ours.at(-1)!.split('\t')[0];
      if (cap[2] !== 'n/a') expect(first.slice(0, cap[2].length)).toBe(cap[2]);
      if (cap[3] !== 'n/a') expect(last.slice(0, cap[3].length)).toBe(cap[3]);
      expect(cap[2] !== 'n/a' || name === 'simple-packets.pcapng').toBe(true);
    });
  }
});
