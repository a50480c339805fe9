/**
 * `plot --kind events`: the CSV of `--events-output` (one row per server
 * change and policy) as grouped bars. Panel (a): per event, the fraction of
 * the open connections a stateless route (hash without per-connection state)
 * would send to another server, one bar per policy that has such a route, y
 * from 0 to 1. Panel (b): per event, the connections broken (open on a server
 * that failed), one bar per policy, or a note when no connection broke.
 * Policies whose `remapped` is empty at every event (round-robin, least-active…
 * keep no route to recompute) have no bar in (a) and are named in a note.
 */
import { ReplayError } from '../errors.js';
import { drawAxes, drawHeader, drawNotes, panelRects, plotArea, type LegendEntry, type Rect } from './chart.js';
import { policyStyles } from './colors.js';
import { col, numberField, type ColumnIndex, type PlotCollector, type PlotOptions, type PlotRenderer } from './renderer.js';
import { LinearScale, niceCeil, type Scale, type Tick } from './scale.js';
import { SvgBuilder } from './svg.js';

export const EVENTS_SIZE = { width: 960, height: 440 } as const;

/** Share of an event's band taken by its bars (the rest is the gap between events). */
export const BAND_FILL = 0.8;

/** One event: its label and, per policy, what the CSV says. */
interface EventGroup {
  readonly label: string;
  /** policy → remapped fraction (null: no stateless route, or no open connection). */
  readonly fraction: Map<string, number | null>;
  readonly broken: Map<string, number>;
}

/** `60.000000000` → `60`, `12.500000000` → `12.5`: the CSV's seconds without trailing zeros. */
export function secondsLabel(text: string): string {
  const t = text.trim();
  return t.includes('.') ? t.replace(/0+$/, '').replace(/\.$/, '') : t;
}

/** The label of an event on the x axis: `60 s remove 2`. */
export function eventLabel(time: string, event: string, server: string): string {
  return `${secondsLabel(time)} s ${event} ${server}`;
}

/** Categories on an axis: category i is centred in the i-th of `count` equal bands. */
export class BandScale implements Scale {
  readonly domain: readonly [number, number];

  constructor(
    private readonly labels: readonly string[],
    readonly range: readonly [number, number],
  ) {
    this.domain = [-0.5, labels.length - 0.5];
  }

  /** The centre of band `value` (fractional values in between). */
  at(value: number): number {
    const [r0, r1] = this.range;
    return r0 + ((value + 0.5) / this.labels.length) * (r1 - r0);
  }

  /** Width of one band in pixels. */
  get band(): number {
    return Math.abs(this.range[1] - this.range[0]) / this.labels.length;
  }

  /** A labelled tick at each band's centre; not major, so no vertical grid line runs through the bars. */
  ticks(): Tick[] {
    return this.labels.map((label, i) => ({ value: i, label, major: false }));
  }
}

class EventsCollector implements PlotCollector {
  private readonly events = new Map<string, EventGroup>();
  private readonly policies: string[] = [];
  /** Policies with a `remapped` value in at least one row. */
  private readonly stateless = new Set<string>();
  private readonly iTime: number;
  private readonly iEvent: number;
  private readonly iServer: number;
  private readonly iPolicy: number;
  private readonly iActive: number;
  private readonly iRemapped: number;
  private readonly iBroken: number;
  private readonly iFraction: number;

  constructor(
    columns: ColumnIndex,
    private readonly file: string,
    private readonly options: PlotOptions,
  ) {
    this.iTime = col(columns, 'time');
    this.iEvent = col(columns, 'event');
    this.iServer = col(columns, 'server');
    this.iPolicy = col(columns, 'policy');
    this.iActive = col(columns, 'active');
    this.iRemapped = col(columns, 'remapped');
    this.iBroken = col(columns, 'broken');
    this.iFraction = col(columns, 'fraction');
  }

  row(fields: readonly string[], offset: number): void {
    const time = fields[this.iTime];
    numberField(fields, this.iTime, 'time', this.file, offset);
    const label = eventLabel(time, fields[this.iEvent], fields[this.iServer]);
    const policy = fields[this.iPolicy];
    const active = numberField(fields, this.iActive, 'active', this.file, offset);
    const broken = numberField(fields, this.iBroken, 'broken', this.file, offset);
    let fraction: number | null = null;
    if (fields[this.iRemapped].trim() !== '') {
      const remapped = numberField(fields, this.iRemapped, 'remapped', this.file, offset);
      if (remapped < 0) throw new ReplayError('CSV_INVALID', 'a negative remapped', { file: this.file, offset });
      this.stateless.add(policy);
      if (fields[this.iFraction].trim() !== '') fraction = numberField(fields, this.iFraction, 'fraction', this.file, offset);
    }
    if (active < 0 || broken < 0) {
      throw new ReplayError('CSV_INVALID', `a negative ${active < 0 ? 'active' : 'broken'}`, { file: this.file, offset });
    }
    if (fraction !== null && (fraction < 0 || fraction > 1)) {
      throw new ReplayError('CSV_INVALID', `fraction ${fields[this.iFraction]} is not between 0 and 1`, { file: this.file, offset });
    }
    let group = this.events.get(label);
    if (group === undefined) {
      group = { label, fraction: new Map(), broken: new Map() };
      this.events.set(label, group);
    }
    if (group.broken.has(policy)) {
      throw new ReplayError('CSV_INVALID', `a second row for policy ${policy} at event '${label}'`, { file: this.file, offset });
    }
    group.fraction.set(policy, fraction);
    group.broken.set(policy, broken);
    if (!this.policies.includes(policy)) this.policies.push(policy);
  }

