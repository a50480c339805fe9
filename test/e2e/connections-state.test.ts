/**
 * `connections` end to end (issue 4): one tiny capture per edge of the
 * connection state machine (SPEC §3), written by our own writer, read back
 * through `runConnections`. Every expected row is worked out by hand from the
 * SPEC rules; its columns are
 *
 *   conn,first_time,last_time,duration,client_addr,client_port,server_addr,
 *   server_port,proto,packets_c2s,packets_s2c,bytes_c2s,bytes_s2c,close,syn_seen,
 *   active_until
 *
 * active_until is the instant the connection stopped being active (its
 * `deactivate`): the second FIN or the RST, the SYN that reused the port, the
 * idle or SYN deadline, the eviction, or the capture's last packet.
 *
 * and the rows are listed in the order they are written (the order
 * connections leave the table; ties by conn).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLOSE_REASON_NAMES } from '../../src/flows/events.js';
import {
  C1,
  C2,
  C3,
  C4,
  C5,
  HEADER,
  S1,
  epoch,
  makeTempDir,
  removeDir,
  runRows,
  tcp,
  writeCapture,
  type Endpoint,
  type ScenarioRecord,
} from './connections-helpers.js';

let dir: string;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => {
  removeDir(dir);
});

const reason = (name: string): number => {
  const i = CLOSE_REASON_NAMES.indexOf(name);
  if (i < 0) throw new Error(`no close reason ${name}`);
  return i;
};

/** Writes the scenario under its name and returns the rows written. */
async function rowsOf(name: string, records: ScenarioRecord[], options = {}) {
  const file = writeCapture(dir, `${name}.pcap`, records);
  return runRows([file], options);
}

it('the rows have the documented columns', () => {
  expect(HEADER).toBe(
    'conn,first_time,last_time,duration,client_addr,client_port,server_addr,server_port,proto,' +
      'packets_c2s,packets_s2c,bytes_c2s,bytes_s2c,close,syn_seen,active_until',
  );
});

describe('client and server from the first packet', () => {
  it('mid-stream-start: the higher port is the client, even as receiver; on a port tie, the sender', async () => {
    // The tie's sender has the larger address, so the canonical key order
    // (smaller address first) cannot pass for the rule.
    const tieSender: Endpoint = { addr: '10.0.0.3', port: 5000 };
    const tieReceiver: Endpoint = { addr: '10.0.0.2', port: 5000 };
    const { rows, result } = await rowsOf('mid-stream-start', [
      tcp('0', S1, C1, 'A', { payload: 100 }),
      tcp('0.5', C1, S1, 'A'),
      tcp('1', tieSender, tieReceiver, 'PA', { payload: 10 }),
      tcp('1.25', tieReceiver, tieSender, 'PA', { payload: 20 }),
    ]);
    expect(rows).toEqual([
      '0,1700000000.000000000,1700000000.500000000,0.500000000,10.0.0.1,40001,192.0.2.1,80,tcp,1,1,0,100,end-of-trace,0,1700000001.250000000',
      '1,1700000001.000000000,1700000001.250000000,0.250000000,10.0.0.3,5000,10.0.0.2,5000,tcp,1,1,10,20,end-of-trace,0,1700000001.250000000',
    ]);
    expect(result.connections).toBe(2);
    expect(result.closedByReason[reason('end-of-trace')]).toBe(2);
  });

  it('syn-ack-first: the receiver is the client; the SYN behind it with the matching ISN is a retransmission', async () => {
    // A merged capture: the SYN-ACK (ack 1001 → client ISN 1000) is read
    // before its SYN, whose timestamp is 30 µs older (a backwards packet).
    const { rows, result } = await rowsOf('syn-ack-first', [
      tcp('0.00003', S1, C1, 'SA', { seq: 5000, ack: 1001 }),
      tcp('0', C1, S1, 'S', { seq: 1000 }),
      tcp('0.1', C1, S1, 'A', { seq: 1001, ack: 5001 }),
      tcp('0.2', C1, S1, 'PA', { seq: 1001, ack: 5001, payload: 50 }),
      tcp('0.3', S1, C1, 'A', { seq: 5001, ack: 1051 }),
    ]);
    // first_time and last_time are the first and last packets in file order.
    expect(rows).toEqual([
      '0,1700000000.000030000,1700000000.300000000,0.299970000,10.0.0.1,40001,192.0.2.1,80,tcp,3,2,50,0,end-of-trace,0,1700000000.300000000',
    ]);
    expect(result.stats.backwards).toBe(1);
  });

  it('syn-ack-first-other-isn: a SYN whose ISN is not the SYN-ACK\'s ack − 1 is port reuse', async () => {
    const { rows } = await rowsOf('syn-ack-first-other-isn', [
      tcp('0', S1, C1, 'SA', { seq: 5000, ack: 1001 }),
      tcp('0.1', C1, S1, 'S', { seq: 999 }),
    ]);
    // Conn 0 is active until the reusing SYN at 0.1, after its own last packet at 0.
    expect(rows).toEqual([
      '0,1700000000.000000000,1700000000.000000000,0.000000000,10.0.0.1,40001,192.0.2.1,80,tcp,0,1,0,0,port-reuse,0,1700000000.100000000',
      '1,1700000000.100000000,1700000000.100000000,0.000000000,10.0.0.1,40001,192.0.2.1,80,tcp,1,0,0,0,end-of-trace,1,1700000000.100000000',
    ]);
  });
});

