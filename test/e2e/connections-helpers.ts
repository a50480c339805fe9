/**
 * Scenario captures for the `connections` end-to-end tests (issue 4): a list
 * of records, each a TCP segment described by time, endpoints, flags,
 * sequence numbers and payload length (or a ready-built frame), written with
 * the project's own frame builder (src/synth/frames.ts) and pcap writer
 * (src/reader/writer.ts), then run through `runConnections`.
 *
 * Sequence and acknowledgment numbers are never guessed: a scenario that
 * depends on them (ISNs, SYN-ACK acknowledgments) gives them explicitly;
 * elsewhere they are 0, which the tracker does not look at.
 *
 * Times are decimal text in seconds after `BASE_SEC` ('0.25',
 * '157766400.000000001'), converted to (sec, nsec) exactly from the digits and
 * written to a nanosecond pcap, so every expected time is exact.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { MemorySink, PcapWriter } from '../../src/reader/writer.js';
import { buildTcpFrame, type BuiltFrame, type TcpFrameSpec } from '../../src/synth/frames.js';
import {
  CONNECTION_COLUMNS,
  runConnections,
  type ConnectionsHandlers,
  type ConnectionsResult,
} from '../../src/connections.js';
import type { ReplayOptions } from '../../src/options.js';

/** Epoch second that scenario times count from (2023-11-14T22:13:20Z). */
export const BASE_SEC = 1_700_000_000;

export interface Endpoint {
  addr: string;
  port: number;
}

/** The usual cast: clients 10.0.0.k port 40000 + k, a web server 192.0.2.1:80. */
export const C1: Endpoint = { addr: '10.0.0.1', port: 40001 };
export const C2: Endpoint = { addr: '10.0.0.2', port: 40002 };
export const C3: Endpoint = { addr: '10.0.0.3', port: 40003 };
export const C4: Endpoint = { addr: '10.0.0.4', port: 40004 };
export const C5: Endpoint = { addr: '10.0.0.5', port: 40005 };
export const S1: Endpoint = { addr: '192.0.2.1', port: 80 };

/** Frame options other than the endpoints and TCP fields (IPv6 extensions, fragments, snaplen, VLAN…). */
export type FrameOptions = Omit<
  Partial<TcpFrameSpec>,
  'src' | 'dst' | 'srcPort' | 'dstPort' | 'flags' | 'seq' | 'ack' | 'payloadLength'
>;

export interface TcpRecord {
  /** Seconds after BASE_SEC, decimal text with at most 9 decimals. */
  t: string;
  from: Endpoint;
  to: Endpoint;
  /** tcpdump letters: S syn, A ack, F fin, R rst, P push. */
  flags: string;
  seq: number;
  ack: number;
  payload: number;
  frame: FrameOptions;
}

/** A record holding a frame built elsewhere (a non-first fragment…). */
export interface FrameRecord {
  t: string;
  built: BuiltFrame;
}

export type ScenarioRecord = TcpRecord | FrameRecord;

/** A TCP segment record. */
export function tcp(
  t: string,
  from: Endpoint,
  to: Endpoint,
  flags = 'A',
  more: { seq?: number; ack?: number; payload?: number; frame?: FrameOptions } = {},
): TcpRecord {
  return { t, from, to, flags, seq: more.seq ?? 0, ack: more.ack ?? 0, payload: more.payload ?? 0, frame: more.frame ?? {} };
}

/** A record carrying a ready frame. */
export function rawFrame(t: string, built: BuiltFrame): FrameRecord {
  return { t, built };
}

const FLAG_BITS: Readonly<Record<string, number>> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10 };

/** The TCP flags byte of tcpdump letters ('SA' = SYN + ACK). */
export function flagsByte(letters: string): number {
  let byte = 0;
  for (const letter of letters) {
    const bit = FLAG_BITS[letter];
    if (bit === undefined) throw new Error(`unknown TCP flag letter '${letter}'`);
    byte |= bit;
  }
  return byte;
}

/** Decimal seconds text → [whole seconds, nanoseconds], exactly from the digits. */
export function timePair(t: string): [number, number] {
  const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(t);
  if (!m) throw new Error(`bad scenario time '${t}'`);
  return [Number(m[1]), Number((m[2] ?? '').padEnd(9, '0'))];
}

/** The frame of a TCP record. */
export function frameOf(r: TcpRecord): BuiltFrame {
  return buildTcpFrame({
    ...r.frame,
    src: r.from.addr,
    dst: r.to.addr,
    srcPort: r.from.port,
    dstPort: r.to.port,
    flags: flagsByte(r.flags),
    seq: r.seq,
    ack: r.ack,
    payloadLength: r.payload,
  });
}

export interface CaptureOptions {
  /** Epoch second the record times count from; default BASE_SEC. */
  baseSec?: number;
  /** The file header's snaplen; default the writer's (262144). */
  snaplen?: number;
}

/** A nanosecond classic pcap (Ethernet) holding the records in list order. */
export function captureBytes(records: readonly ScenarioRecord[], options: CaptureOptions = {}): Buffer {
  const baseSec = options.baseSec ?? BASE_SEC;
  const sink = new MemorySink();
  const writer = new PcapWriter(sink, { linkType: 1, nanosecond: true, snaplen: options.snaplen });
  for (const r of records) {
    const built = 'built' in r ? r.built : frameOf(r);
    if (built.linkType !== 1) throw new Error('scenario captures are Ethernet');
    const [sec, nsec] = timePair(r.t);
    writer.writePacket(baseSec + sec, nsec, built.data, built.originalLength);
  }
  return sink.toBuffer();
}

/** A fresh per-test directory; remove it with `removeDir`. */
export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'anycast-replay-e2e-connections-'));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes the scenario's capture (gzip-compressed with `gzip: true`) to `dir/name`; returns its path. */
export function writeCapture(
  dir: string,
  name: string,
  records: readonly ScenarioRecord[],
  options: CaptureOptions & { gzip?: boolean } = {},
): string {
  const bytes = captureBytes(records, options);
  const file = path.join(dir, name);
  fs.writeFileSync(file, options.gzip ? zlib.gzipSync(bytes) : bytes);
  return file;
}

/** The CSV header line of the `connections` rows. */
export const HEADER = CONNECTION_COLUMNS.join(',');

export interface ConnectionsRun {
  /** Each row as it was handed out, fields joined by ',' (no field holds a comma). */
  rows: string[];
  result: ConnectionsResult;
}

/** Runs `connections` and collects its rows in the order they were written. */
export async function runRows(
  files: readonly string[],
  options: ReplayOptions = {},
  handlers: Omit<ConnectionsHandlers, 'row'> = {},
): Promise<ConnectionsRun> {
  const rows: string[] = [];
  const result = await runConnections(files, options, { ...handlers, row: (fields) => rows.push(fields.join(',')) });
  return { rows, result };
}

/** Epoch text of a scenario time (BASE_SEC + t), 9 decimals: what the rows print. */
export function epoch(t: string, baseSec = BASE_SEC): string {
  const [sec, nsec] = timePair(t);
  return `${baseSec + sec}.${String(nsec).padStart(9, '0')}`;
}
