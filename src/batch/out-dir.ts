/**
 * `--out-dir DIR` (issue 10): what makes a batch resumable and mergeable.
 *
 * - `DIR/manifest.json`: the tool version, the canonical options, the full
 *   ordered input list (trace and files; for the inputs this run is to
 *   process, each file's size, mtime and fingerprint), the shard and its
 *   members. Written atomically at the start of every run.
 * - `DIR/results/NNNNNN.json`: one record per finished capture (NNNNNN = its
 *   index in the full list), written atomically (a temporary file renamed into
 *   place) when the capture is done — so a SIGKILL at any moment leaves either
 *   the whole record or none, and a temporary file is never taken for a result.
 *
 * A rerun reuses a record only when its format, options, trace and file
 * stamps all equal the current ones; anything else is redone. A manifest with
 * other options is a usage error unless `--force`, which removes the records
 * made with other options.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReplayError } from '../errors.js';
import { atomicFileSink } from '../output/atomic-file.js';
import { VERSION } from '../version.js';
import { sameStamps, type FileStamp } from './fingerprint.js';
import type { BatchInput } from './inputs.js';
import { RESULT_FORMAT, type CaptureRecord } from './records.js';
import { canonicalKey, differingOptions, type CanonicalOptions } from './settings.js';
import type { Shard } from './shard.js';

export const MANIFEST_FORMAT = 'anycast-replay-batch-manifest/1';
export const MANIFEST_NAME = 'manifest.json';
export const RESULTS_DIR = 'results';

export interface ManifestInput {
  readonly index: number;
  readonly trace: string;
  readonly files: readonly string[];
  /** Stamps of the files when this run started; null for inputs outside the shard (never read by it). */
  readonly stamps: readonly FileStamp[] | null;
}

export interface Manifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly tool_version: string;
  readonly options: CanonicalOptions;
  readonly inputs: readonly ManifestInput[];
  readonly shard: Shard | null;
  /** Indices of the inputs this directory's run processes. */
  readonly members: readonly number[];
}

export function manifestPath(dir: string): string {
  return path.join(dir, MANIFEST_NAME);
}

export function resultPath(dir: string, index: number): string {
  return path.join(dir, RESULTS_DIR, `${String(index).padStart(6, '0')}.json`);
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ReplayError('FILE_READ', `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file });
  }
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Reads DIR/manifest.json: undefined when absent; a file that is not a manifest is an error. */
export function readManifest(dir: string): Manifest | undefined {
  const file = manifestPath(dir);
  const value = readJson(file);
  if (value === undefined) return undefined;
  const m = value as Partial<Manifest> | null;
  if (m === null || typeof m !== 'object' || m.format !== MANIFEST_FORMAT || !Array.isArray(m.inputs) || typeof m.options !== 'object') {
    throw new ReplayError('OPTION_INVALID', 'is not a batch manifest of this version', { file });
  }
  return m as Manifest;
}

function writeJsonAtomically(file: string, value: unknown): void {
  const sink = atomicFileSink(file);
  try {
    sink.write(JSON.stringify(value) + '\n');
    sink.commit();
  } catch (err) {
    sink.abort();
    throw err;
  }
}

/**
 * Prepares DIR for a run: creates it, refuses (or with `force` clears) one
 * made with other options, and writes the new manifest.
 */
export function prepareOutDir(
  dir: string,
  options: CanonicalOptions,
  inputs: readonly BatchInput[],
  stamps: ReadonlyMap<number, readonly FileStamp[]>,
  shard: Shard | undefined,
  members: readonly number[],
  force: boolean,
): void {
  try {
    fs.mkdirSync(path.join(dir, RESULTS_DIR), { recursive: true });
  } catch (err) {
    throw new ReplayError('OPTION_INVALID', `option --out-dir: cannot create '${dir}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const old = readManifest(dir);
  if (old !== undefined && canonicalKey(old.options) !== canonicalKey(options)) {
    if (!force) {
      throw new ReplayError(
        'OPTION_INVALID',
        `option --out-dir: '${dir}' holds a batch with other options (${differingOptions(old.options, options).join(', ')}); use another directory, or --force to start it over`,
      );
    }
    removeRecordsWithOtherOptions(dir, options);
  }
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    tool_version: VERSION,
    options,
    inputs: inputs.map((input, index) => ({ index, trace: input.trace, files: [...input.files], stamps: stamps.get(index) ?? null })),
    shard: shard ?? null,
    members: [...members],
  };
  writeJsonAtomically(manifestPath(dir), manifest);
}

function removeRecordsWithOtherOptions(dir: string, options: CanonicalOptions): void {
  const key = canonicalKey(options);
  const results = path.join(dir, RESULTS_DIR);
  for (const name of fs.readdirSync(results)) {
    if (!/^\d{6,}\.json$/.test(name)) continue;
    const record = readJson(path.join(results, name)) as Partial<CaptureRecord> | null | undefined;
    if (record == null || record.options === undefined || canonicalKey(record.options) !== key) fs.rmSync(path.join(results, name), { force: true });
  }
}

function isRecord(value: unknown): value is CaptureRecord {
  const r = value as Partial<CaptureRecord> | null | undefined;
  return r != null && typeof r === 'object' && r.format === RESULT_FORMAT && Array.isArray(r.configurations) && typeof r.trace === 'string';
}

/** Reads a result file; undefined when absent or not a record of this format. */
export function readRecord(file: string): CaptureRecord | undefined {
  const value = readJson(file);
  return isRecord(value) ? value : undefined;
}

/** The record of input `index` if it was made from these files, unchanged, with these options. */
export function reusableRecord(dir: string, index: number, trace: string, options: CanonicalOptions, stamps: readonly FileStamp[]): CaptureRecord | undefined {
  const record = readRecord(resultPath(dir, index));
  if (record === undefined) return undefined;
  if (record.index !== index || record.trace !== trace) return undefined;
  if (canonicalKey(record.options) !== canonicalKey(options)) return undefined;
  return sameStamps(record.files, stamps) ? record : undefined;
}

export function writeRecord(dir: string, record: CaptureRecord): void {
  writeJsonAtomically(resultPath(dir, record.index), record);
}
