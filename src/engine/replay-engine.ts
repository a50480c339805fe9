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

/** One policy instance's distributions and totals. */
export interface PolicyResult extends SampledPolicy {
  /** Per server: connections dispatched over the run. */
  readonly serverConnections: readonly number[];
  /** Per server: payload bytes (after the direction filter) over the run. */
  readonly serverBytes: readonly number[];
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
}

export class ReplayEngine implements FlowListener {
  constructor(
    readonly dispatcher: Dispatcher,
    readonly sampler: Sampler,
  ) {}

  /** The capture's base second, at its first record (for `--timeseries` times). */
  start(baseSec: number): void {
    this.sampler.start(baseSec);
  }

  advance(sec: number, nsec: number): void {
    this.sampler.advance(sec, nsec);
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
    const policies: PolicyResult[] = sampled.policies.map((p) => {
      const serverConnections: number[] = [];
      const serverBytes: number[] = [];
      for (let s = 0; s < p.info.servers; s++) {
        serverConnections.push(d.dispatchedConnections[p.info.base + s]);
        serverBytes.push(d.dispatchedBytes[p.info.base + s]);
      }
      return { ...p, serverConnections, serverBytes };
    });
    return {
      binWidth: sampled.binWidth,
      interval: sampled.interval,
      samples: sampled.samples,
      connectionsReplayed: d.connectionsReplayed,
      connectionsNotReplayed: d.connectionsNotReplayed,
      policies,
      imbalance: sampled.imbalance,
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
  const dispatcher = new Dispatcher({
    configs: options.configs,
    direction: options.direction,
    services: parseServices(options.services),
    assignments: options.assignments,
  });
  const sampler = new Sampler(dispatcher.counters, {
    interval: options.interval,
    binWidth,
    timeseries: options.timeseries,
    measures: options.measures,
  });
  return new ReplayEngine(dispatcher, sampler);
}
