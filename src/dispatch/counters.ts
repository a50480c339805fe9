/**
 * Per-configuration, per-server counters (SPEC §4–§5): what the dispatcher
 * writes as connections open, carry bytes and close, and what the sampler
 * and the summary read. One flat Float64Array per quantity indexed by a
 * global server index: configuration (policy instance) i owns indices
 * base_i … base_i + N_i − 1. Counts are integers, exact in doubles to 2^53.
 */
import type { PolicyName } from './policy.js';

/** What the outputs need to know about a policy instance (one configuration). */
export interface PolicyInstanceInfo {
  /** The `policy` column. */
  readonly label: string;
  readonly policy: PolicyName;
  readonly servers: number;
  /** Seed of its `random` generator (meaningless to the other policies). */
  readonly seed: number;
  /** First global server index of the instance in the per-server arrays. */
  readonly base: number;
}

export class ServerCounters {
  /** Σ N_i: the length of the per-server arrays. */
  readonly totalServers: number;
  /** Dispatched connections active right now. */
  readonly active: Float64Array;
  /** Connections dispatched over the run. */
  readonly connections: Float64Array;
  /**
   * Payload bytes (after the direction filter) over the run; the bytes of an
   * interval are the difference between two readings.
   */
  readonly bytes: Float64Array;
  /**
   * With server changes (`--event`, src/engine/server-events.ts): per global
   * server, 1 while it is in service, 0 once removed, failed or draining; the
   * sampler measures imbalance over the servers in service only. Undefined
   * (every server counts) without events.
   */
  inService: Uint8Array | undefined;
  /**
   * With `--granularity packet` (src/dispatch/granularity.ts): packets
   * (after the direction filter) per server over the run; the packets of an
   * interval are the difference between two readings. Undefined otherwise.
   */
  packets: Float64Array | undefined;

  constructor(readonly instances: readonly PolicyInstanceInfo[]) {
    let total = 0;
    for (const inst of instances) total = Math.max(total, inst.base + inst.servers);
    this.totalServers = total;
    this.active = new Float64Array(total);
    this.connections = new Float64Array(total);
    this.bytes = new Float64Array(total);
    this.inService = undefined;
    this.packets = undefined;
  }
}
