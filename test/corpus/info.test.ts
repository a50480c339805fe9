/**
 * `info` against the shared corpus (issue 3): packets and tcp_packets exactly
 * as the manifest (tshark, SPEC §2's TCP rule), format and link types; damaged
 * files end as their `damage` column says; fuzzed files finish quickly
 * without an internal error.
 */
import { describe, expect, it } from 'vitest';
import { inspectCapture } from '../../src/info.js';
import { ReplayError } from '../../src/errors.js';
import { CORPUS_PRESENT, SKIP_MESSAGE, loadManifest } from '../helpers/corpus.js';

if (!CORPUS_PRESENT) console.warn(SKIP_MESSAGE);

const rows = loadManifest();

describe.skipIf(!CORPUS_PRESENT)('info over ../shared/traces', () => {
  const readable = rows.filter((r) => (r.category === 'tcp' || r.category === 'other') && r.tsharkStatus === 'ok');

  it('the manifest lists the expected corpus', () => {
    expect(rows.length).toBe(420);
    expect(readable.length).toBeGreaterThan(200);
  });

  it('agrees with the manifest on packets, tcp_packets, format and link types for every readable tcp/other file', async () => {
    const mismatches: string[] = [];
    for (const row of readable) {
      const r = await inspectCapture(row.path);
      const got = `${r.format} [${r.linktypes}] packets=${r.packets} tcp=${r.tcp_packets}`;
      const want = `${row.format} [${row.linktypes}] packets=${row.packets} tcp=${row.tcpPackets}`;
      if (got !== want) mismatches.push(`${row.file}: got ${got}, manifest ${want}`);
    }
    console.log(`info: ${readable.length - mismatches.length}/${readable.length} readable files agree with the manifest`);
    expect(mismatches).toEqual([]);
  });

  it('reads every well-formed file tshark cannot dissect without failing', async () => {
    for (const row of rows.filter((r) => r.category === 'other' && r.tsharkStatus !== 'ok')) {
      const r = await inspectCapture(row.path);
      expect(r.format).toBe(row.format);
      expect(r.linktypes).toEqual(row.linktypes);
    }
  });

  it('ends every malformed file as its damage column says', async () => {
    const malformed = rows.filter((r) => r.category === 'malformed');
    expect(malformed.length).toBe(20);
    for (const row of malformed) {
      const m = /^([a-z-]+)@(\d+|-):(warning|error)$/.exec(row.damage);
      expect(m, `${row.file} damage ${row.damage}`).not.toBeNull();
      const offset = m![2] === '-' ? undefined : Number(m![2]);
      if (m![3] === 'warning') {
        const r = await inspectCapture(row.path);
        expect(r.truncated, row.file).toBe(true);
        expect(r.warnings.join(' '), row.file).toContain(`at byte ${offset}`);
        expect(r.packets, row.file).toBe(row.packets);
      } else {
        const err = await inspectCapture(row.path).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, row.file).toBeInstanceOf(ReplayError);
        expect((err as ReplayError).offset, row.file).toBe(offset);
        expect((err as ReplayError).file, row.file).toBe(row.path);
      }
    }
  });

  it('reads every fuzzed file within 10 s without an internal error', async () => {
    for (const row of rows.filter((r) => r.category === 'fuzzed')) {
      const started = Date.now();
      await inspectCapture(row.path).catch((e: unknown) => {
        // Damage is allowed to be reported; anything else is a bug.
        expect(e, row.file).toBeInstanceOf(ReplayError);
      });
      expect(Date.now() - started, row.file).toBeLessThan(10_000);
    }
  });
});
