/**
 * Hostile captures (issue 8 item 7): the case builder and the in-process case
 * runner shared by the fixed-seed sample in `npm test` (test/fuzz/) and the
 * long runner (`npm run fuzz`, scripts/fuzz.mjs). Plain JavaScript over the
 * built library (dist/), so that both can load it without a TypeScript step;
 * the types are in fuzz-cases.d.mts.
 *
 * A case = a valid base capture written by the project's own writer
 * (src/reader/writer.ts) from a small spec, then up to three mutations of the
 * plain bytes, then (for gzip cases) up to two mutations of the compressed
 * bytes. Every part of a case is a fast-check value, so a failure shrinks and
 * replays from its seed and path. docs/fuzzing.md describes the mutations and
 * the invariants.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';

export { fc };
import { MemorySink, PcapWriter, PcapngWriter } from '../dist/reader/writer.js';
import { buildTcpFrame, buildUdpFrame } from '../dist/synth/frames.js';
import { ReplayError } from '../dist/errors.js';
import { errorLine } from '../dist/cli/error-line.js';
import { inspectCapture } from '../dist/info.js';
import { runReplay } from '../dist/replay.js';
import { runConnections } from '../dist/connections.js';
import { readCapture } from '../dist/reader/source.js';

/** Exit codes the CLI documents (SPEC §2a), signals aside. 70 (internal error) is never acceptable. */
export const DOCUMENTED_EXIT_CODES = Object.freeze([0, 1, 2]);

/** Peak resident memory bound of one run, bytes (issue 8 item 7). */
export const RSS_LIMIT_BYTES = 256 * 1024 * 1024;

/**
 * Most stderr lines one CLI run may print: one error line plus warning lines,
 * aggregated to one line per kind and file (SPEC §2a; the aggregation is
 * another part of issue 8). Generous on purpose: this guards against a line
 * per packet, not against a new warning kind.
 */
export const MAX_STDERR_LINES = 12;

/** Hang guard per case, in-process (all three runs of one small capture), milliseconds. */
export const CASE_TIME_LIMIT_MS = 10_000;

// ---------------------------------------------------------------------------
// Base captures

const FORMATS = ['pcap', 'pcap-ns', 'pcap-be', 'pcap-ns-be', 'pcapng', 'pcapng-be', 'pcapng-multi'];
/** Link types the frame builder writes (Ethernet, raw IP, SLL, SLL2, BSD null). */
const LINK_TYPES = [1, 101, 113, 276, 0];
/** if_tsresol values written in IDBs (-1 = option absent): 10^-6, 10^-9, 10^-3, 10^0, 2^-10, 2^-30. */
const TSRESOLS = [-1, 6, 9, 3, 0, 0x80 | 10, 0x80 | 30];
const START_SECONDS = [0, 1, 1_700_000_000, 4_294_967_295];

export const baseArb = fc.record({
  format: fc.constantFrom(...FORMATS),
  packets: fc.integer({ min: 0, max: 12 }),
  linkType: fc.constantFrom(...LINK_TYPES),
  ipv6: fc.boolean(),
  snaplen: fc.constantFrom(0, 0, 68, 40),
  tsresol: fc.constantFrom(...TSRESOLS),
  startSec: fc.constantFrom(...START_SECONDS),
  gapUs: fc.integer({ min: 0, max: 3_000_000 }),
  gzip: fc.boolean().chain((b) => (b ? fc.boolean() : fc.constant(false))),
});

/** Pattern of packets, by index mod 8: a whole connection, a reset, a UDP datagram. */
const TCP_SYN = 0x02;
const TCP_ACK = 0x10;
const TCP_FIN = 0x01;
const TCP_RST = 0x04;
const PATTERN = [
  { c2s: true, flags: TCP_SYN, payload: 0 },
  { c2s: false, flags: TCP_SYN | TCP_ACK, payload: 0 },
  { c2s: true, flags: TCP_ACK, payload: 120 },
  { c2s: false, flags: TCP_ACK, payload: 1400 },
  { c2s: true, flags: TCP_FIN | TCP_ACK, payload: 0 },
  { c2s: false, flags: TCP_FIN | TCP_ACK, payload: 0 },
  { c2s: true, flags: TCP_RST, payload: 0 },
  { udp: true },
];

