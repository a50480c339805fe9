/**
 * The tracker's state machine (SPEC §3), one scenario per edge, driven by
 * filling a DecodedPacket directly. A recording listener logs every call; the
 * expected sequences are worked out by hand from the SPEC rules.
 *
 * Times are written in seconds relative to the base second in the scenarios
 * and logs (a number of seconds, exact to the ns below 2^53 ns, or an exact
 * [sec, nsec] pair for times years from the base), as (sec, nsec) pairs in the
 * tracker.
 */
import { describe, expect, it } from 'vitest';
import { DecodedPacket, IPPROTO_TCP } from '../../src/decode/packet.js';
import { CloseReason, type FlowListener } from '../../src/flows/events.js';
import { CONNECTION_COLUMNS, connectionRow } from '../../src/flows/connection-row.js';
import type { ConnectionTable } from '../../src/flows/table.js';
import { ConnectionTracker, type ConnectionTrackerOptions } from '../../src/flows/tracker.js';
import { durationFromNs } from '../../src/time.js';

const BASE_SEC = 1_700_000_000;
const ns = (sec: number): number => Math.round(sec * 1e9);

/** A scenario time: seconds after the base second, or an exact [sec, nsec] pair. */
type T = number | readonly [number, number];

/** The (sec, nsec) pair of a scenario time. */
function pair(t: T): [number, number] {
  if (typeof t !== 'number') return [t[0], t[1]];
  const n = ns(t);
  const whole = Math.floor(n / 1e9);
  return [whole, n - whole * 1e9];
}

/** A pair as the logs write it: seconds with the decimals it needs ("1", "1.1", "-0.3"). */
function sec(s: number, n: number): string {
  if (n === 0) return String(s);
  const neg = s < 0;
  const whole = neg ? -s - 1 : s;
  const frac = String(neg ? 1e9 - n : n).padStart(9, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}.${frac}`;
}

/** Every time the tracker reports is a pair of integers with 0 ≤ nsec < 1e9. */
function checkPair(s: number, n: number): void {
  if (!Number.isSafeInteger(s) || !Number.isInteger(n) || n < 0 || n >= 1e9) throw new Error(`bad time pair (${s}, ${n})`);
}

/** Logs every listener call as a line naming the connection by its `conn` number. */
class Recorder implements FlowListener {
  log: string[] = [];
  rows: Record<string, string>[] = [];
  table!: ConnectionTable;
  private readonly out: string[] = [];
  private readonly until = new Map<number, [number, number]>();
  private lastSec = -Infinity;
  private lastNsec = 0;

  advance(s: number, n: number): void {
    checkPair(s, n);
    if (s < this.lastSec || (s === this.lastSec && n < this.lastNsec)) {
      throw new Error(`advance went back: ${sec(s, n)} < ${sec(this.lastSec, this.lastNsec)}`);
    }
    this.lastSec = s;
    this.lastNsec = n;
    this.log.push(`advance ${sec(s, n)}`);
  }
  open(slot: number, s: number, n: number): void {
    checkPair(s, n);
    this.log.push(`open #${this.table.conn(slot)} ${sec(s, n)}`);
  }
  packet(slot: number, c2s: boolean, payloadBytes: number): void {
    this.log.push(`packet #${this.table.conn(slot)} ${c2s ? 'c2s' : 's2c'} ${payloadBytes}`);
  }
  deactivate(slot: number, s: number, n: number): void {
    checkPair(s, n);
    this.log.push(`deactivate #${this.table.conn(slot)} ${sec(s, n)}`);
    this.until.set(slot, [s, n]);
  }
  remove(slot: number): void {
    const [us, un] = this.until.get(slot) ?? [Number.NaN, 0];
    this.until.delete(slot);
    const row = connectionRow(this.table, slot, BASE_SEC, us, un, this.out);
    this.log.push(`remove #${row[0]} ${row[13]}`);
    const rec: Record<string, string> = {};
    CONNECTION_COLUMNS.forEach((c, i) => (rec[c] = row[i]));
    this.rows.push(rec);
  }
}

interface PacketOpts {
  seq?: number;
  ack?: number;
  len?: number;
  /** Own timestamp when it differs from the clock (backwards packet). */
  own?: T;
}

const FLAG_LETTERS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10 };

/** "10.0.0.1:40000" or "[2001:db8::1]:443" → (version, words, port). */
function parseEndpoint(text: string, words: Uint32Array): { version: number; port: number } {
  words.fill(0);
  const m6 = /^\[(.*)\]:(\d+)$/.exec(text);
  if (m6) {
    const [head, tail] = m6[1].includes('::') ? m6[1].split('::') : [m6[1], undefined];
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) => parseInt(g, 16));
    for (let i = 0; i < 4; i++) words[i] = ((groups[2 * i] << 16) | groups[2 * i + 1]) >>> 0;
    return { version: 6, port: Number(m6[2]) };
  }
  const [addr, port] = text.split(':');
  const b = addr.split('.').map(Number);
  words[0] = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  return { version: 4, port: Number(port) };
}

class Harness {
  readonly rec = new Recorder();
  readonly tracker: ConnectionTracker;
  /** One packet object for the whole run, as the decoder does. */
  private readonly p = new DecodedPacket();

  /** Timeouts as Durations, or as integer ns (`idleTimeoutNs`, `synTimeoutNs`) for short ones. */
  constructor(options: Partial<ConnectionTrackerOptions> & { idleTimeoutNs?: number; synTimeoutNs?: number } = {}) {
    const { idleTimeoutNs = ns(300), synTimeoutNs = ns(60), ...rest } = options;
    this.tracker = new ConnectionTracker(
      { idleTimeout: durationFromNs(idleTimeoutNs), synTimeout: durationFromNs(synTimeoutNs), maxConnections: 1000, ...rest },
      this.rec,
    );
    this.rec.table = this.tracker.table;
  }

  /** A packet at clock `t`: "SRC > DST", flags like "S", "SA", "FA", "R", "PA". */
  pkt(t: T, route: string, flags: string, opts: PacketOpts = {}): this {
    const p = this.p;
    p.reset();
    const [src, dst] = route.split(' > ');
    const s = parseEndpoint(src, p.src);
    const d = parseEndpoint(dst, p.dst);
    p.ipVersion = s.version;
    p.ipProto = IPPROTO_TCP;
    p.isTcp = true;
    p.srcPort = s.port;
    p.dstPort = d.port;
    p.tcpFlags = [...flags].reduce((f, c) => f | FLAG_LETTERS[c], 0);
    p.seq = opts.seq ?? 0;
    p.ack = opts.ack ?? 0;
    p.payloadLength = opts.len ?? 0;
    const [cs, cn] = pair(t);
    const [os, on] = pair(opts.own ?? t);
    this.tracker.packet(p, cs, cn, os, on);
    return this;
  }

