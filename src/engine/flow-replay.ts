/**
 * The replay from a flow log (issue 12; docs/flow-logs.md "Replay"): the
 * records of a Zeek conn.log or of the tool's own `connections` CSV, in start
 * order (src/flowlog/), drive the same ReplayEngine as a capture's connection
 * tracker does, through the same FlowListener calls:
 *
 * - `open` at the record's start, dispatched by every policy instance;
 * - `deactivate` at its end (the balancer's end: src/flowlog/end-rule.ts, or
 *   the CSV's `active_until`), then `remove`;
 * - its bytes (after `--direction`) spread uniformly over [start, last
 *   packet] for the bytes metric, a documented approximation: each server of
 *   each instance has a byte rate (bytes per ns) that flows add to at their
 *   start and take away at their last packet; the cumulative bytes are
 *   brought up to every sample instant before it is taken and published,
 *   rounded to whole bytes, in the counters the sampler reads. A record with
 *   no duration puts its bytes at its start, as one packet would.
 *
 * Events at one instant: the ends due at or before it come first (SPEC §4:
 * least-active sees every close due at or before the open), then the opens in
 * the reader's order (start, then `seq`: the CSV's `conn`). A sample at an
 * instant sees the state before the events at it (SPEC §5). The run ends at
 * the log's last instant: the latest last packet, or the latest end the log
 * itself gives (the CSV's `active_until`, which for `end-of-trace` is the
 * capture's last packet); flows still active then end there, as the tracker
 * ends a capture.
 *
 * Per record: a few typed-array writes and event-queue operations, no object.
 * Memory: the flows active or still carrying bytes, never the log's length.
 */
import { readFlowLog, type FlowLogFormat, type FlowLogResult } from '../flowlog/read.js';
import { readFlowLogsThreaded } from '../flowlog/threaded.js';
import { FLOW_PROTO_TCP, FLOW_PROTO_UDP, FLOW_STATE_NAMES, FlowExpiry, FlowState, type FlowRecord } from '../flowlog/record.js';
import type { Endpoints } from '../dispatch/policy.js';
import type { Duration } from '../time.js';
import { NS_PER_SEC } from '../time.js';
import type { ReplayEngine } from './replay-engine.js';
import { EventQueue } from './event-queue.js';
import { grown } from '../typed-array.js';

/** What the caller passes: which records to replay and how to read them. */
export interface FlowReplayOptions {
  format: FlowLogFormat;
  /** Replay TCP records, UDP records, or both (`--proto`). */
  proto: 'tcp' | 'udp' | 'both';
  /** Count client→server / server→client bytes (`--direction`). */
  countC2s: boolean;
  countS2c: boolean;
  reorderWindow: Duration;
  idleTimeout: Duration;
  synTimeout: Duration;
  udpTimeout: Duration;
  /** Read size (tests cross chunk boundaries with small ones). */
  chunkSize?: number;
  /**
   * Parse on a second thread (src/flowlog/threaded.ts), beside the replay:
   * the same records in the same order, in less wall time on two cores.
   * Not for standard input.
   */
  threaded?: boolean;
}

/**
 * Samples taken one by one while bytes are being spread, at most: 100 000
 * between two events of the log (14 hours at 0.5 s: no busy log has such a
 * gap) and 50 million over a run (290 days at 0.5 s, about 30 s of CPU).
 * Past either (a damaged record claiming a duration of years), the stretch is
 * sampled in bulk, as when no bytes flow, and its bytes go to the interval of
 * its next event; the samples so taken are counted (`unspreadSamples`) and
 * reported. Bounds the run's time by the log, not by what a record claims.
 */
export const MAX_SPREAD_SAMPLES_PER_GAP = 100_000;
export const MAX_SPREAD_SAMPLES = 50_000_000;