describe('SYN without ACK on a known connection', () => {
  it('simultaneous-open: a SYN from the server side stays in the same connection', async () => {
    const { rows } = await rowsOf('simultaneous-open', [
      tcp('0', C1, S1, 'S', { seq: 1000 }),
      tcp('0.01', S1, C1, 'S', { seq: 5000 }),
      tcp('0.02', C1, S1, 'SA', { seq: 1000, ack: 5001 }),
      tcp('0.03', S1, C1, 'SA', { seq: 5000, ack: 1001 }),
      tcp('0.04', C1, S1, 'PA', { seq: 1001, ack: 5001, payload: 10 }),
    ]);
    expect(rows).toEqual([
      '0,1700000000.000000000,1700000000.040000000,0.040000000,10.0.0.1,40001,192.0.2.1,80,tcp,3,2,10,0,end-of-trace,1,1700000000.040000000',
    ]);
  });

  it('retransmitted-syn: the same ISN again is one connection, and each SYN restarts the SYN timeout', async () => {
    // SYNs at 0, 1 and 3 s (gaps 1 and 2 s) with a 2.5 s SYN timeout: the
    // deadline counts from the last SYN, so nothing expires.
    const { rows } = await rowsOf(
      'retransmitted-syn',
      [
        tcp('0', C1, S1, 'S', { seq: 1000 }),
        tcp('1', C1, S1, 'S', { seq: 1000 }),
        tcp('3', C1, S1, 'S', { seq: 1000 }),
        tcp('3.05', S1, C1, 'SA', { seq: 5000, ack: 1001 }),
        tcp('3.1', C1, S1, 'A', { seq: 1001, ack: 5001 }),
      ],
      { synTimeout: '2.5' },
    );
    expect(rows).toEqual([
      '0,1700000000.000000000,1700000003.100000000,3.100000000,10.0.0.1,40001,192.0.2.1,80,tcp,4,1,0,0,end-of-trace,1,1700000003.100000000',
    ]);
  });

  it('port-reuse-new-isn: the old connection closes port-reuse with its own last time; a new one opens', async () => {
    // C1 reuses its port with a new ISN; C2 was first seen mid-stream (ISN
    // unknown), so any SYN from its client is port reuse.
    const { rows, result } = await rowsOf('port-reuse-new-isn', [
      tcp('0', C1, S1, 'S', { seq: 1000 }),
      tcp('0.01', S1, C1, 'SA', { seq: 5000, ack: 1001 }),
      tcp('0.02', C1, S1, 'PA', { seq: 1001, ack: 5001, payload: 100 }),
      tcp('0.03', S1, C1, 'PA', { seq: 5001, ack: 1101, payload: 200 }),
      tcp('0.5', C2, S1, 'PA', { payload: 7 }),
      tcp('1', C2, S1, 'S', { seq: 1000 }),
      tcp('2', C1, S1, 'S', { seq: 90000 }),
      tcp('2.01', S1, C1, 'SA', { seq: 7000, ack: 90001 }),
    ]);
    expect(rows).toEqual([
      // Left at 1 s (C2's SYN), then at 2 s (C1's new SYN), each active until
      // that SYN; then the end (the last packet, 2.01).
      '1,1700000000.500000000,1700000000.500000000,0.000000000,10.0.0.2,40002,192.0.2.1,80,tcp,1,0,7,0,port-reuse,0,1700000001.000000000',
      '0,1700000000.000000000,1700000000.030000000,0.030000000,10.0.0.1,40001,192.0.2.1,80,tcp,2,2,100,200,port-reuse,1,1700000002.000000000',
      '2,1700000001.000000000,1700000001.000000000,0.000000000,10.0.0.2,40002,192.0.2.1,80,tcp,1,0,0,0,end-of-trace,1,1700000002.010000000',
      '3,1700000002.000000000,1700000002.010000000,0.010000000,10.0.0.1,40001,192.0.2.1,80,tcp,1,1,0,0,end-of-trace,1,1700000002.010000000',
    ]);
    expect(result.connections).toBe(4);
    expect(result.closedByReason[reason('port-reuse')]).toBe(2);
  });

  it('syn-after-fin-and-rst-close: a new connection each time, even with the old ISN (oracle rule split-by-new-syn)', async () => {
    // tshark keeps these three as one stream; SPEC §3 splits them
    // (docs/connections.md "Differences from tshark", rule split-by-new-syn).
    // The SYNs reuse ISN 1000: "closed" is checked before "retransmission".
    // active_until: the server's FIN at 0.2 (not the last ACK at 0.3, nor the
    // SYN at 1 that removes it), the RST at 1.1, the last packet at 2.01.
    const { rows, result } = await rowsOf('syn-after-fin-and-rst-close', [
      tcp('0', C1, S1, 'S', { seq: 1000 }),
      tcp('0.01', S1, C1, 'SA', { seq: 5000, ack: 1001 }),
      tcp('0.02', C1, S1, 'A', { seq: 1001, ack: 5001 }),
      tcp('0.1', C1, S1, 'FA', { seq: 1001, ack: 5001 }),
      tcp('0.2', S1, C1, 'FA', { seq: 5001, ack: 1002 }),
      tcp('0.3', C1, S1, 'A', { seq: 1002, ack: 5002 }),
      tcp('1', C1, S1, 'S', { seq: 1000 }),
      tcp('1.01', S1, C1, 'SA', { seq: 6000, ack: 1001 }),
      tcp('1.1', S1, C1, 'R', { seq: 6001 }),
      tcp('2', C1, S1, 'S', { seq: 1000 }),
      tcp('2.01', S1, C1, 'SA', { seq: 7000, ack: 1001 }),
    ]);
    expect(rows).toEqual([
      '0,1700000000.000000000,1700000000.300000000,0.300000000,10.0.0.1,40001,192.0.2.1,80,tcp,4,2,0,0,fin,1,1700000000.200000000',
      '1,1700000001.000000000,1700000001.100000000,0.100000000,10.0.0.1,40001,192.0.2.1,80,tcp,1,2,0,0,rst,1,1700000001.100000000',
      '2,1700000002.000000000,1700000002.010000000,0.010000000,10.0.0.1,40001,192.0.2.1,80,tcp,1,1,0,0,end-of-trace,1,1700000002.010000000',
    ]);
    expect(result.closedByReason[reason('fin')]).toBe(1);
    expect(result.closedByReason[reason('rst')]).toBe(1);
  });
});

