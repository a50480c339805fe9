/**
 * Issue 10 item 6 (b): the Kubernetes manifests of docs/k8s/. No cluster
 * runs here, so the test checks what the recipe depends on:
 * - each file is well-formed YAML (parsed by Python's `yaml` module where it
 *   is installed; skipped with a message elsewhere) with the fields the
 *   Indexed Job needs: completionMode Indexed, completions = --shard-count,
 *   --shard env, every volume mount backed by a volume, the claim of
 *   data-pvc.yaml, the image of this version, the same grid in both Job
 *   variants, the merge reading where the shards write;
 * - the containers' shell commands, run as the pods would run them (sh -c in
 *   the working directory, JOB_COMPLETION_INDEX = 0 … completions − 1, then
 *   the merge Job's), with a temporary directory standing for the volume,
 *   give the same bytes as one local `batch --pool`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { VERSION } from '../../src/version.js';
import { bash, cli, expectedResultFiles, has, makeCaptures, PROJECT_ROOT, resultFiles, workspace, type Workspace } from './helpers.js';

const K8S = path.join(PROJECT_ROOT, 'docs', 'k8s');
const BATCH_JOBS = ['batch-job.yaml', 'batch-job-object-storage.yaml'];
const FILES = [...BATCH_JOBS, 'merge-job.yaml', 'data-pvc.yaml'];

const HAVE_YAML = has('python3', ['-c', 'import yaml']);
if (!HAVE_YAML) {
  console.warn("scale-out/k8s-manifests.test.ts: python3 cannot import yaml (Debian python3-yaml); the manifests' YAML parse checks are skipped");
}

/** A parsed YAML node (checked field by field below). */
type Doc = any;

