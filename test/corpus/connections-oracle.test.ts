/**
 * Our connections against tshark's TCP streams on every `tcp` file of the
 * shared corpus (issue 4). Timeouts are off (tshark has none). Each tshark
 * stream is matched to one of our connections by endpoints and first time;
 * packets and payload each way must be equal. Every stream that is not exact
 * must be explained by a rule where SPEC §3 deliberately differs from tshark
 * (docs/connections.md, "Differences from tshark"). tshark has no
 * `active_until`; it is checked by its rule instead: the capture's last clock
 * for `end-of-trace`, between the first packet and that end otherwise, and
 * not before the last packet for `port-reuse`.
 */
import { describe, expect, it } from 'vitest';
import { runConnections, CONNECTION_COLUMNS } from '../../src/connections.js';
import { runPass } from '../../src/pass.js';
import { formatAddress } from '../../src/flows/address.js';
import { CORPUS_PRESENT, SKIP_MESSAGE, loadManifest } from '../helpers/corpus.js';
import { canonicalAddress, loadOracleStreams, type OracleStream } from '../helpers/oracle.js';

if (!CORPUS_PRESENT) console.warn(SKIP_MESSAGE);

interface Conn {
  conn: number;
  first: string;
  last: string;
  client: string;
  server: string;
  packetsC2s: number;
  packetsS2c: number;
  bytesC2s: number;
  bytesS2c: number;
  close: string;
  synSeen: boolean;
  activeUntil: string;
}

const col = (name: (typeof CONNECTION_COLUMNS)[number]): number => CONNECTION_COLUMNS.indexOf(name);

async function ourConnections(file: string): Promise<Conn[]> {
  const out: Conn[] = [];
  await runConnections([file], { idleTimeout: 0, synTimeout: 0 }, {
    row: (f) => {
      out.push({
        conn: Number(f[col('conn')]),
        first: f[col('first_time')],
        last: f[col('last_time')],
        client: `${canonicalAddress(f[col('client_addr')])}|${f[col('client_port')]}`,
        server: `${canonicalAddress(f[col('server_addr')])}|${f[col('server_port')]}`,
        packetsC2s: Number(f[col('packets_c2s')]),
        packetsS2c: Number(f[col('packets_s2c')]),
        bytesC2s: Number(f[col('bytes_c2s')]),
        bytesS2c: Number(f[col('bytes_s2c')]),
        close: f[col('close')],
        synSeen: f[col('syn_seen')] === '1',
        activeUntil: f[col('active_until')],
      });
    },
  });
  return out;
}

/**
 * Payload bytes of first IP fragments per direction, keyed `src/dst`
 * (canonical address|port): SPEC §2 counts them as they cross the wire,
 * tshark without reassembly counts 0. Also the replay clock at the end of the
 * capture, in epoch nanoseconds.
 */
async function firstFragmentPayload(file: string): Promise<{ fragments: Map<string, number>; endNs: bigint }> {
  const out = new Map<string, number>();
  const stats = await runPass([file], {
    tcpPacket(p) {
      if (!p.firstFragment || p.payloadLength === 0) return;
      const key = `${canonicalAddress(formatAddress(p.ipVersion, p.src))}|${p.srcPort}/${canonicalAddress(formatAddress(p.ipVersion, p.dst))}|${p.dstPort}`;
      out.set(key, (out.get(key) ?? 0) + p.payloadLength);
    },
    otherRecord() {},
  });
  return { fragments: out, endNs: BigInt(stats.baseSec + stats.clockSec) * 1_000_000_000n + BigInt(stats.clockNsec) };
}

/** Epoch text with 9 decimals → integer nanoseconds. */
const ns = (text: string): bigint => BigInt(text.replace('.', ''));

/** Rows whose active_until breaks its rule (timeouts off, so no idle, syn-timeout or evicted), described. */
function activeUntilProblems(file: string, conns: Conn[], endNs: bigint): string[] {
  const out: string[] = [];
  for (const c of conns) {
    const until = ns(c.activeUntil);
    const ok =
      c.close === 'end-of-trace'
        ? until === endNs
        : (c.close === 'fin' || c.close === 'rst' || c.close === 'port-reuse') &&
          ns(c.first) <= until &&
          until <= endNs &&
          (c.close !== 'port-reuse' || ns(c.last) <= until);
    if (!ok) out.push(`${file} conn ${c.conn} ${c.close}: first ${c.first} last ${c.last} active_until ${c.activeUntil} end ${endNs}`);
  }
  return out;
}

/** Our totals for a stream seen from its endpoint a: [packets a→b, packets b→a, payload a→b, payload b→a]. */
function asSeenFromA(c: Conn, a: string): [number, number, number, number] {
  return c.client === a
    ? [c.packetsC2s, c.packetsS2c, c.bytesC2s, c.bytesS2c]
    : [c.packetsS2c, c.packetsC2s, c.bytesS2c, c.bytesC2s];
}