  tick(t: T): this {
    const [s, n] = pair(t);
    this.tracker.advanceClock(s, n);
    return this;
  }

  finish(t: T): this {
    const [s, n] = pair(t);
    this.tracker.finish(s, n);
    return this;
  }

  /** The log so far, then cleared. */
  take(): string[] {
    const l = this.rec.log;
    this.rec.log = [];
    return l;
  }

  /** The log without its `advance` lines, then cleared. */
  events(): string[] {
    return this.take().filter((l) => !l.startsWith('advance'));
  }

  row(conn: number): Record<string, string> {
    const r = this.rec.rows.find((x) => x.conn === String(conn));
    if (!r) throw new Error(`no row for conn ${conn}`);
    return r;
  }

  rowConns(): string[] {
    return this.rec.rows.map((r) => `#${r.conn} ${r.close}`);
  }
}

const C = '10.0.0.1:40000';
const S = '10.0.0.2:80';
const C2S = `${C} > ${S}`;
const S2C = `${S} > ${C}`;

/** Epoch text of a time `t` after the base second (t ≥ −base), as the rows write it. */
const at = (t: T): string => {
  const [s, n] = pair(t);
  return `${BASE_SEC + s}.${String(n).padStart(9, '0')}`;
};

describe('ConnectionTracker: opening and the client', () => {
  it('full handshake and FIN/FIN close: exact call sequence and row', () => {
    const h = new Harness();
    h.pkt(1, C2S, 'S', { seq: 1000 });
    h.pkt(1.1, S2C, 'SA', { seq: 5000, ack: 1001 });
    h.pkt(1.2, C2S, 'A');
    h.pkt(1.3, C2S, 'PA', { len: 100 });
    h.pkt(1.4, S2C, 'PA', { len: 500 });
    h.pkt(1.5, C2S, 'FA');
    h.pkt(1.6, S2C, 'FA');
    h.pkt(1.7, C2S, 'A');
    h.finish(1.7);
    expect(h.take()).toEqual([
      'advance 1',
      'open #0 1',
      'packet #0 c2s 0',
      'advance 1.1',
      'packet #0 s2c 0',
      'advance 1.2',
      'packet #0 c2s 0',
      'advance 1.3',
      'packet #0 c2s 100',
      'advance 1.4',
      'packet #0 s2c 500',
      'advance 1.5',
      'packet #0 c2s 0',
      'advance 1.6',
      'packet #0 s2c 0',
      'deactivate #0 1.6',
      'advance 1.7',
      'packet #0 c2s 0',
      'advance 1.7',
      'remove #0 fin',
    ]);
    expect(h.row(0)).toEqual({
      conn: '0',
      first_time: '1700000001.000000000',
      last_time: '1700000001.700000000',
      duration: '0.700000000',
      client_addr: '10.0.0.1',
      client_port: '40000',
      server_addr: '10.0.0.2',
      server_port: '80',
      proto: 'tcp',
      packets_c2s: '5',
      packets_s2c: '3',
      bytes_c2s: '100',
      bytes_s2c: '500',
      close: 'fin',
      syn_seen: '1',
      // Inactive from the second FIN (1.6), though its final ACK (1.7) is its last packet.
      active_until: '1700000001.600000000',
    });
    expect(h.tracker.opened).toBe(1);
    expect(h.tracker.closedByReason[CloseReason.FIN]).toBe(1);
    expect(h.tracker.occupancy).toBe(0);
    expect(h.tracker.peakOccupancy).toBe(1);
  });

  it('mid-stream start: the higher port is the client even when it receives the first packet', () => {
    const h = new Harness();
    h.pkt(1, S2C, 'A', { len: 10 }); // 80 → 40000: the receiver (port 40000) is the client
    h.pkt(2, C2S, 'A', { len: 3 });
    h.finish(2);
    expect(h.events()).toEqual([
      'open #0 1',
      'packet #0 s2c 10',
      'packet #0 c2s 3',
      'deactivate #0 2',
      'remove #0 end-of-trace',
    ]);
    expect(h.row(0)).toMatchObject({
      client_addr: '10.0.0.1',
      client_port: '40000',
      server_addr: '10.0.0.2',
      server_port: '80',
      packets_c2s: '1',
      packets_s2c: '1',
      bytes_c2s: '3',
      bytes_s2c: '10',
      syn_seen: '0',
    });
  });

  it('mid-stream start with equal ports: the sender is the client', () => {
    const h = new Harness();
    h.pkt(1, '10.0.0.9:5000 > 10.0.0.3:5000', 'A');
    h.pkt(2, '10.0.0.3:5000 > 10.0.0.9:5000', 'A');
    h.finish(2);
    expect(h.events()).toEqual(['open #0 1', 'packet #0 c2s 0', 'packet #0 s2c 0', 'deactivate #0 2', 'remove #0 end-of-trace']);
    expect(h.row(0)).toMatchObject({ client_addr: '10.0.0.9', server_addr: '10.0.0.3', syn_seen: '0' });
  });

  it('SYN-ACK first: the receiver is the client, ISN = ack − 1, and a late SYN with it is a retransmission', () => {
    const h = new Harness();
    h.pkt(1, S2C, 'SA', { seq: 5000, ack: 1001 });
    h.pkt(1.1, C2S, 'S', { seq: 1000 }); // merged capture: the SYN after its SYN-ACK
    h.pkt(1.2, C2S, 'A', { seq: 1001, ack: 5001 });
    h.finish(1.2);
    expect(h.events()).toEqual([
      'open #0 1',
      'packet #0 s2c 0',
      'packet #0 c2s 0',
      'packet #0 c2s 0',
      'deactivate #0 1.2',
      'remove #0 end-of-trace',
    ]);
    expect(h.row(0)).toMatchObject({ client_port: '40000', server_port: '80', packets_c2s: '2', packets_s2c: '1', syn_seen: '0' });
  });

  it('SYN-ACK first with ack 0: the ISN wraps to 2^32 − 1', () => {
    const h = new Harness();
    h.pkt(1, S2C, 'SA', { seq: 5000, ack: 0 });
    h.pkt(1.1, C2S, 'S', { seq: 0xffffffff });
    h.finish(2);
    expect(h.rowConns()).toEqual(['#0 end-of-trace']);
  });

  it('SYN-ACK first, then a SYN from the client with another number: port reuse', () => {
    const h = new Harness();
    h.pkt(1, S2C, 'SA', { seq: 5000, ack: 1001 });
    h.pkt(2, C2S, 'S', { seq: 77 });
    h.finish(2);
    expect(h.rowConns()).toEqual(['#0 port-reuse', '#1 end-of-trace']);
  });

  it('simultaneous open: a SYN from the server is the same connection and ends the SYN-only state', () => {
    const h = new Harness();
    h.pkt(1, C2S, 'S', { seq: 1000 });
    h.pkt(1.1, S2C, 'S', { seq: 5000 });
    h.pkt(1.2, C2S, 'SA', { seq: 1000, ack: 5001 });
    h.pkt(1.3, S2C, 'SA', { seq: 5000, ack: 1001 });
    // A SYN-only connection would expire at 1 + 60 = 61 (here at 1.1 + 60); this one does not.
    h.tick(100);
    h.finish(100);
    expect(h.events()).toEqual([
      'open #0 1',
      'packet #0 c2s 0',
      'packet #0 s2c 0',
      'packet #0 c2s 0',
      'packet #0 s2c 0',
      'deactivate #0 100',
      'remove #0 end-of-trace',
    ]);
    expect(h.row(0)).toMatchObject({ client_port: '40000', packets_c2s: '2', packets_s2c: '2', syn_seen: '1' });
  });

  it('SYN retransmission: same connection, and the SYN timeout counts from the last SYN', () => {
    const h = new Harness();
    h.pkt(1, C2S, 'S', { seq: 1000 });
    h.pkt(4, C2S, 'S', { seq: 1000 });
    h.pkt(10, C2S, 'S', { seq: 1000 });
    h.take();
    h.tick(69.999999999); // deadline 10 + 60 = 70 not reached
    expect(h.take()).toEqual(['advance 69.999999999']);
    h.tick(70);
    expect(h.take()).toEqual(['advance 70', 'deactivate #0 70', 'remove #0 syn-timeout', 'advance 70']);
    expect(h.row(0)).toMatchObject({
      first_time: at(1),
      last_time: at(10),
      duration: '9.000000000',
      packets_c2s: '3',
      packets_s2c: '0',
      close: 'syn-timeout',
      syn_seen: '1',
    });
  });
});

