import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { Dispatcher, createPolicy, policyConfigs, type Direction } from '../../src/dispatch/dispatcher.js';
import { POLICY_NAMES, createEndpoints, type EndpointSource, type Endpoints, type PolicyName } from '../../src/dispatch/policy.js';
import { parseService } from '../../src/dispatch/service-filter.js';
import { Xoshiro128StarStar } from '../../src/dispatch/prng.js';

interface FakeConn {
  conn: number;
  client: number;
  clientPort: number;
  server: number;
  serverPort: number;
}

/** The connection table as the dispatcher sees it: slot → endpoints (IPv4). */
class FakeSource implements EndpointSource {
  readonly slots = new Map<number, FakeConn>();
  reads = 0;
  readEndpoints(slot: number, out: Endpoints): void {
    const c = this.slots.get(slot);
    if (c === undefined) throw new Error(`no connection in slot ${slot}`);
    this.reads++;
    out.conn = c.conn;
    out.ipVersion = 4;
    out.clientAddr.set([c.client, 0, 0, 0]);
    out.clientPort = c.clientPort;
    out.serverAddr.set([c.server, 0, 0, 0]);
    out.serverPort = c.serverPort;
  }
}

const SERVER_IP = 0x0a000001; // 10.0.0.1

function client(i: number): FakeConn {
  return { conn: i, client: 0xc0000200 + 10 + i, clientPort: 40000 + i, server: SERVER_IP, serverPort: 80 };
}

function dispatcher(
  source: FakeSource,
  policies: readonly PolicyName[],
  servers: number,
  extra: { direction?: Direction; services?: string[]; assignments?: (s: string) => void } = {},
): Dispatcher {
  return new Dispatcher({
    configs: policyConfigs(policies, servers, 1),
    direction: extra.direction ?? 'both',
    services: (extra.services ?? []).map(parseService),
    assignments: extra.assignments,
  });
}