function frameFor(base, i) {
  const p = PATTERN[i % PATTERN.length];
  const conn = Math.floor(i / PATTERN.length);
  const client = base.ipv6 ? `2001:db8::${conn + 1}` : `10.0.${conn}.1`;
  const server = base.ipv6 ? '2001:db8::ff' : '192.0.2.80';
  const link = { linkType: base.linkType };
  if (base.snaplen > 0) link.snaplen = base.snaplen;
  if (p.udp) return buildUdpFrame({ ...link, src: client, dst: server, srcPort: 5353, dstPort: 53, payloadLength: 30 });
  const clientPort = 40_000 + conn;
  return buildTcpFrame({
    ...link,
    src: p.c2s ? client : server,
    dst: p.c2s ? server : client,
    srcPort: p.c2s ? clientPort : 80,
    dstPort: p.c2s ? 80 : clientPort,
    seq: p.c2s ? 1000 : 5000,
    ack: p.flags & TCP_ACK ? 1 : 0,
    flags: p.flags,
    payloadLength: p.payload,
  });
}

/**
 * Writes the base capture. Returns the plain bytes and their layout: the
 * record/block boundaries and the 32-bit fields a mutation may aim at, each
 * with the byte order of its section.
 */
export function buildBase(base) {
  const sink = new MemorySink();
  const bounds = [0];
  /** 32-bit length fields: { at, le }. */
  const lengths = [];
  /** 64-bit timestamps: { at, le, pcapng }. */
  const times = [];
  /** Bytes holding an if_tsresol value, and if_tsoffset values (8 bytes). */
  const tsresols = [];
  const tsoffsets = [];
  let packets = 0;
  const mark = () => bounds.push(sink.pos);

  if (base.format.startsWith('pcap') && !base.format.startsWith('pcapng')) {
    const le = !base.format.endsWith('-be');
    const w = new PcapWriter(sink, {
      linkType: base.linkType,
      nanosecond: base.format.startsWith('pcap-ns'),
      bigEndian: !le,
      snaplen: base.snaplen > 0 ? base.snaplen : 262_144,
    });
    lengths.push({ at: 16, le });
    mark();
    for (let i = 0; i < base.packets; i++) {
      const f = frameFor(base, i);
      const at = sink.pos;
      w.writePacket(base.startSec, 0, f.data, f.originalLength);
      // The writer takes whole seconds; spread the records by rewriting the fraction below.
      writeTime(sink.buf, at, base, i, le, base.format.startsWith('pcap-ns'));
      lengths.push({ at: at + 8, le }, { at: at + 12, le });
      times.push({ at, le, pcapng: false });
      packets++;
      mark();
    }
    return { bytes: sink.toBuffer(), bounds, lengths, times, tsresols, tsoffsets, packets, pcapng: false };
  }

  const sections = base.format === 'pcapng-multi' ? [true, false] : [base.format !== 'pcapng-be'];
  const w = new PcapngWriter(sink, { bigEndian: !sections[0] });
  sections.forEach((le, s) => {
    if (s > 0) w.startSection({ bigEndian: !le });
    const shbAt = bounds[bounds.length - 1];
    lengths.push({ at: shbAt + 4, le }, { at: sink.pos - 4, le });
    mark();
    const ifaces = base.format === 'pcapng-multi' ? 2 : 1;
    for (let k = 0; k < ifaces; k++) {
      const at = sink.pos;
      const opts = { linkType: base.linkType, snaplen: base.snaplen };
      if (base.tsresol >= 0) {
        const exp = base.tsresol & 0x7f;
        opts.tsresol = { base: base.tsresol & 0x80 ? 2 : 10, exp };
      }
      if (k === 1) opts.tsoffsetSec = 0;
      w.addInterface(opts);
      lengths.push({ at: at + 4, le }, { at: at + 12, le }, { at: sink.pos - 4, le });
      if (base.tsresol >= 0) tsresols.push(at + 20);
      if (k === 1) tsoffsets.push({ at: at + (base.tsresol >= 0 ? 28 : 20), le });
      mark();
    }
    if (base.format === 'pcapng-multi') {
      const at = sink.pos;
      w.writeNameResolutionIpv4(Uint8Array.of(192, 0, 2, 80), 'server.example');
      lengths.push({ at: at + 4, le }, { at: sink.pos - 4, le });
      mark();
    }
    for (let i = 0; i < base.packets; i++) {
      const f = frameFor(base, i);
      const at = sink.pos;
      const kind = base.format === 'pcapng-multi' ? i % 4 : 0;
      if (kind === 3) {
        w.writeSimplePacket(f.data, f.originalLength);
        lengths.push({ at: at + 4, le }, { at: at + 8, le }, { at: sink.pos - 4, le });
      } else {
        const iface = base.format === 'pcapng-multi' ? i % 2 : 0;
        const totalUs = i * base.gapUs;
        const sec = base.startSec + Math.floor(totalUs / 1e6);
        const nsec = (totalUs % 1e6) * 1000;
        if (kind === 2) w.writeObsoletePacket(iface, sec, nsec, f.data, f.originalLength);
        else w.writeEnhancedPacket(iface, sec, nsec, f.data, f.originalLength);
        lengths.push({ at: at + 4, le }, { at: at + 20, le }, { at: at + 24, le }, { at: sink.pos - 4, le });
        times.push({ at: at + 12, le, pcapng: true });
      }
      packets++;
      mark();
    }
  });
  return { bytes: sink.toBuffer(), bounds, lengths, times, tsresols, tsoffsets, packets, pcapng: true };
}

