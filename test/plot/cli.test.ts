/**
 * `anycast-replay plot` on the command line: argv parsed in-process into the
 * PlotFlags handed to a mocked action, then spawned runs of the built CLI
 * (`npm run build` first, as `npm test` does) on the CSVs a replay of
 * fixtures/web-small.pcap writes: exit codes, the one error line, standard
 * input/output, and atomic -o (no file and no temporary file after an error).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createProgram, type Actions, type PlotFlags } from '../../src/cli/program.js';
import { PROJECT_ROOT, runCli, tempDir } from '../helpers/scenario.js';
import { POLICY_COLORS } from '../../src/plot/colors.js';
import { parseXml } from './xml.js';
import { countColor, decodePng, pixelStats } from './png.js';

const argv = (...args: string[]): string[] => ['node', 'anycast-replay', ...args];

async function parsePlot(...args: string[]): Promise<[string, PlotFlags][]> {
  const calls: [string, PlotFlags][] = [];
  // Only plot is called; the other commands are not this file's business.
  const actions = {
    plot: async (file: string, flags: PlotFlags) => {
      calls.push([file, flags]);
      return 0;
    },
  } as Partial<Actions> as Actions;
  await createProgram(actions).parseAsync(argv(...args));
  return calls;
}

describe('plot options', () => {
  it('defaults: standard input, auto kind, standard output', async () => {
    expect(await parsePlot('plot')).toEqual([['-', { kind: 'auto' }]]);
  });

  it('every option', async () => {
    expect(
      await parsePlot('plot', 'ts.csv', '-o', 'ts.svg', '--kind', 'timeseries', '--policy', 'hash', '--title', 'Olympics', '--width', '1200', '--height', '800', '--bin-width', '0.1'),
    ).toEqual([['ts.csv', { kind: 'timeseries', output: 'ts.svg', policy: 'hash', title: 'Olympics', width: 1200, height: 800, binWidth: '0.1' }]]);
  });
});

const FIXTURE = path.join(PROJECT_ROOT, 'fixtures', 'web-small.pcap');
let dir: string;
let imbalance: string;
let timeseries: string;
let distribution: string;

beforeAll(() => {
  dir = tempDir('anycast-replay-plot-cli-');
  imbalance = path.join(dir, 'imbalance.csv');
  timeseries = path.join(dir, 'ts.csv');
  distribution = path.join(dir, 'dist.csv');
  expect(runCli([FIXTURE, '-q', '-o', imbalance, '--timeseries', timeseries]).status).toBe(0);
  expect(runCli(['connections', FIXTURE, '--distribution', '-q', '-o', distribution]).status).toBe(0);
});

describe('spawned plot runs', () => {
  it('the default replay CSV (four policies): one curve per policy and panel; stdin/stdout give the same bytes as -o', () => {
    const out = path.join(dir, 'imbalance.svg');
    const r = runCli(['plot', imbalance, '-o', out]);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, '', '']);
    const svg = fs.readFileSync(out, 'utf8');
    const curves = parseXml(svg).filter((e) => e.attrs.class === 'curve');
    expect(curves.map((e) => `${e.attrs['data-panel']}/${e.attrs['data-policy']}`)).toEqual(
      ['connections', 'bytes'].flatMap((m) => ['round-robin', 'random', 'hash', 'least-active'].map((p) => `${m}/${p}`)),
    );
    const piped = runCli(['plot'], { input: fs.readFileSync(imbalance) });
    expect(piped.status).toBe(0);
    expect(piped.stdout).toBe(svg);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('the distribution and timeseries CSVs of the same capture', () => {
    const d = runCli(['plot', distribution]);
    expect(d.status).toBe(0);
    expect(parseXml(d.stdout).filter((e) => e.attrs.class === 'curve').map((e) => e.attrs['data-panel'])).toEqual(['duration', 'bytes']);
    const t = runCli(['plot', timeseries, '--policy', 'least-active']);
    expect(t.status).toBe(0);
    const elements = parseXml(t.stdout);
    expect(elements.find((e) => e.name === 'title')!.text).toBe('Load per server over time: least-active');
    expect(elements.filter((e) => e.attrs.class === 'curve')).toHaveLength(2 * 5);
  });

  it.skipIf(spawnSync('sh', ['-c', 'command -v rsvg-convert']).status !== 0)('the replay plot renders with every policy colour (rsvg-convert)', () => {
    const svg = path.join(dir, 'render.svg');
    const png = path.join(dir, 'render.png');
    expect(runCli(['plot', imbalance, '-o', svg]).status).toBe(0);
    expect(spawnSync('rsvg-convert', ['-o', png, svg]).status).toBe(0);
    const img = decodePng(fs.readFileSync(png));
    expect(pixelStats(img).distinct).toBeGreaterThan(20);
    // Inside the connections panel (below the legend, left half), where the four curves differ.
    for (const color of Object.values(POLICY_COLORS)) {
      expect(countColor(img, color, 12, { x: 70, y: 80, w: 390, h: 310 }), color).toBeGreaterThanOrEqual(10);
    }
  });

  it('header only: exit 1, one line, no output file left', () => {
    const empty = path.join(dir, 'empty.csv');
    fs.writeFileSync(empty, 'metric,policy,bin_start,bin_end,count,probability,density,cdf\n');
    const out = path.join(dir, 'empty.svg');
    const r = runCli(['plot', empty, '-o', out]);
    expect([r.status, r.stdout, r.stderr]).toEqual([
      1,
      '',
      `anycast-replay: ${empty}: nothing to plot: the CSV has no rows (the replay measured no sample)\n`,
    ]);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a capture given to plot is not a CSV of ours: exit 1', () => {
    const r = runCli(['plot', FIXTURE]);
    expect(r.status).toBe(1);
    // The pcap magic a1b2c3d4 (little-endian) is followed by version 2 as 02 00: byte 4 is the first control byte.
    expect(r.stderr).toBe(`anycast-replay: ${FIXTURE}: binary data, not CSV text (plot reads the CSVs the tool writes, not a capture) at byte 4\n`);
  });

  it('a missing file: exit 1; -o on the input, an unknown kind, a tiny width: usage errors (exit 2)', () => {
    const missing = runCli(['plot', path.join(dir, 'nope.csv')]);
    expect([missing.status, missing.stderr]).toEqual([1, `anycast-replay: ${path.join(dir, 'nope.csv')}: cannot open (ENOENT)\n`]);
    const same = runCli(['plot', imbalance, '-o', imbalance]);
    expect(same.status).toBe(2);
    expect(same.stderr).toBe(`anycast-replay: option --output: '${imbalance}' is the same file as the input '${imbalance}' (see --help)\n`);
    expect(fs.readFileSync(imbalance, 'utf8').startsWith('metric,policy,')).toBe(true);
    const kind = runCli(['plot', imbalance, '--kind', 'pie']);
    expect(kind.status).toBe(2);
    expect(kind.stderr.split('\n')).toHaveLength(2);
    expect(runCli(['plot', imbalance, '--width', '10']).status).toBe(2);
    expect(runCli(['plot', imbalance, '--width', '90000']).stderr).toBe('anycast-replay: option --width: 90000 is over 20000 pixels (see --help)\n');
  });
});