describe('policies one by one', () => {
  it('round-robin: the k-th connection goes to k mod N', () => {
    const p = createPolicy({ policy: 'round-robin', servers: 3, seed: 1 });
    const ep = createEndpoints();
    const active = new Float64Array(3);
    expect(Array.from({ length: 7 }, () => p.choose(ep, active, 0))).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('random: one unbiased draw per connection from the seeded generator', () => {
    const p = createPolicy({ policy: 'random', servers: 3, seed: 1 });
    const ep = createEndpoints();
    const active = new Float64Array(3);
    // Seed 1's outputs 393288148, 2174103013, 3814759091, 2092745082, 1865176206 … mod 3.
    expect(Array.from({ length: 8 }, () => p.choose(ep, active, 0))).toEqual([1, 1, 2, 0, 0, 0, 1, 1]);
    const g = new Xoshiro128StarStar(99);
    const q = createPolicy({ policy: 'random', servers: 7, seed: 99 });
    for (let i = 0; i < 100; i++) expect(q.choose(ep, active, 0)).toBe(g.nextBelow(7));
  });

  it('hash: CRC-32 of client address and port, mod N', () => {
    const p = createPolicy({ policy: 'hash', servers: 3, seed: 1 });
    const ep = createEndpoints();
    ep.ipVersion = 4;
    const expected = [2, 1, 2, 0, 2, 1];
    for (let i = 0; i < 6; i++) {
      ep.clientAddr[0] = 0xc0000200 + 10 + i;
      ep.clientPort = 40000 + i;
      const bytes = Uint8Array.of(192, 0, 2, 10 + i, (40000 + i) >> 8, (40000 + i) & 0xff);
      expect(p.choose(ep, new Float64Array(3), 0)).toBe(zlibCrc32(bytes) % 3);
      expect(p.choose(ep, new Float64Array(3), 0)).toBe(expected[i]);
    }
  });

  it('least-active: fewest active, ties to the lowest index, reading its own slice', () => {
    const p = createPolicy({ policy: 'least-active', servers: 3, seed: 1 });
    const ep = createEndpoints();
    // Another instance's servers sit at 0–1; this one's at 2–4.
    const active = Float64Array.of(0, 0, 2, 1, 1);
    expect(p.choose(ep, active, 2)).toBe(1);
    expect(p.choose(ep, Float64Array.of(9, 9, 0, 0, 0), 2)).toBe(0);
    expect(p.choose(ep, Float64Array.of(0, 0, 3, 2, 0), 2)).toBe(2);
  });
});

describe('Dispatcher', () => {
  it('dispatches each connection once per instance and counts bytes for its server', () => {
    const source = new FakeSource();
    const rows: string[] = [];
    const d = dispatcher(source, ['round-robin', 'least-active'], 2, { assignments: (s) => rows.push(s) });
    expect(rows).toEqual(['conn,policy,server\n']);
    for (let i = 0; i < 3; i++) source.slots.set(i, client(i));
    d.open(0, 0, 0, source);
    d.open(1, 0, 0, source);
    d.deactivate(0, 5, 0); // least-active now sees [0, 1]
    d.open(2, 5, 0, source);
    expect(source.reads).toBe(3);
    // round-robin: 0, 1, 0; least-active: 0, 1, then 0 (server 0 emptied at 5).
    expect([0, 1, 2].map((s) => [d.serverOf(s, 0), d.serverOf(s, 1)])).toEqual([
      [0, 0],
      [1, 1],
      [0, 0],
    ]);
    expect(rows.join('')).toBe(
      'conn,policy,server\n0,round-robin,0\n0,least-active,0\n1,round-robin,1\n1,least-active,1\n2,round-robin,0\n2,least-active,0\n',
    );
    d.packet(0, false, 100); // closed but still present: still counts
    d.packet(1, true, 7);
    d.packet(2, true, 0);
    // Global indices: round-robin 0–1, least-active 2–3.
    expect(Array.from(d.active)).toEqual([1, 1, 1, 1]);
    expect(Array.from(d.counters.bytes)).toEqual([100, 7, 100, 7]);
    expect(Array.from(d.dispatchedConnections)).toEqual([2, 1, 2, 1]);
    expect(Array.from(d.dispatchedBytes)).toEqual([100, 7, 100, 7]);
    expect(d.activeConnections).toBe(2);
    expect(d.connectionsReplayed).toBe(3);
  });

  it('counts one direction only with s2c or c2s (bytes only)', () => {
    for (const [direction, expected] of [
      ['both', 30],
      ['c2s', 10],
      ['s2c', 20],
    ] as const) {
      const source = new FakeSource();
      source.slots.set(0, client(0));
      const d = dispatcher(source, ['hash'], 3, { direction });
      d.open(0, 0, 0, source);
      d.packet(0, true, 10);
      d.packet(0, false, 20);
      const server = d.serverOf(0, 0);
      expect(d.counters.bytes[server]).toBe(expected);
      expect(d.active[server]).toBe(1);
    }
  });

  it('leaves connections outside --service undispatched and counts them', () => {
    const source = new FakeSource();
    source.slots.set(0, client(0));
    source.slots.set(1, { ...client(1), serverPort: 443 });
    const rows: string[] = [];
    const d = dispatcher(source, ['round-robin'], 2, { services: ['10.0.0.0/8:443'], assignments: (s) => rows.push(s) });
    d.open(0, 0, 0, source);
    d.open(1, 0, 0, source);
    d.packet(0, true, 1000);
    d.packet(1, true, 5);
    d.deactivate(0, 1, 0);
    d.remove(0);
    expect(d.serverOf(0, 0)).toBe(-1);
    // The replayed connection is round-robin's first: server 0.
    expect(d.serverOf(1, 0)).toBe(0);
    expect(Array.from(d.active)).toEqual([1, 0]);
    expect(Array.from(d.counters.bytes)).toEqual([5, 0]);
    expect(d.connectionsReplayed).toBe(1);
    expect(d.connectionsNotReplayed).toBe(1);
    expect(rows.join('')).toBe('conn,policy,server\n1,round-robin,0\n');
  });

  it('reuses slots after remove and grows past the initial slot arrays', () => {
    const source = new FakeSource();
    const d = dispatcher(source, ['round-robin', 'hash'], 4);
    source.slots.set(5000, client(0));
    d.open(5000, 0, 0, source);
    d.packet(5000, true, 3);
    expect(d.serverOf(5000, 0)).toBe(0);
    d.deactivate(5000, 1, 0);
    d.remove(5000);
    source.slots.set(5000, client(1));
    d.open(5000, 2, 0, source);
    expect(d.serverOf(5000, 0)).toBe(1);
    expect(d.activeConnections).toBe(1);
  });

  it('rejects calls that break the FlowListener contract', () => {
    const source = new FakeSource();
    source.slots.set(0, client(0));
    const d = dispatcher(source, ['round-robin'], 2);
    expect(() => d.packet(0, true, 1)).toThrow(/packet on a slot that is not open/);
    d.open(0, 0, 0, source);
    expect(() => d.open(0, 0, 0, source)).toThrow(/open on a slot in use/);
    expect(() => d.remove(0)).toThrow(/remove before deactivate/);
    d.deactivate(0, 1, 0);
    expect(() => d.deactivate(0, 1, 0)).toThrow(/deactivate twice/);
  });

  it('rejects a bad configuration', () => {
    const source = new FakeSource();
    expect(() => dispatcher(source, ['hash'], 0)).toThrow(/--servers/);
    expect(
      () => new Dispatcher({ configs: [], direction: 'both', services: [] }),
    ).toThrow(RangeError);
    expect(
      () =>
        new Dispatcher({
          configs: [
            { policy: 'hash', servers: 2, seed: 1 },
            { policy: 'hash', servers: 3, seed: 1 },
          ],
          direction: 'both',
          services: [],
              }),
    ).toThrow(/labelled 'hash'/);
  });

  it('runs several configurations of one policy side by side (labels, own N)', () => {
    const source = new FakeSource();
    const d = new Dispatcher({
      configs: [
        { policy: 'round-robin', servers: 2, seed: 1, label: 'rr2' },
        { policy: 'round-robin', servers: 3, seed: 1, label: 'rr3' },
      ],
      direction: 'both',
      services: [],
      });
    for (let i = 0; i < 4; i++) {
      source.slots.set(i, client(i));
      d.open(i, i, 0, source);
    }
    expect([0, 1, 2, 3].map((s) => d.serverOf(s, 0))).toEqual([0, 1, 0, 1]);
    expect([0, 1, 2, 3].map((s) => d.serverOf(s, 1))).toEqual([0, 1, 2, 0]);
    expect(d.totalServers).toBe(5);
    expect(d.instances.map((i) => [i.label, i.base])).toEqual([
      ['rr2', 0],
      ['rr3', 2],
    ]);
  });
});

/** A random but valid life of connections: opens and closes in time order. */
const lifeArb = fc.array(
  fc.record({ open: fc.boolean(), pick: fc.nat(), server: fc.nat({ max: 0xffffffff }), port: fc.nat({ max: 0xffff }) }),
  { minLength: 1, maxLength: 200 },
);

describe('Dispatcher properties', () => {
  it('round-robin: dispatched counts per server differ by at most 1', () => {
    fc.assert(
      fc.property(lifeArb, fc.integer({ min: 1, max: 7 }), (steps, n) => {
        const source = new FakeSource();
        const d = dispatcher(source, ['round-robin'], n);
        let slot = 0;
        for (const step of steps) {
          source.slots.set(slot, { ...client(slot), client: step.server, clientPort: step.port });
          d.open(slot, slot, 0, source);
          slot++;
        }
        const counts = Array.from(d.dispatchedConnections);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('least-active never picks a server with more active connections than another', () => {
    fc.assert(
      fc.property(lifeArb, fc.integer({ min: 1, max: 6 }), (steps, n) => {
        const source = new FakeSource();
        const d = dispatcher(source, ['least-active', 'random'], n);
        const open: number[] = [];
        let next = 0;
        for (const step of steps) {
          if (step.open || open.length === 0) {
            const before = Array.from(d.active.subarray(0, n));
            source.slots.set(next, client(next));
            d.open(next, 0, 0, source);
            const chosen = d.serverOf(next, 0);
            expect(before[chosen]).toBe(Math.min(...before));
            expect(before.indexOf(Math.min(...before))).toBe(chosen);
            open.push(next++);
          } else {
            const [slot] = open.splice(step.pick % open.length, 1);
            d.deactivate(slot, 0, 0);
            d.remove(slot);
          }
          // Every instance sees the same active connections in total.
          const sums = [0, 1].map((i) => Array.from(d.active.subarray(i * n, i * n + n)).reduce((a, b) => a + b, 0));
          expect(sums).toEqual([open.length, open.length]);
        }
      }),
    );
  });

  it('every policy answers within 0 … N−1 and the same inputs give the same assignment', () => {
    fc.assert(
      fc.property(lifeArb, fc.integer({ min: 1, max: 9 }), (steps, n) => {
        const run = (): string => {
          const source = new FakeSource();
          const rows: string[] = [];
          const d = dispatcher(source, POLICY_NAMES, n, { assignments: (s) => rows.push(s) });
          steps.forEach((step, slot) => {
            source.slots.set(slot, { ...client(slot), client: step.server, clientPort: step.port });
            d.open(slot, slot, 0, source);
            for (let i = 0; i < POLICY_NAMES.length; i++) {
              const s = d.serverOf(slot, i);
              expect(s >= 0 && s < n).toBe(true);
            }
          });
          return rows.join('');
        };
        expect(run()).toBe(run());
      }),
      { numRuns: 30 },
    );
  });
});
