/**
 * UDP flows against tshark's `udp.stream` oracle on every shared capture with
 * direct UDP (issue 12; ../shared/traces/README.md, "UDP oracle"). With
 * `--udp-timeout 0` (tshark never ends a UDP stream on idle time) each tshark
 * stream must be exactly one of our `--proto udp` flows: endpoints with its
 * first sender as client, first and last time, packets and payload bytes
 * each way; and no flow of ours may be left over. `info`'s `udp_packets`
 * must equal the manifest's on every file tshark reads.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConnections, CONNECTION_COLUMNS } from '../../src/connections.js';
import { inspectCapture } from '../../src/info.js';
import { CORPUS_PRESENT, MANIFEST_PATH, SKIP_MESSAGE, TRACES_DIR, loadManifest } from '../helpers/corpus.js';
import { canonicalAddress } from '../helpers/oracle.js';

if (!CORPUS_PRESENT) console.warn(SKIP_MESSAGE);

/** One row of `oracle/F.udp.streams.tsv`. */
interface UdpStream {
  stream: number;
  firstTime: string;
  lastTime: string;
  /** `address|port`, the address canonical; a = source of the stream's first frame. */
  a: string;
  b: string;
  /** [packets a→b, packets b→a, payload a→b, payload b→a]. */
  totals: [number, number, number, number];
}

function loadUdpStreams(file: string): UdpStream[] | undefined {
  const p = path.join(TRACES_DIR, 'oracle', `${file}.udp.streams.tsv`);
  if (!fs.existsSync(p)) return undefined;
  const lines = fs.readFileSync(p, 'utf8').split('\n').filter((l) => l.length > 0);
  const header = lines[0].split('\t');
  expect(header).toEqual([
    'stream', 'first_frame', 'first_time', 'last_time', 'a_addr', 'a_port', 'b_addr', 'b_port',
    'packets_ab', 'packets_ba', 'payload_ab', 'payload_ba',
  ]);
  return lines.slice(1).map((line) => {
    const f = line.split('\t');
    return {
      stream: Number(f[0]),
      firstTime: f[2],
      lastTime: f[3],
      a: `${canonicalAddress(f[4])}|${f[5]}`,
      b: `${canonicalAddress(f[6])}|${f[7]}`,
      totals: [Number(f[8]), Number(f[9]), Number(f[10]), Number(f[11])],
    };
  });
}

/** The manifest's `udp_packets` column by file ('' for malformed rows). */
function manifestUdpPackets(): Map<string, string> {
  const lines = fs.readFileSync(MANIFEST_PATH, 'utf8').split('\n').filter((l) => l.length > 0);
  const header = lines[0].split('\t');
  const i = header.indexOf('udp_packets');
  expect(i, 'MANIFEST.tsv has a udp_packets column').toBeGreaterThan(0);
  return new Map(lines.slice(1).map((l) => [l.split('\t')[0], l.split('\t')[i] ?? '']));
}

const col = (name: (typeof CONNECTION_COLUMNS)[number]): number => CONNECTION_COLUMNS.indexOf(name);

interface Flow {
  first: string;
  last: string;
  client: string;
  server: string;
  totals: [number, number, number, number];
  proto: string;
  close: string;
}

async function ourFlows(file: string): Promise<Flow[]> {
  const out: Flow[] = [];
  await runConnections([file], { proto: 'udp', udpTimeout: 0 }, {
    row: (f) => {
      out.push({
        first: f[col('first_time')],
        last: f[col('last_time')],
        client: `${canonicalAddress(f[col('client_addr')])}|${f[col('client_port')]}`,
        server: `${canonicalAddress(f[col('server_addr')])}|${f[col('server_port')]}`,
        totals: [Number(f[col('packets_c2s')]), Number(f[col('packets_s2c')]), Number(f[col('bytes_c2s')]), Number(f[col('bytes_s2c')])],
        proto: f[col('proto')],
        close: f[col('close')],
      });
    },
  });
  return out;
}

