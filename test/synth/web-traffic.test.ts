import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePacket } from '../../src/decode/decoder.js';
import { DecodedPacket, TCP_FLAG_ACK, TCP_FLAG_FIN, TCP_FLAG_RST, TCP_FLAG_SYN } from '../../src/decode/packet.js';
import { formatAddress } from '../../src/flows/address.js';
import { createCaptureParser, readCapture } from '../../src/reader/index.js';
import type { CaptureRecord } from '../../src/reader/record.js';
import { MemorySink } from '../../src/reader/writer.js';
import { WEB_SMALL_OPTIONS, WEB_SMALL_PATH } from '../../src/synth/fixtures.js';
import {
  CONNECTION_ENDS,
  TRUTH_COLUMNS,
  WEB_TRAFFIC_DEFAULTS,
  generateWebTraffic,
  truthRow,
  writeWebTrafficFile,
  type ConnectionTruth,
  type WebTrafficOptions,
  type WebTrafficStats,
} from '../../src/synth/web-traffic.js';

const START_SEC = WEB_TRAFFIC_DEFAULTS.startSec;
const EPHEMERAL_MIN = 32_768;

interface Generated {
  bytes: Buffer;
  stats: WebTrafficStats;
  truth: ConnectionTruth[];
}

function generate(options: WebTrafficOptions): Generated {
  const sink = new MemorySink();
  const truth: ConnectionTruth[] = [];
  const stats = generateWebTraffic(sink, { ...options, onConnection: (t) => truth.push(t) });
  truth.sort((a, b) => a.id - b.id);
  return { bytes: sink.toBuffer(), stats, truth };
}

/** What the decoded packets of one connection add up to. */
interface Observed {
  packetsC2s: number;
  packetsS2c: number;
  bytesC2s: number;
  bytesS2c: number;
  firstNs: number;
  lastNs: number;
}

interface Decoded {
  records: number;
  notUsable: number;
  ipv6: number;
  payloadBytes: number;
  wireBytes: number;
  maxCaptured: number;
  timesInOrder: boolean;
  /** By `client|port|server|port`, in order of first packet. */
  connections: Map<string, Observed>;
  /** Every record: time, lengths, and the decoded fields that matter, as one string. */
  lines: string[];
}

/** Parses and decodes a whole capture held in memory (the client is the endpoint with the ephemeral port). */
function decodeAll(bytes: Uint8Array, keepLines = false): Decoded {
  const d = new DecodedPacket();
  const out: Decoded = {
    records: 0,
    notUsable: 0,
    ipv6: 0,
    payloadBytes: 0,
    wireBytes: 0,
    maxCaptured: 0,
    timesInOrder: true,
    connections: new Map(),
    lines: [],
  };
  let lastNs = -Infinity;
  const parser = createCaptureParser('synth.pcap', (r: CaptureRecord) => {
    out.records++;
    out.wireBytes += r.originalLength;
    out.maxCaptured = Math.max(out.maxCaptured, r.capturedLength);
    const ns = (r.tsSec - START_SEC) * 1e9 + r.tsNsec;
    if (ns < lastNs) out.timesInOrder = false;
    lastNs = ns;
    decodePacket(r.linkType, r.data, r.start, r.capturedLength, r.originalLength, d);
    if (d.skip !== 0 || !d.isTcp) {
      out.notUsable++;
      return;
    }
    if (d.ipVersion === 6) out.ipv6++;
    out.payloadBytes += d.payloadLength;
    const c2s = d.srcPort >= EPHEMERAL_MIN;
    const client = formatAddress(d.ipVersion, c2s ? d.src : d.dst);
    const server = formatAddress(d.ipVersion, c2s ? d.dst : d.src);
    const key = c2s ? `${client}|${d.srcPort}|${server}|${d.dstPort}` : `${client}|${d.dstPort}|${server}|${d.srcPort}`;
    let o = out.connections.get(key);
    if (o === undefined) {
      o = { packetsC2s: 0, packetsS2c: 0, bytesC2s: 0, bytesS2c: 0, firstNs: ns, lastNs: ns };
      out.connections.set(key, o);
    }
    if (c2s) {
      o.packetsC2s++;
      o.bytesC2s += d.payloadLength;
    } else {
      o.packetsS2c++;
      o.bytesS2c += d.payloadLength;
    }
    o.lastNs = ns;
    if (keepLines) {
      out.lines.push(`${r.tsSec}.${r.tsNsec} ${r.capturedLength}/${r.originalLength} ${key} ${d.seq} ${d.ack} ${d.tcpFlags} ${d.payloadLength}`);
    }
  });
  parser.push(bytes);
  parser.end();
  return out;
}

