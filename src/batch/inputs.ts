/**
 * The captures of a batch (issue 10): paths and globs from the command line,
 * or `--list FILE` with one capture per line — tab-separated paths on a line
 * are one capture of rotated files, read in order; blank lines and lines
 * starting with `#` are ignored. A capture's `trace` (its CSV column and its
 * shard key) is its line as given, rotated paths joined with `+`.
 *
 * Globs (`*`, `?`, `[…]` within one path segment) are expanded here when the
 * shell did not, each pattern's matches sorted by code unit; a pattern that
 * matches nothing is an error, as is a name that does not exist.
 */
import * as fs from 'node:fs';
import { ReplayError } from '../errors.js';

export interface BatchInput {
  /** The capture's name in outputs: its path, or its rotated paths joined with `+`. */
  readonly trace: string;
  /** Its files, read in order as one capture. */
  readonly files: readonly string[];
}

function usage(problem: string): ReplayError {
  return new ReplayError('OPTION_INVALID', problem);
}

const GLOB_CHARS = /[*?[]/;

export function hasGlob(text: string): boolean {
  return GLOB_CHARS.test(text);
}

/** A glob segment as a regular expression (no `/` inside; a leading `.` is matched only explicitly). */
function segmentRegExp(segment: string): RegExp {
  let re = '^';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      if (body.startsWith('!')) body = '^' + body.slice(1);
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(re + '$');
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** `base/name` kept as written (`./x` stays `./x`, as a shell expands it). */
function joinSegment(base: string, name: string): string {
  if (base === '') return name;
  return base.endsWith('/') ? base + name : `${base}/${name}`;
}

/** Expands one glob pattern into the existing paths it matches, sorted. */
export function expandGlob(pattern: string): string[] {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  let current: string[] = [absolute ? '/' : ''];
  for (let i = absolute ? 1 : 0; i < segments.length; i++) {
    const segment = segments[i];
    const next: string[] = [];
    for (const base of current) {
      if (!hasGlob(segment)) {
        const p = joinSegment(base, segment);
        if (fs.existsSync(p)) next.push(p);
        continue;
      }
      const dir = base === '' ? '.' : base;
      if (!isDirectory(dir)) continue;
      const re = segmentRegExp(segment);
      const names = fs.readdirSync(dir).filter((n) => re.test(n) && (!n.startsWith('.') || segment.startsWith('.')));
      names.sort();
      for (const n of names) next.push(joinSegment(base, n));
    }
    current = next;
  }
  return current.filter((p) => p !== '' && p !== '/' && !isDirectory(p));
}

function checkFile(file: string, where: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw usage(`${where}'${file}' does not exist`);
  }
  if (st.isDirectory()) throw usage(`${where}'${file}' is a directory`);
}

/** Inputs from command-line arguments: each path, or each match of a glob. */
export function inputsFromArgs(args: readonly string[]): BatchInput[] {
  const out: BatchInput[] = [];
  for (const arg of args) {
    if (arg === '-') throw usage("batch cannot read standard input ('-'): give capture files or --list");
    if (!fs.existsSync(arg) && hasGlob(arg)) {
      const matches = expandGlob(arg);
      if (matches.length === 0) throw usage(`'${arg}' matches no file`);
      for (const m of matches) out.push({ trace: m, files: [m] });
    } else {
      checkFile(arg, '');
      out.push({ trace: arg, files: [arg] });
    }
  }
  return out;
}

/** Parses the text of a `--list` file (paths relative to the working directory, as given). */
export function parseInputList(text: string, listName: string): BatchInput[] {
  const out: BatchInput[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    const files = line.split('\t').filter((f) => f !== '');
    for (const f of files) {
      if (f === '-') throw usage(`--list ${listName}: line ${i + 1}: standard input ('-') cannot be a batch input`);
      checkFile(f, `--list ${listName}: line ${i + 1}: `);
    }
    out.push({ trace: files.join('+'), files });
  }
  return out;
}

export function readInputList(listFile: string): BatchInput[] {
  let text: string;
  try {
    text = fs.readFileSync(listFile, 'utf8');
  } catch (err) {
    throw usage(`option --list: cannot read '${listFile}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseInputList(text, listFile);
}

/** All inputs: the arguments' then the list's; a trace given twice is an error (its rows could not be told apart). */
export function collectInputs(args: readonly string[], listFile: string | undefined): BatchInput[] {
  const inputs = [...inputsFromArgs(args), ...(listFile !== undefined ? readInputList(listFile) : [])];
  if (inputs.length === 0) throw usage('no capture given (paths, globs or --list FILE)');
  const seen = new Set<string>();
  for (const input of inputs) {
    if (seen.has(input.trace)) throw usage(`capture '${input.trace}' is given twice`);
    seen.add(input.trace);
  }
  return inputs;
}