describe('ConnectionTracker: SYN on a known connection', () => {
  it('port reuse with a new ISN: old closes port-reuse at the new SYN, keeps its last time', () => {
    const h = new Harness();
    h.pkt(1, C2S, 'S', { seq: 1000 });
    h.pkt(1.1, S2C, 'SA', { seq: 5000, ack: 1001 });
    h.pkt(1.2, C2S, 'PA', { len: 20 });
    h.take();
    h.pkt(5, C2S, 'S', { seq: 9000 });
    expect(h.take()).toEqual([
      'advance 5',
      'deactivate #0 5',
      'remove #0 port-reuse',
      'open #1 5',
      'packet #1 c2s 0',
    ]);
    expect(h.row(0)).toMatchObject({
      first_time: at(1),
      last_time: at(1.2),
      duration: '0.200000000',
      packets_c2s: '2',
      packets_s2c: '1',
      bytes_c2s: '20',
      close: 'port-reuse',
    });
    h.finish(5);
    expect(h.row(1)).toMatchObject({ first_time: at(5), last_time: at(5), close: 'end-of-trace', syn_seen: '1' });
    expect(h.tracker.opened).toBe(2);
  });

  it('port reuse on a connection first seen mid-stream (ISN unknown), whatever the sequence number', () => {
    const h = new Harness();
    h.pkt(1, C2S, 'A', { seq: 1000 });
    h.pkt(2, C2S, 'S', { seq: 999 });
    h.finish(2);
    expect(h.rowConns()).toEqual(['#0 port-reuse', '#1 end-of-trace']);
  });

  it('SYN after a FIN close: the old connection is removed with fin, a new one opens', () => {
    const h = new Harness();
    h.pkt(1, C2S, 'S', { seq: 1000 });
    h.pkt(2, C2S, 'FA');
    h.pkt(3, S2C, 'FA');
    h.take();
    h.pkt(4, C2S, 'S', { seq: 1000 }); // even the same ISN: the old one is closed
    expect(h.take()).toEqual(['advance 4', 'remove #0 fin', 'open #1 4', 'packet #1 c2s 0']);
    expect(h.row(0)).toMatchObject({ last_time: at(3), close: 'fin' });
  });

  it('SYN after an RST close: new connection', () => {
    const h = new Harness();
    h.pkt(1, C2S, 'S', { seq: 1000 });
    h.pkt(1.5, S2C, 'RA', { ack: 1001 });
    h.pkt(2, C2S, 'S', { seq: 1000 });
    expect(h.events()).toEqual([
      'open #0 1',
      'packet #0 c2s 0',
      'packet #0 s2c 0',
      'deactivate #0 1.5',
      'remove #0 rst',
      'open #1 2',
      'packet #1 c2s 0',
    ]);
  });
});

