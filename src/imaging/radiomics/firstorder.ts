/**
 * First-order (intensity) features, pyradiomics definitions (IBSI "stat" and intensity-histogram "ih").
 */
import type { DiscretisedRoi } from './roi';
import { EPS } from './roi';
import type { RadiomicsSettings } from './types';

/** numpy.percentile with linear interpolation on a sorted array. */
function percentile(sorted: Float64Array, q: number): number {
  const pos = (sorted.length - 1) * (q / 100);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? 0;
  const b = sorted[hi] ?? 0;
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
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const sorted = Float64Array.from(x).sort();
  const p10 = percentile(sorted, 10);
  const p90 = percentile(sorted, 90);
  let rSum = 0;
  let rN = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i] ?? 0;
    if (v >= p10 && v <= p90) {
      rSum += v;
      rN++;
    }
  }
  const rMean = rSum / rN;
  let rmad = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i] ?? 0;
    if (v >= p10 && v <= p90) {rmad += Math.abs(v - rMean);}
  }
  const hist = new Float64Array(roi.ng + 1);
  for (let i = 0; i < n; i++) {
    const l = roi.levels[roi.index[i] ?? 0] ?? 0;
    hist[l] = (hist[l] ?? 0) + 1;
  }
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
    Minimum: sorted[0] ?? 0,
    '10Percentile': p10,
    '90Percentile': p90,
    Maximum: sorted[n - 1] ?? 0,
    Mean: mean,
    Median: percentile(sorted, 50),
    InterquartileRange: percentile(sorted, 75) - percentile(sorted, 25),
    Range: (sorted[n - 1] ?? 0) - (sorted[0] ?? 0),
    MeanAbsoluteDeviation: mad / n,
    RobustMeanAbsoluteDeviation: rN === 0 ? 0 : rmad / rN,
    RootMeanSquared: Math.sqrt(energy / n),
    Skewness: m2 === 0 ? 0 : m3 / Math.pow(m2, 1.5),
    Kurtosis: settings.kurtosis === 'ibsi' ? kurt - 3 : kurt,
    Variance: m2,
    Uniformity: uniformity,
  };
}
