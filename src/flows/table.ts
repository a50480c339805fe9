/**
 * The connection table: every connection the tracker currently holds (SPEC §3),
 * stored without an object per connection (STYLE hot path; gopacket
 * `reassembly/memory.go`).
 *
 * - Per-slot fields live in fixed-stride records (an array of structs), in
 *   three kinds: `rec` (Int32Array, 16 words = 64 bytes per slot: the hash,
 *   the key, the flags, the ISN, the LRU links and the nanoseconds of the last
 *   times), `num` (Float64Array, 8 numbers = 64 bytes per slot: seconds,
 *   counters and `conn`) and `cold` (Int32Array, 3 words per slot: fields a
 *   packet of an established connection never touches). A packet of a known
 *   connection thus reads and writes one record of each of `rec` and `num`
 *   (one or two cache lines each) instead of one line in each of ~20
 *   per-field arrays; see docs/connections.md ("Performance").
 * - `rec` is one array, doubled (copied) when the table outgrows it: it is
 *   read by every lookup and by the LRU list moves, which touch other slots'
 *   records too, so it must be one plain typed array. `num` and `cold` are
 *   stored in chunks of `chunkMask + 1` slots (a power of two, 1024 by
 *   default; slot s is record s & chunkMask of chunk s >> chunkShift), added
 *   as needed and never copied: a packet reads its `num` record once.
 *   Chunks keep the old and the new copy of 76 of the 140 bytes per slot from
 *   coexisting after a growth (old typed arrays are freed only by a full GC,
 *   which this pipeline rarely triggers: doubling everything cost 11 MB of
 *   peak RSS on the 10-minute bench capture), while keeping `rec` whole
 *   avoids the chunk lookups on the hottest accesses (all-chunked cost 6 %
 *   CPU there); docs/connections.md, "Performance".
 * - The table grows by whole chunks, never past `maxCapacity`, and never
 *   shrinks: memory follows the peak number of connections held at once, not
 *   the length of the capture.
 * - Freed slots are reused through a free list chained through the LRU "next"
 *   link of the free slots (a free slot is on no other list).
 * - Lookup is open addressing with linear probing over an `Int32Array` index
 *   (-1 = empty) whose size is a power of two, kept at most half full
 *   (doubled and rehashed from the stored hashes when an insert would pass
 *   that). An entry holds the slot number in its low bits (as many as
 *   `maxCapacity` needs) and, in the bits above it up to bit 30, the top bits
 *   of the key's hash (a tag): a probe that meets another key's entry rejects
 *   it without reading that slot's record (a cache miss) in all but one case
 *   in 2^tag-bits (512 at the default bound of 4 000 000 connections).
 *   Deletion shifts the following entries of the cluster back, so there are
 *   no tombstones and probe lengths do not degrade with churn.
 *
 * The tracker (`tracker.ts`) and the expiry lists (`expiry.ts`) read and write
 * the records directly at the `R_*`, `N_*` and `C_*` offsets; listeners and
 * row writers read them through the accessors, which speak of client and
 * server rather than of the canonical endpoints A and B.
 */
import type { FlowKey } from './key.js';
import { CloseReason } from './events.js';

/** Bits of a slot's flags (the low byte of its `R_META` word). */
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
/** `R_ISN` holds the client's initial sequence number. */
export const FLAG_ISN_KNOWN = 0x40;
/** The client is canonical endpoint A (else B). */
export const FLAG_CLIENT_IS_A = 0x80;

// --- `rec`: one Int32Array, REC_STRIDE words per slot, at slot · REC_STRIDE ---
/** Words per slot in `rec` (64 bytes). */
export const REC_STRIDE = 16;
/** `hashFlowKey` of the key, kept for probing, rehashing and deletion. */
export const R_HASH = 0;
/** Canonical endpoint A's address words (4, network order, IPv4 in the first), stored as int32. */
export const R_A_ADDR = 1;
/** Canonical endpoint B's address words (4). */
export const R_B_ADDR = 5;
/** A's port in the high 16 bits, B's in the low 16 bits. */
export const R_PORTS = 9;
/**
 * FLAG_* in bits 0–7, the CloseReason in bits 8–15 (OPEN while open), the
 * key's IP protocol in bits 16–23 and its IP version in bits 24–31. Flag
 * updates use `|=` and `&= ~FLAG`, which leave the other bytes alone.
 */
