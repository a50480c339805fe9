/**
 * The shared Zeek conn.log files (../shared/traces/zeek-conn, issue 12):
 * - every restored log (ts put back) is read fully, every row delivered;
 * - every masked original (ts is `XXXXXXXXXX.XXXXXX`) ends with one
 *   FLOWLOG_INVALID error naming its first row's line and the field ts;
 * - for each (restored log, capture) pair, the log's TCP connections against
 *   our `connections` of the capture (timeouts off, as the oracle test):
 *   every Zeek row is one of our connections (same endpoints, same first
 *   packet to the microsecond), and its bytes each way are ours, unless one of
 *   the rules where Zeek's connection rules differ explains it
 *   (docs/flow-logs.md "Against the capture"); connection counts per endpoint
 *   pair agree where Zeek does not split a connection in several rows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECTION_COLUMNS, runConnections } from '../../src/connections.js';
import { formatAddress } from '../../src/flows/address.js';
import { readFlowLog } from '../../src/flowlog/index.js';
import { FLOW_PROTO_TCP } from '../../src/flowlog/record.js';
import { MAX_SECONDS } from '../../src/time.js';
import { TRACES_DIR } from '../helpers/corpus.js';

const ZEEK_DIR = path.join(TRACES_DIR, 'zeek-conn');
const RESTORED_DIR = path.join(ZEEK_DIR, 'restored');
const PRESENT = fs.existsSync(path.join(ZEEK_DIR, 'INDEX.tsv')) && fs.existsSync(path.join(RESTORED_DIR, 'INDEX.tsv'));
if (!PRESENT) console.warn(`Zeek conn.log corpus ${ZEEK_DIR} not found; skipping the shared conn.log tests`);

function tsv(file: string): Record<string, string>[] {
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const header = lines[0].split('\t');
  return lines.slice(1).map((l) => Object.fromEntries(l.split('\t').map((v, i) => [header[i], v])));
}

const index = PRESENT ? tsv(path.join(RESTORED_DIR, 'INDEX.tsv')) : [];
/** Everything: a window of 10^10 s holds a whole log, so no row is late. */
const WHOLE = { reorderWindow: { sec: MAX_SECONDS, nsec: 0 } };

/** Zeek rows of a log, as plain text fields (the masked originals too: no ts needed). */
function zeekRows(file: string): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  let fields: string[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('#fields\t')) fields = line.split('\t').slice(1);
    if (line === '' || line.startsWith('#')) continue;
    rows.push(Object.fromEntries(line.split('\t').map((v, i) => [fields[i], v])));
  }
  return rows;
}

const pairKey = (a: string, ap: number | string, b: string, bp: number | string): string => {
  const x = `${a}|${ap}`;
  const y = `${b}|${bp}`;
  return x < y ? `${x}~${y}` : `${y}~${x}`;
};

interface Ours {
  first: string;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  packetsC2s: number;
  packetsS2c: number;
  bytesC2s: number;
  bytesS2c: number;
  used: boolean;
}

const col = (name: (typeof CONNECTION_COLUMNS)[number]): number => CONNECTION_COLUMNS.indexOf(name);

async function ourConnections(file: string): Promise<Ours[]> {
  const out: Ours[] = [];
  await runConnections([file], { idleTimeout: 0, synTimeout: 0 }, {
    row: (f) => {
      out.push({
        first: f[col('first_time')].slice(0, -3), // to the microsecond, as the restored ts
        client: f[col('client_addr')],
        clientPort: Number(f[col('client_port')]),
        server: f[col('server_addr')],
        serverPort: Number(f[col('server_port')]),
        packetsC2s: Number(f[col('packets_c2s')]),
        packetsS2c: Number(f[col('packets_s2c')]),
        bytesC2s: Number(f[col('bytes_c2s')]),
        bytesS2c: Number(f[col('bytes_s2c')]),
        used: false,
      });
    },
  });
  return out;
}

