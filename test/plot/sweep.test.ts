/**
 * `plot --kind sweep` (issue 9 item 4): the CSV of scripts/load-sweep.mjs
 * drawn as p90 imbalance against mean active connections per server on log
 * axes, one line with markers per policy and panel, and the reference line
 * ∝ 1/√n through the median of the non-adaptive policies' points. The
 * numbers of the hand-made CSV (samples.ts sweepCsv) are chosen so every
 * coordinate can be worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { plotCsv, type PlotRequest } from '../../src/plot/plot.js';
import { ReplayError } from '../../src/errors.js';
import { POLICY_COLORS, PALETTE } from '../../src/plot/colors.js';
import { LogScale } from '../../src/plot/scale.js';
import { REFERENCE_LABEL, REFERENCE_STYLE, isNonAdaptive, median, referenceCoefficient, referencePath } from '../../src/plot/sweep.js';
import { parseXml, type XmlElement } from './xml.js';
import { FOUR_POLICIES, sweepCsv } from './samples.js';

const HEADER = 'metric,policy,rate,mean_active_per_server,mean,p50,p90,p99,max';

function plot(csv: string, request: PlotRequest = {}): { svg: string; elements: XmlElement[]; kind: string } {
  const { kind, svg } = plotCsv(Buffer.from(csv), 'in.csv', request);
  return { svg, kind, elements: parseXml(svg) };
}

function inPanel(e: XmlElement, panel: string): boolean {
  for (let p = e.parent; p !== undefined; p = p.parent) if (p.attrs['data-panel'] === panel) return true;
  return false;
}

function frame(elements: readonly XmlElement[], panel: string): { x: number; y: number; w: number; h: number } {
  const r = elements.find((e) => e.name === 'rect' && e.attrs.fill === 'none' && inPanel(e, panel))!;
  return { x: Number(r.attrs.x), y: Number(r.attrs.y), w: Number(r.attrs.width), h: Number(r.attrs.height) };
}

function byClass(elements: readonly XmlElement[], cls: string): XmlElement[] {
  return elements.filter((e) => e.attrs.class === cls);
}

function error(csv: string, request: PlotRequest = {}): ReplayError {
  try {
    plotCsv(Buffer.from(csv), 'in.csv', request);
  } catch (err) {
    if (err instanceof ReplayError) return err;
    throw err;
  }
  throw new Error('no error');
}

/** Pixel of a value on a log axis of `decades` decades from 10^lo over [r0, r1], rounded as the SVG writes it. */
function logAt(v: number, lo: number, decades: number, r0: number, r1: number): number {
  return +(r0 + ((Math.log10(v) - lo) / decades) * (r1 - r0)).toFixed(2);
}

