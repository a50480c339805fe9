/**
 * `readFlowLog(path, options, onRecord)`: a flow log (Zeek conn.log, TSV or
 * JSON lines, or the tool's `connections` CSV; plain or gzip) as a stream of
 * connection records in start order, through the reorder window
 * (docs/flow-logs.md). Memory depends on the window, never on the length of
 * the log.
 */
import { ReplayError } from '../errors.js';
import { DEFAULTS } from '../options.js';
import { type Duration, isValidDuration } from '../time.js';
import { ConnectionsCsvParser } from './connections-csv.js';
import { DETECT_BYTES, detectInputFormat, type InputFormat } from './detect.js';
import type { FlowTimeouts } from './end-rule.js';
import { LINE_CHUNK_BYTES, type LineHandler, LineSplitter, textChunks } from './lines.js';
import { FlowRecord } from './record.js';
import { DEFAULT_MAX_BUFFERED, ReorderBuffer, type ReorderStats } from './reorder.js';
import { ZeekJsonParser } from './zeek-json.js';
import { ZeekTsvParser } from './zeek-tsv.js';

export type FlowLogFormat = Exclude<InputFormat, 'pcap'>;

/** Defaults of the flow-log options, in one place. */
const wholeSeconds = (text: string): Duration => ({ sec: Number(text), nsec: 0 });

/** Defaults of the flow-log options: the replay's own (src/options.ts DEFAULTS), as durations. */
export const FLOWLOG_DEFAULTS = {
  /** --reorder-window: 60 s (issue 12). */
  reorderWindow: wholeSeconds(DEFAULTS.reorderWindow),
  /** --idle-timeout: 300 s, as the capture replay (Zeek's tcp_inactivity_timeout). */
  idleTimeout: wholeSeconds(DEFAULTS.idleTimeout),
  /** --syn-timeout: 60 s, as the capture replay. */
  synTimeout: wholeSeconds(DEFAULTS.synTimeout),
  /** --udp-timeout: 60 s (Zeek's udp_inactivity_timeout). */
  udpTimeout: wholeSeconds(DEFAULTS.udpTimeout),
  maxBuffered: DEFAULT_MAX_BUFFERED,
} as const;

export interface FlowLogOptions {
  /** The format; `auto` (default) detects it from the content. */
  inputFormat?: 'auto' | FlowLogFormat;
  /** How far behind the newest start a record may arrive and still be delivered in order. */
  reorderWindow?: Duration;
  /** Timeouts of the end rule; 0 = off. */
  idleTimeout?: Duration;
  synTimeout?: Duration;
  udpTimeout?: Duration;
  /** Records held in the reorder window at most (memory bound). */
  maxBuffered?: number;
  /** Read size (tests use small ones to cross chunk boundaries). */
  chunkSize?: number;
}

export interface FlowLogResult extends ReorderStats {
  format: FlowLogFormat;
  gzip: boolean;
  /** Lines read (decompressed), headers and comments included. */
  lines: number;
  /** Bytes read after decompression. */
  bytes: number;
  /** Zeek TSV: the last log ended with `#close` (false for the other formats). */
  closed: boolean;
}

interface RowParser {
  line(buf: Uint8Array, start: number, end: number, lineNo: number): boolean;
}

function checkDuration(name: string, d: Duration): Duration {
  if (!isValidDuration(d)) throw new ReplayError('OPTION_INVALID', `${name}: not a valid duration`);
  return d;
}

/**
 * Reads the flow log at `path` (or `-`, standard input) and calls `onRecord`
 * for each connection in start order, with one reused FlowRecord (valid until
 * the call returns). Rejects with a ReplayError: FLOWLOG_FORMAT when the
 * content is not a flow log (a capture included: replay it as one),
 * FLOWLOG_INVALID for a line that cannot be read (its number and field in the
 * message), FILE_READ when the file cannot be read.
 */
