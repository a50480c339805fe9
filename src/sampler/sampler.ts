/**
 * Sampling on the packet clock (SPEC §5).
 *
 * - Origin t0 = the first `advance` (the first record's time). Sample k is at
 *   t0 + k·interval for every k ≥ 1 not after the last packet (the clock
 *   given to `finish`). Times are (sec, nsec) pairs as in the FlowListener
 *   contract; instants are stepped in integers, so they are exact over any
 *   span.
 * - `advance(t)` takes every sample with instant ≤ t before the events at t:
 *   the state sampled at s is the state after every event with time < s.
 * - At a sample, per policy instance and server: `connections` = its
 *   dispatched connections active at that instant; `bytes` = payload bytes
 *   (after the direction filter) of packets of its connections reported since
 *   the previous sample (a packet is reported at the clock, so its bytes go to
 *   the interval the clock is in): the run's byte counter now minus its
 *   value at the previous sample.
 * - With `--granularity packet` the counters hold packets per server
 *   (`counters.packets`): the first load is then the packets of the
 *   interval, a difference of readings like bytes, instead of the active
 *   connections (docs/policies.md "Per-packet routing").
 * - A stretch with no events costs the same whatever its length: after the
 *   first sample in it, every later sample up to the next event is identical
 *   (bytes 0, same active counts), so they are counted with one
 *   multiplication. Only `--timeseries` writes one row group per sample.
 *
 * The Sampler only reads the per-configuration counters (src/dispatch/counters.ts)
 * the dispatcher writes; the replay engine (src/engine/replay-engine.ts)
 * calls its `advance` before each event. Call `finish(lastSec, lastNsec)`
 * with the final clock, then `results()`.
 */
import type { ServerCounters, PolicyInstanceInfo } from '../dispatch/counters.js';
import { ReplayError } from '../errors.js';
import { type Duration, isValidDuration, isZeroDuration, NS_PER_SEC, formatPair, formatSeconds } from '../time.js';
import { ImbalanceStats, type BinWidth } from './imbalance.js';
import { MeasureStats } from './measure-stats.js';
import { measureImbalance, MeasureValue, type ImbalanceMeasure } from '../policies/measures.js';

/** Receives output text: whole lines, each ending in LF. */
export type TextSink = (chunk: string) => void;

/** Header line of `--timeseries`. */
export const TIMESERIES_HEADER = 'time,policy,server,connections,bytes\n';
/** Header line of `--timeseries` with `--granularity packet` (packets of the interval instead of active connections). */
export const TIMESERIES_PACKETS_HEADER = 'time,policy,server,packets,bytes\n';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

export interface SamplerOptions {
  /** Sampling interval, > 0 and up to MAX_SECONDS (src/time.ts). */
  readonly interval: Duration;
  readonly binWidth: BinWidth;
  /**
   * `--timeseries`: receives TIMESERIES_HEADER at construction, then per
   * sample not idle for both metrics one `time,policy,server,connections,bytes`
   * line per instance (in order) and server (ascending).
   */
  readonly timeseries?: TextSink | undefined;
  /**
   * Measures sampled besides the paper's range (which is always sampled):
   * `max-over-mean`, `cv`, `jain` (issue 11, src/policies/measures.ts).
   */
  readonly measures?: readonly ImbalanceMeasure[] | undefined;
}

/** One extra measure's distributions for one instance. */
export interface SampledMeasure {
  readonly measure: ImbalanceMeasure;
  readonly connections: MeasureStats;
  readonly bytes: MeasureStats;
}

/** One policy instance's distributions. */
export interface SampledPolicy {
  readonly info: PolicyInstanceInfo;
  readonly connections: ImbalanceStats;
  readonly bytes: ImbalanceStats;
  /** The extra measures, in the order asked (empty by default). */
  readonly measures: readonly SampledMeasure[];
}

export interface SamplerResults {
  readonly binWidth: BinWidth;
  readonly interval: Duration;
  /** Samples taken (idle ones included): the same for every instance and metric. */
  readonly samples: number;
  /** Instances in output order. */
  readonly policies: readonly SampledPolicy[];
  /** `--imbalance` in output order (range included when asked). */
  readonly imbalance: readonly ImbalanceMeasure[];
}

const BILLION = 1_000_000_000n;

