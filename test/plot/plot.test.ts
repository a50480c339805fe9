/**
 * `plot` as a library (issue 9 item 3): the SVG of each kind is well-formed
 * XML with one curve path per policy (or server) and panel, the same bytes
 * for the same input, the x range of the imbalance plot follows the mass rule
 * (docs/plot.md), the distribution plot has a log axis, and bad input is one
 * ReplayError with a stable code and exact message.
 *
 * The golden file is a whole-output regression for a small hand-made CSV;
 * after a reviewed change of the drawing, rewrite it with
 * `UPDATE_GOLDEN=1 npx vitest run test/plot/plot.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { plotCsv, type PlotRequest } from '../../src/plot/plot.js';
import { ReplayError } from '../../src/errors.js';
import { MASS_FRACTION, massRange, type DensitySeries } from '../../src/plot/imbalance.js';
import { linePoints } from '../../src/plot/timeseries.js';
import { POLICY_COLORS, PALETTE } from '../../src/plot/colors.js';
import { parseXml, type XmlElement } from './xml.js';
import { FOUR_POLICIES, ONE_BIN_AT_5, distributionCsv, imbalanceCsv, timeseriesCsv } from './samples.js';

const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden', 'imbalance-one-bin-at-5.svg');

function plot(csv: string, request: PlotRequest = {}): { svg: string; elements: XmlElement[]; kind: string } {
  const { kind, svg } = plotCsv(Buffer.from(csv), 'in.csv', request);
  return { svg, kind, elements: parseXml(svg) };
}

function curves(elements: readonly XmlElement[]): XmlElement[] {
  return elements.filter((e) => e.name === 'path' && e.attrs.class === 'curve');
}

/** The tick labels under the x axis of a panel. */
function xTicks(elements: readonly XmlElement[], panel: string): XmlElement[] {
  return elements.filter((e) => e.name === 'text' && e.attrs.class === 'xtick' && inPanel(e, panel));
}

function inPanel(e: XmlElement, panel: string): boolean {
  for (let p = e.parent; p !== undefined; p = p.parent) if (p.attrs['data-panel'] === panel) return true;
  return false;
}

/** The panel's frame rectangle (the plot area). */
function frame(elements: readonly XmlElement[], panel: string): { x: number; y: number; w: number; h: number } {
  const r = elements.find((e) => e.name === 'rect' && e.attrs.fill === 'none' && inPanel(e, panel))!;
  return { x: Number(r.attrs.x), y: Number(r.attrs.y), w: Number(r.attrs.width), h: Number(r.attrs.height) };
}

/** Every x coordinate a path visits (M, L, H commands). */
function pathXs(d: string): number[] {
  const xs: number[] = [];
  for (const m of d.matchAll(/([MLHV])([-\d.]+)(?: ([-\d.]+))?/g)) {
    if (m[1] !== 'V') xs.push(Number(m[2]));
  }
  return xs;
}

/** Every y coordinate a path visits (M, L, V commands). */
function pathYs(d: string): number[] {
  const ys: number[] = [];
  for (const m of d.matchAll(/([MLHV])([-\d.]+)(?: ([-\d.]+))?/g)) {
    if (m[1] === 'V') ys.push(Number(m[2]));
    else if (m[1] !== 'H') ys.push(Number(m[3]));
  }
  return ys;
}

