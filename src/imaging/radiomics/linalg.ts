/**
 * Small dense linear algebra: eigenvalues of a real symmetric matrix by Householder reduction to tridiagonal form
 * followed by the implicit QL iteration with Wilkinson-style shifts (O(n³), eigenvalues only).
 */

/**
 * Eigenvalues of a symmetric matrix.
 *
 * @param a - row-major n×n symmetric matrix (copied, not changed)
 * @param n - order
 * @returns eigenvalues, descending
 */
export function symmetricEigenvalues(a: ArrayLike<number>, n: number): number[] {
  if (n === 0) {
    return [];
  }
  const m = Float64Array.from(a);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  householder(m, n, d, e);
  tridiagonalQl(d, e, n);
  return Array.from(d).sort((x, y) => y - x);
}

/**
 * Householder reduction of the symmetric matrix `m` (changed) to tridiagonal form: diagonal into `d`, subdiagonal
 * into `e[1..n−1]`.
 */
function householder(m: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  const at = (i: number, j: number): number => m[i * n + j] ?? 0;
  // Householder: zero row i left of the subdiagonal, for i = n−1 … 1
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    let h = 0;
    if (l > 0) {
      let scale = 0;
      for (let k = 0; k <= l; k++) {
        scale += Math.abs(at(i, k));
      }
      if (scale === 0) {
        e[i] = at(i, l);
      } else {
        for (let k = 0; k <= l; k++) {
          const v = at(i, k) / scale;
          m[i * n + k] = v;
          h += v * v;
        }
        const f = at(i, l);
        const g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        m[i * n + l] = f - g;
        let ff = 0;
        for (let j = 0; j <= l; j++) {
          let gg = 0;
          for (let k = 0; k <= j; k++) {
            gg += at(j, k) * at(i, k);
          }
          for (let k = j + 1; k <= l; k++) {
            gg += at(k, j) * at(i, k);
          }
          e[j] = gg / h;
          ff += (e[j] ?? 0) * at(i, j);
        }
        const hh = ff / (h + h);
        for (let j = 0; j <= l; j++) {
          const fj = at(i, j);
          const gj = (e[j] ?? 0) - hh * fj;
          e[j] = gj;
          for (let k = 0; k <= j; k++) {
            m[j * n + k] = at(j, k) - (fj * (e[k] ?? 0) + gj * at(i, k));
          }
        }
      }
    } else {
      e[i] = at(i, l);
    }
    d[i] = h;
  }
  for (let i = 0; i < n; i++) {
    d[i] = at(i, i);
  }
}

/** Eigenvalues of the tridiagonal matrix (`d` diagonal, `e[1..n−1]` subdiagonal) by implicit QL, into `d`. */
function tridiagonalQl(d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) {
    e[i - 1] = e[i] ?? 0;
  }
  e[n - 1] = 0;
  for (let l = 0; l < n; l++) {
    for (let iter = 0; iter < 100; iter++) {
      let m2 = l;
      for (; m2 < n - 1; m2++) {
        const dd = Math.abs(d[m2] ?? 0) + Math.abs(d[m2 + 1] ?? 0);
        if (Math.abs(e[m2] ?? 0) <= Number.EPSILON * dd) {
          break;
        }
      }
      if (m2 === l) {
        break;
      }
      let g = ((d[l + 1] ?? 0) - (d[l] ?? 0)) / (2 * (e[l] ?? 0));
      let r = Math.hypot(g, 1);
      g = (d[m2] ?? 0) - (d[l] ?? 0) + (e[l] ?? 0) / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m2 - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * (e[i] ?? 0);
        const b = c * (e[i] ?? 0);
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] = (d[i + 1] ?? 0) - p;
          e[m2] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = (d[i + 1] ?? 0) - p;
        r = ((d[i] ?? 0) - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
      }
      if (underflow) {
        continue;
      }
      d[l] = (d[l] ?? 0) - p;
      e[l] = g;
      e[m2] = 0;
    }
  }
}