describe('sweep plot', () => {
  it('is found from the header and is well-formed, one curve per policy and panel in the policy colours', () => {
    const { elements, kind } = plot(sweepCsv());
    expect(kind).toBe('sweep');
    expect(elements[0].attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    const curves = byClass(elements, 'curve');
    expect(curves.map((p) => `${p.attrs['data-panel']}/${p.attrs['data-policy']}`)).toEqual([
      'connections/round-robin',
      'connections/random',
      'connections/hash',
      'connections/least-active',
      'bytes/round-robin',
      'bytes/random',
      'bytes/hash',
      'bytes/least-active',
    ]);
    for (const p of curves) expect(p.attrs.stroke).toBe(POLICY_COLORS[p.attrs['data-policy']]);
    // A marker per point: 4 × 3 in connections; bytes leaves out hash at 160/s (no p90) and least-active there (0).
    const markers = byClass(elements, 'marker');
    expect(markers.filter((m) => m.attrs['data-panel'] === 'connections')).toHaveLength(12);
    expect(markers.filter((m) => m.attrs['data-panel'] === 'bytes')).toHaveLength(10);
    for (const m of markers) expect(m.attrs.fill).toBe(POLICY_COLORS[m.attrs['data-policy']]);
    const legend = elements.filter((e) => e.name === 'text' && e.parent?.attrs.class === 'legend').map((e) => e.text);
    expect(legend).toEqual(['round-robin', 'random', 'hash', 'least-active', '∝ 1/√n']);
    expect(elements.find((e) => e.name === 'title')!.text).toBe('Load imbalance against load: p90 per policy');
    const labels = elements.filter((e) => e.name === 'text' && inPanel(e, 'connections') && e.attrs['font-size'] === '13').map((e) => e.text);
    expect(labels).toEqual(['(a) active connections', 'mean active connections per server', 'p90 imbalance']);
  });

  it('log axes: x 1…100 (decades of 1…16), y 0.01…10 (0.02…4); each point at its place', () => {
    const { elements } = plot(sweepCsv());
    const f = frame(elements, 'connections');
    const xticks = elements.filter((e) => e.attrs.class === 'xtick' && inPanel(e, 'connections')).map((e) => e.text);
    const yticks = elements.filter((e) => e.attrs.class === 'ytick' && inPanel(e, 'connections')).map((e) => e.text);
    expect(xticks).toEqual(['1', '10', '100']);
    expect(yticks).toEqual(['0.01', '0.1', '1', '10']);
    const xAt = (v: number) => logAt(v, 0, 2, f.x, f.x + f.w);
    const yAt = (v: number) => logAt(v, -2, 3, f.y + f.h, f.y);
    const rr = byClass(elements, 'curve').find((p) => p.attrs['data-panel'] === 'connections' && p.attrs['data-policy'] === 'round-robin')!;
    expect(rr.attrs.d).toBe(`M${xAt(1)} ${yAt(2)}L${xAt(4)} ${yAt(1)}L${xAt(16)} ${yAt(0.5)}`);
    const la = byClass(elements, 'marker').filter((m) => m.attrs['data-panel'] === 'connections' && m.attrs['data-policy'] === 'least-active');
    expect(la.map((m) => [Number(m.attrs.cx), Number(m.attrs.cy), m.attrs.r])).toEqual([
      [xAt(1), yAt(0.5), '3.5'],
      [xAt(4), yAt(0.1), '3.5'],
      [xAt(16), yAt(0.02), '3.5'],
    ]);
  });

  it('the reference line: c/√n with c the median of p90·√n over round-robin, random and hash, dashed grey, across the panel', () => {
    const { elements } = plot(sweepCsv());
    const refs = byClass(elements, 'reference');
    expect(refs.map((r) => r.attrs['data-panel'])).toEqual(['connections', 'bytes']);
    for (const r of refs) expect([r.attrs.stroke, r.attrs['stroke-dasharray'], r.attrs.fill]).toEqual([REFERENCE_STYLE.color, '6 4', 'none']);
    expect(REFERENCE_STYLE.color).toBe('#808080');
    // Connections: c = median(2, 2, 2, 4, 4, 4, 1, 1, 1) = 2 → from (1, 2) to (100, 0.2) on y 0.01…10.
    const fc = frame(elements, 'connections');
    const yc = (v: number) => logAt(v, -2, 3, fc.y + fc.h, fc.y);
    expect(refs[0].attrs.d).toBe(`M${fc.x} ${yc(2)}L${fc.x + fc.w} ${yc(0.2)}`);
    // Bytes: c = median(6, 6, 6, 3, 3, 3, 1.5, 1.5) = 3 → from (1, 3) to (100, 0.3) on y 0.1…10 (0.75…6).
    const fb = frame(elements, 'bytes');
    const yb = (v: number) => logAt(v, -1, 2, fb.y + fb.h, fb.y);
    expect(refs[1].attrs.d).toBe(`M${fb.x} ${yb(3)}L${fb.x + fb.w} ${yb(0.3)}`);
    // The swatch in the legend has the same style.
    const swatches = elements.filter((e) => e.attrs.class === 'swatch');
    expect([swatches[4].attrs.stroke, swatches[4].attrs['stroke-dasharray']]).toEqual(['#808080', '6 4']);
    expect(REFERENCE_LABEL).toBe('∝ 1/√n');
  });

  it('points left out of the log axes (no p90, or 0) are counted in a note', () => {
    const { elements } = plot(sweepCsv());
    const notes = byClass(elements, 'note');
    expect(notes.map((n) => [inPanel(n, 'bytes'), n.text])).toEqual([[true, '2 points without p90 or at 0, not on the log axes']]);
  });

  it('draws each line in order of load whatever the row order; same bytes for the same input', () => {
    // Each metric's rows reversed (metrics stay in order: panels follow it).
    const lines = sweepCsv().trimEnd().split('\n');
    const of = (metric: string) => lines.filter((l) => l.startsWith(metric + ',')).reverse();
    const shuffled = [lines[0], ...of('connections'), ...of('bytes')].join('\n') + '\n';
    const a = plot(sweepCsv());
    const b = plot(shuffled);
    const d = (p: { elements: XmlElement[] }) =>
      byClass(p.elements, 'curve')
        .map((c) => `${c.attrs['data-panel']}/${c.attrs['data-policy']} ${c.attrs.d}`)
        .sort();
    expect(d(b)).toEqual(d(a));
    expect(plotCsv(Buffer.from(sweepCsv()), 'in.csv').svg).toBe(a.svg);
  });

  it('no non-adaptive policy: no reference line and no legend entry for it; other names take spare colours', () => {
    const csv = `${HEADER}\nconnections,least-active,10,1,,,0.5,,\nconnections,weighted,10,1,,,2,,\nconnections,weighted,20,4,,,1,,\n`;
    const { elements } = plot(csv);
    expect(byClass(elements, 'reference')).toEqual([]);
    expect(elements.filter((e) => e.name === 'text' && e.parent?.attrs.class === 'legend').map((e) => e.text)).toEqual(['least-active', 'weighted']);
    expect(byClass(elements, 'curve').map((c) => c.attrs.stroke)).toEqual([POLICY_COLORS['least-active'], PALETTE[4]]);
  });

  it('helpers: median, non-adaptive labels, the coefficient, the line cut at the y axis', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(['round-robin', 'random', 'hash', 'hash/7', 'least-active', 'least-active/2', 'hashed'].map(isNonAdaptive)).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
    const points = new Map([
      ['hash', [{ rate: 1, active: 4, p90: 1 }]],
      ['random', [{ rate: 1, active: 9, p90: 1 }]],
      ['least-active', [{ rate: 1, active: 100, p90: 1 }]],
    ]);
    expect(referenceCoefficient(points)).toBe(2.5);
    // c = 1 on x 0.1…1000, y 0.1…1: the line enters at the top (n = 1) and leaves at the bottom (n = 100).
    const x = new LogScale([0.1, 1000], [0, 400]);
    const y = new LogScale([0.1, 1], [100, 0]);
    expect(referencePath(1, x, y)).toBe('M100 0L300 100');
    // Entirely above the axis: nothing drawn.
    expect(referencePath(1000, x, y)).toBe('');
  });

  it('errors: a bad number names the row; negatives; header only; kind options refused; the no-kind message lists sweep', () => {
    const bad = `${HEADER}\nconnections,hash,10,lots,,,1,,\n`;
    expect([error(bad).code, error(bad).message]).toEqual([
      'CSV_INVALID',
      `in.csv: column mean_active_per_server: 'lots' is not a number at byte ${HEADER.length + 1}`,
    ]);
    expect(error(`${HEADER}\nconnections,hash,10,1,,,-1,,\n`).message).toBe(`in.csv: a negative p90 at byte ${HEADER.length + 1}`);
    const empty = error(`${HEADER}\n`);
    expect([empty.code, empty.message]).toEqual(['PLOT_EMPTY', 'in.csv: nothing to plot: the CSV has no rows (the sweep has no run)']);
    const u = error(sweepCsv(), { policy: 'hash' });
    expect([u.code, u.exitCode, u.message]).toEqual(['OPTION_INVALID', 2, 'option --policy: only for timeseries plots; in.csv is a CSV of kind sweep']);
    expect(error('a,b\n1,2\n').message).toBe(
      "in.csv: not a CSV of anycast-replay: the header 'a,b' has the columns of no plot kind (imbalance, distribution, timeseries, sweep, events) at byte 0",
    );
    expect(error(FOUR_POLICIES, { kind: 'sweep' }).message).toBe(
      "in.csv: not a sweep CSV: no column rate, mean_active_per_server, p90 in the header 'metric,policy,bin_start,bin_end,count,probability,density,cdf' at byte 0",
    );
  });
});