/** Sets a pcap record's fraction field so that record i is startSec + i·gap (microsecond/nanosecond file). */
function writeTime(buf, at, base, i, le, nano) {
  const totalUs = i * base.gapUs;
  const sec = base.startSec + Math.floor(totalUs / 1e6);
  if (sec > 0xffffffff) return;
  const frac = nano ? (totalUs % 1e6) * 1000 : totalUs % 1e6;
  putU32(buf, at, sec, le);
  putU32(buf, at + 4, frac, le);
}

function putU32(b, p, v, le) {
  v >>>= 0;
  if (le) {
    b[p] = v & 0xff;
    b[p + 1] = (v >>> 8) & 0xff;
    b[p + 2] = (v >>> 16) & 0xff;
    b[p + 3] = v >>> 24;
  } else {
    b[p] = v >>> 24;
    b[p + 1] = (v >>> 16) & 0xff;
    b[p + 2] = (v >>> 8) & 0xff;
    b[p + 3] = v & 0xff;
  }
}

// ---------------------------------------------------------------------------
// Mutations

const u32Arb = fc.integer({ min: 0, max: 0xffffffff });

/** A length to write: 0, small, just over a cap, huge, all ones, anything. */
export const lengthValueArb = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 64 }),
  fc.constantFrom(0xffffffff, 0x80000000, 0x7fffffff, 65_535, 262_144, 262_145, 16 * 1024 * 1024, 16 * 1024 * 1024 + 4),
  u32Arb,
);

/** Block types to insert: unknown ones, and known ones with arbitrary bodies. */
const blockTypeArb = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7, 0x0a0d0d0a, 0x80000001, 0x00000bad),
  u32Arb,
);

export const mutationArb = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('flip'), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('byte'), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('length'), field: fc.nat(), value: lengthValueArb }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('cut'), boundary: fc.nat(), delta: fc.integer({ min: -12, max: 12 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('insert'),
      boundary: fc.nat(),
      type: blockTypeArb,
      bodyWords: fc.integer({ min: 0, max: 12 }),
      trailerDelta: fc.constantFrom(0, 0, 0, 4, -4, 1, 0x10000),
      fill: fc.integer({ min: 0, max: 255 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tsresol'), value: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tsoffset'), hi: u32Arb, lo: u32Arb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('time'), record: fc.nat(), hi: u32Arb, lo: u32Arb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('duplicate'), record: fc.nat() }) },
);

export const gzipMutationArb = fc.oneof(
  fc.record({ kind: fc.constant('gz-cut'), at: fc.nat() }),
  fc.record({ kind: fc.constant('gz-flip'), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('gz-trailer'), byte: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('gz-append'), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('gz-concat') }),
);

/** Options of the in-process runs: mostly defaults, sometimes strict, a tiny table, a window, another interval. */
export const runOptionsArb = fc.record({
  strict: fc.constantFrom(false, false, false, true),
  maxConnections: fc.option(fc.integer({ min: 1, max: 3 }), { freq: 3 }),
  idleTimeout: fc.option(fc.constantFrom('0', '1'), { freq: 3 }),
  window: fc.option(fc.constantFrom(['0.5', undefined], [undefined, '2'], ['1', '1.000000001']), { freq: 4 }),
  // Not below 0.25 s: a time jump of 2^48 s at a microsecond interval makes
  // more than 2^53 samples, whose counts no longer add up exactly (the known
  // sampler issue in docs/fuzzing.md; test/fuzz/hostile.test.ts keeps a case).
  interval: fc.option(fc.constantFrom('0.25', '1', '7'), { freq: 3 }),
  // Read size of an extra reader-only pass: records straddling chunks.
  // Tiny reads are slow (one read per byte): rare.
  chunkSize: fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 1, max: 8 }) }, { weight: 9, arbitrary: fc.integer({ min: 9, max: 300 }) }),
});

