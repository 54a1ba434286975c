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

/**
 * One cross-validation repeat's held-out scores: every row's out-of-fold score and the fold that held it out. Rows
 * of different folds were scored by different fitted models.
 */
export interface FoldScores {
  /** Out-of-fold score per row (e.g. the positive-class probability). */
  readonly score: ArrayLike<number>;
  /** Fold index per row (0 … K−1); a negative value leaves the row out of this repeat. */
  readonly fold: ArrayLike<number>;
}

/** Within-fold structural components of one score, averaged over the repeats (see {@link withinFoldAuroc}). */
interface FoldComponents {
  /** Per positive row (in row order among the positives): its placement among its fold's negatives, mean over repeats. */
  readonly v10: Float64Array;
  /** Per negative row: one minus its placement among its fold's positives, mean over repeats. */
  readonly v01: Float64Array;
  /** The estimate: per repeat, the share of concordant case–control pairs within a fold (ties ½), mean over repeats. */
  readonly auc: number;
}

function checkFoldScores(y: ArrayLike<number>, repeats: readonly FoldScores[], caller: string): void {
  if (repeats.length === 0) {
    throw new HealthDataError('invalid-input', `${caller}: no repeat given; pass one { score, fold } per cross-validation repeat`);
  }
  for (const r of repeats) {
    if (r.score.length !== y.length || r.fold.length !== y.length) {
      throw new HealthDataError('invalid-input', `${caller}: ${String(y.length)} labels but ${String(r.score.length)} scores and ${String(r.fold.length)} fold indices; pass one of each per row`);
    }
  }
}

/** The components of {@link FoldComponents} for one score over its repeats. */
function foldComponents(y: ArrayLike<number>, repeats: readonly FoldScores[]): FoldComponents {
  const n = y.length;
  const sum = new Float64Array(n);
  const count = new Int32Array(n);
  let aucSum = 0;
  let aucRepeats = 0;
  for (const rep of repeats) {
    const byFold = new Map<number, { pos: number[]; neg: number[] }>();
    for (let i = 0; i < n; i++) {
      const f = rep.fold[i] as number;
      if (f < 0) {
        continue;
      }
      const g = byFold.get(f) ?? { pos: [], neg: [] };
      byFold.set(f, g);
      (y[i] === 1 ? g.pos : g.neg).push(i);
    }
    let pairs = 0;
    let concordant = 0;
    for (const g of byFold.values()) {
      if (g.pos.length === 0 || g.neg.length === 0) {
        continue;
      }
      const c = components(
        g.pos.map((i) => rep.score[i] as number),
        g.neg.map((j) => rep.score[j] as number),
      );
      g.pos.forEach((i, q) => {
        sum[i] = (sum[i] as number) + (c.v10[q] as number);
        count[i] = (count[i] as number) + 1;
      });
      g.neg.forEach((j, q) => {
        sum[j] = (sum[j] as number) + (c.v01[q] as number);
        count[j] = (count[j] as number) + 1;
      });
      const w = g.pos.length * g.neg.length;
      pairs += w;
      concordant += c.auc * w;
    }
    if (pairs > 0) {
      aucSum += concordant / pairs;
      aucRepeats++;
    }
  }
  const v10: number[] = [];
  const v01: number[] = [];
  for (let i = 0; i < n; i++) {
    if ((count[i] as number) > 0) {
      (y[i] === 1 ? v10 : v01).push((sum[i] as number) / (count[i] as number));
    }
  }
  return { v10: Float64Array.from(v10), v01: Float64Array.from(v01), auc: aucRepeats === 0 ? Number.NaN : aucSum / aucRepeats };
}

/** The `path` of the error thrown when too few rows of a class share a fold with the other class. */
export const TOO_FEW_IN_FOLDS = 'class rows sharing a fold';

