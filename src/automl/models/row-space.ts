/**
 * The row space of a wide design (more columns than rows), for ridge fits: a ridge-penalised linear model's
 * coefficients lie in the span of the rows (any component orthogonal to every row leaves the scores unchanged and only
 * adds penalty), so with an orthonormal basis Q of that span (r ≤ n vectors of length p) the problem in the r
 * coordinates γ of β = Qᵀγ on the reduced rows Z = X·Qᵀ has the same scores, the same penalty (‖β‖ = ‖γ‖) and
 * therefore the same optimum. A Newton step then costs an r × r Hessian instead of a p × p one: on the guidance
 * design's 154 × 460 tables, (r + 1)² against (p + 1)² entries. The basis is built by modified Gram–Schmidt over the
 * rows with a second orthogonalisation pass ("twice is enough"), dropping a row whose remainder is below 1e-10 of
 * its length (a duplicate or a combination of earlier rows: standardised columns always make one such dependency).
 */

/** The reduced problem of a wide design. */
export interface RowSpace {
  /** Reduced rows Z = X·Qᵀ, n × r, row-major. */
  readonly z: Float64Array;
  /** Rows. */
  readonly n: number;
  /** Rank kept (basis vectors). */
  readonly r: number;
  /** Original columns. */
  readonly p: number;
  /** The basis Q, r × p, row-major (row k = basis vector k, unit length, orthogonal to the others). */
  readonly q: Float64Array;
}

/** A row's remainder below this share of its length is taken as dependent on the earlier rows. */
const DEPENDENT = 1e-10;

/** Subtracts from `v` its projections on the first `r` basis vectors, adding them to `coef`. */
function orthogonalise(q: Float64Array, r: number, p: number, v: Float64Array, coef: Float64Array): void {
  for (let k = 0; k < r; k++) {
    const off = k * p;
    let d = 0;
    for (let j = 0; j < p; j++) {
      d += (v[j] as number) * (q[off + j] as number);
    }
    coef[k] = (coef[k] as number) + d;
    for (let j = 0; j < p; j++) {
      v[j] = (v[j] as number) - d * (q[off + j] as number);
    }
  }
}

/**
 * Builds the row space of a design.
 *
 * @param data - rows, n × p row-major
 * @param n - rows
 * @param p - columns
 * @returns the basis and the reduced rows
 */
export function rowSpace(data: Float64Array, n: number, p: number): RowSpace {
  const q = new Float64Array(Math.min(n, p) * p);
  const coefs = new Float64Array(n * n);
  const v = new Float64Array(p);
  let r = 0;
  for (let i = 0; i < n; i++) {
    let len2 = 0;
    for (let j = 0; j < p; j++) {
      const x = data[i * p + j] as number;
      v[j] = x;
      len2 += x * x;
    }
    const coef = coefs.subarray(i * n, i * n + n);
    orthogonalise(q, r, p, v, coef);
    orthogonalise(q, r, p, v, coef);
    let rest2 = 0;
    for (let j = 0; j < p; j++) {
      rest2 += (v[j] as number) ** 2;
    }
    const rest = Math.sqrt(rest2);
    if (r < p && len2 > 0 && rest > DEPENDENT * Math.sqrt(len2)) {
      const off = r * p;
      for (let j = 0; j < p; j++) {
        q[off + j] = (v[j] as number) / rest;
      }
      coef[r] = rest;
      r++;
    }
  }
  const z = new Float64Array(n * r);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < r; k++) {
      z[i * r + k] = coefs[i * n + k] as number;
    }
  }
  return { z, n, r, p, q: q.slice(0, r * p) };
}

/**
 * Maps reduced coefficients back: intercept unchanged, β = Qᵀγ.
 *
 * @param space - the row space
 * @param gamma - reduced coefficients (r + 1, intercept first)
 * @returns the coefficients on the original columns (p + 1, intercept first)
 */
export function expandCoefficients(space: RowSpace, gamma: Float64Array): Float64Array {
  const { p, r, q } = space;
  const w = new Float64Array(p + 1);
  w[0] = gamma[0] as number;
  for (let k = 0; k < r; k++) {
    const g = gamma[k + 1] as number;
    if (g === 0) {
      continue;
    }
    const off = k * p;
    for (let j = 0; j < p; j++) {
      w[j + 1] = (w[j + 1] as number) + g * (q[off + j] as number);
    }
  }
  return w;
}
