/**
 * The parts every plot shares: the title, the legend, the panels' places and
 * their axes (frame, grid, ticks, tick labels, axis labels). Renderers place
 * their curves inside the plot area this module gives them.
 */
import type { SeriesStyle } from './colors.js';
import { fmt } from './format.js';
import type { Scale } from './scale.js';
import type { SvgBuilder } from './svg.js';

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface LegendEntry {
  readonly label: string;
  readonly style: SeriesStyle;
}

/** The y axis reaches at least this factor above the highest value, so no curve runs along the frame's top. */
export const HEADROOM = 1.05;

/** Line width of every curve: 2 px, so a curve always covers whole pixels in a render (tests look for its colour). */
export const CURVE_WIDTH = 2;

const TITLE_SIZE = 16;
const LABEL_SIZE = 13;
const LEGEND_ROW = 18;
const SWATCH = 24;
/** Rough advance of a sans-serif character at 12 px, for laying out the legend. */
const CHAR_WIDTH = 7;

const AXIS_COLOR = '#333333';
const GRID_COLOR = '#e5e5e5';
const NOTE_COLOR = '#555555';

/** Margins around a panel's plot area: room for tick labels, axis labels and the panel title. */
const MARGIN = { left: 68, right: 16, rightWithAxis: 60, top: 24, bottom: 44 } as const;

function legendEntryWidth(e: LegendEntry): number {
  return SWATCH + 6 + e.label.length * CHAR_WIDTH + 18;
}

