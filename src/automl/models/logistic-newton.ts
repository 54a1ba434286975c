/**
 * Binary penalised logistic regression by (proximal) Newton steps, for tables of up to a few hundred columns: the
 * p × p loss Hessian XᵀWX/n (for lasso steps on a dense table only its diagonal and the rows of the coefficients that
 * move, {@link HessianRows}) is formed and reused while the steps it gives converge fast enough that forming it again
 * would cost more ({@link staleCostsMore}; a damped step always refreshes it), and carried from one penalty of a path
 * to the next, where it is already a close approximation. Ridge (L1 = 0): the step solves (H + λ₂I)d = −∇ by
 * Cholesky. Lasso / elastic net: the step minimises the L1-penalised quadratic model on H: coordinate-descent sweeps
 * (glmnet's covariance updates, O(p) per coordinate) find the nonzero coefficients and their signs, an exact solve on
 * that orthant finishes it; then a backtracking line search on the true objective (Tseng & Yun's sufficient decrease). The fixed point is the exact penalised optimum
 * whatever Hessian approximation is used, so the answer is the one a first-order solver reaches when run to
 * convergence (test/automl/models/logistic-newton.test.ts), in a handful of O(np) gradients and a few O(np²)
 * Hessians instead of hundreds of first-order iterations. Coefficients are on the augmented [1, X] scale: index 0
 * the unpenalised intercept.
 */

/** Stop when the largest coefficient change of a full step is below this (standardised scale). */
export const NEWTON_TOL = 1e-9;

/** Maximum Newton steps per penalty. */
const MAX_STEPS = 100;

/** Gradient-sized passes over the rows one stale-Hessian step costs (gradient, search direction scores, objective). */
const STEP_PASSES = 3;

/** Coordinate-descent sweeps (each followed by an exact step on the active orthant) per lasso subproblem. */
const MAX_SWEEPS = 500;

/** Standardised rows with labels, and the state carried along a penalty path. */
export interface NewtonProblem {
  /** Rows (n × p, row-major, standardised). */
  readonly data: Float64Array;
  /** Rows. */
  readonly n: number;
  /** Columns (without the intercept). */
  readonly p: number;
  /** 1 for the positive class, else 0. */
  readonly y: Float64Array;
  /** The loss Hessian (P × P, P = p + 1) of the last refresh, reused across steps and penalties. */
  hess: HessianRows | undefined;
  /** Cholesky factor of `hess` + λ₂I for the ridge steps, and the Hessian and λ₂ it belongs to. */
  factor: { readonly of: Float64Array; readonly l2: number; readonly l: Float64Array } | undefined;
  /** The rows as base + sparse offsets, when that makes the Hessian cheaper ({@link sparseRows}). */
  readonly sparse?: SparseRows;
}

/**
 * The rows as a per-column base value (the column's minimum) plus sparse offsets from it (CSR, columns ascending):
 * standardised genotype dosages and binary indicators sit at their minimum in most rows, so XᵀWX is formed from the
 * offsets (Σᵢ nnzᵢ² / 2 products instead of n·p² / 2) and a rank-two correction for the base.
 */
export interface SparseRows {
  /** Per-column base value. */
  readonly base: Float64Array;
  /** Row i's offsets are entries start[i] … start[i + 1] − 1. */
  readonly start: Int32Array;
  /** Column of each offset. */
  readonly col: Int32Array;
  /** Offset from the base. */
  readonly val: Float64Array;
}

/** The sparse Hessian is used when its products are below this share of the dense one's. */
const SPARSE_WORK_SHARE = 0.5;

/**
 * The base + offsets form of the rows, or undefined when it would not make the Hessian cheaper.
 *
 * @param data - rows, n × p row-major
 * @param n - rows
 * @param p - columns
 * @returns the sparse form, or undefined
 */
