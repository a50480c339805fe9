/**
 * Issue 8 item 3: the seconds options (--interval, --idle-timeout,
 * --syn-timeout, --from, --to) take any decimal with at most 9 fraction
 * digits up to MAX_SECONDS (10^10 s), resolved exactly to (sec, nsec) pairs;
 * a larger value is refused with an error naming the maximum, exit 2.
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { main } from '../src/cli/main.js';
import { normalizeOptions, secondsOption } from '../src/options.js';
import { MAX_SECONDS, exceedsMaxSeconds, formatSeconds, parseSeconds, parseSecondsToNs } from '../src/time.js';

const SECONDS_OPTIONS = ['--interval', '--idle-timeout', '--syn-timeout', '--from', '--to'] as const;

describe('secondsOption: text → exact (sec, nsec)', () => {
  it.each([
    ['0', { sec: 0, nsec: 0 }],
    ['0.000000001', { sec: 0, nsec: 1 }],
    ['0.5', { sec: 0, nsec: 500_000_000 }],
    ['300', { sec: 300, nsec: 0 }],
    ['1000000000', { sec: 1_000_000_000, nsec: 0 }],
    ['31536000', { sec: 31_536_000, nsec: 0 }],
    // 100 Julian years.
    ['3155760000', { sec: 3_155_760_000, nsec: 0 }],
    ['9999999999.999999999', { sec: 9_999_999_999, nsec: 999_999_999 }],
    ['10000000000', { sec: 10_000_000_000, nsec: 0 }],
    ['0010000000000.000000000', { sec: 10_000_000_000, nsec: 0 }],
    [' 2.25 ', { sec: 2, nsec: 250_000_000 }],
  ])('%s', (text, expected) => {
    expect(secondsOption('--idle-timeout', text, true)).toEqual(expected);
  });

  it('the maximum is 10^10 s (about 317 years, past a century)', () => {
    expect(MAX_SECONDS).toBe(10_000_000_000);
    expect(MAX_SECONDS).toBeGreaterThan(100 * 366 * 86_400);
  });

  it.each([
    ['10000000000.000000001', "'10000000000.000000001' is more than the maximum of 10000000000 seconds"],
    ['10000000001', "'10000000001' is more than the maximum of 10000000000 seconds"],
    ['99999999999999999999999999', "'99999999999999999999999999' is more than the maximum of 10000000000 seconds"],
    ['0.0000000001', "'0.0000000001' is not a number of seconds (at most 9 decimals)"],
    ['1e9', "'1e9' is not a number of seconds (at most 9 decimals)"],
    ['-1', "'-1' is not a number of seconds (at most 9 decimals)"],
    ['.5', "'.5' is not a number of seconds (at most 9 decimals)"],
  ])('%s is refused', (text, problem) => {
    for (const option of SECONDS_OPTIONS) {
      expect(() => secondsOption(option, text, true)).toThrow(expect.objectContaining({ code: 'OPTION_INVALID', message: `option ${option}: ${problem}` }));
    }
  });

  it('numbers are read through their plain decimal text', () => {
    expect(secondsOption('--to', 1e9, true)).toEqual({ sec: 1_000_000_000, nsec: 0 });
    expect(secondsOption('--to', 0.25, true)).toEqual({ sec: 0, nsec: 250_000_000 });
    expect(secondsOption('--to', 1e10, true)).toEqual({ sec: 10_000_000_000, nsec: 0 });
    expect(() => secondsOption('--to', 2e10, true)).toThrow("option --to: '20000000000' is more than the maximum of 10000000000 seconds");
  });

  it('0 is refused where it is not allowed (--interval), with its own message', () => {
    expect(() => secondsOption('--interval', '0.000000000', false)).toThrow('option --interval: must be greater than 0');
    expect(secondsOption('--interval', '0.000000001', false)).toEqual({ sec: 0, nsec: 1 });
  });

  it('every value the ns parser took resolves to the same time (values that parse today parse identically)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_007_199 }), fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: 0, max: 9 }), (sec, nsec, digits) => {
        const fraction = String(nsec).padStart(9, '0').slice(0, digits);
        const text = digits === 0 ? String(sec) : `${sec}.${fraction}`;
        const ns = parseSecondsToNs(text);
        // The ns parser took values below 2^53 ns only.
        fc.pre(!Number.isNaN(ns));
        const d = parseSeconds(text)!;
        expect(BigInt(d.sec) * 1_000_000_000n + BigInt(d.nsec)).toBe(BigInt(ns));
        expect(formatSeconds(d)).toBe(`${sec}.${fraction.padEnd(9, '0')}`);
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it('exceedsMaxSeconds at the edge', () => {
    expect(exceedsMaxSeconds({ sec: MAX_SECONDS, nsec: 0 })).toBe(false);
    expect(exceedsMaxSeconds({ sec: MAX_SECONDS, nsec: 1 })).toBe(true);
    expect(exceedsMaxSeconds({ sec: MAX_SECONDS - 1, nsec: 999_999_999 })).toBe(false);
  });
});

describe('normalizeOptions with large seconds', () => {
  it('resolves every seconds option to a pair', () => {
    const r = normalizeOptions({ interval: '3155760000', idleTimeout: '1000000000', synTimeout: '0', from: '31536000', to: '31536000.000000001' });
    expect(r.interval).toEqual({ sec: 3_155_760_000, nsec: 0 });
    expect(r.idleTimeout).toEqual({ sec: 1_000_000_000, nsec: 0 });
    expect(r.synTimeout).toEqual({ sec: 0, nsec: 0 });
    expect(r.from).toEqual({ sec: 31_536_000, nsec: 0 });
    expect(r.to).toEqual({ sec: 31_536_000, nsec: 1 });
  });

  it('defaults are unchanged: 0.5 s interval, 300 s idle, 60 s SYN, no window', () => {
    const r = normalizeOptions({});
    expect([r.interval, r.idleTimeout, r.synTimeout, r.from, r.to]).toEqual([
      { sec: 0, nsec: 500_000_000 },
      { sec: 300, nsec: 0 },
      { sec: 60, nsec: 0 },
      undefined,
      undefined,
    ]);
  });

  it('--to must be after --from, compared exactly at large values', () => {
    expect(() => normalizeOptions({ from: '9999999999.999999999', to: '9999999999.999999999' })).toThrow('option --to: must be after --from');
    expect(() => normalizeOptions({ from: '9999999999.999999999', to: '9999999999.999999998' })).toThrow('option --to: must be after --from');
    expect(normalizeOptions({ from: '9999999999.999999999', to: '10000000000' }).to).toEqual({ sec: 10_000_000_000, nsec: 0 });
  });
});

describe('the CLI: too large is a usage error (exit 2) naming the maximum', () => {
  let stderr: MockInstance;
  beforeEach(() => {
    stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    [['--idle-timeout', '10000000000.5'], "option --idle-timeout: '10000000000.5' is more than the maximum of 10000000000 seconds"],
    [['--syn-timeout', '20000000000'], "option --syn-timeout: '20000000000' is more than the maximum of 10000000000 seconds"],
    [['--interval', '10000000001'], "option --interval: '10000000001' is more than the maximum of 10000000000 seconds"],
    [['--from', '1', '--to', '10000000000.000000001'], "option --to: '10000000000.000000001' is more than the maximum of 10000000000 seconds"],
    [['connections', '/nonexistent/x.pcap', '--from', '10000000001'], "option --from: '10000000001' is more than the maximum of 10000000000 seconds"],
  ])('%j', async (args, message) => {
    const argv = args[0] === 'connections' ? ['node', 'anycast-replay', ...args, '-q'] : ['node', 'anycast-replay', '/nonexistent/x.pcap', ...args, '-q'];
    expect(await main(argv)).toBe(2);
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toBe(`anycast-replay: ${message} (see --help)\n`);
  });
});
