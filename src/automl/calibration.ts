/**
 * Platt scaling (Platt 1999): a one-feature logistic regression of the label on the logit of a model's probability,
 * fitted on validation predictions the model never trained on (out-of-fold, or the holdout). It is monotone, so it
 * leaves AUROC within one fit unchanged, but it puts every fit's probabilities on a calibrated scale: cross-validation
 * pools out-of-fold predictions from different fits, where one fold's ensemble and another fold's logistic model
 * would otherwise rank patients on different scales, and the reliability curve and Brier score describe real risks.
 * Platt's smoothed targets ((N₊ + 1)/(N₊ + 2) and 1/(N₋ + 2)) keep the fit finite on separable or tiny samples.
 */

/** A fitted Platt scaling: p' = σ(a · logit(p) + b). */
export interface PlattScaling {
  /** The model it calibrates. */
  readonly model: string;
  /** Slope on the logit. */
  readonly a: number;
  /** Intercept. */
  readonly b: number;
}

// Probabilities are clipped to [1e-6, 1 − 1e-6] before the logit (|logit| ≤ 13.8): a forest's hard 0s and 1s
// would otherwise dominate the fit.
const EPS = 1e-6;

function logit(p: number): number {
  const q = Math.min(1 - EPS, Math.max(EPS, p));
  return Math.log(q / (1 - q));
}

/**
 * Fits Platt scaling by Newton's method on the smoothed targets.
 *
 * @param y - 0/1 labels
 * @param p - positive-class probabilities
 * @returns slope and intercept, or undefined when a class is absent (nothing to calibrate on) or the fitted slope is
 *   not positive (the scaling would flatten or invert the ranking)
 * @example
 * ```ts
 * const s = fitPlatt([0, 0, 1, 1], [0.3, 0.4, 0.6, 0.7]);
 * applyPlatt(s!, 0.6); // a calibrated probability
 * ```
 */
export function fitPlatt(y: ArrayLike<number>, p: ArrayLike<number>): { a: number; b: number } | undefined {
  const n = y.length;
  let nPos = 0;
  for (let i = 0; i < n; i++) {
    nPos += y[i] === 1 ? 1 : 0;
  }
  if (nPos === 0 || nPos === n) {
    return undefined;
  }
  const hi = (nPos + 1) / (nPos + 2);
  const lo = 1 / (n - nPos + 2);
  const f = Float64Array.from({ length: n }, (_, i) => logit(p[i] as number));
  const t = Float64Array.from({ length: n }, (_, i) => (y[i] === 1 ? hi : lo));
  const loss = (a: number, b: number): number => {
    let l = 0;
    for (let i = 0; i < n; i++) {
      const z = a * (f[i] as number) + b;
      // Cross-entropy with soft targets, in a form that cannot overflow: log(1 + e^z) − t·z.
      l += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - (t[i] as number) * z;
    }
    return l / n;
  };
  let a = 1;
  let b = 0;
  let current = loss(a, b);
  for (let it = 0; it < 100; it++) {
    // Newton step on the mean cross-entropy in (a, b), with a tiny ridge, then backtracking until the loss drops.
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < n; i++) {
      const fi = f[i] as number;
      const q = 1 / (1 + Math.exp(-(a * fi + b)));
      const r = q - (t[i] as number);
      const w = q * (1 - q);
      ga += r * fi;
      gb += r;
      haa += w * fi * fi;
      hab += w * fi;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) {
      break;
    }
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    let step = 1;
    let next = loss(a - da, b - db);
    while (next > current && step > 1e-6) {
      step /= 2;
      next = loss(a - step * da, b - step * db);
    }
    if (next > current) {
      break;
    }
    a -= step * da;
    b -= step * db;
    const gain = current - next;
    current = next;
    if (gain < 1e-12) {
      break;
    }
  }
  // A slope ≤ 0 would flatten or invert the model's ranking: leave such a model uncalibrated.
  return Number.isFinite(a) && Number.isFinite(b) && a > 0 ? { a, b } : undefined;
}

/**
 * Applies a Platt scaling to one probability.
 *
 * @param s - slope and intercept
 * @param p - a positive-class probability
 * @returns the calibrated probability
 */
export function applyPlatt(s: { readonly a: number; readonly b: number }, p: number): number {
  return 1 / (1 + Math.exp(-(s.a * logit(p) + s.b)));
}