export function sparseRows(data: Float64Array, n: number, p: number): SparseRows | undefined {
  const base = new Float64Array(p).fill(Infinity);
  for (let i = 0; i < n; i++) {
    const off = i * p;
    for (let j = 0; j < p; j++) {
      const v = data[off + j] as number;
      if (v < (base[j] as number)) {
        base[j] = v;
      }
    }
  }
  const start = new Int32Array(n + 1);
  let work = 0;
  for (let i = 0; i < n; i++) {
    const off = i * p;
    let nnz = 0;
    for (let j = 0; j < p; j++) {
      nnz += data[off + j] !== base[j] ? 1 : 0;
    }
    start[i + 1] = (start[i] as number) + nnz;
    work += nnz * nnz;
  }
  if (n === 0 || work > SPARSE_WORK_SHARE * n * p * p) {
    return undefined;
  }
  const col = new Int32Array(start[n] as number);
  const val = new Float64Array(start[n] as number);
  let e = 0;
  for (let i = 0; i < n; i++) {
    const off = i * p;
    for (let j = 0; j < p; j++) {
      if (data[off + j] !== base[j]) {
        col[e] = j;
        val[e] = (data[off + j] as number) - (base[j] as number);
        e++;
      }
    }
  }
  return { base, start, col, val };
}

/**
 * Prepares a problem.
 *
 * @param data - standardised rows, row-major
 * @param n - rows
 * @param p - columns
 * @param y - class indices (class 1 is positive)
 * @returns the problem, with no Hessian yet
 */
export function newtonProblem(data: Float64Array, n: number, p: number, y: Int32Array): NewtonProblem {
  const sparse = sparseRows(data, n, p);
  return { data, n, p, y: Float64Array.from(y, (v) => (v === 1 ? 1 : 0)), hess: undefined, factor: undefined, ...(sparse === undefined ? {} : { sparse }) };
}

/** Linear scores z = [1, X]·w into `z`. */
function scores(pr: NewtonProblem, w: Float64Array, z: Float64Array): void {
  if (pr.sparse !== undefined) {
    sparseScores(pr.sparse, pr.n, w, z);
    return;
  }
  const { data, n, p } = pr;
  const b = w[0] as number;
  for (let i = 0; i < n; i++) {
    const off = i * p;
    let s = b;
    for (let j = 0; j < p; j++) {
      s += (data[off + j] as number) * (w[j + 1] as number);
    }
    z[i] = s;
  }
}

/** {@link scores} from the base + offsets form: z = (b + c·w) + Δ·w. */
function sparseScores(sp: SparseRows, n: number, w: Float64Array, z: Float64Array): void {
  const { base, start, col, val } = sp;
  let b = w[0] as number;
  for (let j = 0; j < base.length; j++) {
    b += (base[j] as number) * (w[j + 1] as number);
  }
  for (let i = 0; i < n; i++) {
    let s = b;
    const end = start[i + 1] as number;
    for (let e = start[i] as number; e < end; e++) {
      s += (val[e] as number) * (w[(col[e] as number) + 1] as number);
    }
    z[i] = s;
  }
}

/** Mean log loss at scores z (stable for large |z|). */
function meanLoss(pr: NewtonProblem, z: Float64Array): number {
  let s = 0;
  for (let i = 0; i < pr.n; i++) {
    const zi = z[i] as number;
    // log(1 + e^z) − y·z
    s += (zi > 0 ? zi + Math.log1p(Math.exp(-zi)) : Math.log1p(Math.exp(zi))) - (pr.y[i] as number) * zi;
  }
  return s / pr.n;
}

/** Gradient of the mean log loss at scores z into `g`, and the Hessian weights p(1 − p)/n into `wt`. */
function gradient(pr: NewtonProblem, z: Float64Array, g: Float64Array, wt: Float64Array): void {
  if (pr.sparse !== undefined) {
    sparseGradient(pr, pr.sparse, z, g, wt);
    return;
  }
  const { data, n, p } = pr;
  g.fill(0);
  for (let i = 0; i < n; i++) {
    const r = residual(pr, z, i, wt);
    g[0] = (g[0] as number) + r;
    const off = i * p;
    for (let j = 0; j < p; j++) {
      g[j + 1] = (g[j + 1] as number) + r * (data[off + j] as number);
    }
  }
}