/** What the replay of the log(s) counted, besides the engine's results. */
export interface FlowReplayTotals {
  format: FlowLogFormat;
  gzip: boolean;
  /** Records read (all files), whatever their protocol. */
  records: number;
  /** Records replayed (their protocol asked for, delivered in order). */
  replayed: number;
  /** Records of a protocol not asked for (`--proto`), or not TCP nor UDP. */
  otherProtocol: number;
  /** Records that came later than --reorder-window allows: counted, not replayed. */
  late: number;
  /** Largest lateness of a late record, ns. */
  maxLateNs: number;
  /** File and line of the first late record ('' / 0 when none). */
  firstLateFile: string;
  firstLateLine: number;
  /** Records delivered before their time because the window held its maximum. */
  forced: number;
  /** Records that started before the replay clock (a later file, or forced ones): replayed at the clock. */
  backwards: number;
  /** Samples taken one by one while bytes were spread; samples past MAX_SPREAD_SAMPLES taken in bulk instead. */
  spreadSamples: number;
  unspreadSamples: number;
  /** Packets the log gives (records that say), both ways; payload bytes of the replayed records, both ways. */
  packets: number;
  bytes: number;
  /** Replayed records by how the log says they ended (Zeek `conn_state`, or the CSV's `close`). */
  byState: Record<string, number>;
  /** Whole epoch second relative times count from; first start and last instant relative to it (valid when replayed > 0). */
  baseSec: number;
  firstSec: number;
  firstNsec: number;
  lastSec: number;
  lastNsec: number;
}

/** A slot's record: its last packet and end (the instants of its stop and end events, read only past 2^53 ns), events pending. */
const S_LAST_SEC = 0;
const S_LAST_NSEC = 1;
const S_END_SEC = 2;
const S_END_NSEC = 3;
// 4: spare (a stop's byte rate travels with its event).
const S_PENDING = 5;
const SLOT_STRIDE = 8;

/** Keys (ns after the base) up to 2^53 are exact instants. */
const MAX_EXACT_KEY = 2 ** 53;

/** Event kinds, bits of an event's code (slot · 4 + kind): stop spreading bytes, end (deactivate), or both at once. */
const KIND_STOP = 1;
const KIND_END = 2;
const KIND_BOTH = 3;

/** The ReplayEngine's driver for flow records; `run` reads the files and returns the totals. */
class FlowReplayDriver {
  private readonly engine: ReplayEngine;
  private readonly instances: number;
  private readonly bases: Int32Array;
  private readonly bytes: Float64Array;
  // Per global server: fractional cumulative bytes, byte rate (bytes/ns), time of the last settle (ns after the base), flows spreading.
  private readonly acc: Float64Array;
  private readonly rate: Float64Array;
  private readonly upd: Float64Array;
  private readonly spreadCount: Int32Array;
  /** Per global server: the bytes of every flow started on it, summed exactly (integers). */
  private readonly exact: Float64Array;
  private spreading = 0;
  // Per slot: its byte rate, events still pending (its end, its stop), the
  // exact instants of its stop (last packet) and of its end.
  // One 64-byte record per slot (S_* offsets), so an event reads one cache line.
  private slot64 = new Float64Array(1024 * SLOT_STRIDE);
  private freeSlots = new Int32Array(1024);
  private freeCount = 0;
  private slotsUsed = 0;
  // Pending events (ends and stops), in time order: a calendar queue keyed by
  // ns after the base (exact for 2^53 ns; past that, ties may run in either
  // order, which changes nothing: an event's effect does not depend on the
  // order of the others at its instant, and the clock never moves back). The
  // code is slot · 4 + kind; the value, a stop's byte rate.
  private readonly events = new EventQueue();
  // The record being opened, for readEndpoints.
  private current: FlowRecord | undefined;
  private conn = 0;
  private started = false;
  private clockSec = 0;
  private clockNsec = 0;
  private readonly wantTcp: boolean;
  /** Replayed records by FlowState (totals.byState at the end). */
  private readonly stateCounts = new Float64Array(FLOW_STATE_NAMES.length);
  private readonly wantUdp: boolean;
  readonly totals: FlowReplayTotals;

