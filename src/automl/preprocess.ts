/**
 * Automatic preprocessing, in AutoGluon's spirit: infer each column's type, impute missing values (median plus a
 * missing-indicator column), one-hot encode categoricals (most frequent levels), drop constant, duplicate and
 * identifier-like columns. The fitted state is plain JSON so it saves with the model.
 *
 * Identifier-like columns are never features, whatever the row count (see {@link identifierReason}): a name that
 * says "identifier" (`id`, `*_id`, `*_uid`, `patientId`, `study_instance_uid`, `image_set_id`, `mrn`…), values shaped
 * like identifiers (DICOM/OID UIDs such as `1.2.826.0.1…`, UUIDs, long hex digests), or text unique to every row.
 * On a few dozen rows a one-hot encoded study UID lets a model memorise patients; on any number of rows it cannot
 * generalise to a new patient.
 */
import { HealthDataError } from '../errors';
import type { RawColumn } from './table';
import { columnNames, isMissing, readColumn, rowCount } from './table';
import type { Matrix, TabularData } from './types';

/** How one input column is encoded. */
export type ColumnPlan =
  | {
      /** Column name. */
      readonly name: string;
      /** Numeric column (numbers, booleans, numeric strings, dates as epoch ms). */
      readonly kind: 'numeric';
      /** Median of the training values, used for missing entries. */
      readonly median: number;
      /** Whether a 0/1 missing-indicator feature is emitted. */
      readonly indicator: boolean;
    }
  | {
      /** Column name. */
      readonly name: string;
      /** Categorical column. */
      readonly kind: 'categorical';
      /** Levels that get their own 0/1 feature (most frequent first); others map to all zeros. */
      readonly levels: readonly string[];
    };

/** Why an input column was dropped. */
export interface DroppedColumn {
  /** Column name. */
  readonly name: string;
  /** Reason: all missing, constant, duplicate of another column, or an identifier (see `detail`). */
  readonly reason: 'all-missing' | 'constant' | 'duplicate' | 'identifier';
  /** For identifiers: what gave it away (its name, the shape of its values, or unique text per row). */
  readonly detail?: string;
}

// A name ending in id / uid / uuid / guid / identifier / mrn as a word, lower or upper case (`patient_id`,
// `study_instance_uid`, `image-set.id`, `PATIENT_ID`), or in camelCase (`patientId`, `studyUID`). Title-case `_Id`
// is not one: radiomics names GLCM's inverse difference `original_glcm_Id`. Linear: anchored alternations only.
const ID_NAME_WORD = /(?:^|[_.\-\s])(?:id|ids|uid|uuid|guid|identifier|mrn|accession(?:_?number)?|ID|IDS|UID|UUID|GUID|MRN)$/;
const ID_NAME_CAMEL = /[a-z](?:Id|ID|Uid|UID|Uuid|UUID|Guid|GUID)$/;
// DICOM / ISO OIDs: digits separated by dots, at least four components (1.2.826.0.1.3680043…).
const OID_SHAPE = /^[0-9]+(?:\.[0-9]+){3,}$/;
const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX_DIGEST_SHAPE = /^[0-9a-f]{16,}$/i;

/**
 * Why a column is an identifier, or undefined when it is not one. Checked on the name, on the values' shape (more
 * than half of the present values look like OIDs/DICOM UIDs, UUIDs or hex digests of ≥ 16 characters), and on
 * uniqueness (text values, at least three rows, a different value in every row: one-hot levels seen once cannot
 * generalise). Numbers are identifiers by name only (ages and lab values are naturally unique).
 *
 * @param name - column name
 * @param present - the column's non-missing values
 * @param numeric - whether every present value parses as a number
 * @returns a human-readable reason, or undefined
 * @example
 * ```ts
 * identifierReason('study_instance_uid', ['1.2.826.0.1.3680043.8.498.1'], false); // 'name study_instance_uid names an identifier'
 * ```
 */