/** Row i's mean-loss residual (p − y)/n at scores z; its Hessian weight p(1 − p)/n goes into `wt`. */
function residual(pr: NewtonProblem, z: Float64Array, i: number, wt: Float64Array): number {
  const q = 1 / (1 + Math.exp(-(z[i] as number)));
  wt[i] = Math.max(q * (1 - q), 1e-12) / pr.n;
  return (q - (pr.y[i] as number)) / pr.n;
}

/** {@link gradient} from the base + offsets form: ∇ⱼ = cⱼ·Σr + (Δᵀr)ⱼ. */
function sparseGradient(pr: NewtonProblem, sp: SparseRows, z: Float64Array, g: Float64Array, wt: Float64Array): void {
  const { base, start, col, val } = sp;
  const n = pr.n;
  g.fill(0);
  let sr = 0;
  for (let i = 0; i < n; i++) {
    const r = residual(pr, z, i, wt);
    sr += r;
    const end = start[i + 1] as number;
    for (let e = start[i] as number; e < end; e++) {
      const j = (col[e] as number) + 1;
      g[j] = (g[j] as number) + r * (val[e] as number);
    }
  }
  g[0] = sr;
  for (let j = 0; j < base.length; j++) {
    g[j + 1] = (g[j + 1] as number) + (base[j] as number) * sr;
  }
}

/**
 * The loss Hessian [1, X]ᵀ diag(wt) [1, X] (P × P, both triangles): the columns scaled by √wt are laid out
 * column-major, and each entry is a dot product of two of them, four entries at a time (the sums stay in registers).
 */
function hessian(pr: NewtonProblem, wt: Float64Array): Float64Array {
  if (pr.sparse !== undefined) {
    return sparseHessian(pr.sparse, pr.n, pr.p, wt);
  }
  const { n } = pr;
  const P = pr.p + 1;
  const cols = scaledColumns(pr, wt);
  const h = new Float64Array(P * P);
  for (let a = 0; a < P; a++) {
    const oa = a * n;
    let b = a;
    for (; b + 3 < P; b += 4) {
      const o0 = b * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < n; i++) {
        const v = cols[oa + i] as number;
        s0 += v * (cols[o0 + i] as number);
        s1 += v * (cols[o0 + n + i] as number);
        s2 += v * (cols[o0 + 2 * n + i] as number);
        s3 += v * (cols[o0 + 3 * n + i] as number);
      }
      h[a * P + b] = s0;
      h[a * P + b + 1] = s1;
      h[a * P + b + 2] = s2;
      h[a * P + b + 3] = s3;
    }
    for (; b < P; b++) {
      const ob = b * n;
      let s0 = 0;
      for (let i = 0; i < n; i++) {
        s0 += (cols[oa + i] as number) * (cols[ob + i] as number);
      }
      h[a * P + b] = s0;
    }
    for (let c = a + 1; c < P; c++) {
      h[c * P + a] = h[a * P + c] as number;
    }
  }
  return h;
}

/** The columns of [1, X] scaled by √wt, column-major (P × n). */
function scaledColumns(pr: NewtonProblem, wt: Float64Array): Float64Array {
  const { data, n, p } = pr;
  const cols = new Float64Array((p + 1) * n);
  for (let i = 0; i < n; i++) {
    const s = Math.sqrt(wt[i] as number);
    cols[i] = s;
    const off = i * p;
    for (let j = 0; j < p; j++) {
      cols[(j + 1) * n + i] = s * (data[off + j] as number);
    }
  }
  return cols;
}

/**
 * The loss Hessian as the steps read it: its diagonal, and row j. A ridge step factors the whole matrix; a lasso
 * step reads only the diagonal and the rows of coefficients that move, which on a wide table are a few of its
 * hundreds (glmnet's covariance updates form them as variables enter).
 */
