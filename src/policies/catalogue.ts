/**
 * The policy catalogue of issue 11 by name, and one factory, so the later
 * wiring (options, `--policy` names, the dispatcher) needs only this module.
 * Every policy is documented in docs/policies.md and in its own module.
 */
import { BoundedLoadPolicy, DEFAULT_BALANCE_FACTOR } from './bounded-load.js';
import { HashThresholdMapping } from './hash-threshold.js';
import { HrwMapping } from './hrw.js';
import { JumpMapping } from './jump.js';
import { MaglevMapping, defaultMaglevSize } from './maglev.js';
import { ModuloMapping } from './modulo.js';
import { PowerOfTwoPolicy } from './p2c.js';
import { ConsistentHashPolicy, type CataloguePolicy } from './policy.js';
import { DEFAULT_VNODES, RingMapping } from './ring.js';
import { ServerSet } from './server-set.js';
import { WeightedLeastActivePolicy } from './weighted-least-active.js';
import { WeightedRandomPolicy } from './weighted-random.js';
import { WeightedRoundRobinPolicy } from './weighted-round-robin.js';
import { Weights } from './weights.js';

export const CATALOGUE_POLICY_NAMES = [
  'weighted-round-robin',
  'weighted-random',
  'weighted-least-active',
  'p2c',
  'modulo',
  'hash-threshold',
  'hrw',
  'ring',
  'maglev',
  'jump',
  'bounded-load',
] as const;
export type CataloguePolicyName = (typeof CATALOGUE_POLICY_NAMES)[number];

export function isCataloguePolicyName(text: string): text is CataloguePolicyName {
  return (CATALOGUE_POLICY_NAMES as readonly string[]).includes(text);
}

/** The policies that read the flow hash (and offer `route`). */
export const HASH_POLICY_NAMES: readonly CataloguePolicyName[] = ['modulo', 'hash-threshold', 'hrw', 'ring', 'maglev', 'jump', 'bounded-load'];

export function usesHash(name: CataloguePolicyName): boolean {
  return HASH_POLICY_NAMES.includes(name);
}

export interface CatalogueConfig {
  readonly policy: CataloguePolicyName;
  /** N ≥ 1 servers at the start. */
  readonly servers: number;
  /** Seed of the generator (weighted-random, p2c), 0 … 2^32 − 1. */
  readonly seed: number;
  /** One weight per server (weighted-*); default all 1. */
  readonly weights?: readonly number[] | undefined;
  /** Points per server (ring, bounded-load); default 100. */
  readonly vnodes?: number | undefined;
  /** Maglev table size, a prime; default the smallest prime ≥ 100·N. */
  readonly maglevSize?: number | undefined;
  /** c ≥ 1 (bounded-load); default 1.25. */
  readonly balanceFactor?: number | undefined;
}

/**
 * A policy instance for `config`, over `set` (a fresh set of config.servers
 * servers in service unless given: pass one to share it with the replay's
 * events).
 */
export function createCataloguePolicy(config: CatalogueConfig, set: ServerSet = new ServerSet(config.servers)): CataloguePolicy {
  const vnodes = config.vnodes ?? DEFAULT_VNODES;
  switch (config.policy) {
    case 'weighted-round-robin':
      return new WeightedRoundRobinPolicy(set, new Weights(config.servers, config.weights));
    case 'weighted-random':
      return new WeightedRandomPolicy(set, new Weights(config.servers, config.weights), config.seed);
    case 'weighted-least-active':
      return new WeightedLeastActivePolicy(set, new Weights(config.servers, config.weights));
    case 'p2c':
      return new PowerOfTwoPolicy(set, config.seed);
    case 'modulo':
      return new ConsistentHashPolicy('modulo', set, (members) => new ModuloMapping(members));
    case 'hash-threshold':
      return new ConsistentHashPolicy('hash-threshold', set, (members) => new HashThresholdMapping(members));
    case 'hrw':
      return new ConsistentHashPolicy('hrw', set, (members) => new HrwMapping(members));
    case 'ring':
      return new ConsistentHashPolicy('ring', set, (members) => new RingMapping(members, vnodes));
    case 'maglev': {
      const size = config.maglevSize ?? defaultMaglevSize(config.servers);
      return new ConsistentHashPolicy('maglev', set, (members) => new MaglevMapping(members, size));
    }
    case 'jump':
      return new ConsistentHashPolicy('jump', set, (members, previous) => new JumpMapping(members, previous as JumpMapping | undefined));
    case 'bounded-load':
      return new BoundedLoadPolicy(set, vnodes, config.balanceFactor ?? DEFAULT_BALANCE_FACTOR);
  }
}
