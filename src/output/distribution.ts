/**
 * The distributions of connection lifetime and bytes per connection (the
 * paper's Figure 3; issue 4), kept as integer counts per bin so memory stays
 * flat whatever the number of connections.
 *
 * Log bins (default): 10 per decade, bin k = [10^(k/10), 10^((k+1)/10)) in
 * the metric's unit (seconds, bytes); zero values fall in a first bin
 * [0, smallest edge). Linear bins: [k·w, (k+1)·w) for a decimal width w.
 * Values are integers (ns, bytes) and the linear bin is found exactly; a log
 * bin is found from log10 and corrected against the same edges it prints
 * (6 significant digits), so every value lies in the printed [bin_start,
 * bin_end) of its row: 1.258926 s is above 10^0.1 = 1.2589254… but below
 * the printed 1.25893, so it counts in [1, 1.25893).
 */
import { formatRatio, formatRatioFixed, formatScaled, parseDecimal } from './decimal.js';

export type BinKind = 'log' | 'linear';

/** 10^(k/10) with 6 significant digits, fixed notation, no trailing zeros. */
export function formatSignificant6(x: number): string {
  if (x === 0) return '0';
  const [mantissa, expText] = x.toExponential(5).split('e');
  const exp = Number(expText);
  const digits = mantissa.replace('.', '').replace('-', '');
  let text: string;
  if (exp >= 5) {
    text = digits + '0'.repeat(exp - 5);
  } else if (exp >= 0) {
    text = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  } else {
    text = `0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  return text;
}

/**
 * One metric's histogram. Values are non-negative integers in units of
 * 10^-unitExp of the metric's unit (durations: ns, unitExp 9; bytes: 0).
 */
export class DistributionHistogram {
  readonly counts = new Map<number, number>();
  zeros = 0;
  total = 0;
  /** Sum of the values (integer units; exact while below 2^53). */
  sum = 0;
  max = 0;
  private readonly widthNum: bigint;
  private readonly widthScale: number;
  /** Log bins' printed lower edges and the smallest value in each, by bin number (a few dozen entries). */
  private readonly edgeTexts = new Map<number, string>();
  private readonly lowestValues = new Map<number, number>();

  constructor(
    readonly metric: string,
    readonly kind: BinKind,
    /** Decimal exponent of the value's unit: the value v stands for v·10^-unitExp. */
    readonly unitExp: number,
    /** Decimal width text for linear bins (in the metric's unit). */
    width = '1',
  ) {
    const w = parseDecimal(width);
    if (w === undefined || w.units === 0n) throw new RangeError(`bad bin width ${width}`);
    this.widthNum = w.units;
    this.widthScale = w.scale;
  }

  /** Lower edge of log bin k as printed: 10^(k/10) in the metric's unit, 6 significant digits. */
  private edgeText(k: number): string {
    let text = this.edgeTexts.get(k);
    if (text === undefined) {
      text = formatSignificant6(10 ** (k / 10));
      this.edgeTexts.set(k, text);
    }
    return text;
  }

  /**
   * Smallest value (an integer in value units) in log bin k: the printed edge
   * times 10^unitExp, rounded up — exact, from the edge's decimal text.
   */
  private lowestValue(k: number): number {
    let lowest = this.lowestValues.get(k);
    if (lowest === undefined) {
      const edge = parseDecimal(this.edgeText(k));
      if (edge === undefined) throw new RangeError(`log edge ${this.edgeText(k)} is not plain decimal text`);
      const num = edge.units * 10n ** BigInt(this.unitExp);
      const den = 10n ** BigInt(edge.scale);
      lowest = Number((num + den - 1n) / den);
      this.lowestValues.set(k, lowest);
    }
    return lowest;
  }

  add(value: number): void {
    this.total++;
    this.sum += value;
    if (value > this.max) this.max = value;
    let k: number;
    if (this.kind === 'log') {
      if (value === 0) {
        this.zeros++;
        return;
      }
      // Against the printed edges, not 10^(k/10) itself: the rows' ranges hold their values.
      k = Math.floor(10 * (Math.log10(value) - this.unitExp));
      while (value < this.lowestValue(k)) k--;
      while (value >= this.lowestValue(k + 1)) k++;
    } else {
      // value·10^-unitExp / (widthNum·10^-widthScale) = value·10^widthScale / (widthNum·10^unitExp)
      const q =
        (BigInt(value) * 10n ** BigInt(this.widthScale)) / (this.widthNum * 10n ** BigInt(this.unitExp));
      k = Number(q);
    }
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }

  /** Bins in order: [start text, end text, count] — log: the zero bin first. */
  bins(): Array<[string, string, number]> {
    const out: Array<[string, string, number]> = [];
    if (this.total === 0) return out;
    const keys = [...this.counts.keys()];
    if (this.kind === 'log') {
      if (keys.length === 0) {
        // Only zeros: one bin [0, 1).
        out.push(['0', '1', this.zeros]);
        return out;
      }
      const kMin = Math.min(...keys);
      const kMax = Math.max(...keys);
      out.push(['0', this.edgeText(kMin), this.zeros]);
      for (let k = kMin; k <= kMax; k++) {
        out.push([this.edgeText(k), this.edgeText(k + 1), this.counts.get(k) ?? 0]);
      }
    } else {
      const kMax = Math.max(...keys);
      for (let k = 0; k <= kMax; k++) {
        out.push([
          formatScaled(BigInt(k) * this.widthNum, this.widthScale),
          formatScaled(BigInt(k + 1) * this.widthNum, this.widthScale),
          this.counts.get(k) ?? 0,
        ]);
      }
    }
    return out;
  }

  /**
   * The value at nearest rank ⌈p·n⌉ reported as the upper edge of its bin
   * (text in the metric's unit); '' without values.
   */
  percentile(p: number): string {
    if (this.total === 0) return '';
    const rank = Math.max(1, Math.ceil(p * this.total));
    let seen = 0;
    for (const [, end, count] of this.bins()) {
      seen += count;
      if (seen >= rank) return end;
    }
    return '';
  }

  /** Mean in the metric's unit, 9 decimals for durations, 3 for bytes. */
  meanText(): string {
    if (this.total === 0) return '';
    return formatRatioFixed(BigInt(this.sum), BigInt(this.total) * 10n ** BigInt(this.unitExp), this.unitExp === 0 ? 3 : 9);
  }

  maxText(): string {
    return formatScaled(BigInt(this.max), this.unitExp);
  }
}

export const DISTRIBUTION_COLUMNS = ['metric', 'bin_start', 'bin_end', 'count', 'probability', 'cdf'] as const;

/** Long-form rows of one histogram: metric, bin_start, bin_end, count, probability, cdf (SPEC §6 number rules). */
export function distributionRows(h: DistributionHistogram): string[][] {
  const rows: string[][] = [];
  const total = BigInt(h.total);
  let cumulative = 0n;
  for (const [start, end, count] of h.bins()) {
    cumulative += BigInt(count);
    rows.push([h.metric, start, end, String(count), formatRatio(BigInt(count), total, 12), formatRatio(cumulative, total, 12)]);
  }
  return rows;
}

/** The one-paragraph summary printed on standard error. */
export function distributionSummary(h: DistributionHistogram, unit: string): string {
  if (h.total === 0) return `${h.metric}: no connections\n`;
  return (
    `${h.metric} (${unit}): count ${h.total}, mean ${h.meanText()}, p50 ≤ ${h.percentile(0.5)}, ` +
    `p90 ≤ ${h.percentile(0.9)}, p99 ≤ ${h.percentile(0.99)}, max ${h.maxText()}\n`
  );
}