describe.skipIf(!CORPUS_PRESENT)('UDP flows against the tshark oracle', () => {
  const rows = loadManifest();

  it('info gives the manifest udp_packets on every readable file', async () => {
    const want = manifestUdpPackets();
    let checked = 0;
    const wrong: string[] = [];
    for (const row of rows) {
      // Empty for malformed rows; 0 where tshark cannot read the file.
      const text = want.get(row.file) ?? '';
      if (row.category === 'malformed' || text === '') continue;
      const expected = Number(text);
      const got = (await inspectCapture(row.path)).udp_packets;
      if (got !== expected) wrong.push(`${row.file}: manifest ${expected}, info ${got}`);
      checked++;
    }
    console.log(`udp_packets: ${checked - wrong.length}/${checked} files agree with MANIFEST.tsv`);
    expect(wrong).toEqual([]);
    expect(checked).toBe(400);
  });

  it('connections --proto udp --udp-timeout 0 gives every tshark UDP stream exactly, and nothing else', async () => {
    let files = 0;
    let streams = 0;
    let packets = 0;
    let exact = 0;
    const wrong: string[] = [];
    const explained: string[] = [];
    for (const row of rows) {
      const oracle = loadUdpStreams(row.file);
      if (oracle === undefined) continue;
      files++;
      const flows = await ourFlows(row.path);
      // With the timeout off, one flow per unordered endpoint pair.
      const byPair = new Map<string, Flow>();
      for (const f of flows) {
        expect(f.proto).toBe('udp');
        expect(f.close).toBe('end-of-trace');
        const key = pairKey(f.client, f.server);
        expect(byPair.has(key), `${row.file} ${key} twice`).toBe(false);
        byPair.set(key, f);
      }
      // tshark's streams by endpoint pair, in stream order.
      const groups = new Map<string, UdpStream[]>();
      for (const s of oracle) {
        streams++;
        packets += s.totals[0] + s.totals[1];
        const key = pairKey(s.a, s.b);
        const g = groups.get(key);
        if (g) g.push(s);
        else groups.set(key, [s]);
      }
      for (const [key, group] of groups) {
        const f = byPair.get(key);
        byPair.delete(key);
        const s = merged(group);
        const where = `${row.file} stream ${group.map((x) => x.stream).join('+')}`;
        // Our client is the sender of the first packet, tshark's a.
        const same =
          f !== undefined && f.client === s.a && f.first === s.firstTime && f.last === s.lastTime && f.totals.every((v, i) => v === s.totals[i]);
        if (!same) {
          wrong.push(`${where}: tshark ${s.a} → ${s.b} ${s.firstTime}–${s.lastTime} [${s.totals}], ours ${f ? `${f.client} → ${f.server} ${f.first}–${f.last} [${f.totals}]` : 'none'}`);
        } else if (group.length === 1) {
          exact++;
        } else if (isSnmp(s)) {
          // Rule "snmp-split" (docs/connections.md, "UDP"): tshark's SNMP
          // dissector gives the agent's answers (from port 161) a stream of
          // their own; with `--disable-protocol snmp` tshark joins them too.
          explained.push(`snmp-split ${where}`);
        } else {
          wrong.push(`${where}: ${group.length} tshark streams on one endpoint pair`);
        }
      }
      for (const [key] of byPair) wrong.push(`${row.file}: flow ${key} is no tshark stream`);
    }
    console.log(
      `udp flows vs tshark: ${exact}/${streams} streams exact, ${streams - exact} in ${explained.length} flows joined by rule snmp-split (${packets} packets, ${files} files)`,
    );
    expect(wrong).toEqual([]);
    // The README's counts: 64 files, 442 streams, 1225 packets.
    expect([files, streams, packets]).toEqual([64, 442, 1225]);
    // Measured: every stream but the SNMP agents' split answers is exact.
    expect([exact, explained.length]).toEqual([368, 37]);
  });
});

function pairKey(x: string, y: string): string {
  return x < y ? `${x}/${y}` : `${y}/${x}`;
}

/** tshark's streams on one endpoint pair as one: a from the first, totals turned to face it. */
function merged(group: UdpStream[]): UdpStream {
  const first = group[0];
  const totals: [number, number, number, number] = [0, 0, 0, 0];
  let lastTime = first.lastTime;
  for (const s of group) {
    const t = s.a === first.a ? s.totals : ([s.totals[1], s.totals[0], s.totals[3], s.totals[2]] as const);
    for (let i = 0; i < 4; i++) totals[i] += t[i];
    if (s.lastTime.length > lastTime.length || (s.lastTime.length === lastTime.length && s.lastTime > lastTime)) lastTime = s.lastTime;
  }
  return { ...first, lastTime, totals };
}

/** SNMP agent port (RFC 3417 §3: 161) on either side. */
function isSnmp(s: UdpStream): boolean {
  return s.a.endsWith('|161') || s.b.endsWith('|161');
}