export interface HessianRows {
  /** P = p + 1. */
  readonly P: number;
  /** The diagonal (P). */
  readonly diag: Float64Array;
  /** Row j (P entries; do not modify). */
  row(j: number): Float64Array;
  /** The whole matrix (P × P, both triangles), formed now if it was kept as rows. */
  whole(): Float64Array;
}

/** A Hessian formed whole. */
function wholeRows(h: Float64Array, P: number): HessianRows {
  const diag = new Float64Array(P);
  for (let j = 0; j < P; j++) {
    diag[j] = h[j * P + j] as number;
  }
  return { P, diag, row: (j) => h.subarray(j * P, (j + 1) * P), whole: () => h };
}

/**
 * A dense Hessian whose rows are formed when first read: the diagonal at once (n·P), each row in n·P. Every entry is
 * the same dot product, summed in the same order, as {@link hessian}'s, so the steps see the same numbers.
 */
function lazyRows(pr: NewtonProblem, wt: Float64Array): HessianRows {
  const { n } = pr;
  const P = pr.p + 1;
  const cols = scaledColumns(pr, wt);
  const dot = (a: number, b: number): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      s += (cols[a * n + i] as number) * (cols[b * n + i] as number);
    }
    return s;
  };
  const diag = Float64Array.from({ length: P }, (_, j) => dot(j, j));
  const rows: (Float64Array | undefined)[] = new Array<Float64Array | undefined>(P);
  let all: Float64Array | undefined;
  const row = (j: number): Float64Array => {
    let r = rows[j];
    if (r === undefined) {
      r = Float64Array.from({ length: P }, (_, k) => dot(j, k));
      rows[j] = r;
    }
    return r;
  };
  const whole = (): Float64Array => {
    if (all === undefined) {
      all = new Float64Array(P * P);
      for (let j = 0; j < P; j++) {
        all.set(row(j), j * P);
      }
    }
    return all;
  };
  return { P, diag, row, whole };
}

/**
 * The loss Hessian from the base + offsets form: with x = c + δ, Σ wᵢxᵢxᵢᵀ = ΔᵀWΔ + c·sᵀ + s·cᵀ + (Σw)·ccᵀ where
 * s = ΔᵀW1; the intercept row is (Σw, (Σw)·c + s). Equal to {@link hessian}'s dense sums to rounding.
 *
 * @param sp - the sparse rows
 * @param n - rows
 * @param p - columns
 * @param wt - row weights
 * @returns the P × P Hessian, both triangles
 */
export function sparseHessian(sp: SparseRows, n: number, p: number, wt: Float64Array): Float64Array {
  const P = p + 1;
  const h = new Float64Array(P * P);
  const s = new Float64Array(p);
  const { base, start, col, val } = sp;
  let sw = 0;
  for (let i = 0; i < n; i++) {
    const w = wt[i] as number;
    sw += w;
    const end = start[i + 1] as number;
    for (let a = start[i] as number; a < end; a++) {
      const ja = col[a] as number;
      const va = w * (val[a] as number);
      s[ja] = (s[ja] as number) + va;
      const row = (ja + 1) * P + 1;
      for (let b = a; b < end; b++) {
        const at = row + (col[b] as number);
        h[at] = (h[at] as number) + va * (val[b] as number);
      }
    }
  }
  h[0] = sw;
  for (let j = 0; j < p; j++) {
    const cj = base[j] as number;
    const sj = s[j] as number;
    const h0 = cj * sw + sj;
    h[j + 1] = h0;
    h[(j + 1) * P] = h0;
    const row = (j + 1) * P + 1;
    for (let k = j; k < p; k++) {
      const ck = base[k] as number;
      const v = (h[row + k] as number) + cj * ck * sw + cj * (s[k] as number) + ck * sj;
      h[row + k] = v;
      h[(k + 1) * P + j + 1] = v;
    }
  }
  return h;
}

/**
 * Cholesky factor of A + λ₂·I (intercept unpenalised), in place of a copy; undefined when it is not positive definite.
 */
