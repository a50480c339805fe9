/**
 * Integer counts per histogram bin (SPEC §5–§6). Bin k holds the imbalances
 * in [k·width, (k+1)·width). Counts are integers stored in a Float64Array
 * (exact to 2^53), grown by doubling up to the largest bin seen; memory
 * depends on the largest imbalance (at most N, so N / width + 1 bins), never
 * on the number of samples.
 */
import { grown } from '../typed-array.js';

const INITIAL_BINS = 128;

export class Histogram {
  private counts = new Float64Array(INITIAL_BINS);
  /** Highest non-empty bin, −1 while empty. */
  lastBin = -1;
  /** Sum of all counts. */
  total = 0;

  /** Adds `times` (≥ 1) samples to bin `bin` (≥ 0). */
  add(bin: number, times: number): void {
    if (bin >= this.counts.length) this.grow(bin);
    this.counts[bin] += times;
    this.total += times;
    if (bin > this.lastBin) this.lastBin = bin;
  }

  /** The count of bin `bin` (0 beyond the last bin). */
  count(bin: number): number {
    return bin < this.counts.length ? this.counts[bin] : 0;
  }

  /** The counts of bins 0 … lastBin (a view, valid until the next `add`). */
  binCounts(): Float64Array {
    return this.counts.subarray(0, this.lastBin + 1);
  }

  /**
   * The bin holding the `rank`-th smallest sample (1 ≤ rank ≤ total), by
   * cumulative counts; −1 when rank is out of range.
   */
  binOfRank(rank: number): number {
    if (!(rank >= 1 && rank <= this.total)) return -1;
    let cumulative = 0;
    for (let bin = 0; bin <= this.lastBin; bin++) {
      cumulative += this.counts[bin];
      if (cumulative >= rank) return bin;
    }
    return -1;
  }

  private grow(bin: number): void {
    let size = this.counts.length;
    while (size <= bin) size *= 2;
    this.counts = grown(this.counts, size);
  }
}