/** Throws when a class has fewer than two rows with a component. */
function withinFoldCheck(m: number, n: number, caller: string): void {
  if (m < 2 || n < 2) {
    throw new HealthDataError('invalid-input', `${caller}: need ≥ 2 positives and ≥ 2 negatives sharing a fold with the other class, got ${String(m)} and ${String(n)}`, {
      path: TOO_FEW_IN_FOLDS,
    });
  }
}

/**
 * Cross-validated AUROC estimated **within folds** (Forman & Scholz 2010's AUC averaged per fold, in its pair-weighted
 * form; Airola et al. 2011 compare it with pooling): per repeat, the share of case–control pairs held out in the same
 * fold that the fold's model ranks correctly (ties ½) — each fold's pairs weighted by their number, which with
 * stratified folds is the plain mean of the per-fold AUROCs — then the mean over repeats.
 *
 * Why not pool: pooling every out-of-fold prediction into one ROC curve also ranks a case scored by one fold's model
 * against a control scored by another's. Those cross-fold pairs compare different models' scales, and with a weak
 * signal they are biased low: a fold whose held-out rows carry more of the signal leaves less of it in its training
 * rows, so its model scores them less apart (the negative bias of pooled cross-validation). Measured on the `default`
 * cohort's Alzheimer's genomic set (832 patients, 154 cases): a logistic regression on `apoe_e4` alone, whose
 * AUROC is that of `apoe_e4` (0.579), was estimated at 0.551–0.573 by pooling and 0.578–0.579 within folds
 * (5-fold CV, four seeds). Within-fold pairs are held out from the model that scores them, so the estimate is unbiased
 * for the AUROC of the fold models, which no model can raise above the Bayes-optimal score's (the oracles still bound).
 *
 * Interval: DeLong's variance with each row's structural component taken within its fold (a case's share of its fold's
 * controls ranked below it, and vice versa), averaged over the repeats, centred at the overall mean (so fold-to-fold
 * differences of the fitted models count as variance too); with one fold it is DeLong's interval exactly.
 *
 * @param y - 0/1 labels
 * @param repeats - per repeat, the out-of-fold scores and fold indices
 * @param level - confidence level (default 0.95)
 * @returns the AUROC with its standard error and normal interval (clipped to [0, 1])
 * @throws {@link HealthDataError} (invalid-input) when lengths differ or fewer than 2 rows of a class share a fold with the other class
 * @example
 * ```ts
 * const a = withinFoldAuroc(y, [{ score: oof, fold: foldOfRow }]);
 * console.log(a.value, a.lower, a.upper);
 * ```
 */
export function withinFoldAuroc(y: ArrayLike<number>, repeats: readonly FoldScores[], level = 0.95): { value: number; se: number; lower: number; upper: number } {
  checkFoldScores(y, repeats, 'withinFoldAuroc');
  const c = foldComponents(y, repeats);
  withinFoldCheck(c.v10.length, c.v01.length, 'withinFoldAuroc');
  const se = Math.sqrt(covariance(c.v10, c.v10) / c.v10.length + covariance(c.v01, c.v01) / c.v01.length);
  const z = normalQuantile(1 - (1 - level) / 2);
  return { value: c.auc, se, lower: Math.max(0, c.auc - z * se), upper: Math.min(1, c.auc + z * se) };
}

/**
 * DeLong's paired comparison of two cross-validated scores on the same rows and the **same folds**, each AUROC
 * estimated within folds ({@link withinFoldAuroc}): the difference A − B, its standard error from the covariance of
 * the two scores' within-fold components, a normal interval and a two-sided p-value. With one fold it is
 * {@link pairedDelong} exactly.
 *
 * @param y - 0/1 labels
 * @param a - score A per repeat (out-of-fold scores and fold indices)
 * @param b - score B per repeat, with the same fold indices as A
 * @param level - confidence level (default 0.95)
 * @returns both AUROCs, A − B with its standard error, interval and p-value
 * @throws {@link HealthDataError} (invalid-input) when lengths, repeats or folds differ, or a class is too small
 */
