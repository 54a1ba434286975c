/**
 * Numerics of the oracles (oracle.ts): a ridge-stabilised logistic regression fitted by Newton–Raphson (IRLS) and the
 * AUROC with its DeLong 95 % confidence interval. Small, dependency-free and deterministic.
 */

/** An AUROC with its 95 % confidence interval. */
export interface AurocEstimate {
  /** Area under the ROC curve (Mann–Whitney, ties counted half). */
  readonly auroc: number;
  /** Lower 95 % bound (DeLong), clipped to [0, 1]. */
  readonly lower: number;
  /** Upper 95 % bound (DeLong), clipped to [0, 1]. */
  readonly upper: number;
}

/**
 * AUROC and its DeLong 95 % CI (the variance of the Mann–Whitney statistic from its placement values).
 * Scores of −Infinity are allowed (certain negatives).
 *
 * @param scores - one score per patient
 * @param labels - 1 = case, 0 = control
 * @returns the estimate; NaN fields when a class is empty
 */
export function aurocWithCi(scores: Float64Array, labels: Uint8Array): AurocEstimate {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number) || a - b);
  // Midranks within all, within cases and within controls (ties counted half).
  const rankAll = new Float64Array(n);
  const rankOwn = new Float64Array(n);
  let nPos = 0;
  let i = 0;
  let seenPos = 0;
  let seenNeg = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1] as number] === scores[order[i] as number]) {
      j++;
    }
    let pos = 0;
    for (let k = i; k <= j; k++) {
      pos += labels[order[k] as number] === 1 ? 1 : 0;
    }
    const neg = j - i + 1 - pos;
    for (let k = i; k <= j; k++) {
      const idx = order[k] as number;
      rankAll[idx] = (i + j) / 2 + 1;
      rankOwn[idx] = labels[idx] === 1 ? seenPos + (pos + 1) / 2 : seenNeg + (neg + 1) / 2;
    }
    seenPos += pos;
    seenNeg += neg;
    nPos += pos;
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) {
    return { auroc: Number.NaN, lower: Number.NaN, upper: Number.NaN };
  }
  // Placement of a case: share of controls below it; of a control: share of cases above it.
  let sumV10 = 0;
  let sumV10sq = 0;
  let sumV01 = 0;
  let sumV01sq = 0;
  for (let k = 0; k < n; k++) {
    const below = (rankAll[k] as number) - (rankOwn[k] as number);
    if (labels[k] === 1) {
      const v = below / nNeg;
      sumV10 += v;
      sumV10sq += v * v;
    } else {
      const v = 1 - below / nPos;
      sumV01 += v;
      sumV01sq += v * v;
    }
  }
  const auc = sumV10 / nPos;
  const var10 = nPos > 1 ? (sumV10sq - (sumV10 * sumV10) / nPos) / (nPos - 1) : 0;
  const var01 = nNeg > 1 ? (sumV01sq - (sumV01 * sumV01) / nNeg) / (nNeg - 1) : 0;
  const se = Math.sqrt(Math.max(0, var10 / nPos + var01 / nNeg));
  return { auroc: auc, lower: Math.max(0, auc - 1.96 * se), upper: Math.min(1, auc + 1.96 * se) };
}

/**
 * Fits a logistic regression with an intercept by Newton–Raphson, with a small ridge penalty (not on the intercept)
 * so that separable data still converge. Columns are standardised internally.
 *
 * @param x - rows × columns design matrix, row-major (`x[r * cols + c]`)
 * @param cols - number of columns
 * @param y - the response per row: 0/1 labels, or probabilities (a fractional-response fit of the same mean)
 * @param rows - row indices to fit on
 * @param ridge - penalty on the standardised coefficients (default 10⁻⁶ × rows)
 * @returns a scorer: the linear predictor of any row of `x`
 */
export function fitLogistic(x: Float64Array, cols: number, y: ArrayLike<number>, rows: readonly number[], ridge = 1e-6 * rows.length): (r: number) => number {
  const p = cols + 1;
  const mean = new Float64Array(cols);
  const sd = new Float64Array(cols).fill(1);
  for (let c = 0; c < cols; c++) {
    let s = 0;
    let s2 = 0;
    for (const r of rows) {
      const v = x[r * cols + c] as number;
      s += v;
      s2 += v * v;
    }
    const m = s / rows.length;
    mean[c] = m;
    const v = s2 / rows.length - m * m;
    sd[c] = v > 1e-12 ? Math.sqrt(v) : 1;
  }
  // Standardised fit rows, once: row-major, with a leading 1 for the intercept.
  const m = rows.length;
  const zs = new Float64Array(m * p);
  rows.forEach((r, i) => {
    zs[i * p] = 1;
    for (let c = 0; c < cols; c++) {
      zs[i * p + c + 1] = ((x[r * cols + c] as number) - (mean[c] as number)) / (sd[c] as number);
    }
  });
  const beta = new Float64Array(p);
  const h = new Float64Array(p * p);
  const g = new Float64Array(p);
  for (let iter = 0; iter < 25; iter++) {
    h.fill(0);
    g.fill(0);
    for (let i = 0; i < m; i++) {
      const o = i * p;
      let e = 0;
      for (let k = 0; k < p; k++) {
        e += (beta[k] as number) * (zs[o + k] as number);
      }
      const mu = 1 / (1 + Math.exp(-e));
      const w = Math.max(mu * (1 - mu), 1e-10);
      const resid = (y[rows[i] as number] as number) - mu;
      for (let a = 0; a < p; a++) {
        const va = zs[o + a] as number;
        g[a] = (g[a] as number) + resid * va;
        const wa = w * va;
        const ha = a * p;
        for (let b = a; b < p; b++) {
          h[ha + b] = (h[ha + b] as number) + wa * (zs[o + b] as number);
        }
      }
    }
    for (let a = 1; a < p; a++) {
      g[a] = (g[a] as number) - ridge * (beta[a] as number);
      h[a * p + a] = (h[a * p + a] as number) + ridge;
    }
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < a; b++) {
        h[a * p + b] = h[b * p + a] as number;
      }
    }
    const step = solveSymmetric(h, g, p);
    let maxStep = 0;
    for (let a = 0; a < p; a++) {
      beta[a] = (beta[a] as number) + (step[a] as number);
      maxStep = Math.max(maxStep, Math.abs(step[a] as number));
    }
    if (maxStep < 1e-5) {
      break;
    }
  }
  return (r: number): number => {
    let e = beta[0] as number;
    for (let c = 0; c < cols; c++) {
      e += (beta[c + 1] as number) * (((x[r * cols + c] as number) - (mean[c] as number)) / (sd[c] as number));
    }
    return e;
  };
}

/** Solves H·s = g for a symmetric positive-definite H (Cholesky; a tiny jitter when H is near-singular). */
function solveSymmetric(h: Float64Array, g: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = h[i * p + j] as number;
      for (let k = 0; k < j; k++) {
        s -= (l[i * p + k] as number) * (l[j * p + k] as number);
      }
      if (i === j) {
        l[i * p + i] = Math.sqrt(Math.max(s, 1e-9));
      } else {
        l[i * p + j] = s / (l[j * p + j] as number);
      }
    }
  }
  const t = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = g[i] as number;
    for (let k = 0; k < i; k++) {
      s -= (l[i * p + k] as number) * (t[k] as number);
    }
    t[i] = s / (l[i * p + i] as number);
  }
  const out = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = t[i] as number;
    for (let k = i + 1; k < p; k++) {
      s -= (l[k * p + i] as number) * (out[k] as number);
    }
    out[i] = s / (l[i * p + i] as number);
  }
  return out;
}
