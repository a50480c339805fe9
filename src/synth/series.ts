/**
 * `synth` captures as the library sees them (docs/synth.md): one capture of
 * the web or the Olympic profile, or an Olympic series of consecutive
 * segments named by their start time with a MANIFEST.
 *
 * Every segment is cut from one continuous simulation without running it
 * from the start: a connection's packets depend only on the seed and its own
 * (slot, rank) (src/synth/olympic.ts), and none lasts longer than
 * OLYMPIC_MAX_LIFETIME_SEC, so segment k is the simulation of the arrivals of
 * [start − that, end), writing only the packets in [start, end). Generating
 * a segment alone therefore gives the same bytes as generating it within the
 * series; the connections open at its start are seen mid-stream, as in a
 * real segment.
 */
import path from 'node:path';
import { ReplayError } from '../errors.js';
import { atomicFileSink, openByteTarget } from '../output/atomic-file.js';
import { csvLine } from '../output/csv.js';
import { CaptureOutput } from './capture-output.js';
import { ConnectionsTruthWriter } from './connections-truth.js';
import {
  OLYMPIC,
  OLYMPIC_ACCESS_LINKS,
  OLYMPIC_MAX_LIFETIME_SEC,
  OLYMPIC_MODEL,
  OLYMPIC_SERVERS_V4,
  OLYMPIC_SERVERS_V6,
  OlympicArrivals,
  RateCurve,
  checkPortWindow,
} from './olympic.js';
import { drain, drainAsync, type Slices } from './slices.js';
import { webTrafficSlices, type SynthLinkType, type WebTrafficOptions, type WebTrafficStats } from './web-traffic.js';

export type SynthProfile = 'web' | 'olympic';
export type SynthFormat = 'pcap' | 'pcap-ns' | 'pcapng';
export const SYNTH_FORMATS: readonly SynthFormat[] = ['pcap', 'pcap-ns', 'pcapng'];
export const SYNTH_PROFILES: readonly SynthProfile[] = ['web', 'olympic'];

/** What `synth` was asked for (the CLI's options, already parsed). */
export interface SynthOptions {
  profile: SynthProfile;
  seed: number;
  /** Connections per second (web: the Poisson rate; olympic: the mean over the profile's 14 days). */
  rate?: number;
  durationSec?: number;
  /** Epoch second of the capture's start (olympic: of the profile's origin). */
  startSec?: number;
  snaplen?: number;
  format: SynthFormat;
  linkType: SynthLinkType;
  ipv6?: number;
  gzip: boolean;
}

const NS_PER_SEC = 1_000_000_000;

function formatOptions(format: SynthFormat): Pick<WebTrafficOptions, 'format' | 'nanosecond'> {
  return format === 'pcapng' ? { format: 'pcapng' } : { format: 'pcap', nanosecond: format === 'pcap-ns' };
}

/** Servers of the Olympic profile: the IPv6 ones only when some clients are IPv6. */
function olympicServers(ipv6: number): string[] {
  return ipv6 > 0 ? [...OLYMPIC_SERVERS_V4, ...OLYMPIC_SERVERS_V6] : [...OLYMPIC_SERVERS_V4];
}

/** Defaults of each profile where the options leave a value out. */
export function resolveSynthOptions(o: SynthOptions): Required<SynthOptions> {
  const olympic = o.profile === 'olympic';
  return {
    profile: o.profile,
    seed: o.seed,
    rate: o.rate ?? (olympic ? OLYMPIC.totalConnections / (OLYMPIC.days * 86_400) : 100),
    durationSec: o.durationSec ?? 60,
    startSec: o.startSec ?? (olympic ? OLYMPIC.startSec : 886_809_600),
    snaplen: o.snaplen ?? (olympic ? OLYMPIC.snaplen : 262_144),
    format: o.format,
    linkType: o.linkType,
    ipv6: o.ipv6 ?? (olympic ? 0 : 0.2),
    gzip: o.gzip,
  };
}

/**
 * The generator options of one capture of `o` from `fromSec` (after the
 * curve's origin) for `durationSec`, the Olympic ones with their arrivals.
 */