export function pairedWithinFoldDelong(y: ArrayLike<number>, a: readonly FoldScores[], b: readonly FoldScores[], level = 0.95): PairedAurocDifference {
  checkFoldScores(y, a, 'pairedWithinFoldDelong');
  checkFoldScores(y, b, 'pairedWithinFoldDelong');
  if (a.length !== b.length || a.some((r, q) => !sameFolds(r.fold, (b[q] as FoldScores).fold))) {
    throw new HealthDataError('invalid-input', 'pairedWithinFoldDelong: the two scores come from different folds; a paired comparison needs the same folds (same seed, same rows)');
  }
  const ca = foldComponents(y, a);
  const cb = foldComponents(y, b);
  withinFoldCheck(ca.v10.length, ca.v01.length, 'pairedWithinFoldDelong');
  const m = ca.v10.length;
  const n = ca.v01.length;
  const variance =
    (covariance(ca.v10, ca.v10) + covariance(cb.v10, cb.v10) - 2 * covariance(ca.v10, cb.v10)) / m + (covariance(ca.v01, ca.v01) + covariance(cb.v01, cb.v01) - 2 * covariance(ca.v01, cb.v01)) / n;
  const se = Math.sqrt(Math.max(0, variance));
  const difference = ca.auc - cb.auc;
  const z = normalQuantile(1 - (1 - level) / 2);
  const pValue = se === 0 ? (difference === 0 ? 1 : 0) : 2 * (1 - normalCdf(Math.abs(difference) / se));
  return { aurocA: ca.auc, aurocB: cb.auc, difference, se, lower: difference - z * se, upper: difference + z * se, pValue };
}

function sameFolds(f: ArrayLike<number>, g: ArrayLike<number>): boolean {
  if (f.length !== g.length) {
    return false;
  }
  for (let i = 0; i < f.length; i++) {
    if (f[i] !== g[i]) {
      return false;
    }
  }
  return true;
}

/**
 * Standard error of an AUROC measured on a sample of `cases` and `controls` (Hanley & McNeil 1982, Radiology
 * 143:29–36, with their exponential approximations Q₁ = A/(2−A), Q₂ = 2A²/(1+A)): how far a score whose population
 * AUROC is `auc` typically lands on a sample of that size. Used to widen an oracle's Monte Carlo interval to the
 * sampling interval of the population a model was evaluated on.
 *
 * @param auc - the population AUROC (0–1)
 * @param cases - positives in the sample (≥ 1)
 * @param controls - negatives in the sample (≥ 1)
 * @returns the standard error (NaN when a class is empty)
 * @example
 * ```ts
 * hanleyMcNeilSe(0.6, 13, 130); // ≈ 0.085: an oracle of 0.60 on 13 cases may well show 0.45–0.77
 * ```
 */
export function hanleyMcNeilSe(auc: number, cases: number, controls: number): number {
  if (!(cases >= 1 && controls >= 1)) {
    return Number.NaN;
  }
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const v = (auc * (1 - auc) + (cases - 1) * (q1 - auc * auc) + (controls - 1) * (q2 - auc * auc)) / (cases * controls);
  return Math.sqrt(Math.max(0, v));
}

/**
 * A binary cross-validation's repeats as {@link FoldScores}: the positive-class column of each repeat's n × 2
 * out-of-fold probabilities, with that repeat's fold of every row.
 *
 * @param repeatProba - per repeat, the n × 2 out-of-fold probabilities (row-major)
 * @param foldOf - per repeat, each row's fold (−1: not held out in that repeat)
 * @param positive - the positive class's column (default 1)
 * @returns one {@link FoldScores} per repeat
 */
export function binaryFoldScores(repeatProba: readonly ArrayLike<number>[], foldOf: readonly ArrayLike<number>[], positive = 1): FoldScores[] {
  return repeatProba.map((p, r) => ({
    score: Float64Array.from({ length: p.length / 2 }, (_, i) => p[i * 2 + positive] as number),
    fold: foldOf[r] ?? [],
  }));
}
