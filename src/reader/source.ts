/**
 * Where the bytes come from: a path, or `-` for standard input, either of
 * them gzip-compressed (SPEC §1). Gzip is sniffed from the first two bytes
 * (1f 8b), never from the name, and inflated as a stream: never to disk,
 * never whole into memory.
 *
 * - Plain file: `fs.readSync` into one reused buffer, yielding to the event
 *   loop between chunks so that signals, EPIPE and progress are handled.
 * - Standard input: read as a stream (a pipe may be non-blocking, where
 *   readSync throws EAGAIN).
 * - Gzip (file or stdin): through `zlib.createGunzip`, with back-pressure.
 *   Concatenated members are inflated one after the other (RFC 1952 §2.2).
 */
import fs from 'node:fs';
import net from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { ReplayError } from '../errors.js';
import { type CaptureParser, createCaptureParser } from './parser.js';
import type { CaptureFileInfo, RecordHandler } from './record.js';
import { GZIP_ID1, GZIP_ID2 } from './sniff.js';

/** Read size for plain files and inflate output size: 1 MiB. */
export const DEFAULT_CHUNK_BYTES = 1 << 20;

export interface ReadCaptureOptions {
  /**
   * Called after each chunk with the bytes of the file (compressed, for gzip)
   * consumed so far, and the file's size when known (undefined for a pipe).
   */
  onProgress?: ((compressedBytesConsumed: number, totalBytes: number | undefined) => void) | undefined;
  /** Read size in bytes (tests use small ones to cross chunk boundaries). Default 1 MiB. */
  chunkSize?: number | undefined;
}

/**
 * Reads one capture, calling `handler` for every packet record, in file order.
 * Resolves with what was learned about the file; rejects with a ReplayError
 * (its `file` = `path` as given) on damage or when the file cannot be read.
 */
export async function readCapture(
  path: string,
  handler: RecordHandler,
  options: ReadCaptureOptions = {},
): Promise<CaptureFileInfo> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  }
  const parser = createCaptureParser(path, handler);
  const progress = options.onProgress;
  if (path === '-') return readStream(path, process.stdin, undefined, parser, chunkSize, progress);

  let fd: number;
  try {
    fd = fs.openSync(path, 'r');
  } catch (err) {
    throw readError(path, 'cannot open', err);
  }
  let closeFd = true;
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      // A FIFO or character device (`<(zcat f)`, /dev/stdin): read it as a stream.
      // A FIFO goes through a pipe handle (non-blocking, polled), not fs reads:
      // a blocked fs read holds a thread-pool thread that process exit waits
      // for, so Ctrl-C on a FIFO with no data hung until a writer sent some (issue 8).
      closeFd = false;
      const stream = stat.isFIFO()
        ? new net.Socket({ fd, readable: true, writable: false })
        : fs.createReadStream('', { fd, highWaterMark: chunkSize, autoClose: true });
      return await readStream(path, stream, undefined, parser, chunkSize, progress);
    }
    const total = stat.size;
    const buf = Buffer.allocUnsafeSlow(chunkSize);
    let n = readChunk(path, fd, buf, 0);
    if (startsWithGzipMagic(path, fd, buf, n)) {
      closeFd = false;
      const stream = fs.createReadStream('', { fd, start: 0, highWaterMark: chunkSize, autoClose: true });
      return await readGzip(path, stream, total, parser, chunkSize, progress);
    }
    let consumed = 0;
    while (n > 0) {
      parser.push(n === buf.length ? buf : buf.subarray(0, n));
      consumed += n;
      if (progress !== undefined) progress(consumed, total);
      await yieldToEventLoop();
      n = readChunk(path, fd, buf, consumed);
    }
    const info = parser.end();
    return info;
  } finally {
    if (closeFd) fs.closeSync(fd);
  }
}

/**
 * Whether the file starts 1f 8b. A read size of 1 byte sees only the first of
 * them: the second is then read on its own (found by fuzzing, issue 8 item 7:
 * chunkSize 1 read a gzip file as a bad magic).
 */
function startsWithGzipMagic(path: string, fd: number, buf: Buffer, n: number): boolean {
  if (n === 0 || buf[0] !== GZIP_ID1) return false;
  if (n >= 2) return buf[1] === GZIP_ID2;
  const second = Buffer.alloc(1);
  return readChunk(path, fd, second, 1) === 1 && second[0] === GZIP_ID2;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function readChunk(path: string, fd: number, buf: Buffer, position: number): number {
  try {
    return fs.readSync(fd, buf, 0, buf.length, position);
  } catch (err) {
    throw readError(path, 'cannot read', err);
  }
}

function readError(path: string, what: string, err: unknown): ReplayError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return new ReplayError('FILE_READ', code !== undefined ? `${what} (${code})` : what, { file: path });
}

/**
 * A stream source (standard input, a FIFO): plain chunks go to the parser as
 * they come; a gzip magic in the first two bytes sends the stream, those bytes
 * included, through gunzip instead.
 */