export class Sampler {
  private readonly counters: ServerCounters;
  /** Per global server: the byte counter at the previous sample. */
  private readonly bytesAtSample: Float64Array;
  private readonly interval: Duration;
  /** The interval as whole seconds plus nanoseconds, for stepping instants. */
  private readonly intervalSec: number;
  private readonly intervalNsec: number;
  /**
   * The interval in ns when that is below 2^53 (about 104 days; exact in a
   * double, the fast paths below), else 0: longer intervals take the BigInt
   * paths, run at most once per sample instant, never per packet.
   */
  private readonly intervalNs: number;
  /** The interval in ns, exactly, for the BigInt paths. */
  private readonly intervalNsBig: bigint;
  private readonly width: BinWidth;
  /** Whole epoch second relative times count from (for `--timeseries` rows); see `start`. */
  private baseSec = 0;
  private readonly timeseries: TextSink | undefined;
  private readonly instances: readonly PolicyInstanceInfo[];
  private readonly connStats: ImbalanceStats[];
  private readonly bytesStats: ImbalanceStats[];
  /** Per instance, the connections metric of the last sample (sum 0 = idle). */
  private readonly lastConnDiff: Float64Array;
  private readonly lastConnSum: Float64Array;
  /** Per instance, the servers the last sample measured (N, or those in service with `--event`). */
  private readonly lastConnN: Float64Array;
  /** Scratch for the extra measures with an in-service mask: loads of the servers in service, packed from each base. */
  private packedActive: Float64Array | undefined;
  private packedBytes: Float64Array | undefined;
  /** Extra measures (not range), and per instance their distributions. */
  private readonly extra: readonly ImbalanceMeasure[];
  private readonly imbalance: readonly ImbalanceMeasure[];
  private readonly extraStats: SampledMeasure[][];
  /** Per instance and extra measure (i·M + m): the connections value of the last sample. */
  private readonly lastConnValues: MeasureValue[];
  /** Scratch: the bytes of the interval per global server (only with extra measures). */
  private readonly intervalBytes: Float64Array;
  /** Packet mode: per global server, the packet counter at the previous sample, and the packets of the interval. */
  private readonly packetsAtSample: Float64Array | undefined;
  private readonly intervalPackets: Float64Array | undefined;
  private started = false;
  private finished = false;
  /** Samples taken so far. */
  private taken = 0;
  /**
   * The instant of the next sample, t0 + (taken + 1)·interval, as a time pair
   * (−∞ until t0 is known, so the first advance starts the clock).
   */
  private nextSec = Number.NEGATIVE_INFINITY;
  private nextNsec = 0;

  constructor(counters: ServerCounters, options: SamplerOptions) {
    const interval = options.interval;
    if (!isValidDuration(interval) || isZeroDuration(interval)) {
      throw new RangeError(`sampling interval must be a valid duration above 0, got ${interval.sec} s ${interval.nsec} ns`);
    }
    this.counters = counters;
    this.bytesAtSample = new Float64Array(counters.totalServers);
    this.interval = { sec: interval.sec, nsec: interval.nsec };
    this.intervalSec = interval.sec;
    this.intervalNsec = interval.nsec;
    const ns = interval.sec * NS_PER_SEC + interval.nsec;
    this.intervalNs = Number.isSafeInteger(ns) ? ns : 0;
    this.intervalNsBig = BigInt(interval.sec) * BILLION + BigInt(interval.nsec);
    this.width = options.binWidth;
    this.timeseries = options.timeseries;
    this.instances = counters.instances;
    this.connStats = this.instances.map(() => new ImbalanceStats());
    this.bytesStats = this.instances.map(() => new ImbalanceStats());
    this.lastConnDiff = new Float64Array(this.instances.length);
    this.lastConnSum = new Float64Array(this.instances.length);
    this.lastConnN = Float64Array.from(this.instances, (inst) => inst.servers);
    this.imbalance = options.measures === undefined || options.measures.length === 0 ? ['range'] : [...options.measures];
    this.extra = this.imbalance.filter((m) => m !== 'range');
    this.extraStats = this.instances.map(() =>
      this.extra.map((measure) => ({ measure, connections: new MeasureStats(measure), bytes: new MeasureStats(measure) })),
    );
    this.lastConnValues = [];
    for (let k = 0; k < this.instances.length * this.extra.length; k++) this.lastConnValues.push(new MeasureValue());
    this.intervalBytes = new Float64Array(this.extra.length === 0 ? 0 : counters.totalServers);
    if (counters.packets !== undefined) {
      this.packetsAtSample = new Float64Array(counters.totalServers);
      this.intervalPackets = new Float64Array(counters.totalServers);
    }
    if (this.timeseries !== undefined) this.timeseries(counters.packets !== undefined ? TIMESERIES_PACKETS_HEADER : TIMESERIES_HEADER);
  }

