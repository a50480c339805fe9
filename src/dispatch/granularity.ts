/**
 * `--granularity` (issue 11 item 3, docs/policies.md "Per-packet routing"):
 * whether a configuration's policy picks a server once per connection (the
 * paper's pinned flow, the default) or for every packet on its own, as a
 * router spraying packets over N next hops would.
 */
import type { PolicyName } from './policy.js';

export const GRANULARITIES = ['connection', 'packet'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/**
 * How a policy routes single packets:
 * - `sequence`: the policy's own sequence, one draw per packet (round-robin:
 *   the k-th packet to server k mod N; random: one seeded draw per packet;
 *   the weighted ones likewise);
 * - `hash`: the policy's hash scheme over the packet's own fields, source
 *   first: the two directions of a connection hash differently, as ECMP
 *   without symmetric hashing does. Every packet of one direction carries
 *   the same fields, so the server is computed once per direction.
 */
export type PacketRouting = 'sequence' | 'hash';

/** How `policy` routes single packets; undefined for the policies that need per-connection state (refused). */
export function packetRouting(policy: PolicyName): PacketRouting | undefined {
  switch (policy) {
    case 'round-robin':
    case 'random':
    case 'weighted-round-robin':
    case 'weighted-random':
      return 'sequence';
    case 'hash':
    case 'modulo':
    case 'hash-threshold':
    case 'hrw':
    case 'ring':
    case 'maglev':
    case 'jump':
      return 'hash';
    default:
      // least-active, weighted-least-active, p2c, bounded-load: they count active connections.
      return undefined;
  }
}
