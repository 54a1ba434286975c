/**
 * Student-t distribution helpers for the permutation-importance intervals and p-values (AutoGluon reports a
 * one-sided t-test p-value per feature). The CDF uses the regularised incomplete beta function (continued fraction,
 * Numerical Recipes §6.4).
 */

function logGamma(x: number): number {
  const c = [76.18009172947146, -86.50532032941678, 24.01409824083091, -1.231739572450155, 0.001208650973866179, -0.5395239384953e-5];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const v of c) {
    y += 1;
    ser += v / y;
  }
  return -tmp + Math.log((2.5066282746310002 * ser) / x);
}

function betacf(a: number, b: number, x: number): number {
  const fpmin = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = Math.abs(d) < fpmin ? fpmin : d;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 200; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    d = Math.abs(d) < fpmin ? fpmin : d;
    c = 1 + aa / c;
    c = Math.abs(c) < fpmin ? fpmin : c;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    d = Math.abs(d) < fpmin ? fpmin : d;
    c = 1 + aa / c;
    c = Math.abs(c) < fpmin ? fpmin : c;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-12) {
      break;
    }
  }
  return h;
}

/**
 * Regularised incomplete beta function I_x(a, b).
 *
 * @param x - in [0, 1]
 * @param a - shape a > 0
 * @param b - shape b > 0
 * @returns I_x(a, b)
 */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) {
    return 0;
  }
  if (x >= 1) {
    return 1;
  }
  const bt = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (bt * betacf(a, b, x)) / a : 1 - (bt * betacf(b, a, 1 - x)) / b;
}

/**
 * Student-t cumulative distribution function.
 *
 * @param t - the statistic
 * @param df - degrees of freedom (> 0)
 * @returns P(T ≤ t)
 */
export function studentTCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * Student-t quantile, by bisection on the CDF.
 *
 * @param p - probability in (0, 1)
 * @param df - degrees of freedom
 * @returns t with P(T ≤ t) = p
 */
export function studentTQuantile(p: number, df: number): number {
  let lo = -1e3;
  let hi = 1e3;
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return (lo + hi) / 2;
}
