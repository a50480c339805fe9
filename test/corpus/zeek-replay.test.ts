/**
 * Replaying Zeek's conn.log against its capture (issue 12, "Real input";
 * docs/flow-logs.md "Replaying Zeek's logs against their captures").
 *
 * For every restored log of ../shared/traces/zeek-conn/restored/ (ts put
 * back; INDEX.tsv names its capture), the log and the capture are replayed
 * through runReplay with the same options — Zeek's own inactivity timeouts
 * (TCP 300 s, UDP 60 s, which are also our defaults), one policy, a reorder
 * window covering the whole log — under `--proto both` and `--proto tcp`,
 * once with `--direction c2s` and once with `--direction s2c`. Compared: the
 * connections replayed, and the payload bytes client→server and
 * server→client (the sum of the policy's per-server bytes).
 *
 * Every (log, proto, quantity) is equal, or is in EXPECTED below with the
 * exact figure of each side and the parts that make up the difference, each
 * with a reason from the closed list REASONS; the parts must add up to the
 * difference. The suite fails when a difference appears, disappears or
 * changes, and when an entry of EXPECTED is no longer met.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../src/replay.js';
import type { ReplayOptions } from '../../src/options.js';
import { MAX_SECONDS } from '../../src/time.js';
import { TRACES_DIR } from '../helpers/corpus.js';

const ZEEK_DIR = path.join(TRACES_DIR, 'zeek-conn');
const RESTORED_DIR = path.join(ZEEK_DIR, 'restored');
const PRESENT = fs.existsSync(path.join(RESTORED_DIR, 'INDEX.tsv'));
if (!PRESENT) console.warn(`Zeek conn.log corpus ${RESTORED_DIR} not found; skipping the replay of Zeek logs against their captures`);

/**
 * Why a replayed log and its capture differ. The first five are the corpus
 * README's list of Zeek's rules that differ from ours; the last two are not
 * in it (docs/flow-logs.md says what they are).
 */
const REASONS = {
  /** README: bytes and duration are `-` for a connection whose packets are all at one instant; the log replays 0 bytes. */
  'one-packet-unset': 'Zeek leaves the bytes unset for a zero-duration connection',
  /** README: TCP orig_bytes/resp_bytes from sequence numbers; we count every segment on the wire. */
  'seq-number-bytes': "Zeek's TCP bytes come from sequence numbers",
  /** README: Zeek ends a UDP flow after inactivity (DNS 10 s); its later row had no oracle stream and is not in restored/. */
  'udp-inactivity-split': 'Zeek split a UDP flow after inactivity',
  /** README: Zeek reassembles IP fragments; a datagram missing its later fragments is not counted. */
  'ip-reassembly': 'Zeek drops datagrams whose fragments it cannot reassemble',
  /** README (orientation): Zeek's orig/resp is its guess of the client. Met, but never with bytes to move (see docs). */
  'zeek-flips-client': "Zeek's originator is not our client",
  /** Not in the README: Zeek ended a TCP connection we keep (after a RST, or an unanswered attempt) and wrote the rest in a new row, absent from restored/. */
  'zeek-splits-tcp': 'Zeek split a TCP connection we keep as one',
  /** Not in the README: rows Zeek and we agree on, left out of restored/ because tshark's oracle joined them in fewer streams. */
  'restore-no-stream': 'rows left out of restored/ for want of an oracle stream',
} as const;
type Reason = keyof typeof REASONS;

type Proto = 'both' | 'tcp';
type Quantity = 'connections' | 'c2s' | 's2c';
const PROTOS: readonly Proto[] = ['both', 'tcp'];
const QUANTITIES: readonly Quantity[] = ['connections', 'c2s', 's2c'];

interface Part {
  reason: Reason;
  /** Capture minus log, for this reason. */
  amount: number;
  example: string;
}
interface Expected {
  log: number;
  capture: number;
  parts: Part[];
}

const PREFIX = 'zeek__testing_btest_Traces_';
/** A log's short name: its file name without the corpus prefix and `.conn.log`. */
const shortName = (log: string): string => log.replace(PREFIX, '').replace(/\.conn\.log$/, '');

