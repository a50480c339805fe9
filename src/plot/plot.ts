/**
 * `plot` as a library call: the bytes of one of the tool's CSVs in, an SVG
 * document out. The kind is found from the header's column names (or forced);
 * rows go one at a time to the kind's collector, which keeps only what it
 * draws.
 */
import { ReplayError } from '../errors.js';
import { readCsv } from './csv-reader.js';
import type { PlotKind, PlotKindChoice } from './kinds.js';
import { PLOT_KINDS } from './kinds.js';
import { RENDERERS, kindsOfHeader } from './registry.js';
import { KIND_OPTIONS, type KindOption, type PlotCollector, type PlotOptions } from './renderer.js';

export interface PlotRequest extends PlotOptions {
  /** Default `auto`. */
  readonly kind?: PlotKindChoice | undefined;
}

export interface PlotResult {
  readonly kind: PlotKind;
  readonly svg: string;
}

/** Draws the CSV `bytes` (read from `file`, named in errors) as SVG. */
export function plotCsv(bytes: Uint8Array, file: string, request: PlotRequest = {}): PlotResult {
  let kind: PlotKind | undefined;
  let collector: PlotCollector | undefined;
  let fieldCount = 0;
  let rows = 0;
  const binaryAt = firstBinaryByte(bytes);
  if (binaryAt >= 0) {
    throw new ReplayError('CSV_INVALID', 'binary data, not CSV text (plot reads the CSVs the tool writes, not a capture)', { file, offset: binaryAt });
  }
  readCsv(bytes, file, (fields, offset) => {
    if (collector === undefined) {
      kind = chooseKind(fields, file, offset, request.kind ?? 'auto');
      for (const [option, flag] of Object.entries(KIND_OPTIONS) as [KindOption, string][]) {
        if (request[option] !== undefined && !RENDERERS[kind].takes.includes(option)) {
          const owners = PLOT_KINDS.filter((k) => RENDERERS[k].takes.includes(option)).join(', ');
          throw new ReplayError('OPTION_INVALID', `option ${flag}: only for ${owners} plots; ${file} is a CSV of kind ${kind}`);
        }
      }
      const columns = new Map<string, number>();
      fields.forEach((name, i) => {
        if (!columns.has(name)) columns.set(name, i);
      });
      collector = RENDERERS[kind].collector(columns, file, request);
      fieldCount = fields.length;
      return;
    }
    if (fields.length !== fieldCount) {
      throw new ReplayError('CSV_INVALID', `a row of ${fields.length} fields under a header of ${fieldCount}`, { file, offset });
    }
    collector.row(fields, offset);
    rows++;
  });
  if (collector === undefined || kind === undefined) {
    throw new ReplayError('CSV_INVALID', 'empty file: no CSV header', { file });
  }
  if (rows === 0) {
    throw new ReplayError('PLOT_EMPTY', `nothing to plot: the CSV has no rows (${RENDERERS[kind].emptyReason})`, { file });
  }
  return { kind, svg: collector.render() };
}

function chooseKind(header: readonly string[], file: string, offset: number, choice: PlotKindChoice): PlotKind {
  // Printable text only in a message (STYLE: no raw bytes in messages).
  const shown = header.join(',').replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?');
  const headerText = shown.length > 80 ? shown.slice(0, 80) + '…' : shown;
  if (choice !== 'auto') {
    const r = RENDERERS[choice];
    const missing = r.columns.filter((c) => !header.includes(c));
    if (missing.length > 0) {
      throw new ReplayError('CSV_INVALID', `not a ${choice} CSV: no column ${missing.join(', ')} in the header '${headerText}'`, { file, offset });
    }
    const extra = r.forbids.filter((c) => header.includes(c));
    if (extra.length > 0) {
      throw new ReplayError('CSV_INVALID', `not a ${choice} CSV: it has a column ${extra.join(', ')}`, { file, offset });
    }
    return choice;
  }
  const kinds = kindsOfHeader(header);
  if (kinds.length === 0) {
    throw new ReplayError(
      'CSV_INVALID',
      `not a CSV of anycast-replay: the header '${headerText}' has the columns of no plot kind (${PLOT_KINDS.join(', ')})`,
      { file, offset },
    );
  }
  return kinds[0];
}

/** How far the input is looked at for binary data. */
const SNIFF_BYTES = 4096;

/**
 * The offset of the first byte in the input's first 4 KiB that no text of
 * ours holds (a C0 control other than tab, CR, LF; or DEL), or -1. Catches a
 * capture or a gzip file given by mistake before its bytes reach a message.
 */
export function firstBinaryByte(bytes: Uint8Array): number {
  const n = Math.min(bytes.length, SNIFF_BYTES);
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) return i;
  }
  return -1;
}