describe.skipIf(!PRESENT)('shared Zeek conn.log files', () => {
  it('has the 36 logs the corpus README lists', () => {
    expect(index.length).toBe(36);
  });

  it.each(index.map((r) => [r.conn_log, Number(r.rows_kept)] as const))('restored %s: every row read and delivered', async (log, kept) => {
    let n = 0;
    const result = await readFlowLog(path.join(RESTORED_DIR, log), WHOLE, () => {
      n++;
    });
    expect(result.format).toBe('zeek-conn');
    expect(result.closed).toBe(true);
    expect(result.pushed).toBe(kept);
    expect(n).toBe(kept);
    expect(result.late).toBe(0);
  });

  it.each(index.map((r) => r.conn_log))('masked original %s: one error naming the first row, field ts', async (log) => {
    const file = path.join(ZEEK_DIR, log);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const firstRow = lines.findIndex((l) => l !== '' && !l.startsWith('#')) + 1;
    const err = await readFlowLog(file, {}, () => {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (firstRow === 0) {
      // A log with no row at all has no ts to read.
      expect(err).toBeUndefined();
      return;
    }
    expect(err).toMatchObject({
      code: 'FLOWLOG_INVALID',
      message: `${file}: line ${firstRow}: field ts: 'XXXXXXXXXX.XXXXXX' is not a time`,
    });
  });

  // Against the capture. Counted over all pairs, then compared with the
  // differences the corpus README lists (docs/flow-logs.md).
  it('agrees with our connections of each capture where the connection rules agree', async () => {
    const tally = { zeekTcp: 0, matched: 0, bytesEqual: 0, unsetBytes: 0, zeekSplit: 0, sequenceBytes: 0, unexplained: [] as string[] };
    const countDiffs: string[] = [];
    for (const entry of index) {
      const capture = path.join(TRACES_DIR, entry.trace);
      const ours = await ourConnections(capture);
      const original = zeekRows(path.join(ZEEK_DIR, entry.conn_log)).filter(
        (r) => r.proto === 'tcp' && (r.tunnel_parents === undefined || r.tunnel_parents === '-'),
      );
      // Per endpoint pair: Zeek's rows and packets (masked originals: all rows), ours.
      const zeekPairs = new Map<string, { rows: number; packets: number }>();
      for (const r of original) {
        const k = pairKey(r['id.orig_h'], r['id.orig_p'], r['id.resp_h'], r['id.resp_p']);
        const p = zeekPairs.get(k) ?? { rows: 0, packets: 0 };
        p.rows++;
        p.packets += (Number(r.orig_pkts) || 0) + (Number(r.resp_pkts) || 0);
        zeekPairs.set(k, p);
      }
      const ourPairs = new Map<string, { rows: number; packets: number }>();
      for (const o of ours) {
        const k = pairKey(o.client, o.clientPort, o.server, o.serverPort);
        const p = ourPairs.get(k) ?? { rows: 0, packets: 0 };
        p.rows++;
        p.packets += o.packetsC2s + o.packetsS2c;
        ourPairs.set(k, p);
      }
      // A pair Zeek splits in more rows than we do, with the same packets in all.
      const zeekSplits = (k: string): boolean => {
        const z = zeekPairs.get(k);
        const o = ourPairs.get(k);
        return z !== undefined && o !== undefined && z.rows > o.rows && z.packets === o.packets;
      };
      for (const [k, o] of ourPairs) {
        const z = zeekPairs.get(k);
        if (z?.rows !== o.rows && !zeekSplits(k)) countDiffs.push(`${entry.trace} ${k}: zeek ${z?.rows ?? 0} rows, ours ${o.rows}`);
      }
      for (const k of zeekPairs.keys()) if (!ourPairs.has(k)) countDiffs.push(`${entry.trace} ${k}: zeek only`);

      await readFlowLog(path.join(RESTORED_DIR, entry.conn_log), WHOLE, (rec) => {
        if (rec.proto !== FLOW_PROTO_TCP) return;
        tally.zeekTcp++;
        const a = formatAddress(rec.ipVersion, rec.clientAddr);
        const b = formatAddress(rec.ipVersion, rec.serverAddr);
        const ts = `${rec.startSec}.${String(rec.startNsec).padStart(9, '0').slice(0, 6)}`;
        const o = ours.find(
          (c) =>
            !c.used &&
            c.first === ts &&
            ((c.client === a && c.clientPort === rec.clientPort && c.server === b && c.serverPort === rec.serverPort) ||
              (c.client === b && c.clientPort === rec.serverPort && c.server === a && c.serverPort === rec.clientPort)),
        );
        if (o === undefined) {
          tally.unexplained.push(`${entry.conn_log} line ${rec.line}: no connection of ours`);
          return;
        }
        o.used = true;
        tally.matched++;
        // Zeek's originator is its guess of the client; map our directions onto it.
        const flipped = o.client !== a || o.clientPort !== rec.clientPort;
        const c2s = flipped ? o.bytesS2c : o.bytesC2s;
        const s2c = flipped ? o.bytesC2s : o.bytesS2c;
        const pc2s = flipped ? o.packetsS2c : o.packetsC2s;
        const ps2c = flipped ? o.packetsC2s : o.packetsS2c;
        if (c2s === rec.bytesC2s && s2c === rec.bytesS2c) {
          tally.bytesEqual++;
        } else if (rec.lastSec === rec.startSec && rec.lastNsec === rec.startNsec && rec.bytesC2s === 0 && rec.bytesS2c === 0) {
          tally.unsetBytes++; // duration 0: Zeek leaves duration and bytes unset
        } else if (zeekSplits(pairKey(a, rec.clientPort, b, rec.serverPort))) {
          tally.zeekSplit++;
        } else if (pc2s === rec.packetsC2s && ps2c === rec.packetsS2c && rec.bytesC2s <= c2s && rec.bytesS2c <= s2c) {
          tally.sequenceBytes++; // same packets, fewer bytes: Zeek counts sequence space once
        } else {
          tally.unexplained.push(`${entry.conn_log} line ${rec.line}: zeek ${rec.bytesC2s}/${rec.bytesS2c}, ours ${c2s}/${s2c}`);
        }
      });
    }
    expect(tally.unexplained).toEqual([]);
    expect(countDiffs).toEqual([]);
    // Measured 2026-12 on the corpus of the README (docs/flow-logs.md).
    expect(tally).toEqual({
      zeekTcp: 146,
      matched: 146,
      bytesEqual: 136,
      unsetBytes: 3,
      zeekSplit: 6,
      sequenceBytes: 1,
      unexplained: [],
    });
  });
});