// TCP differences, the same under --proto tcp and --proto both.
const MODBUS_SPLIT: Part = {
  reason: 'zeek-splits-tcp',
  amount: 109,
  example: '198.74.56.135:60293 > 192.168.10.111:502: a second row (RSTRH, 109 bytes) 16 s after the first RST',
};
const HALF_DUPLEX_SPLIT: Part = {
  reason: 'zeek-splits-tcp',
  amount: 1884,
  example: '5 connections end as S0 "SAD" and go on in a second SH "DAF" row (176 + 800 + 52 + 104 + 752 bytes)',
};
const MPLS_UNSET_C2S: Part = { reason: 'one-packet-unset', amount: 863, example: 'two one-packet OTH rows, 205 and 658 bytes' };
const MPLS_UNSET_S2C: Part = { reason: 'one-packet-unset', amount: 1448, example: '65.65.65.65:32828 > :80, OTH "^d", one 1448-byte packet' };
const POP3_NO_STREAM: Part = {
  reason: 'restore-no-stream',
  amount: 4,
  example: 'SYN retries to :110 from 192.168.0.4:26242 and :26245: 3 REJ rows each (ours 3 each), 1 tshark stream each',
};
const QINQ_SEQ_C2S: Part = { reason: 'seq-number-bytes', amount: 12063, example: '1.1.1.1:20394 > 2.2.2.2:443: 44 packets, Zeek 11352 bytes, the wire 23415' };
const QINQ_SEQ_S2C: Part = { reason: 'seq-number-bytes', amount: 6121, example: '42 packets, Zeek 4984 bytes, the wire 11105' };

const tcpDifferences: Record<string, Partial<Record<Quantity, Expected>>> = {
  'modbus_modbus-and-non-modbus-p502.pcap.scripts.base.protocols.modbus.modbus_and_non_modbus_on_port_502': {
    c2s: { log: 393, capture: 502, parts: [MODBUS_SPLIT] },
  },
  'mpls-in-vlan.pcap.core.mpls-in-vlan': {
    c2s: { log: 0, capture: 863, parts: [MPLS_UNSET_C2S] },
    s2c: { log: 0, capture: 1448, parts: [MPLS_UNSET_S2C] },
  },
  'pop3_pop3.pcap.scripts.base.protocols.pop3.basic': {
    connections: { log: 7, capture: 11, parts: [POP3_NO_STREAM] },
  },
  'pppoe-over-qinq.pcap.core.pppoe-over-qinq': {
    c2s: { log: 11352, capture: 23415, parts: [QINQ_SEQ_C2S] },
    s2c: { log: 4984, capture: 11105, parts: [QINQ_SEQ_S2C] },
  },
  'ssh_ssh.client-side-half-duplex.pcap.scripts.base.protocols.ssh.half-duplex-client': {
    c2s: { log: 52431, capture: 54315, parts: [HALF_DUPLEX_SPLIT] },
  },
};

