/**
 * First-order (intensity) features, pyradiomics definitions (IBSI "stat" and intensity-histogram "ih").
 */
import type { DiscretisedRoi } from './roi';
import { EPS } from './roi';
import type { RadiomicsSettings } from './types';

/** The k-th smallest value (0-based) of a sample. */
type OrderStatistic = (k: number) => number;

/**
 * Order statistics of the values: by counting when they are integers over a modest range (MR and CT intensities;
 * linear time), else by sorting.
 */
function orderStatistics(x: Float64Array): OrderStatistic {
  let lo = Infinity;
  let hi = -Infinity;
  let integral = true;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] ?? 0;
    if (v < lo) {
      lo = v;
    }
    if (v > hi) {
      hi = v;
    }
    if (integral && !Number.isInteger(v)) {
      integral = false;
    }
  }
  if (integral && hi - lo < 1 << 22 && hi - lo < 4 * x.length + 1024) {
    const cum = new Int32Array(hi - lo + 2);
    for (let i = 0; i < x.length; i++) {
      const c = (x[i] ?? 0) - lo + 1;
      cum[c] = (cum[c] ?? 0) + 1;
    }
    for (let c = 1; c < cum.length; c++) {
      cum[c] = (cum[c] ?? 0) + (cum[c - 1] ?? 0);
    }
    // cum[c] = number of values < lo + c; the k-th value is lo + (first c with cum[c + 1] > k)
    return (k) => {
      let a = 0;
      let b = cum.length - 2;
      while (a < b) {
        const m = (a + b) >> 1;
        if ((cum[m + 1] ?? 0) > k) {
          b = m;
        } else {
          a = m + 1;
        }
      }
      return lo + a;
    };
  }
  const sorted = Float64Array.from(x).sort();
  return (k) => sorted[k] ?? 0;
}

/** Sum, energy (with the shift), central moments 2–4 (divided by n) and the summed absolute deviation. */
function moments(x: Float64Array, shift: number): Float64Array {
  const n = x.length;
  let sum = 0;
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i] ?? 0;
    sum += v;
    energy += (v + shift) * (v + shift);
  }
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  let mad = 0;
  for (let i = 0; i < n; i++) {
    const d = (x[i] ?? 0) - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
    mad += Math.abs(d);
  }
  return Float64Array.of(sum, energy, m2 / n, m3 / n, m4 / n, mad);
}

/** Count and summed absolute deviation from their mean of the values within [p10, p90]. */
function robustDeviation(x: Float64Array, p10: number, p90: number): [number, number] {
  const n = x.length;
  let rSum = 0;
  let rN = 0;
  // without branches (whether a value is inside is unpredictable): an outside value adds exactly 0
  for (let i = 0; i < n; i++) {
    const v = x[i] ?? 0;
    const inside = (v >= p10 ? 1 : 0) & (v <= p90 ? 1 : 0);
    rSum += v * inside;
    rN += inside;
  }
  const rMean = rSum / rN;
  let rmad = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i] ?? 0;
    rmad += Math.abs(v - rMean) * ((v >= p10 ? 1 : 0) & (v <= p90 ? 1 : 0));
  }
  return [rN, rmad];
}

/** Voxel count per grey level (index = level). */
function histogram(roi: DiscretisedRoi): Float64Array {
  const hist = new Float64Array(roi.ng + 1);
  const code = roi.code;
  const present = roi.present;
  const index = roi.index;
  for (let i = 0, n = roi.count; i < n; i++) {
    const l = present[(code[index[i] ?? 0] ?? 0) - 1] ?? 0;
    hist[l] = (hist[l] ?? 0) + 1;
  }
  return hist;
}

/** numpy.percentile with linear interpolation. */
function percentile(at: OrderStatistic, n: number, q: number): number {
  const pos = (n - 1) * (q / 100);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = at(lo);
  const b = at(hi);
  return a + (b - a) * (pos - lo);
}

/**
 * Computes the first-order features.
 *
 * @param roi - discretised region
 * @param settings - voxelArrayShift and kurtosis convention
 * @returns features named as pyradiomics (without the `original_firstorder_` prefix)
 */
export function firstOrderFeatures(roi: DiscretisedRoi, settings: RadiomicsSettings = {}): Record<string, number> {
  const x = roi.values;
  const n = x.length;
  const shift = settings.voxelArrayShift ?? 0;
  const voxelVolume = roi.spacingMm[0] * roi.spacingMm[1] * roi.spacingMm[2];
  const [sum = 0, energy = 0, m2 = 0, m3 = 0, m4 = 0, mad = 0] = moments(x, shift);
  const mean = sum / n;
  const at = orderStatistics(x);
  const p10 = percentile(at, n, 10);
  const p90 = percentile(at, n, 90);
  const min = at(0);
  const max = at(n - 1);
  const [rN, rmad] = robustDeviation(x, p10, p90);
  const hist = histogram(roi);
  let entropy = 0;
  let uniformity = 0;
  for (const c of hist) {
    if (c > 0) {
      const p = c / n;
      entropy -= p * Math.log2(p + EPS);
      uniformity += p * p;
    }
  }
  const kurt = m2 === 0 ? 0 : m4 / (m2 * m2);
  return {
    Energy: energy,
    TotalEnergy: energy * voxelVolume,
    Entropy: entropy,
    Minimum: min,
    '10Percentile': p10,
    '90Percentile': p90,
    Maximum: max,
    Mean: mean,
    Median: percentile(at, n, 50),
    InterquartileRange: percentile(at, n, 75) - percentile(at, n, 25),
    Range: max - min,
    MeanAbsoluteDeviation: mad / n,
    RobustMeanAbsoluteDeviation: rN === 0 ? 0 : rmad / rN,
    RootMeanSquared: Math.sqrt(energy / n),
    Skewness: m2 === 0 ? 0 : m3 / Math.pow(m2, 1.5),
    Kurtosis: settings.kurtosis === 'ibsi' ? kurt - 3 : kurt,
    Variance: m2,
    Uniformity: uniformity,
  };
}
