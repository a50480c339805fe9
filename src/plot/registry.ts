/**
 * One renderer per kind of plot. A new kind (the `events` plot of a later
 * issue) adds its name to PLOT_KINDS (kinds.ts) and its renderer here; the
 * Record type makes a kind without a renderer a compile error.
 */
import { distributionRenderer } from './distribution.js';
import { eventsRenderer } from './events.js';
import { imbalanceRenderer } from './imbalance.js';
import { PLOT_KINDS, type PlotKind } from './kinds.js';
import type { PlotRenderer } from './renderer.js';
import { sweepRenderer } from './sweep.js';
import { timeseriesRenderer } from './timeseries.js';

export const RENDERERS: Readonly<Record<PlotKind, PlotRenderer>> = {
  imbalance: imbalanceRenderer,
  distribution: distributionRenderer,
  timeseries: timeseriesRenderer,
  sweep: sweepRenderer,
  events: eventsRenderer,
};

/** Whether a header (column names) has what `renderer` reads and nothing that marks another kind. */
export function headerFits(renderer: PlotRenderer, header: readonly string[]): boolean {
  return renderer.columns.every((c) => header.includes(c)) && !renderer.forbids.some((c) => header.includes(c));
}

/** The kinds whose columns a header has, in PLOT_KINDS order. */
export function kindsOfHeader(header: readonly string[]): PlotKind[] {
  return PLOT_KINDS.filter((k) => headerFits(RENDERERS[k], header));
}