async function readStream(
  path: string,
  stream: NodeJS.ReadableStream,
  total: number | undefined,
  parser: CaptureParser,
  chunkSize: number,
  progress: ReadCaptureOptions['onProgress'],
): Promise<CaptureFileInfo> {
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  // Gather the first two bytes (a pipe may deliver a single byte first).
  const head: Buffer[] = [];
  let headBytes = 0;
  for (;;) {
    const r = await nextChunk(path, it);
    if (r === undefined) break;
    head.push(r);
    headBytes += r.length;
    if (headBytes >= 2) break;
  }
  const first = head.length === 1 ? head[0] : Buffer.concat(head);
  if (first.length >= 2 && first[0] === GZIP_ID1 && first[1] === GZIP_ID2) {
    return readGzip(path, prepend(first, it), total, parser, chunkSize, progress);
  }
  let consumed = 0;
  let chunk: Buffer | undefined = first;
  try {
    while (chunk !== undefined) {
      if (chunk.length > 0) {
        parser.push(chunk);
        consumed += chunk.length;
        if (progress !== undefined) progress(consumed, total);
      }
      chunk = await nextChunk(path, it);
    }
  } catch (err) {
    // Stop the stream (closes a FIFO's descriptor) before reporting.
    await it.return?.().catch(() => undefined);
    throw err;
  }
  return parser.end();
}

async function nextChunk(path: string, it: AsyncIterator<Buffer | string>): Promise<Buffer | undefined> {
  let r: IteratorResult<Buffer | string>;
  try {
    r = await it.next();
  } catch (err) {
    throw readError(path, 'cannot read', err);
  }
  if (r.done === true) return undefined;
  return typeof r.value === 'string' ? Buffer.from(r.value, 'latin1') : r.value;
}

async function* prepend(first: Buffer, it: AsyncIterator<Buffer | string>): AsyncGenerator<Buffer> {
  let done = false;
  try {
    yield first;
    for (;;) {
      const r = await it.next();
      if (r.done === true) {
        done = true;
        return;
      }
      yield typeof r.value === 'string' ? Buffer.from(r.value, 'latin1') : r.value;
    }
  } finally {
    // Stopped early (an error downstream): stop the stream too.
    if (!done) await it.return?.().catch(() => undefined);
  }
}

/** zlib's error for input that ends before the gzip member does (not corrupt data). */
function isUnexpectedEnd(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  return e?.code === 'Z_BUF_ERROR' && e.message === 'unexpected end of file';
}

function isZlibError(err: unknown): boolean {
  const e = err as { code?: string; errno?: number } | undefined;
  return typeof e?.code === 'string' && e.code.startsWith('Z_');
}

/** Parser errors that corrupt deflate data can cause (the garbage it inflates to). */
function mayComeFromCorruptGzip(err: unknown): err is ReplayError {
  if (!(err instanceof ReplayError)) return false;
  switch (err.code) {
    case 'CAPTURE_BAD_MAGIC':
    case 'CAPTURE_BAD_BYTE_ORDER':
    case 'CAPTURE_BAD_LENGTH':
    case 'CAPTURE_BAD_TRAILER':
    case 'CAPTURE_BAD_INTERFACE':
    case 'CAPTURE_BAD_TIME':
      return true;
    default:
      return false;
  }
}

/**
 * Inflates `source` (compressed chunks) and parses the output. A gzip stream
 * that ends early is a cut tail (everything it inflates to is parsed); corrupt
 * gzip data is a CAPTURE_GZIP error without offset (SPEC §2a).
 *
 * Corrupt deflate data can inflate to garbage that the parser rejects before
 * zlib sees the bad CRC at the end of the member. So a damaged record found
 * in gzip input is reported only once the rest of the stream has been
 * inflated (and thrown away) without a gzip error; with one, the gzip error is
 * what is reported.
 */
async function readGzip(
  path: string,
  source: AsyncIterable<Buffer> | NodeJS.ReadableStream,
  total: number | undefined,
  parser: CaptureParser,
  chunkSize: number,
  progress: ReadCaptureOptions['onProgress'],
): Promise<CaptureFileInfo> {
  let compressed = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const c of source as AsyncIterable<Buffer | string>) {
      const b = typeof c === 'string' ? Buffer.from(c, 'latin1') : c;
      compressed += b.length;
      yield b;
    }
    // Before gunzip sees the end of its input: a sync flush hands out all that
    // the input inflates to. Without it, a cut stream's "unexpected end of
    // file" error dropped the output of the last write, so how many records a
    // cut gzip gave depended on how its input was chunked (found by fuzzing,
    // issue 8 item 7). The flush is no error on a cut stream (only Z_FINISH is).
    await new Promise<void>((resolve) => {
      gunzip.once('close', resolve);
      gunzip.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve());
    });
  }
  const gunzip = zlib.createGunzip({ chunkSize: Math.max(chunkSize, zlib.constants.Z_MIN_CHUNK) });
  const input = Readable.from(counted(), { objectMode: false });
  // Errors of either stream also end up on gunzip's iterator below; this
  // promise must only not be left rejected and unobserved.
  const piped = pipeline(input, gunzip).catch(() => undefined);
  let parseError: ReplayError | undefined;
  let streamError: unknown;
  const it = (gunzip as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  for (;;) {
    let r: IteratorResult<Buffer>;
    try {
      r = await it.next();
    } catch (err) {
      streamError = err;
      break;
    }
    if (r.done === true) break;
    if (parseError === undefined) {
      try {
        parser.push(r.value);
      } catch (err) {
        if (!mayComeFromCorruptGzip(err)) {
          // The handler's own error (or an internal one): stop reading now.
          await it.return?.();
          input.destroy();
          throw err;
        }
        parseError = err;
      }
    }
    if (progress !== undefined) progress(compressed, total);
  }
  if (streamError !== undefined && !isZlibError(streamError)) throw readError(path, 'cannot read', streamError);
  await piped;
  if (streamError !== undefined && !isUnexpectedEnd(streamError)) {
    throw new ReplayError('CAPTURE_GZIP', `corrupt gzip data (${(streamError as Error).message})`, { file: path });
  }
  if (parseError !== undefined) throw parseError;
  const info = streamError !== undefined ? parser.endCut() : parser.end();
  info.gzip = true;
  return info;
}
