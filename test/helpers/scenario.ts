/**
 * Scenario captures for tests: a list of TCP packets described by time,
 * endpoints by name, flags and payload length, written with the project's own
 * writer (src/reader/writer.ts) and frame builder (src/synth/frames.ts).
 *
 *   const pcap = scenarioCapture([
 *     { t: '0.1', from: 'c1', to: 's1', flags: 'S' },
 *     { t: '0.15', from: 's1', to: 'c1', flags: 'SA' },
 *     { t: '0.2', from: 'c1', to: 's1', flags: 'PA', payload: 100 },
 *   ]);
 *
 * - Endpoint names: `c<k>` is client 10.0.0.k port 40000 + k, `s<k>` is server
 *   192.0.2.k port 80 (k = 1 … 254), unless `options.endpoints` names them
 *   (IPv6 addresses work too; both ends of a packet must be the same family).
 * - Times `t` are seconds after `options.baseSec` (default 1 700 000 000),
 *   as decimal text ('0.25') or a number; they are converted to whole
 *   nanoseconds exactly from the decimal text, never through float products.
 * - Flags are tcpdump's letters (S syn, A ack, F fin, R rst, P push, U urg) or
 *   the flags byte; default 'A'.
 * - Sequence and acknowledgment numbers follow the conversation unless given:
 *   each direction of an endpoint pair starts at its own initial sequence
 *   number (`isn`, default 1000·(pair number) per direction) and advances by the
 *   payload and by one for SYN and FIN; an ACK acknowledges what the other
 *   direction has sent so far. A packet with an explicit `seq` moves its
 *   direction on from there (so a new ISN after a FIN is one `seq` away).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MemorySink, PcapWriter, PcapngWriter } from '../../src/reader/writer.js';
import { buildTcpFrame, type LinkOptions } from '../../src/synth/frames.js';
import { gzipBytes } from '../../src/reader/damage.js';

export interface Endpoint {
  addr: string;
  port: number;
}

export interface ScenarioPacket {
  /** Seconds after the base second, decimal text or number (at most 9 decimals). */
  t: string | number;
  /** Sender's endpoint name. */
  from: string;
  /** Receiver's endpoint name; default: the first endpoint `from` talked with, else `s1` (or `c1` from a server). */
  to?: string;
  /** tcpdump letters ('S', 'SA', 'PA', 'FA', 'R') or the flags byte; default 'A'. */
  flags?: string | number;
  /** TCP payload bytes (zero-filled); default 0. */
  payload?: number;
  /** Explicit sequence number (the direction continues from it). */
  seq?: number;
  /** Explicit acknowledgment number. */
  ack?: number;
  /** Further frame options (VLAN tags, snaplen…), passed to buildTcpFrame. */
  link?: LinkOptions;
}

export type ScenarioFormat = 'pcap' | 'pcap-ns' | 'pcapng';

export interface ScenarioOptions {
  /** Names beyond (or replacing) the default c<k> / s<k>. */
  endpoints?: Readonly<Record<string, Endpoint>>;
  /** Epoch second the packet times count from; default 1 700 000 000. */
  baseSec?: number;
  /** Default 'pcap-ns' (nanosecond pcap, so every time survives exactly). */
  format?: ScenarioFormat;
  bigEndian?: boolean;
  /** Initial sequence numbers by direction, keyed `from>to`. */
  isn?: Readonly<Record<string, number>>;
}

export const DEFAULT_BASE_SEC = 1_700_000_000;

const FLAG_BITS: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20 };

/** The flags byte of tcpdump-style letters ('SA' = SYN+ACK), or a number as is. */
export function tcpFlags(flags: string | number | undefined): number {
  if (flags === undefined) return FLAG_BITS.A;
  if (typeof flags === 'number') return flags;
  let byte = 0;
  for (const letter of flags.toUpperCase()) {
    const bit = FLAG_BITS[letter];
    if (bit === undefined) throw new Error(`unknown TCP flag letter '${letter}' in '${flags}'`);
    byte |= bit;
  }
  return byte;
}

/** The endpoint a name stands for (c<k>, s<k>, or one of `extra`). */
export function endpoint(name: string, extra: Readonly<Record<string, Endpoint>> = {}): Endpoint {
  const given = extra[name];
  if (given !== undefined) return given;
  const m = /^([cs])(\d+)$/.exec(name);
  if (m) {
    const k = Number(m[2]);
    if (k >= 1 && k <= 254) return m[1] === 'c' ? { addr: `10.0.0.${k}`, port: 40_000 + k } : { addr: `192.0.2.${k}`, port: 80 };
  }
  throw new Error(`unknown endpoint '${name}' (use c1…c254, s1…s254 or options.endpoints)`);
}

/** Seconds as decimal text or number → [whole seconds, nanoseconds], exactly from the decimal digits. */
export function secondsToPair(t: string | number): [number, number] {
  const text = typeof t === 'number' ? t.toFixed(9) : t.trim();
  const m = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text);
  if (!m) throw new Error(`time '${text}' is not a non-negative number of seconds with at most 9 decimals`);
  return [Number(m[1]), Number((m[2] ?? '').padEnd(9, '0'))];
}

interface Direction {
  next: number;
}