  /** The first load at a sample: active connections, or in packet mode the packets of the interval. */
  private firstLoad(): Float64Array {
    return this.intervalPackets ?? this.counters.active;
  }

  advance(sec: number, nsec: number): void {
    // Per packet: one or two comparisons; the rest only when a sample is due.
    if (sec < this.nextSec || (sec === this.nextSec && nsec < this.nextNsec)) return;
    this.catchUp(sec, nsec);
  }

  /** The capture's base second (whole epoch second relative times count from), known at its first record. */
  start(baseSec: number): void {
    this.baseSec = baseSec;
  }

  /**
   * Closes the run at the capture's last packet (its final clock, a time
   * pair): takes the samples due up to and including it. Call once, after
   * the tracker's end-of-trace events; no FlowListener call may follow.
   */
  finish(lastSec: number, lastNsec: number): void {
    if (this.finished) throw new Error('Sampler.finish called twice');
    if (this.started) this.advance(lastSec, lastNsec);
    this.finished = true;
  }

  /** Samples taken so far. */
  get samples(): number {
    return this.taken;
  }

  /**
   * The instant of the next sample, seconds part (relative to the base
   * second); +∞ before the first `advance`. With `nextSampleNsec`, lets a
   * caller that spreads bytes over time (the flow-log replay,
   * src/engine/flow-replay.ts) bring the byte counters up to each instant
   * before it is sampled.
   */
  get nextSampleSec(): number {
    return this.started ? this.nextSec : Number.POSITIVE_INFINITY;
  }

  /** Nanoseconds part of the next sample's instant. */
  get nextSampleNsec(): number {
    return this.nextNsec;
  }

  /** The distributions, for the CSV and the summary. */
  results(): SamplerResults {
    const policies: SampledPolicy[] = this.instances.map((info, i) => ({
      info,
      connections: this.connStats[i],
      bytes: this.bytesStats[i],
      measures: this.extraStats[i],
    }));
    // Idle samples depend on the traffic only (SPEC §5): every instance must
    // agree — unless servers changed, when a `fail` or a removal idles one
    // instance's servers in service and not another's.
    for (const p of policies) {
      const first = policies[0];
      const masked = this.counters.inService !== undefined;
      if (!masked && (p.connections.idle !== first.connections.idle || p.bytes.idle !== first.bytes.idle)) {
        throw new Error('idle sample counts differ between policy instances');
      }
      if (p.connections.samples !== this.taken || p.bytes.samples !== this.taken) {
        throw new Error('sample counts differ between metrics');
      }
    }
    return {
      binWidth: this.width,
      interval: this.interval,
      samples: this.taken,
      policies,
      imbalance: this.imbalance,
    };
  }

  /** Out of the per-packet path: start the clock, or take the samples due at or before (sec, nsec). */
  private catchUp(sec: number, nsec: number): void {
    if (this.finished) throw new Error('Sampler.advance after finish');
    if (!this.started) {
      this.started = true;
      this.nextSec = sec;
      this.nextNsec = nsec;
      this.step(1);
      return;
    }
    // Here (sec, nsec) ≥ the next instant > every earlier advance.
    const sampleSec = this.nextSec;
    const sampleNsec = this.nextNsec;
    this.takeSample(sampleSec, sampleNsec);
    this.taken++;
    this.step(1);
    // Every further instant up to (sec, nsec) sees no event: identical samples.
    const repeats = this.instantsUpTo(sec, nsec);
    if (repeats > 0) {
      this.repeatSample(repeats);
      this.taken += repeats;
      this.step(repeats);
    }
  }

  /** How many sample instants from the next one on are ≤ (sec, nsec): 0, or 1 + ⌊(t − next) / interval⌋. */
  private instantsUpTo(sec: number, nsec: number): number {
    const ds = sec - this.nextSec;
    const dn = nsec - this.nextNsec;
    if (ds < 0 || (ds === 0 && dn < 0)) return 0;
    const iv = this.intervalNs;
    // Under 10^6 s the span in ns stays far below 2^53 (exact in doubles).
    if (ds < 1_000_000 && iv > 0) {
      const span = ds * NS_PER_SEC + dn;
      let k = Math.floor(span / iv);
      const r = span - k * iv;
      if (r < 0) k--;
      else if (r >= iv) k++;
      return k + 1;
    }
    const q = (BigInt(ds) * BILLION + BigInt(dn)) / this.intervalNsBig;
    // Counts are doubles: past 2^53 samples they stop being exact, and the
    // metrics' totals would disagree. Such a run (a jump of years at a
    // sub-millisecond interval) is refused rather than answered wrongly.
    if (q + 1n > BigInt(MAX_SAFE - 1 - this.taken)) {
      throw new ReplayError(
        'TOO_MANY_SAMPLES',
        `the capture needs more than ${MAX_SAFE} samples at an interval of ${formatSeconds(this.interval)} s (a jump of ${ds} s): give a longer --interval or a --from/--to window`,
      );
    }
    return Number(q) + 1;
  }