export function identifierReason(name: string, present: readonly unknown[], numeric: boolean): string | undefined {
  if (ID_NAME_WORD.test(name) || ID_NAME_CAMEL.test(name)) {
    return `name ${name} names an identifier`;
  }
  if (numeric || present.length === 0) {
    return undefined;
  }
  let shaped = 0;
  const distinct = new Set<string>();
  for (const v of present) {
    const t = typeof v === 'string' ? v.trim() : catKey(v);
    distinct.add(t);
    if (t.length <= 200 && (OID_SHAPE.test(t) || UUID_SHAPE.test(t) || HEX_DIGEST_SHAPE.test(t))) {
      shaped++;
    }
  }
  if (shaped * 2 > present.length) {
    return `values shaped like identifiers (UIDs, UUIDs or digests) in ${shaped} of ${present.length} rows`;
  }
  if (present.length >= 3 && distinct.size === present.length) {
    return `a different text value in every row (${present.length} of ${present.length})`;
  }
  return undefined;
}

/** The fitted preprocessing state (JSON). */
export interface PreprocessState {
  /** Plans of the kept input columns, in order. */
  readonly columns: readonly ColumnPlan[];
  /** Output feature names, in matrix column order. */
  readonly features: readonly string[];
  /** For each output feature, the index of its input column in `columns`. */
  readonly featureSource: readonly number[];
  /** Columns dropped at fit time. */
  readonly dropped: readonly DroppedColumn[];
}

/** Options of {@link fitPreprocessor}. */
export interface PreprocessOptions {
  /** Columns to leave out (the label, identifiers, dates of the index event…). */
  readonly exclude?: readonly string[];
  /** Maximum number of one-hot levels per categorical column (default 20). */
  readonly maxLevels?: number;
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') {
    return Number.isFinite(v) ? v : undefined;
  }
  if (typeof v === 'boolean') {
    return v ? 1 : 0;
  }
  if (typeof v === 'bigint') {
    return Number(v);
  }
  if (v instanceof Date) {
    const t = v.getTime();
    return Number.isFinite(t) ? t : undefined;
  }
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') {
      return undefined;
    }
    const x = Number(t);
    return Number.isFinite(x) ? x : undefined;
  }
  return undefined;
}

function catKey(v: unknown): string {
  if (typeof v === 'string') {
    return v;
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
    return String(v);
  }
  if (v instanceof Date) {
    return v.toISOString();
  }
  return JSON.stringify(v);
}

function median(values: number[]): number {
  if (values.length === 0) {
    return 0;
  }
  const s = Float64Array.from(values).sort();
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function planColumn(name: string, col: RawColumn, maxLevels: number): ColumnPlan | DroppedColumn {
  const present = col.filter((v) => !isMissing(v));
  if (present.length === 0) {
    return { name, reason: 'all-missing' };
  }
  const nums: number[] = [];
  let numeric = true;
  for (const v of present) {
    const x = toNumber(v);
    if (x === undefined) {
      numeric = false;
      break;
    }
    nums.push(x);
  }
  const idReason = identifierReason(name, present, numeric);
  if (idReason !== undefined) {
    return { name, reason: 'identifier', detail: idReason };
  }
  if (numeric) {
    const first = nums[0] as number;
    const hasMissing = present.length < col.length;
    if (!hasMissing && nums.every((x) => x === first)) {
      return { name, reason: 'constant' };
    }
    return { name, kind: 'numeric', median: median(nums), indicator: hasMissing };
  }
  const counts = new Map<string, number>();
  for (const v of present) {
    const k = catKey(v);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  if (counts.size === 1 && present.length === col.length) {
    return { name, reason: 'constant' };
  }
  const levels = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxLevels)
    .map(([k]) => k);
  return { name, kind: 'categorical', levels };
}

interface Encoded {
  names: string[];
  cols: Float64Array[];
}

function encodeColumn(plan: ColumnPlan, col: RawColumn, n: number): Encoded {
  if (plan.kind === 'numeric') {
    const x = new Float64Array(n);
    const miss = plan.indicator ? new Float64Array(n) : undefined;
    for (let i = 0; i < n; i++) {
      const v = toNumber(col[i]);
      if (v === undefined) {
        x[i] = plan.median;
        if (miss !== undefined) {
          miss[i] = 1;
        }
      } else {
        x[i] = v;
      }
    }
    return miss === undefined ? { names: [plan.name], cols: [x] } : { names: [plan.name, `${plan.name}__missing`], cols: [x, miss] };
  }
  const index = new Map(plan.levels.map((l, j) => [l, j]));
  const cols = plan.levels.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const v = col[i];
    if (isMissing(v)) {
      continue;
    }
    const j = index.get(catKey(v));
    if (j !== undefined) {
      (cols[j] as Float64Array)[i] = 1;
    }
  }
  return { names: plan.levels.map((l) => `${plan.name}=${l}`), cols };
}

