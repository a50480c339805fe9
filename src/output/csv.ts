/**
 * CSV text for the row outputs (SPEC §6: RFC 4180 quoting, LF line ends,
 * a header row). Rows are batched and quoted by csv-stringify; our fields are
 * numbers, addresses and fixed names, so quoting is a guard, not the common case.
 */
import { stringify } from 'csv-stringify/sync';
import type { TextSink } from './atomic-file.js';

const BATCH_ROWS = 2048;
const STRINGIFY_OPTIONS = { record_delimiter: 'unix' as const, quoted_match: undefined };

export class CsvWriter {
  private batch: string[][] = [];

  constructor(
    private readonly sink: TextSink,
    header: readonly string[],
  ) {
    sink.write(stringify([header as string[]], STRINGIFY_OPTIONS));
  }

  /** Queues one row; `fields` is copied, so the caller may reuse its array. */
  row(fields: readonly string[]): void {
    this.batch.push(fields.slice());
    if (this.batch.length >= BATCH_ROWS) this.flush();
  }

  flush(): void {
    if (this.batch.length === 0) return;
    this.sink.write(stringify(this.batch, STRINGIFY_OPTIONS));
    this.batch = [];
  }
}