  constructor(
    engine: ReplayEngine,
    private readonly options: FlowReplayOptions,
  ) {
    this.engine = engine;
    const counters = engine.dispatcher.counters;
    this.instances = counters.instances.length;
    this.bases = Int32Array.from(counters.instances.map((i) => i.base));
    this.bytes = counters.bytes;
    const n = counters.totalServers;
    this.acc = new Float64Array(n);
    this.rate = new Float64Array(n);
    this.upd = new Float64Array(n);
    this.spreadCount = new Int32Array(n);
    this.exact = new Float64Array(n);
    this.wantTcp = options.proto !== 'udp';
    this.wantUdp = options.proto !== 'tcp';
    this.totals = {
      format: options.format,
      gzip: false,
      records: 0,
      replayed: 0,
      otherProtocol: 0,
      late: 0,
      maxLateNs: 0,
      firstLateFile: '',
      firstLateLine: 0,
      forced: 0,
      backwards: 0,
      spreadSamples: 0,
      unspreadSamples: 0,
      packets: 0,
      bytes: 0,
      byState: {},
      baseSec: 0,
      firstSec: 0,
      firstNsec: 0,
      lastSec: 0,
      lastNsec: 0,
    };
  }

  /** EndpointSource for the dispatcher: the record being opened. */
  readEndpoints(_slot: number, out: Endpoints): void {
    const r = this.current as FlowRecord;
    out.conn = this.conn;
    out.ipVersion = r.ipVersion;
    // Word by word: TypedArray.set costs a call per record.
    for (let k = 0; k < 4; k++) {
      out.clientAddr[k] = r.clientAddr[k];
      out.serverAddr[k] = r.serverAddr[k];
    }
    out.clientPort = r.clientPort;
    out.serverPort = r.serverPort;
  }

  async run(files: readonly string[]): Promise<FlowReplayTotals> {
    const t = this.totals;
    const onRecord = (rec: FlowRecord): void => this.record(rec);
    const readOptions = {
      inputFormat: this.options.format,
      reorderWindow: this.options.reorderWindow,
      idleTimeout: this.options.idleTimeout,
      synTimeout: this.options.synTimeout,
      udpTimeout: this.options.udpTimeout,
      chunkSize: this.options.chunkSize,
    };
    const results: FlowLogResult[] = [];
    if (this.options.threaded === true) results.push(...(await readFlowLogsThreaded(files, readOptions, onRecord)));
    else for (const file of files) results.push(await readFlowLog(file, readOptions, onRecord));
    results.forEach((result, k) => {
      if (result.gzip) t.gzip = true;
      t.records += result.pushed;
      if (result.late > 0 && t.late === 0) {
        t.firstLateFile = files[k];
        t.firstLateLine = result.firstLateLine;
      }
      t.late += result.late;
      if (result.maxLateNs > t.maxLateNs) t.maxLateNs = result.maxLateNs;
      t.forced += result.forced;
    });
    this.finish();
    for (let k = 0; k < this.stateCounts.length; k++) if (this.stateCounts[k] > 0) t.byState[FLOW_STATE_NAMES[k]] = this.stateCounts[k];
    return t;
  }

  private record(rec: FlowRecord): void {
    const p = rec.proto;
    const t = this.totals;
    const wanted = (p === FLOW_PROTO_TCP && this.wantTcp) || (p === FLOW_PROTO_UDP && this.wantUdp);
    if (!this.started) {
      this.started = true;
      t.baseSec = rec.startSec;
      t.firstSec = 0;
      t.firstNsec = rec.startNsec;
      t.lastSec = 0;
      t.lastNsec = rec.startNsec;
      this.clockSec = 0;
      this.clockNsec = rec.startNsec;
      this.engine.start(rec.startSec);
    }
    const base = t.baseSec;
    let sSec = rec.startSec - base;
    let sNsec = rec.startNsec;
    if (sSec < this.clockSec || (sSec === this.clockSec && sNsec < this.clockNsec)) {
      // Earlier than an event already replayed: at the clock, as a capture's backwards packet.
      t.backwards++;
      sSec = this.clockSec;
      sNsec = this.clockNsec;
    }
    // The ends due at or before the start come first.
    this.runEventsUpTo(sSec, sNsec);
    this.moveTo(sSec, sNsec);