describe('closing', () => {
  it('rst-from-client-and-from-server: both close rst; a late RST still counts', async () => {
    const { rows } = await rowsOf('rst-from-client-and-from-server', [
      tcp('0', C1, S1, 'S', { seq: 1000 }),
      tcp('0.01', S1, C1, 'SA', { seq: 5000, ack: 1001 }),
      tcp('0.02', C1, S1, 'PA', { seq: 1001, ack: 5001, payload: 10 }),
      tcp('0.05', C1, S1, 'R', { seq: 1011 }),
      tcp('0.06', S1, C1, 'RA', { seq: 5001, ack: 1011 }),
      tcp('0.1', C2, S1, 'S', { seq: 2000 }),
      tcp('0.11', S1, C2, 'RA', { seq: 0, ack: 2001 }),
    ]);
    // Closed connections stay in the table until the end, and keep their
    // reason; each is active until its first RST (0.05, 0.11), not the late one.
    expect(rows).toEqual([
      '0,1700000000.000000000,1700000000.060000000,0.060000000,10.0.0.1,40001,192.0.2.1,80,tcp,3,2,10,0,rst,1,1700000000.050000000',
      '1,1700000000.100000000,1700000000.110000000,0.010000000,10.0.0.2,40002,192.0.2.1,80,tcp,1,1,0,0,rst,1,1700000000.110000000',
    ]);
  });

  it('half-close: one side\'s FIN (even repeated) leaves the connection open to the end', async () => {
    const { rows } = await rowsOf('half-close', [
      tcp('0', C1, S1, 'S', { seq: 1000 }),
      tcp('0.01', S1, C1, 'SA', { seq: 5000, ack: 1001 }),
      tcp('0.02', C1, S1, 'A', { seq: 1001, ack: 5001 }),
      tcp('0.1', C1, S1, 'FA', { seq: 1001, ack: 5001 }),
      tcp('0.11', S1, C1, 'A', { seq: 5001, ack: 1002 }),
      tcp('0.2', S1, C1, 'PA', { seq: 5001, ack: 1002, payload: 50 }),
      tcp('0.21', C1, S1, 'A', { seq: 1002, ack: 5051 }),
      tcp('0.3', C1, S1, 'FA', { seq: 1001, ack: 5051 }),
    ]);
    expect(rows).toEqual([
      '0,1700000000.000000000,1700000000.300000000,0.300000000,10.0.0.1,40001,192.0.2.1,80,tcp,5,3,0,50,end-of-trace,1,1700000000.300000000',
    ]);
  });

  it('fin-then-retransmissions: retransmitted FINs, the last ACK and a late RST count in the closed connection', async () => {
    const { rows, result } = await rowsOf('fin-then-retransmissions', [
      tcp('0', C1, S1, 'S', { seq: 1000 }),
      tcp('0.01', S1, C1, 'SA', { seq: 5000, ack: 1001 }),
      tcp('0.02', C1, S1, 'A', { seq: 1001, ack: 5001 }),
      tcp('0.1', C1, S1, 'FA', { seq: 1001, ack: 5001 }),
      tcp('0.2', S1, C1, 'FA', { seq: 5001, ack: 1002 }),
      tcp('0.5', C1, S1, 'FA', { seq: 1001, ack: 5001 }),
      tcp('0.6', S1, C1, 'FA', { seq: 5001, ack: 1002 }),
      tcp('0.7', C1, S1, 'A', { seq: 1002, ack: 5002 }),
      tcp('0.8', C1, S1, 'R', { seq: 1002 }),
    ]);
    // Active until the first FIN of the second side (0.2): the repeats, the
    // last ACK and the RST come later.
    expect(rows).toEqual([
      '0,1700000000.000000000,1700000000.800000000,0.800000000,10.0.0.1,40001,192.0.2.1,80,tcp,6,3,0,0,fin,1,1700000000.200000000',
    ]);
    expect(result.connections).toBe(1);
    expect(result.closedByReason[reason('rst')]).toBe(0);
  });
});

