/**
 * Data-driven histogram bins for the dashboard's distributions (labs, vitals, radiomic features): the
 * Freedman–Diaconis width (2·IQR·n^-1/3), rounded to a readable step (1, 2, 2.5 or 5 × 10^k), over a range that
 * ignores the farthest 1 % on each side when a few outliers would otherwise squash every patient into one bin.
 * Values outside the drawn range are counted in the first or last bin, so the counts always add up to the patients.
 */
import type { HistogramBins } from './stats';

/** Options of {@link freedmanDiaconisBins}. */
export interface BinningOptions {
  /** Most bins (default 60). */
  readonly maxBins?: number;
  /** Fewest bins when the data spread allows it (default 1). */
  readonly minBins?: number;
}

/**
 * The q-quantile of sorted values (linear interpolation, as R type 7 / numpy's default).
 *
 * @param sorted - ascending finite numbers (at least one)
 * @param q - in [0, 1]
 * @returns the quantile
 */
export function sortedQuantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const a = sorted[lo] ?? NaN;
  const b = sorted[Math.min(sorted.length - 1, lo + 1)] ?? a;
  return a + (b - a) * (pos - lo);
}

/**
 * Rounds a positive step up to 1, 2, 2.5 or 5 times a power of ten.
 *
 * @param step - a positive width
 * @returns the readable width (≥ step)
 */
export function niceStep(step: number): number {
  const p = 10 ** Math.floor(Math.log10(step));
  for (const m of [1, 2, 2.5, 5, 10]) {
    // The small tolerance keeps 0.3 from becoming 0.5 because 0.3 / 0.1 is 2.9999999999999996.
    if (m * p >= step * (1 - 1e-9)) {
      return m * p;
    }
  }
  return 10 * p;
}

function binsOver(lo: number, hi: number, width: number): HistogramBins {
  const start = Math.floor(lo / width) * width;
  // The maximum may sit exactly on the last edge: it belongs to the last bin (clampedBinIndex).
  return { start, size: width, count: Math.max(1, Math.ceil((hi - start) / width - 1e-9)) };
}

/**
 * Chooses bins for one value per patient: Freedman–Diaconis width rounded to a readable step, aligned to a multiple
 * of it. When the full range would need more than `maxBins` such bins (a few extreme values), the range is cut to
 * the 1st–99th percentiles and the values beyond fall into the edge bins ({@link clampedBinIndex}).
 *
 * @param values - numbers (NaN and ±Infinity ignored)
 * @param options - bin count limits
 * @returns the bins, or undefined when no value is finite
 */
export function freedmanDiaconisBins(values: Iterable<number>, options: BinningOptions = {}): HistogramBins | undefined {
  const maxBins = Math.max(1, options.maxBins ?? 60);
  const minBins = Math.min(maxBins, Math.max(1, options.minBins ?? 1));
  const sorted = [...values].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) {
    return undefined;
  }
  const min = sorted[0] ?? 0;
  const max = sorted[n - 1] ?? 0;
  if (!(max > min)) {
    return { start: min - 0.5, size: 1, count: 1 };
  }
  const iqr = sortedQuantile(sorted, 0.75) - sortedQuantile(sorted, 0.25);
  let lo = min;
  let hi = max;
  // Half the values tied (IQR 0): fall back to the square-root rule over the inner range.
  const raw = (range: number): number => (iqr > 0 ? 2 * iqr * n ** (-1 / 3) : range / Math.ceil(Math.sqrt(n)));
  if ((hi - lo) / raw(hi - lo) > maxBins) {
    lo = sortedQuantile(sorted, 0.01);
    hi = sortedQuantile(sorted, 0.99);
    if (!(hi > lo)) {
      lo = min;
      hi = max;
    }
  }
  const range = hi - lo;
  const width = niceStep(Math.min(range / minBins, Math.max(raw(range), range / maxBins)));
  let bins = binsOver(lo, hi, width);
  if (bins.count > maxBins) {
    bins = binsOver(lo, hi, niceStep((range / maxBins) * 1.000001));
  }
  return bins;
}

/**
 * The bin a value falls in; values below the first edge count in the first bin, above the last edge in the last.
 *
 * @param v - a finite number
 * @param edges - the bins
 * @returns the bin index, or -1 for a non-finite value
 */
export function clampedBinIndex(v: number, edges: HistogramBins): number {
  if (!Number.isFinite(v)) {
    return -1;
  }
  const i = Math.floor((v - edges.start) / edges.size);
  return Math.min(edges.count - 1, Math.max(0, i));
}

/**
 * Counts values into bins with {@link clampedBinIndex} (every finite value is counted once).
 *
 * @param values - numbers
 * @param edges - the bins
 * @returns one count per bin
 */
export function clampedBinCounts(values: Iterable<number>, edges: HistogramBins): number[] {
  const counts = new Array<number>(edges.count).fill(0);
  for (const v of values) {
    const i = clampedBinIndex(v, edges);
    if (i >= 0) {
      counts[i] = (counts[i] ?? 0) + 1;
    }
  }
  return counts;
}