    const lSec = rec.lastSec - base;
    const lNsec = rec.lastNsec;
    let eSec = rec.endSec - base;
    const eNsec = rec.endNsec;
    // The log's own last instant: its last packet, or an end it gives without a timeout.
    if (lSec > t.lastSec || (lSec === t.lastSec && lNsec > t.lastNsec)) {
      t.lastSec = lSec;
      t.lastNsec = lNsec;
    }
    if (rec.expiry === FlowExpiry.NONE && eSec !== Number.POSITIVE_INFINITY && (eSec > t.lastSec || (eSec === t.lastSec && eNsec > t.lastNsec))) {
      t.lastSec = eSec;
      t.lastNsec = eNsec;
    }
    // Records of a protocol not replayed still move the clock and the run's
    // span, as a capture's other packets do: the sampling origin and the last
    // instant stay the capture's when its CSV holds every protocol.
    if (!wanted) {
      t.otherProtocol++;
      return;
    }
    // A connection the capture replay ended at its end (`end-of-trace`): active
    // until the run ends, after any open at the last instant, as there.
    if (rec.state === FlowState.END_OF_TRACE) eSec = Number.POSITIVE_INFINITY;
    t.replayed++;
    this.stateCounts[rec.state]++;
    if (rec.packetsC2s > 0) t.packets += rec.packetsC2s;
    if (rec.packetsS2c > 0) t.packets += rec.packetsS2c;
    t.bytes += rec.bytesC2s + rec.bytesS2c;

    const slot = this.allocSlot();
    this.current = rec;
    this.engine.open(slot, sSec, sNsec, this);
    this.conn++;
    this.current = undefined;

    let stop = false;
    let rate = 0;
    const b = (this.options.countC2s ? rec.bytesC2s : 0) + (this.options.countS2c ? rec.bytesS2c : 0);
    if (b > 0) {
      // Duration from the replayed start (a backwards record is shortened to the clock).
      const durNs = (lSec - sSec) * NS_PER_SEC + (lNsec - sNsec);
      const d = this.engine.dispatcher;
      const p = this.instances;
      if (durNs <= 0) {
        // At its start, as one packet: published with the next sample.
        for (let i = 0; i < p; i++) {
          const local = d.serverOf(slot, i);
          if (local < 0) continue;
          this.acc[this.bases[i] + local] += b;
          this.exact[this.bases[i] + local] += b;
        }
      } else {
        rate = b / durNs;
        const now = sSec * NS_PER_SEC + sNsec;
        let any = false;
        for (let i = 0; i < p; i++) {
          const local = d.serverOf(slot, i);
          if (local < 0) continue;
          any = true;
          const g = this.bases[i] + local;
          this.settle(g, now);
          this.rate[g] += rate;
          this.spreadCount[g]++;
          this.exact[g] += b;
        }
        if (any) {
          this.spreading++;
          this.slot64[slot * SLOT_STRIDE + S_LAST_SEC] = lSec;
          this.slot64[slot * SLOT_STRIDE + S_LAST_NSEC] = lNsec;
          stop = true;
        }
      }
    }
    // Never before the start (a CSV of a capture whose time ran backwards).
    let endSec = eSec;
    let endNsec = eNsec;
    if (endSec < sSec || (endSec === sSec && endNsec < sNsec)) {
      endSec = sSec;
      endNsec = sNsec;
    }
    const sd = this.slot64;
    const so = slot * SLOT_STRIDE;
    sd[so + S_END_SEC] = endSec;
    sd[so + S_END_NSEC] = endNsec;
    // Events still to come: the stop and the end, or one event for both when they coincide
    // (most closed connections); an infinite end is applied at finish.
    if (stop && endSec === lSec && endNsec === lNsec) {
      this.events.push(endSec * NS_PER_SEC + endNsec, slot * 4 + KIND_BOTH, rate);
      sd[so + S_PENDING] = 1;
      return;
    }
    if (stop) this.events.push(lSec * NS_PER_SEC + lNsec, slot * 4 + KIND_STOP, rate);
    if (endSec !== Number.POSITIVE_INFINITY) this.events.push(endSec * NS_PER_SEC + endNsec, slot * 4 + KIND_END, 0);
    sd[so + S_PENDING] = stop ? 2 : 1;
  }