export const R_META = 10;
/** The client's initial sequence number when FLAG_ISN_KNOWN (as int32). */
export const R_ISN = 11;
/** LRU list links (`expiry.ts`): previous and next slot, -1 = none. */
export const R_LRU_PREV = 12;
export const R_LRU_NEXT = 13;
/** Nanoseconds (0 ≤ nsec < 1e9) of the last packet's own time and of the clock at it. */
export const R_LAST_NSEC = 14;
export const R_LAST_CLOCK_NSEC = 15;

// --- `num`: Float64Array chunks, NUM_STRIDE numbers per slot, at (slot & chunkMask) · NUM_STRIDE ---
// Seconds are doubles: exact for any integer a timestamp can hold (a damaged
// pcap timestamp near 2^32 s lies more than 2^31 s from the base, which an
// int32 would wrap). Counters are doubles so they never wrap.
/** Numbers per slot in `num` (64 bytes). */
export const NUM_STRIDE = 8;
/** Whole seconds (relative to the base) of the last packet's own time, in file order. */
export const N_LAST_SEC = 0;
/** Whole seconds of the replay clock at the connection's last packet: drives expiry and eviction. */
export const N_LAST_CLOCK_SEC = 1;
/** Packets and TCP payload bytes each way. */
export const N_PACKETS_C2S = 2;
export const N_PACKETS_S2C = 3;
export const N_BYTES_C2S = 4;
export const N_BYTES_S2C = 5;
/** Whole seconds of the first packet's own time, in file order. */
export const N_FIRST_SEC = 6;
/** `conn` number: order of first packet, from 0. */
export const N_CONN = 7;

// --- `cold`: Int32Array chunks, COLD_STRIDE words per slot ---
/** Words per slot in `cold`. */
export const COLD_STRIDE = 3;
/** Nanoseconds of the first packet's own time. */
export const C_FIRST_NSEC = 0;
/** SYN list links (`expiry.ts`), -1 = none. */
export const C_SYN_PREV = 1;
export const C_SYN_NEXT = 2;

/** Mask of the flag byte and of the reason byte in `R_META`. */
const META_FLAGS = 0xff;
const META_REASON_SHIFT = 8;
const META_KEY_SHIFT = 16;

/** The `R_META` key byte pair (version, protocol) of a key, shifted in place. */
export function metaKeyBits(ipVersion: number, proto: number): number {
  return ((ipVersion & 0xff) << 24) | ((proto & 0xff) << META_KEY_SHIFT);
}

export interface ConnectionTableOptions {
  /**
   * Slots allocated up front (default 1024, at most `maxCapacity`). Also sets
   * the chunk size: the next power of two, at most 1024.
   */
  initialCapacity?: number;
  /** The slab never grows past this many slots (default: no bound). */
  maxCapacity?: number;
}

const DEFAULT_INITIAL_CAPACITY = 1024;
/** Largest chunk: 1024 slots, 64 KiB of `rec` and of `num` (few chunks, and a chunk costs little when it is partly used). */
const MAX_CHUNK_SHIFT = 10;
const MIN_INDEX_SIZE = 16;

/** Bytes of typed-array storage per slot (REC_STRIDE·4 + NUM_STRIDE·8 + COLD_STRIDE·4), for the docs and the summary. */
export const BYTES_PER_SLOT = REC_STRIDE * 4 + NUM_STRIDE * 8 + COLD_STRIDE * 4;

/** Where `readEndpoints` writes (the dispatcher's Endpoints has this shape). */
export interface EndpointsOut {
  conn: number;
  ipVersion: number;
  readonly clientAddr: Uint32Array;
  clientPort: number;
  readonly serverAddr: Uint32Array;
  serverPort: number;
}

export class ConnectionTable {
  // --- per-slot records (written by the tracker; read via the accessors) ---
  /** Int32 records, REC_STRIDE words per slot (R_* offsets). Replaced when the table outgrows it. */
  rec: Int32Array;
  /** `num` chunks: Float64 records, NUM_STRIDE numbers per slot (N_* offsets). */
  readonly numChunks: Float64Array[] = [];
  /** `cold` chunks: Int32 records, COLD_STRIDE words per slot (C_* offsets). */
  readonly coldChunks: Int32Array[] = [];
  /** Slot s lives in chunk s >> chunkShift, at record s & chunkMask. */
  readonly chunkShift: number;
  readonly chunkMask: number;

