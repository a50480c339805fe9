/**
 * The connection table: every connection the tracker currently holds (SPEC §3),
 * stored without an object per connection (STYLE hot path; gopacket
 * `reassembly/memory.go`).
 *
 * - Per-slot fields live in typed arrays (the "slab"), indexed by slot
 *   number. The slab starts at `initialCapacity` slots and doubles when full,
 *   never past `maxCapacity`. It never shrinks: memory follows the peak number
 *   of connections held at once, not the length of the capture.
 * - Freed slots are reused through a free list chained through the LRU "next"
 *   link of the free slots (a free slot is on no other list).
 * - Lookup is open addressing with linear probing over an `Int32Array` of slot
 *   numbers (-1 = empty) whose size is a power of two, kept at most half full
 *   (doubled and rehashed from the stored hashes when an insert would pass
 *   that). Deletion shifts the following entries of the cluster back, so there
 *   are no tombstones and probe lengths do not degrade with churn.
 *
 * The tracker (`tracker.ts`) writes the per-slot arrays directly; listeners and
 * row writers read them through the accessors, which speak of client and server
 * rather than of the canonical endpoints A and B.
 */
import type { FlowKey } from './key.js';
import { CloseReason } from './events.js';

/** Bits of `flags`. */
/** The connection's first packet was a SYN without ACK (SPEC §3 `syn_seen`). */
export const FLAG_SYN_SEEN = 0x01;
/** A FIN was seen from the client. */
export const FLAG_FIN_CLIENT = 0x02;
/** A FIN was seen from the server. */
export const FLAG_FIN_SERVER = 0x04;
/** Closed by FIN or RST; still in the table absorbing late packets. */
export const FLAG_CLOSED = 0x08;
/** Active for the balancer and the sampler (between `open` and `deactivate`). */
export const FLAG_ACTIVE = 0x10;
/** Every packet so far was a SYN without ACK from the client (SYN timeout applies). */
export const FLAG_SYN_ONLY = 0x20;
/** `isn` holds the client's initial sequence number. */
export const FLAG_ISN_KNOWN = 0x40;
/** The client is canonical endpoint A (else B). */
export const FLAG_CLIENT_IS_A = 0x80;

/** Offsets of the two intrusive lists within a slot's four `links` words. */
export const LINK_LRU = 0;
export const LINK_SYN = 2;

export interface ConnectionTableOptions {
  /** Slots allocated up front (default 1024, at most `maxCapacity`). */
  initialCapacity?: number;
  /** The slab never grows past this many slots (default: no bound). */
  maxCapacity?: number;
}

const DEFAULT_INITIAL_CAPACITY = 1024;
const MIN_INDEX_SIZE = 16;

/** Bytes of typed-array storage per slot (see the field list below), for the docs and the summary. */
export const BYTES_PER_SLOT = 140;

export class ConnectionTable {
  // --- per-slot fields (written by the tracker; read via the accessors) ---
  /** 4 or 6. */
  ipVersionOf: Uint8Array;
  /** IPPROTO_* number. */
  protoOf: Uint8Array;
  /** FLAG_* bits. */
  flagsOf: Uint8Array;
  /** CloseReason; OPEN while open. */
  reasonOf: Uint8Array;
  /** Canonical endpoint A's address words (4 per slot) and port. */
  aAddrOf: Uint32Array;
  aPortOf: Uint16Array;
  /** Canonical endpoint B's address words (4 per slot) and port. */
  bAddrOf: Uint32Array;
  bPortOf: Uint16Array;
  /** `hashFlowKey` of the key, kept for rehashing and deletion. */
  hashOf: Int32Array;
  /** The client's initial sequence number when FLAG_ISN_KNOWN. */
  isnOf: Uint32Array;
  /** Intrusive list links, 4 per slot: LRU prev, LRU next, SYN prev, SYN next (-1 = none). */
  links: Int32Array;
  /** `conn` number: order of first packet, from 0. */
  connOf: Float64Array;
  // Times are (sec, nsec) pairs relative to the base second (events.ts).
  // Seconds are in a Float64Array: exact for any integer a timestamp can hold
  // (a damaged pcap timestamp near 2^32 s lies more than 2^31 s from the base,
  // which an Int32Array would wrap). Nanoseconds (0 ≤ nsec < 1e9) fit an Int32Array.
  /** Own timestamp of the connection's first packet in file order. */
  firstSecOf: Float64Array;
  firstNsecOf: Int32Array;
  /** Own timestamp of the connection's last packet in file order. */
  lastSecOf: Float64Array;
  lastNsecOf: Int32Array;
  /** Replay clock at the connection's last packet: drives expiry and eviction. */
  lastClockSecOf: Float64Array;
  lastClockNsecOf: Int32Array;
  /** Packets and TCP payload bytes each way. */
  packetsC2sOf: Float64Array;
  packetsS2cOf: Float64Array;
  bytesC2sOf: Float64Array;
  bytesS2cOf: Float64Array;

