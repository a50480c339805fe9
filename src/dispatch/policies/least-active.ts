/**
 * `least-active` (SPEC §4; the paper's near-ideal connection router): the
 * server with the fewest of this instance's connections active at the
 * instant the connection opens, ties to the lowest server index (as the
 * Linux IPVS `lc` scheduler). Closes due at or before the instant are
 * already applied: the tracker reports `deactivate` before `open` at the
 * same time (src/flows/events.ts).
 */
import type { DispatchPolicy, Endpoints } from '../policy.js';

export class LeastActivePolicy implements DispatchPolicy {
  readonly name = 'least-active' as const;
  readonly servers: number;

  constructor(servers: number) {
    this.servers = servers;
  }

  choose(_endpoints: Endpoints, active: Float64Array, base: number): number {
    let best = 0;
    let bestCount = active[base];
    for (let s = 1; s < this.servers; s++) {
      const count = active[base + s];
      if (count < bestCount) {
        best = s;
        bestCount = count;
      }
    }
    return best;
  }
}