function cholesky(h: Float64Array, P: number, l2: number): Float64Array | undefined {
  const a = h.slice();
  for (let j = 1; j < P; j++) {
    a[j * P + j] = (a[j * P + j] as number) + l2;
  }
  for (let j = 0; j < P; j++) {
    let d = a[j * P + j] as number;
    for (let k = 0; k < j; k++) {
      d -= (a[j * P + k] as number) ** 2;
    }
    if (!(d > 1e-300)) {
      return undefined;
    }
    const ljj = Math.sqrt(d);
    a[j * P + j] = ljj;
    for (let i = j + 1; i < P; i++) {
      let s = a[i * P + j] as number;
      for (let k = 0; k < j; k++) {
        s -= (a[i * P + k] as number) * (a[j * P + k] as number);
      }
      a[i * P + j] = s / ljj;
    }
  }
  return a;
}

/** Solves L Lᵀ x = b for the lower factor L (in place in b). */
function cholSolve(l: Float64Array, P: number, b: Float64Array): void {
  for (let i = 0; i < P; i++) {
    let s = b[i] as number;
    for (let k = 0; k < i; k++) {
      s -= (l[i * P + k] as number) * (b[k] as number);
    }
    b[i] = s / (l[i * P + i] as number);
  }
  for (let i = P - 1; i >= 0; i--) {
    let s = b[i] as number;
    for (let k = i + 1; k < P; k++) {
      s -= (l[k * P + i] as number) * (b[k] as number);
    }
    b[i] = s / (l[i * P + i] as number);
  }
}

/** The penalty of w (intercept excluded). */
function penalty(w: Float64Array, l1: number, l2: number): number {
  let s2 = 0;
  let s1 = 0;
  for (let j = 1; j < w.length; j++) {
    const v = w[j] as number;
    s2 += v * v;
    s1 += Math.abs(v);
  }
  return 0.5 * l2 * s2 + l1 * s1;
}

/** Ridge step: d = −(H + λ₂I)⁻¹(∇ + λ₂w), the factor kept while H and λ₂ stay; undefined when it fails. */
function ridgeStep(pr: NewtonProblem, rows: HessianRows, P: number, g: Float64Array, w: Float64Array, l2: number): Float64Array | undefined {
  const h = rows.whole();
  if (pr.factor?.of !== h || pr.factor.l2 !== l2) {
    const f = cholesky(h, P, l2);
    pr.factor = f === undefined ? undefined : { of: h, l2, l: f };
  }
  const l = pr.factor?.l;
  if (l === undefined) {
    return undefined;
  }
  const d = new Float64Array(P);
  d[0] = -(g[0] as number);
  for (let j = 1; j < P; j++) {
    d[j] = -((g[j] as number) + l2 * (w[j] as number));
  }
  cholSolve(l, P, d);
  return d;
}

/** One coordinate update of the lasso subproblem; returns |change|. `q` is the quadratic model's smooth gradient. */
function cdUpdate(h: HessianRows, P: number, j: number, u: Float64Array, q: Float64Array, l1: number, l2: number): number {
  const hjj = h.diag[j] as number;
  const uj = u[j] as number;
  let v: number;
  if (j === 0) {
    v = uj - (q[0] as number) / hjj;
  } else {
    const a = hjj + l2;
    const zc = hjj * uj - (q[j] as number);
    v = zc > l1 ? (zc - l1) / a : zc < -l1 ? (zc + l1) / a : 0;
  }
  const delta = v - uj;
  if (delta === 0) {
    return 0;
  }
  u[j] = v;
  const row = h.row(j);
  for (let k = 0; k < P; k++) {
    q[k] = (q[k] as number) + delta * (row[k] as number);
  }
  return Math.abs(delta);
}

/**
 * The exact minimiser of the quadratic model on the orthant of the current signs: on the active set A (the intercept
 * and the nonzero coefficients, signs s) the model is smooth, (H_AA + λ₂I)Δ = −(q_A + λ₂u_A + λ₁s_A); the step is
 * cut where a coefficient would cross zero (it stops at zero), so the model decreases. Returns false when the
 * factorisation fails.
 */
