/**
 * What a kind of plot provides (registry.ts lists them): the columns it
 * reads, and a collector that takes the CSV's rows one at a time — keeping
 * only what it draws — and renders the SVG at the end.
 */
import { ReplayError } from '../errors.js';
import type { PlotKind } from './kinds.js';

export interface PlotOptions {
  /** Timeseries: the policy whose servers are drawn (default: the first in the file). */
  readonly policy?: string | undefined;
  readonly title?: string | undefined;
  /** Imbalance: draw bins of this width (decimal text), each the sum of the CSV's bins inside it. */
  readonly binWidth?: string | undefined;
  /** Pixels; each kind has its own default. */
  readonly width?: number | undefined;
  readonly height?: number | undefined;
}

/** Column name → index in the header. */
export type ColumnIndex = ReadonlyMap<string, number>;

/** Options that only some kinds take, by their command-line names. */
export const KIND_OPTIONS = { policy: '--policy', binWidth: '--bin-width' } as const;
export type KindOption = keyof typeof KIND_OPTIONS;

export interface PlotCollector {
  /** One data row (as many fields as the header) and the offset of its first byte. */
  row(fields: readonly string[], offset: number): void;
  /** The SVG document; called after at least one row. */
  render(): string;
}

export interface PlotRenderer {
  readonly kind: PlotKind;
  /** Columns the CSV must have (others are ignored). */
  readonly columns: readonly string[];
  /** Columns that tell the CSV is of another kind. */
  readonly forbids: readonly string[];
  /** The kind-specific options it takes (others are refused as usage errors). */
  readonly takes: readonly KindOption[];
  /** Why a CSV of this kind can be the header alone: ends "nothing to plot: the CSV has no rows (…)". */
  readonly emptyReason: string;
  collector(columns: ColumnIndex, file: string, options: PlotOptions): PlotCollector;
}

/** The number in a field (decimal text as the tool writes it), or a CSV_INVALID error naming the row. */
export function numberField(fields: readonly string[], index: number, column: string, file: string, offset: number): number {
  const text = fields[index];
  const value = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(value)) {
    throw new ReplayError('CSV_INVALID', `column ${column}: '${text.length > 40 ? text.slice(0, 40) + '…' : text}' is not a number`, { file, offset });
  }
  return value;
}

/** Index of a column the renderer declared in `columns` (present: the header was checked). */
export function col(columns: ColumnIndex, name: string): number {
  const i = columns.get(name);
  if (i === undefined) throw new Error(`column ${name} was not checked`);
  return i;
}

/**
 * The series of `policy` under `metric` in `metrics` (metric → policy →
 * series, both in order of appearance), made by `make` when first seen; a
 * policy seen for the first time under any metric is appended to `policies`.
 */
export function seriesOf<T>(
  metrics: Map<string, Map<string, T>>,
  policies: string[],
  metric: string,
  policy: string,
  make: () => T,
): T {
  let byPolicy = metrics.get(metric);
  if (byPolicy === undefined) {
    byPolicy = new Map();
    metrics.set(metric, byPolicy);
  }
  let s = byPolicy.get(policy);
  if (s === undefined) {
    s = make();
    byPolicy.set(policy, s);
    if (!policies.includes(policy)) policies.push(policy);
  }
  return s;
}