function hashColumn(c: Float64Array): number {
  let h = 2166136261;
  for (let i = 0; i < c.length; i++) {
    const v = c[i] as number;
    h = Math.imul(h ^ (Math.floor(v * 1e6) | 0), 16777619);
    h = Math.imul(h ^ Math.floor(v / 4294967296), 16777619);
  }
  return h >>> 0;
}

function sameColumn(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

function assemble(cols: readonly Float64Array[], n: number): Matrix {
  const p = cols.length;
  const data = new Float64Array(n * p);
  for (let j = 0; j < p; j++) {
    const c = cols[j] as Float64Array;
    for (let i = 0; i < n; i++) {
      data[i * p + j] = c[i] as number;
    }
  }
  return { n, p, data };
}

/**
 * Fits the preprocessing on a training table and returns the state plus the training matrix.
 *
 * @param data - training rows or columns
 * @param options - columns to exclude (always exclude the label) and the one-hot level cap
 * @returns the state and the encoded training matrix
 * @throws {@link HealthDataError} (invalid-input) when no usable feature column remains
 * @example
 * ```ts
 * const { state, matrix } = fitPreprocessor(rows, { exclude: ['label'] });
 * ```
 */
export function fitPreprocessor(data: TabularData, options: PreprocessOptions = {}): { state: PreprocessState; matrix: Matrix } {
  const n = rowCount(data);
  const exclude = new Set(options.exclude ?? []);
  const maxLevels = options.maxLevels ?? 20;
  const plans: ColumnPlan[] = [];
  const dropped: DroppedColumn[] = [];
  const features: string[] = [];
  const featureSource: number[] = [];
  const cols: Float64Array[] = [];
  const byHash = new Map<number, number[]>();
  for (const name of columnNames(data)) {
    if (exclude.has(name)) {
      continue;
    }
    const raw = readColumn(data, name, 'fitPreprocessor');
    const plan = planColumn(name, raw, maxLevels);
    if ('reason' in plan) {
      dropped.push(plan);
      continue;
    }
    const enc = encodeColumn(plan, raw, n);
    // A raw column whose first encoded feature equals an earlier feature is a duplicate (AutoGluon drops those).
    const first = enc.cols[0];
    if (first !== undefined && enc.cols.length === 1) {
      const h = hashColumn(first);
      const same = (byHash.get(h) ?? []).some((j) => sameColumn(cols[j] as Float64Array, first));
      if (same) {
        dropped.push({ name, reason: 'duplicate' });
        continue;
      }
    }
    const src = plans.length;
    plans.push(plan);
    enc.cols.forEach((c, k) => {
      const h = hashColumn(c);
      const list = byHash.get(h) ?? [];
      list.push(cols.length);
      byHash.set(h, list);
      cols.push(c);
      features.push(enc.names[k] as string);
      featureSource.push(src);
    });
  }
  if (cols.length === 0) {
    throw new HealthDataError(
      'invalid-input',
      `fitPreprocessor: no usable feature column among ${columnNames(data).length} columns (dropped: ${dropped.map((d) => `${d.name} (${d.reason})`).join(', ') || 'none'}); pass a table with at least one varying feature`,
    );
  }
  return { state: { columns: plans, features, featureSource, dropped }, matrix: assemble(cols, n) };
}

/**
 * Encodes a table with a fitted preprocessing state.
 *
 * @param state - the fitted state
 * @param data - rows or columns with the training columns (extra columns are ignored)
 * @returns the encoded matrix (same column order as at fit time)
 * @throws {@link HealthDataError} (invalid-input) when a column table lacks a training column
 */
export function transformTable(state: PreprocessState, data: TabularData): Matrix {
  const n = rowCount(data);
  const cols: Float64Array[] = [];
  for (const plan of state.columns) {
    const raw = readColumn(data, plan.name, 'transformTable');
    cols.push(...encodeColumn(plan, raw, n).cols);
  }
  return assemble(cols, n);
}