  /** Moves the next instant `count` intervals on. */
  private step(count: number): void {
    let addSec: number;
    let addNsec: number;
    if (count === 1) {
      addSec = this.intervalSec;
      addNsec = this.intervalNsec;
    } else if (this.intervalNs > 0 && count <= MAX_SAFE / this.intervalNs) {
      const total = count * this.intervalNs;
      addSec = Math.floor(total / NS_PER_SEC);
      addNsec = total - addSec * NS_PER_SEC;
      if (addNsec < 0) {
        addSec--;
        addNsec += NS_PER_SEC;
      } else if (addNsec >= NS_PER_SEC) {
        addSec++;
        addNsec -= NS_PER_SEC;
      }
    } else {
      const total = BigInt(count) * this.intervalNsBig;
      addSec = Number(total / BILLION);
      addNsec = Number(total % BILLION);
    }
    this.nextSec += addSec;
    this.nextNsec += addNsec;
    if (this.nextNsec >= NS_PER_SEC) {
      this.nextNsec -= NS_PER_SEC;
      this.nextSec++;
    }
  }

  /** Takes the sample at (sec, nsec) from the current state, then starts a new byte interval. */
  private takeSample(sec: number, nsec: number): void {
    const packets = this.counters.packets;
    if (packets !== undefined && this.intervalPackets !== undefined && this.packetsAtSample !== undefined) {
      for (let g = 0; g < packets.length; g++) this.intervalPackets[g] = packets[g] - this.packetsAtSample[g];
      this.packetsAtSample.set(packets);
    }
    const active = this.firstLoad();
    const total = this.counters.bytes;
    const prev = this.bytesAtSample;
    const width = this.width;
    let anyBusy = false;
    const mask = this.counters.inService;
    for (let i = 0; i < this.instances.length; i++) {
      const inst = this.instances[i];
      const base = inst.base;
      if (mask !== undefined) {
        if (this.takeMasked(i, base, inst.servers, mask)) anyBusy = true;
        continue;
      }
      const n = inst.servers;
      let cMin = active[base];
      let cMax = cMin;
      let cSum = 0;
      let bMin = total[base] - prev[base];
      let bMax = bMin;
      let bSum = 0;
      for (let s = base; s < base + n; s++) {
        const c = active[s];
        if (c < cMin) cMin = c;
        if (c > cMax) cMax = c;
        cSum += c;
        const b = total[s] - prev[s];
        if (b < bMin) bMin = b;
        if (b > bMax) bMax = b;
        bSum += b;
      }
      if (cSum === 0) this.connStats[i].recordIdle(1);
      else this.connStats[i].record(cMax - cMin, n, cSum, width, 1);
      if (bSum === 0) this.bytesStats[i].recordIdle(1);
      else this.bytesStats[i].record(bMax - bMin, n, bSum, width, 1);
      this.lastConnDiff[i] = cMax - cMin;
      this.lastConnSum[i] = cSum;
      if (cSum !== 0 || bSum !== 0) anyBusy = true;
      if (this.extra.length > 0) this.takeExtra(i, base, n);
    }
    if (this.timeseries !== undefined && anyBusy) this.writeRows(sec, nsec, true);
    prev.set(total);
  }