describe('ConnectionTracker: closing', () => {
  it('RST from the client closes at its packet', () => {
    const h = new Harness();
    h.pkt(1, C2S, 'S', { seq: 1 });
    h.pkt(1.1, S2C, 'SA', { ack: 2 });
    h.pkt(1.2, C2S, 'R');
    h.finish(9);
    expect(h.events()).toEqual([
      'open #0 1',
      'packet #0 c2s 0',
      'packet #0 s2c 0',
      'packet #0 c2s 0',
      'deactivate #0 1.2',
      'remove #0 rst',
    ]);
    expect(h.row(0)).toMatchObject({ last_time: at(1.2), close: 'rst' });
  });

  it('RST from the server closes at its packet; late packets and RSTs are counted, reason kept', () => {
    const h = new Harness();
    h.pkt(1, C2S, 'PA', { len: 5 });
    h.pkt(2, S2C, 'R');
    h.pkt(3, C2S, 'PA', { len: 7 }); // late data, then another RST
    h.pkt(4, S2C, 'R');
    h.finish(4);
    expect(h.events()).toEqual([
      'open #0 1',
      'packet #0 c2s 5',
      'packet #0 s2c 0',
      'deactivate #0 2',
      'packet #0 c2s 7',
      'packet #0 s2c 0',
      'remove #0 rst',
    ]);
    expect(h.row(0)).toMatchObject({ last_time: at(4), packets_c2s: '2', packets_s2c: '2', bytes_c2s: '12', close: 'rst' });
  });

  it('half-close: a FIN from one side only (even repeated) leaves it open', () => {
    const h = new Harness();
    h.pkt(1, C2S, 'S', { seq: 1 });
    h.pkt(1.1, S2C, 'SA', { ack: 2 });
    h.pkt(2, C2S, 'FA');
    h.pkt(3, C2S, 'FA'); // retransmitted client FIN: still one side
    h.pkt(4, S2C, 'PA', { len: 1000 });
    h.finish(5);
    expect(h.events()).toEqual([
      'open #0 1',
      'packet #0 c2s 0',
      'packet #0 s2c 0',
      'packet #0 c2s 0',
      'packet #0 c2s 0',
      'packet #0 s2c 1000',
      'deactivate #0 5',
      'remove #0 end-of-trace',
    ]);
    expect(h.row(0)).toMatchObject({ last_time: at(4), duration: '3.000000000', close: 'end-of-trace' });
  });

  it('retransmitted FINs after the close are counted and move the last time, no second deactivate', () => {
    const h = new Harness();
    h.pkt(1, C2S, 'FA');
    h.pkt(2, S2C, 'FA');
    h.pkt(3, S2C, 'FA');
    h.pkt(4, C2S, 'A');
    h.finish(10);
    expect(h.events()).toEqual([
      'open #0 1',
      'packet #0 c2s 0',
      'packet #0 s2c 0',
      'deactivate #0 2',
      'packet #0 s2c 0',
      'packet #0 c2s 0',
      'remove #0 fin',
    ]);
    expect(h.row(0)).toMatchObject({ last_time: at(4), packets_c2s: '2', packets_s2c: '2', close: 'fin' });
  });

  it('a closed connection leaves at its idle deadline with its own reason, without a deactivate', () => {
    const h = new Harness();
    h.pkt(1, C2S, 'R');
    h.take();
    h.tick(301);
    expect(h.take()).toEqual(['advance 301', 'remove #0 rst', 'advance 301']);
  });

  it('a SYN with RST from the client opens and closes in one packet', () => {
    const h = new Harness();
    h.pkt(1, C2S, 'SR', { seq: 1 });
    h.tick(100); // not SYN-only any more once closed: no syn-timeout at 61
    h.finish(100);
    expect(h.events()).toEqual(['open #0 1', 'packet #0 c2s 0', 'deactivate #0 1', 'remove #0 rst']);
  });
});

