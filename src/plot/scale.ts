/**
 * Scales (data → pixels) and their ticks. Linear ticks are "nice": steps of
 * 1, 2 or 5 × 10^k, each tick computed as k·step from an integer k and
 * printed with the step's decimals, so no `0.30000000000000004` reaches a
 * label. Log ticks sit at powers of 10 (every decade, or every few decades
 * over a wide range), with unlabelled minor ticks at 2…9 × 10^k.
 */

export interface Tick {
  readonly value: number;
  /** Empty for a minor (unlabelled) tick. */
  readonly label: string;
  readonly major: boolean;
}

export interface Scale {
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  /** Pixel position of a data value. */
  at(value: number): number;
  ticks(): Tick[];
}

/** A nice step for about `target` intervals over `span`: 1, 2 or 5 × 10^k. Returns [step, decimals, k]. */
export function niceStep(span: number, target: number): [number, number, number] {
  if (!(span > 0)) return [1, 0, 0];
  const raw = span / target;
  const e = Math.floor(Math.log10(raw));
  const f = raw / 10 ** e;
  let m: number;
  let exp = e;
  if (f < 1.5) m = 1;
  else if (f < 3) m = 2;
  else if (f < 7) m = 5;
  else {
    m = 1;
    exp = e + 1;
  }
  const step = exp >= 0 ? m * 10 ** exp : m / 10 ** -exp;
  return [step, Math.max(0, -exp), exp];
}

const SI_UNITS: readonly [number, string][] = [
  [9, 'G'],
  [6, 'M'],
  [3, 'k'],
];

/**
 * Ticks k·step within [lo, hi] (a tick within a millionth of a step outside
 * the ends counts as inside). With `si`, labels of an axis reaching 10 000 are
 * shortened with k, M or G (`2.5M`), so large byte counts fit the margin.
 */
export function linearTicks(lo: number, hi: number, target = 6, si = false): Tick[] {
  const [step, decimals, exp] = niceStep(hi - lo, target);
  let unitExp = 0;
  let suffix = '';
  if (si) {
    const top = Math.max(Math.abs(lo), Math.abs(hi));
    for (const [e, s] of SI_UNITS) {
      if (top >= 10 ** (e + 1)) {
        unitExp = e;
        suffix = s;
        break;
      }
    }
  }
  const labelDecimals = Math.max(0, unitExp - exp);
  const eps = step * 1e-6;
  const ticks: Tick[] = [];
  for (let k = Math.ceil((lo - eps) / step); k * step <= hi + eps; k++) {
    const value = decimals > 0 ? Number((k * step).toFixed(decimals)) : k * step;
    let label = (unitExp > 0 ? value / 10 ** unitExp : value).toFixed(unitExp > 0 ? labelDecimals : decimals);
    // No trailing zeros, as in the CSVs: 1, 1.5, 2 rather than 1.0, 1.5, 2.0.
    if (label.includes('.')) label = label.replace(/0+$/, '').replace(/\.$/, '');
    if (label === '-0') label = '0';
    ticks.push({ value, label: value === 0 ? '0' : label + suffix, major: true });
  }
  return ticks;
}

/**
 * The upper end of a linear axis from 0 whose largest value is `max`: the
 * first nice tick at or above it, so the top gridline is labelled.
 */
export function niceCeil(max: number, target = 5): number {
  if (!(max > 0)) return 1;
  const [step, decimals] = niceStep(max, target);
  return Number((Math.ceil(max / step - 1e-9) * step).toFixed(decimals));
}

export class LinearScale implements Scale {
  constructor(
    readonly domain: readonly [number, number],
    readonly range: readonly [number, number],
    private readonly tickTarget = 6,
    /** Shorten large labels with k, M, G. */
    private readonly si = false,
  ) {}

  at(value: number): number {
    const [d0, d1] = this.domain;
    const [r0, r1] = this.range;
    if (d1 === d0) return r0;
    return r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
  }

  ticks(): Tick[] {
    return linearTicks(this.domain[0], this.domain[1], this.tickTarget, this.si);
  }
}

/** 10^k as a tick label: plain decimals from 0.001 to 10000, otherwise `1e-6`, `1e5`. */
export function powerLabel(k: number): string {
  if (k >= 0 && k <= 4) return '1' + '0'.repeat(k);
  if (k < 0 && k >= -3) return '0.' + '0'.repeat(-k - 1) + '1';
  return `1e${k}`;
}

export class LogScale implements Scale {
  private readonly l0: number;
  private readonly l1: number;

  constructor(
    readonly domain: readonly [number, number],
    readonly range: readonly [number, number],
  ) {
    if (!(domain[0] > 0) || !(domain[1] > domain[0])) throw new RangeError(`bad log domain ${domain[0]}..${domain[1]}`);
    this.l0 = Math.log10(domain[0]);
    this.l1 = Math.log10(domain[1]);
  }

  at(value: number): number {
    const [r0, r1] = this.range;
    return r0 + ((Math.log10(value) - this.l0) / (this.l1 - this.l0)) * (r1 - r0);
  }

  ticks(): Tick[] {
    const kLo = Math.ceil(this.l0 - 1e-9);
    const kHi = Math.floor(this.l1 + 1e-9);
    const decades = kHi - kLo;
    // About 8 labels at most: every decade, or every 2nd, 3rd… over a wide range.
    const every = Math.max(1, Math.ceil(decades / 8));
    const ticks: Tick[] = [];
    const minors = decades <= 6;
    for (let k = Math.floor(this.l0) ; k <= kHi; k++) {
      if (k >= kLo && (k - kLo) % every === 0) ticks.push({ value: 10 ** k, label: powerLabel(k), major: true });
      else if (k >= kLo) ticks.push({ value: 10 ** k, label: '', major: false });
      if (!minors) continue;
      for (let m = 2; m <= 9; m++) {
        const v = m * 10 ** k;
        if (v >= this.domain[0] * (1 - 1e-9) && v <= this.domain[1] * (1 + 1e-9)) ticks.push({ value: v, label: '', major: false });
      }
    }
    return ticks.sort((a, b) => a.value - b.value);
  }
}

/** The decade-aligned log domain holding [lo, hi] (both > 0). */
export function decadeDomain(lo: number, hi: number): [number, number] {
  const a = Math.floor(Math.log10(lo) + 1e-9);
  let b = Math.ceil(Math.log10(hi) - 1e-9);
  if (b <= a) b = a + 1;
  return [10 ** a, 10 ** b];
}
