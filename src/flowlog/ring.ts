/**
 * A ring of flow records in shared memory, from the reading thread to the
 * replaying one (docs/flow-logs.md "Performance"): one writer, one reader,
 * fixed-size slots (16 doubles and 8 address words a record), two counters
 * in an Int32Array, waits on Atomics. No object crosses the threads per
 * record; the records are packed and unpacked field by field into reused
 * FlowRecords.
 */
import type { FlowRecord } from './record.js';

/** Records the ring holds (a power of two): 64 Ki, 10 MiB of shared memory. */
export const RING_RECORDS = 1 << 16;
const MASK = RING_RECORDS - 1;
const F64_STRIDE = 16;
const U32_STRIDE = 8;

/** Control words: records written, records read (both wrap as int32), state. */
export const C_WRITTEN = 0;
export const C_READ = 1;
export const C_STATE = 2;
const CONTROL_BYTES = 64;

/** C_STATE values. */
export const STATE_RUNNING = 0;
export const STATE_DONE = 1;
export const STATE_FAILED = 2;

/** Records written or read between two publications of a counter. */
export const PUBLISH_EVERY = 256;

export interface RingViews {
  control: Int32Array;
  f64: Float64Array;
  u32: Uint32Array;
}

export function createRingBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_BYTES + RING_RECORDS * (F64_STRIDE * 8 + U32_STRIDE * 4));
}

export function ringViews(sab: SharedArrayBuffer): RingViews {
  return {
    control: new Int32Array(sab, 0, CONTROL_BYTES / 4),
    f64: new Float64Array(sab, CONTROL_BYTES, RING_RECORDS * F64_STRIDE),
    u32: new Uint32Array(sab, CONTROL_BYTES + RING_RECORDS * F64_STRIDE * 8, RING_RECORDS * U32_STRIDE),
  };
}

/** Writes `rec` into slot `seq` of the ring (the caller has checked there is room). */
export function packRecord(v: RingViews, seq: number, rec: FlowRecord): void {
  const i = seq & MASK;
  const f = v.f64;
  const o = i * F64_STRIDE;
  f[o] = rec.startSec;
  f[o + 1] = rec.startNsec;
  f[o + 2] = rec.lastSec;
  f[o + 3] = rec.lastNsec;
  f[o + 4] = rec.endSec;
  f[o + 5] = rec.endNsec;
  f[o + 6] = rec.bytesC2s;
  f[o + 7] = rec.bytesS2c;
  f[o + 8] = rec.packetsC2s;
  f[o + 9] = rec.packetsS2c;
  f[o + 10] = rec.ipBytesC2s;
  f[o + 11] = rec.ipBytesS2c;
  f[o + 12] = rec.line;
  f[o + 13] = rec.seq;
  f[o + 14] = rec.proto + rec.ipVersion * 256 + rec.state * 4096 + rec.expiry * 1048576;
  f[o + 15] = rec.clientPort * 65536 + rec.serverPort;
  const u = v.u32;
  const a = i * U32_STRIDE;
  const ca = rec.clientAddr;
  const sa = rec.serverAddr;
  u[a] = ca[0];
  u[a + 1] = ca[1];
  u[a + 2] = ca[2];
  u[a + 3] = ca[3];
  u[a + 4] = sa[0];
  u[a + 5] = sa[1];
  u[a + 6] = sa[2];
  u[a + 7] = sa[3];
}

/** Reads slot `seq` of the ring into `rec`. */
export function unpackRecord(v: RingViews, seq: number, rec: FlowRecord): void {
  const i = seq & MASK;
  const f = v.f64;
  const o = i * F64_STRIDE;
  rec.startSec = f[o];
  rec.startNsec = f[o + 1];
  rec.lastSec = f[o + 2];
  rec.lastNsec = f[o + 3];
  rec.endSec = f[o + 4];
  rec.endNsec = f[o + 5];
  rec.bytesC2s = f[o + 6];
  rec.bytesS2c = f[o + 7];
  rec.packetsC2s = f[o + 8];
  rec.packetsS2c = f[o + 9];
  rec.ipBytesC2s = f[o + 10];
  rec.ipBytesS2c = f[o + 11];
  rec.line = f[o + 12];
  rec.seq = f[o + 13];
  const meta = f[o + 14];
  rec.proto = meta & 0xff;
  rec.ipVersion = (meta >>> 8) & 0xf;
  rec.state = (meta >>> 12) & 0xff;
  rec.expiry = (meta >>> 20) & 0xf;
  const ports = f[o + 15];
  rec.clientPort = Math.floor(ports / 65536);
  rec.serverPort = ports % 65536;
  const u = v.u32;
  const a = i * U32_STRIDE;
  const ca = rec.clientAddr;
  const sa = rec.serverAddr;
  ca[0] = u[a];
  ca[1] = u[a + 1];
  ca[2] = u[a + 2];
  ca[3] = u[a + 3];
  sa[0] = u[a + 4];
  sa[1] = u[a + 5];
  sa[2] = u[a + 6];
  sa[3] = u[a + 7];
}