export const caseArb = fc.record({
  base: baseArb,
  mutations: fc.array(mutationArb, { minLength: 0, maxLength: 3 }),
  gzipMutations: fc.array(gzipMutationArb, { minLength: 0, maxLength: 2 }),
  options: runOptionsArb,
});

/** Applies the plain-byte mutations (field edits first, then insertions, then cuts) and gzips. */
export function materialize(c) {
  const layout = buildBase(c.base);
  let bytes = Buffer.from(layout.bytes);
  let bounds = layout.bounds.slice();
  const edits = c.mutations.filter((m) => m.kind !== 'insert' && m.kind !== 'duplicate' && m.kind !== 'cut');
  const inserts = c.mutations.filter((m) => m.kind === 'insert' || m.kind === 'duplicate');
  const cuts = c.mutations.filter((m) => m.kind === 'cut');
  for (const m of edits) {
    switch (m.kind) {
      case 'flip':
        if (bytes.length > 0) bytes[m.at % bytes.length] ^= 1 << m.bit;
        break;
      case 'byte':
        if (bytes.length > 0) bytes[m.at % bytes.length] = m.value;
        break;
      case 'length': {
        const f = layout.lengths[m.field % Math.max(layout.lengths.length, 1)];
        if (f !== undefined) putU32(bytes, f.at, m.value, f.le);
        break;
      }
      case 'tsresol':
        if (layout.tsresols.length > 0) for (const at of layout.tsresols) bytes[at] = m.value;
        else if (!layout.pcapng && bytes.length >= 4) putU32(bytes, 0, m.value & 1 ? 0xa1b23c4d : 0xa1b2c3d4, true);
        break;
      case 'tsoffset': {
        const f = layout.tsoffsets[0];
        if (f !== undefined) {
          putU32(bytes, f.at, f.le ? m.lo : m.hi, f.le);
          putU32(bytes, f.at + 4, f.le ? m.hi : m.lo, f.le);
        }
        break;
      }
      case 'time': {
        const t = layout.times[m.record % Math.max(layout.times.length, 1)];
        if (t !== undefined) {
          putU32(bytes, t.at, m.hi, t.le);
          // pcap: seconds then fraction (out of range when ≥ 10^6 or 10^9);
          // pcapng: the 64-bit unit count, high word first.
          putU32(bytes, t.at + 4, m.lo, t.le);
        }
        break;
      }
    }
  }
  // Insertions from the last boundary to the first, so earlier positions stay valid.
  const ordered = inserts
    .map((m) => ({ m, b: m.kind === 'insert' ? m.boundary % bounds.length : m.record % Math.max(bounds.length - 1, 1) }))
    .sort((x, y) => y.b - x.b);
  for (const { m, b } of ordered) {
    let piece;
    let at;
    if (m.kind === 'insert') {
      at = bounds[b];
      const le = sectionLe(layout, bytes, at);
      const len = 12 + 4 * m.bodyWords;
      piece = Buffer.alloc(len, m.fill);
      putU32(piece, 0, m.type, le);
      putU32(piece, 4, len, le);
      putU32(piece, len - 4, (len + m.trailerDelta) >>> 0, le);
    } else {
      if (bounds.length < 2) continue;
      at = bounds[b + 1];
      piece = bytes.subarray(bounds[b], bounds[b + 1]);
    }
    bytes = Buffer.concat([bytes.subarray(0, at), piece, bytes.subarray(at)]);
    bounds = bounds.map((x) => (x >= at ? x + piece.length : x));
    bounds.push(at);
    bounds.sort((x, y) => x - y);
  }
  for (const m of cuts) {
    const at = Math.max(0, Math.min(bytes.length, bounds[m.boundary % bounds.length] + m.delta));
    bytes = bytes.subarray(0, at);
  }
  let out = Buffer.from(bytes);
  if (c.base.gzip) {
    const plain = out;
    out = zlib.gzipSync(plain, { level: 6 });
    for (const m of c.gzipMutations) {
      switch (m.kind) {
        case 'gz-cut':
          out = out.subarray(0, m.at % (out.length + 1));
          break;
        case 'gz-flip':
          if (out.length > 0) {
            out = Buffer.from(out);
            out[m.at % out.length] ^= 1 << m.bit;
          }
          break;
        case 'gz-trailer':
          if (out.length >= m.byte) {
            out = Buffer.from(out);
            out[out.length - m.byte] ^= 0x5a;
          }
          break;
        case 'gz-append':
          out = Buffer.concat([out, m.bytes]);
          break;
        case 'gz-concat':
          out = Buffer.concat([out, zlib.gzipSync(plain, { level: 1 })]);
          break;
      }
    }
  }
  const pristine = c.mutations.length === 0 && (!c.base.gzip || c.gzipMutations.length === 0);
  return { bytes: out, packets: layout.packets, pristine };
}

