/**
 * Helpers of the scale-out tests (issue 10 item 6): a temporary directory
 * with `anycast-replay` on PATH (the built CLI), small captures made by
 * `anycast-replay synth` and listed in `captures.txt`, code blocks cut out of
 * docs/scale-out.md, and the shard rule of the batch contract to predict
 * which shard holds which capture.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { PROJECT_ROOT, cliEnv, cliOnPath, tempDir } from '../helpers/scenario.js';

export { PROJECT_ROOT };

export const SCALE_OUT_DOC = path.join(PROJECT_ROOT, 'docs', 'scale-out.md');

/** True when `command args` runs and exits 0. */
export function has(command: string, args: readonly string[]): boolean {
  const r = spawnSync(command, args, { encoding: 'utf8', stdio: 'ignore' });
  return r.error === undefined && r.status === 0;
}

/** The shell code of the first fenced block after `marker` in `text`. */
export function blockAfter(text: string, marker: string): string {
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`no ${JSON.stringify(marker)}`);
  const m = /```[a-z]*\n([\s\S]*?)```/.exec(text.slice(at + marker.length));
  if (!m) throw new Error(`no code block after ${JSON.stringify(marker)}`);
  return m[1];
}

/** The code of the block after `<!-- recipe: NAME -->` in docs/scale-out.md. */
export function recipe(name: string): string {
  return blockAfter(fs.readFileSync(SCALE_OUT_DOC, 'utf8'), `<!-- recipe: ${name} -->`);
}

/** A directory with bin/anycast-replay, a shell wrapper of the built CLI. */
export interface Workspace {
  readonly dir: string;
  readonly bin: string;
  readonly env: NodeJS.ProcessEnv;
}

export function workspace(prefix = 'anycast-scale-out-'): Workspace {
  const dir = tempDir(prefix);
  const { bin, env } = cliOnPath(dir, cliEnv());
  // Keep the scheduler variables of an enclosing job out of the recipes.
  for (const k of ['SLURM_ARRAY_TASK_ID', 'SLURM_ARRAY_TASK_COUNT', 'SLURM_CPUS_PER_TASK', 'JOB_COMPLETION_INDEX', 'RESULTS']) delete env[k];
  return { dir, bin, env };
}

/** Runs `code` with bash -e in `cwd`. */
export function bash(
  ws: Workspace,
  code: string,
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; args?: readonly string[] } = {},
): SpawnSyncReturns<string> {
  const r = spawnSync('bash', ['-e', '-c', code, 'bash', ...(options.args ?? [])], {
    cwd: options.cwd ?? ws.dir,
    encoding: 'utf8',
    env: { ...ws.env, ...options.env },
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  return r;
}

/** Runs the CLI (through the workspace's PATH) in `cwd`; throws with its stderr when it fails. */
export function cli(ws: Workspace, args: readonly string[], cwd = ws.dir): SpawnSyncReturns<string> {
  const r = spawnSync('anycast-replay', args, { cwd, encoding: 'utf8', env: ws.env, maxBuffer: 256 << 20, timeout: 120_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`anycast-replay ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r;
}

/**
 * Writes `count` captures of `anycast-replay synth` (10 s at 10 connections/s,
 * seeds 1…count, a different start each) under `dir/captures/`, plus, with
 * `rotated`, one capture cut into two consecutive files, and lists them in
 * `dir/captures.txt` by relative paths (the rotated one as one tab-separated
 * line). Returns the list's traces (rotated paths joined with `+`) in order.
 */
export function makeCaptures(ws: Workspace, dir: string, count: number, rotated = false): string[] {
  fs.mkdirSync(path.join(dir, 'captures'), { recursive: true });
  const lines: string[] = [];
  const traces: string[] = [];
  for (let k = 1; k <= count; k++) {
    const file = `captures/segment-${k}.pcap`;
    cli(ws, ['synth', '--duration', '10', '--rate', '10', '--seed', String(k), '--start', String(1_700_000_000 + 100 * k), '-o', file, '-q'], dir);
    lines.push(file);
    traces.push(file);
  }
  if (rotated) {
    const a = 'captures/rotated-a.pcap';
    const b = 'captures/rotated-b.pcap';
    cli(ws, ['synth', '--duration', '5', '--rate', '10', '--seed', '101', '--start', '1700010000', '-o', a, '-q'], dir);
    cli(ws, ['synth', '--duration', '5', '--rate', '10', '--seed', '102', '--start', '1700010005', '-o', b, '-q'], dir);
    lines.push(`${a}\t${b}`);
    traces.push(`${a}+${b}`);
  }
  fs.writeFileSync(path.join(dir, 'captures.txt'), `# captures of the scale-out test\n\n${lines.join('\n')}\n`);
  return traces;
}

/** The batch contract's shard of a trace: SHA-256 of its UTF-8 text, big-endian, mod `count`. */
export function shardOf(trace: string, count: number): number {
  const hex = createHash('sha256').update(trace, 'utf8').digest('hex');
  return Number(BigInt(`0x${hex}`) % BigInt(count));
}

/** The result files (`NNNNNN.json`, NNNNNN = index in the full list) of an --out-dir, sorted. */
export function resultFiles(outDir: string): string[] {
  const dir = path.join(outDir, 'results');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /^\d{6}\.json$/.test(f)).sort();
}

/** The expected result files of shard `index` of `count` over `traces`. */
export function expectedResultFiles(traces: readonly string[], index: number, count: number): string[] {
  const out: string[] = [];
  traces.forEach((t, i) => {
    if (shardOf(t, count) === index) out.push(`${String(i).padStart(6, '0')}.json`);
  });
  return out;
}

/** Copies the captures and list of `from` into `to` (the same relative paths). */
export function copyCaptures(from: string, to: string): void {
  fs.cpSync(path.join(from, 'captures'), path.join(to, 'captures'), { recursive: true });
  fs.copyFileSync(path.join(from, 'captures.txt'), path.join(to, 'captures.txt'));
}