// UDP differences, only under --proto both (with the TCP ones above).
const udpDifferences: Record<string, Partial<Record<Quantity, Expected>>> = {
  'ssh_ssh.pcap.scripts.base.protocols.ssh.basic': {
    c2s: { log: 60961, capture: 61049, parts: [{ reason: 'one-packet-unset', amount: 88, example: 'two one-packet UDP rows to port 57621, 44 bytes each' }] },
  },
  'tunnels_Teredo.pcap.core.tunnels.teredo': {
    c2s: {
      log: 4379,
      capture: 4911,
      parts: [
        { reason: 'udp-inactivity-split', amount: 123, example: '192.168.2.16:1920 > 192.168.2.1:53: a second DNS row (123 / 598 bytes) more than 10 s later' },
        { reason: 'one-packet-unset', amount: 409, example: 'DHCP 0.0.0.0:68 (300 bytes) and 65.55.158.81:3544 (109 bytes, also flipped: "^d")' },
      ],
    },
    s2c: {
      log: 15816,
      capture: 16414,
      parts: [{ reason: 'udp-inactivity-split', amount: 598, example: 'the DNS answers of that second row' }],
    },
  },
  'tunnels_ayiya-large-identity.pcap.core.tunnels.ayiya-large-identity': {
    c2s: { log: 0, capture: 336, parts: [{ reason: 'one-packet-unset', amount: 336, example: '10.0.0.1:12345 > 10.0.0.2:5072, one 336-byte AYIYA datagram' }] },
  },
  'tunnels_ayiya3.pcap.core.tunnels.ayiya': {
    c2s: { log: 5129, capture: 5277, parts: [{ reason: 'one-packet-unset', amount: 148, example: '216.14.98.22:5072 > 192.168.3.101:53796 (Zeek flips it: SHR "^d"), one 148-byte datagram' }] },
  },
  'tunnels_geneve-truncated.pcapng.core.tunnels.geneve-truncated': {
    c2s: { log: 0, capture: 16, parts: [{ reason: 'one-packet-unset', amount: 16, example: '20.0.0.1:50901 > 20.0.0.2:6081, one truncated Geneve datagram' }] },
  },
  'tunnels_gtp_gtp1_gn_normal_incl_fragmentation.pcap.core.tunnels.gtp.outer_ip_frag': {
    s2c: { log: 52922, capture: 58874, parts: [{ reason: 'ip-reassembly', amount: 5952, example: '63.94.149.181:2152: Zeek 41 datagrams, the capture 45 (4 first fragments of 1488 bytes)' }] },
  },
  'tunnels_gtp_gtp8_teredo.pcap.core.tunnels.gtp.inner_teredo': {
    c2s: { log: 666, capture: 854, parts: [{ reason: 'one-packet-unset', amount: 188, example: 'two one-packet GTP rows, 96 and 92 bytes' }] },
  },
  'tunnels_teredo_bubble_with_payload.pcap.core.tunnels.teredo_bubble_with_payload': {
    c2s: { log: 2496, capture: 2605, parts: [{ reason: 'one-packet-unset', amount: 109, example: '65.55.158.81:3544 > 192.168.2.16:3797 (Zeek: "^d"), 109 bytes' }] },
  },
  'wikipedia.pcap.opt.basic': {
    c2s: { log: 9609, capture: 10063, parts: [{ reason: 'one-packet-unset', amount: 454, example: 'five one-packet mDNS / NetBIOS rows: 45 + 151 + 151 + 57 + 50 bytes' }] },
  },
};

/** EXPECTED['<short name> <proto> <quantity>']. */
const EXPECTED: Record<string, Expected> = {};
for (const [name, byQuantity] of Object.entries(tcpDifferences)) {
  for (const proto of PROTOS) for (const [q, e] of Object.entries(byQuantity)) EXPECTED[`${name} ${proto} ${q}`] = e;
}
for (const [name, byQuantity] of Object.entries(udpDifferences)) {
  for (const [q, e] of Object.entries(byQuantity)) {
    const key = `${name} both ${q}`;
    if (EXPECTED[key] !== undefined) throw new Error(`${key} twice in the tables`);
    EXPECTED[key] = e;
  }
}

function tsv(file: string): Record<string, string>[] {
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const header = lines[0].split('\t');
  return lines.slice(1).map((l) => Object.fromEntries(l.split('\t').map((v, i) => [header[i], v])));
}

const index = PRESENT ? tsv(path.join(RESTORED_DIR, 'INDEX.tsv')) : [];

/** Zeek's inactivity timeouts (init-bare.zeek: tcp 5 min, udp 1 min); a window over the whole log. */
const OPTIONS: ReplayOptions = {
  servers: 2,
  policy: ['round-robin'],
  idleTimeout: 300,
  udpTimeout: 60,
  reorderWindow: MAX_SECONDS,
};

interface Side {
  connections: number;
  c2s: number;
  s2c: number;
}

async function replaySide(file: string, proto: Proto): Promise<Side> {
  const side: Partial<Side> = {};
  for (const direction of ['c2s', 's2c'] as const) {
    const { summary } = await runReplay([file], { ...OPTIONS, proto, direction });
    const flowLog = summary.capture.flow_log;
    if (flowLog !== undefined) {
      expect(flowLog.late, `${file}: late records`).toBe(0);
      expect(flowLog.forced, `${file}: forced records`).toBe(0);
    }
    const n = summary.replay.connections_replayed;
    if (side.connections !== undefined) expect(n, `${file}: connections under both directions`).toBe(side.connections);
    side.connections = n;
    side[direction] = summary.policies[0].per_server.reduce((sum, s) => sum + s.bytes, 0);
  }
  return side as Side;
}

/** measured['<short name> <proto>'] = { log, capture }. */
const measured = new Map<string, { log: Side; capture: Side }>();

