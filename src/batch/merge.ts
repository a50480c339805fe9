/**
 * `merge DIR...` (issue 10): the records of several `--out-dir` directories
 * (the shards of one batch, or one directory) put back in the order of the
 * full input list, which every manifest records — so the outputs rendered from
 * them are byte for byte what one unsharded run prints. The directories must
 * be of one batch (same options, same input list) and hold every input's
 * record exactly once.
 */
import * as fs from 'node:fs';
import { ReplayError } from '../errors.js';
import { readManifest, readRecord, resultPath, MANIFEST_NAME, type Manifest } from './out-dir.js';
import type { CaptureRecord } from './records.js';
import { canonicalKey, differingOptions, type CanonicalOptions } from './settings.js';

export interface MergedBatch {
  readonly options: CanonicalOptions;
  /** Every input's record, in list order. */
  readonly records: readonly CaptureRecord[];
}

function fail(problem: string, file?: string): ReplayError {
  return new ReplayError('BATCH_MERGE', problem, file !== undefined ? { file } : {});
}

/** How many traces to name in a message before "and N more". */
const NAMED = 3;

function named(traces: readonly string[]): string {
  const shown = traces.slice(0, NAMED).map((t) => `'${t}'`).join(', ');
  return traces.length > NAMED ? `${shown} and ${traces.length - NAMED} more` : shown;
}

export function mergeDirectories(dirs: readonly string[]): MergedBatch {
  if (dirs.length === 0) throw new ReplayError('OPTION_INVALID', 'merge needs at least one directory');
  // The same directory named twice is read once.
  const unique: string[] = [];
  const seen = new Set<string>();
  for (const dir of dirs) {
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch {
      throw fail('no such directory', dir);
    }
    if (!fs.statSync(real).isDirectory()) throw fail(`is not a batch output directory (no ${MANIFEST_NAME})`, dir);
    if (!seen.has(real)) {
      seen.add(real);
      unique.push(dir);
    }
  }
  const manifests: { dir: string; manifest: Manifest }[] = [];
  for (const dir of unique) {
    const manifest = readManifest(dir);
    if (manifest === undefined) throw fail(`is not a batch output directory (no ${MANIFEST_NAME})`, dir);
    manifests.push({ dir, manifest });
  }
  const first = manifests[0];
  const key = canonicalKey(first.manifest.options);
  const traces = first.manifest.inputs.map((i) => i.trace);
  for (const { dir, manifest } of manifests.slice(1)) {
    if (canonicalKey(manifest.options) !== key) {
      throw fail(`was made with other options than '${first.dir}' (${differingOptions(first.manifest.options, manifest.options).join(', ')})`, dir);
    }
    const other = manifest.inputs.map((i) => i.trace);
    if (other.length !== traces.length || other.some((t, i) => t !== traces[i])) {
      throw fail(`was made from another input list than '${first.dir}' (${other.length} inputs against ${traces.length})`, dir);
    }
  }
  const records: CaptureRecord[] = [];
  const missing: string[] = [];
  for (let index = 0; index < traces.length; index++) {
    let found: { dir: string; record: CaptureRecord } | undefined;
    for (const { dir } of manifests) {
      const record = readRecord(resultPath(dir, index));
      if (record === undefined || record.trace !== traces[index]) continue;
      if (canonicalKey(record.options) !== key) throw fail(`holds a result made with other options than its manifest's`, resultPath(dir, index));
      if (found !== undefined) throw fail(`'${traces[index]}' has a result in both '${found.dir}' and '${dir}'`);
      found = { dir, record };
    }
    if (found === undefined) missing.push(traces[index]);
    else records.push(found.record);
  }
  if (missing.length > 0) {
    throw fail(`${missing.length} of ${traces.length} captures have no result in the directories given: ${named(missing)}`);
  }
  return { options: first.manifest.options, records };
}
