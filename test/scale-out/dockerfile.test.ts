/**
 * Issue 10 item 6: the Dockerfile. A small checker reads it as the builder
 * does (comments, line continuations, instructions and their flags) and
 * checks: known instructions only, FROM before anything but ARG, stages
 * referred to by earlier names, every path copied from the build context
 * present and let through .dockerignore, exec-form ENTRYPOINT and CMD, a build
 * stage that compiles and a slim runtime stage without dev dependencies. The
 * image is built and run only where `docker info` reaches a Docker engine;
 * elsewhere that test is skipped with a message.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { VERSION } from '../../src/version.js';
import { has, PROJECT_ROOT } from './helpers.js';

const INSTRUCTIONS = new Set([
  'FROM', 'RUN', 'CMD', 'LABEL', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME',
  'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL',
]);

interface Instruction {
  readonly line: number;
  readonly keyword: string;
  readonly flags: ReadonlyMap<string, string>;
  readonly args: string;
}

/** The instructions of a Dockerfile: comments dropped, `\`-continued lines joined, leading `--flag=value`s split off. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line)) {
      i++;
      if (i >= lines.length) throw new Error(`line ${start + 1}: continuation at the end of the file`);
      const next = lines[i];
      if (/^\s*#/.test(next)) continue;
      line = line.replace(/\\\s*$/, ' ') + next;
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(line);
    if (!m) throw new Error(`line ${start + 1}: not an instruction: ${line}`);
    let rest = m[2].trim();
    const flags = new Map<string, string>();
    for (let f = /^--([a-z-]+)=(\S+)\s*/.exec(rest); f; f = /^--([a-z-]+)=(\S+)\s*/.exec(rest)) {
      flags.set(f[1], f[2]);
      rest = rest.slice(f[0].length);
    }
    out.push({ line: start + 1, keyword: m[1].toUpperCase(), flags, args: rest });
  }
  return out;
}

/** Whether .dockerignore's rules (in order, the last match wins; `!` re-includes) let `rel` into the build context. */
function allowedByDockerignore(rules: readonly string[], rel: string): boolean {
  let allowed = true;
  const top = rel.split('/')[0];
  for (const raw of rules) {
    const negate = raw.startsWith('!');
    const pattern = (negate ? raw.slice(1) : raw).replace(/\/+$/, '');
    const matches = pattern === '*' || pattern === rel || pattern === top;
    if (matches) allowed = negate;
  }
  return allowed;
}