function generatorOptions(o: Required<SynthOptions>, curve: RateCurve | undefined, fromSec: number, durationSec: number): WebTrafficOptions {
  const common: WebTrafficOptions = {
    seed: o.seed,
    durationSec,
    snaplen: o.snaplen,
    linkType: o.linkType,
    ipv6Fraction: o.ipv6,
    ...formatOptions(o.format),
  };
  if (curve === undefined) return { ...common, connectionRate: o.rate, startSec: o.startSec };
  const servers = olympicServers(o.ipv6);
  const arrivals = new OlympicArrivals({
    seed: o.seed,
    curve,
    fromSlot: fromSec - OLYMPIC_MAX_LIFETIME_SEC,
    toSlot: fromSec + durationSec,
    captureSlot: fromSec,
    ipv6Fraction: o.ipv6,
    servers: OLYMPIC_SERVERS_V4.length,
    accessLinks: OLYMPIC_ACCESS_LINKS,
  });
  return {
    ...common,
    startSec: o.startSec + fromSec,
    servers,
    serverPorts: [80],
    model: OLYMPIC_MODEL,
    accessLinks: OLYMPIC_ACCESS_LINKS,
    maxLifetimeSec: OLYMPIC_MAX_LIFETIME_SEC,
    arrivals,
  };
}

export interface CaptureRun {
  stats: WebTrafficStats;
  /** Rows of the ground truth written (when asked). */
  truthRows: number;
}

/**
 * Writes one capture of `o` into `out`: the web profile from an empty server,
 * or the Olympic profile at a constant rate (its mean unless `rate` is given)
 * after a pre-roll of one connection lifetime that is simulated, not written,
 * so the capture starts in steady state. `truth` receives the `connections`
 * CSV of the capture.
 */
export function writeSynthCapture(out: CaptureOutput, options: SynthOptions, hooks: CaptureHooks = {}): CaptureRun {
  return drain(synthCaptureSlices(out, options, hooks));
}

/** `writeSynthCapture` with a turn of the event loop between slices of packets (src/synth/slices.ts: signals get in). */
export function writeSynthCaptureAsync(out: CaptureOutput, options: SynthOptions, hooks: CaptureHooks = {}): Promise<CaptureRun> {
  return drainAsync(synthCaptureSlices(out, options, hooks));
}

export interface CaptureHooks {
  truth?: (text: string) => void;
  onProgress?: (packets: number, fileBytes: number) => void;
}

function* synthCaptureSlices(out: CaptureOutput, options: SynthOptions, hooks: CaptureHooks): Slices<CaptureRun> {
  const o = resolveSynthOptions(options);
  const curve = o.profile === 'olympic' ? RateCurve.constant(o.rate) : undefined;
  if (curve !== undefined) checkPortWindow(curve, OLYMPIC_SERVERS_V4.length);
  const g = generatorOptions(o, curve, 0, o.durationSec);
  return yield* run(out, g, curve !== undefined ? OLYMPIC_MAX_LIFETIME_SEC : 0, hooks);
}

function* run(out: CaptureOutput, g: WebTrafficOptions, lifetimeCapSec: number, hooks: CaptureHooks): Slices<CaptureRun> {
  let truth: ConnectionsTruthWriter | undefined;
  if (hooks.truth !== undefined) {
    truth = new ConnectionsTruthWriter({ startSec: g.startSec!, reportDelayNs: lifetimeCapSec * NS_PER_SEC }, hooks.truth);
    const t = truth;
    g = { ...g, onConnection: (c, now) => t.add(c, now) };
  }
  const stats = yield* webTrafficSlices(out, { ...g, onProgress: hooks.onProgress });
  out.flush();
  if (truth !== undefined) truth.finish(stats.packets > 0 ? stats.lastNs : 0);
  return { stats, truthRows: truth?.rows ?? 0 };
}

// ---------------------------------------------------------------------------
// Series

