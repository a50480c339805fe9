/**
 * A flow log as lines of bytes: a path (or `-` for standard input), gzip
 * sniffed from the first two bytes (1f 8b, RFC 1952 §2.3.1), never from the
 * name, and inflated as a stream (concatenated members one after the other,
 * as `gzip -c a >> b` makes them and as Zeek's rotated logs are joined).
 * Lines are handed over in place, as byte ranges of the chunk that holds them;
 * a line split across two chunks is copied once into a reader-owned buffer
 * (STYLE hot path, as src/reader/byte-queue.ts does for records).
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { ReplayError } from '../errors.js';
import { GZIP_ID1, GZIP_ID2 } from '../reader/sniff.js';

/** Read size for plain files and inflate output size: 1 MiB. */
export const LINE_CHUNK_BYTES = 1 << 20;

/**
 * Longest line accepted: 1 MiB. A Zeek conn.log line is a few hundred bytes;
 * a longer one is damage (a file that is not a log), and the cap keeps the
 * carry buffer bounded.
 */
export const MAX_LINE_BYTES = 1 << 20;

const LF = 0x0a;
const CR = 0x0d;

export interface LineHandler {
  /**
   * One line, without its LF (nor a CR before it): buf[start, end). `line`
   * counts from 1. The bytes are valid until the call returns.
   */
  line(buf: Uint8Array, start: number, end: number, line: number): void;
}

/** Where the bytes come from, learned while reading. */
export interface TextSourceInfo {
  gzip: boolean;
  /** Bytes after decompression. */
  bytes: number;
  /** Lines handed over (a last line without LF included). */
  lines: number;
}

function readError(path: string, what: string, err: unknown): ReplayError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return new ReplayError('FILE_READ', code !== undefined ? `${what} (${code})` : what, { file: path });
}

/** Splits chunks into lines; owns the buffer of a line that crosses chunks. */
export class LineSplitter {
  private carry = Buffer.allocUnsafe(4096);
  private carryLen = 0;
  private lineNo = 0;
  bytes = 0;

  constructor(
    private readonly file: string,
    private readonly handler: LineHandler,
  ) {}

  get lines(): number {
    return this.lineNo;
  }

  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    let pos = 0;
    const n = chunk.length;
    const buf = chunk as Buffer;
    if (this.carryLen > 0) {
      const lf = buf.indexOf(LF, 0);
      const take = lf < 0 ? n : lf;
      this.appendCarry(chunk, 0, take);
      if (lf < 0) return;
      this.emit(this.carry, 0, this.carryLen);
      this.carryLen = 0;
      pos = lf + 1;
    }
    pos = this.splitLines(buf, pos);
    if (pos < n) this.appendCarry(chunk, pos, n);
  }

  /**
   * Hands over the whole lines of buf from `pos`; returns where the rest
   * starts. A method of its own: the engine optimizes this loop while it runs
   * (on-stack replacement), and code after such a loop that has not run yet
   * (`push`'s tail, once per chunk) would throw the optimized code away at
   * every chunk.
   */
  private splitLines(buf: Buffer, pos: number): number {
    for (;;) {
      const lf = buf.indexOf(LF, pos);
      if (lf < 0) return pos;
      this.emit(buf, pos, lf);
      pos = lf + 1;
    }
  }

  /** The end of the stream: a last line without LF is still a line. */
  end(): void {
    if (this.carryLen > 0) {
      this.emit(this.carry, 0, this.carryLen);
      this.carryLen = 0;
    }
  }

  private emit(buf: Uint8Array, start: number, end: number): void {
    this.lineNo++;
    if (end > start && buf[end - 1] === CR) end--;
    this.handler.line(buf, start, end, this.lineNo);
  }

  private appendCarry(chunk: Uint8Array, start: number, end: number): void {
    const need = this.carryLen + (end - start);
    if (need > MAX_LINE_BYTES) {
      throw new ReplayError('FLOWLOG_INVALID', `line ${this.lineNo + 1}: longer than ${MAX_LINE_BYTES} bytes`, {
        file: this.file,
      });
    }
    if (need > this.carry.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.carry.length * 2));
      this.carry.copy(bigger, 0, 0, this.carryLen);
      this.carry = bigger;
    }
    this.carry.set(chunk.subarray(start, end), this.carryLen);
    this.carryLen = need;
  }
}

/**
 * The decompressed bytes of `path` as chunks; `info.gzip` is set once the
 * first chunk is known. Rejects with a ReplayError: FILE_READ when the file
 * cannot be read, FLOWLOG_FORMAT for corrupt gzip data.
 */
export async function* textChunks(
  path: string,
  info: { gzip: boolean },
  chunkSize: number = LINE_CHUNK_BYTES,
): AsyncGenerator<Uint8Array> {
  let raw: NodeJS.ReadableStream;
  if (path === '-') {
    raw = process.stdin;
  } else {
    let fd: number;
    try {
      fd = fs.openSync(path, 'r');
    } catch (err) {
      throw readError(path, 'cannot open', err);
    }
    raw = fs.createReadStream('', { fd, highWaterMark: chunkSize, autoClose: true });
  }
  try {
    yield* chunksOf(path, raw, info, chunkSize);
  } finally {
    // Stop reading when the consumer stops early (a bad line): close the file.
    if (raw !== process.stdin) (raw as fs.ReadStream).destroy();
  }
}

async function* chunksOf(
  path: string,
  raw: NodeJS.ReadableStream,
  info: { gzip: boolean },
  chunkSize: number,
): AsyncGenerator<Uint8Array> {
  const it = (raw as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let first: IteratorResult<Buffer>;
  try {
    first = await it.next();
  } catch (err) {
    throw readError(path, 'cannot read', err);
  }
  if (first.done) return;
  // Two bytes decide; a first chunk of one byte (a pipe) waits for the next.
  let head = first.value;
  while (head.length < 2) {
    const more = await it.next();
    if (more.done) break;
    head = Buffer.concat([head, more.value]);
  }
  if (head.length >= 2 && head[0] === GZIP_ID1 && head[1] === GZIP_ID2) {
    info.gzip = true;
    async function* rest(): AsyncGenerator<Buffer> {
      yield head;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    }
    // A cut stream (a log still being written) is read up to where it stops.
    const gunzip = zlib.createGunzip({ chunkSize, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const source = Readable.from(rest());
    source.on('error', (err) => gunzip.destroy(err));
    source.pipe(gunzip);
    try {
      for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
    } catch (err) {
      if (err instanceof ReplayError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== undefined && code.startsWith('Z_')) {
        throw new ReplayError('FLOWLOG_FORMAT', `corrupt gzip data (${(err as Error).message})`, { file: path });
      }
      throw readError(path, 'cannot read', err);
    } finally {
      source.destroy();
    }
    return;
  }
  yield head;
  for (;;) {
    let r: IteratorResult<Buffer>;
    try {
      r = await it.next();
    } catch (err) {
      throw readError(path, 'cannot read', err);
    }
    if (r.done) return;
    yield r.value;
  }
}
