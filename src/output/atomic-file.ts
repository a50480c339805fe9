/**
 * Output sinks (SPEC §6, §2a): buffered synchronous writes to standard output
 * or to a file written atomically (a temporary file beside the target, renamed
 * over it only when the run succeeds). A failed or interrupted run removes its
 * temporary file and leaves whatever was at the path untouched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReplayError } from '../errors.js';

/** Raised when standard output's reader went away (`| head`): the run ends quietly with 0. */
export class BrokenPipeError extends Error {
  constructor() {
    super('output pipe closed');
    this.name = 'BrokenPipeError';
  }
}

const BUFFER_BYTES = 1 << 16;
const pendingTemps = new Set<string>();

/** Removes every temporary output file still open (used on signals and errors). */
export function removePendingTemps(): void {
  for (const tmp of pendingTemps) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // already gone
    }
  }
  pendingTemps.clear();
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

export interface TextSink {
  write(text: string): void;
  /** Flushes and, for a file, renames the temporary file over the target. */
  commit(): void;
  /** Drops the output: removes the temporary file (no-op for stdout). */
  abort(): void;
}

/** Writes everything in `buf[0, len)` to `fd`, waiting out EAGAIN on non-blocking pipes. */
function writeAll(fd: number, buf: Buffer, len: number, name: string): void {
  let off = 0;
  while (off < len) {
    try {
      off += fs.writeSync(fd, buf, off, len - off);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(sleepCell, 0, 0, 2);
        continue;
      }
      if (code === 'EPIPE') throw new BrokenPipeError();
      throw new ReplayError('OUTPUT_WRITE', `cannot write: ${(err as Error).message}`, { file: name });
    }
  }
}

class FdSink implements TextSink {
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  constructor(
    private readonly fd: number,
    private readonly name: string,
    private readonly tmpPath: string | undefined,
    private readonly target: string | undefined,
    /** Close `fd` on commit/abort (a device opened in place). */
    private readonly closeFd = false,
  ) {}

  write(text: string): void {
    if (text.length * 3 > BUFFER_BYTES - this.used) {
      this.flush();
      if (text.length * 3 > BUFFER_BYTES) {
        const big = Buffer.from(text, 'utf8');
        writeAll(this.fd, big, big.length, this.name);
        return;
      }
    }
    this.used += this.buf.write(text, this.used, 'utf8');
  }

  private flush(): void {
    if (this.used > 0) {
      const n = this.used;
      this.used = 0;
      writeAll(this.fd, this.buf, n, this.name);
    }
  }

  commit(): void {
    this.flush();
    if (this.closeFd) fs.closeSync(this.fd);
    if (this.tmpPath !== undefined && this.target !== undefined) {
      try {
        fs.fsyncSync(this.fd);
        fs.closeSync(this.fd);
        fs.renameSync(this.tmpPath, this.target);
      } catch (err) {
        this.abort();
        throw new ReplayError('OUTPUT_WRITE', `cannot write: ${(err as Error).message}`, { file: this.target });
      }
      pendingTemps.delete(this.tmpPath);
    }
  }

  abort(): void {
    this.used = 0;
    if (this.closeFd) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // closed already
      }
    }
    if (this.tmpPath !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // closed already
      }
      try {
        fs.unlinkSync(this.tmpPath);
      } catch {
        // gone already
      }
      pendingTemps.delete(this.tmpPath);
    }
  }
}

/** Standard output, buffered. */
export function stdoutSink(): TextSink {
  return new FdSink(1, 'standard output', undefined, undefined);
}

/** A file written atomically: `target` appears (or is replaced) only on commit(). */
export function atomicFileSink(target: string): TextSink {
  // A device, FIFO or socket (`-o /dev/null`, `-o >(gzip > f)`) is written in
  // place: renaming a temporary file over it would replace the device node
  // with a regular file. Atomicity means something only for regular files.
  let existing: fs.Stats | undefined;
  try {
    existing = fs.statSync(target);
  } catch {
    existing = undefined;
  }
  if (existing !== undefined && !existing.isFile() && !existing.isDirectory()) {
    let fd: number;
    try {
      fd = fs.openSync(target, 'w');
    } catch (err) {
      throw new ReplayError('OUTPUT_WRITE', `cannot open output: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file: target });
    }
    return new FdSink(fd, target, undefined, undefined, true);
  }
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'wx', 0o644);
  } catch (err) {
    throw new ReplayError('OUTPUT_WRITE', `cannot create output: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file: target });
  }
  pendingTemps.add(tmp);
  return new FdSink(fd, target, tmp, target);
}

/** `-` or no path → standard output; otherwise an atomic file. */
export function openSink(target: string | undefined): TextSink {
  return target === undefined || target === '-' ? stdoutSink() : atomicFileSink(target);
}
