import { describe, expect, it } from 'vitest';
import type { EndpointSource, Endpoints } from '../../src/dispatch/policy.js';
import { createReplayEngine, type ReplayEngine } from '../../src/engine/replay-engine.js';
import { policyConfigs } from '../../src/dispatch/dispatcher.js';
import { durationFromNs } from '../../src/time.js';
import {
  buildReplaySummary,
  nearestRank,
  renderReplaySummary,
  type CaptureTotals,
} from '../../src/output/replay-summary.js';

const S = 1_000_000_000;

/** A time in ns (relative) as the listener's (sec, nsec) pair. */
function at(ns: number): [number, number] {
  const whole = Math.round(ns);
  return [Math.floor(whole / S), whole % S];
}

class FakeSource implements EndpointSource {
  readEndpoints(slot: number, out: Endpoints): void {
    out.conn = slot;
    out.ipVersion = 4;
    out.clientAddr.set([0xc0000201 + slot, 0, 0, 0]);
    out.clientPort = 40000;
    out.serverAddr.set([0x0a000001, 0, 0, 0]);
    out.serverPort = 80;
  }
}

/**
 * N = 2, interval 1 s, width 0.1, round-robin and least-active.
 *   0.0 open c0 (rr 0, la 0), 300 B;  0.5 open c1 (rr 1, la 1), 100 B
 *   1.0 sample: connections [1,1] → 0; bytes [300,100] → 200·2/400 = 1
 *   1.5 c0 closes; open c2 (rr 0, la 0), 50 B
 *   2.0 sample: connections [1,1] → 0; bytes [50,0] → 2
 *   2.5 open c3 (rr 1, la 0: [1,1] tie → 0), 30 B
 *   3.0 sample: connections rr [1,2], la [2,1] → 1·2/3; bytes → 2
 */
function scenario(): ReplayEngine {
  const source = new FakeSource();
  const e = createReplayEngine({
    configs: policyConfigs(['round-robin', 'least-active'], 2, 1),
    interval: durationFromNs(S),
    binWidth: '0.1',
    direction: 'both',
    services: [],
  });
  e.start(1_700_000_000);
  e.advance(...at(0));
  e.open(0, ...at(0), source);
  e.packet(0, true, 300);
  e.advance(...at(0.5 * S));
  e.open(1, ...at(0.5 * S), source);
  e.packet(1, false, 100);
  e.advance(...at(1.5 * S));
  e.deactivate(0, ...at(1.5 * S));
  e.remove(0);
  e.open(2, ...at(1.5 * S), source);
  e.packet(2, true, 50);
  e.advance(...at(2.5 * S));
  e.open(3, ...at(2.5 * S), source);
  e.packet(3, true, 30);
  e.advance(...at(3 * S));
  e.finish(...at(3 * S));
  return e;
}

const capture: CaptureTotals = {
  packets: 10,
  bytes: 480,
  connectionsByReason: { fin: 1, 'end-of-trace': 3 },
  skippedByReason: { 'ip-truncated': 2 },
  backwards: 1,
  tso: 0,
  baseSec: 1_700_000_000,
  firstSec: 0,
  firstNsec: 0,
  clockSec: 3,
  clockNsec: 0,
};

describe('nearestRank', () => {
  it('is ⌈p·n/100⌉, at least 1', () => {
    expect([nearestRank(50, 3), nearestRank(90, 3), nearestRank(99, 3)]).toEqual([2, 3, 3]);
    expect([nearestRank(50, 4), nearestRank(90, 10), nearestRank(99, 100), nearestRank(50, 1)]).toEqual([2, 9, 99, 1]);
  });
});

