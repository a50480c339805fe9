/**
 * `plot --kind events` (issue 11 item 4): the CSV of `--events-output` drawn
 * as grouped bars — (a) the fraction a stateless route moves, one bar per
 * policy with such a route and event, (b) the connections broken, one bar per
 * policy and event. The hand-made CSV (samples.ts eventsCsv) has numbers whose
 * bars can be placed by hand: 960 × 440, three legend entries on one row, so
 * each plot area is 396 × 314 with its top at y 82.
 */
import { describe, expect, it } from 'vitest';
import { plotCsv, type PlotRequest } from '../../src/plot/plot.js';
import { ReplayError } from '../../src/errors.js';
import { PALETTE, POLICY_COLORS } from '../../src/plot/colors.js';
import { eventLabel, secondsLabel } from '../../src/plot/events.js';
import { parseXml, type XmlElement } from './xml.js';
import { eventsCsv, timeseriesCsv } from './samples.js';

const HEADER = 'time,event,server,policy,active,remapped,broken,fraction';

function plot(csv: string, request: PlotRequest = {}): { svg: string; elements: XmlElement[]; kind: string } {
  const { kind, svg } = plotCsv(Buffer.from(csv), 'in.csv', request);
  return { svg, kind, elements: parseXml(svg) };
}

function bars(elements: readonly XmlElement[], panel: string): XmlElement[] {
  return elements.filter((e) => e.attrs.class === 'bar' && e.attrs['data-panel'] === panel);
}

function box(e: XmlElement): [number, number, number, number] {
  return [Number(e.attrs.x), Number(e.attrs.y), Number(e.attrs.width), Number(e.attrs.height)];
}

function error(csv: string): ReplayError {
  try {
    plotCsv(Buffer.from(csv), 'in.csv');
  } catch (err) {
    if (err instanceof ReplayError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('events plot', () => {
  it('is found from the header of --events-output (not taken for a timeseries, nor a timeseries for it)', () => {
    expect(plot(eventsCsv()).kind).toBe('events');
    expect(plot(timeseriesCsv(), { policy: 'random' }).kind).toBe('timeseries');
  });

  it('labels events `T s EVENT K` with the seconds as written, trailing zeros dropped', () => {
    expect(secondsLabel('60.000000000')).toBe('60');
    expect(secondsLabel('25.500000000')).toBe('25.5');
    expect(secondsLabel('0.000000001')).toBe('0.000000001');
    expect(secondsLabel('300')).toBe('300');
    expect(eventLabel('10.000000000', 'remove', '2')).toBe('10 s remove 2');
    const { elements } = plot(eventsCsv());
    const xticks = elements.filter((e) => e.attrs.class === 'xtick').map((e) => e.text);
    expect(xticks).toEqual(['10 s remove 2', '25.5 s fail 1', '10 s remove 2', '25.5 s fail 1']);
  });

  it('draws one bar per (policy with a stateless route, event) in (a) and per (policy, event) in (b), in the policy colours', () => {
    const { elements } = plot(eventsCsv());
    const a = bars(elements, 'remapped').map((e) => `${e.attrs['data-event']}|${e.attrs['data-policy']}|${e.attrs.fill}`);
    expect(a).toEqual([
      `10 s remove 2|hash|${POLICY_COLORS.hash}`,
      `10 s remove 2|hrw|${PALETTE[4]}`,
      `25.5 s fail 1|hash|${POLICY_COLORS.hash}`,
      `25.5 s fail 1|hrw|${PALETTE[4]}`,
    ]);
    const b = bars(elements, 'broken').map((e) => `${e.attrs['data-event']}|${e.attrs['data-policy']}|${e.attrs['data-value']}`);
    expect(b).toEqual([
      '10 s remove 2|hash|0',
      '10 s remove 2|hrw|0',
      '10 s remove 2|round-robin|0',
      '25.5 s fail 1|hash|10',
      '25.5 s fail 1|hrw|12',
      '25.5 s fail 1|round-robin|20',
    ]);
    const notes = elements.filter((e) => e.attrs.class === 'note').map((e) => e.text);
    expect(notes).toEqual(['no stateless route: round-robin']);
  });

  it('places and sizes the bars exactly (hand-computed)', () => {
    const { elements } = plot(eventsCsv());
    // (a): x from 68, 396 wide, two bands of 198, bars fill 0.8 of a band: 2 bars of 79.2.
    // Band 0 starts its bars at 68 + 99 − 79.2 = 87.8; y from 82, 314 high, 0..1.
    expect(bars(elements, 'remapped').map(box)).toEqual([
      [87.8, 82 + 314 - 251.2, 79.2, 251.2], // 0.8 × 314
      [167, 317.5, 79.2, 78.5], // 0.25 × 314
      [285.8, 270.4, 79.2, 125.6], // 0.4 × 314
      [365, 333.2, 79.2, 62.8], // 0.2 × 314
    ]);
    // (b): x from 480 + 68 = 548, three bars of 52.8; axis 0..20.
    expect(bars(elements, 'broken').map(box)).toEqual([
      [567.8, 396, 52.8, 0],
      [620.6, 396, 52.8, 0],
      [673.4, 396, 52.8, 0],
      [765.8, 239, 52.8, 157], // 10 / 20 × 314
      [818.6, 207.6, 52.8, 188.4], // 12 / 20
      [871.4, 82, 52.8, 314], // 20 / 20
    ]);
    const frames = elements.filter((e) => e.name === 'rect' && e.attrs.fill === 'none');
    expect(frames.map(box)).toEqual([
      [68, 82, 396, 314],
      [548, 82, 396, 314],
    ]);
  });

  it('gives the same bytes twice', () => {
    expect(plot(eventsCsv()).svg).toBe(plot(eventsCsv()).svg);
  });

  it('says so when no connection broke, and outlines a dashed (past-the-palette) policy instead of filling it', () => {
    const policies = ['round-robin', 'random', 'hash', 'least-active', 'p1', 'p2', 'p3', 'p4', 'p5'];
    const rows = policies.map((p) => `5.000000000,drain,0,${p},10,1,0,0.1`);
    const { elements } = plot([HEADER, ...rows].join('\n') + '\n');
    expect(elements.filter((e) => e.attrs.class === 'note').map((e) => e.text)).toEqual(['no connection broken at any event']);
    const a = bars(elements, 'remapped');
    expect(a).toHaveLength(9);
    expect(a.slice(0, 8).every((e) => e.attrs.fill !== '#ffffff' && e.attrs['stroke-dasharray'] === undefined)).toBe(true);
    expect(a[8].attrs).toMatchObject({ fill: '#ffffff', stroke: PALETTE[0], 'stroke-dasharray': '6 3' });
  });

  it('refuses a row it cannot draw, naming its byte offset', () => {
    const second = HEADER.length + 1;
    expect(error(`${HEADER}\n1,remove,0,hash,10,4,0,1.5\n`).message).toBe(`in.csv: fraction 1.5 is not between 0 and 1 at byte ${second}`);
    expect(error(`${HEADER}\n1,remove,0,hash,x,4,0,0.4\n`).code).toBe('CSV_INVALID');
    expect(error(`${HEADER}\n1,remove,0,hash,10,4,0,0.4\n1,remove,0,hash,10,4,0,0.4\n`).message).toBe(
      `in.csv: a second row for policy hash at event '1 s remove 0' at byte ${second + 27}`,
    );
    expect(error(`${HEADER}\n`).message).toBe('in.csv: nothing to plot: the CSV has no rows (no server change happened during the capture)');
  });
});
