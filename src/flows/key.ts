/**
 * The canonical key of a connection (SPEC §3: "keyed by protocol and its two
 * (address, port) endpoints, whichever way a packet travels").
 *
 * Both directions of a connection must find the same table entry, so the key
 * stores its endpoints in a fixed order: endpoint A is the smaller of the two
 * (address words compared as unsigned numbers, word 0 first, then the port),
 * endpoint B the other. The hash is taken over the canonical key, so it is
 * symmetric by construction (gopacket `flows.go` uses a symmetric hash for
 * the same purpose); lookups still compare the whole key.
 *
 * One `FlowKey` is owned by the tracker and overwritten per packet: no
 * objects, strings or arrays are made per packet (STYLE hot path).
 */
import type { DecodedPacket } from '../decode/packet.js';

export class FlowKey {
  /** 4 or 6. */
  ipVersion = 0;
  /** IPPROTO_* of the transport (6 for TCP). */
  proto = 0;
  /** Endpoint A (the smaller): address words in network order, IPv4 in word 0 (the other three 0). */
  readonly aAddr = new Uint32Array(4);
  aPort = 0;
  /** Endpoint B (the larger, or equal to A for a packet sent to itself). */
  readonly bAddr = new Uint32Array(4);
  bPort = 0;
  /** The packet that filled the key was sent by endpoint A. */
  srcIsA = true;
  /** `hashFlowKey` of the fields above, a signed 32-bit integer. */
  hash = 0;
}

/**
 * Compares endpoints (x, xPort) and (y, yPort): negative when x is smaller,
 * 0 when equal, positive when larger. Address words are compared as unsigned
 * 32-bit numbers from word 0, so the order is that of the address bytes.
 */
export function compareEndpoints(
  x: Uint32Array,
  xPort: number,
  y: Uint32Array,
  yPort: number,
): number {
  for (let i = 0; i < 4; i++) {
    const d = x[i] - y[i];
    if (d !== 0) return d;
  }
  return xPort - yPort;
}

/**
 * Fills `key` from a decoded packet: canonical endpoint order, which side sent
 * the packet, and the hash. The comparison is `compareEndpoints(src, srcPort,
 * dst, dstPort) <= 0` written out on locals: the word-by-word loop subtracted
 * unsigned words as doubles.
 */
export function setFlowKeyFromPacket(key: FlowKey, p: DecodedPacket): void {
  key.ipVersion = p.ipVersion;
  key.proto = p.ipProto;
  const src = p.src;
  const dst = p.dst;
  const sp = p.srcPort;
  const dp = p.dstPort;
  const s0 = src[0];
  const s1 = src[1];
  const s2 = src[2];
  const s3 = src[3];
  const d0 = dst[0];
  const d1 = dst[1];
  const d2 = dst[2];
  const d3 = dst[3];
  const srcIsA =
    s0 !== d0 ? s0 < d0 : s1 !== d1 ? s1 < d1 : s2 !== d2 ? s2 < d2 : s3 !== d3 ? s3 < d3 : sp <= dp;
  const a = key.aAddr;
  const b = key.bAddr;
  if (srcIsA) {
    a[0] = s0;
    a[1] = s1;
    a[2] = s2;
    a[3] = s3;
    b[0] = d0;
    b[1] = d1;
    b[2] = d2;
    b[3] = d3;
    key.aPort = sp;
    key.bPort = dp;
  } else {
    a[0] = d0;
    a[1] = d1;
    a[2] = d2;
    a[3] = d3;
    b[0] = s0;
    b[1] = s1;
    b[2] = s2;
    b[3] = s3;
    key.aPort = dp;
    key.bPort = sp;
  }
  key.srcIsA = srcIsA;
  key.hash = hashFlowKey(key);
}

/** MurmurHash3's seed and block constants c1 and c2. */
const SEED = 0x9747b28c;
const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/**
 * MurmurHash3 (x86, 32-bit) over the canonical key's 32-bit words: A's
 * address, B's address, both ports, version and protocol. An IPv4 address is
 * one word (word 0; the other three are 0 by construction), an IPv6 address
 * four, so an IPv4 key hashes 4 words (16 bytes) and an IPv6 key 10 (40
 * bytes). The key is canonical, so both directions of a connection hash
 * alike. Returns a signed 32-bit integer: V8 keeps those unboxed (a small
 * integer on 64-bit builds), where an unsigned value ≥ 2^31 would be a heap
 * number allocated per packet (measured: ~300 scavenges per 20 M packets,
 * gone with `| 0`).
 *
 * Written as two short loops with the round inline: small enough for V8 to
 * inline into the per-packet path, and an IPv4 key, the common case, skips
 * the six zero words (docs/connections.md, "Performance").
 */
export function hashFlowKey(key: FlowKey): number {
  const a = key.aAddr;
  const b = key.bAddr;
  const words = key.ipVersion === 4 ? 1 : 4;
  let h = SEED;
  let k: number;
  for (let i = 0; i < words; i++) {
    k = Math.imul(a[i], C1);
    k = Math.imul((k << 15) | (k >>> 17), C2);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  for (let i = 0; i < words; i++) {
    k = Math.imul(b[i], C1);
    k = Math.imul((k << 15) | (k >>> 17), C2);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  k = Math.imul(((key.aPort & 0xffff) << 16) | (key.bPort & 0xffff), C1);
  k = Math.imul((k << 15) | (k >>> 17), C2);
  h ^= k;
  h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  k = Math.imul(((key.ipVersion & 0xff) << 8) | (key.proto & 0xff), C1);
  k = Math.imul((k << 15) | (k >>> 17), C2);
  h ^= k;
  h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  // Final avalanche (fmix32) with the input length in bytes.
  h ^= (words + 1) * 8;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