/** Rows of legend entries that fit in `width`. */
function legendRows(entries: readonly LegendEntry[], width: number): LegendEntry[][] {
  const rows: LegendEntry[][] = [];
  let row: LegendEntry[] = [];
  let used = 0;
  for (const e of entries) {
    const w = legendEntryWidth(e);
    if (row.length > 0 && used + w > width) {
      rows.push(row);
      row = [];
      used = 0;
    }
    row.push(e);
    used += w;
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

/**
 * Draws the title and a centred legend below it; returns the space left for
 * the panels.
 */
export function drawHeader(svg: SvgBuilder, title: string, entries: readonly LegendEntry[]): Rect {
  const width = svg.width;
  svg.text(width / 2, 24, title, { 'text-anchor': 'middle', 'font-size': TITLE_SIZE, 'font-weight': 'bold', class: 'title' });
  const rows = legendRows(entries, width - 40);
  let y = 44;
  svg.open('g', { class: 'legend' });
  for (const row of rows) {
    const rowWidth = row.reduce((sum, e) => sum + legendEntryWidth(e), 0) - 18;
    let x = (width - rowWidth) / 2;
    for (const e of row) {
      svg.line(x, y - 4, x + SWATCH, y - 4, {
        stroke: e.style.color,
        'stroke-width': 3,
        'stroke-dasharray': e.style.dash,
        class: 'swatch',
      });
      svg.text(x + SWATCH + 6, y, e.label, { fill: AXIS_COLOR });
      x += legendEntryWidth(e);
    }
    y += LEGEND_ROW;
  }
  svg.close('g');
  const top = y - LEGEND_ROW + 14;
  return { x: 0, y: top, w: width, h: svg.height - top };
}

/** `count` panel rectangles side by side (`row`) or stacked (`column`) in `space`. */
export function panelRects(space: Rect, count: number, direction: 'row' | 'column'): Rect[] {
  const rects: Rect[] = [];
  for (let i = 0; i < count; i++) {
    if (direction === 'row') {
      const w = space.w / count;
      rects.push({ x: space.x + i * w, y: space.y, w, h: space.h });
    } else {
      const h = space.h / count;
      rects.push({ x: space.x, y: space.y + i * h, w: space.w, h });
    }
  }
  return rects;
}

/** The plot area inside a panel rectangle. */
export function plotArea(panel: Rect, rightAxis = false): Rect {
  const right = rightAxis ? MARGIN.rightWithAxis : MARGIN.right;
  return {
    x: panel.x + MARGIN.left,
    y: panel.y + MARGIN.top,
    w: Math.max(10, panel.w - MARGIN.left - right),
    h: Math.max(10, panel.h - MARGIN.top - MARGIN.bottom),
  };
}

export interface AxesSpec {
  readonly title: string;
  readonly x: Scale;
  readonly y: Scale;
  readonly xLabel: string;
  readonly yLabel: string;
  /** A second y axis on the right (its ticks only, no grid). */
  readonly right?: { readonly scale: Scale; readonly label: string };
}

/** Grid, frame, ticks and labels of one panel. */
export function drawAxes(svg: SvgBuilder, area: Rect, spec: AxesSpec): void {
  const bottom = area.y + area.h;
  const right = area.x + area.w;
  svg.open('g', { class: 'axes' });
  svg.text(area.x + area.w / 2, area.y - 8, spec.title, { 'text-anchor': 'middle', 'font-size': LABEL_SIZE, 'font-weight': 'bold', fill: AXIS_COLOR });
  const xTicks = spec.x.ticks();
  const yTicks = spec.y.ticks();
  for (const t of xTicks) {
    if (!t.major) continue;
    const x = spec.x.at(t.value);
    svg.line(x, area.y, x, bottom, { stroke: GRID_COLOR, 'stroke-width': 1 });
  }
  for (const t of yTicks) {
    const y = spec.y.at(t.value);
    svg.line(area.x, y, right, y, { stroke: GRID_COLOR, 'stroke-width': 1 });
  }
  svg.el('rect', { x: area.x, y: area.y, width: area.w, height: area.h, fill: 'none', stroke: AXIS_COLOR, 'stroke-width': 1 });
  for (const t of xTicks) {
    const x = spec.x.at(t.value);
    svg.line(x, bottom, x, bottom + (t.major ? 5 : 3), { stroke: AXIS_COLOR, 'stroke-width': 1 });
    if (t.label !== '') svg.text(x, bottom + 18, t.label, { 'text-anchor': 'middle', fill: AXIS_COLOR, class: 'xtick' });
  }
  for (const t of yTicks) {
    const y = spec.y.at(t.value);
    svg.line(area.x - 5, y, area.x, y, { stroke: AXIS_COLOR, 'stroke-width': 1 });
    if (t.label !== '') svg.text(area.x - 8, y + 4, t.label, { 'text-anchor': 'end', fill: AXIS_COLOR, class: 'ytick' });
  }
  svg.text(area.x + area.w / 2, bottom + 36, spec.xLabel, { 'text-anchor': 'middle', 'font-size': LABEL_SIZE, fill: AXIS_COLOR });
  const yLabelX = area.x - 54;
  const yLabelY = area.y + area.h / 2;
  svg.text(yLabelX, yLabelY, spec.yLabel, {
    'text-anchor': 'middle',
    'font-size': LABEL_SIZE,
    fill: AXIS_COLOR,
    transform: `rotate(-90 ${fmtPair(yLabelX, yLabelY)})`,
  });
  if (spec.right !== undefined) {
    for (const t of spec.right.scale.ticks()) {
      const y = spec.right.scale.at(t.value);
      svg.line(right, y, right + 5, y, { stroke: AXIS_COLOR, 'stroke-width': 1 });
      if (t.label !== '') svg.text(right + 8, y + 4, t.label, { fill: AXIS_COLOR, class: 'rtick' });
    }
    const rx = right + 48;
    svg.text(rx, yLabelY, spec.right.label, {
      'text-anchor': 'middle',
      'font-size': LABEL_SIZE,
      fill: AXIS_COLOR,
      transform: `rotate(90 ${fmtPair(rx, yLabelY)})`,
    });
  }
  svg.close('g');
}

function fmtPair(x: number, y: number): string {
  return `${fmt(x)} ${fmt(y)}`;
}

/** Lines of small grey text at the top right inside the plot area (clipped mass, values at zero). */
export function drawNotes(svg: SvgBuilder, area: Rect, notes: readonly string[]): void {
  let y = area.y + 16;
  for (const note of notes) {
    // A white outline under the glyphs keeps the note legible over a curve.
    svg.text(area.x + area.w - 6, y, note, {
      'text-anchor': 'end',
      'font-size': 11,
      fill: NOTE_COLOR,
      stroke: '#ffffff',
      'stroke-width': 3,
      'paint-order': 'stroke',
      class: 'note',
    });
    y += 14;
  }
}
