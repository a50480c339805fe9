/**
 * The replay engine (SPEC §4–§5): the FlowListener the connection tracker
 * talks to. Before each event it lets the sampler take the samples due
 * (`advance`); the events themselves go to the dispatcher, which writes the
 * per-configuration counters (src/dispatch/counters.ts) the sampler reads.
 * Neither wraps the other: the engine owns both and puts their results
 * together.
 *
 *   tracker ──advance──▶ Sampler ──reads──▶ ServerCounters
 *           ──open/packet/deactivate/remove──▶ Dispatcher ──writes──▶ ServerCounters
 */
import type { FlowListener } from '../flows/events.js';
import type { ConnectionTable } from '../flows/table.js';
import { Dispatcher, type Direction } from '../dispatch/dispatcher.js';
import type { PolicyConfig } from '../dispatch/policy.js';
import { parseServices } from '../dispatch/service-filter.js';
import { Sampler, type SampledPolicy, type TextSink } from '../sampler/sampler.js';
import { parseBinWidth, type BinWidth } from '../sampler/imbalance.js';
import type { Duration } from '../time.js';
import type { ImbalanceMeasure } from '../policies/measures.js';
import { EVENTS_HEADER, type ServerEvent } from '../dispatch/server-events.js';
import type { EventOutcome } from '../dispatch/dispatcher.js';
import { formatRatio } from '../output/decimal.js';
import { NS_PER_SEC, formatSeconds } from '../time.js';
import type { Granularity } from '../dispatch/granularity.js';
import { ReplayError } from '../errors.js';

/** One policy instance's distributions and totals. */
export interface PolicyResult extends SampledPolicy {
  /** Per server: connections dispatched over the run. */
  readonly serverConnections: readonly number[];
  /** Per server: payload bytes (after the direction filter) over the run. */
  readonly serverBytes: readonly number[];
  /** Connections whose packets reached more than one server (0 with connection granularity). */
  readonly splitConnections: number;
  /** Packets routed elsewhere than their connection's first packet (0 with connection granularity). */
  readonly misroutedPackets: number;
}

export interface ReplayResults {
  readonly binWidth: BinWidth;
  readonly interval: Duration;
  /** Samples taken (idle ones included): the same for every instance and metric. */
  readonly samples: number;
  readonly connectionsReplayed: number;
  readonly connectionsNotReplayed: number;
  /** Instances in output order. */
  readonly policies: readonly PolicyResult[];
  /** `--imbalance` in output order; ['range'] when absent. */
  readonly imbalance?: readonly ImbalanceMeasure[];
  /** `--granularity`; 'connection' when absent. In packet mode the first load is packets. */
  readonly granularity?: Granularity;
  /** Packet mode: the packets routed (after the direction filter); 0 otherwise. */
  readonly packetsReplayed?: number;
}

/** Everything a replay needs: the configurations and the resolved sampling options. */
export interface ReplayEngineOptions {
  /** The policy instances (configurations), in output order. */
  readonly configs: readonly PolicyConfig[];
  /** Sampling interval, > 0. */
  readonly interval: Duration;
  /** `--bin-width` as decimal text ("0.01"). */
  readonly binWidth: string;
  readonly direction: Direction;
  /** `--service` values as given (`ADDR[/PREFIX][:PORT]`); empty = every connection. */
  readonly services: readonly string[];
  readonly timeseries?: TextSink | undefined;
  readonly assignments?: TextSink | undefined;
  /** `--imbalance`: the measures sampled besides range (default none). */
  readonly measures?: readonly ImbalanceMeasure[] | undefined;
  /** `--event`: server changes, checked and in time order (src/engine/server-events.ts). */
  readonly events?: readonly ServerEvent[] | undefined;
  /** `--events-output`: receives EVENTS_HEADER at construction, then one row per applied event and instance. */
  readonly eventsOutput?: TextSink | undefined;
  /** `--granularity` (default connection); packet: every packet routed on its own. */
  readonly granularity?: Granularity | undefined;
}

/** Decimals of the `fraction` column (rounded half to even). */
export const FRACTION_DECIMALS = 6;

/** The `--events-output` rows of one event (docs/policies.md "Server changes"). */
export function eventRows(event: ServerEvent, outcomes: readonly EventOutcome[]): string {
  let text = '';
  const time = formatSeconds(event.time);
  for (const o of outcomes) {
    const remapped = o.remapped < 0 ? '' : String(o.remapped);
    const fraction = o.remapped < 0 || o.active === 0 ? '' : formatRatio(BigInt(o.remapped), BigInt(o.active), FRACTION_DECIMALS);
    text += `${time},${o.kind},${o.server},${o.label},${o.active},${remapped},${o.broken},${fraction}\n`;
  }
  return text;
}

export class ReplayEngine implements FlowListener {
  private readonly events: readonly ServerEvent[];
  private readonly eventsOutput: TextSink | undefined;
  /** The next event not applied yet. */
  private nextEvent = 0;
  /** Its absolute instant (+∞ until the origin is known, and once every event is applied). */
  private eventSec = Number.POSITIVE_INFINITY;
  private eventNsec = 0;
  private originKnown = false;
  private originSec = 0;
  private originNsec = 0;
  /** Events applied, in order, with what they did (for tests and callers). */
  readonly applied: { event: ServerEvent; outcomes: EventOutcome[] }[] = [];