function truthKey(t: ConnectionTruth): string {
  return `${t.clientAddr}|${t.clientPort}|${t.serverAddr}|${t.serverPort}`;
}

function observedOf(t: ConnectionTruth): Observed {
  return {
    packetsC2s: t.packetsC2s,
    packetsS2c: t.packetsS2c,
    bytesC2s: t.bytesC2s,
    bytesS2c: t.bytesS2c,
    firstNs: t.firstNs,
    lastNs: t.lastNs,
  };
}

/** Two minutes at 60 connections/s: about 7,000 connections and 300,000 packets, every ending represented. */
const MEDIUM: WebTrafficOptions = { seed: 7, durationSec: 120, connectionRate: 60 };

describe('generateWebTraffic', () => {
  let medium: Generated;
  let mediumDecoded: Decoded;
  beforeAll(() => {
    medium = generate(MEDIUM);
    mediumDecoded = decodeAll(medium.bytes);
  });

  it('gives byte-identical captures for a seed, and another capture for another seed', () => {
    const options: WebTrafficOptions = { seed: 5, durationSec: 20, connectionRate: 30 };
    const a = generate(options);
    const b = generate(options);
    expect(a.bytes.length).toBeGreaterThan(10_000);
    expect(a.bytes.equals(b.bytes)).toBe(true);
    expect(a.truth).toEqual(b.truth);
    const c = generate({ ...options, seed: 6 });
    expect(c.bytes.equals(a.bytes)).toBe(false);
  });

  it('encodes records in place exactly as PcapWriter.writePacket would', () => {
    for (const extra of [{}, { nanosecond: true }, { snaplen: 68 }, { snaplen: 100 }] as WebTrafficOptions[]) {
      const options: WebTrafficOptions = { seed: 9, durationSec: 15, connectionRate: 40, ...extra };
      const direct = generate(options);
      const via = generate({ ...options, viaWriter: true });
      expect(direct.bytes.equals(via.bytes)).toBe(true);
    }
  });

  it('reads back: every record a usable TCP packet, in timestamp order, counted as the stats say', () => {
    const { stats, bytes } = medium;
    const d = mediumDecoded;
    expect(stats.stoppedBy).toBe('duration');
    expect(stats.packets).toBeGreaterThan(200_000);
    expect(d.records).toBe(stats.packets);
    expect(d.notUsable).toBe(0);
    expect(d.timesInOrder).toBe(true);
    expect(stats.fileBytes).toBe(bytes.length);
    expect(d.wireBytes).toBe(stats.wireBytes);
    expect(d.payloadBytes).toBe(stats.payloadBytes);
    expect(d.ipv6).toBe(stats.packetsIpv6);
    expect(stats.lastNs).toBeLessThan(MEDIUM.durationSec! * 1e9);
  });

  it('reads back through readCapture from a file written by writeWebTrafficFile', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-'));
    try {
      const file = path.join(dir, 'web.pcap');
      const stats = writeWebTrafficFile(file, { seed: 3, durationSec: 10, connectionRate: 50 });
      const onDisk = fs.readFileSync(file);
      expect(onDisk.equals(generate({ seed: 3, durationSec: 10, connectionRate: 50 }).bytes)).toBe(true);
      let records = 0;
      const info = await readCapture(file, () => {
        records++;
      });
      expect(records).toBe(stats.packets);
      expect(info.records).toBe(stats.packets);
      expect(info.format).toBe('pcap');
      expect(info.linkTypes).toEqual([1]);
      expect(info.truncated).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("ground truth: each connection's packets, payload bytes and first/last times equal the decoded packets'", () => {
    const { truth, stats } = medium;
    const d = mediumDecoded;
    expect(truth.length).toBe(stats.connections);
    expect(d.connections.size).toBe(truth.length);
    const keys = [...d.connections.keys()];
    truth.forEach((t, k) => {
      // ids are the order of first packets (the `conn` numbering of SPEC §3)
      expect(t.id).toBe(k);
      expect(keys[k]).toBe(truthKey(t));
      expect(d.connections.get(truthKey(t))).toEqual(observedOf(t));
    });
    let packets = 0;
    let payload = 0;
    for (const t of truth) {
      packets += t.packetsC2s + t.packetsS2c;
      payload += t.bytesC2s + t.bytesS2c;
    }
    expect(packets).toBe(stats.packets);
    expect(payload).toBe(stats.payloadBytes);
  });

  it('ground truth: every ending occurs, counted as the stats say, and matches the flags on the wire', () => {
    const { truth, stats } = medium;
    for (const end of CONNECTION_ENDS) {
      expect(stats.ends[end], end).toBeGreaterThan(0);
      expect(truth.filter((t) => t.end === end).length, end).toBe(stats.ends[end]);
    }
    // Flags per connection, from the wire.
    const flags = new Map<string, { finC: boolean; finS: boolean; rst: boolean; synOnly: boolean }>();
    const d = new DecodedPacket();
    const parser = createCaptureParser('synth.pcap', (r) => {
      decodePacket(r.linkType, r.data, r.start, r.capturedLength, r.originalLength, d);
      const c2s = d.srcPort >= EPHEMERAL_MIN;
      const client = formatAddress(d.ipVersion, c2s ? d.src : d.dst);
      const server = formatAddress(d.ipVersion, c2s ? d.dst : d.src);
      const key = c2s ? `${client}|${d.srcPort}|${server}|${d.dstPort}` : `${client}|${d.dstPort}|${server}|${d.srcPort}`;
      let f = flags.get(key);
      if (f === undefined) {
        f = { finC: false, finS: false, rst: false, synOnly: true };
        flags.set(key, f);
      }
      if ((d.tcpFlags & TCP_FLAG_FIN) !== 0) {
        if (c2s) f.finC = true;
        else f.finS = true;
      }
      if ((d.tcpFlags & TCP_FLAG_RST) !== 0) f.rst = true;
      if (!(c2s && (d.tcpFlags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) === TCP_FLAG_SYN)) f.synOnly = false;
    });
    parser.push(medium.bytes);
    parser.end();
    for (const t of truth) {
      const f = flags.get(truthKey(t))!;
      if (t.end === 'fin') expect(f.finC && f.finS && !f.rst).toBe(true);
      if (t.end === 'rst') expect(f.rst).toBe(true);
      if (t.end === 'unfinished' || t.end === 'cut') expect(f.rst || (f.finC && f.finS)).toBe(false);
      if (t.end === 'syn-only') {
        expect(f.synOnly).toBe(true);
        expect(t.packetsC2s).toBe(4); // the SYN and its retransmissions after 1, 3 and 7 s
      }
      if (t.end === 'rst' || t.end === 'fin') expect(t.closedBy).not.toBe('none');
      if (t.end === 'unfinished' || t.end === 'syn-only') expect(t.closedBy).toBe('none');
    }
  });

  it('keeps TCP sequence numbers consistent: contiguous data each way, ACKs only for what was sent', () => {
    // Per connection and direction: the next sequence number expected, from the SYN on.
    const next = new Map<string, number>();
    const d = new DecodedPacket();
    let problems = 0;
    const parser = createCaptureParser('synth.pcap', (r) => {
      decodePacket(r.linkType, r.data, r.start, r.capturedLength, r.originalLength, d);
      const src = `${formatAddress(d.ipVersion, d.src)}|${d.srcPort}`;
      const dst = `${formatAddress(d.ipVersion, d.dst)}|${d.dstPort}`;
      const fwd = `${src}>${dst}`;
      const rev = `${dst}>${src}`;
      const syn = (d.tcpFlags & TCP_FLAG_SYN) !== 0;
      if (syn) {
        next.set(fwd, (d.seq + 1) >>> 0);
      } else {
        const expected = next.get(fwd);
        if (expected !== d.seq) problems++;
        const consumed = d.payloadLength + ((d.tcpFlags & TCP_FLAG_FIN) !== 0 ? 1 : 0);
        next.set(fwd, (d.seq + consumed) >>> 0);
      }
      if ((d.tcpFlags & TCP_FLAG_ACK) !== 0) {
        const sent = next.get(rev);
        // an ACK never covers bytes the other side has not sent yet (mod 2^32)
        if (sent === undefined || ((sent - d.ack) >>> 0) > 0x7fffffff) problems++;
      }
    });
    parser.push(medium.bytes);
    parser.end();
    expect(problems).toBe(0);
  });

  it('writes valid IPv4 header and TCP checksums', () => {
    const { bytes } = generate({ seed: 4, durationSec: 10, connectionRate: 40 });
    const sum16 = (b: Uint8Array, from: number, to: number, init = 0): number => {
      let s = init;
      for (let k = from; k + 1 < to; k += 2) s += (b[k] << 8) | b[k + 1];
      if ((to - from) % 2 === 1) s += b[to - 1] << 8;
      while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
      return s;
    };
    let checked = 0;
    const parser = createCaptureParser('synth.pcap', (r) => {
      const b = r.data.subarray(r.start, r.start + r.capturedLength);
      const v6 = ((b[12] << 8) | b[13]) === 0x86dd;
      let tcp: number;
      let tcpLength: number;
      let pseudo: number;
      if (!v6) {
        expect(sum16(b, 14, 34)).toBe(0xffff);
        tcpLength = ((b[16] << 8) | b[17]) - 20;
        tcp = 34;
        pseudo = sum16(b, 26, 34) + 6 + tcpLength;
      } else {
        tcpLength = (b[18] << 8) | b[19];
        tcp = 54;
        pseudo = sum16(b, 22, 54) + 6 + tcpLength;
      }
      expect(sum16(b, tcp, tcp + tcpLength, pseudo)).toBe(0xffff);
      checked++;
    });
    parser.push(bytes);
    parser.end();
    expect(checked).toBeGreaterThan(1_000);
  });

  it('makes about ipv6Fraction of the connections IPv6', () => {
    const { stats, truth } = generate({ seed: 11, durationSec: 60, connectionRate: 100, ipv6Fraction: 0.2 });
    expect(stats.connections).toBeGreaterThan(5_000);
    const share = stats.connectionsIpv6 / stats.connections;
    expect(Math.abs(share - 0.2)).toBeLessThan(0.03);
    expect(truth.filter((t) => t.ipVersion === 6).length).toBe(stats.connectionsIpv6);
    const packetShare = stats.packetsIpv6 / stats.packets;
    expect(packetShare).toBeGreaterThan(0.1);
    expect(packetShare).toBeLessThan(0.3);
    expect(generate({ seed: 11, durationSec: 10, connectionRate: 30, ipv6Fraction: 0 }).stats.packetsIpv6).toBe(0);
    const all6 = generate({ seed: 11, durationSec: 10, connectionRate: 30, ipv6Fraction: 1 }).stats;
    expect(all6.packetsIpv6).toBe(all6.packets);
  });

  it('snaplen 68 cuts the frames but decodes to the same connections, packets and payload bytes', () => {
    const full = medium;
    const cut = generate({ ...MEDIUM, snaplen: 68 });
    expect(cut.truth).toEqual(full.truth);
    expect(cut.stats.wireBytes).toBe(full.stats.wireBytes);
    expect(cut.bytes.length).toBeLessThan(full.bytes.length / 5);
    const d = decodeAll(cut.bytes);
    expect(d.maxCaptured).toBe(68);
    expect(d.notUsable).toBe(0);
    expect(d.payloadBytes).toBe(mediumDecoded.payloadBytes);
    expect(d.wireBytes).toBe(mediumDecoded.wireBytes);
    expect(d.connections).toEqual(mediumDecoded.connections);
  });

  it('writes pcapng with the same packets, and nanosecond timestamps when asked', () => {
    const options: WebTrafficOptions = { seed: 8, durationSec: 10, connectionRate: 40 };
    const pcap = generate(options);
    const ng = generate({ ...options, format: 'pcapng' });
    expect(ng.bytes.readUInt32LE(0)).toBe(0x0a0d0d0a);
    expect(ng.stats.fileBytes).toBe(ng.bytes.length);
    expect(ng.truth).toEqual(pcap.truth);
    expect(decodeAll(ng.bytes, true).lines).toEqual(decodeAll(pcap.bytes, true).lines);
    const nano = generate({ ...options, nanosecond: true });
    expect(nano.bytes.readUInt32LE(0)).toBe(0xa1b23c4d);
    expect(nano.truth.some((t) => t.firstNs % 1_000 !== 0)).toBe(true);
    expect(pcap.truth.every((t) => t.firstNs % 1_000 === 0 && t.lastNs % 1_000 === 0)).toBe(true);
    const dn = decodeAll(nano.bytes);
    for (const t of nano.truth) expect(dn.connections.get(truthKey(t))).toEqual(observedOf(t));
  });

  it('stops at a packet budget or a byte budget, cutting the connections in progress', () => {
    const byPackets = generate({ seed: 2, durationSec: 600, connectionRate: 50, maxPackets: 5_000 });
    expect(byPackets.stats.stoppedBy).toBe('packets');
    expect(byPackets.stats.packets).toBe(5_000);
    expect(decodeAll(byPackets.bytes).records).toBe(5_000);
    const total = byPackets.truth.reduce((n, t) => n + t.packetsC2s + t.packetsS2c, 0);
    expect(total).toBe(5_000);
    expect(byPackets.truth.some((t) => t.end === 'cut')).toBe(true);
    const byBytes = generate({ seed: 2, durationSec: 600, connectionRate: 50, maxBytes: 1_000_000 });
    expect(byBytes.stats.stoppedBy).toBe('bytes');
    expect(byBytes.bytes.length).toBeGreaterThanOrEqual(1_000_000);
    expect(byBytes.bytes.length).toBeLessThan(1_000_000 + 16 + 1_514);
  });

  it('never repeats a connection 4-tuple, and spreads clients over many addresses', () => {
    const { truth } = medium;
    const keys = new Set(truth.map(truthKey));
    expect(keys.size).toBe(truth.length);
    const clients = new Set(truth.map((t) => t.clientAddr));
    expect(clients.size).toBeGreaterThan(truth.length / 2);
    for (const t of truth) {
      expect(t.clientPort).toBeGreaterThanOrEqual(32_768);
      expect(t.clientPort).toBeLessThanOrEqual(60_999);
      expect([80, 443]).toContain(t.serverPort);
      expect(t.ipVersion === 4 ? /^10\./.test(t.clientAddr) : /^2001:db8:/.test(t.clientAddr)).toBe(true);
    }
  });

  it('has heavy-tailed responses and long-tailed lifetimes', () => {
    const done = medium.truth.filter((t) => t.end === 'fin');
    const bytes = done.map((t) => t.bytesS2c).sort((a, b) => a - b);
    const median = bytes[Math.floor(bytes.length / 2)];
    const top = bytes.slice(Math.floor(bytes.length * 0.99));
    const total = bytes.reduce((a, b) => a + b, 0);
    // the top 1 % of connections carry over ten times their share of the bytes
    expect(top.reduce((a, b) => a + b, 0) / total).toBeGreaterThan(0.1);
    expect(bytes[bytes.length - 1]).toBeGreaterThan(100 * median);
    const lifetimes = done.map((t) => t.lastNs - t.firstNs).sort((a, b) => a - b);
    const medianLifetime = lifetimes[Math.floor(lifetimes.length / 2)];
    expect(lifetimes[Math.floor(lifetimes.length * 0.99)]).toBeGreaterThan(5 * medianLifetime);
    // keep-alive: some connections outlive the server's idle timeout by far
    expect(lifetimes.filter((ns) => ns > 1.5 * 15e9).length).toBeGreaterThan(lifetimes.length / 200);
  });

  it('validates its options', () => {
    const code = (o: WebTrafficOptions): string => {
      try {
        generateWebTraffic(new MemorySink(), o);
      } catch (err) {
        return `${(err as { code: string }).code}: ${(err as Error).message}`;
      }
      return 'ok';
    };
    expect(code({ ipv6Fraction: 1.5 })).toBe('OPTION_INVALID: synth: ipv6Fraction must be a number in [0, 1], got 1.5');
    expect(code({ snaplen: 20 })).toBe('OPTION_INVALID: synth: snaplen must be an integer in [68, 262144], got 20');
    expect(code({ servers: ['192.0.2.1'] })).toBe('OPTION_INVALID: synth: no IPv6 server address, but ipv6Fraction > 0');
    expect(code({ servers: ['192.0.2.300', '2001:db8::1'] })).toBe('OPTION_INVALID: synth: not an IPv4 address: 192.0.2.300');
    expect(code({ model: { rstFraction: 0.9 } })).toMatch(/must be ≤ 1$/);
    expect(code({ durationSec: 0 })).toBe('ok');
  });

  it('writes the ground truth as CSV rows with the connections columns', () => {
    const t = medium.truth[0];
    const row = truthRow(t, START_SEC);
    expect(row.length).toBe(TRUTH_COLUMNS.length);
    expect(TRUTH_COLUMNS.slice(0, 13)).toEqual([
      'conn',
      'first_time',
      'last_time',
      'duration',
      'client_addr',
      'client_port',
      'server_addr',
      'server_port',
      'proto',
      'packets_c2s',
      'packets_s2c',
      'bytes_c2s',
      'bytes_s2c',
    ]);
    expect(row[0]).toBe('0');
    expect(row[1]).toMatch(/^886809600\.\d{9}$/);
    expect(row[8]).toBe('tcp');
  });
});

describe(`${WEB_SMALL_PATH}`, () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  let onDisk: Buffer;
  let made: Generated;
  beforeAll(() => {
    onDisk = fs.readFileSync(path.join(root, WEB_SMALL_PATH));
    made = generate(WEB_SMALL_OPTIONS);
  });

  it('is what scripts/make-fixtures.mjs makes (regenerating gives identical bytes)', () => {
    expect(onDisk.equals(made.bytes)).toBe(true);
  });

  it('is small, header-only, and has 100–300 connections of every kind', () => {
    expect(onDisk.length).toBeLessThan(300_000);
    const d = decodeAll(onDisk);
    expect(d.maxCaptured).toBeLessThanOrEqual(68);
    expect(d.notUsable).toBe(0);
    expect(d.connections.size).toBeGreaterThanOrEqual(100);
    expect(d.connections.size).toBeLessThanOrEqual(300);
    expect(d.ipv6).toBeGreaterThan(0);
    for (const end of CONNECTION_ENDS) expect(made.stats.ends[end], end).toBeGreaterThan(0);
  });
});
