/**
 * Issue 9: a newcomer following docs/reproduction.md gets the plots that are
 * committed. The commands of its steps 1–3 (the code blocks after the
 * `<!-- reproduction: NAME -->` markers) run as written, by bash, with
 * `anycast-replay` on the PATH; the SVGs they write must equal
 * docs/figures/figure3.svg and figure4.svg byte for byte, and the numbers the
 * page quotes must be those of the summary JSON.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT, cliOnPath, tempDir } from '../helpers/scenario.js';

const DOC = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'reproduction.md'), 'utf8');

function block(name: string): string {
  const marker = `<!-- reproduction: ${name} -->`;
  const at = DOC.indexOf(marker);
  if (at < 0) throw new Error(`docs/reproduction.md has no ${marker}`);
  return /```sh\n([\s\S]*?)```/.exec(DOC.slice(at))![1];
}

let dir: string;

beforeAll(() => {
  dir = tempDir();
  const { env } = cliOnPath(dir);
  const script = ['segments', 'figure3', 'figure4'].map(block).join('\n');
  const r = spawnSync('bash', ['-e', '-c', script], {
    cwd: dir,
    encoding: 'utf8',
    env,
    timeout: 240_000,
  });
  expect(r.status, r.stderr).toBe(0);
}, 300_000);

describe('docs/reproduction.md, steps 1–3', () => {
  it('writes the segment the page describes', () => {
    expect(fs.readFileSync(path.join(dir, 'olympic', 'MANIFEST'), 'utf8')).toBe(
      'file,start,end,connections,packets,bytes\nolympic-19960723T140000Z.pcap,838130400,838131600,69271,919268,536827318\n',
    );
  });

  it.each(['figure3.svg', 'figure4.svg'])('%s equals the committed docs/figures/%s', (name) => {
    const made = fs.readFileSync(path.join(dir, name), 'utf8');
    const committed = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'figures', name), 'utf8');
    expect(made).toBe(committed);
  });

  it('the table quotes the summary JSON', () => {
    const s = JSON.parse(fs.readFileSync(path.join(dir, 'figure4.json'), 'utf8')) as {
      replay: { samples: number };
      policies: { policy: string; connections: Record<string, string>; bytes: Record<string, string> }[];
    };
    expect(s.replay.samples).toBe(2399);
    const quoted = (value: string): string => Number(value).toFixed(3);
    const mean = (metric: 'connections' | 'bytes'): string => s.policies.map((p) => quoted(p[metric].mean_imbalance)).join(' / ');
    // Rows 1 and 6 of the table give the means to 3 decimals, in policy order.
    expect(DOC).toContain(`mean ${mean('connections').replace(/ \/ ([^/]+)$/, ' / **$1**')}`);
    expect(DOC).toContain(`mean ${mean('bytes')}`);
  });
});
