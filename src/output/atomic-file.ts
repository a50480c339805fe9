/**
 * Output sinks (SPEC §6, §2a): buffered synchronous writes to standard output
 * or to a file written atomically (a temporary file beside the target, renamed
 * over it only when the run succeeds). A failed or interrupted run removes its
 * temporary file and leaves whatever was at the path untouched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReplayError } from '../errors.js';
import { followLinks, MAX_LINKS } from './targets.js';

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

/**
 * Writes everything in `buf[0, len)` to `fd`, waiting out EAGAIN on non-blocking
 * pipes; EPIPE becomes BrokenPipeError, any other failure OUTPUT_WRITE on `name`.
 */
export function writeAll(fd: number, buf: Uint8Array, len: number, name: string): void {
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
        throw new ReplayError('OUTPUT_WRITE', `cannot write: ${(err as Error).message}`, { file: this.name });
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

/**
 * An output file opened for writing: either a temporary file beside the final
 * path, renamed over it on commit, or (for anything that is not a regular
 * file) the target itself, written in place.
 */
interface OpenedTarget {
  fd: number;
  /** The temporary file, when the output is renamed into place on commit. */
  tmpPath: string | undefined;
  /** The path the temporary file is renamed to (the end of any link chain). */
  finalPath: string | undefined;
}

/** Whether a path is, or passes through, a link to an open file descriptor (`/dev/stdout`, `/proc/self/fd/1`). */
function isDescriptorLink(target: string): boolean {
  let current = path.resolve(target);
  for (let i = 0; i < MAX_LINKS; i++) {
    if (current.startsWith('/proc/') || current.startsWith('/dev/fd/')) return true;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(current);
    } catch {
      return false;
    }
    if (!st.isSymbolicLink()) return false;
    current = path.resolve(path.dirname(current), fs.readlinkSync(current));
  }
  return false;
}

function openFailure(target: string, verb: string, err: unknown): ReplayError {
  return new ReplayError('OUTPUT_WRITE', `cannot ${verb} output: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file: target });
}

/**
 * Opens `target` for an atomic write (issue 8). Only a regular file or a
 * missing path is replaced, by renaming a temporary file over it; a symbolic
 * link is never replaced — through a link the file it points to is — and
 * anything else (a device, a FIFO, a socket, a link to a file descriptor such
 * as `/dev/stdout`) is written in place, since renaming over it would put a
 * regular file where the device or link was.
 */
function openTarget(target: string): OpenedTarget {
  const end = followLinks(target);
  let existing: fs.Stats | undefined;
  try {
    existing = fs.statSync(end);
  } catch {
    existing = undefined;
  }
  if (isDescriptorLink(target) || (existing !== undefined && !existing.isFile() && !existing.isDirectory())) {
    try {
      return { fd: fs.openSync(target, 'w'), tmpPath: undefined, finalPath: undefined };
    } catch (err) {
      throw openFailure(target, 'open', err);
    }
  }
  if (existing?.isDirectory()) throw new ReplayError('OUTPUT_WRITE', 'cannot write output: it is a directory', { file: target });
  const dir = path.dirname(end);
  const tmp = path.join(dir, `.${path.basename(end)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number;
  try {
    // A replaced file keeps its permission bits.
    fd = fs.openSync(tmp, 'wx', existing !== undefined ? existing.mode & 0o777 : 0o644);
  } catch (err) {
    throw openFailure(target, 'create', err);
  }
  pendingTemps.add(tmp);
  return { fd, tmpPath: tmp, finalPath: end };
}

/** A file written atomically: `target` appears (or is replaced) only on commit(). */
export function atomicFileSink(target: string): TextSink {
  const opened = openTarget(target);
  return opened.tmpPath === undefined
    ? new FdSink(opened.fd, target, undefined, undefined, true)
    : new FdSink(opened.fd, target, opened.tmpPath, opened.finalPath);
}

/** A binary output (a capture): its descriptor, written by the caller, then committed or aborted. */
export interface ByteTarget {
  readonly fd: number;
  /** The name to use in messages. */
  readonly name: string;
  /** Syncs and renames the temporary file over the target (no-op for standard output). */
  commit(): void;
  /** Removes the temporary file (no-op for standard output and devices). */
  abort(): void;
}

/**
 * `-` or no path → standard output; otherwise a file written atomically by
 * the rules of `atomicFileSink`.
 */
export function openByteTarget(target: string | undefined): ByteTarget {
  if (target === undefined || target === '-') {
    return { fd: 1, name: 'standard output', commit() {}, abort() {} };
  }
  const opened = openTarget(target);
  let done = false;
  return {
    fd: opened.fd,
    name: target,
    commit() {
      if (done) return;
      done = true;
      try {
        if (opened.tmpPath !== undefined) fs.fsyncSync(opened.fd);
        fs.closeSync(opened.fd);
        if (opened.tmpPath !== undefined) fs.renameSync(opened.tmpPath, opened.finalPath!);
      } catch (err) {
        if (opened.tmpPath !== undefined) removeTemp(opened.tmpPath);
        throw new ReplayError('OUTPUT_WRITE', `cannot write: ${(err as Error).message}`, { file: target });
      }
      if (opened.tmpPath !== undefined) pendingTemps.delete(opened.tmpPath);
    },
    abort() {
      if (done) return;
      done = true;
      try {
        fs.closeSync(opened.fd);
      } catch {
        // closed already
      }
      if (opened.tmpPath !== undefined) removeTemp(opened.tmpPath);
    },
  };
}

function removeTemp(tmp: string): void {
  try {
    fs.unlinkSync(tmp);
  } catch {
    // gone already
  }
  pendingTemps.delete(tmp);
}

/** `-` or no path → standard output; otherwise an atomic file. */
export function openSink(target: string | undefined): TextSink {
  return target === undefined || target === '-' ? stdoutSink() : atomicFileSink(target);
}