export interface StreamVerdict {
  file: string;
  stream: number;
  rule: string;
  detail: string;
}

/**
 * Compares one file. Returns the exact count and a verdict for each stream that
 * is not exact: the rule that explains it, or 'UNEXPLAINED'.
 */
export function compareFile(
  file: string,
  streams: OracleStream[],
  conns: Conn[],
  fragments: Map<string, number>,
): { exact: number; verdicts: StreamVerdict[] } {
  const byEndpoints = new Map<string, Conn[]>();
  for (const c of conns) {
    const key = [c.client, c.server].sort().join('/');
    let list = byEndpoints.get(key);
    if (!list) byEndpoints.set(key, (list = []));
    list.push(c);
  }
  let exact = 0;
  const verdicts: StreamVerdict[] = [];
  for (const s of streams) {
    const a = `${s.aAddr}|${s.aPort}`;
    const b = `${s.bAddr}|${s.bPort}`;
    const candidates = byEndpoints.get([a, b].sort().join('/')) ?? [];
    const want: [number, number, number, number] = [s.packetsAB, s.packetsBA, s.payloadAB, s.payloadBA];
    const match = candidates.find((c) => c.first === s.firstTime);
    if (match && asSeenFromA(match, a).every((v, i) => v === want[i])) {
      exact++;
      continue;
    }
    // Rule "first-fragment-payload": the same packets, and our payload exceeds
    // tshark's by exactly the bytes of this stream's first IP fragments.
    if (match) {
      const ours = asSeenFromA(match, a);
      const fragAB = fragments.get(`${a}/${b}`) ?? 0;
      const fragBA = fragments.get(`${b}/${a}`) ?? 0;
      if (
        (fragAB > 0 || fragBA > 0) &&
        ours[0] === want[0] &&
        ours[1] === want[1] &&
        ours[2] === want[2] + fragAB &&
        ours[3] === want[3] + fragBA
      ) {
        verdicts.push({ file, stream: s.stream, rule: 'first-fragment-payload', detail: `${fragAB + fragBA} bytes in first fragments` });
        continue;
      }
    }
    // Rule "split-by-new-syn": tshark kept one stream where a SYN after a FIN/RST
    // close (or a new-ISN SYN) opened a new connection for us (SPEC §3): the
    // stream equals the sum of our consecutive connections on its endpoints
    // that start within it.
    const within = candidates.filter((c) => c.first >= s.firstTime && c.last <= s.lastTime);
    const sum = within.reduce<[number, number, number, number]>(
      (acc, c) => asSeenFromA(c, a).map((v, i) => acc[i] + v) as [number, number, number, number],
      [0, 0, 0, 0],
    );
    if (within.length > 1 && sum.every((v, i) => v === want[i])) {
      verdicts.push({ file, stream: s.stream, rule: 'split-by-new-syn', detail: `${within.length} connections (${within.map((c) => c.close).join(', ')})` });
      continue;
    }
    verdicts.push({
      file,
      stream: s.stream,
      rule: 'UNEXPLAINED',
      detail: `tshark ${a} → ${b} first ${s.firstTime} [${want}] vs ours ${
        match ? `[${asSeenFromA(match, a)}] ${match.close}` : `no connection starting then (${candidates.length} on these endpoints: ${candidates.map((c) => `${c.first} [${asSeenFromA(c, a)}]`).join('; ')})`
      }`,
    });
  }
  return { exact, verdicts };
}

describe.skipIf(!CORPUS_PRESENT)('connections against the tshark oracle', () => {
  const tcpFiles = loadManifest().filter((r) => r.category === 'tcp');

  it('matches every tshark TCP stream exactly or by a documented rule', async () => {
    let total = 0;
    let exact = 0;
    const verdicts: StreamVerdict[] = [];
    const untilProblems: string[] = [];
    for (const row of tcpFiles) {
      const streams = loadOracleStreams(row.file);
      expect(streams.length, row.file).toBe(row.tcpStreams);
      const conns = await ourConnections(row.path);
      const { fragments, endNs } = await firstFragmentPayload(row.path);
      untilProblems.push(...activeUntilProblems(row.file, conns, endNs));
      const r = compareFile(row.file, streams, conns, fragments);
      total += streams.length;
      exact += r.exact;
      verdicts.push(...r.verdicts);
    }
    const pct = ((100 * exact) / total).toFixed(2);
    console.log(`connections vs tshark: ${exact}/${total} streams exact (${pct} %) over ${tcpFiles.length} files`);
    const byRule = new Map<string, number>();
    for (const v of verdicts) byRule.set(v.rule, (byRule.get(v.rule) ?? 0) + 1);
    for (const [rule, n] of byRule) console.log(`  ${rule}: ${n} streams`);
    for (const v of verdicts) console.log(`  ${v.rule} ${v.file} stream ${v.stream}: ${v.detail}`);
    expect(verdicts.filter((v) => v.rule === 'UNEXPLAINED')).toEqual([]);
    expect(untilProblems).toEqual([]);
  });
});
