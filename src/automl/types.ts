/**
 * Shared types of the AutoML module: input tables, the numeric matrix the models see, problem types, the clock.
 */

/**
 * A table as the library accepts it: an array of row objects (what `ws.sql.query` returns) or an object of columns
 * (arrays or typed arrays of equal length).
 */
export type TabularData = readonly Readonly<Record<string, unknown>>[] | Readonly<Record<string, ArrayLike<unknown>>>;

/** Problem types (AutoGluon's names). Regression is not supported by the local model zoo yet. */
export type ProblemType = 'binary' | 'multiclass';

/** A dense numeric matrix, row-major: `data[i * p + j]` is row i, column j. */
export interface Matrix {
  /** Number of rows. */
  readonly n: number;
  /** Number of columns. */
  readonly p: number;
  /** Values, row-major. */
  readonly data: Float64Array;
}

/**
 * A source of milliseconds. Pass a fake one in tests so time limits can be checked without real waiting.
 */
export type Clock = () => number;

/** The real clock (performance-style milliseconds). */
export const performanceClock: Clock = () => performance.now();

/**
 * Probabilities for n rows and K classes, row-major (`proba[i * K + k]`).
 */
export interface ProbaMatrix {
  /** Number of rows. */
  readonly n: number;
  /** Number of classes. */
  readonly k: number;
  /** Probabilities, row-major. */
  readonly data: Float64Array;
}

/**
 * Selects rows of a matrix.
 *
 * @param m - the matrix
 * @param rows - row indices to keep, in order
 * @returns a new matrix
 */
export function takeRows(m: Matrix, rows: ArrayLike<number>): Matrix {
  const out = new Float64Array(rows.length * m.p);
  for (let r = 0; r < rows.length; r++) {
    const src = (rows[r] as number) * m.p;
    out.set(m.data.subarray(src, src + m.p), r * m.p);
  }
  return { n: rows.length, p: m.p, data: out };
}

/**
 * Selects entries of a typed array.
 *
 * @param a - the array
 * @param idx - indices to keep
 * @returns a new Int32Array
 */
export function takeInt(a: ArrayLike<number>, idx: ArrayLike<number>): Int32Array {
  const out = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    out[i] = a[idx[i] as number] as number;
  }
  return out;
}
