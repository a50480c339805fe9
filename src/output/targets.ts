/**
 * Where an output may go (issue 8, SPEC §2a): checked for every output before
 * any capture is read, so a run never fails after minutes of work on a path it
 * could have refused at once, and never writes over one of its own inputs.
 *
 * Paths are compared by identity — device and inode after following links —
 * so `x` and `./x`, a symbolic link and its target, two hard links of one
 * file, and `/proc/self/fd/N` all count as the same file. A path that does not
 * exist yet has no inode: it is compared by the real path of its directory
 * plus its name, and the directory must exist.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReplayError } from '../errors.js';

/** An output option and its value (`undefined` or `-` = standard output). */
export type OutputTarget = readonly [option: string, target: string | undefined];

/** How many links a chain may have before it is taken for a loop (Linux's MAXSYMLINKS). */
export const MAX_LINKS = 40;

function usage(option: string, target: string, problem: string): ReplayError {
  return new ReplayError('OPTION_INVALID', `option ${option}: '${target}' ${problem}`);
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

/**
 * Follows a chain of symbolic links from `p` as far as it goes (a dangling
 * link ends where its target would be created). Returns that path, absolute.
 */
export function followLinks(p: string): string {
  let current = path.resolve(p);
  for (let i = 0; i < MAX_LINKS; i++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(current);
    } catch {
      return current;
    }
    if (!st.isSymbolicLink()) return current;
    current = path.resolve(path.dirname(current), fs.readlinkSync(current));
  }
  return current;
}

/** Device and inode of an existing file, as one key. */
function identity(st: fs.Stats): string {
  return `${st.dev}:${st.ino}`;
}

/**
 * The identity of an output path: its inode when it exists, otherwise the real
 * path of its directory plus its name. Throws a usage error when the path is
 * a directory or its directory does not exist.
 */
function outputIdentity(option: string, target: string): { key: string; regular: boolean } {
  if (target.endsWith('/') || target.endsWith(`${path.sep}.`) || target === '.' || target === '..') {
    const st = statOrUndefined(target);
    if (st?.isDirectory()) throw usage(option, target, 'is a directory');
    throw usage(option, target, 'names a directory, not a file');
  }
  const st = statOrUndefined(target);
  if (st !== undefined) {
    if (st.isDirectory()) throw usage(option, target, 'is a directory');
    return { key: identity(st), regular: st.isFile() };
  }
  // Not there yet (or a dangling link): the file will be created where the link chain ends.
  const end = followLinks(target);
  const dir = path.dirname(end);
  const dirStat = statOrUndefined(dir);
  if (dirStat === undefined) throw usage(option, target, `cannot be created: its directory '${dir}' does not exist`);
  if (!dirStat.isDirectory()) throw usage(option, target, `cannot be created: '${dir}' is not a directory`);
  return { key: `path:${path.join(fs.realpathSync(dir), path.basename(end))}`, regular: true };
}

/**
 * Refuses, as a usage error (exit 2), an output that is a directory, whose
 * directory is missing, that is the same file as an input (`-` = standard
 * input, when it is a file), or that is the same file as another output.
 * Call it before reading anything.
 */
export function checkOutputTargets(inputs: readonly string[], outputs: readonly OutputTarget[]): void {
  const seen = new Map<string, string>();
  for (const input of inputs) {
    let st: fs.Stats | undefined;
    if (input === '-') {
      try {
        st = fs.fstatSync(0);
      } catch {
        st = undefined;
      }
    } else {
      st = statOrUndefined(input);
    }
    // Only files can be overwritten by an output; a pipe or terminal on standard input cannot.
    if (st !== undefined && (st.isFile() || input !== '-')) {
      seen.set(identity(st), input === '-' ? 'standard input' : `the input '${input}'`);
    }
  }
  for (const [option, target] of outputs) {
    if (target === undefined || target === '-') continue;
    const { key, regular } = outputIdentity(option, target);
    const other = seen.get(key);
    if (other !== undefined) throw usage(option, target, `is the same file as ${other}`);
    // Two outputs may share a device (`/dev/null`); two files would race for one path.
    if (regular) seen.set(key, `the output of ${option}`);
  }
}
