/**
 * Issue 8, item 6: the README's plotting snippets work verbatim. Each is cut
 * out of README.md (the code block after its `<!-- readme-snippet: NAME -->`
 * marker) and run by bash in a temporary directory where `trace.pcap` is the
 * fixture and `anycast-replay` is the built CLI, exactly as a user would run
 * it. gnuplot's test checks that every policy's first bin was drawn: the old
 * snippet's `autotitle columnhead` took each policy's first grep'd row for a
 * title, and least-active's large first bin vanished.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT, cliOnPath, tempDir } from './helpers/scenario.js';

const README = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const POLICIES = ['round-robin', 'random', 'hash', 'least-active'];

/** The shell code of the block that follows `<!-- readme-snippet: name -->`. */
function snippet(name: string): string {
  const marker = `<!-- readme-snippet: ${name} -->`;
  const at = README.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no ${marker}`);
  const m = /```sh\n([\s\S]*?)```/.exec(README.slice(at));
  if (!m) throw new Error(`no sh block after ${marker}`);
  return m[1];
}

/** A directory with trace.pcap and an `anycast-replay` on PATH; runs `code` there with bash -e. */
function runSnippet(code: string): { dir: string; status: number | null; stderr: string } {
  const dir = tempDir();
  fs.symlinkSync(path.join(PROJECT_ROOT, 'fixtures', 'web-small.pcap'), path.join(dir, 'trace.pcap'));
  const { env } = cliOnPath(dir);
  const r = spawnSync('bash', ['-e', '-c', code], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...env, MPLBACKEND: 'Agg' },
    timeout: 120_000,
  });
  return { dir, status: r.status, stderr: r.stderr };
}

function has(command: string, args: string[]): boolean {
  return spawnSync(command, args, { encoding: 'utf8' }).status === 0;
}

const HAVE_GNUPLOT = has('gnuplot', ['--version']);
const HAVE_PANDAS = has('python3', ['-c', 'import pandas, matplotlib']);
if (!HAVE_GNUPLOT) console.warn('readme-snippets.test.ts: gnuplot is not installed (Debian gnuplot-nox); the gnuplot snippet test is skipped');
if (!HAVE_PANDAS) console.warn("readme-snippets.test.ts: python3 cannot import pandas and matplotlib; the pandas snippet test is skipped");

/** First vertex of the data curve in each plot group of a gnuplot SVG, by title. */
function firstPoints(svg: string): Map<string, { x: number; y: number }> {
  const out = new Map<string, { x: number; y: number }>();
  const groups = svg.split(/<g id="gnuplot_plot_\d+" >/).slice(1);
  for (const g of groups) {
    const title = /<title>([^<]+)<\/title>/.exec(g)![1];
    // The first path of a group is the legend sample (M..L.. then M), the data curve follows its second M.
    const d = /<path[^>]* d='([^']+)'/.exec(g)![1];
    const moves = [...d.matchAll(/M([\d.]+),([\d.]+)/g)];
    const data = moves[moves.length > 1 ? 1 : 0];
    out.set(title, { x: Number(data[1]), y: Number(data[2]) });
  }
  return out;
}

describe.skipIf(!HAVE_GNUPLOT)('README gnuplot snippet', () => {
  it('writes imb.svg with a curve per policy, each starting at its first bin', () => {
    const { dir, status, stderr } = runSnippet(snippet('gnuplot'));
    expect(status, stderr).toBe(0);
    const svg = fs.readFileSync(path.join(dir, 'imb.svg'), 'utf8');
    const first = firstPoints(svg);
    expect([...first.keys()]).toEqual(POLICIES);
    // Every curve starts at bin 0, the left edge.
    const xs = POLICIES.map((p) => first.get(p)!.x);
    expect(new Set(xs).size).toBe(1);
    // In the fixture's CSV least-active's first bin [0, 0.01) holds samples and round-robin's is empty:
    // least-active's curve starts above round-robin's (SVG y grows downwards).
    const csv = fs.readFileSync(path.join(dir, 'imb.csv'), 'utf8');
    expect(csv).toMatch(/^connections,least-active,0,0\.01,[1-9]/m);
    expect(csv).toMatch(/^connections,round-robin,0,0\.01,0,/m);
    expect(first.get('least-active')!.y).toBeLessThan(first.get('round-robin')!.y);
  });
});

describe.skipIf(!HAVE_PANDAS)('README pandas snippet', () => {
  it('writes imb.png with the bytes densities of every policy', () => {
    const gnuplotFirstLine = snippet('gnuplot').split('\n')[0];
    const { dir, status, stderr } = runSnippet(`${gnuplotFirstLine}\n${snippet('pandas')}`);
    expect(status, stderr).toBe(0);
    const png = fs.readFileSync(path.join(dir, 'imb.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(5000);
  });
});

describe('README first-run Figure 4 line', () => {
  it('writes figure4.svg equal to the picture the README shows', () => {
    const dir = tempDir();
    // The line calls `node bin/anycast-replay.js` from the clone's top: the same bin/ here.
    fs.symlinkSync(path.join(PROJECT_ROOT, 'bin'), path.join(dir, 'bin'));
    const r = spawnSync('bash', ['-e', '-c', snippet('figure4')], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'figure4.svg'), 'utf8')).toBe(fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'figures', 'figure4.svg'), 'utf8'));
    expect(README).toContain('](docs/figures/figure4.svg)');
  });
});