  /** The last instant: the events up to it, the flows still active end there, the last samples. */
  private finish(): void {
    if (!this.started) return;
    const t = this.totals;
    this.runEventsUpTo(t.lastSec, t.lastNsec);
    // Every stop is at or before the last instant: the queue holds only ends after it.
    this.moveTo(t.lastSec, t.lastNsec);
    const q = this.events;
    const lastNs = t.lastSec * NS_PER_SEC + t.lastNsec;
    while (q.size > 0) {
      const code = q.peekCode();
      const rate = q.peekValue();
      q.pop();
      // Ends after the last instant (and, past 2^53 ns, a stop whose rounded key tied with it): at the last instant.
      const slot = code >> 2;
      const kind = code & 3;
      if ((kind & KIND_STOP) !== 0) this.stopSpreading(slot, lastNs, rate);
      if ((kind & KIND_END) !== 0) this.engine.deactivate(slot, t.lastSec, t.lastNsec);
      if (kind === KIND_BOTH) this.free(slot);
      else this.release(slot);
    }
    // Flows with no end (a timeout of 0, end-of-trace): their stop, if any, is done; they end here.
    for (let slot = 0; slot < this.slotsUsed; slot++) {
      if (this.slot64[slot * SLOT_STRIDE + S_PENDING] > 0) {
        this.engine.deactivate(slot, t.lastSec, t.lastNsec);
        this.release(slot);
      }
    }
    // Every record's bytes are in: the servers' totals.
    this.publishAll();
    this.engine.finish(t.lastSec, t.lastNsec);
  }

  /** Runs, in time order, every pending event at or before (sec, nsec). */
  private runEventsUpTo(sec: number, nsec: number): void {
    const limit = sec * NS_PER_SEC + nsec;
    const q = this.events;
    while (q.size > 0) {
      const key = q.peekKey();
      if (key > limit) break;
      const code = q.peekCode();
      const rate = q.peekValue();
      const slot = code >> 2;
      const kind = code & 3;
      let es: number;
      let en: number;
      if (key <= MAX_EXACT_KEY) {
        // The key is the exact instant: no need to read the slot's record.
        es = Math.floor(key / NS_PER_SEC);
        en = key - es * NS_PER_SEC;
        if (en < 0) {
          es--;
          en += NS_PER_SEC;
        } else if (en >= NS_PER_SEC) {
          es++;
          en -= NS_PER_SEC;
        }
      } else {
        // Past 2^53 ns the key is rounded: the slot holds the instant (the stop's is its last packet).
        const at = slot * SLOT_STRIDE + (kind === KIND_STOP ? S_LAST_SEC : S_END_SEC);
        es = this.slot64[at];
        en = this.slot64[at + 1];
        if (key === limit && (es > sec || (es === sec && en > nsec))) break;
      }
      q.pop();
      if (es > this.clockSec || (es === this.clockSec && en > this.clockNsec)) this.moveTo(es, en);
      if ((kind & KIND_STOP) !== 0) this.stopSpreading(slot, es * NS_PER_SEC + en, rate);
      if ((kind & KIND_END) !== 0) this.engine.deactivate(slot, es, en);
      // A flow's one event (its stop and end together) frees it without reading its record.
      if (kind === KIND_BOTH) this.free(slot);
      else this.release(slot);
    }
  }