describe('ConnectionTracker: expiry', () => {
  it('idle expiry at its own instant, between packets of other connections', () => {
    const h = new Harness();
    h.pkt(1, C2S, 'A');
    h.pkt(100, '10.0.0.5:1234 > 10.0.0.2:80', 'A');
    h.pkt(350, '10.0.0.5:1234 > 10.0.0.2:80', 'A');
    expect(h.take()).toEqual([
      'advance 1',
      'open #0 1',
      'packet #0 c2s 0',
      'advance 100',
      'open #1 100',
      'packet #1 c2s 0',
      // #0's deadline 1 + 300 = 301 falls between the packets at 100 and 350.
      'advance 301',
      'deactivate #0 301',
      'remove #0 idle',
      'advance 350',
      'packet #1 c2s 0',
    ]);
    expect(h.row(0)).toMatchObject({ first_time: at(1), last_time: at(1), duration: '0.000000000', close: 'idle' });
  });

  it('a packet exactly at the idle deadline finds its connection expired (t − last ≥ timeout)', () => {
    const h = new Harness();
    h.pkt(1, C2S, 'A');
    h.pkt(301, C2S, 'A');
    expect(h.take()).toEqual([
      'advance 1',
      'open #0 1',
      'packet #0 c2s 0',
      'advance 301',
      'deactivate #0 301',
      'remove #0 idle',
      'advance 301',
      'open #1 301',
      'packet #1 c2s 0',
    ]);
  });

  it('skipped records move the clock: advanceClock runs the expiries due', () => {
    const h = new Harness();
    h.pkt(1, C2S, 'S', { seq: 1 });
    h.take();
    h.tick(30).tick(61.5);
    expect(h.take()).toEqual(['advance 30', 'advance 61', 'deactivate #0 61', 'remove #0 syn-timeout', 'advance 61.5']);
  });

  it('SYN timeout: a connection that never got past its SYN expires 60 s after it', () => {
    const h = new Harness();
    h.pkt(1, C2S, 'S', { seq: 1 });
    h.pkt(2, '10.0.0.7:999 > 10.0.0.2:80', 'S', { seq: 1 });
    h.pkt(2.5, '10.0.0.2:80 > 10.0.0.7:999', 'SA', { ack: 2 }); // #1 got an answer
    h.pkt(70, '10.0.0.8:999 > 10.0.0.2:80', 'A');
    expect(h.events()).toEqual([
      'open #0 1',
      'packet #0 c2s 0',
      'open #1 2',
      'packet #1 c2s 0',
      'packet #1 s2c 0',
      'deactivate #0 61',
      'remove #0 syn-timeout',
      'open #2 70',
      'packet #2 c2s 0',
    ]);
    expect(h.row(0)).toMatchObject({ last_time: at(1), close: 'syn-timeout', syn_seen: '1' });
  });

  it('with both timeouts off (0) nothing expires; the end closes it', () => {
    const h = new Harness({ idleTimeoutNs: 0, synTimeoutNs: 0 });
    h.pkt(1, C2S, 'S', { seq: 1 });
    h.pkt(2, '10.0.0.7:999 > 10.0.0.2:80', 'A');
    h.pkt(3, '10.0.0.7:999 > 10.0.0.2:80', 'R');
    h.tick(1_000_000);
    expect(h.events()).toEqual(['open #0 1', 'packet #0 c2s 0', 'open #1 2', 'packet #1 c2s 0', 'packet #1 c2s 0', 'deactivate #1 3']);
    h.finish(1_000_000);
    expect(h.take()).toEqual(['advance 1000000', 'deactivate #0 1000000', 'remove #0 end-of-trace', 'remove #1 rst']);
  });

  it('idle off, SYN timeout on: only SYN-only connections expire', () => {
    const h = new Harness({ idleTimeoutNs: 0 });
    h.pkt(1, C2S, 'S', { seq: 1 });
    h.pkt(2, '10.0.0.7:999 > 10.0.0.2:80', 'A');
    h.tick(10_000);
    expect(h.events()).toEqual(['open #0 1', 'packet #0 c2s 0', 'open #1 2', 'packet #1 c2s 0', 'deactivate #0 61', 'remove #0 syn-timeout']);
  });

  it('SYN timeout off: a SYN-only connection expires idle', () => {
    const h = new Harness({ synTimeoutNs: 0 });
    h.pkt(1, C2S, 'S', { seq: 1 });
    h.tick(400);
    expect(h.events()).toEqual(['open #0 1', 'packet #0 c2s 0', 'deactivate #0 301', 'remove #0 idle']);
  });

  it('an idle timeout shorter than the SYN timeout expires a SYN-only connection as idle', () => {
    const h = new Harness({ idleTimeoutNs: ns(30) });
    h.pkt(1, C2S, 'S', { seq: 1 });
    h.tick(400);
    expect(h.events()).toEqual(['open #0 1', 'packet #0 c2s 0', 'deactivate #0 31', 'remove #0 idle']);
  });

  it('equal timeouts: a SYN-only connection expires syn-timeout, once', () => {
    const h = new Harness({ idleTimeoutNs: ns(60) });
    h.pkt(1, C2S, 'S', { seq: 1 });
    h.pkt(1, '10.0.0.7:999 > 10.0.0.2:80', 'A');
    h.tick(400);
    expect(h.events()).toEqual([
      'open #0 1',
      'packet #0 c2s 0',
      'open #1 1',
      'packet #1 c2s 0',
      'deactivate #0 61',
      'remove #0 syn-timeout',
      'deactivate #1 61',
      'remove #1 idle',
    ]);
  });

  it('several expiring at one instant leave in conn order, whatever their list order', () => {
    const h = new Harness();
    const a = '10.0.0.11:1000 > 10.0.0.2:80';
    const b = '10.0.0.12:1000 > 10.0.0.2:80';
    const c = '10.0.0.13:1000 > 10.0.0.2:80';
    h.pkt(1, a, 'A').pkt(2, b, 'A').pkt(3, c, 'A');
    // All three get a packet at clock 5, in the order c, a, b: the LRU list is c, a, b.
    h.pkt(5, c, 'A').pkt(5, a, 'A').pkt(5, b, 'A');
    // A SYN-only connection whose SYN deadline 245 + 60 = 305 is their idle deadline 5 + 300.
    h.pkt(245, '10.0.0.14:1000 > 10.0.0.2:80', 'S', { seq: 1 });
    h.take();
    h.tick(306);
    expect(h.take()).toEqual([
      'advance 305',
      'deactivate #0 305',
      'remove #0 idle',
      'deactivate #1 305',
      'remove #1 idle',
      'deactivate #2 305',
      'remove #2 idle',
      'deactivate #3 305',
      'remove #3 syn-timeout',
      'advance 306',
    ]);
  });

  it('more than sixteen due at one instant still leave in conn order', () => {
    const h = new Harness();
    const n = 40;
    for (let i = 0; i < n; i++) h.pkt(1, `10.0.1.${i}:1000 > 10.0.0.2:80`, 'A');
    for (let i = n - 1; i >= 0; i--) h.pkt(2, `10.0.1.${i}:1000 > 10.0.0.2:80`, 'A');
    h.take();
    h.tick(302);
    const removes = h.take().filter((l) => l.startsWith('remove'));
    expect(removes).toEqual(Array.from({ length: n }, (_, i) => `remove #${i} idle`));
  });

  it('a backwards packet reports its own time in file order, while its clock drives the idle deadline', () => {
    const h = new Harness();
    h.pkt(10, C2S, 'A');
    h.pkt(20, '10.0.0.7:999 > 10.0.0.2:80', 'A');
    h.pkt(20, C2S, 'A', { own: 15 }); // clock 20, own 15
    h.pkt(20, '10.0.0.8:999 > 10.0.0.2:80', 'A', { own: 12 }); // opens at clock 20, reports 12
    h.pkt(20, C2S, 'A', { own: 5 }); // earlier than #0's first packet
    h.take();
    h.tick(319.999999999); // #0 by its own times would be due at 315; by clock at 320
    expect(h.take()).toEqual(['advance 319.999999999']);
    h.finish(320);
    expect(h.take()).toEqual([
      'advance 320',
      'deactivate #0 320',
      'remove #0 idle',
      'deactivate #1 320',
      'remove #1 idle',
      'deactivate #2 320',
      'remove #2 idle',
    ]);
    // #0's packets in file order have own times 10, 15, 5: first 10, last 5 (not the min and max).
    expect(h.row(0)).toMatchObject({ first_time: at(10), last_time: at(5), duration: '-5.000000000', packets_c2s: '3' });
    expect(h.row(2)).toMatchObject({ first_time: at(12), last_time: at(12) });
  });
});

describe('ConnectionTracker: end of trace', () => {
  it('removes everything in conn order: open ones end-of-trace at the last clock, closed ones with their reason', () => {
    const h = new Harness();
    const a = '10.0.0.11:1000 > 10.0.0.2:80';
    const b = '10.0.0.12:1000 > 10.0.0.2:80';
    const c = '10.0.0.13:1000 > 10.0.0.2:80';
    h.pkt(1, a, 'A').pkt(2, b, 'A').pkt(3, c, 'A');
    h.pkt(4, b, 'R').pkt(5, a, 'A'); // LRU now c, b, a
    h.take();
    h.finish(7);
    expect(h.take()).toEqual([
      'advance 7',
      'deactivate #0 7',
      'remove #0 end-of-trace',
      'remove #1 rst',
      'deactivate #2 7',
      'remove #2 end-of-trace',
    ]);
    expect(h.row(0)).toMatchObject({ last_time: at(5), duration: '4.000000000' });
    expect(h.tracker.occupancy).toBe(0);
  });

  it('expiries due before the end happen at their instants; one due exactly at the end is an expiry', () => {
    const h = new Harness();
    h.pkt(1, '10.0.0.11:1000 > 10.0.0.2:80', 'A');
    h.pkt(2, '10.0.0.12:1000 > 10.0.0.2:80', 'A');
    h.pkt(301.5, '10.0.0.13:1000 > 10.0.0.2:80', 'A'); // #0 expires at 301 before this packet
    h.take();
    h.finish(302); // #1's deadline 302 = the last clock: idle, ordered with #2 by conn
    expect(h.take()).toEqual(['advance 302', 'deactivate #1 302', 'remove #1 idle', 'deactivate #2 302', 'remove #2 end-of-trace']);
    expect(h.rowConns()).toEqual(['#0 idle', '#1 idle', '#2 end-of-trace']);
  });

  it('a SYN deadline exactly at the end is a syn-timeout, though an idle deadline is earlier in the LRU order', () => {
    const h = new Harness({ idleTimeoutNs: ns(300), synTimeoutNs: ns(60) });
    h.pkt(1, '10.0.0.11:1000 > 10.0.0.2:80', 'A'); // #0: idle deadline 301
    h.pkt(2, '10.0.0.12:1000 > 10.0.0.2:80', 'S', { seq: 7 }); // #1: SYN deadline 62
    h.take();
    h.finish(62);
    expect(h.take()).toEqual(['advance 62', 'deactivate #0 62', 'remove #0 end-of-trace', 'deactivate #1 62', 'remove #1 syn-timeout']);
  });
});

