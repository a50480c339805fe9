/**
 * Issue 10 item 6 (c): the GNU parallel recipes of docs/scale-out.md work as
 * written. Each is cut out of the page (the block after its
 * `<!-- recipe: NAME -->` marker) and run by bash in a temporary directory
 * holding `captures.txt` and seven small captures (one of them two rotated
 * files); the ssh recipe gets a hosts.txt whose only host is `:`, parallel's
 * name for the local host, so everything but the ssh transport runs. The
 * merged CSV and summaries must equal one local `batch --pool` of the same
 * list and grid byte for byte, and each shard directory must hold exactly the
 * captures the shard rule gives it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  bash,
  cli,
  copyCaptures,
  expectedResultFiles,
  has,
  makeCaptures,
  recipe,
  resultFiles,
  workspace,
  type Workspace,
} from './helpers.js';

const HAVE_PARALLEL = has('parallel', ['--version']);
if (!HAVE_PARALLEL) {
  console.warn('scale-out/parallel-recipe.test.ts: GNU parallel is not installed (Debian package parallel); the parallel recipe tests are skipped');
}

/** The grid of a recipe's batch command (the local run must use the same). */
function gridOf(code: string): string[] {
  const m = /--servers (\S+) --seeds (\S+)/.exec(code);
  if (!m) throw new Error(`recipe without '--servers … --seeds …': ${code}`);
  return ['--servers', m[1], '--seeds', m[2]];
}

/** The shard count of a recipe (`--shard {}/N`). */
function shardCountOf(code: string): number {
  const m = /--shard \{\}\/(\d+)/.exec(code);
  if (!m) throw new Error(`recipe without '--shard {}/N': ${code}`);
  return Number(m[1]);
}

describe.skipIf(!HAVE_PARALLEL)('GNU parallel recipes of docs/scale-out.md (issue 10 item 6)', () => {
  let ws: Workspace;
  let source: string;
  let traces: string[];
  let reference: Map<string, { csv: string; jsonl: string }>;

  beforeAll(() => {
    ws = workspace();
    source = path.join(ws.dir, 'source');
    fs.mkdirSync(source);
    traces = makeCaptures(ws, source, 6, true);
    reference = new Map();
  });

  afterAll(() => {
    if (ws) fs.rmSync(ws.dir, { recursive: true, force: true });
  });

  /** One local unsharded batch of the list with `grid`, pooled (computed once per grid). */
  function localRun(grid: readonly string[]): { csv: string; jsonl: string } {
    const key = grid.join(' ');
    const known = reference.get(key);
    if (known) return known;
    cli(ws, ['batch', '--list', 'captures.txt', ...grid, '--pool', '-o', 'local.csv', '--summaries', 'local.jsonl', '-q'], source);
    const run = {
      csv: fs.readFileSync(path.join(source, 'local.csv'), 'utf8'),
      jsonl: fs.readFileSync(path.join(source, 'local.jsonl'), 'utf8'),
    };
    reference.set(key, run);
    return run;
  }

  for (const name of ['parallel-local', 'parallel-ssh']) {
    it(`${name}: shards then merge equal one local batch byte for byte`, () => {
      const code = recipe(name);
      const grid = gridOf(code);
      const shards = shardCountOf(code);
      const dir = path.join(ws.dir, name);
      fs.mkdirSync(dir);
      copyCaptures(source, dir);
      if (name === 'parallel-ssh') fs.writeFileSync(path.join(dir, 'hosts.txt'), ':\n');

      const r = bash(ws, code, { cwd: dir, timeoutMs: 180_000 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      // The shards' own CSVs go to /dev/null and merge writes files: nothing on the terminal.
      expect(r.stdout).toBe('');

      // Every shard ran, each holding exactly its members (SHA-256 of the trace mod N).
      for (let i = 0; i < shards; i++) {
        const out = path.join(dir, 'results', `shard-${i}`);
        expect(fs.existsSync(path.join(out, 'manifest.json'))).toBe(true);
        expect(resultFiles(out)).toEqual(expectedResultFiles(traces, i, shards));
      }
      expect(fs.readdirSync(path.join(dir, 'results')).sort()).toEqual(
        Array.from({ length: shards }, (_, i) => `shard-${i}`).sort(),
      );

      const local = localRun(grid);
      const csv = fs.readFileSync(path.join(dir, 'all.csv'), 'utf8');
      const jsonl = fs.readFileSync(path.join(dir, 'all.jsonl'), 'utf8');
      expect(csv).toBe(local.csv);
      expect(jsonl).toBe(local.jsonl);

      // The outputs cover every trace and the pool: 7 traces + '*', 2 servers × 3 seeds each.
      const lines = csv.trimEnd().split('\n');
      expect(lines[0]).toBe('trace,servers,seed,metric,policy,bin_start,bin_end,count,probability,density,cdf');
      const seen = new Set(lines.slice(1).map((l) => l.split(',')[0]));
      expect([...seen]).toEqual([...traces, '*']);
      expect(jsonl.trimEnd().split('\n')).toHaveLength((traces.length) * 2 * 3);
    }, 240_000);
  }
});