const DOCKERFILE = fs.readFileSync(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
const IGNORE_RULES = fs
  .readFileSync(path.join(PROJECT_ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));

describe('Dockerfile syntax and structure (issue 10 item 6)', () => {
  const instructions = parseDockerfile(DOCKERFILE);

  it('the checker parses continuations and flags, and rejects a broken file', () => {
    const parsed = parseDockerfile('# c\nFROM a AS b\nRUN x \\\n  # inner\n  y\nCOPY --from=b /p ./q\n');
    expect(parsed.map((p) => [p.line, p.keyword, p.args])).toEqual([
      [2, 'FROM', 'a AS b'],
      [3, 'RUN', 'x    y'],
      [6, 'COPY', '/p ./q'],
    ]);
    expect(parsed[2].flags.get('from')).toBe('b');
    expect(() => parseDockerfile('FROM a\n= x\n')).toThrow('line 2: not an instruction: = x');
    expect(allowedByDockerignore(['*', '!src/'], 'src')).toBe(true);
    expect(allowedByDockerignore(['*', '!src/'], 'test')).toBe(false);
    expect(allowedByDockerignore(['node_modules'], 'src')).toBe(true);
  });

  it('uses known instructions only, FROM first (ARG aside)', () => {
    expect(instructions.length).toBeGreaterThan(0);
    for (const ins of instructions) expect(INSTRUCTIONS.has(ins.keyword), `line ${ins.line}: ${ins.keyword}`).toBe(true);
    const first = instructions.find((i) => i.keyword !== 'ARG');
    expect(first?.keyword).toBe('FROM');
  });

  it('builds with node:20 and runs on node:20 slim, stages named and referred to after they are defined', () => {
    const froms = instructions.filter((i) => i.keyword === 'FROM').map((i) => /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(i.args));
    expect(froms.every((m) => m !== null)).toBe(true);
    expect(froms.map((m) => [m![1], m![2]])).toEqual([
      ['node:20-bookworm', 'build'],
      ['node:20-bookworm-slim', 'runtime'],
    ]);
    const stages: string[] = [];
    for (const ins of instructions) {
      if (ins.keyword === 'FROM') stages.push(/\s+AS\s+(\S+)$/i.exec(ins.args)![1]);
      const from = ins.flags.get('from');
      if (from !== undefined) {
        expect(stages.slice(0, -1), `line ${ins.line}: COPY --from=${from}`).toContain(from);
      }
    }
  });

  it('copies from the context only paths that exist and that .dockerignore lets through', () => {
    const copies = instructions.filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && !i.flags.has('from'));
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      const parts = c.args.split(/\s+/);
      expect(parts.length, `line ${c.line}`).toBeGreaterThanOrEqual(2);
      for (const src of parts.slice(0, -1)) {
        const rel = src.replace(/^\.\//, '').replace(/\/$/, '');
        expect(fs.existsSync(path.join(PROJECT_ROOT, rel)), `line ${c.line}: ${src} exists`).toBe(true);
        expect(allowedByDockerignore(IGNORE_RULES, rel), `line ${c.line}: ${src} passes .dockerignore`).toBe(true);
      }
    }
    // What the build reads: tsconfig.build.json extends tsconfig.json, the bin shim imports dist/.
    const copied = copies.flatMap((c) => c.args.split(/\s+/).slice(0, -1));
    for (const need of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'bin']) {
      expect(copied.map((s) => s.replace(/\/$/, '')), need).toContain(need);
    }
    for (const kept of ['node_modules', 'dist', 'test', 'bench', '.git', 'fixtures']) {
      expect(allowedByDockerignore(IGNORE_RULES, kept), `${kept} is kept out`).toBe(false);
    }
  });

  it('compiles in the build stage, installs no dev dependencies in the runtime stage, and enters at the CLI in exec form', () => {
    const runtimeAt = instructions.findIndex((i) => i.keyword === 'FROM' && /AS runtime$/i.test(i.args));
    const runs = (from: number, to: number) => instructions.slice(from, to).filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs(0, runtimeAt).join('\n')).toMatch(/npm ci[\s\S]*\n?npm run build/);
    const runtimeRuns = runs(runtimeAt, instructions.length).join('\n');
    expect(runtimeRuns).toContain('npm ci --omit=dev');
    expect(runtimeRuns).not.toContain('npm run build');
    expect(runtimeRuns).toContain('bin/anycast-replay.js /usr/local/bin/anycast-replay');
    expect(instructions.slice(runtimeAt).some((i) => i.keyword === 'COPY' && i.flags.get('from') === 'build' && /dist/.test(i.args))).toBe(true);
    const last = (k: string) => [...instructions].reverse().find((i) => i.keyword === k);
    expect(JSON.parse(last('ENTRYPOINT')!.args)).toEqual(['anycast-replay']);
    expect(JSON.parse(last('CMD')!.args)).toEqual(['--help']);
    expect(last('USER')!.args).toBe('node');
  });
});

const HAVE_DOCKER = has('docker', ['info']);
if (!HAVE_DOCKER) {
  console.warn('scale-out/dockerfile.test.ts: no Docker engine answers `docker info`; the image build test is skipped');
}

describe.skipIf(!HAVE_DOCKER)('Docker image build (issue 10 item 6)', () => {
  const tag = `anycast-replay-test:${process.pid}`;
  afterAll(() => {
    spawnSync('docker', ['image', 'rm', '-f', tag], { stdio: 'ignore' });
  });

  it('builds, and the image prints this version', () => {
    const build = spawnSync('docker', ['build', '-q', '-t', tag, '.'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 900_000 });
    expect(build.status, build.stderr).toBe(0);
    const run = spawnSync('docker', ['run', '--rm', tag, '--version'], { encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(VERSION);
  }, 1_000_000);
});