describe('ConnectionTracker: the cached next deadline', () => {
  // The tracker recomputes the earliest deadline only when a list head changes
  // (expiry.ts); these move the heads in every way a packet can.
  it('follows the LRU head when the head gets a packet, leaves, or is the only entry', () => {
    const h = new Harness({ idleTimeoutNs: ns(10), synTimeoutNs: 0 });
    const a = '10.0.0.11:1000 > 10.0.0.2:80';
    const b = '10.0.0.12:1000 > 10.0.0.2:80';
    h.pkt(1, a, 'A'); // only entry: head and tail
    h.pkt(5, a, 'A'); // the head's own clock moves in place: deadline 11 → 15
    h.tick(12);
    expect(h.rowConns()).toEqual([]);
    h.pkt(13, b, 'A'); // LRU a (15), b (23)
    h.pkt(14, a, 'A'); // the head moves to the tail: next deadline is b's 23
    h.tick(22.5);
    expect(h.rowConns()).toEqual([]);
    h.tick(23);
    expect(h.rowConns()).toEqual(['#1 idle']);
    h.pkt(23.5, a, 'R'); // closed, still held until its deadline 33.5
    h.tick(33.4);
    expect(h.rowConns()).toEqual(['#1 idle']);
    h.tick(33.5);
    expect(h.rowConns()).toEqual(['#1 idle', '#0 rst']);
  });

  it('follows the SYN head through retransmitted SYNs and the SYN-ACK', () => {
    const h = new Harness({ idleTimeoutNs: ns(300), synTimeoutNs: ns(5) });
    const a = '10.0.0.11:1000 > 10.0.0.2:80';
    const b = '10.0.0.12:1000 > 10.0.0.2:80';
    h.pkt(1, a, 'S', { seq: 1 }); // SYN deadline 6
    h.pkt(2, b, 'S', { seq: 1 }); // SYN deadline 7
    h.pkt(3, a, 'S', { seq: 1 }); // retransmission: a moves behind b, its deadline 8
    h.tick(6.5);
    expect(h.rowConns()).toEqual([]);
    h.pkt(6.8, '10.0.0.2:80 > 10.0.0.12:1000', 'SA', { ack: 2 }); // b leaves the SYN list
    h.tick(7.5);
    expect(h.rowConns()).toEqual([]);
    h.tick(8);
    expect(h.rowConns()).toEqual(['#0 syn-timeout']);
  });

  it('follows a lone SYN-only connection whose retransmitted SYN moves its own deadline', () => {
    const h = new Harness({ idleTimeoutNs: ns(300), synTimeoutNs: ns(5) });
    const a = '10.0.0.11:1000 > 10.0.0.2:80';
    h.pkt(0.5, '10.0.0.12:1000 > 10.0.0.2:80', 'A'); // #0 heads the LRU list, so only the SYN list changes below
    h.pkt(1, a, 'S', { seq: 1 }); // #1: head and tail of the SYN list, deadline 6
    h.pkt(3, a, 'S', { seq: 1 }); // still alone on the list: deadline 8
    h.tick(6.5);
    expect(h.rowConns()).toEqual([]);
    h.tick(8);
    expect(h.rowConns()).toEqual(['#1 syn-timeout']);
  });
});

describe('ConnectionTracker: table bound', () => {
  it('evicts the oldest last packet when full; occupancy never exceeds the bound', () => {
    const h = new Harness({ maxConnections: 2 });
    const a = '10.0.0.11:1000 > 10.0.0.2:80';
    const b = '10.0.0.12:1000 > 10.0.0.2:80';
    const c = '10.0.0.13:1000 > 10.0.0.2:80';
    h.pkt(1, a, 'A').pkt(2, b, 'A').pkt(3, a, 'A');
    h.take();
    h.pkt(4, c, 'A'); // full: b (last packet 2) is the oldest
    expect(h.take()).toEqual(['advance 4', 'deactivate #1 4', 'remove #1 evicted', 'open #2 4', 'packet #2 c2s 0']);
    expect(h.tracker.occupancy).toBe(2);
    h.pkt(5, b, 'A'); // b again: a new connection, evicting a (last 3)
    expect(h.events()).toEqual(['deactivate #0 5', 'remove #0 evicted', 'open #3 5', 'packet #3 c2s 0']);
    h.pkt(6, c, 'R'); // c closed by RST, still held
    h.pkt(7, a, 'A'); // LRU is #3 (last 5), #2 (last 6): #3 is evicted
    expect(h.events()).toEqual(['packet #2 c2s 0', 'deactivate #2 6', 'deactivate #3 7', 'remove #3 evicted', 'open #4 7', 'packet #4 c2s 0']);
    h.pkt(8, b, 'A'); // oldest now c (closed by RST at 6): removed with its own reason
    expect(h.events()).toEqual(['remove #2 rst', 'open #5 8', 'packet #5 c2s 0']);
    expect(h.tracker.evictions).toBe(4);
    expect(h.tracker.peakOccupancy).toBe(2);
    expect(h.tracker.closedByReason[CloseReason.EVICTED]).toBe(3);
    expect(h.tracker.closedByReason[CloseReason.RST]).toBe(1);
    expect(h.row(1)).toMatchObject({ last_time: at(2), close: 'evicted' });
  });

  it('a table of one: every new connection evicts the previous one', () => {
    const h = new Harness({ maxConnections: 1 });
    for (let i = 0; i < 5; i++) h.pkt(1 + i, `10.0.0.${20 + i}:1000 > 10.0.0.2:80`, 'A');
    h.finish(5);
    expect(h.rowConns()).toEqual(['#0 evicted', '#1 evicted', '#2 evicted', '#3 evicted', '#4 end-of-trace']);
    expect(h.tracker.peakOccupancy).toBe(1);
  });
});

