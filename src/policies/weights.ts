/**
 * Server weights for the weighted policies (`--weights 3,1,1,…`, one per
 * server, issue 11; `T:weight:K=W` events change one). A weight is a whole
 * number from 0 to MAX_WEIGHT; 0 keeps a server from new connections, as a
 * drain does. A server added later gets weight 1.
 */

/** Largest weight: keeps active·weight products exact in doubles (SPEC §4's least-active counts are far below 2^33). */
export const MAX_WEIGHT = 1_000_000;
export const DEFAULT_WEIGHT = 1;

export class Weights {
  private values: Float64Array;

  /** `initial`: one weight per server (undefined: every server weight 1). */
  constructor(servers: number, initial?: readonly number[]) {
    if (initial !== undefined && initial.length !== servers) {
      throw new RangeError(`${initial.length} weights for ${servers} servers: give one per server`);
    }
    this.values = new Float64Array(Math.max(8, servers)).fill(DEFAULT_WEIGHT);
    if (initial !== undefined) initial.forEach((w, s) => this.set(s, w));
  }

  get(server: number): number {
    return server < this.values.length ? this.values[server] : DEFAULT_WEIGHT;
  }

  set(server: number, weight: number): void {
    if (!Number.isInteger(weight) || weight < 0 || weight > MAX_WEIGHT) {
      throw new RangeError(`a weight must be a whole number from 0 to ${MAX_WEIGHT}, got ${weight}`);
    }
    if (!Number.isInteger(server) || server < 0) throw new RangeError(`bad server index ${server}`);
    if (server >= this.values.length) {
      let size = this.values.length;
      while (size <= server) size *= 2;
      const grown = new Float64Array(size).fill(DEFAULT_WEIGHT);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[server] = weight;
  }
}
