/**
 * Framing over chunk boundaries, with absolute offsets (STYLE hot path).
 *
 * A capture arrives as chunks of any size (1 MiB reads, gzip output, pipe
 * reads, or one byte at a time in tests). A format parser sees it as a
 * sequence of frames — a file header, a pcap record, a pcapng block — each
 * parsed exactly once, in place:
 *
 * - a frame wholly inside a chunk is handed to `frame()` as (chunk, position):
 *   no copy;
 * - a frame straddling two or more chunks is copied, once, into one
 *   reader-owned buffer (`carry`) and handed over from there. Each byte is
 *   copied at most once; `carry` grows up to the format's largest possible
 *   frame and never beyond, so a hostile length cannot make it allocate more.
 *
 * Frame lengths are checked by the format (`frameLength`) before any byte of
 * the frame's body is buffered.
 */

/** Buffer of the size most frames fit in; grown on demand up to `maxFrame`. */
const INITIAL_CARRY_BYTES = 65_536;

export abstract class FramedParser {
  /** Absolute offset of the next frame's first byte in the (decompressed) stream. */
  protected offset = 0;
  /** Every byte pushed so far. */
  protected bytesPushed = 0;
  /** Bytes of the incomplete frame held in `carry` (0: none). */
  protected carryLen = 0;
  private carry: Uint8Array;
  /** Total length of the frame being carried, 0 while its header is incomplete. */
  private carryNeed = 0;
  private readonly maxFrame: number;

  protected constructor(maxFrame: number) {
    this.maxFrame = maxFrame;
    this.carry = allocBytes(Math.min(INITIAL_CARRY_BYTES, maxFrame));
  }

  /**
   * The length of the frame starting at buf[pos] (avail bytes present, ≥ 1):
   * > 0, its total length in bytes (checked against the format's caps; may be
   * larger than avail); or −k when at least k bytes are needed to know it
   * (avail < k). Throws a ReplayError (at `this.offset`) for an impossible one.
   */
  protected abstract frameLength(buf: Uint8Array, pos: number, avail: number): number;

  /** Parses the complete frame buf[pos, pos + len), whose first byte is at `this.offset`. */
  protected abstract frame(buf: Uint8Array, pos: number, len: number): void;

  /**
   * Parses every complete frame of `chunk` and keeps the incomplete tail.
   * The chunk is not referenced after the call returns: the caller may reuse it.
   */
  push(chunk: Uint8Array): void {
    const end = chunk.length;
    this.bytesPushed += end;
    let pos = 0;
    if (this.carryLen > 0) {
      pos = this.fillCarry(chunk);
      if (pos < 0) return;
    }
    let len = 0;
    while (pos < end) {
      const avail = end - pos;
      len = this.frameLength(chunk, pos, avail);
      if (len < 0 || len > avail) break;
      this.frame(chunk, pos, len);
      pos += len;
      this.offset += len;
    }
    if (pos < end) this.startCarry(chunk, pos, end, len);
  }

  /** Copies chunk[pos, end) into `carry`; `len` is the frame's length when known (> 0). */
  private startCarry(chunk: Uint8Array, pos: number, end: number, len: number): void {
    const n = end - pos;
    if (len > 0) {
      this.carryNeed = len;
      this.ensureCarry(len);
    } else {
      this.carryNeed = 0;
      this.ensureCarry(Math.max(-len, n));
    }
    this.carry.set(chunk.subarray(pos, end), 0);
    this.carryLen = n;
  }

  /**
   * Completes the carried frame from the start of `chunk`. Returns the position
   * in `chunk` after it, or −1 when the chunk was used up before it completed.
   */
  private fillCarry(chunk: Uint8Array): number {
    const end = chunk.length;
    let pos = 0;
    for (;;) {
      let need = this.carryNeed;
      if (need === 0) {
        const r = this.frameLength(this.carry, 0, this.carryLen);
        if (r > 0) {
          this.carryNeed = need = r;
          this.ensureCarry(r);
        } else {
          need = -r;
          this.ensureCarry(need);
        }
        if (this.carryLen >= need) {
          // Only possible for a frame of exactly the header's length.
          this.completeCarry(need);
          return pos;
        }
      }
      const take = Math.min(need - this.carryLen, end - pos);
      this.carry.set(chunk.subarray(pos, pos + take), this.carryLen);
      this.carryLen += take;
      pos += take;
      if (this.carryLen < need) return -1;
      if (this.carryNeed !== 0) {
        this.completeCarry(need);
        return pos;
      }
    }
  }

  private completeCarry(len: number): void {
    this.carryLen = 0;
    this.carryNeed = 0;
    this.frame(this.carry, 0, len);
    this.offset += len;
  }

  /** Grows `carry` to hold n bytes (n ≤ maxFrame), keeping what it holds. */
  private ensureCarry(n: number): void {
    if (n <= this.carry.length) return;
    const size = Math.min(this.maxFrame, Math.max(n, this.carry.length * 2));
    const next = allocBytes(size);
    if (this.carryLen > 0) next.set(this.carry.subarray(0, this.carryLen), 0);
    this.carry = next;
  }
}

/** A Buffer outside Node's shared pool, so record views of all sources share one class. */
function allocBytes(n: number): Uint8Array {
  return Buffer.allocUnsafeSlow(n);
}
