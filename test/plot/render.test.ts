/**
 * The SVGs rendered by real renderers (issue 9 item 3): rsvg-convert (Debian
 * librsvg2-bin, installed in CI) and headless Chromium, when they are on
 * PATH; each suite is skipped with a message naming the missing tool
 * otherwise. Each kind is rendered to PNG, decoded (png.ts), and checked:
 * not blank (many distinct colours, a good share of non-white pixels) and
 * each policy's (or server's) colour present inside every panel's plot area.
 * Curves are 2 px wide, so each covers whole pixels in its own colour
 * somewhere; a small tolerance allows for rounding in the renderers.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { plotCsv } from '../../src/plot/plot.js';
import { POLICY_COLORS, PALETTE } from '../../src/plot/colors.js';
import { countColor, decodePng, pixelStats, type Image, type Region } from './png.js';
import { parseXml } from './xml.js';
import { FOUR_POLICIES, distributionCsv, eventsCsv, sweepCsv, timeseriesCsv } from './samples.js';
import { tempDir } from '../helpers/scenario.js';

function onPath(tool: string): boolean {
  const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '';
}

const HAS_RSVG = onPath('rsvg-convert');
const CHROMIUM = ['chromium', 'chromium-browser', 'google-chrome'].find(onPath);
if (!HAS_RSVG) console.warn('test/plot/render.test.ts: rsvg-convert not found (Debian package librsvg2-bin): rsvg rendering tests skipped');
if (CHROMIUM === undefined) console.warn('test/plot/render.test.ts: chromium not found: browser rendering tests skipped');

interface Case {
  readonly name: string;
  readonly csv: string;
  /** Colours that must appear in every panel's plot area. */
  readonly colors: readonly string[];
  readonly policy?: string;
}

const CASES: readonly Case[] = [
  { name: 'imbalance', csv: FOUR_POLICIES, colors: Object.values(POLICY_COLORS) },
  { name: 'distribution', csv: distributionCsv(), colors: [PALETTE[0]] },
  { name: 'timeseries', csv: timeseriesCsv(), colors: PALETTE.slice(0, 3), policy: 'random' },
  // The grey of the dashed reference line (1.5 px wide) is found too, within the tolerance.
  { name: 'sweep', csv: sweepCsv(), colors: [...Object.values(POLICY_COLORS), '#808080'] },
  // Bars of hash and hrw (first colour past the fixed ones) in both panels.
  { name: 'events', csv: eventsCsv(), colors: [POLICY_COLORS.hash, PALETTE[4]] },
];

/** The plot areas (panel frames) of an SVG of ours. */
function plotAreas(svg: string): Region[] {
  return parseXml(svg)
    .filter((e) => e.name === 'rect' && e.attrs.fill === 'none' && e.parent?.attrs.class === 'axes')
    .map((e) => ({ x: Number(e.attrs.x) + 2, y: Number(e.attrs.y) + 2, w: Number(e.attrs.width) - 4, h: Number(e.attrs.height) - 4 }));
}

function checkImage(img: Image, svg: string, colors: readonly string[], width: number, height: number): void {
  expect([img.width, img.height]).toEqual([width, height]);
  const stats = pixelStats(img);
  expect(stats.distinct).toBeGreaterThan(20);
  expect(stats.nonBackground).toBeGreaterThan(img.width * img.height * 0.01);
  const areas = plotAreas(svg);
  expect(areas).toHaveLength(2);
  for (const area of areas) {
    for (const color of colors) {
      expect(countColor(img, color, 12, area), `${color} in the panel at x ${area.x}`).toBeGreaterThanOrEqual(10);
    }
  }
}

describe.skipIf(!HAS_RSVG)('rendered by rsvg-convert', () => {
  const dir = HAS_RSVG ? tempDir('anycast-replay-plot-') : '';
  for (const c of CASES) {
    it(`${c.name}: not blank, every series' colour in every panel`, () => {
      const { svg } = plotCsv(Buffer.from(c.csv), `${c.name}.csv`, { policy: c.policy });
      const svgPath = path.join(dir, `${c.name}.svg`);
      const pngPath = path.join(dir, `${c.name}.png`);
      fs.writeFileSync(svgPath, svg);
      const r = spawnSync('rsvg-convert', ['-o', pngPath, svgPath], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      const root = parseXml(svg)[0];
      checkImage(decodePng(fs.readFileSync(pngPath)), svg, c.colors, Number(root.attrs.width), Number(root.attrs.height));
    });
  }

  it('a blank SVG fails the check (the check can fail)', () => {
    const svgPath = path.join(dir, 'blank.svg');
    const pngPath = path.join(dir, 'blank.png');
    fs.writeFileSync(svgPath, '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect width="200" height="100" fill="#ffffff"/></svg>\n');
    expect(spawnSync('rsvg-convert', ['-o', pngPath, svgPath]).status).toBe(0);
    const stats = pixelStats(decodePng(fs.readFileSync(pngPath)));
    expect(stats).toEqual({ distinct: 1, nonBackground: 0 });
  });
});

describe.skipIf(CHROMIUM === undefined)('rendered by headless Chromium', () => {
  const dir = CHROMIUM !== undefined ? tempDir('anycast-replay-plot-') : '';
  for (const c of CASES) {
    it(`${c.name}: not blank, every series' colour in every panel`, () => {
      const width = 960;
      const height = c.name === 'timeseries' ? 620 : 440;
      const { svg } = plotCsv(Buffer.from(c.csv), `${c.name}.csv`, { policy: c.policy });
      const svgPath = path.join(dir, `${c.name}.svg`);
      const pngPath = path.join(dir, `${c.name}.png`);
      fs.writeFileSync(svgPath, svg);
      const r = spawnSync(
        CHROMIUM!,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          '--hide-scrollbars',
          '--force-device-scale-factor=1',
          `--user-data-dir=${path.join(dir, `profile-${c.name}`)}`,
          `--screenshot=${pngPath}`,
          `--window-size=${width},${height}`,
          pathToFileURL(svgPath).href,
        ],
        { encoding: 'utf8', timeout: 120_000 },
      );
      expect(fs.existsSync(pngPath), `chromium exit ${r.status}: ${r.stderr}`).toBe(true);
      checkImage(decodePng(fs.readFileSync(pngPath)), svg, c.colors, width, height);
    });
  }
});