/** Byte order of the pcapng section holding `at` (the last SHB before it), or the file's for pcap. */
function sectionLe(layout, bytes, at) {
  if (!layout.pcapng) return bytes.length >= 4 ? bytes[0] === 0xd4 || bytes[0] === 0x4d : true;
  let le = true;
  for (const b of layout.bounds) {
    if (b >= at || b + 12 > bytes.length) break;
    if (bytes.readUInt32LE(b) === 0x0a0d0d0a) le = bytes[b + 8] === 0x4d;
  }
  return le;
}

// ---------------------------------------------------------------------------
// Running a case in-process

/** The library options of a case (what the CLI would pass for the same flags). */
export function replayOptionsOf(o) {
  const out = { policy: ['all'], strict: o.strict };
  if (o.maxConnections !== null) out.maxConnections = o.maxConnections;
  if (o.idleTimeout !== null) out.idleTimeout = o.idleTimeout;
  if (o.window !== null) {
    if (o.window[0] !== undefined) out.from = o.window[0];
    if (o.window[1] !== undefined) out.to = o.window[1];
  }
  if (o.interval !== null) out.interval = o.interval;
  return out;
}

/** The equivalent CLI arguments (after the file). */
export function cliArgsOf(o) {
  const r = replayOptionsOf(o);
  const args = ['--policy', 'all'];
  if (r.strict) args.push('--strict');
  if (r.maxConnections !== undefined) args.push('--max-connections', String(r.maxConnections));
  if (r.idleTimeout !== undefined) args.push('--idle-timeout', r.idleTimeout);
  if (r.from !== undefined) args.push('--from', r.from);
  if (r.to !== undefined) args.push('--to', r.to);
  if (r.interval !== undefined) args.push('--interval', r.interval);
  return args;
}

/** The CLI arguments of `connections` for the same options (tracking flags only). */
export function cliTrackingArgsOf(o) {
  const args = cliArgsOf(o);
  const out = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--policy' || args[i] === '--interval') i++;
    else out.push(args[i]);
  }
  return out;
}

/**
 * What one library run ended in: `{ ok: true, packets }` or
 * `{ ok: false, exit, line, code }`. An error that is not a ReplayError is
 * returned as exit 70 (what the CLI would print as an internal error).
 */
async function outcome(run) {
  try {
    const packets = await run();
    return { ok: true, exit: 0, packets };
  } catch (err) {
    const { line, code } = errorLine(err);
    return { ok: false, exit: code, line, code: err instanceof ReplayError ? err.code : 'INTERNAL' };
  }
}

/**
 * Runs one capture (already on disk at `file`) through `info`, the replay and
 * `connections` in-process and returns the list of broken invariants (empty
 * when the case passes):
 * - every failure is a ReplayError (never exit 70) whose line is one line;
 * - the exit code is in the documented set;
 * - the commands agree: the replay and `connections` end in the same error
 *   code or read the same packets; `info` ends in the same code too unless a
 *   --from/--to window hides part of the capture from the others;
 * - the reader alone, in chunks of `expect.chunkSize` bytes, gives the same
 *   records and cut offset, or the same error at the same offset;
 * - a pristine case (no mutation) succeeds and reads every packet (under
 *   --strict it may fail with STRICT_WARNING: its times may step back);
 * - resident memory stays under RSS_LIMIT_BYTES; the case ends within CASE_TIME_LIMIT_MS.
 */