describe('imbalance plot (Figure 4)', () => {
  it('is well-formed SVG with one curve per policy and panel, coloured by policy', () => {
    const { elements, kind } = plot(FOUR_POLICIES);
    expect(kind).toBe('imbalance');
    expect(elements[0].name).toBe('svg');
    expect(elements[0].attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    const paths = curves(elements);
    expect(paths.map((p) => `${p.attrs['data-panel']}/${p.attrs['data-policy']}`)).toEqual([
      'connections/round-robin',
      'connections/random',
      'connections/hash',
      'connections/least-active',
      'bytes/round-robin',
      'bytes/random',
      'bytes/hash',
      'bytes/least-active',
    ]);
    for (const p of paths) expect(p.attrs.stroke).toBe(POLICY_COLORS[p.attrs['data-policy']]);
    expect(new Set(Object.values(POLICY_COLORS)).size).toBe(4);
    const legend = elements.filter((e) => e.name === 'text' && e.parent?.attrs.class === 'legend').map((e) => e.text);
    expect(legend).toEqual(['round-robin', 'random', 'hash', 'least-active']);
    expect(elements.find((e) => e.name === 'title')!.text).toBe('Load imbalance across servers: probability density per policy');
  });

  it('draws each bin flat over [bin_start, bin_end): a lone bin is a block of its width', () => {
    // least-active: all mass in [0, 0.25), density 4.
    const { elements } = plot(FOUR_POLICIES);
    const f = frame(elements, 'connections');
    const la = curves(elements).find((p) => p.attrs['data-panel'] === 'connections' && p.attrs['data-policy'] === 'least-active')!;
    // x axis 0…1.75 (hash's last bin ends there); y axis 0…5 (the nice top above 4 × 1.05).
    const xAt = (v: number) => +(f.x + (v / 1.75) * f.w).toFixed(2);
    const bottom = +(f.y + f.h).toFixed(2);
    expect(la.attrs.d).toBe(`M${xAt(0)} ${bottom}V${+(f.y + f.h / 5).toFixed(2)}H${xAt(0.25)}V${bottom}`);
  });

  it('x axis: from 0 to the smallest bin end holding 99 % of every policy, not to the lone bin at 5', () => {
    const { elements } = plot(ONE_BIN_AT_5);
    // Ticks of [0, 2]: 0, 0.5, … 2; nothing near 5.
    expect(xTicks(elements, 'connections').map((e) => e.text)).toEqual(['0', '0.5', '1', '1.5', '2']);
    const f = frame(elements, 'connections');
    for (const p of curves(elements).filter((c) => c.attrs['data-panel'] === 'connections')) {
      expect(Math.max(...pathXs(p.attrs.d))).toBeCloseTo(f.x + f.w, 1);
    }
    // The mass left out is written in the panel, per policy.
    const notes = elements.filter((e) => e.attrs.class === 'note' && inPanel(e, 'connections')).map((e) => e.text);
    expect(notes).toEqual(['A: 0.5 % beyond 2', 'B: 1.0 % beyond 2']);
    // The bytes panel holds everything up to 2 (its last non-empty bin) and has no note.
    expect(elements.filter((e) => e.attrs.class === 'note' && inPanel(e, 'bytes'))).toEqual([]);
  });

  it('massRange: the 99 % edge per series, the largest over series; the last bin when within a quarter further', () => {
    const series = (start: number[], probability: number[]): DensitySeries => ({
      start,
      end: start.map((s) => s + 1),
      probability,
      density: probability,
    });
    expect(MASS_FRACTION).toBe(0.99);
    expect(massRange([series([0, 1, 2, 3, 4], [0.5, 0.495, 0, 0, 0.005])])).toBe(2);
    expect(massRange([series([0, 1, 2, 3, 4], [0.5, 0.495, 0, 0, 0.005]), series([0, 1, 2, 3, 4], [0, 0.5, 0.49, 0, 0.01])])).toBe(3);
    // The last non-empty bin ends at 5, within 1.25 × 4: drawn whole.
    expect(massRange([series([0, 1, 2, 3, 4], [0.2, 0.2, 0.2, 0.395, 0.005])])).toBe(5);
    // Only the bin at 5 (a replay where every sample had one connection).
    expect(massRange([series([5], [1])])).toBe(6);
  });

  it('puts every policy that has the same share beyond the axis on one note line', () => {
    const csv = imbalanceCsv(1, { connections: { hash: [0.5, 0.495, 0, 0, 0, 0.005], random: [0.6, 0.395, 0, 0, 0, 0.005] } });
    const notes = plot(csv).elements.filter((e) => e.attrs.class === 'note').map((e) => e.text);
    expect(notes).toEqual(['every policy: 0.5 % beyond 2']);
  });

  it('gives names other than the four policies the spare palette colours in order of appearance, and escapes them', () => {
    const csv = imbalanceCsv(1, { connections: { 'hash/7': [1], 'a<b&"c"': [1], hash: [1] } });
    const { elements, svg } = plot(csv);
    const paths = curves(elements);
    expect(paths.map((p) => [p.attrs['data-policy'], p.attrs.stroke])).toEqual([
      ['hash/7', PALETTE[4]],
      ['a<b&"c"', PALETTE[5]],
      ['hash', POLICY_COLORS.hash],
    ]);
    expect(svg).toContain('data-policy="a&lt;b&amp;&quot;c&quot;"');
  });

  it('same input, same bytes; matches the reviewed golden file', () => {
    const a = plotCsv(Buffer.from(ONE_BIN_AT_5), 'in.csv').svg;
    const b = plotCsv(Buffer.from(ONE_BIN_AT_5), 'in.csv').svg;
    expect(a).toBe(b);
    if (process.env.UPDATE_GOLDEN) {
      fs.mkdirSync(path.dirname(GOLDEN), { recursive: true });
      fs.writeFileSync(GOLDEN, a);
    }
    expect(a).toBe(fs.readFileSync(GOLDEN, 'utf8'));
  });

  it('--bin-width: bins of the CSV summed into wider ones, density over the new width', () => {
    const { elements } = plot(FOUR_POLICIES, { binWidth: '0.5' });
    const f = frame(elements, 'connections');
    // round-robin: 0.6 in [0.25, 0.5) and 0.4 in [0.5, 0.75) → 0.6 in [0, 0.5), 0.4 in [0.5, 1): densities 1.2 and 0.8.
    // hash (1 in [1.5, 1.75)) → density 2 in [1.5, 2), the top of the data; the y axis goes to 2.5 (the next step of 0.5 above 2 × 1.05).
    const rr = curves(elements).find((p) => p.attrs['data-panel'] === 'connections' && p.attrs['data-policy'] === 'round-robin')!;
    const xAt = (v: number) => +(f.x + (v / 2) * f.w).toFixed(2);
    const yAt = (v: number) => +(f.y + f.h - (v / 2.5) * f.h).toFixed(2);
    expect(rr.attrs.d).toBe(`M${xAt(0)} ${yAt(0)}V${yAt(1.2)}H${xAt(0.5)}V${yAt(0.8)}H${xAt(1)}V${yAt(0)}`);
    expect(xTicks(elements, 'connections').map((e) => e.text)).toEqual(['0', '0.5', '1', '1.5', '2']);
  });

  it('--bin-width that splits a bin of the CSV, or on another kind: usage errors', () => {
    expect(() => plotCsv(Buffer.from(FOUR_POLICIES), 'in.csv', { binWidth: '0.3' })).toThrow(
      "option --bin-width: the CSV's bin [0.25, 0.5) is not inside one bin of 0.3",
    );
    expect(() => plotCsv(Buffer.from(distributionCsv()), 'in.csv', { binWidth: '1' })).toThrow(
      'option --bin-width: only for imbalance plots; in.csv is a CSV of kind distribution',
    );
  });

  it('honours --title, --width and --height', () => {
    const { elements } = plot(FOUR_POLICIES, { title: 'Olympic 1996 & <N=5>', width: 600, height: 300 });
    const svg = elements[0];
    expect([svg.attrs.width, svg.attrs.height, svg.attrs.viewBox]).toEqual(['600', '300', '0 0 600 300']);
    expect(elements.find((e) => e.name === 'title')!.text).toBe('Olympic 1996 & <N=5>');
    expect(elements.find((e) => e.attrs.class === 'title')!.text).toBe('Olympic 1996 & <N=5>');
  });
});

describe('distribution plot (Figure 3)', () => {
  it('has a log x axis with decade ticks, one curve and one cumulative line per panel', () => {
    const { elements, kind } = plot(distributionCsv());
    expect(kind).toBe('distribution');
    expect(curves(elements).map((p) => p.attrs['data-panel'])).toEqual(['duration', 'bytes']);
    expect(elements.filter((e) => e.name === 'path' && e.attrs.class === 'cdf').map((p) => p.attrs['data-panel'])).toEqual(['duration', 'bytes']);
    for (const p of curves(elements)) expect(p.attrs.stroke).toBe(PALETTE[0]);
    // Lifetime: 0.001 … 0.00251 s → the decades 0.001 to 0.01; bytes 100 … 1258.93 → 100 to 10000.
    expect(xTicks(elements, 'duration').map((e) => e.text)).toEqual(['0.001', '0.01']);
    const fb = frame(elements, 'bytes');
    const bytesTicks = xTicks(elements, 'bytes');
    expect(bytesTicks.map((e) => e.text)).toEqual(['100', '1000', '10000']);
    expect(bytesTicks.map((e) => Number(e.attrs.x))).toEqual([fb.x, +(fb.x + fb.w / 2).toFixed(2), +(fb.x + fb.w).toFixed(2)]);
    // Minor ticks at 2…9 × 10^k: 8 per decade, 2 decades, on the bytes axis.
    const minor = elements.filter((e) => e.name === 'line' && inPanel(e, 'bytes') && Number(e.attrs.y2) - Number(e.attrs.y1) === 3);
    expect(minor).toHaveLength(16);
    // The bin [0, 100) holds 4 connections at 0 bytes, which a log axis cannot show.
    expect(elements.filter((e) => e.attrs.class === 'note').map((e) => e.text)).toEqual(['at 0: 4 (4.0 %), not on the log axis']);
  });

  it('the 1000-byte bin sits one decade right of 100 bytes on the curve', () => {
    const { elements } = plot(distributionCsv());
    const fb = frame(elements, 'bytes');
    const d = curves(elements).find((p) => p.attrs['data-panel'] === 'bytes')!.attrs.d;
    // The curve starts at 100 bytes (the left edge) and ends at 1258.93 bytes: log10 = 3.1 → 55 % of the width.
    const xs = pathXs(d);
    expect(xs[0]).toBe(+fb.x.toFixed(2));
    expect(Math.max(...xs)).toBeCloseTo(fb.x + fb.w * (Math.log10(1258.93) - 2) / 2, 1);
  });

  it('draws linear bins (connections --bins linear) on a linear axis from 0', () => {
    const csv = 'metric,bin_start,bin_end,count,probability,cdf\nduration,0,0.5,1,0.5,0.5\nduration,0.5,1,1,0.5,1\n';
    const { elements } = plot(csv);
    expect(xTicks(elements, 'duration').map((e) => e.text)).toEqual(['0', '0.2', '0.4', '0.6', '0.8', '1']);
  });
});

describe('timeseries plot', () => {
  it('draws one line per server and panel for the first policy by default', () => {
    const { elements, kind } = plot(timeseriesCsv());
    expect(kind).toBe('timeseries');
    expect(curves(elements).map((p) => `${p.attrs['data-panel']}/${p.attrs['data-server']}/${p.attrs.stroke}`)).toEqual([
      `connections/0/${PALETTE[0]}`,
      `connections/1/${PALETTE[1]}`,
      `connections/2/${PALETTE[2]}`,
      `bytes/0/${PALETTE[0]}`,
      `bytes/1/${PALETTE[1]}`,
      `bytes/2/${PALETTE[2]}`,
    ]);
    expect(elements.find((e) => e.name === 'title')!.text).toBe('Load per server over time: hash');
  });

  it('--policy picks the policy; values and the gap drawn at 0', () => {
    const { elements } = plot(timeseriesCsv(), { policy: 'random' });
    expect(elements.find((e) => e.name === 'title')!.text).toBe('Load per server over time: random');
    const f = frame(elements, 'connections');
    // random, server 0: 3 connections at 0, 0.5, 1 s, then 0 at 1.5 and 3 s (the gap), 3 at 3.5 s. y axis 0…3.5.
    const d = curves(elements).find((p) => p.attrs['data-panel'] === 'connections' && p.attrs['data-server'] === '0')!.attrs.d;
    const top = +(f.y + f.h / 7).toFixed(2);
    const bottom = +(f.y + f.h).toFixed(2);
    // M at 3, H along it to 1 s, L down to 0 at 1.5 s, H to 3 s, L up to 3 at 3.5 s.
    expect(pathYs(d)).toEqual([top, bottom, top]);
    const xAt = (t: number) => +(f.x + (t / 3.5) * f.w).toFixed(2);
    expect(pathXs(d)).toEqual([xAt(0), xAt(1), xAt(1.5), xAt(3), xAt(3.5)]);
  });

  it('linePoints: a gap longer than the interval goes to 0 one interval after and before it', () => {
    expect(linePoints([0, 0.5, 3], [2, 4, 6], 0.5)).toEqual([
      [0, 0.5, 1, 2.5, 3],
      [2, 4, 0, 0, 6],
    ]);
  });

  it('reduces a long series to a few points per pixel column, keeping its extremes', () => {
    let csv = 'time,policy,server,connections,bytes\n';
    const n = 20_000;
    for (let k = 0; k < n; k++) {
      const t = `${1700000000 + Math.floor(k / 2)}.${k % 2 === 0 ? '000000000' : '500000000'}`;
      // A spike of 1000 at one sample; otherwise 10 or 20.
      csv += `${t},hash,0,${k === 12_345 ? 1000 : 10 + (k % 3 === 0 ? 10 : 0)},1\n`;
    }
    const { elements } = plot(csv, { width: 400, height: 300 });
    const d = curves(elements).find((p) => p.attrs['data-panel'] === 'connections')!.attrs.d;
    const points = pathYs(d).length;
    expect(points).toBeLessThanOrEqual(4 * 400);
    const f = frame(elements, 'connections');
    // The spike of 1000 is kept (y axis 0…1200).
    expect(Math.min(...pathYs(d))).toBe(+(f.y + f.h / 6).toFixed(2));
  });
});

describe('input and errors', () => {
  function error(csv: string | Buffer, request: PlotRequest = {}): ReplayError {
    try {
      plotCsv(typeof csv === 'string' ? Buffer.from(csv) : csv, 'in.csv', request);
    } catch (err) {
      if (err instanceof ReplayError) return err;
      throw err;
    }
    throw new Error('no error');
  }

  it('finds the kind from the header; CRLF line ends, quoted fields and a byte-order mark are read', () => {
    const crlf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(FOUR_POLICIES.replace(/\n/g, '\r\n').replace(/,hash,/g, ',"hash",'))]);
    expect(plotCsv(crlf, 'in.csv').svg).toBe(plotCsv(Buffer.from(FOUR_POLICIES), 'in.csv').svg);
    // Columns in another order, an extra column: still an imbalance CSV.
    const reordered = 'policy,metric,extra,bin_start,bin_end,probability,density\nhash,connections,x,0,1,1,1\n';
    expect(plot(reordered).kind).toBe('imbalance');
  });

  it('header only → nothing to plot (exit 1)', () => {
    const e = error('metric,policy,bin_start,bin_end,count,probability,density,cdf\n');
    expect([e.code, e.exitCode, e.message]).toEqual([
      'PLOT_EMPTY',
      1,
      'in.csv: nothing to plot: the CSV has no rows (the replay measured no sample)',
    ]);
    expect(error('metric,bin_start,bin_end,count,probability,cdf\n').message).toBe(
      'in.csv: nothing to plot: the CSV has no rows (the capture has no connection)',
    );
  });

  it('an empty file, a CSV of no kind, a forced kind without its columns', () => {
    expect([error('').code, error('').message]).toEqual(['CSV_INVALID', 'in.csv: empty file: no CSV header']);
    expect(error('conn,client,server\n1,a,b\n').message).toBe(
      "in.csv: not a CSV of anycast-replay: the header 'conn,client,server' has the columns of no plot kind (imbalance, distribution, timeseries, sweep, events) at byte 0",
    );
    expect(error(FOUR_POLICIES, { kind: 'timeseries' }).message).toBe(
      "in.csv: not a timeseries CSV: no column time, server, connections, bytes in the header 'metric,policy,bin_start,bin_end,count,probability,density,cdf' at byte 0",
    );
    expect(error(FOUR_POLICIES, { kind: 'distribution' }).message).toBe('in.csv: not a distribution CSV: it has a column policy at byte 0');
  });

  it('names the byte offset of the bad row', () => {
    const header = 'metric,policy,bin_start,bin_end,count,probability,density,cdf\n';
    const good = 'connections,hash,0,0.5,1,0.5,1,0.5\n';
    const e = error(header + good + 'connections,hash,0.5,1,1,half,1,1\n');
    expect([e.code, e.offset, e.message]).toEqual([
      'CSV_INVALID',
      header.length + good.length,
      `in.csv: column probability: 'half' is not a number at byte ${header.length + good.length}`,
    ]);
    expect(error(header + good + 'connections,hash,0.5\n').message).toBe(`in.csv: a row of 3 fields under a header of 8 at byte ${header.length + good.length}`);
    expect(error(header + 'connections,"hash,0,0.5,1,0.5,1,0.5\n').message).toBe(`in.csv: quoted field not closed at byte ${header.length + 12}`);
    expect(error(header + 'connections,ha"sh,0,0.5,1,0.5,1,0.5\n').message).toBe(`in.csv: quote inside an unquoted field at byte ${header.length + 14}`);
    expect(error(header + good + good).message).toBe(`in.csv: bins of connections/hash are not in ascending order at byte ${header.length + good.length}`);
  });

  it('--policy: unknown in the file → exit 1 naming the policies; on another kind → usage error', () => {
    const e = error(timeseriesCsv(), { policy: 'least-active' });
    expect([e.code, e.exitCode, e.message]).toEqual(['PLOT_UNKNOWN_POLICY', 1, "in.csv: no rows of policy 'least-active' (the CSV has hash, random)"]);
    const u = error(FOUR_POLICIES, { policy: 'hash' });
    expect([u.code, u.exitCode, u.message]).toEqual(['OPTION_INVALID', 2, 'option --policy: only for timeseries plots; in.csv is a CSV of kind imbalance']);
  });

  it('timeseries times must go forward', () => {
    const csv = 'time,policy,server,connections,bytes\n10.5,hash,0,1,1\n10.0,hash,0,1,1\n';
    expect(error(csv).message).toBe("in.csv: time 10.0 is not after the previous sample's at byte 53");
  });
});