  /**
   * Instance i's sample over its servers in service only (`--event`): as
   * `takeSample`, n being the number of servers in service. True when not
   * idle for either load.
   */
  private takeMasked(i: number, base: number, servers: number, mask: Uint8Array): boolean {
    const active = this.firstLoad();
    const total = this.counters.bytes;
    const prev = this.bytesAtSample;
    let n = 0;
    let cMin = Number.POSITIVE_INFINITY;
    let cMax = Number.NEGATIVE_INFINITY;
    let cSum = 0;
    let bMin = Number.POSITIVE_INFINITY;
    let bMax = Number.NEGATIVE_INFINITY;
    let bSum = 0;
    for (let s = base; s < base + servers; s++) {
      if (mask[s] === 0) continue;
      n++;
      const c = active[s];
      if (c < cMin) cMin = c;
      if (c > cMax) cMax = c;
      cSum += c;
      const b = total[s] - prev[s];
      if (b < bMin) bMin = b;
      if (b > bMax) bMax = b;
      bSum += b;
    }
    if (cSum === 0) this.connStats[i].recordIdle(1);
    else this.connStats[i].record(cMax - cMin, n, cSum, this.width, 1);
    if (bSum === 0) this.bytesStats[i].recordIdle(1);
    else this.bytesStats[i].record(bMax - bMin, n, bSum, this.width, 1);
    this.lastConnDiff[i] = cSum === 0 ? 0 : cMax - cMin;
    this.lastConnSum[i] = cSum;
    this.lastConnN[i] = n;
    if (this.extra.length > 0) {
      if (this.packedActive === undefined || this.packedBytes === undefined) {
        this.packedActive = new Float64Array(this.counters.totalServers);
        this.packedBytes = new Float64Array(this.counters.totalServers);
      }
      let k = base;
      for (let s = base; s < base + servers; s++) {
        if (mask[s] === 0) continue;
        this.packedActive[k] = active[s];
        this.packedBytes[k] = total[s] - prev[s];
        k++;
      }
      this.measureExtra(i, this.packedActive, this.packedBytes, base, n);
    }
    return cSum !== 0 || bSum !== 0;
  }

  /** The extra measures of instance i at a sample (bytes: the interval's, before `prev` moves on). */
  private takeExtra(i: number, base: number, n: number): void {
    const total = this.counters.bytes;
    const prev = this.bytesAtSample;
    const bytes = this.intervalBytes;
    for (let s = base; s < base + n; s++) bytes[s] = total[s] - prev[s];
    this.measureExtra(i, this.firstLoad(), bytes, base, n);
  }

  /** Records the extra measures of instance i from loads x[base … base+n−1]. */
  private measureExtra(i: number, active: Float64Array, bytes: Float64Array, base: number, n: number): void {
    const stats = this.extraStats[i];
    const m = this.extra.length;
    for (let k = 0; k < m; k++) {
      const value = this.lastConnValues[i * m + k];
      if (measureImbalance(this.extra[k], active, base, n, value)) stats[k].connections.record(value, this.width, 1);
      else stats[k].connections.recordIdle(1);
      // The bytes value is recorded at once; the scratch is reused for the next measure.
      if (measureImbalance(this.extra[k], bytes, base, n, this.byteValue)) stats[k].bytes.record(this.byteValue, this.width, 1);
      else stats[k].bytes.recordIdle(1);
    }
  }

  private readonly byteValue = new MeasureValue();

  /**
   * Counts `count` samples identical to the last one but with no bytes, at
   * the next instant and the ones after it (the next instant is not moved).
   */
  private repeatSample(count: number): void {
    let anyBusy = false;
    for (let i = 0; i < this.instances.length; i++) {
      // Packet mode: no packet in these intervals, like bytes.
      const sum = this.intervalPackets === undefined ? this.lastConnSum[i] : 0;
      if (sum === 0) this.connStats[i].recordIdle(count);
      else {
        this.connStats[i].record(this.lastConnDiff[i], this.lastConnN[i], sum, this.width, count);
        anyBusy = true;
      }
      this.bytesStats[i].recordIdle(count);
      const m = this.extra.length;
      for (let k = 0; k < m; k++) {
        const stats = this.extraStats[i][k];
        if (sum === 0) stats.connections.recordIdle(count);
        else stats.connections.record(this.lastConnValues[i * m + k], this.width, count);
        stats.bytes.recordIdle(count);
      }
    }
    // Rows cost what they write: only here does a long stretch cost per sample.
    if (this.timeseries !== undefined && anyBusy) {
      let sec = this.nextSec;
      let nsec = this.nextNsec;
      for (let j = 0; j < count; j++) {
        this.writeRows(sec, nsec, false);
        sec += this.intervalSec;
        nsec += this.intervalNsec;
        if (nsec >= NS_PER_SEC) {
          nsec -= NS_PER_SEC;
          sec++;
        }
      }
    }
  }

  private writeRows(sec: number, nsec: number, withBytes: boolean): void {
    const sink = this.timeseries;
    if (sink === undefined) return;
    const time = formatPair(this.baseSec, sec, nsec);
    const active = this.firstLoad();
    const total = this.counters.bytes;
    const prev = this.bytesAtSample;
    let text = '';
    for (const inst of this.instances) {
      for (let s = 0; s < inst.servers; s++) {
        const g = inst.base + s;
        text += `${time},${inst.label},${s},${active[g]},${withBytes ? total[g] - prev[g] : 0}\n`;
      }
    }
    sink(text);
  }
}
