/**
 * Where `synth` writes a capture: a CaptureSink over a file descriptor (an
 * atomic file or standard output, src/output/atomic-file.ts openByteTarget),
 * through one buffer, optionally gzip-compressed.
 *
 * Buffer size: 256 KiB uncompressed, so the records are still in the CPU's
 * cache when write() copies them into the page cache: against an 8 MiB
 * buffer that cut the system time of a header-only capture written to a file
 * by about two thirds (0.26 s to 0.09 s for 2.7 M packets, medians of 4;
 * docs/synth.md "Speed"). With gzip it stays 8 MiB: each buffer is one gzip
 * member, so its size is part of the output's bytes (and a bigger input
 * compresses better).
 *
 * Gzip: each buffer is compressed on its own into one gzip member (RFC 1952
 * §2.2: a gzip file is a series of members; gunzip, zlib and this project's
 * reader inflate them one after the other). That keeps compression
 * synchronous and streaming at any size; Node's gzip header has mtime 0 and no
 * name, so the same capture gives the same bytes (with the same zlib).
 */
import zlib from 'node:zlib';
import { writeAll } from '../output/atomic-file.js';
import { FD_SINK_BUFFER_BYTES, type CaptureSink } from '../reader/writer.js';

/** zlib's level for --gzip: the default trade-off (gzip -6). */
export const GZIP_LEVEL = 6;

/** Buffer of an uncompressed capture (see the module comment). */
export const PLAIN_BUFFER_BYTES = 256 << 10;

export class CaptureOutput implements CaptureSink {
  buf: Uint8Array;
  pos = 0;
  /** Bytes handed to the descriptor (compressed, with gzip). */
  bytesWritten = 0;

  constructor(
    private readonly fd: number,
    private readonly name: string,
    private readonly gzip: boolean,
    bufferBytes: number = gzip ? FD_SINK_BUFFER_BYTES : PLAIN_BUFFER_BYTES,
  ) {
    this.buf = Buffer.allocUnsafeSlow(bufferBytes);
  }

  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafeSlow(n);
  }

  flush(): void {
    if (this.pos === 0) return;
    const data = this.buf.subarray(0, this.pos);
    this.pos = 0;
    const out = this.gzip ? zlib.gzipSync(data, { level: GZIP_LEVEL }) : data;
    writeAll(this.fd, out, out.length, this.name);
    this.bytesWritten += out.length;
  }
}
