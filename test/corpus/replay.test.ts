/**
 * The replay over the real captures of ../shared/traces (skipped, with a
 * message, when the folder is absent): every `tcp` file of the manifest with
 * at least 1 000 TCP packets runs through all four policies without error,
 * with samples, the same idle-sample counts for every policy (SPEC §5: they
 * depend on the traffic only) and the same number of dispatched connections
 * and bytes for every policy (SPEC §4: every connection is dispatched once,
 * all its bytes count for its server). Each policy run on its own gives the
 * same rows as in the run with all four (policies share nothing).
 */
import { describe, expect, it } from 'vitest';
import { runReplay } from '../../src/replay.js';
import { histogramCsvText } from '../../src/output/histogram-csv.js';
import { CORPUS_PRESENT, SKIP_MESSAGE, loadManifest } from '../helpers/corpus.js';

if (!CORPUS_PRESENT) console.warn(SKIP_MESSAGE);

const POLICIES = ['round-robin', 'random', 'hash', 'least-active'] as const;
const MIN_TCP_PACKETS = 1_000;

const rows = loadManifest().filter((r) => r.category === 'tcp' && r.tcpPackets >= MIN_TCP_PACKETS);

/** The CSV rows of one policy (the policy column dropped), trailing all-zero bins removed. */
function rowsOf(csv: string, policy: string): string[] {
  const out: string[] = [];
  for (const metric of ['connections', 'bytes']) {
    const mine = csv
      .split('\n')
      .filter((l) => l.startsWith(`${metric},${policy},`))
      .map((l) => l.replace(`,${policy},`, ','));
    // Bins run to the last non-empty bin of any policy in the run: drop empty tail bins to compare.
    while (mine.length > 0 && mine.at(-1)!.split(',')[3] === '0') mine.pop();
    out.push(...mine);
  }
  return out;
}

describe.skipIf(!CORPUS_PRESENT)('replay over ../shared/traces', () => {
  it('has tcp files with at least 1 000 TCP packets', () => {
    expect(rows.length).toBeGreaterThan(0);
  });

  it.each(rows.map((r) => [r.file, r] as const))('%s: four policies, consistent counts', async (_file, row) => {
    let interval = '0.5';
    let run = await runReplay([row.path], { servers: 5, policy: ['all'], interval });
    if (run.results.samples === 0) {
      // A capture shorter than one interval has no sample at all (SPEC §5); sample it finer.
      const spanNs = (run.stats.clockSec - run.stats.firstSec) * 1e9 + (run.stats.clockNsec - run.stats.firstNsec);
      expect(spanNs).toBeLessThan(500_000_000);
      interval = '0.01';
      run = await runReplay([row.path], { servers: 5, policy: ['all'], interval });
    }
    const { results, summary, stats } = run;
    expect(stats.tcpPackets).toBe(row.tcpPackets);
    expect(results.samples).toBeGreaterThan(0);
    expect(results.policies.map((p) => p.info.label)).toEqual([...POLICIES]);

    const idleConnections = results.policies.map((p) => p.connections.idle);
    const idleBytes = results.policies.map((p) => p.bytes.idle);
    expect(new Set(idleConnections).size).toBe(1);
    expect(new Set(idleBytes).size).toBe(1);
    for (const p of results.policies) {
      expect(p.connections.samples).toBe(results.samples);
      expect(p.bytes.samples).toBe(results.samples);
    }

    // Every connection dispatched exactly once under each policy, all its bytes to its server.
    const connectionsFound = Object.values(summary.capture.connections_by_reason as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(results.connectionsReplayed).toBe(connectionsFound);
    expect(results.connectionsNotReplayed).toBe(0);
    for (const p of results.policies) {
      expect(p.serverConnections.reduce((a, b) => a + b, 0), p.info.label).toBe(results.connectionsReplayed);
      expect(p.serverBytes.reduce((a, b) => a + b, 0), p.info.label).toBe(stats.tcpPayloadBytes);
    }

    // Policies share nothing: each alone gives its rows of the joint run.
    const joint = histogramCsvText(results);
    for (const policy of POLICIES) {
      const alone = await runReplay([row.path], { servers: 5, policy: [policy], interval });
      expect(rowsOf(histogramCsvText(alone.results), policy), policy).toEqual(rowsOf(joint, policy));
    }
  });
});
