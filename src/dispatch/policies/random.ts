/**
 * `random` (SPEC §4): each connection goes to a server drawn uniformly from
 * 0 … N−1 by this instance's own xoshiro128** generator seeded with `--seed`
 * (src/dispatch/prng.ts: one unbiased bounded draw per connection, by
 * rejection). The same seed, traffic and options give the same assignment on
 * any machine.
 */
import type { DispatchPolicy, Endpoints } from '../policy.js';
import { Xoshiro128StarStar } from '../prng.js';

export class RandomPolicy implements DispatchPolicy {
  readonly name = 'random' as const;
  readonly servers: number;
  private readonly rng: Xoshiro128StarStar;

  constructor(servers: number, seed: number) {
    this.servers = servers;
    this.rng = new Xoshiro128StarStar(seed);
  }

  choose(_endpoints: Endpoints, _active: Float64Array, _base: number): number {
    return this.rng.nextBelow(this.servers);
  }
}