describe.skipIf(!PRESENT)('Zeek conn.log replayed against its capture', () => {
  beforeAll(async () => {
    for (const entry of index) {
      const log = path.join(RESTORED_DIR, entry.conn_log);
      const capture = path.join(TRACES_DIR, entry.trace);
      for (const proto of PROTOS) {
        measured.set(`${shortName(entry.conn_log)} ${proto}`, { log: await replaySide(log, proto), capture: await replaySide(capture, proto) });
      }
    }
  }, 300_000);

  it('has the 36 restored logs the corpus README lists', () => {
    expect(index.length).toBe(36);
  });

  it('has every reason of the expected differences in the closed list, and the parts add up', () => {
    for (const [key, e] of Object.entries(EXPECTED)) {
      for (const p of e.parts) expect(Object.keys(REASONS), key).toContain(p.reason);
      expect(e.parts.reduce((sum, p) => sum + p.amount, 0), `${key}: parts`).toBe(e.capture - e.log);
    }
  });

  // Why OPTIONS has a whole-log window: one restored log is not in ts order
  // (sorted as text: 952109346.874907 comes after 1278600802.069419), and the
  // default 60 s window leaves its earliest row out as late.
  it('with the default reorder window, the one restored log out of ts order loses one row', async () => {
    const name = 'mixed-vlan-mpls.pcap.core.vlan-mpls';
    const entry = index.find((r) => shortName(r.conn_log) === name);
    expect(entry).toBeDefined();
    const { summary } = await runReplay([path.join(RESTORED_DIR, entry!.conn_log)], { ...OPTIONS, reorderWindow: undefined, proto: 'both' });
    expect(summary.capture.flow_log).toMatchObject({ records: 3, replayed: 2, late: 1 });
    expect(summary.replay.connections_replayed).toBe(2);
    expect(measured.get(`${name} both`)?.log.connections).toBe(3);
  });

  it.each(index.map((r) => shortName(r.conn_log)))('%s: equal, or the expected difference', (name) => {
    for (const proto of PROTOS) {
      const m = measured.get(`${name} ${proto}`);
      expect(m, `${name} ${proto} measured`).toBeDefined();
      for (const q of QUANTITIES) {
        const key = `${name} ${proto} ${q}`;
        const e = EXPECTED[key];
        const got = { log: m!.log[q], capture: m!.capture[q] };
        if (e === undefined) expect(got.log, `${key}: log against capture`).toBe(got.capture);
        else expect(got, key).toEqual({ log: e.log, capture: e.capture });
      }
    }
  });

  it('meets every expected difference; summary', () => {
    const names = new Set(index.map((r) => shortName(r.conn_log)));
    for (const key of Object.keys(EXPECTED)) expect(names.has(key.split(' ')[0]), `${key} names a restored log`).toBe(true);
    expect(measured.size).toBe(index.length * PROTOS.length);

    const equal: Record<string, number> = {};
    const byReason: Record<string, number> = {};
    for (const [nameProto, m] of measured) {
      const proto = nameProto.split(' ')[1];
      for (const q of QUANTITIES) {
        if (m.log[q] === m.capture[q]) equal[`${proto} ${q}`] = (equal[`${proto} ${q}`] ?? 0) + 1;
        const e = EXPECTED[`${nameProto} ${q}`];
        if (e !== undefined && proto === 'both') for (const p of e.parts) byReason[p.reason] = (byReason[p.reason] ?? 0) + 1;
      }
    }
    const per = (proto: Proto): string =>
      `--proto ${proto}: connections equal in ${equal[`${proto} connections`] ?? 0}, c2s bytes in ${equal[`${proto} c2s`] ?? 0}, s2c in ${equal[`${proto} s2c`] ?? 0}`;
    const reasons = Object.entries(byReason)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([r, n]) => `${r} ${n}`)
      .join(', ');
    console.log(`zeek replay: ${index.length} pairs; ${per('both')}; ${per('tcp')}; differences (--proto both, by quantity) by reason: ${reasons}`);
    // Measured 2026-12-06 (docs/flow-logs.md "Replaying Zeek's logs against their captures").
    expect(equal).toEqual({
      'both connections': 35,
      'both c2s': 24,
      'both s2c': 32,
      'tcp connections': 35,
      'tcp c2s': 32,
      'tcp s2c': 34,
    });
  });
});