  // --- index and allocation ---
  private index: Int32Array;
  private mask: number;
  private count = 0;
  /** Slots [0, used) have been handed out at least once. */
  private used = 0;
  private freeHead = -1;
  private cap: number;
  private readonly maxCap: number;

  constructor(options: ConnectionTableOptions = {}) {
    const maxCap = options.maxCapacity ?? Number.MAX_SAFE_INTEGER;
    if (!(maxCap >= 1)) throw new RangeError(`maxCapacity must be at least 1, got ${maxCap}`);
    const initial = Math.min(options.initialCapacity ?? DEFAULT_INITIAL_CAPACITY, maxCap);
    if (!(initial >= 1)) throw new RangeError(`initialCapacity must be at least 1, got ${initial}`);
    this.maxCap = maxCap;
    this.cap = initial;
    this.ipVersionOf = new Uint8Array(initial);
    this.protoOf = new Uint8Array(initial);
    this.flagsOf = new Uint8Array(initial);
    this.reasonOf = new Uint8Array(initial);
    this.aAddrOf = new Uint32Array(initial * 4);
    this.aPortOf = new Uint16Array(initial);
    this.bAddrOf = new Uint32Array(initial * 4);
    this.bPortOf = new Uint16Array(initial);
    this.hashOf = new Int32Array(initial);
    this.isnOf = new Uint32Array(initial);
    this.links = new Int32Array(initial * 4);
    this.connOf = new Float64Array(initial);
    this.firstSecOf = new Float64Array(initial);
    this.firstNsecOf = new Int32Array(initial);
    this.lastSecOf = new Float64Array(initial);
    this.lastNsecOf = new Int32Array(initial);
    this.lastClockSecOf = new Float64Array(initial);
    this.lastClockNsecOf = new Int32Array(initial);
    this.packetsC2sOf = new Float64Array(initial);
    this.packetsS2cOf = new Float64Array(initial);
    this.bytesC2sOf = new Float64Array(initial);
    this.bytesS2cOf = new Float64Array(initial);
    let indexSize = MIN_INDEX_SIZE;
    while (indexSize < initial * 2) indexSize *= 2;
    this.index = new Int32Array(indexSize).fill(-1);
    this.mask = indexSize - 1;
  }

  /** Connections in the table. */
  get size(): number {
    return this.count;
  }

  /** Slots allocated in the slab. */
  get capacity(): number {
    return this.cap;
  }

  /** Entries of the open-addressing index (a power of two, at least twice `size`). */
  get indexSize(): number {
    return this.mask + 1;
  }

  /** The slot holding `key`, or -1. */
  find(key: FlowKey): number {
    const index = this.index;
    const mask = this.mask;
    const hash = key.hash;
    let i = hash & mask;
    for (;;) {
      const s = index[i];
      if (s < 0) return -1;
      if (this.hashOf[s] === hash && this.keyEquals(s, key)) return s;
      i = (i + 1) & mask;
    }
  }

