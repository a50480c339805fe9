/**
 * Issue 11 item 4: docs/what-if.md shows the commands that answer the
 * issue's questions on a generated Olympic-style capture. Its code blocks
 * (after the `<!-- what-if: NAME -->` markers) run as written, by bash, with
 * `anycast-replay` on the PATH; the SVGs they write must equal the committed
 * docs/figures/what-if-*.svg byte for byte, the events CSV the page prints
 * must be the one written, and the table of (a) must quote the summary JSON.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT, cliOnPath, tempDir } from '../helpers/scenario.js';

const DOC = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'what-if.md'), 'utf8');

function block(name: string, lang = 'sh'): string {
  const marker = `<!-- what-if: ${name} -->`;
  const at = DOC.indexOf(marker);
  if (at < 0) throw new Error(`docs/what-if.md has no ${marker}`);
  return new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(DOC.slice(at))![1];
}

let dir: string;

beforeAll(() => {
  dir = tempDir();
  const { env } = cliOnPath(dir);
  const script = ['capture', 'spread', 'events', 'packet'].map((b) => block(b)).join('\n');
  const r = spawnSync('bash', ['-e', '-c', script], {
    cwd: dir,
    encoding: 'utf8',
    env,
    timeout: 120_000,
  });
  expect(r.status, r.stderr).toBe(0);
}, 180_000);

describe('docs/what-if.md', () => {
  it.each(['what-if-spread.svg', 'what-if-events.svg', 'what-if-packet.svg'])('%s equals the committed docs/figures/%s', (name) => {
    const made = fs.readFileSync(path.join(dir, name), 'utf8');
    const committed = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'figures', name), 'utf8');
    expect(made).toBe(committed);
  });

  it('prints the events CSV the command writes', () => {
    expect(block('events-csv', 'csv')).toBe(fs.readFileSync(path.join(dir, 'events.csv'), 'utf8'));
  });

  it('the table of (a) quotes the summary JSON', () => {
    type Figures = Record<string, string>;
    const s = JSON.parse(fs.readFileSync(path.join(dir, 'spread.json'), 'utf8')) as {
      replay: { samples: number; connections_replayed: number };
      policies: { policy: string; connections: Figures; bytes: Figures }[];
    };
    expect(s.replay.samples).toBe(1199);
    expect(s.replay.connections_replayed).toBe(34628);
    expect(s.policies).toHaveLength(7);
    const d3 = (v: string): string => Number(v).toFixed(3);
    for (const p of s.policies) {
      const c = p.connections;
      const row = `| ${p.policy} | ${d3(c.mean_imbalance)} | ${c.p50} | ${c.p90} | ${c.p99} | ${d3(c.max_imbalance)} | ${d3(p.bytes.mean_imbalance)} | ${p.bytes.p90} |`;
      expect(DOC).toContain(row);
    }
  });

  it('the table of (c) quotes the per-packet summary JSON', () => {
    const s = JSON.parse(fs.readFileSync(path.join(dir, 'packet.json'), 'utf8')) as {
      replay: { granularity: string };
      policies: { policy: string; split_share: string; misrouted_share: string; connections: Record<string, string>; bytes: Record<string, string> }[];
    };
    expect(s.replay.granularity).toBe('packet');
    const pct = (share: string, digits: number): string => `${(Number(share) * 100).toFixed(digits)} %`;
    for (const p of s.policies) {
      const row = `| ${p.policy} | ${pct(p.split_share, p.policy.includes('round') || p.policy === 'random' ? 2 : 1)} | ${pct(p.misrouted_share, 1)} | ${Number(p.connections.mean_imbalance).toFixed(3)} | ${Number(p.bytes.mean_imbalance).toFixed(3)} |`;
      expect(DOC).toContain(row);
    }
  });
});
