/**
 * DeLong's test for two correlated ROC curves (DeLong, DeLong & Clarke-Pearson 1988, Biometrics 44:837–845): the
 * difference of two AUROCs measured on the **same** patients, with a standard error from the covariance of the two
 * scores' structural components, a normal 95% interval and a two-sided p-value. This is the paired comparison the
 * modality tables use: two modality sets scored on one set of patients share most of their sampling noise, so their
 * difference is far more precise than two independent intervals suggest.
 */
import { HealthDataError } from '../errors';
import { midranks as midranksOf, normalQuantile } from './metrics';

const midranks = (values: readonly number[]): Float64Array => midranksOf(Float64Array.from(values));

/** A paired AUROC difference (A − B) with its interval. */
export interface PairedAurocDifference {
  /** AUROC of score A. */
  readonly aurocA: number;
  /** AUROC of score B. */
  readonly aurocB: number;
  /** A − B. */
  readonly difference: number;
  /** Standard error of the difference. */
  readonly se: number;
  /** Lower bound of the interval. */
  readonly lower: number;
  /** Upper bound of the interval. */
  readonly upper: number;
  /** Two-sided p-value of "no difference" (1 when the two scores rank every pair alike). */
  readonly pValue: number;
}

/** Structural components of one score: V10 per positive, V01 per negative, and the AUROC. */
function components(pos: readonly number[], neg: readonly number[]): { v10: Float64Array; v01: Float64Array; auc: number } {
  const m = pos.length;
  const n = neg.length;
  const tz = midranks([...pos, ...neg]);
  const tx = midranks(pos);
  const ty = midranks(neg);
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < m; i++) {
    v10[i] = ((tz[i] as number) - (tx[i] as number)) / n;
    sum += v10[i] as number;
  }
  for (let j = 0; j < n; j++) {
    v01[j] = 1 - ((tz[m + j] as number) - (ty[j] as number)) / m;
  }
  return { v10, v01, auc: sum / m };
}

function covariance(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] as number;
    mb += b[i] as number;
  }
  ma /= n;
  mb /= n;
  let s = 0;
  for (let i = 0; i < n; i++) {
    s += ((a[i] as number) - ma) * ((b[i] as number) - mb);
  }
  return s / (n - 1);
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 via erf; |error| < 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/**
 * DeLong's paired comparison of two scores on the same labelled rows.
 *
 * @param y - 0/1 labels
 * @param scoreA - first score (e.g. the all-three set's out-of-fold probabilities)
 * @param scoreB - second score on the same rows in the same order (e.g. clinical-only)
 * @param level - confidence level (default 0.95)
 * @returns both AUROCs, A − B with its standard error, interval and two-sided p-value
 * @throws {@link HealthDataError} (invalid-input) when lengths differ or a class has fewer than 2 rows
 * @example
 * ```ts
 * const d = pairedDelong(y, allThree.score, clinical.score);
 * console.log(d.difference, d.lower, d.upper);
 * ```
 */
export function pairedDelong(y: ArrayLike<number>, scoreA: ArrayLike<number>, scoreB: ArrayLike<number>, level = 0.95): PairedAurocDifference {
  if (scoreA.length !== y.length || scoreB.length !== y.length) {
    throw new HealthDataError('invalid-input', `pairedDelong: ${String(y.length)} labels but ${String(scoreA.length)} and ${String(scoreB.length)} scores; both scores must be on the same rows`);
  }
  const posA: number[] = [];
  const negA: number[] = [];
  const posB: number[] = [];
  const negB: number[] = [];
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 1) {
      posA.push(scoreA[i] as number);
      posB.push(scoreB[i] as number);
    } else {
      negA.push(scoreA[i] as number);
      negB.push(scoreB[i] as number);
    }
  }
  if (posA.length < 2 || negA.length < 2) {
    throw new HealthDataError('invalid-input', `pairedDelong: need ≥ 2 positives and ≥ 2 negatives, got ${String(posA.length)} and ${String(negA.length)}`);
  }
  const a = components(posA, negA);
  const b = components(posB, negB);
  const m = posA.length;
  const n = negA.length;
  const variance = (covariance(a.v10, a.v10) + covariance(b.v10, b.v10) - 2 * covariance(a.v10, b.v10)) / m + (covariance(a.v01, a.v01) + covariance(b.v01, b.v01) - 2 * covariance(a.v01, b.v01)) / n;
  const se = Math.sqrt(Math.max(0, variance));
  const difference = a.auc - b.auc;
  const z = normalQuantile(1 - (1 - level) / 2);
  const pValue = se === 0 ? (difference === 0 ? 1 : 0) : 2 * (1 - normalCdf(Math.abs(difference) / se));
  return { aurocA: a.auc, aurocB: b.auc, difference, se, lower: difference - z * se, upper: difference + z * se, pValue };
}