describe('ConnectionTracker: addresses and growth', () => {
  it('IPv6 connections: both directions find one entry; addresses in RFC 5952 text', () => {
    const h = new Harness();
    const c = '[2001:db8::1]:40000';
    const s = '[2001:db8::2]:443';
    h.pkt(1, `${c} > ${s}`, 'S', { seq: 7 });
    h.pkt(1.1, `${s} > ${c}`, 'SA', { ack: 8 });
    h.pkt(1.2, `${c} > ${s}`, 'PA', { len: 50 });
    // The same 32-bit word 0 over IPv4 is another connection.
    h.pkt(1.3, '32.1.13.184:40000 > 32.1.13.184:443', 'A');
    h.finish(2);
    expect(h.rowConns()).toEqual(['#0 end-of-trace', '#1 end-of-trace']);
    expect(h.row(0)).toMatchObject({
      client_addr: '2001:db8::1',
      client_port: '40000',
      server_addr: '2001:db8::2',
      server_port: '443',
      packets_c2s: '2',
      packets_s2c: '1',
      bytes_c2s: '50',
      syn_seen: '1',
    });
  });

  it('many connections: the table grows past its initial capacity and slots are reused after frees', () => {
    const h = new Harness({ initialCapacity: 4, idleTimeoutNs: ns(10) });
    // 3 waves of 500 connections, 100 s apart: each wave expires before the next.
    for (let wave = 0; wave < 3; wave++) {
      for (let i = 0; i < 500; i++) {
        const t = wave * 100 + i * 0.001;
        const route = `10.1.${i >> 8}.${i & 255}:${2000 + wave} > 10.0.0.2:80`;
        h.pkt(t, route, 'S', { seq: i });
        h.pkt(t, route.split(' > ').reverse().join(' > '), 'SA', { ack: i + 1 });
      }
    }
    h.finish(205); // wave 2 (200 … 200.499) is still open
    const rows = h.rec.rows;
    expect(rows).toHaveLength(1500);
    expect(rows.filter((r) => r.close === 'idle')).toHaveLength(1000);
    expect(rows.every((r) => r.packets_c2s === '1' && r.packets_s2c === '1')).toBe(true);
    expect(h.tracker.peakOccupancy).toBe(500);
    // Grown in chunks of 4 slots (the initial capacity) to the peak, not to 1500.
    expect(h.tracker.table.capacity).toBe(500);
    // Rows of one wave come in conn order (they all expire at distinct instants, in order).
    expect(rows.slice(0, 500).map((r) => Number(r.conn))).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });
});

