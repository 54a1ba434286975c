/**
 * Saving and loading a fitted predictor: `predictor.json` (versioned; metadata, preprocessing, model structure) and
 * `predictor.bin` (every typed array, 8-byte aligned, little-endian as the platform writes it). In the JSON a typed
 * array is replaced by `{ "$bin": [dtype, byteOffset, length] }`, so the JSON stays small and readable.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HealthDataError } from '../errors';
import type { ModelKind, ModelState, StateValue } from './models/model';
import { loadModel } from './models/registry';
import type { PredictorOptions, PredictorState, TrainedModel } from './predictor';
import { TabularPredictor } from './predictor';

/** Format name written into `predictor.json`. */
export const PREDICTOR_FORMAT = 'mmh-tabular-predictor';
/** Format version; bump when the layout changes (older files then fail to load with a clear message). */
export const PREDICTOR_FORMAT_VERSION = 1;
/** JSON file name. */
export const PREDICTOR_JSON = 'predictor.json';
/** Binary file name. */
export const PREDICTOR_BIN = 'predictor.bin';

type Dtype = 'f64' | 'i32' | 'u8';

class BinWriter {
  chunks: Buffer[] = [];
  offset = 0;

  add(a: Float64Array | Int32Array | Uint8Array): { $bin: [Dtype, number, number] } {
    const pad = (8 - (this.offset % 8)) % 8;
    if (pad > 0) {
      this.chunks.push(Buffer.alloc(pad));
      this.offset += pad;
    }
    const dtype: Dtype = a instanceof Float64Array ? 'f64' : a instanceof Int32Array ? 'i32' : 'u8';
    const at = this.offset;
    this.chunks.push(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    this.offset += a.byteLength;
    return { $bin: [dtype, at, a.length] };
  }
}

function encode(v: unknown, w: BinWriter): unknown {
  if (v instanceof Float64Array || v instanceof Int32Array || v instanceof Uint8Array) {
    return w.add(v);
  }
  if (Array.isArray(v)) {
    return v.map((q) => encode(q, w));
  }
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, q] of Object.entries(v)) {
      out[key] = encode(q, w);
    }
    return out;
  }
  if (typeof v === 'number' && !Number.isFinite(v)) {
    return { $num: String(v) };
  }
  return v;
}

function decode(v: unknown, bin: Buffer): unknown {
  if (Array.isArray(v)) {
    return v.map((q) => decode(q, bin));
  }
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    if ('$num' in o) {
      return Number(o.$num);
    }
    if ('$bin' in o) {
      const [dtype, at, len] = o.$bin as [Dtype, number, number];
      const size = dtype === 'f64' ? 8 : dtype === 'i32' ? 4 : 1;
      if (at + len * size > bin.length) {
        throw new HealthDataError('invalid-input', `loadPredictor: ${PREDICTOR_BIN} is shorter than ${PREDICTOR_JSON} expects (array at byte ${at}); the two files must come from the same save`);
      }
      // Copy into a fresh, aligned buffer (the file buffer's offset may not be aligned).
      const bytes = new Uint8Array(len * size);
      bytes.set(bin.subarray(at, at + len * size));
      return dtype === 'f64' ? new Float64Array(bytes.buffer) : dtype === 'i32' ? new Int32Array(bytes.buffer) : bytes;
    }
    const out: Record<string, unknown> = {};
    for (const [key, q] of Object.entries(o)) {
      out[key] = decode(q, bin);
    }
    return out;
  }
  return v;
}

/**
 * Saves a fitted predictor to a folder (created if needed).
 *
 * @param predictor - a fitted predictor
 * @param dir - target folder (default: the predictor's `path` option)
 * @returns the folder written
 * @throws {@link HealthDataError} (invalid-input) when the predictor is not fitted or no folder is given
 */