  // --- index and allocation ---
  private index: Int32Array;
  private mask: number;
  private count = 0;
  /** Slots [0, used) have been handed out at least once. */
  private used = 0;
  private freeHead = -1;
  private cap = 0;
  private readonly maxCap: number;
  /** Index entries: the slot in the low `slotBits` bits, the hash tag above it. */
  private readonly slotBits: number;
  private readonly slotMask: number;
  /** The tag of a hash is `(hash >>> tagShift) & tagMask` (its top bits; 0 when no bit is left for it). */
  private readonly tagShift: number;
  private readonly tagMask: number;

  constructor(options: ConnectionTableOptions = {}) {
    const maxCap = options.maxCapacity ?? Number.MAX_SAFE_INTEGER;
    if (!(maxCap >= 1)) throw new RangeError(`maxCapacity must be at least 1, got ${maxCap}`);
    const initial = Math.min(options.initialCapacity ?? DEFAULT_INITIAL_CAPACITY, maxCap);
    if (!(initial >= 1)) throw new RangeError(`initialCapacity must be at least 1, got ${initial}`);
    this.maxCap = maxCap;
    let shift = 0;
    while (shift < MAX_CHUNK_SHIFT && 2 ** shift < initial) shift++;
    this.chunkShift = shift;
    this.chunkMask = 2 ** shift - 1;
    // Slots are 0 … maxCap − 1; entries stay below 2^31 so that -1 marks an empty one.
    this.slotBits = Math.min(31, Math.max(1, Math.ceil(Math.log2(maxCap))));
    this.slotMask = this.slotBits === 31 ? 0x7fffffff : (1 << this.slotBits) - 1;
    const tagBits = 31 - this.slotBits;
    this.tagShift = 32 - tagBits;
    this.tagMask = (1 << tagBits) - 1;
    this.rec = new Int32Array(0);
    while (this.cap < initial) this.addChunk();
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

  /**
   * The slot holding `key`, or -1. An entry whose tag differs is skipped
   * without reading its record; otherwise the stored hash, then the whole key,
   * are compared within the slot's `rec` record (one cache line or two).
   */
  find(key: FlowKey): number {
    const index = this.index;
    const mask = this.mask;
    const slotBits = this.slotBits;
    const hash = key.hash;
    const tag = (hash >>> this.tagShift) & this.tagMask;
    let i = hash & mask;
    for (;;) {
      const e = index[i];
      if (e < 0) return -1;
      if (e >>> slotBits === tag) {
        const s = e & this.slotMask;
        const rec = this.rec;
        const o = s * REC_STRIDE;
        if (rec[o + R_HASH] === hash && this.keyEquals(rec, o, key)) return s;
      }
      i = (i + 1) & mask;
    }
  }

  private keyEquals(rec: Int32Array, o: number, key: FlowKey): boolean {
    const ka = key.aAddr;
    const kb = key.bAddr;
    // `| 0`: the key's words are unsigned, the record's signed; same bits.
    return (
      rec[o + R_A_ADDR] === (ka[0] | 0) &&
      rec[o + R_PORTS] === (((key.aPort & 0xffff) << 16) | (key.bPort & 0xffff)) &&
      rec[o + R_B_ADDR] === (kb[0] | 0) &&
      rec[o + R_A_ADDR + 1] === (ka[1] | 0) &&
      rec[o + R_A_ADDR + 2] === (ka[2] | 0) &&
      rec[o + R_A_ADDR + 3] === (ka[3] | 0) &&
      rec[o + R_B_ADDR + 1] === (kb[1] | 0) &&
      rec[o + R_B_ADDR + 2] === (kb[2] | 0) &&
      rec[o + R_B_ADDR + 3] === (kb[3] | 0) &&
      (rec[o + R_META] & ~0xffff) === metaKeyBits(key.ipVersion, key.proto)
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
    const rec = this.rec;
    const o = s * REC_STRIDE;
    const i = s & this.chunkMask;
    const ka = key.aAddr;
    const kb = key.bAddr;
    rec[o + R_HASH] = key.hash;
    rec[o + R_A_ADDR] = ka[0];
    rec[o + R_A_ADDR + 1] = ka[1];
    rec[o + R_A_ADDR + 2] = ka[2];
    rec[o + R_A_ADDR + 3] = ka[3];
    rec[o + R_B_ADDR] = kb[0];
    rec[o + R_B_ADDR + 1] = kb[1];
    rec[o + R_B_ADDR + 2] = kb[2];
    rec[o + R_B_ADDR + 3] = kb[3];
    rec[o + R_PORTS] = ((key.aPort & 0xffff) << 16) | (key.bPort & 0xffff);
    rec[o + R_META] = metaKeyBits(key.ipVersion, key.proto) | (CloseReason.OPEN << META_REASON_SHIFT);
    rec[o + R_ISN] = 0;
    rec[o + R_LRU_PREV] = -1;
    rec[o + R_LRU_NEXT] = -1;
    rec[o + R_LAST_NSEC] = 0;
    rec[o + R_LAST_CLOCK_NSEC] = 0;
    const num = this.numChunks[s >> this.chunkShift];
    const d = i * NUM_STRIDE;
    for (let k = 0; k < NUM_STRIDE; k++) num[d + k] = 0;
    const cold = this.coldChunks[s >> this.chunkShift];
    const c = i * COLD_STRIDE;
    cold[c + C_FIRST_NSEC] = 0;
    cold[c + C_SYN_PREV] = -1;
    cold[c + C_SYN_NEXT] = -1;
    // Linear probe to the first empty entry.
    const index = this.index;
    const mask = this.mask;
    const hash = key.hash;
    let e = hash & mask;
    while (index[e] >= 0) e = (e + 1) & mask;
    index[e] = (((hash >>> this.tagShift) & this.tagMask) << this.slotBits) | s;
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
    const slotMask = this.slotMask;
    let i = this.hashOf(slot) & mask;
    for (;;) {
      const e = index[i];
      if (e < 0) throw new Error(`internal: slot ${slot} is not in the connection index`);
      if ((e & slotMask) === slot) break;
      i = (i + 1) & mask;
    }
    // Backward-shift deletion (Knuth 6.4, Algorithm R): walk the rest of the
    // cluster and move back every entry whose home position does not lie in
    // the cyclic range (i, j], i.e. that would become unreachable across the hole.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const e = index[j];
      if (e < 0) break;
      const home = this.hashOf(e & slotMask) & mask;
      if (((j - home) & mask) >= ((j - i) & mask)) {
        index[i] = e;
        i = j;
      }
    }
    index[i] = -1;
    const rec = this.rec;
    const o = slot * REC_STRIDE;
    rec[o + R_META] &= ~META_FLAGS;
    rec[o + R_LRU_NEXT] = this.freeHead;
    this.freeHead = slot;
    this.count--;
  }

  /**
   * Removes every connection at once (the end of the capture, after their
   * `remove` events): the index is emptied and slots are handed out from 0
   * again. The chunks stay allocated.
   */
  clear(): void {
    this.index.fill(-1);
    this.count = 0;
    this.used = 0;
    this.freeHead = -1;
  }

  /** The stored hash of the key in `slot`. */
  private hashOf(slot: number): number {
    return this.rec[slot * REC_STRIDE + R_HASH];
  }

  private allocSlot(): number {
    const f = this.freeHead;
    if (f >= 0) {
      this.freeHead = this.rec[f * REC_STRIDE + R_LRU_NEXT];
      return f;
    }
    if (this.used === this.cap) {
      if (this.cap >= this.maxCap) throw new Error(`internal: connection table full (${this.maxCap} slots)`);
      this.addChunk();
    }
    return this.used++;
  }

  private growIndex(): void {
    const size = (this.mask + 1) * 2;
    const old = this.index;
    const index = new Int32Array(size).fill(-1);
    const mask = size - 1;
    const slotMask = this.slotMask;
    for (let k = 0; k < old.length; k++) {
      const e = old[k];
      if (e < 0) continue;
      let i = this.hashOf(e & slotMask) & mask;
      while (index[i] >= 0) i = (i + 1) & mask;
      index[i] = e;
    }
    this.index = index;
    this.mask = mask;
  }

  /** Appends one `num` and one `cold` chunk (the last one cut at `maxCapacity`), and grows `rec` to match. */
  private addChunk(): void {
    const n = Math.min(this.chunkMask + 1, this.maxCap - this.cap);
    this.numChunks.push(new Float64Array(n * NUM_STRIDE));
    this.coldChunks.push(new Int32Array(n * COLD_STRIDE));
    this.cap += n;
    const recSlots = this.rec.length / REC_STRIDE;
    if (recSlots < this.cap) {
      const rec = new Int32Array(Math.min(Math.max(recSlots * 2, this.cap), this.maxCap) * REC_STRIDE);
      rec.set(this.rec);
      this.rec = rec;
    }
  }

  // --- record access for the tracker, the expiry lists and the tests ---

  /** The `rec` array holding `slot`'s record (`rec` itself); the record starts at `recOffset(slot)`. */
  recOf(_slot: number): Int32Array {
    return this.rec;
  }

  recOffset(slot: number): number {
    return slot * REC_STRIDE;
  }

  /** The `num` chunk holding `slot`; its record starts at `numOffset(slot)`. */
  numOf(slot: number): Float64Array {
    return this.numChunks[slot >> this.chunkShift];
  }

  numOffset(slot: number): number {
    return (slot & this.chunkMask) * NUM_STRIDE;
  }

  /** The `cold` chunk holding `slot`; its record starts at `coldOffset(slot)`. */
  coldOf(slot: number): Int32Array {
    return this.coldChunks[slot >> this.chunkShift];
  }

  coldOffset(slot: number): number {
    return (slot & this.chunkMask) * COLD_STRIDE;
  }

  /** Sets the CloseReason kept in the slot's `R_META` word. */
  setCloseReason(slot: number, reason: CloseReason): void {
    const rec = this.recOf(slot);
    const o = this.recOffset(slot) + R_META;
    rec[o] = (rec[o] & ~(0xff << META_REASON_SHIFT)) | (reason << META_REASON_SHIFT);
  }

  /** Word `field` (an R_* offset) of the slot's `rec` record. */
  private recWord(slot: number, field: number): number {
    return this.rec[slot * REC_STRIDE + field];
  }

  /** Number `field` (an N_* offset) of the slot's `num` record. */
  private numField(slot: number, field: number): number {
    return this.numChunks[slot >> this.chunkShift][(slot & this.chunkMask) * NUM_STRIDE + field];
  }

  // --- accessors for listeners and row writers ---

  /** 4 or 6. */
  ipVersion(slot: number): number {
    return this.recWord(slot, R_META) >>> 24;
  }

  /** IPPROTO_* of the connection (6 for TCP). */
  proto(slot: number): number {
    return (this.recWord(slot, R_META) >>> META_KEY_SHIFT) & 0xff;
  }

  /** The FLAG_* bits. */
  flags(slot: number): number {
    return this.recWord(slot, R_META) & META_FLAGS;
  }

  /** The client is canonical endpoint A. */
  clientIsA(slot: number): boolean {
    return (this.recWord(slot, R_META) & FLAG_CLIENT_IS_A) !== 0;
  }

  /** Word `i` (0–3, network order; IPv4 in word 0) of the client's address. */
  clientAddrWord(slot: number, i: number): number {
    const a = (this.recWord(slot, R_META) & FLAG_CLIENT_IS_A) !== 0;
    return this.recWord(slot, (a ? R_A_ADDR : R_B_ADDR) + i) >>> 0;
  }

  /** Word `i` (0–3, network order; IPv4 in word 0) of the server's address. */
  serverAddrWord(slot: number, i: number): number {
    const a = (this.recWord(slot, R_META) & FLAG_CLIENT_IS_A) !== 0;
    return this.recWord(slot, (a ? R_B_ADDR : R_A_ADDR) + i) >>> 0;
  }

  /** Writes the client's four address words into `out[0..3]`. */
  clientAddr(slot: number, out: Uint32Array): void {
    const rec = this.recOf(slot);
    const o = this.recOffset(slot);
    const w = o + ((rec[o + R_META] & FLAG_CLIENT_IS_A) !== 0 ? R_A_ADDR : R_B_ADDR);
    out[0] = rec[w];
    out[1] = rec[w + 1];
    out[2] = rec[w + 2];
    out[3] = rec[w + 3];
  }

  /** Writes the server's four address words into `out[0..3]`. */
  serverAddr(slot: number, out: Uint32Array): void {
    const rec = this.recOf(slot);
    const o = this.recOffset(slot);
    const w = o + ((rec[o + R_META] & FLAG_CLIENT_IS_A) !== 0 ? R_B_ADDR : R_A_ADDR);
    out[0] = rec[w];
    out[1] = rec[w + 1];
    out[2] = rec[w + 2];
    out[3] = rec[w + 3];
  }

  clientPort(slot: number): number {
    const ports = this.recWord(slot, R_PORTS);
    return (this.recWord(slot, R_META) & FLAG_CLIENT_IS_A) !== 0 ? ports >>> 16 : ports & 0xffff;
  }

  serverPort(slot: number): number {
    const ports = this.recWord(slot, R_PORTS);
    return (this.recWord(slot, R_META) & FLAG_CLIENT_IS_A) !== 0 ? ports & 0xffff : ports >>> 16;
  }

  /**
   * Fills `out` with the endpoints of the connection in `slot` (what the
   * dispatcher reads when a connection opens; no allocation).
   */
  readEndpoints(slot: number, out: EndpointsOut): void {
    out.conn = this.conn(slot);
    out.ipVersion = this.ipVersion(slot);
    this.clientAddr(slot, out.clientAddr);
    out.clientPort = this.clientPort(slot);
    this.serverAddr(slot, out.serverAddr);
    out.serverPort = this.serverPort(slot);
  }

  /** Order of first packet, from 0 (SPEC §3 `conn`). */
  conn(slot: number): number {
    return this.numField(slot, N_CONN);
  }

  /**
   * Own timestamp of the connection's first packet in file order (SPEC §3
   * "first packet time"), whole seconds relative to the base second. Not the
   * earliest: in a capture whose timestamps go backwards a later packet may be older.
   */
  firstSec(slot: number): number {
    return this.numField(slot, N_FIRST_SEC);
  }

  /** Nanoseconds (0 ≤ nsec < 1e9) of `firstSec`'s time. */
  firstNsec(slot: number): number {
    return this.coldChunks[slot >> this.chunkShift][(slot & this.chunkMask) * COLD_STRIDE + C_FIRST_NSEC];
  }

  /**
   * Own timestamp of the connection's last packet in file order (SPEC §3 "last
   * packet time"), whole seconds relative to the base second. Not the latest.
   */
  lastSec(slot: number): number {
    return this.numField(slot, N_LAST_SEC);
  }

  /** Nanoseconds (0 ≤ nsec < 1e9) of `lastSec`'s time. */
  lastNsec(slot: number): number {
    return this.recWord(slot, R_LAST_NSEC);
  }

  /** Replay clock at the connection's last packet, whole seconds relative to the base: idle deadlines count from it. */
  lastClockSec(slot: number): number {
    return this.numField(slot, N_LAST_CLOCK_SEC);
  }

  /** Nanoseconds of `lastClockSec`'s time. */
  lastClockNsec(slot: number): number {
    return this.recWord(slot, R_LAST_CLOCK_NSEC);
  }

  packetsC2s(slot: number): number {
    return this.numField(slot, N_PACKETS_C2S);
  }

  packetsS2c(slot: number): number {
    return this.numField(slot, N_PACKETS_S2C);
  }

  /** TCP payload bytes sent by the client (per packet, retransmissions included). */
  bytesC2s(slot: number): number {
    return this.numField(slot, N_BYTES_C2S);
  }

  /** TCP payload bytes sent by the server (per packet, retransmissions included). */
  bytesS2c(slot: number): number {
    return this.numField(slot, N_BYTES_S2C);
  }

  /** The first packet was a SYN without ACK. */
  synSeen(slot: number): boolean {
    return (this.recWord(slot, R_META) & FLAG_SYN_SEEN) !== 0;
  }

  /** Active for the balancer and the sampler. */
  isActive(slot: number): boolean {
    return (this.recWord(slot, R_META) & FLAG_ACTIVE) !== 0;
  }

  /** Closed by FIN or RST but still in the table. */
  isClosed(slot: number): boolean {
    return (this.recWord(slot, R_META) & FLAG_CLOSED) !== 0;
  }

  /** CloseReason: OPEN while open; final once `remove` is called. */
  closeReason(slot: number): CloseReason {
    return ((this.recWord(slot, R_META) >>> META_REASON_SHIFT) & 0xff) as CloseReason;
  }
}