describe('replay summary', () => {
  it('builds the JSON object with exact fields', () => {
    const summary = buildReplaySummary({ results: scenario().results(), capture, direction: 'both', seed: 1, services: [] });
    expect(summary).toEqual({
      capture: {
        packets: 10,
        bytes: 480,
        connections: 4,
        connections_by_reason: { fin: 1, 'end-of-trace': 3 },
        skipped: 2,
        skipped_by_reason: { 'ip-truncated': 2 },
        backwards: 1,
        tso: 0,
        first_time: '1700000000.000000000',
        last_time: '1700000003.000000000',
        duration: '3.000000000',
      },
      replay: {
        interval: '1.000000000',
        bin_width: '0.1',
        direction: 'both',
        seed: 1,
        services: [],
        granularity: 'connection',
        connections_replayed: 4,
        connections_not_replayed: 0,
        samples: 3,
        idle_samples: { connections: 0, bytes: 0 },
      },
      policies: [
        {
          policy: 'round-robin',
          servers: 2,
          // 0, 0, 2/3: mean 2/9; nearest ranks 2, 3, 3 → bins 0, 6, 6 → upper edges 0.1, 0.7, 0.7
          connections: { samples: 3, idle_samples: 0, mean_imbalance: '0.222222', max_imbalance: '0.666667', p50: '0.1', p90: '0.7', p99: '0.7' },
          // 1, 2, 2: mean 5/3; bins 10, 20, 20
          bytes: { samples: 3, idle_samples: 0, mean_imbalance: '1.666667', max_imbalance: '2.000000', p50: '2.1', p90: '2.1', p99: '2.1' },
          per_server: [
            { server: 0, connections: 2, bytes: 350 },
            { server: 1, connections: 2, bytes: 130 },
          ],
          split_connections: 0,
          split_share: '0.000000',
          misrouted_packets: 0,
          misrouted_share: '0.000000',
        },
        {
          policy: 'least-active',
          servers: 2,
          connections: { samples: 3, idle_samples: 0, mean_imbalance: '0.222222', max_imbalance: '0.666667', p50: '0.1', p90: '0.7', p99: '0.7' },
          bytes: { samples: 3, idle_samples: 0, mean_imbalance: '1.666667', max_imbalance: '2.000000', p50: '2.1', p90: '2.1', p99: '2.1' },
          per_server: [
            { server: 0, connections: 3, bytes: 380 },
            { server: 1, connections: 1, bytes: 100 },
          ],
          split_connections: 0,
          split_share: '0.000000',
          misrouted_packets: 0,
          misrouted_share: '0.000000',
        },
      ],
      warnings: [],
    });
    // JSON-ready: a round trip changes nothing.
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });

  it('renders the text for standard error', () => {
    const summary = buildReplaySummary({
      results: scenario().results(),
      capture,
      direction: 'both',
      seed: 1,
      services: ['10.0.0.0/8:80'],
    });
    expect(renderReplaySummary(summary)).toBe(
      [
        'capture: 10 packets, 480 payload bytes',
        '  time span: 1700000000.000000000 to 1700000003.000000000 (3.000000000 s)',
        '  connections: 4 (fin 1, end-of-trace 3)',
        '  skipped packets: 2 (ip-truncated 2)',
        '  backwards: 1, tso: 0',
        'replay: interval 1.000000000 s, bin width 0.1, direction both, seed 1',
        '  services: 10.0.0.0/8:80',
        '  connections replayed: 4, not replayed (outside --service): 0',
        '  samples: 3 (idle: connections 0, bytes 0)',
        '',
        'imbalance ((max - min) / mean; p50/p90/p99: upper edge of the bin):',
        'policy        metric       samples  idle  mean      max       p50  p90  p99',
        'round-robin   connections  3        0     0.222222  0.666667  0.1  0.7  0.7',
        'round-robin   bytes        3        0     1.666667  2.000000  2.1  2.1  2.1',
        'least-active  connections  3        0     0.222222  0.666667  0.1  0.7  0.7',
        'least-active  bytes        3        0     1.666667  2.000000  2.1  2.1  2.1',
        '',
        'per server:',
        'policy        server  connections  bytes',
        'round-robin   0       2            350',
        'round-robin   1       2            130',
        'least-active  0       3            380',
        'least-active  1       1            100',
        '',
      ].join('\n'),
    );
  });

  it('writes null and dashes when there is nothing to measure', () => {
    const e = createReplayEngine({
      configs: policyConfigs(['hash'], 5, 1),
      interval: durationFromNs(S),
      binWidth: '0.01',
      direction: 'both',
      services: [],
    });
    e.finish(...at(0));
    const empty: CaptureTotals = {
      ...capture,
      packets: 0,
      bytes: 0,
      connectionsByReason: {},
      skippedByReason: {},
      backwards: 0,
    };
    const summary = buildReplaySummary({ results: e.results(), capture: empty, direction: 'c2s', seed: 7, services: [] });
    expect(summary.capture).toMatchObject({ connections: 0, skipped: 0, first_time: null, last_time: null, duration: null });
    expect(summary.policies[0].connections).toEqual({
      samples: 0,
      idle_samples: 0,
      mean_imbalance: null,
      max_imbalance: null,
      p50: null,
      p90: null,
      p99: null,
    });
    expect(summary.policies[0].per_server).toHaveLength(5);
    const text = renderReplaySummary(summary);
    expect(text).toContain('  time span: no records\n');
    expect(text).toContain('  connections: 0\n');
    expect(text).toContain('hash    connections  0        0     -     -    -    -    -\n');
  });
});
