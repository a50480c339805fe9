/**
 * Issue 10 item 6 (a): the Slurm recipe.
 * - The job scripts shown in docs/scale-out.md are the files in docs/slurm/
 *   (their comment headers aside), and they pass `bash -n`.
 * - Without Slurm: the array script run once per task with the variables a
 *   job array sets (SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT /
 *   SLURM_CPUS_PER_TASK), then the merge script, equal one local batch --pool.
 * - With Slurm (root, sbatch installed): scripts/slurm-smoke.sh brings up a
 *   one-node cluster, submits the same two files with sbatch and must print
 *   its PASS line and exit 0; where it reports SKIP (daemons that cannot
 *   start) the test is skipped with that message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  bash,
  blockAfter,
  cli,
  expectedResultFiles,
  has,
  makeCaptures,
  PROJECT_ROOT,
  resultFiles,
  SCALE_OUT_DOC,
  workspace,
  type Workspace,
} from './helpers.js';

const ARRAY_SCRIPT = path.join(PROJECT_ROOT, 'docs', 'slurm', 'batch-array.sbatch');
const MERGE_SCRIPT = path.join(PROJECT_ROOT, 'docs', 'slurm', 'merge.sbatch');
const SMOKE = path.join(PROJECT_ROOT, 'scripts', 'slurm-smoke.sh');

/** A job script without its comment lines (the shebang and #SBATCH lines stay) and blank lines. */
function withoutComments(text: string): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '' && (!l.startsWith('#') || l.startsWith('#!') || l.startsWith('#SBATCH')))
    .join('\n');
}

describe('Slurm job scripts (issue 10 item 6)', () => {
  it.each([
    ['batch-array.sbatch', ARRAY_SCRIPT],
    ['merge.sbatch', MERGE_SCRIPT],
  ])('docs/scale-out.md shows docs/slurm/%s as it is, and it parses', (name, file) => {
    const doc = fs.readFileSync(SCALE_OUT_DOC, 'utf8');
    const shown = blockAfter(doc, `\`docs/slurm/${name}\`:`);
    expect(withoutComments(shown)).toBe(withoutComments(fs.readFileSync(file, 'utf8')));
    expect(fs.statSync(file).mode & 0o111).not.toBe(0);
    const r = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it('the array script without a capture list prints its usage and exits 2', () => {
    const r = spawnSync('bash', [ARRAY_SCRIPT], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '1' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('usage: sbatch --array=0-(N-1) batch-array.sbatch CAPTURE-LIST [BATCH OPTIONS...]\n');
  });

  describe('run as a job array runs them, without Slurm', () => {
    let ws: Workspace;
    beforeAll(() => {
      ws = workspace();
    });
    afterAll(() => {
      if (ws) fs.rmSync(ws.dir, { recursive: true, force: true });
    });

    it('4 tasks (one lost and resubmitted alone) then the merge equal one local batch --pool byte for byte; RESULTS moves the shards', () => {
      const traces = makeCaptures(ws, ws.dir, 5, true);
      const grid = ['--servers', '2,5', '--seeds', '1-2', '--policy', 'round-robin,least-active'];
      const count = 4;
      for (let i = 0; i < count; i++) {
        const r = bash(ws, `exec bash "${ARRAY_SCRIPT}" "$@"`, {
          args: ['captures.txt', ...grid],
          env: { SLURM_ARRAY_TASK_ID: String(i), SLURM_ARRAY_TASK_COUNT: String(count), SLURM_CPUS_PER_TASK: '1', RESULTS: 'sweep' },
        });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toBe('');
        expect(resultFiles(path.join(ws.dir, 'sweep', `shard-${i}`))).toEqual(expectedResultFiles(traces, i, count));
      }
      // A lost shard resubmitted alone (`sbatch --array=2`, so the array's count is 1) with
      // --shard-count, as docs/scale-out.md says, does the same captures again.
      const lost = path.join(ws.dir, 'sweep', 'shard-2');
      const before = resultFiles(lost);
      expect(before).toEqual(['000004.json', '000005.json']);
      fs.rmSync(lost, { recursive: true });
      const again = bash(ws, `exec bash "${ARRAY_SCRIPT}" "$@"`, {
        args: ['captures.txt', ...grid, '--shard-count', String(count)],
        env: { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '1', SLURM_CPUS_PER_TASK: '2', RESULTS: 'sweep' },
      });
      expect(again.status, again.stderr).toBe(0);
      expect(resultFiles(lost)).toEqual(before);

      const m = bash(ws, `exec bash "${MERGE_SCRIPT}"`, { env: { RESULTS: 'sweep' } });
      expect(m.status, m.stderr).toBe(0);
      expect(m.stdout).toBe('');
      cli(ws, ['batch', '--list', 'captures.txt', ...grid, '--pool', '-o', 'local.csv', '--summaries', 'local.jsonl', '-q']);
      const local = fs.readFileSync(path.join(ws.dir, 'local.csv'), 'utf8');
      expect(fs.readFileSync(path.join(ws.dir, 'sweep', 'all.csv'), 'utf8')).toBe(local);
      expect(fs.readFileSync(path.join(ws.dir, 'sweep', 'all.jsonl'), 'utf8')).toBe(fs.readFileSync(path.join(ws.dir, 'local.jsonl'), 'utf8'));
      expect(local.split('\n')[1].split(',').slice(0, 5)).toEqual([traces[0], '2', '1', 'connections', 'round-robin']);
    }, 180_000);
  });
});

const IS_ROOT = process.getuid?.() === 0;
// `sbatch --version` fails without a slurm.conf, so look the tools up instead of running them.
const HAVE_SLURM = has('sh', ['-c', 'command -v sbatch && command -v slurmctld && command -v slurmd && command -v munged']);
if (!IS_ROOT || !HAVE_SLURM) {
  console.warn(
    `scale-out/slurm.test.ts: ${!IS_ROOT ? 'not root' : 'Slurm or munge is not installed (Debian slurm-wlm, munge)'}; scripts/slurm-smoke.sh is not run`,
  );
}

describe.skipIf(!IS_ROOT || !HAVE_SLURM)('scripts/slurm-smoke.sh on a one-node cluster (issue 10 item 6)', () => {
  it('submits the documented array and merge jobs and matches a local batch byte for byte', (ctx) => {
    const r = spawnSync('bash', [SMOKE], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, SLURM_SMOKE_TIMEOUT: '180' } });
    const skip = /^SKIP: .*$/m.exec(r.stdout);
    if (r.status === 0 && skip) {
      console.warn(`scale-out/slurm.test.ts: ${skip[0]}`);
      ctx.skip();
      return;
    }
    expect(r.signal, `timed out:\n${r.stdout}`).toBeNull();
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/^PASS: merged CSV equals the local batch byte for byte/m);
    expect(r.stdout).toMatch(/^PASS: slurm smoke test$/m);
    expect(r.stdout).not.toMatch(/^FAIL:/m);
  }, 260_000);
});
