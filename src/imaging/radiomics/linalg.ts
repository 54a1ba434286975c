/**
 * Small dense linear algebra: eigenvalues of a symmetric matrix by cyclic Jacobi rotations.
 */

/**
 * Eigenvalues of a symmetric matrix.
 *
 * @param a - row-major n×n symmetric matrix (copied, not changed)
 * @param n - order
 * @returns eigenvalues, descending
 */
export function symmetricEigenvalues(a: ArrayLike<number>, n: number): number[] {
  const m = Float64Array.from(a);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        off += (m[p * n + q] ?? 0) ** 2;
      }
    }
    if (off < 1e-30) {
      break;
    }
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q] ?? 0;
        if (Math.abs(apq) < 1e-300) {
          continue;
        }
        const app = m[p * n + p] ?? 0;
        const aqq = m[q * n + q] ?? 0;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p] ?? 0;
          const akq = m[k * n + q] ?? 0;
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k] ?? 0;
          const aqk = m[q * n + k] ?? 0;
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(m[i * n + i] ?? 0);
  }
  return out.sort((x, y) => y - x);
}
