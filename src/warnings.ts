/**
 * Warnings of a run (issue 8, SPEC §1, §2a): things that let the run go on
 * but may make its answer wrong or empty. Occurrences of one kind in one file
 * are gathered into one line — how many, where the first was, and the worst
 * — so a damaged capture with a million bad timestamps prints one line, not a
 * million; the summary JSON keeps every count.
 */
import { formatPairDifference } from './time.js';

/** The closed list of warning kinds, each with one sentence in docs/reliability.md. */
export type WarningKind =
  /** The capture ends inside a record or block (a killed capture). */
  | 'cut'
  /** The clock jumps forward by more than a day (usually a damaged timestamp). */
  | 'forward-jump'
  /** A record is more than a second older than the clock (beyond multi-queue jitter). */
  | 'backward-step'
  /** A file's first record is more than a second older than the previous file's clock: files out of order. */
  | 'file-order'
  /** The run measured nothing: its CSV or rows would be empty. */
  | 'nothing-measured'
  /** Flow-log records later than --reorder-window: left out (docs/flow-logs.md). */
  | 'late-records'
  /** Flow-log records replayed early because the reorder window held its most records. */
  | 'forced-records'
  /** Flow-log replay: samples past MAX_SPREAD_SAMPLES taken without spreading bytes over them. */
  | 'unspread-samples';

export interface WarningJson {
  kind: WarningKind;
  /** The file it concerns; null for the run as a whole. */
  file: string | null;
  count: number;
  /** Byte offset of the first occurrence; null where no record is to blame. */
  first_offset: number | null;
  /** The largest step, seconds with 9 decimals (time warnings only). */
  largest: string | null;
  largest_offset: number | null;
  message: string;
}

interface Entry {
  kind: WarningKind;
  file: string | undefined;
  count: number;
  firstOffset: number | undefined;
  /** Largest step as a (sec, nsec) pair, and where. */
  largestSec: number;
  largestNsec: number;
  largestOffset: number | undefined;
  /** The text of a one-off warning, or the wording of a counted one. */
  text: string;
}

/** Phrases of the counted kinds: "<phrase> N times (largest X s at byte O)". */
const COUNTED_PHRASE: Partial<Record<WarningKind, string>> = {
  'forward-jump': 'time jumps forward by more than a day',
  'backward-step': 'time steps back by more than one second',
};

function times(n: number): string {
  return n === 1 ? 'once' : `${n} times`;
}

export class WarningLog {
  private readonly entries: Entry[] = [];
  private readonly index = new Map<string, Entry>();
  /** The entry of the latest call. */
  private last: Entry | undefined;

  /** How many distinct lines there are. */
  get size(): number {
    return this.entries.length;
  }

  private entry(kind: WarningKind, file: string | undefined, text: string): Entry {
    // A run of one kind in one file (a million bad timestamps) skips the key string and the map.
    const last = this.last;
    if (last !== undefined && last.kind === kind && last.file === file) return last;
    const key = `${kind}\u0000${file ?? ''}`;
    let e = this.index.get(key);
    if (e === undefined) {
      e = { kind, file, count: 0, firstOffset: undefined, largestSec: 0, largestNsec: 0, largestOffset: undefined, text };
      this.index.set(key, e);
      this.entries.push(e);
    }
    this.last = e;
    return e;
  }

  /**
   * One occurrence of a time step (`forward-jump`, `backward-step`) of
   * `stepSec`·1e9 + `stepNsec` ns at byte `offset` of `file`.
   */
  step(kind: 'forward-jump' | 'backward-step', file: string, offset: number, stepSec: number, stepNsec: number): void {
    const e = this.entry(kind, file, COUNTED_PHRASE[kind]!);
    e.count++;
    if (e.firstOffset === undefined) e.firstOffset = offset;
    if (e.largestOffset === undefined || stepSec > e.largestSec || (stepSec === e.largestSec && stepNsec > e.largestNsec)) {
      e.largestSec = stepSec;
      e.largestNsec = stepNsec;
      e.largestOffset = offset;
    }
  }

  /** A one-off warning with its own text (a cut tail, files out of order, nothing measured). */
  once(kind: WarningKind, file: string | undefined, text: string, offset?: number): void {
    const e = this.entry(kind, file, text);
    e.count++;
    if (e.firstOffset === undefined && offset !== undefined) e.firstOffset = offset;
  }

