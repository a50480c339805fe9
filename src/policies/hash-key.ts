/**
 * The bytes a hash policy hashes for a connection (`--hash-key`, issue 11).
 *
 * Fields are laid out as Receive Side Scaling lays out a packet's fields
 * (Microsoft, "RSS hashing functions"; the order of the IP and TCP headers):
 * source address, destination address, source port, destination port, every
 * field in network byte order; an IPv4 address is 4 bytes, an IPv6 address
 * 16. "Source" is the connection's client, the sender of its SYN (SPEC §3
 * decides the client from the first packet), and "destination" its server:
 * the key of a connection is the key of its SYN, whichever packet opened it.
 *
 * - `src`: client address (4 or 16 bytes);
 * - `src-port`: client address, client port (6 or 18 bytes) — the bytes of
 *   the `hash` policy of SPEC §4;
 * - `4-tuple`: client address, server address, client port, server port
 *   (12 or 36 bytes: RSS's TCP/IPv4 and TCP/IPv6 inputs);
 * - `5-tuple`: the 4-tuple followed by the IP protocol number as one byte
 *   (13 or 37 bytes; 6 for TCP, the only protocol replayed today). RSS has no
 *   protocol input — the protocol only chooses which RSS hash type applies —
 *   so the Toeplitz function hashes a 5-tuple key as its 4-tuple (flow-hash.ts).
 */

export const HASH_KEYS = ['src', 'src-port', '4-tuple', '5-tuple'] as const;
export type HashKey = (typeof HASH_KEYS)[number];

export function isHashKey(text: string): text is HashKey {
  return (HASH_KEYS as readonly string[]).includes(text);
}

/** IANA protocol number of TCP. */
export const IPPROTO_TCP = 6;

/** The longest key: a 5-tuple over IPv6. */
export const MAX_KEY_BYTES = 37;

/**
 * What the key builder reads of a connection. The dispatcher's `Endpoints`
 * (src/dispatch/policy.ts) has this shape.
 */
export interface FlowEndpoints {
  /** 4 or 6. */
  readonly ipVersion: number;
  /** Four 32-bit words in network order; IPv4 in word 0. */
  readonly clientAddr: Uint32Array;
  readonly clientPort: number;
  readonly serverAddr: Uint32Array;
  readonly serverPort: number;
}

function putWord(out: Uint8Array, at: number, word: number): number {
  out[at] = word >>> 24;
  out[at + 1] = (word >>> 16) & 0xff;
  out[at + 2] = (word >>> 8) & 0xff;
  out[at + 3] = word & 0xff;
  return at + 4;
}

function putAddr(out: Uint8Array, at: number, addr: Uint32Array, v6: boolean): number {
  at = putWord(out, at, addr[0]);
  if (v6) {
    at = putWord(out, at, addr[1]);
    at = putWord(out, at, addr[2]);
    at = putWord(out, at, addr[3]);
  }
  return at;
}

function putPort(out: Uint8Array, at: number, port: number): number {
  out[at] = (port >>> 8) & 0xff;
  out[at + 1] = port & 0xff;
  return at + 2;
}

/**
 * Writes the key of `kind` for `ep` into `out` (at least MAX_KEY_BYTES long)
 * from byte 0 and returns its length. Allocates nothing.
 */
export function writeHashKey(kind: HashKey, ep: FlowEndpoints, out: Uint8Array, protocol: number = IPPROTO_TCP): number {
  const v6 = ep.ipVersion === 6;
  let at = putAddr(out, 0, ep.clientAddr, v6);
  switch (kind) {
    case 'src':
      return at;
    case 'src-port':
      return putPort(out, at, ep.clientPort);
    case '4-tuple':
    case '5-tuple':
      at = putAddr(out, at, ep.serverAddr, v6);
      at = putPort(out, at, ep.clientPort);
      at = putPort(out, at, ep.serverPort);
      if (kind === '5-tuple') out[at++] = protocol & 0xff;
      return at;
  }
}