describe('timeouts', () => {
  it('idle-expiry: rows are written when each connection expires, between packets; ties by conn', async () => {
    // Idle timeout 2 s. Deadlines: conn 1 at 2.12 (between conn 0's packets
    // at 1.5 and 3), conns 2 and 3 at 4 (conn 3's last packet read first at the
    // same instant), conn 0 at 5.5; conn 4 (at 6) is still open at the end.
    // Each is active until its deadline (last packet + 2 s).
    const { rows, result } = await rowsOf(
      'idle-expiry',
      [
        tcp('0', C1, S1, 'S', { seq: 1000 }),
        tcp('0.01', S1, C1, 'SA', { seq: 5000, ack: 1001 }),
        tcp('0.1', C2, S1, 'S', { seq: 2000 }),
        tcp('0.11', S1, C2, 'SA', { seq: 6000, ack: 2001 }),
        tcp('0.12', C2, S1, 'PA', { seq: 2001, ack: 6001, payload: 30 }),
        tcp('0.2', C3, S1, 'S', { seq: 3000 }),
        tcp('0.21', S1, C3, 'SA', { seq: 7000, ack: 3001 }),
        tcp('0.3', C4, S1, 'S', { seq: 4000 }),
        tcp('0.31', S1, C4, 'SA', { seq: 8000, ack: 4001 }),
        tcp('1.5', C1, S1, 'A', { seq: 1001, ack: 5001 }),
        tcp('2', C4, S1, 'A', { seq: 4001, ack: 8001 }),
        tcp('2', C3, S1, 'A', { seq: 3001, ack: 7001 }),
        tcp('3', C1, S1, 'PA', { seq: 1001, ack: 5001, payload: 10 }),
        tcp('3.5', S1, C1, 'PA', { seq: 5001, ack: 1011, payload: 20 }),
        tcp('6', C5, S1, 'PA', { payload: 5 }),
      ],
      { idleTimeout: '2' },
    );
    expect(rows).toEqual([
      '1,1700000000.100000000,1700000000.120000000,0.020000000,10.0.0.2,40002,192.0.2.1,80,tcp,2,1,30,0,idle,1,1700000002.120000000',
      '2,1700000000.200000000,1700000002.000000000,1.800000000,10.0.0.3,40003,192.0.2.1,80,tcp,2,1,0,0,idle,1,1700000004.000000000',
      '3,1700000000.300000000,1700000002.000000000,1.700000000,10.0.0.4,40004,192.0.2.1,80,tcp,2,1,0,0,idle,1,1700000004.000000000',
      '0,1700000000.000000000,1700000003.500000000,3.500000000,10.0.0.1,40001,192.0.2.1,80,tcp,3,2,10,20,idle,1,1700000005.500000000',
      '4,1700000006.000000000,1700000006.000000000,0.000000000,10.0.0.5,40005,192.0.2.1,80,tcp,1,0,5,0,end-of-trace,0,1700000006.000000000',
    ]);
    expect(result.closedByReason[reason('idle')]).toBe(4);
  });

  it('idle-deadline-exact: a packet exactly at the deadline finds the old connection gone', async () => {
    const { rows } = await rowsOf(
      'idle-deadline-exact',
      [tcp('0', C1, S1, 'PA', { payload: 1 }), tcp('2', C1, S1, 'PA', { payload: 2 })],
      { idleTimeout: '2' },
    );
    // Conn 0 is active until its deadline 2, the instant conn 1 opens.
    expect(rows).toEqual([
      '0,1700000000.000000000,1700000000.000000000,0.000000000,10.0.0.1,40001,192.0.2.1,80,tcp,1,0,1,0,idle,0,1700000002.000000000',
      '1,1700000002.000000000,1700000002.000000000,0.000000000,10.0.0.1,40001,192.0.2.1,80,tcp,1,0,2,0,end-of-trace,0,1700000002.000000000',
    ]);
  });

  it('syn-timeout: a connection that never got past its SYNs expires 1 s after the last one', async () => {
    // C1's SYNs at 0 and 0.5 → deadline 1.5, reached between C2's packets;
    // C2's SYN-ACK takes it out of the SYN-only state. C1 is active until 1.5.
    const { rows, result } = await rowsOf(
      'syn-timeout',
      [
        tcp('0', C1, S1, 'S', { seq: 1000 }),
        tcp('0.1', C2, S1, 'S', { seq: 2000 }),
        tcp('0.2', S1, C2, 'SA', { seq: 6000, ack: 2001 }),
        tcp('0.5', C1, S1, 'S', { seq: 1000 }),
        tcp('1', C2, S1, 'A', { seq: 2001, ack: 6001 }),
        tcp('3', C2, S1, 'PA', { seq: 2001, ack: 6001, payload: 1 }),
      ],
      { synTimeout: '1' },
    );
    expect(rows).toEqual([
      '0,1700000000.000000000,1700000000.500000000,0.500000000,10.0.0.1,40001,192.0.2.1,80,tcp,2,0,0,0,syn-timeout,1,1700000001.500000000',
      '1,1700000000.100000000,1700000003.000000000,2.900000000,10.0.0.2,40002,192.0.2.1,80,tcp,3,1,1,0,end-of-trace,1,1700000003.000000000',
    ]);
    expect(result.closedByReason[reason('syn-timeout')]).toBe(1);
  });
});