export async function checkCaptureFile(file, options, expect = {}) {
  const started = Date.now();
  const problems = [];
  const results = {
    info: await outcome(async () => (await inspectCapture(file, { strict: options.strict })).packets),
    replay: await outcome(async () => (await runReplay([file], options)).stats.packets),
    connections: await outcome(async () => {
      let rows = 0;
      const r = await runConnections([file], options, { row: () => void rows++ });
      if (rows !== r.connections) throw new Error(`connections: ${rows} rows for ${r.connections} connections`);
      return r.stats.packets;
    }),
  };
  for (const [name, r] of Object.entries(results)) {
    if (!DOCUMENTED_EXIT_CODES.includes(r.exit)) problems.push(`${name}: exit ${r.exit}: ${r.line}`);
    if (!r.ok && r.line.includes('\n')) problems.push(`${name}: error message spans lines: ${JSON.stringify(r.line)}`);
    if (!r.ok && !r.line.startsWith('anycast-replay: ')) problems.push(`${name}: bad error line ${JSON.stringify(r.line)}`);
  }
  const { info, replay, connections } = results;
  // The reader alone, in small chunks: the same records, cut and error as in 1 MiB chunks.
  if (expect.chunkSize !== undefined) {
    const whole = await readOutcome(file, undefined);
    const chunked = await readOutcome(file, expect.chunkSize);
    if (whole !== chunked) problems.push(`reader in ${expect.chunkSize}-byte chunks: ${chunked}; in 1 MiB chunks: ${whole}`);
  }
  // info reads the whole file; under --from/--to the others see only the
  // window, so a time jump (a --strict failure) may be outside it.
  // Under --strict a warning only one command gives (the replay's "nothing
  // measured") fails that command alone.
  const windowed = options.from !== undefined || options.to !== undefined;
  const strictFailure = [info, replay, connections].some((r) => r.code === 'STRICT_WARNING');
  if (!strictFailure && ((!windowed && info.code !== replay.code) || replay.code !== connections.code)) {
    problems.push(`commands disagree: info ${info.code ?? 'ok'}, replay ${replay.code ?? 'ok'}, connections ${connections.code ?? 'ok'}`);
  }
  if (replay.ok && connections.ok && replay.packets !== connections.packets) {
    problems.push(`replay read ${replay.packets} packets, connections ${connections.packets}`);
  }
  if (expect.packets !== undefined) {
    const failed = [info, replay, connections].find((r) => !r.ok && !(options.strict && r.code === 'STRICT_WARNING'));
    if (failed !== undefined) problems.push(`pristine capture failed: ${failed.line}`);
    else if (info.ok && info.packets !== expect.packets) problems.push(`pristine capture: info read ${info.packets} of ${expect.packets} packets`);
  }
  const rss = process.memoryUsage().rss;
  if (rss > RSS_LIMIT_BYTES) problems.push(`resident memory ${Math.round(rss / 1048576)} MB over ${RSS_LIMIT_BYTES / 1048576} MB`);
  const elapsed = Date.now() - started;
  if (elapsed > CASE_TIME_LIMIT_MS) problems.push(`took ${elapsed} ms (bound ${CASE_TIME_LIMIT_MS} ms)`);
  return { problems, results, elapsedMs: elapsed };
}

/** `records N, cut at O` or the error code of one reader pass. */
async function readOutcome(file, chunkSize) {
  let records = 0;
  try {
    const info = await readCapture(file, () => void records++, { chunkSize });
    return `records ${records}, ${info.truncated ? `cut at ${info.truncatedOffset}` : 'whole'}`;
  } catch (err) {
    return err instanceof ReplayError ? `${err.code} at ${err.offset}` : `internal error: ${err?.message}`;
  }
}

/** Writes case `c` into `dir` and checks it; the returned bytes let a caller print a failure. */
export async function runCase(c, dir, name = 'case.pcap') {
  const m = materialize(c);
  const file = path.join(dir, name);
  fs.writeFileSync(file, m.bytes);
  const expect = { chunkSize: c.options.chunkSize };
  if (m.pristine) expect.packets = m.packets;
  const r = await checkCaptureFile(file, replayOptionsOf(c.options), expect);
  return { ...r, bytes: m.bytes, file };
}

/** `xx xx …` of the first `max` bytes. */
export function hexDump(bytes, max = 512) {
  const shown = Buffer.from(bytes.subarray(0, max)).toString('hex').replace(/(..)(?!$)/g, '$1 ');
  return bytes.length > max ? `${shown} … (${bytes.length} bytes)` : shown;
}