describe('ConnectionTracker: exact (sec, nsec) times', () => {
  // 5 years of 365.25 days: 1.58e17 ns relative to the base, far past 2^53 ns
  // (9.0e15), where a double of ns rounds to a multiple of 32 ns.
  const FIVE_YEARS = 5 * 36_525 * 864; // 157 788 000 s
  const D = '10.0.0.7:999 > 10.0.0.2:80';

  it('times years apart stay exact to the ns (timeouts off)', () => {
    const h = new Harness({ idleTimeoutNs: 0, synTimeoutNs: 0 });
    h.pkt([0, 0], C2S, 'S', { seq: 1 });
    h.pkt([FIVE_YEARS, 1], D, 'S', { seq: 1 });
    h.pkt([FIVE_YEARS, 2], '10.0.0.2:80 > 10.0.0.7:999', 'SA', { ack: 2 });
    h.pkt([FIVE_YEARS + 1, 0], C2S, 'A', { seq: 2 }); // #0 again, 5 years after its SYN
    h.finish([FIVE_YEARS + 1, 0]);
    expect(h.take()).toEqual([
      'advance 0',
      'open #0 0',
      'packet #0 c2s 0',
      'advance 157788000.000000001',
      'open #1 157788000.000000001',
      'packet #1 c2s 0',
      'advance 157788000.000000002',
      'packet #1 s2c 0',
      'advance 157788001',
      'packet #0 c2s 0',
      'advance 157788001',
      'deactivate #0 157788001',
      'remove #0 end-of-trace',
      'deactivate #1 157788001',
      'remove #1 end-of-trace',
    ]);
    expect(h.row(0)).toMatchObject({
      first_time: '1700000000.000000000',
      last_time: '1857788001.000000000',
      duration: '157788001.000000000',
    });
    expect(h.row(1)).toMatchObject({
      first_time: '1857788000.000000001',
      last_time: '1857788000.000000002',
      duration: '0.000000001',
    });
  });

  it('a duration of years keeps its last nanosecond', () => {
    const h = new Harness({ idleTimeoutNs: 0, synTimeoutNs: 0 });
    h.pkt([0, 1], C2S, 'A');
    h.pkt([FIVE_YEARS, 0], C2S, 'A');
    h.finish([FIVE_YEARS, 0]);
    expect(h.row(0)).toMatchObject({
      first_time: '1700000000.000000001',
      last_time: '1857788000.000000000',
      duration: '157787999.999999999',
    });
  });

  it('a backwards first packet: first_time is its own time; the clock opens it', () => {
    const h = new Harness();
    h.pkt(20, D, 'A');
    h.pkt(20, C2S, 'S', { seq: 1000, own: 12.5 }); // opens at clock 20, reports 12.5
    h.pkt(21, S2C, 'SA', { ack: 1001 });
    h.finish(21);
    expect(h.events()).toEqual([
      'open #0 20',
      'packet #0 c2s 0',
      'open #1 20',
      'packet #1 c2s 0',
      'packet #1 s2c 0',
      'deactivate #0 21',
      'remove #0 end-of-trace',
      'deactivate #1 21',
      'remove #1 end-of-trace',
    ]);
    expect(h.row(1)).toMatchObject({ first_time: at(12.5), last_time: at(21), duration: '8.500000000', syn_seen: '1' });
  });

  it('merged capture: a SYN-ACK before its older SYN in file order gives first_time = the SYN-ACK (as tshark)', () => {
    // zeek ipv6-http-atomic-frag.pcap: the SYN-ACK (…497516) is read before the SYN (…497486).
    const h = new Harness();
    h.pkt(1.000497516, S2C, 'SA', { seq: 5000, ack: 1001 });
    h.pkt(1.000497516, C2S, 'S', { seq: 1000, own: 1.000497486 }); // backwards: a retransmission of the ISN
    h.pkt(1.0006, C2S, 'A', { seq: 1001, ack: 5001 });
    h.finish(1.0006);
    expect(h.rowConns()).toEqual(['#0 end-of-trace']);
    expect(h.row(0)).toMatchObject({
      first_time: at(1.000497516),
      last_time: at(1.0006),
      duration: '0.000102484',
      packets_c2s: '2',
      packets_s2c: '1',
    });
  });

  it('a backwards last packet makes the duration negative; before the base second too', () => {
    const h = new Harness();
    h.pkt([0, 500_000_000], C2S, 'A');
    h.pkt([0, 500_000_000], C2S, 'A', { own: [-1, 700_000_000] }); // 0.8 s before the first record
    h.finish([0, 500_000_000]);
    expect(h.row(0)).toMatchObject({
      first_time: '1700000000.500000000',
      last_time: '1699999999.700000000',
      duration: '-0.800000000',
    });
  });

  it('an idle deadline carries into the next second: last clock x.9 s + 0.2 s', () => {
    const h = new Harness({ idleTimeoutNs: 200_000_000, synTimeoutNs: 0 });
    h.pkt(5.9, C2S, 'A');
    h.pkt(5.9, D, 'A');
    h.take();
    h.tick(6.099999999);
    expect(h.take()).toEqual(['advance 6.099999999']);
    h.tick(6.25);
    expect(h.take()).toEqual([
      'advance 6.1',
      'deactivate #0 6.1',
      'remove #0 idle',
      'deactivate #1 6.1',
      'remove #1 idle',
      'advance 6.25',
    ]);
  });

  it('a SYN deadline carries into the next second, and wins against a later idle deadline', () => {
    const h = new Harness({ idleTimeoutNs: 2_300_000_000, synTimeoutNs: 1_500_000_000 });
    h.pkt(7.7, C2S, 'S', { seq: 1 }); // SYN deadline 9.2, idle 10.0
    h.pkt(7.75, D, 'A'); // idle deadline 10.05
    h.take();
    h.tick(9.199999999).tick(9.2);
    expect(h.take()).toEqual(['advance 9.199999999', 'advance 9.2', 'deactivate #0 9.2', 'remove #0 syn-timeout', 'advance 9.2']);
    h.finish(10.05); // exactly #1's deadline: idle, not end-of-trace
    expect(h.take()).toEqual(['advance 10.05', 'deactivate #1 10.05', 'remove #1 idle']);
  });

  it('a timeout of whole seconds plus nanoseconds: deadline 0.999999999 + 300.000000001 = 301 exactly', () => {
    const h = new Harness({ idleTimeoutNs: 300_000_000_001 });
    h.pkt(0.999999999, C2S, 'A');
    h.take();
    h.finish(301); // due exactly at the last clock
    expect(h.take()).toEqual(['advance 301', 'deactivate #0 301', 'remove #0 idle']);
  });

  it('a deadline years after the base second is exact to the ns', () => {
    const h = new Harness();
    h.pkt([0, 0], D, 'A');
    h.pkt([FIVE_YEARS, 999_999_999], C2S, 'S', { seq: 1 }); // #0 expires at 300 on the way
    h.pkt([FIVE_YEARS + 10, 0], S2C, 'SA', { ack: 2 }); // ends the SYN-only state: idle 300 s from here
    h.take();
    h.tick([FIVE_YEARS + 309, 999_999_999]);
    expect(h.take()).toEqual(['advance 157788309.999999999']);
    h.tick([FIVE_YEARS + 310, 0]);
    expect(h.take()).toEqual([
      'advance 157788310',
      'deactivate #1 157788310',
      'remove #1 idle',
      'advance 157788310',
    ]);
    expect(h.rowConns()).toEqual(['#0 idle', '#1 idle']);
    expect(h.row(1)).toMatchObject({
      first_time: '1857788000.999999999',
      last_time: '1857788010.000000000',
      duration: '9.000000001',
    });
  });
});

describe('timeouts beyond 2^53 ns (issue 8 item 3): (sec, nsec) pairs', () => {
  it('an idle timeout of 10^10 s − 1 ns: due at its deadline to the nanosecond, not before', () => {
    const h = new Harness({ idleTimeout: { sec: 9_999_999_999, nsec: 999_999_999 }, synTimeout: { sec: 0, nsec: 0 } });
    h.pkt([0, 1], C2S, 'A');
    h.take();
    // Deadline: 0.000000001 + 9999999999.999999999 = 10^10 s exactly.
    h.tick([9_999_999_999, 999_999_999]);
    expect(h.take()).toEqual(['advance 9999999999.999999999']);
    h.finish([10_000_000_000, 0]);
    expect(h.take()).toEqual(['advance 10000000000', 'deactivate #0 10000000000', 'remove #0 idle']);
    expect(h.rowConns()).toEqual(['#0 idle']);
  });

  it('a SYN timeout of 10^9 s + 1 ns beside an idle timeout of 10^9 s: the idle deadline comes first', () => {
    const h = new Harness({ idleTimeout: { sec: 1_000_000_000, nsec: 0 }, synTimeout: { sec: 1_000_000_000, nsec: 1 } });
    h.pkt([5, 0], C2S, 'S', { seq: 1 });
    h.take();
    h.tick([1_000_000_004, 999_999_999]);
    expect(h.take()).toEqual(['advance 1000000004.999999999']);
    h.tick([1_000_000_005, 0]);
    expect(h.take()).toEqual(['advance 1000000005', 'deactivate #0 1000000005', 'remove #0 idle', 'advance 1000000005']);
  });

  it.each([
    [{ sec: 10_000_000_000, nsec: 1 }],
    [{ sec: 10_000_000_001, nsec: 0 }],
    [{ sec: 1.5, nsec: 0 }],
    [{ sec: 1, nsec: 1_000_000_000 }],
    [{ sec: -1, nsec: 0 }],
  ])('refuses the timeout %o', (idleTimeout) => {
    expect(() => new ConnectionTracker({ idleTimeout, synTimeout: { sec: 60, nsec: 0 }, maxConnections: 10 }, new Recorder())).toThrow(RangeError);
  });
});