  /**
   * The replay clock moves to (sec, nsec): the samples due up to it are taken,
   * each after the spread bytes are brought up to its instant.
   */
  private moveTo(sec: number, nsec: number): void {
    const sampler = this.engine.sampler;
    const ns0 = sampler.nextSampleSec;
    if (ns0 < sec || (ns0 === sec && sampler.nextSampleNsec <= nsec)) {
      // Samples are due: each sees the bytes up to its instant.
      if (this.spreading > 0) {
        const t = this.totals;
        let inGap = 0;
        for (;;) {
          const ns = sampler.nextSampleSec;
          const nn = sampler.nextSampleNsec;
          if (ns > sec || (ns === sec && nn > nsec)) break;
          if (++inGap > MAX_SPREAD_SAMPLES_PER_GAP || t.spreadSamples >= MAX_SPREAD_SAMPLES) {
            // The bound: the rest of this stretch is sampled in bulk, its bytes in the interval of the next event.
            this.publishAll();
            const before = sampler.samples;
            this.engine.advance(sec, nsec);
            t.unspreadSamples += sampler.samples - before;
            break;
          }
          t.spreadSamples++;
          this.settleAll(ns * NS_PER_SEC + nn);
          this.publishAll();
          this.engine.advance(ns, nn);
        }
      } else {
        // No bytes flowing: the first sample takes what came since the last one, the others none.
        this.publishAll();
      }
    }
    this.engine.advance(sec, nsec);
    this.clockSec = sec;
    this.clockNsec = nsec;
  }

  /** Server g's cumulative bytes brought up to `now` (ns after the base). */
  private settle(g: number, now: number): void {
    const r = this.rate[g];
    if (r !== 0) this.acc[g] += r * (now - this.upd[g]);
    this.upd[g] = now;
  }

  /**
   * The counters the sampler reads: every server's cumulative bytes, rounded
   * to whole bytes (so each interval's bytes are integers), never going
   * down. When a server's last spreading flow stops, its count is set to the
   * exact sum of its flows' bytes, so the totals are exact. Called before
   * samples are taken, and at the end.
   */
  private publishAll(): void {
    const acc = this.acc;
    const bytes = this.bytes;
    for (let g = 0; g < acc.length; g++) {
      // Never down (an interval's bytes are never negative), whatever residue the rates left.
      const v = Math.round(acc[g]);
      if (v > bytes[g]) bytes[g] = v;
    }
  }

  private settleAll(now: number): void {
    const n = this.rate.length;
    for (let g = 0; g < n; g++) if (this.rate[g] !== 0) this.settle(g, now);
  }

  private stopSpreading(slot: number, now: number, r: number): void {
    const d = this.engine.dispatcher;
    const p = this.instances;
    for (let i = 0; i < p; i++) {
      const local = d.serverOf(slot, i);
      if (local < 0) continue;
      const g = this.bases[i] + local;
      this.settle(g, now);
      // The last flow on a server leaves a rate of exactly 0 and the exact sum
      // of its flows' bytes (no rounding residue carried on).
      if (--this.spreadCount[g] === 0) {
        this.rate[g] = 0;
        this.acc[g] = this.exact[g];
      } else this.rate[g] = Math.max(0, this.rate[g] - r);
    }
    this.spreading--;
  }

  /** One of the slot's pending events is done; the last one removes the flow. */
  private release(slot: number): void {
    if (--this.slot64[slot * SLOT_STRIDE + S_PENDING] > 0) return;
    this.free(slot);
  }

  /** The flow leaves: removed from the engine, its slot reused. */
  private free(slot: number): void {
    this.slot64[slot * SLOT_STRIDE + S_PENDING] = 0;
    this.engine.remove(slot);
    if (this.freeCount === this.freeSlots.length) this.freeSlots = grown(this.freeSlots, this.freeSlots.length * 2);
    this.freeSlots[this.freeCount++] = slot;
  }

  private allocSlot(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount];
    const slot = this.slotsUsed++;
    if (slot * SLOT_STRIDE === this.slot64.length) {
      this.slot64 = grown(this.slot64, this.slot64.length * 2);
    }
    return slot;
  }
}

/**
 * Replays the flow log(s) `files` (read in order as one log) through
 * `engine`; call `engine.results()` afterwards. Rejects with the reader's
 * ReplayError for a file that is not a flow log or a line it cannot read.
 */
export async function replayFlowLogs(files: readonly string[], engine: ReplayEngine, options: FlowReplayOptions): Promise<FlowReplayTotals> {
  return new FlowReplayDriver(engine, options).run(files);
}
