/**
 * The in-memory push parser: bytes in, records out, whatever the chunking.
 * It sniffs the format from the first 4 bytes (SPEC §1) and hands every chunk
 * to the pcap or pcapng parser. Gzip is undone before it, by `source.ts`.
 */
import { ReplayError } from '../errors.js';
import { PcapParser } from './pcap.js';
import { PcapngParser } from './pcapng.js';
import type { CaptureFileInfo, RecordHandler } from './record.js';
import { SNIFF_BYTES, isMagicPrefix, sniffFormat } from './sniff.js';

export interface CaptureParser {
  /**
   * Parses what `chunk` completes, calling the handler for each packet record.
   * The chunk is not kept: the caller may overwrite it once push returns.
   * Throws a ReplayError on damage.
   */
  push(chunk: Uint8Array): void;
  /** Ends the stream: the file's info, with a warning for a cut tail. Throws for an empty or headless stream. */
  end(): CaptureFileInfo;
  /** As end(), for a source that ended early (a gzip stream cut short): the end is a cut tail even at a record boundary. */
  endCut(): CaptureFileInfo;
}

class SniffingParser implements CaptureParser {
  private readonly file: string;
  private readonly handler: RecordHandler;
  private inner: PcapParser | PcapngParser | undefined;
  private readonly head = new Uint8Array(SNIFF_BYTES);
  private headLen = 0;

  constructor(file: string, handler: RecordHandler) {
    this.file = file;
    this.handler = handler;
  }

  push(chunk: Uint8Array): void {
    if (this.inner !== undefined) {
      this.inner.push(chunk);
      return;
    }
    if (this.headLen === 0 && chunk.length >= SNIFF_BYTES) {
      this.start(chunk);
      this.inner!.push(chunk);
      return;
    }
    const take = Math.min(SNIFF_BYTES - this.headLen, chunk.length);
    this.head.set(chunk.subarray(0, take), this.headLen);
    this.headLen += take;
    if (this.headLen < SNIFF_BYTES) return;
    this.start(this.head);
    this.inner!.push(this.head);
    if (take < chunk.length) this.inner!.push(chunk.subarray(take));
  }

  private start(head: Uint8Array): void {
    const format = sniffFormat(head);
    if (format === undefined) this.badMagic();
    this.inner = format === 'pcapng' ? new PcapngParser(this.file, this.handler) : new PcapParser(this.file, this.handler, format);
  }

  private badMagic(): never {
    throw new ReplayError('CAPTURE_BAD_MAGIC', 'not a pcap or pcapng capture (unknown magic)', { file: this.file, offset: 0 });
  }

  end(): CaptureFileInfo {
    return this.finish(false);
  }

  endCut(): CaptureFileInfo {
    return this.finish(true);
  }

  private finish(streamCut: boolean): CaptureFileInfo {
    if (this.inner !== undefined) return this.inner.finish(streamCut);
    if (this.headLen === 0) throw new ReplayError('CAPTURE_EMPTY', 'empty capture', { file: this.file });
    if (!isMagicPrefix(this.head, this.headLen)) this.badMagic();
    throw new ReplayError('CAPTURE_TRUNCATED_HEADER', `file header cut short (${this.headLen} bytes present)`, {
      file: this.file,
      offset: 0,
    });
  }
}

/** A push parser for one capture stream; `file` names it in errors and info. */
export function createCaptureParser(file: string, handler: RecordHandler): CaptureParser {
  return new SniffingParser(file, handler);
}
