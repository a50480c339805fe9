/**
 * What a dispatch policy is and how the dispatcher learns about a
 * connection (SPEC §4).
 *
 * The dispatcher sees connections by `slot` (src/flows/events.ts). When one
 * opens it asks an `EndpointSource` — the connection table, adapted — to
 * fill one reused `Endpoints` object; no object is made per connection.
 */

import { CATALOGUE_POLICY_NAMES, type CataloguePolicyName } from '../policies/catalogue.js';
import type { HashKey } from '../policies/hash-key.js';
import type { HashFn } from '../policies/flow-hash.js';

/** The paper's policies, in the order `all` expands to (SPEC §6). */
export const POLICY_NAMES = ['round-robin', 'random', 'hash', 'least-active'] as const;
export type PaperPolicyName = (typeof POLICY_NAMES)[number];
/** Every policy `--policy` accepts: the paper's four, then issue 11's catalogue (docs/policies.md). */
export const ALL_POLICY_NAMES: readonly PolicyName[] = [...POLICY_NAMES, ...CATALOGUE_POLICY_NAMES];
export type PolicyName = PaperPolicyName | CataloguePolicyName;

export function isPolicyName(text: string): text is PolicyName {
  return (ALL_POLICY_NAMES as readonly string[]).includes(text);
}

/** Policies whose outcome depends on `--seed`. */
export function usesSeed(policy: PolicyName): boolean {
  return policy === 'random' || policy === 'weighted-random' || policy === 'p2c';
}

/**
 * The catalogue's parameters (docs/policies.md), the same for every instance
 * of a run; each policy reads only its own.
 */
export interface PolicyParams {
  /** `--hash-key` of the hash schemes (default `src-port`, the `hash` policy's input). */
  readonly hashKey: HashKey;
  /** `--hash-fn` (default `crc32`). */
  readonly hashFn: HashFn;
  /** `--weights`, one per server; undefined = all 1. */
  readonly weights: readonly number[] | undefined;
  /** `--vnodes` of ring and bounded-load (default 100). */
  readonly vnodes: number;
  /** `--maglev-size`; undefined = the smallest prime ≥ 100·N. */
  readonly maglevSize: number | undefined;
  /** `--balance-factor` of bounded-load (default 1.25). */
  readonly balanceFactor: number;
}

/** The parameters when none is given. */
export const DEFAULT_POLICY_PARAMS: PolicyParams = Object.freeze({
  hashKey: 'src-port',
  hashFn: 'crc32',
  weights: undefined,
  vnodes: 100,
  maglevSize: undefined,
  balanceFactor: 1.25,
});

/**
 * A connection's identity as the dispatcher needs it. One object, reused:
 * read it before the next `readEndpoints`.
 */
export interface Endpoints {
  /** The connection number (`conn`, SPEC §3: in order of first packet), as written in `--assignments`. */
  conn: number;
  /** 4 or 6. */
  ipVersion: number;
  /**
   * The client's address as four 32-bit words in network order (word 0 holds
   * the first four bytes): IPv4 in word 0, words 1–3 zero; IPv6 in words 0–3.
   */
  readonly clientAddr: Uint32Array;
  /** The client's TCP port, 0–65535. */
  clientPort: number;
  /** The server's address, same layout as `clientAddr`. */
  readonly serverAddr: Uint32Array;
  /** The server's TCP port, 0–65535. */
  serverPort: number;
}

/** A fresh, zeroed `Endpoints` (every field initialized, one shape). */
export function createEndpoints(): Endpoints {
  return {
    conn: 0,
    ipVersion: 0,
    clientAddr: new Uint32Array(4),
    clientPort: 0,
    serverAddr: new Uint32Array(4),
    serverPort: 0,
  };
}

/**
 * Where the dispatcher reads a connection's endpoints from: the connection
 * table, by slot. Called once per connection, when it opens (before the
 * policies choose), so the slot holds the connection that just opened.
 */
export interface EndpointSource {
  /** Overwrites every field of `out` with the endpoints of the connection in `slot`. */
  readEndpoints(slot: number, out: Endpoints): void;
}

/**
 * One dispatch policy instance with its own state and its own server count.
 * Called once per dispatched connection, in time order, never per packet.
 */
export interface DispatchPolicy {
  readonly name: PolicyName;
  /** N ≥ 1: the policy answers 0 … N−1. */
  readonly servers: number;
  /**
   * The server for a connection opening now. `active[base + s]` is the number
   * of this instance's connections active on server s at this instant, every
   * close due at or before it already applied (only `least-active` reads it).
   */
  choose(endpoints: Endpoints, active: Float64Array, base: number): number;
}

/** One configuration to run in the pass: a policy and its server count. */
export interface PolicyConfig {
  readonly policy: PolicyName;
  /** N ≥ 1. */
  readonly servers: number;
  /** Seed of the `random` policy, 0 … 2^32−1 (ignored by the others). */
  readonly seed: number;
  /**
   * Name in the outputs' `policy` column. The policy name by default; a run
   * with several configurations of one policy needs distinct labels.
   */
  readonly label?: string;
  /** The catalogue's parameters; DEFAULT_POLICY_PARAMS when absent. */
  readonly params?: PolicyParams | undefined;
}
