/**
 * The one error type of the library (STYLE: errors and exit codes).
 *
 * A `ReplayError` carries a stable string `code`, the `file` it concerns and,
 * where a single record or block is to blame, the absolute `offset` of its
 * first byte in the (decompressed) capture stream. `cli/main.ts` is the only
 * place that turns one into a line on standard error and an exit code.
 */

export type ErrorCode =
  /** The file is empty: no magic at all. */
  | 'CAPTURE_EMPTY'
  /** The first bytes are not a pcap, pcapng or gzip magic. */
  | 'CAPTURE_BAD_MAGIC'
  /** A pcapng byte-order magic is neither 0x1A2B3C4D nor its byte swap. */
  | 'CAPTURE_BAD_BYTE_ORDER'
  /** A record or block length is impossible (over the cap, under the minimum, not a multiple of 4, larger than its block). */
  | 'CAPTURE_BAD_LENGTH'
  /** A pcapng block's trailing length differs from its leading one. */
  | 'CAPTURE_BAD_TRAILER'
  /** The file header itself is cut short. */
  | 'CAPTURE_TRUNCATED_HEADER'
  /** A cut capture under --strict (otherwise a warning). */
  | 'CAPTURE_TRUNCATED'
  /** Corrupt gzip data (bad header, CRC or deflate stream). */
  | 'CAPTURE_GZIP'
  /** A packet refers to an interface the section never described. */
  | 'CAPTURE_BAD_INTERFACE'
  /** A pcapng packet time more than 2^48 s from 1970 (reader/caps.ts MAX_TIMESTAMP_SECONDS). */
  | 'CAPTURE_BAD_TIME'
  /** The file cannot be opened or read. */
  | 'FILE_READ'
  /** An output cannot be written. */
  | 'OUTPUT_WRITE'
  /** An option value is invalid (exit code 2). */
  | 'OPTION_INVALID'
  /** A run that would need more samples than the counts hold exactly (2^53). */
  | 'TOO_MANY_SAMPLES'
  /** A warning turned into a failure by --strict. */
  | 'STRICT_WARNING'
  /** `plot`: the input is not one of the tool's CSVs (bad quoting, columns, numbers, order). */
  | 'CSV_INVALID'
  /** `plot`: the CSV is the header alone. */
  | 'PLOT_EMPTY'
  /** `plot --policy`: the timeseries CSV has no rows of that policy. */
  | 'PLOT_UNKNOWN_POLICY'
  /** `merge`: an input of the batch has no result in the directories given, or more than one, or they are of different batches. */
  | 'BATCH_MERGE'
  /** A flow log's content is none of the input formats (docs/flow-logs.md). */
  | 'FLOWLOG_FORMAT'
  /** A flow log line cannot be read: a header, or a field of a record (the message names the line and the field). */
  | 'FLOWLOG_INVALID';

export interface ReplayErrorDetails {
  file?: string;
  offset?: number;
}

export class ReplayError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly offset: number | undefined;
  /** The problem alone, without file and offset. */
  readonly problem: string;

  constructor(code: ErrorCode, problem: string, details: ReplayErrorDetails = {}) {
    super(formatErrorLine(problem, details.file, details.offset));
    this.name = 'ReplayError';
    this.code = code;
    this.problem = problem;
    this.file = details.file;
    this.offset = details.offset;
  }

  /** The process exit code for this error (SPEC §2a): 2 for usage, 1 for any other failure. */
  get exitCode(): number {
    return this.code === 'OPTION_INVALID' ? 2 : 1;
  }

  /** A copy naming `file`, for errors raised below the layer that knows the file's name. */
  withFile(file: string): ReplayError {
    if (this.file !== undefined) return this;
    return new ReplayError(this.code, this.problem, { file, offset: this.offset });
  }
}

/** `FILE: PROBLEM at byte N` (the CLI prefixes `anycast-replay: `). */
export function formatErrorLine(problem: string, file?: string, offset?: number): string {
  let line = file !== undefined ? `${file}: ${problem}` : problem;
  if (offset !== undefined) line += ` at byte ${offset}`;
  return line;
}