/** The YAML documents of `file`, parsed by Python's yaml.safe_load_all. */
function parseYaml(file: string): Doc[] {
  const r = spawnSync(
    'python3',
    ['-c', 'import json, sys, yaml; json.dump(list(yaml.safe_load_all(open(sys.argv[1]))), sys.stdout)', file],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`${file}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Doc[];
}

function read(name: string): string {
  return fs.readFileSync(path.join(K8S, name), 'utf8');
}

describe('docs/k8s manifests: text checks (issue 10 item 6)', () => {
  it.each(FILES)('%s is plain YAML: spaces only, no tabs, a trailing newline, no placeholders left', (name) => {
    const text = read(name);
    expect(text.includes('\t')).toBe(false);
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toMatch(/TODO|FIXME|<[A-Z_]+>/);
  });

  it.each(BATCH_JOBS)('%s states an Indexed Job whose shard count is its completions', (name) => {
    const text = read(name);
    expect(text).toMatch(/^apiVersion: batch\/v1$/m);
    expect(text).toMatch(/^kind: Job$/m);
    expect(text).toMatch(/^  completionMode: Indexed$/m);
    const completions = /^  completions: (\d+)$/m.exec(text);
    expect(completions).not.toBeNull();
    expect(text).toContain(`--shard env --shard-count ${completions![1]}`);
    expect(text).toContain('shard-$JOB_COMPLETION_INDEX');
  });
});

describe.skipIf(!HAVE_YAML)('docs/k8s manifests: parsed (issue 10 item 6)', () => {
  const docs = new Map<string, Doc>();
  beforeAll(() => {
    for (const name of FILES) {
      const all = parseYaml(path.join(K8S, name));
      expect(all).toHaveLength(1);
      docs.set(name, all[0]);
    }
  });

  it('data-pvc.yaml is a ReadWriteMany claim that every Job mounts', () => {
    const pvc = docs.get('data-pvc.yaml');
    expect(pvc.apiVersion).toBe('v1');
    expect(pvc.kind).toBe('PersistentVolumeClaim');
    expect(pvc.spec.accessModes).toEqual(['ReadWriteMany']);
    for (const name of [...BATCH_JOBS, 'merge-job.yaml']) {
      const claims = docs.get(name).spec.template.spec.volumes
        .filter((v: Doc) => v.persistentVolumeClaim)
        .map((v: Doc) => v.persistentVolumeClaim.claimName);
      expect(claims, name).toEqual([pvc.metadata.name]);
    }
  });

  it.each([...BATCH_JOBS, 'merge-job.yaml'])('%s: a batch/v1 Job whose pods run this version\'s image and mount only declared volumes', (name) => {
    const job = docs.get(name);
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.kind).toBe('Job');
    const pod = job.spec.template.spec;
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.securityContext.fsGroup).toBe(1000);
    const volumes = new Set(pod.volumes.map((v: Doc) => v.name));
    expect(volumes.size).toBe(pod.volumes.length);
    const containers = [...(pod.initContainers ?? []), ...pod.containers];
    for (const c of containers) {
      for (const m of c.volumeMounts) expect(volumes.has(m.name), `${name}: ${c.name} mounts ${m.name}`).toBe(true);
      expect(c.command).toEqual(['sh', '-c']);
      expect(c.args).toHaveLength(1);
      expect(spawnSync('sh', ['-n', '-c', c.args[0]]).status, `${name}: ${c.name} args parse as sh`).toBe(0);
    }
    expect(pod.containers).toHaveLength(1);
    expect(pod.containers[0].image).toBe(`anycast-replay:${VERSION}`);
  });

  it.each(BATCH_JOBS)('%s: Indexed, completions = --shard-count, parallelism ≤ completions', (name) => {
    const job = docs.get(name);
    expect(job.spec.completionMode).toBe('Indexed');
    const n = job.spec.completions;
    expect(Number.isInteger(n) && n >= 1).toBe(true);
    expect(job.spec.parallelism).toBeGreaterThanOrEqual(1);
    expect(job.spec.parallelism).toBeLessThanOrEqual(n);
    const cmd: string = job.spec.template.spec.containers[0].args[0];
    expect(cmd).toMatch(/^exec anycast-replay batch --list captures\.txt /);
    expect(cmd).toContain(`--shard env --shard-count ${n} `);
  });

  it('both batch Jobs run the same sweep, and the merge Job reads where they write', () => {
    const [pvcJob, s3Job] = BATCH_JOBS.map((n) => docs.get(n));
    const merge = docs.get('merge-job.yaml');
    const outDir = (job: Doc): string => {
      const c = job.spec.template.spec.containers[0];
      const m = /--out-dir "([^"]+)"/.exec(c.args[0]);
      expect(m).not.toBeNull();
      return path.posix.resolve(c.workingDir, m![1]);
    };
    // The same command but for where the shards go (a path relative to /data, or absolute).
    const sweep = (job: Doc): string => job.spec.template.spec.containers[0].args[0].replace(/--out-dir "[^"]+"/, '');
    expect(sweep(s3Job)).toBe(sweep(pvcJob));
    expect(s3Job.spec.completions).toBe(pvcJob.spec.completions);
    expect(outDir(pvcJob)).toBe('/data/results/shard-$JOB_COMPLETION_INDEX');
    expect(outDir(s3Job)).toBe('/data/results/shard-$JOB_COMPLETION_INDEX');
    const mc = merge.spec.template.spec.containers[0];
    expect(mc.workingDir).toBe('/data');
    expect(mc.args[0]).toBe('exec anycast-replay merge results/shard-* -o results/all.csv --summaries results/all.jsonl --pool');
    // The object-storage variant reads the list and captures its init container fetched.
    const s3Pod = s3Job.spec.template.spec;
    expect(s3Pod.containers[0].workingDir).toBe(s3Pod.initContainers[0].workingDir);
    const mountOf = (c: Doc, vol: string): string => c.volumeMounts.find((m: Doc) => m.name === vol).mountPath;
    const scratch = s3Pod.volumes.find((v: Doc) => v.emptyDir).name;
    expect(mountOf(s3Pod.initContainers[0], scratch)).toBe(s3Pod.initContainers[0].workingDir);
    expect(mountOf(s3Pod.containers[0], scratch)).toBe(s3Pod.containers[0].workingDir);
  });

  describe('the pods\' commands, run as the pods run them', () => {
    let ws: Workspace;
    beforeAll(() => {
      ws = workspace();
    });
    afterAll(() => {
      if (ws) fs.rmSync(ws.dir, { recursive: true, force: true });
    });

    it('batch-job.yaml for every completion index, then merge-job.yaml, equal one local batch --pool', () => {
      const job = docs.get('batch-job.yaml');
      const merge = docs.get('merge-job.yaml');
      const n: number = job.spec.completions;
      const volume = path.join(ws.dir, 'data');
      fs.mkdirSync(volume);
      const traces = makeCaptures(ws, volume, 3);
      for (let i = 0; i < n; i++) {
        const r = bash(ws, job.spec.template.spec.containers[0].args[0], {
          cwd: volume,
          env: { JOB_COMPLETION_INDEX: String(i) },
          timeoutMs: 120_000,
        });
        expect(r.status, r.stderr).toBe(0);
        expect(resultFiles(path.join(volume, 'results', `shard-${i}`))).toEqual(expectedResultFiles(traces, i, n));
      }
      const r = bash(ws, merge.spec.template.spec.containers[0].args[0], { cwd: volume });
      expect(r.status, r.stderr).toBe(0);

      const grid = /--servers \S+ --seeds \S+/.exec(job.spec.template.spec.containers[0].args[0])![0].split(' ');
      cli(ws, ['batch', '--list', 'captures.txt', ...grid, '--pool', '-o', 'local.csv', '--summaries', 'local.jsonl', '-q'], volume);
      expect(fs.readFileSync(path.join(volume, 'results', 'all.csv'), 'utf8')).toBe(fs.readFileSync(path.join(volume, 'local.csv'), 'utf8'));
      expect(fs.readFileSync(path.join(volume, 'results', 'all.jsonl'), 'utf8')).toBe(fs.readFileSync(path.join(volume, 'local.jsonl'), 'utf8'));
    }, 240_000);
  });
});