  private keyEquals(s: number, key: FlowKey): boolean {
    if (
      this.aPortOf[s] !== key.aPort ||
      this.bPortOf[s] !== key.bPort ||
      this.ipVersionOf[s] !== key.ipVersion ||
      this.protoOf[s] !== key.proto
    ) {
      return false;
    }
    const w = s * 4;
    const a = this.aAddrOf;
    const b = this.bAddrOf;
    const ka = key.aAddr;
    const kb = key.bAddr;
    return (
      a[w] === ka[0] &&
      a[w + 1] === ka[1] &&
      a[w + 2] === ka[2] &&
      a[w + 3] === ka[3] &&
      b[w] === kb[0] &&
      b[w + 1] === kb[1] &&
      b[w + 2] === kb[2] &&
      b[w + 3] === kb[3]
    );
  }

  /**
   * Adds `key` (which must not be in the table) and returns its slot, with
   * every other field reset: flags 0, reason OPEN, counters and times 0, links
   * -1. Throws when the table already holds `maxCapacity` entries (the tracker
   * evicts before that).
   */
  insert(key: FlowKey): number {
    if ((this.count + 1) * 2 > this.mask + 1) this.growIndex();
    const s = this.allocSlot();
    this.ipVersionOf[s] = key.ipVersion;
    this.protoOf[s] = key.proto;
    this.flagsOf[s] = 0;
    this.reasonOf[s] = CloseReason.OPEN;
    const w = s * 4;
    const ka = key.aAddr;
    const kb = key.bAddr;
    this.aAddrOf[w] = ka[0];
    this.aAddrOf[w + 1] = ka[1];
    this.aAddrOf[w + 2] = ka[2];
    this.aAddrOf[w + 3] = ka[3];
    this.bAddrOf[w] = kb[0];
    this.bAddrOf[w + 1] = kb[1];
    this.bAddrOf[w + 2] = kb[2];
    this.bAddrOf[w + 3] = kb[3];
    this.aPortOf[s] = key.aPort;
    this.bPortOf[s] = key.bPort;
    this.hashOf[s] = key.hash;
    this.isnOf[s] = 0;
    this.links[w] = -1;
    this.links[w + 1] = -1;
    this.links[w + 2] = -1;
    this.links[w + 3] = -1;
    this.connOf[s] = 0;
    this.firstSecOf[s] = 0;
    this.firstNsecOf[s] = 0;
    this.lastSecOf[s] = 0;
    this.lastNsecOf[s] = 0;
    this.lastClockSecOf[s] = 0;
    this.lastClockNsecOf[s] = 0;
    this.packetsC2sOf[s] = 0;
    this.packetsS2cOf[s] = 0;
    this.bytesC2sOf[s] = 0;
    this.bytesS2cOf[s] = 0;
    // Linear probe to the first empty entry.
    const index = this.index;
    const mask = this.mask;
    let i = key.hash & mask;
    while (index[i] >= 0) i = (i + 1) & mask;
    index[i] = s;
    this.count++;
    return s;
  }