describe('eviction', () => {
  it('max-connections: 50 connections that never close in a table of 10 → 40 evicted rows', async () => {
    // Connection k: a SYN from 10.0.0.1:(50000 + k) at k·10 ms. After each
    // SYN from k ≥ 1, connection 0 sends an ACK (1 byte), so it is never the
    // oldest: opening k ≥ 10 evicts k − 9, the entry with the oldest last packet.
    const client = (k: number): Endpoint => ({ addr: '10.0.0.1', port: 50000 + k });
    const at = (k: number, suffix = ''): string => `0.${String(k).padStart(2, '0')}${suffix}`;
    const records: ScenarioRecord[] = [];
    for (let k = 0; k < 50; k++) {
      records.push(tcp(at(k), client(k), S1, 'S', { seq: 1000 + k }));
      if (k >= 1) records.push(tcp(at(k, '5'), client(0), S1, 'PA', { seq: 1001, payload: 1 }));
    }
    const { rows, result } = await rowsOf('max-connections', records, { maxConnections: 10 });

    const synOnly = (k: number, close: string, until: string): string =>
      `${k},${epoch(at(k))},${epoch(at(k))},0.000000000,10.0.0.1,${50000 + k},192.0.2.1,80,tcp,1,0,0,0,${close},1,${until}`;
    const expected: string[] = [];
    // Connection k is evicted by the SYN of connection k + 9: active until then.
    for (let k = 1; k <= 40; k++) expected.push(synOnly(k, 'evicted', epoch(at(k + 9))));
    // At the end, the 10 left in conn order: 0 (50 packets, 49 bytes, last at 0.495) and 41…49,
    // all active until the last packet (0.495).
    expected.push('0,1700000000.000000000,1700000000.495000000,0.495000000,10.0.0.1,50000,192.0.2.1,80,tcp,50,0,49,0,end-of-trace,1,1700000000.495000000');
    for (let k = 41; k < 50; k++) expected.push(synOnly(k, 'end-of-trace', '1700000000.495000000'));
    expect(rows).toEqual(expected);

    expect(result.connections).toBe(50);
    expect(result.evictions).toBe(40);
    expect(result.peakOccupancy).toBeLessThanOrEqual(10);
    expect(result.peakOccupancy).toBe(10);
    expect(result.closedByReason[reason('evicted')]).toBe(40);
    expect(result.closedByReason[reason('end-of-trace')]).toBe(10);
  });

  it('evicted-endpoints-reopen: later packets open a new connection; a closed entry leaves with its own reason', async () => {
    const { rows, result } = await rowsOf(
      'evicted-endpoints-reopen',
      [
        tcp('0', C1, S1, 'PA', { payload: 1 }),
        tcp('0.1', C2, S1, 'S', { seq: 2000 }),
        tcp('0.15', C2, S1, 'R', { seq: 2001 }),
        tcp('0.2', C3, S1, 'PA', { payload: 3 }), // table full: evicts conn 0 (oldest last packet)
        tcp('0.3', C1, S1, 'PA', { payload: 4 }), // evicts conn 1, closed by RST
      ],
      { maxConnections: 2 },
    );
    // active_until: conn 0 its eviction (0.2); conn 1 its RST (0.15), not its
    // eviction; the others the last packet (0.3).
    expect(rows).toEqual([
      '0,1700000000.000000000,1700000000.000000000,0.000000000,10.0.0.1,40001,192.0.2.1,80,tcp,1,0,1,0,evicted,0,1700000000.200000000',
      '1,1700000000.100000000,1700000000.150000000,0.050000000,10.0.0.2,40002,192.0.2.1,80,tcp,2,0,0,0,rst,1,1700000000.150000000',
      '2,1700000000.200000000,1700000000.200000000,0.000000000,10.0.0.3,40003,192.0.2.1,80,tcp,1,0,3,0,end-of-trace,0,1700000000.300000000',
      '3,1700000000.300000000,1700000000.300000000,0.000000000,10.0.0.1,40001,192.0.2.1,80,tcp,1,0,4,0,end-of-trace,0,1700000000.300000000',
    ]);
    expect(result.evictions).toBe(2);
    expect(result.peakOccupancy).toBe(2);
    expect(result.closedByReason[reason('evicted')]).toBe(1);
  });
});