export async function readFlowLog(
  path: string,
  options: FlowLogOptions,
  onRecord: (rec: FlowRecord) => void,
): Promise<FlowLogResult> {
  const window = checkDuration('reorderWindow', options.reorderWindow ?? FLOWLOG_DEFAULTS.reorderWindow);
  const timeouts: FlowTimeouts = {
    idle: checkDuration('idleTimeout', options.idleTimeout ?? FLOWLOG_DEFAULTS.idleTimeout),
    syn: checkDuration('synTimeout', options.synTimeout ?? FLOWLOG_DEFAULTS.synTimeout),
    udp: checkDuration('udpTimeout', options.udpTimeout ?? FLOWLOG_DEFAULTS.udpTimeout),
  };
  const reorder = new ReorderBuffer(window, onRecord, options.maxBuffered ?? FLOWLOG_DEFAULTS.maxBuffered);
  const rec = new FlowRecord();
  const requested = options.inputFormat ?? 'auto';
  const info = { gzip: false };
  let format: FlowLogFormat | undefined = requested === 'auto' ? undefined : requested;
  let parser: RowParser | undefined;
  let tsv: ZeekTsvParser | undefined;

  const makeParser = (f: FlowLogFormat, head: Uint8Array): RowParser => {
    if (f === 'connections-csv') return new ConnectionsCsvParser(path, rec, timeouts);
    // zeek-conn: TSV unless the first line that is not a `##` banner is a JSON object.
    let i = 0;
    while (i + 1 < head.length && head[i] === 0x23 && head[i + 1] === 0x23) {
      const nl = head.indexOf(0x0a, i);
      if (nl < 0) break;
      i = nl + 1;
    }
    while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
    if (head[i] === 0x7b) return new ZeekJsonParser(path, rec, timeouts);
    tsv = new ZeekTsvParser(path, rec, timeouts);
    return tsv;
  };

  const handler: LineHandler = {
    line(buf, start, end, lineNo) {
      if ((parser as RowParser).line(buf, start, end, lineNo)) reorder.push(rec);
    },
  };
  const splitter = new LineSplitter(path, handler);
  // The head is gathered until detection can decide (DETECT_BYTES, or the whole of a shorter log).
  let pending: Uint8Array[] | undefined = [];
  let pendingBytes = 0;
  const start = (): void => {
    const head = Buffer.concat(pending as Uint8Array[]);
    pending = undefined;
    if (format === undefined) {
      const detected = detectInputFormat(head);
      if (detected === undefined) {
        throw new ReplayError(
          'FLOWLOG_FORMAT',
          head.length === 0 ? 'empty file: not a flow log' : 'not a Zeek conn.log (TSV or JSON) nor a connections CSV',
          { file: path },
        );
      }
      if (detected === 'pcap') {
        throw new ReplayError('FLOWLOG_FORMAT', 'a packet capture, not a flow log (--input-format pcap reads it)', { file: path });
      }
      format = detected;
    } else if (head.length === 0) {
      throw new ReplayError('FLOWLOG_FORMAT', `empty file: not a ${format} flow log`, { file: path });
    } else if (head.length >= 4 && detectInputFormat(head) === 'pcap') {
      // A format was given, but this is a capture: say so rather than fail on its first "line".
      throw new ReplayError('FLOWLOG_FORMAT', `a packet capture, not a ${format} flow log (--input-format pcap reads it)`, { file: path });
    }
    parser = makeParser(format, head);
    if (head.length > 0) splitter.push(head);
  };
  for await (const chunk of textChunks(path, info, options.chunkSize ?? LINE_CHUNK_BYTES)) {
    if (pending !== undefined) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= DETECT_BYTES) start();
      continue;
    }
    splitter.push(chunk);
  }
  if (pending !== undefined) start();
  splitter.end();
  reorder.flush();
  return {
    ...reorder.stats,
    format: format as FlowLogFormat,
    gzip: info.gzip,
    lines: splitter.lines,
    bytes: splitter.bytes,
    closed: tsv?.closed ?? false,
  };
}