function orthantStep(h: HessianRows, P: number, u: Float64Array, q: Float64Array, l1: number, l2: number): boolean {
  const act: number[] = [];
  for (let j = 0; j < P; j++) {
    if (j === 0 || u[j] !== 0) {
      act.push(j);
    }
  }
  const m = act.length;
  const sub = new Float64Array(m * m);
  const r = new Float64Array(m);
  act.forEach((j, a) => {
    const uj = u[j] as number;
    r[a] = -((q[j] as number) + (j === 0 ? 0 : l2 * uj + l1 * Math.sign(uj)));
    const row = h.row(j);
    act.forEach((k, b) => {
      sub[a * m + b] = row[k] as number;
    });
  });
  // The intercept is the sub-problem's index 0: unpenalised, as `cholesky` treats index 0.
  const l = cholesky(sub, m, l2);
  if (l === undefined) {
    return false;
  }
  cholSolve(l, m, r);
  let t = 1;
  act.forEach((j, a) => {
    const uj = u[j] as number;
    const nv = uj + (r[a] as number);
    if (j > 0 && nv * uj < 0) {
      t = Math.min(t, uj / (uj - nv));
    }
  });
  act.forEach((j, a) => {
    const uj = u[j] as number;
    const nv = uj + t * (r[a] as number);
    // A coefficient that reaches zero at the cut stays there (the next sweep decides whether it leaves zero).
    const v = j > 0 && (nv * uj <= 0 || Math.abs(nv) < 1e-15) ? 0 : nv;
    const delta = v - uj;
    u[j] = v;
    if (delta !== 0) {
      const row = h.row(j);
      for (let k = 0; k < P; k++) {
        q[k] = (q[k] as number) + delta * (row[k] as number);
      }
    }
  });
  return true;
}

/**
 * Lasso step: minimises ∇ᵀd + ½dᵀHd + λ₂/2‖w+d‖² + λ₁‖w+d‖₁ (intercept unpenalised) over d. A coordinate-descent
 * sweep over all coefficients finds which are nonzero and their signs; the model is then minimised exactly on that
 * orthant ({@link orthantStep}); repeated until a sweep changes nothing. (Coordinate descent alone needs thousands
 * of sweeps on the weakest lasso penalties of correlated clinical columns.)
 */
function lassoStep(h: HessianRows, P: number, g: Float64Array, w: Float64Array, l1: number, l2: number): Float64Array {
  const u = w.slice();
  const q = g.slice(); // ∇ + H(u − w), the quadratic model's smooth-loss gradient at u
  const tol = NEWTON_TOL * 0.1;
  for (let round = 0; round < MAX_SWEEPS; round++) {
    let full = 0;
    for (let j = 0; j < P; j++) {
      full = Math.max(full, cdUpdate(h, P, j, u, q, l1, l2));
    }
    if (full < tol || !orthantStep(h, P, u, q, l1, l2)) {
      break;
    }
  }
  for (let j = 0; j < P; j++) {
    u[j] = (u[j] as number) - (w[j] as number);
  }
  return u;
}

/** Scratch buffers of one solve. */
interface Scratch {
  readonly z: Float64Array;
  readonly zd: Float64Array;
  readonly zt: Float64Array;
  readonly g: Float64Array;
  readonly wt: Float64Array;
}

/**
 * Backtracking line search from w along d on loss + penalty; returns the accepted step length (0 when none decreases
 * the objective: w is optimal to rounding). `z` holds the scores at w and is updated to those of the new point.
 */