export function savePredictor(predictor: TabularPredictor, dir?: string): string {
  const target = dir ?? predictor.options.path;
  if (target === undefined) {
    throw new HealthDataError('invalid-input', 'savePredictor: no folder; pass one or set path in the TabularPredictor options', { path: 'path' });
  }
  const st = predictor.state;
  const w = new BinWriter();
  const models = st.models.map((m) => ({
    name: m.name,
    kind: m.kind,
    scoreVal: m.scoreVal,
    fitTimeMs: m.fitTimeMs,
    fitOrder: m.fitOrder,
    stackLevel: m.stackLevel,
    weights: m.weights ?? null,
    members: m.members.map((c) => encode(c.state(), w)),
  }));
  const doc = {
    format: PREDICTOR_FORMAT,
    version: PREDICTOR_FORMAT_VERSION,
    savedAt: new Date().toISOString(),
    label: st.label,
    problemType: st.problemType,
    evalMetric: st.evalMetric,
    seed: st.seed,
    metadata: predictor.options.metadata ?? {},
    ignoredColumns: predictor.options.ignoredColumns ?? [],
    classes: st.classes,
    preprocess: st.preprocess,
    best: st.best,
    threshold: st.threshold ?? null,
    calibration: st.calibration ?? null,
    summary: encode(st.summary, w),
    models,
    binBytes: w.offset,
  };
  fs.mkdirSync(target, { recursive: true });
  fs.writeFileSync(path.join(target, PREDICTOR_BIN), Buffer.concat(w.chunks));
  fs.writeFileSync(path.join(target, PREDICTOR_JSON), `${JSON.stringify(doc, null, 1)}\n`);
  return target;
}

/**
 * Loads a predictor saved by {@link savePredictor}.
 *
 * @param dir - the folder
 * @param options - runtime options (progress, clock); label and metric come from the file
 * @returns the predictor, ready to predict
 * @throws {@link HealthDataError} (not-found) when the files are missing; (unsupported) for another format or a newer version
 */
export function loadPredictor(dir: string, options: Partial<PredictorOptions> = {}): TabularPredictor {
  const jsonPath = path.join(dir, PREDICTOR_JSON);
  const binPath = path.join(dir, PREDICTOR_BIN);
  if (!fs.existsSync(jsonPath) || !fs.existsSync(binPath)) {
    throw new HealthDataError('not-found', `loadPredictor: ${dir} holds no saved predictor (${PREDICTOR_JSON} + ${PREDICTOR_BIN}); save one with predictor.save(dir) first`, {
      path: dir,
    });
  }
  const doc = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as Record<string, unknown>;
  if (doc.format !== PREDICTOR_FORMAT || typeof doc.version !== 'number') {
    throw new HealthDataError('unsupported', `loadPredictor: ${jsonPath} is not a ${PREDICTOR_FORMAT} file (format ${JSON.stringify(doc.format)})`, { path: jsonPath });
  }
  if (doc.version > PREDICTOR_FORMAT_VERSION) {
    throw new HealthDataError('unsupported', `loadPredictor: ${jsonPath} has format version ${doc.version}, newer than this library reads (${PREDICTOR_FORMAT_VERSION}); upgrade multimodal-health`, {
      path: jsonPath,
    });
  }
  const bin = fs.readFileSync(binPath);
  const rawModels = doc.models as {
    name: string;
    kind: ModelKind | 'ENSEMBLE';
    scoreVal: number;
    fitTimeMs: number;
    fitOrder: number;
    stackLevel: 1 | 2;
    weights: Record<string, number> | null;
    members: unknown[];
  }[];
  const models: TrainedModel[] = rawModels.map((m) => ({
    name: m.name,
    kind: m.kind,
    scoreVal: m.scoreVal,
    fitTimeMs: m.fitTimeMs,
    fitOrder: m.fitOrder,
    stackLevel: m.stackLevel,
    ...(m.weights === null ? {} : { weights: m.weights }),
    members: m.members.map((s) => loadModel(decode(s, bin) as ModelState)),
  }));
  const state = {
    label: doc.label,
    problemType: doc.problemType,
    evalMetric: doc.evalMetric,
    seed: doc.seed,
    classes: doc.classes,
    preprocess: doc.preprocess,
    best: doc.best,
    summary: decode(doc.summary, bin),
    models,
    // Absent in files saved before the threshold existed: the predictor then reports 0.5.
    ...(typeof doc.threshold === 'number' ? { threshold: doc.threshold } : {}),
    ...(typeof doc.calibration === 'object' && doc.calibration !== null ? { calibration: doc.calibration } : {}),
  } as unknown as PredictorState;
  const metadata = typeof doc.metadata === 'object' && doc.metadata !== null ? (doc.metadata as Record<string, unknown>) : {};
  const ignoredColumns = Array.isArray(doc.ignoredColumns) ? doc.ignoredColumns.filter((c): c is string => typeof c === 'string') : [];
  return TabularPredictor.fromState(state, { metadata, ignoredColumns, ...options, path: dir });
}

/** Re-exported for the state type's users. */
export type { StateValue };