  constructor(
    readonly dispatcher: Dispatcher,
    readonly sampler: Sampler,
    events: readonly ServerEvent[] = [],
    eventsOutput?: TextSink,
  ) {
    this.events = events;
    this.eventsOutput = eventsOutput;
    if (eventsOutput !== undefined) eventsOutput(EVENTS_HEADER);
  }

  /** The capture's base second, at its first record (for `--timeseries` times). */
  start(baseSec: number): void {
    this.sampler.start(baseSec);
  }

  advance(sec: number, nsec: number): void {
    if (this.events.length > 0) {
      if (!this.originKnown) this.setOrigin(sec, nsec);
      if (sec > this.eventSec || (sec === this.eventSec && nsec >= this.eventNsec)) this.applyDue(sec, nsec);
    }
    this.sampler.advance(sec, nsec);
  }

  /** The replay's origin (its first advance, as the sampler's): event times count from it. */
  private setOrigin(sec: number, nsec: number): void {
    this.originKnown = true;
    this.originSec = sec;
    this.originNsec = nsec;
    this.sampler.advance(sec, nsec);
    this.scheduleNext();
  }

  private scheduleNext(): void {
    if (this.nextEvent >= this.events.length) {
      this.eventSec = Number.POSITIVE_INFINITY;
      return;
    }
    const t = this.events[this.nextEvent].time;
    let s = this.originSec + t.sec;
    let n = this.originNsec + t.nsec;
    if (n >= NS_PER_SEC) {
      n -= NS_PER_SEC;
      s++;
    }
    this.eventSec = s;
    this.eventNsec = n;
  }

  /**
   * Applies every event due at or before (sec, nsec), each at its own
   * instant: the samples up to that instant first (a sample at the event's
   * instant sees the state before it, SPEC §5), then the change.
   */
  private applyDue(sec: number, nsec: number): void {
    while (sec > this.eventSec || (sec === this.eventSec && nsec >= this.eventNsec)) {
      this.sampler.advance(this.eventSec, this.eventNsec);
      const event = this.events[this.nextEvent];
      const outcomes = this.dispatcher.applyEvent(event);
      this.applied.push({ event, outcomes });
      if (this.eventsOutput !== undefined) this.eventsOutput(eventRows(event, outcomes));
      this.nextEvent++;
      this.scheduleNext();
    }
  }

  open(slot: number, sec: number, nsec: number, table: Pick<ConnectionTable, 'readEndpoints'>): void {
    this.dispatcher.open(slot, sec, nsec, table);
  }

  packet(slot: number, c2s: boolean, payloadBytes: number): void {
    this.dispatcher.packet(slot, c2s, payloadBytes);
  }

  deactivate(slot: number, sec: number, nsec: number): void {
    this.dispatcher.deactivate(slot, sec, nsec);
  }

  remove(slot: number): void {
    this.dispatcher.remove(slot);
  }

  /** Takes the samples due up to the capture's last clock; call once, after the tracker's last event. */
  finish(lastSec: number, lastNsec: number): void {
    this.sampler.finish(lastSec, lastNsec);
  }

  /** Samples taken so far. */
  get samples(): number {
    return this.sampler.samples;
  }

  /** The distributions and totals, for the CSV and the summary. */
  results(): ReplayResults {
    const sampled = this.sampler.results();
    const d = this.dispatcher;
    const policies: PolicyResult[] = sampled.policies.map((p, i) => {
      const serverConnections: number[] = [];
      const serverBytes: number[] = [];
      for (let s = 0; s < p.info.servers; s++) {
        serverConnections.push(d.dispatchedConnections[p.info.base + s]);
        serverBytes.push(d.dispatchedBytes[p.info.base + s]);
      }
      return {
        ...p,
        serverConnections,
        serverBytes,
        splitConnections: d.splitConnections[i],
        misroutedPackets: d.misroutedPackets[i],
      };
    });
    return {
      binWidth: sampled.binWidth,
      interval: sampled.interval,
      samples: sampled.samples,
      connectionsReplayed: d.connectionsReplayed,
      connectionsNotReplayed: d.connectionsNotReplayed,
      policies,
      imbalance: sampled.imbalance,
      granularity: d.perPacket ? 'packet' : 'connection',
      packetsReplayed: d.packetsReplayed,
    };
  }
}

/**
 * A Dispatcher and a Sampler over shared counters, from resolved options;
 * hand the engine to the tracker as its FlowListener, call
 * `start(baseSec)` at the first record, `finish(lastSec, lastNsec)` at the
 * end, then `results()`. Throws ReplayError OPTION_INVALID for a bad bin
 * width, service, server count or seed.
 */
export function createReplayEngine(options: ReplayEngineOptions): ReplayEngine {
  const binWidth = parseBinWidth(options.binWidth);
  if (options.granularity === 'packet' && options.assignments !== undefined) {
    throw new ReplayError('OPTION_INVALID', '--assignments writes one server per connection: it needs --granularity connection');
  }
  const dispatcher = new Dispatcher({
    configs: options.configs,
    direction: options.direction,
    services: parseServices(options.services),
    assignments: options.assignments,
    events: options.events,
    granularity: options.granularity,
  });
  const sampler = new Sampler(dispatcher.counters, {
    interval: options.interval,
    binWidth,
    timeseries: options.timeseries,
    measures: options.measures,
  });
  return new ReplayEngine(dispatcher, sampler, options.events ?? [], options.eventsOutput);
}