/** The frames of a scenario, in list order, with their (sec, nsec) times. */
export function scenarioFrames(
  packets: readonly ScenarioPacket[],
  options: ScenarioOptions = {},
): { sec: number; nsec: number; data: Uint8Array; originalLength: number; linkType: number }[] {
  const baseSec = options.baseSec ?? DEFAULT_BASE_SEC;
  const extra = options.endpoints ?? {};
  const directions = new Map<string, Direction>();
  const pairs = new Map<string, number>();
  const peers = new Map<string, string>();
  const direction = (from: string, to: string): Direction => {
    const key = `${from}>${to}`;
    let d = directions.get(key);
    if (d === undefined) {
      const pairKey = [from, to].sort().join('|');
      let pair = pairs.get(pairKey);
      if (pair === undefined) {
        pair = pairs.size + 1;
        pairs.set(pairKey, pair);
      }
      const isn = options.isn?.[key] ?? 1000 * pair + (from < to ? 0 : 500);
      d = { next: isn >>> 0 };
      directions.set(key, d);
    }
    return d;
  };
  return packets.map((p) => {
    const to = p.to ?? peers.get(p.from) ?? (p.from.startsWith('s') ? 'c1' : 's1');
    if (!peers.has(p.from)) peers.set(p.from, to);
    if (!peers.has(to)) peers.set(to, p.from);
    const src = endpoint(p.from, extra);
    const dst = endpoint(to, extra);
    const flags = tcpFlags(p.flags);
    const payload = p.payload ?? 0;
    const out = direction(p.from, to);
    const back = direction(to, p.from);
    const seq = (p.seq ?? out.next) >>> 0;
    const ack = p.ack ?? (flags & FLAG_BITS.A ? back.next : 0);
    out.next = (seq + payload + (flags & FLAG_BITS.S ? 1 : 0) + (flags & FLAG_BITS.F ? 1 : 0)) >>> 0;
    const frame = buildTcpFrame({
      ...p.link,
      src: src.addr,
      dst: dst.addr,
      srcPort: src.port,
      dstPort: dst.port,
      flags,
      seq,
      ack: ack >>> 0,
      payloadLength: payload,
    });
    const [sec, nsec] = secondsToPair(p.t);
    return { sec: baseSec + sec, nsec, data: frame.data, originalLength: frame.originalLength, linkType: frame.linkType };
  });
}

/** The capture file bytes of a scenario. */
export function scenarioCapture(packets: readonly ScenarioPacket[], options: ScenarioOptions = {}): Buffer {
  const frames = scenarioFrames(packets, options);
  const linkType = frames[0]?.linkType ?? 1;
  for (const f of frames) {
    if (f.linkType !== linkType) throw new Error('a scenario capture holds one link type');
  }
  const sink = new MemorySink();
  const format = options.format ?? 'pcap-ns';
  if (format === 'pcapng') {
    const w = new PcapngWriter(sink, { bigEndian: options.bigEndian });
    const iface = w.addInterface({ linkType, tsresol: { base: 10, exp: 9 } });
    for (const f of frames) w.writeEnhancedPacket(iface, f.sec, f.nsec, f.data, f.originalLength);
  } else {
    const w = new PcapWriter(sink, { linkType, nanosecond: format === 'pcap-ns', bigEndian: options.bigEndian });
    for (const f of frames) w.writePacket(f.sec, f.nsec, f.data, f.originalLength);
  }
  return sink.toBuffer();
}

/** A fresh per-test directory under the OS temp dir (remove it with `fs.rmSync(dir, { recursive: true })`). */
export function tempDir(prefix = 'anycast-replay-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes a scenario capture (gzip-compressed with `gzip: true`) to `dir/name`; returns the path. */
export function writeScenario(
  dir: string,
  name: string,
  packets: readonly ScenarioPacket[],
  options: ScenarioOptions & { gzip?: boolean } = {},
): string {
  const file = path.join(dir, name);
  const bytes = scenarioCapture(packets, options);
  fs.writeFileSync(file, options.gzip ? gzipBytes(bytes) : bytes);
  return file;
}

/** The project root (where bin/ and dist/ are). */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The CLI entry, run with `node` (needs `npm run build` first). */
export const CLI_BIN = path.join(PROJECT_ROOT, 'bin', 'anycast-replay.js');

/**
 * Puts an `anycast-replay` command (a shell wrapper around CLI_BIN) in
 * `dir/bin`, for scripts that call it by name as the docs do; returns that
 * directory and `base` with it first on the PATH.
 */
export function cliOnPath(dir: string, base: NodeJS.ProcessEnv = process.env): { bin: string; env: NodeJS.ProcessEnv } {
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'anycast-replay'), `#!/bin/sh\nexec "${process.execPath}" "${CLI_BIN}" "$@"\n`, { mode: 0o755 });
  return { bin, env: { ...base, PATH: `${bin}:${process.env.PATH ?? ''}` } };
}

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment for a spawned CLI: the test's own, without the debug switch (stack traces). */
export function cliEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.ANYCAST_REPLAY_DEBUG;
  return env;
}

/** Runs the built CLI synchronously with `args` (and `input` on standard input). */
export function runCli(args: readonly string[], options: { input?: Uint8Array; cwd?: string } = {}): CliRun {
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    env: cliEnv(),
  });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
