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
import type { PlotCollector, PlotOptions } from './renderer.js';

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
  readCsv(bytes, file, (fields, offset) => {
    if (collector === undefined) {
      kind = chooseKind(fields, file, offset, request.kind ?? 'auto');
      if (request.policy !== undefined && !RENDERERS[kind].takesPolicy) {
        throw new ReplayError('OPTION_INVALID', `option --policy: only for a timeseries plot (${file} is a ${kind} CSV)`);
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
  const shown = header.join(',');
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
