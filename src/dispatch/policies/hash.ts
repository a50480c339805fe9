/**
 * `hash` (SPEC §4, the paper's "hashing on the source address and the port
 * number"): server = CRC-32(client address bytes ‖ client port) mod N, where
 * the address bytes are the 4 bytes of an IPv4 address or the 16 of an IPv6
 * address in network order, followed by the client port as 2 bytes, most
 * significant first. CRC-32 is the IEEE 802.3 / zlib one (src/dispatch/crc32.ts).
 *
 * Example: client 192.0.2.1 port 40000 hashes the bytes
 * c0 00 02 01 9c 40.
 */
import type { DispatchPolicy, Endpoints } from '../policy.js';
import { CRC32_INIT, crc32Finish, crc32U16, crc32Word } from '../crc32.js';

/** CRC-32 of the client address and port, as the `hash` policy defines it. */
export function clientHash(endpoints: Endpoints): number {
  const addr = endpoints.clientAddr;
  let crc = crc32Word(CRC32_INIT, addr[0]);
  if (endpoints.ipVersion === 6) {
    crc = crc32Word(crc, addr[1]);
    crc = crc32Word(crc, addr[2]);
    crc = crc32Word(crc, addr[3]);
  }
  crc = crc32U16(crc, endpoints.clientPort);
  return crc32Finish(crc);
}

export class HashPolicy implements DispatchPolicy {
  readonly name = 'hash' as const;
  readonly servers: number;

  constructor(servers: number) {
    this.servers = servers;
  }

  choose(endpoints: Endpoints, _active: Float64Array, _base: number): number {
    return clientHash(endpoints) % this.servers;
  }
}