function lineSearch(pr: NewtonProblem, sc: Scratch, w: Float64Array, d: Float64Array, f0: number, l1: number, l2: number): number {
  const { g, z, zd, zt } = sc;
  scores(pr, d, zd);
  const d0 = d[0] as number;
  // Predicted decrease (Tseng & Yun): ∇ᵀd + λ₂wᵀd + λ₁(‖w + d‖₁ − ‖w‖₁).
  let pred = (g[0] as number) * d0;
  for (let j = 1; j < w.length; j++) {
    const wj = w[j] as number;
    const dj = d[j] as number;
    pred += ((g[j] as number) + l2 * wj) * dj + l1 * (Math.abs(wj + dj) - Math.abs(wj));
  }
  const trial = new Float64Array(w.length);
  // A predicted decrease at the objective's rounding level: the step is in the quadratic regime, take it whole
  // (comparing objective values there would only compare rounding errors).
  const exact = -pred < 1e-13 * Math.max(1, Math.abs(f0));
  for (let t = 1; t > 1e-10; t /= 2) {
    for (let j = 0; j < w.length; j++) {
      trial[j] = (w[j] as number) + t * (d[j] as number);
    }
    for (let i = 0; i < pr.n; i++) {
      zt[i] = (z[i] as number) + t * (zd[i] as number);
    }
    const f = meanLoss(pr, zt) + penalty(trial, l1, l2);
    if (exact || f <= f0 + 1e-4 * t * pred) {
      w.set(trial);
      z.set(zt);
      return t;
    }
  }
  return 0;
}

/**
 * Whether forming the Hessian afresh is cheaper than finishing with the stale one. A failed or damped step always
 * refreshes it. Otherwise the steps shrink linearly at the observed rate: the stale steps still needed to reach
 * {@link NEWTON_TOL} (each {@link STEP_PASSES} passes of n·p) are weighed against one Hessian (n·p²/2) and the
 * ~3 steps that follow it (quadratic convergence).
 */
function staleCostsMore(size: number, prevSize: number, P: number): boolean {
  const rate = size / prevSize;
  if (!(rate < 0.9)) {
    return true;
  }
  const remaining = Math.log(NEWTON_TOL / size) / Math.log(rate);
  return (remaining - 3) * STEP_PASSES > P / 2;
}

/**
 * Solves one penalty of the path from `init` (or zero), reusing and updating `pr.hess`.
 *
 * @param pr - the problem (its Hessian is refreshed as needed and left for the next penalty)
 * @param l1 - L1 penalty
 * @param l2 - L2 penalty (> 0 when l1 = 0)
 * @param init - warm start (P coefficients) or undefined for zero
 * @param shouldStop - time budget check between steps
 * @returns the coefficients (P = p + 1, intercept first)
 */
export function solveNewton(pr: NewtonProblem, l1: number, l2: number, init: Float64Array | undefined, shouldStop?: () => boolean): Float64Array {
  const P = pr.p + 1;
  const w = init === undefined ? new Float64Array(P) : init.slice();
  const sc: Scratch = { z: new Float64Array(pr.n), zd: new Float64Array(pr.n), zt: new Float64Array(pr.n), g: new Float64Array(P), wt: new Float64Array(pr.n) };
  scores(pr, w, sc.z);
  let prevSize = Infinity;
  let fresh = false; // pr.hess was formed at the current point
  for (let step = 0; step < MAX_STEPS; step++) {
    if (step > 0 && shouldStop?.() === true) {
      break;
    }
    gradient(pr, sc.z, sc.g, sc.wt);
    if (pr.hess === undefined) {
      // A lasso step reads only the rows of the coefficients that move: on a dense table they are formed as needed.
      pr.hess = l1 > 0 && pr.sparse === undefined ? lazyRows(pr, sc.wt) : wholeRows(hessian(pr, sc.wt), P);
      fresh = true;
    }
    const d = l1 > 0 ? lassoStep(pr.hess, P, sc.g, w, l1, l2) : ridgeStep(pr, pr.hess, P, sc.g, w, l2);
    const size = d === undefined ? Infinity : d.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    if (size < NEWTON_TOL) {
      break;
    }
    const t = d === undefined ? 0 : lineSearch(pr, sc, w, d, meanLoss(pr, sc.z) + penalty(w, l1, l2), l1, l2);
    if (t === 0 && fresh) {
      break; // no descent even with the exact Hessian: optimal to rounding
    }
    if (t < 1 || staleCostsMore(size, prevSize, P)) {
      pr.hess = undefined;
    }
    fresh = false;
    prevSize = t === 0 ? prevSize : size * t;
  }
  return w;
}
