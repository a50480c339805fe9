/**
 * The one option table (src/options.ts OPTION_TABLE) feeds the CLI: every
 * entry is an option of the main command with the table's flags, help text and
 * default, and of every command that tracks connections for the tracker's
 * entries; a value the table's check refuses is a usage error naming it.
 */
import { describe, expect, it } from 'vitest';
import type { Option } from 'commander';
import { createProgram, type Actions } from '../../src/cli/program.js';
import { DEFAULTS, OPTION_TABLE, type OptionSpec } from '../../src/options.js';
import { ReplayError } from '../../src/errors.js';

const program = createProgram({} as Actions);
const TRACKING = ['idleTimeout', 'synTimeout', 'maxConnections', 'proto', 'udpTimeout', 'from', 'to', 'strict'] as const;
/** Flow-log input (issue 12): the main command and batch, not connections (which reads captures only). */
const INPUT = ['inputFormat', 'reorderWindow'] as const;

function optionOf(options: readonly Option[], spec: OptionSpec): Option | undefined {
  return options.find((o) => o.flags === spec.flags);
}

describe('OPTION_TABLE', () => {
  it('every entry is an option of the main command with its help text, default and choices', () => {
    const entries = Object.entries(OPTION_TABLE) as [string, OptionSpec][];
    const catalogue = ['hashKey', 'hashFn', 'weights', 'vnodes', 'maglevSize', 'balanceFactor', 'imbalance'];
    const tracking = [...TRACKING.slice(0, 5), ...INPUT, ...TRACKING.slice(5)];
    expect(entries.map(([k]) => k).filter((k) => !catalogue.includes(k))).toEqual(['servers', 'seed', 'interval', 'binWidth', 'direction', 'granularity', ...tracking]);
    expect(entries.map(([k]) => k).filter((k) => catalogue.includes(k))).toEqual(catalogue);
    for (const [, spec] of entries) {
      const o = optionOf(program.options, spec);
      expect(o, spec.flags).toBeDefined();
      expect(o!.description).toBe(spec.description);
      expect(o!.defaultValue).toBe(spec.defaultValue);
      expect(o!.argChoices).toEqual(spec.choices);
    }
    expect(OPTION_TABLE.servers.defaultValue).toBe(DEFAULTS.servers);
    expect(OPTION_TABLE.interval.defaultValue).toBe(DEFAULTS.interval);
    const help = program.helpInformation();
    expect(help).toMatch(/--interval <s>\s+sampling interval in seconds \(default: 0\.5\)/);
    expect(help).toMatch(/--direction <dir>\s+payload bytes counted \(one of: both,\s+s2c,\s+c2s;\s+default: both\)/);
  });

  it('the tracking entries are options of connections and batch too; the input ones of batch only', () => {
    for (const name of ['connections', 'batch']) {
      const cmd = program.commands.find((c) => c.name() === name)!;
      for (const key of TRACKING) expect(optionOf(cmd.options, OPTION_TABLE[key]), `${name} ${key}`).toBeDefined();
      for (const key of INPUT) expect(optionOf(cmd.options, OPTION_TABLE[key]) !== undefined, `${name} ${key}`).toBe(name === 'batch');
    }
  });

  it('checks the form of a value and hands the library its text or number', () => {
    expect(OPTION_TABLE.servers.parse(' 12 ')).toBe(12);
    expect(OPTION_TABLE.interval.parse(' 0.25 ')).toBe('0.25');
    expect(OPTION_TABLE.binWidth.parse('0.010')).toBe('0.010');
    for (const [parse, text] of [
      [OPTION_TABLE.servers.parse, '2.5'],
      [OPTION_TABLE.servers.parse, '0'],
      [OPTION_TABLE.seed.parse, '-1'],
      [OPTION_TABLE.interval.parse, '1e-3'],
      [OPTION_TABLE.binWidth.parse, '0'],
    ] as const) {
      expect(() => parse(text), text).toThrow(ReplayError);
    }
  });
});
