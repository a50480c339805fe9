/**
 * What a rerun compares to decide that an input is unchanged (issue 10): its
 * size, its modification time and a content fingerprint — SHA-256 of the
 * first and the last MiB and the size — cheap on a multi-gigabyte capture yet
 * sensitive to a file rewritten in place with the same size and time stamp
 * at either end (a rotated capture re-captured, a file truncated and refilled).
 */
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { ReplayError } from '../errors.js';

/** Bytes hashed at each end of the file. */
export const FINGERPRINT_EDGE_BYTES = 1 << 20;

export interface FileStamp {
  readonly path: string;
  readonly size: number;
  /** Modification time, milliseconds since 1970 as fs.Stats gives it (fraction included). */
  readonly mtime_ms: number;
  /** `sha256:` + hex of SHA-256(first MiB ‖ last MiB ‖ size as 8 bytes big-endian). */
  readonly fingerprint: string;
}

function readAt(fd: number, buf: Buffer, length: number, position: number): number {
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

export function stampFile(file: string): FileStamp {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new ReplayError('FILE_READ', `cannot open: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file });
  }
  try {
    const st = fs.fstatSync(fd);
    const size = st.size;
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(FINGERPRINT_EDGE_BYTES);
    const head = readAt(fd, buf, Math.min(size, FINGERPRINT_EDGE_BYTES), 0);
    hash.update(buf.subarray(0, head));
    const tailLength = Math.min(size, FINGERPRINT_EDGE_BYTES);
    const tail = readAt(fd, buf, tailLength, size - tailLength);
    hash.update(buf.subarray(0, tail));
    const sizeBytes = Buffer.alloc(8);
    sizeBytes.writeBigUInt64BE(BigInt(size));
    hash.update(sizeBytes);
    return { path: file, size, mtime_ms: st.mtimeMs, fingerprint: `sha256:${hash.digest('hex')}` };
  } catch (err) {
    if (err instanceof ReplayError) throw err;
    throw new ReplayError('FILE_READ', `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file });
  } finally {
    fs.closeSync(fd);
  }
}

export function sameStamps(a: readonly FileStamp[], b: readonly FileStamp[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.path !== y.path || x.size !== y.size || x.mtime_ms !== y.mtime_ms || x.fingerprint !== y.fingerprint) return false;
  }
  return true;
}