  render(): string {
    const width = this.options.width ?? EVENTS_SIZE.width;
    const height = this.options.height ?? EVENTS_SIZE.height;
    const title = this.options.title ?? 'Server changes: connections moved and broken per policy';
    const styles = policyStyles(this.policies);
    const svg = new SvgBuilder(width, height, title);
    const legend: LegendEntry[] = this.policies.map((p) => ({ label: p, style: styles.get(p)! }));
    const space = drawHeader(svg, title, legend);
    const rects = panelRects(space, 2, 'row');
    const groups = [...this.events.values()];
    const labels = groups.map((g) => g.label);
    const withRoute = this.policies.filter((p) => this.stateless.has(p));
    const without = this.policies.filter((p) => !this.stateless.has(p));

    // (a) remapped fraction, y 0..1.
    const areaA = plotArea(rects[0]);
    this.panel(svg, areaA, 'remapped', '(a) moved by a stateless route', 'fraction of open connections', new LinearScale([0, 1], [areaA.y + areaA.h, areaA.y]), labels, withRoute, (g, p) => g.fraction.get(p) ?? null, styles);
    const notesA: string[] = [];
    if (without.length > 0) notesA.push(`no stateless route: ${without.join(', ')}`);
    drawNotes(svg, areaA, notesA);
    svg.close('g');

    // (b) broken connections, y 0..the nice tick at or above the largest count.
    const areaB = plotArea(rects[1]);
    let maxBroken = 0;
    for (const g of groups) for (const b of g.broken.values()) maxBroken = Math.max(maxBroken, b);
    const yB = new LinearScale([0, niceCeil(maxBroken)], [areaB.y + areaB.h, areaB.y]);
    this.panel(svg, areaB, 'broken', '(b) broken (open on a failed server)', 'connections', yB, labels, this.policies, (g, p) => g.broken.get(p) ?? null, styles);
    drawNotes(svg, areaB, maxBroken === 0 ? ['no connection broken at any event'] : []);
    svg.close('g');
    return svg.finish();
  }

  /** Opens the panel's group, draws its axes and bars (the caller adds notes and closes it). */
  private panel(
    svg: SvgBuilder,
    area: Rect,
    name: string,
    title: string,
    yLabel: string,
    y: LinearScale,
    labels: readonly string[],
    policies: readonly string[],
    value: (g: EventGroup, policy: string) => number | null,
    styles: ReturnType<typeof policyStyles>,
  ): void {
    const x = new BandScale(labels, [area.x, area.x + area.w]);
    svg.open('g', { class: 'panel', 'data-panel': name });
    drawAxes(svg, area, { title, x, y, xLabel: 'server change', yLabel });
    svg.open('g', { class: 'bars' });
    const barWidth = policies.length === 0 ? 0 : (x.band * BAND_FILL) / policies.length;
    const base = y.at(0);
    [...this.events.values()].forEach((g, i) => {
      const left = x.at(i) - (x.band * BAND_FILL) / 2;
      policies.forEach((p, j) => {
        const v = value(g, p);
        if (v === null) return;
        const top = y.at(v);
        const style = styles.get(p)!;
        svg.el('rect', {
          class: 'bar',
          'data-panel': name,
          'data-policy': p,
          'data-event': g.label,
          'data-value': String(v),
          x: left + j * barWidth,
          y: top,
          width: barWidth,
          height: base - top,
          // A dashed style (a policy past the palette) is an outlined bar with that dash, told apart from the solid bar of the same colour.
          ...(style.dash === ''
            ? { fill: style.color }
            : { fill: '#ffffff', stroke: style.color, 'stroke-width': 2, 'stroke-dasharray': style.dash }),
        });
      });
    });
    svg.close('g');
  }
}

export const eventsRenderer: PlotRenderer = {
  kind: 'events',
  columns: ['time', 'event', 'server', 'policy', 'active', 'remapped', 'broken', 'fraction'],
  forbids: [],
  takes: [],
  emptyReason: 'no server change happened during the capture',
  collector: (columns, file, options) => new EventsCollector(columns, file, options),
};