export interface SeriesOptions {
  /** Directory of the segment files and the MANIFEST (created if missing is not done: it must exist). */
  dir: string;
  /** Segments [first, last] (0 = the one starting at the profile's origin). */
  first: number;
  last: number;
  segmentSec?: number;
  /** After each segment is committed, with what it holds. */
  onSegment?: (done: number, total: number, name: string, stats: WebTrafficStats) => void;
  onProgress?: (packets: number, fileBytes: number) => void;
}

export interface ManifestRow {
  file: string;
  startSec: number;
  endSec: number;
  connections: number;
  packets: number;
  /** Bytes of the frames on the wire (original lengths), not of the file. */
  wireBytes: number;
}

export const MANIFEST_COLUMNS = ['file', 'start', 'end', 'connections', 'packets', 'bytes'] as const;
export const MANIFEST_NAME = 'MANIFEST';

/** `olympic-19960719T040000Z.pcap` for a segment starting at that epoch second. */
export function segmentFileName(startSec: number, format: SynthFormat, gzip: boolean): string {
  const iso = new Date(startSec * 1_000).toISOString(); // 1996-07-19T04:00:00.000Z
  const stamp = iso.slice(0, 19).replace(/[-:]/g, '') + 'Z';
  return `olympic-${stamp}.${format === 'pcapng' ? 'pcapng' : 'pcap'}${gzip ? '.gz' : ''}`;
}

/**
 * Writes Olympic segments [first, last] into `dir`, each atomically, then the
 * MANIFEST (file, start and end epoch seconds, connections with a packet in
 * the file, packets, bytes on the wire), atomically, last.
 */
export function writeOlympicSeries(options: SynthOptions, s: SeriesOptions): ManifestRow[] {
  return drain(olympicSeriesSlices(options, s));
}

/** `writeOlympicSeries` with a turn of the event loop between slices of packets (src/synth/slices.ts). */
export function writeOlympicSeriesAsync(options: SynthOptions, s: SeriesOptions): Promise<ManifestRow[]> {
  return drainAsync(olympicSeriesSlices(options, s));
}

function* olympicSeriesSlices(options: SynthOptions, s: SeriesOptions): Slices<ManifestRow[]> {
  const o = resolveSynthOptions({ ...options, profile: 'olympic' });
  const segmentSec = s.segmentSec ?? OLYMPIC.segmentSec;
  if (!Number.isInteger(s.first) || !Number.isInteger(s.last) || s.first < 0 || s.last < s.first) {
    throw new ReplayError('OPTION_INVALID', `synth: bad segment range ${s.first}-${s.last}`);
  }
  const curve = RateCurve.olympic(o.rate);
  checkPortWindow(curve, OLYMPIC_SERVERS_V4.length);
  const rows: ManifestRow[] = [];
  const total = s.last - s.first + 1;
  for (let k = s.first; k <= s.last; k++) {
    const fromSec = k * segmentSec;
    const name = segmentFileName(o.startSec + fromSec, o.format, o.gzip);
    const target = openByteTarget(path.join(s.dir, name));
    let segmentStats: WebTrafficStats;
    try {
      const out = new CaptureOutput(target.fd, target.name, o.gzip);
      const { stats } = yield* run(out, generatorOptions(o, curve, fromSec, segmentSec), OLYMPIC_MAX_LIFETIME_SEC, { onProgress: s.onProgress });
      segmentStats = stats;
      target.commit();
      rows.push({
        file: name,
        startSec: o.startSec + fromSec,
        endSec: o.startSec + fromSec + segmentSec,
        connections: stats.connections,
        packets: stats.packets,
        wireBytes: stats.wireBytes,
      });
    } catch (err) {
      target.abort();
      throw err;
    }
    s.onSegment?.(k - s.first + 1, total, name, segmentStats);
  }
  const manifest = atomicFileSink(path.join(s.dir, MANIFEST_NAME));
  try {
    manifest.write(csvLine(MANIFEST_COLUMNS));
    for (const r of rows) {
      manifest.write(csvLine([r.file, String(r.startSec), String(r.endSec), String(r.connections), String(r.packets), String(r.wireBytes)]));
    }
    manifest.commit();
  } catch (err) {
    manifest.abort();
    throw err;
  }
  return rows;
}