  /**
   * Removes the connection in `slot` from the index and puts the slot on the
   * free list. The caller has already unlinked it from the expiry lists.
   */
  free(slot: number): void {
    const index = this.index;
    const mask = this.mask;
    let i = this.hashOf[slot] & mask;
    while (index[i] !== slot) {
      if (index[i] < 0) throw new Error(`internal: slot ${slot} is not in the connection index`);
      i = (i + 1) & mask;
    }
    // Backward-shift deletion (Knuth 6.4, Algorithm R): walk the rest of the
    // cluster and move back every entry whose home position does not lie in
    // the cyclic range (i, j], i.e. that would become unreachable across the hole.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const s = index[j];
      if (s < 0) break;
      const home = this.hashOf[s] & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        index[i] = s;
        i = j;
      }
    }
    index[i] = -1;
    this.flagsOf[slot] = 0;
    this.links[slot * 4 + LINK_LRU + 1] = this.freeHead;
    this.freeHead = slot;
    this.count--;
  }

  private allocSlot(): number {
    const f = this.freeHead;
    if (f >= 0) {
      this.freeHead = this.links[f * 4 + LINK_LRU + 1];
      return f;
    }
    if (this.used === this.cap) this.growSlab();
    return this.used++;
  }

  private growIndex(): void {
    const size = (this.mask + 1) * 2;
    const old = this.index;
    const index = new Int32Array(size).fill(-1);
    const mask = size - 1;
    for (let k = 0; k < old.length; k++) {
      const s = old[k];
      if (s < 0) continue;
      let i = this.hashOf[s] & mask;
      while (index[i] >= 0) i = (i + 1) & mask;
      index[i] = s;
    }
    this.index = index;
    this.mask = mask;
  }

  private growSlab(): void {
    if (this.cap >= this.maxCap) {
      throw new Error(`internal: connection table full (${this.maxCap} slots)`);
    }
    const n = Math.min(this.cap * 2, this.maxCap);
    this.ipVersionOf = growU8(this.ipVersionOf, n);
    this.protoOf = growU8(this.protoOf, n);
    this.flagsOf = growU8(this.flagsOf, n);
    this.reasonOf = growU8(this.reasonOf, n);
    this.aAddrOf = growU32(this.aAddrOf, n * 4);
    this.aPortOf = growU16(this.aPortOf, n);
    this.bAddrOf = growU32(this.bAddrOf, n * 4);
    this.bPortOf = growU16(this.bPortOf, n);
    this.hashOf = growI32(this.hashOf, n);
    this.isnOf = growU32(this.isnOf, n);
    this.links = growI32(this.links, n * 4);
    this.connOf = growF64(this.connOf, n);
    this.firstSecOf = growF64(this.firstSecOf, n);
    this.firstNsecOf = growI32(this.firstNsecOf, n);
    this.lastSecOf = growF64(this.lastSecOf, n);
    this.lastNsecOf = growI32(this.lastNsecOf, n);
    this.lastClockSecOf = growF64(this.lastClockSecOf, n);
    this.lastClockNsecOf = growI32(this.lastClockNsecOf, n);
    this.packetsC2sOf = growF64(this.packetsC2sOf, n);
    this.packetsS2cOf = growF64(this.packetsS2cOf, n);
    this.bytesC2sOf = growF64(this.bytesC2sOf, n);
    this.bytesS2cOf = growF64(this.bytesS2cOf, n);
    this.cap = n;
  }

  // --- accessors for listeners and row writers ---

  /** 4 or 6. */
  ipVersion(slot: number): number {
    return this.ipVersionOf[slot];
  }

  /** IPPROTO_* of the connection (6 for TCP). */
  proto(slot: number): number {
    return this.protoOf[slot];
  }

  /** The FLAG_* bits. */
  flags(slot: number): number {
    return this.flagsOf[slot];
  }

  /** The client is canonical endpoint A. */
  clientIsA(slot: number): boolean {
    return (this.flagsOf[slot] & FLAG_CLIENT_IS_A) !== 0;
  }

  /** Word `i` (0–3, network order; IPv4 in word 0) of the client's address. */
  clientAddrWord(slot: number, i: number): number {
    return (this.flagsOf[slot] & FLAG_CLIENT_IS_A) !== 0
      ? this.aAddrOf[slot * 4 + i]
      : this.bAddrOf[slot * 4 + i];
  }

  /** Word `i` (0–3, network order; IPv4 in word 0) of the server's address. */
  serverAddrWord(slot: number, i: number): number {
    return (this.flagsOf[slot] & FLAG_CLIENT_IS_A) !== 0
      ? this.bAddrOf[slot * 4 + i]
      : this.aAddrOf[slot * 4 + i];
  }

  /** Writes the client's four address words into `out[0..3]`. */
  clientAddr(slot: number, out: Uint32Array): void {
    const src = (this.flagsOf[slot] & FLAG_CLIENT_IS_A) !== 0 ? this.aAddrOf : this.bAddrOf;
    const w = slot * 4;
    out[0] = src[w];
    out[1] = src[w + 1];
    out[2] = src[w + 2];
    out[3] = src[w + 3];
  }

  /** Writes the server's four address words into `out[0..3]`. */
  serverAddr(slot: number, out: Uint32Array): void {
    const src = (this.flagsOf[slot] & FLAG_CLIENT_IS_A) !== 0 ? this.bAddrOf : this.aAddrOf;
    const w = slot * 4;
    out[0] = src[w];
    out[1] = src[w + 1];
    out[2] = src[w + 2];
    out[3] = src[w + 3];
  }

  clientPort(slot: number): number {
    return (this.flagsOf[slot] & FLAG_CLIENT_IS_A) !== 0 ? this.aPortOf[slot] : this.bPortOf[slot];
  }

  serverPort(slot: number): number {
    return (this.flagsOf[slot] & FLAG_CLIENT_IS_A) !== 0 ? this.bPortOf[slot] : this.aPortOf[slot];
  }

  /** Order of first packet, from 0 (SPEC §3 `conn`). */
  conn(slot: number): number {
    return this.connOf[slot];
  }

  /**
   * Own timestamp of the connection's first packet in file order (SPEC §3
   * "first packet time"), whole seconds relative to the base second. Not the
   * earliest: in a capture whose timestamps go backwards a later packet may be older.
   */
  firstSec(slot: number): number {
    return this.firstSecOf[slot];
  }

  /** Nanoseconds (0 ≤ nsec < 1e9) of `firstSec`'s time. */
  firstNsec(slot: number): number {
    return this.firstNsecOf[slot];
  }

  /**
   * Own timestamp of the connection's last packet in file order (SPEC §3 "last
   * packet time"), whole seconds relative to the base second. Not the latest.
   */
  lastSec(slot: number): number {
    return this.lastSecOf[slot];
  }

  /** Nanoseconds (0 ≤ nsec < 1e9) of `lastSec`'s time. */
  lastNsec(slot: number): number {
    return this.lastNsecOf[slot];
  }

  /** Replay clock at the connection's last packet, whole seconds relative to the base: idle deadlines count from it. */
  lastClockSec(slot: number): number {
    return this.lastClockSecOf[slot];
  }

  /** Nanoseconds of `lastClockSec`'s time. */
  lastClockNsec(slot: number): number {
    return this.lastClockNsecOf[slot];
  }

  packetsC2s(slot: number): number {
    return this.packetsC2sOf[slot];
  }

  packetsS2c(slot: number): number {
    return this.packetsS2cOf[slot];
  }

  /** TCP payload bytes sent by the client (per packet, retransmissions included). */
  bytesC2s(slot: number): number {
    return this.bytesC2sOf[slot];
  }

  /** TCP payload bytes sent by the server (per packet, retransmissions included). */
  bytesS2c(slot: number): number {
    return this.bytesS2cOf[slot];
  }

  /** The first packet was a SYN without ACK. */
  synSeen(slot: number): boolean {
    return (this.flagsOf[slot] & FLAG_SYN_SEEN) !== 0;
  }

  /** Active for the balancer and the sampler. */
  isActive(slot: number): boolean {
    return (this.flagsOf[slot] & FLAG_ACTIVE) !== 0;
  }

  /** Closed by FIN or RST but still in the table. */
  isClosed(slot: number): boolean {
    return (this.flagsOf[slot] & FLAG_CLOSED) !== 0;
  }

  /** CloseReason: OPEN while open; final once `remove` is called. */
  closeReason(slot: number): CloseReason {
    return this.reasonOf[slot] as CloseReason;
  }
}

function growU8(a: Uint8Array, n: number): Uint8Array {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}

function growU16(a: Uint16Array, n: number): Uint16Array {
  const b = new Uint16Array(n);
  b.set(a);
  return b;
}

function growU32(a: Uint32Array, n: number): Uint32Array {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}

function growI32(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

function growF64(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