  private message(e: Entry): string {
    const prefix = e.file === undefined ? '' : `${e.file}: `;
    if (COUNTED_PHRASE[e.kind] === undefined) return prefix + e.text;
    const largest = formatPairDifference(0, 0, e.largestSec, e.largestNsec);
    if (e.count === 1) return `${prefix}${e.text} once (${largest} s at byte ${e.largestOffset})`;
    return `${prefix}${e.text} ${times(e.count)} (first at byte ${e.firstOffset}; largest ${largest} s at byte ${e.largestOffset})`;
  }

  /** One line per (file, kind), in order of first occurrence. */
  lines(): string[] {
    return this.entries.map((e) => this.message(e));
  }

  /** Every warning with its full counts (summary JSON). */
  toJSON(): WarningJson[] {
    return this.entries.map((e) => ({
      kind: e.kind,
      file: e.file ?? null,
      count: e.count,
      first_offset: e.firstOffset ?? null,
      largest: COUNTED_PHRASE[e.kind] === undefined ? null : formatPairDifference(0, 0, e.largestSec, e.largestNsec),
      largest_offset: e.largestOffset ?? null,
      message: this.message(e),
    }));
  }
}

/** What a run counted, enough to tell why it measured nothing. */
export interface MeasuredCounts {
  /** Records kept (inside --from/--to). */
  packets: number;
  /** Records read but outside --from/--to. */
  outsideWindow: number;
  /** Frames carrying TCP, and UDP (for `--proto udp|both`). */
  tcpPackets: number;
  udpPackets?: number;
  /** What the run replays (issue 12); default tcp. */
  proto?: 'tcp' | 'udp' | 'both';
  /** Connections tracked. */
  connections: number;
  /** Connections dispatched (the replay), or undefined for `connections`. */
  dispatched?: number;
  /** Samples taken and, per metric, how many had a non-zero load. */
  samples?: number;
  measuredSamples?: { connections: number; bytes: number };
  /** `--service` values; empty without the option. */
  services?: readonly string[];
  /** The capture's span and the sampling interval, for the message. */
  span?: string;
  interval?: string;
}

/**
 * Why a run measured nothing, in one sentence, or undefined when it measured
 * something (issue 8: an empty answer must never pass for a real one). The
 * first reason that applies is given: no record, no record in the window, no
 * TCP connection, none matching --service, no sample, every sample idle.
 */
export function nothingMeasuredReason(c: MeasuredCounts): string | undefined {
  if (c.packets === 0) {
    return c.outsideWindow > 0
      ? `nothing measured: none of the ${c.outsideWindow} records is inside the --from/--to window (is --from past the end of the capture?)`
      : 'nothing measured: the capture holds no packet record';
  }
  if (c.connections === 0) {
    const proto = c.proto ?? 'tcp';
    const udp = c.udpPackets ?? 0;
    const carried = proto === 'tcp' ? c.tcpPackets : proto === 'udp' ? udp : c.tcpPackets + udp;
    const what = proto === 'tcp' ? 'TCP' : proto === 'udp' ? 'UDP' : 'TCP or UDP';
    const flows = proto === 'tcp' ? 'TCP connection' : proto === 'udp' ? 'UDP flow' : 'TCP connection or UDP flow';
    return carried === 0
      ? `nothing measured: none of the ${c.packets} packets is a usable ${what} packet`
      : `nothing measured: no ${flows} in ${carried} ${what} packets`;
  }
  if (c.dispatched === 0) {
    return c.services !== undefined && c.services.length > 0
      ? `nothing measured: no connection matched --service ${c.services.join(', ')} (${c.connections} connections tracked)`
      : 'nothing measured: no connection was dispatched';
  }
  if (c.samples === 0) {
    return `nothing measured: the capture spans ${c.span} s, less than one sampling interval (${c.interval} s), so no sample was taken`;
  }
  if (c.measuredSamples !== undefined) {
    const { connections, bytes } = c.measuredSamples;
    if (connections === 0 && bytes === 0) {
      return `nothing measured: all ${c.samples} samples were idle (no active connection and no payload bytes at any sample)`;
    }
    if (connections === 0) return `nothing measured for connections: all ${c.samples} samples had no active connection`;
    if (bytes === 0) return `nothing measured for bytes: all ${c.samples} samples had no payload bytes in their interval`;
  }
  return undefined;
}
