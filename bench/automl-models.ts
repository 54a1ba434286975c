/**
 * Benchmark of the AutoML model kernels (src/automl/models), in process, one thread: the CPU time of one 5-fold
 * cross-validation of each model kind's fit task (`runFitTask`: what the predictor runs per kind and bagging split —
 * the logistic regression's whole penalty path, the GBM with its early-stopping rows), and its pooled out-of-fold
 * AUROC.
 *
 * Run: `node --import tsx bench/automl-models.ts` (a synthetic stand-in), or on the default cohort's tables:
 * `MMH_WORKSPACE=/path/to/default/ws node --import tsx bench/automl-models.ts` (the clinical set of every outcome,
 * 1,278 patients, and the Alzheimer's genomic set, the 832 genome holders' dosage columns).
 *
 * The reference, run in the same process on the same folds, is the logistic-regression penalty path solved by FISTA
 * (`solver: 'fista'`, 300 iterations at most per penalty: the solver every path used before the Newton solver of
 * `logistic-newton.ts`); each kernel's time is printed as a ratio to it. Best of 3 interleaved rounds (CPU time of
 * this thread, `process.cpuUsage`), with the load average beside them: on a shared machine the wall time mostly
 * measures the other tenants.
 */
import * as os from 'node:os';
import { stratifiedFolds } from '../src/automl/cv';
import { modalityTable } from '../src/automl/experiment';
import { runFitTask } from '../src/automl/fit-task';
import { auroc } from '../src/automl/metrics';
import type { ModelKind } from '../src/automl/models/model';
import type { Hyperparameters } from '../src/automl/models/registry';
import { buildOutcomeDataset } from '../src/automl/outcome-models';
import { fitPreprocessor } from '../src/automl/preprocess';
import { createRng } from '../src/automl/rng';
import type { Matrix } from '../src/automl/types';
import { takeInt, takeRows } from '../src/automl/types';
import { openWorkspace } from '../src/workspace';

interface Table {
  readonly name: string;
  readonly x: Matrix;
  readonly y: Int32Array;
}

interface Kernel {
  readonly name: string;
  readonly kind: ModelKind;
  readonly hp: Hyperparameters;
}

const KERNELS: readonly Kernel[] = [
  { name: 'LR path, FISTA (reference)', kind: 'LR', hp: { LR: { solver: 'fista' } } },
  { name: 'LR path, Newton', kind: 'LR', hp: {} },
  { name: 'RF', kind: 'RF', hp: {} },
  { name: 'XT', kind: 'XT', hp: {} },
  { name: 'GBM', kind: 'GBM', hp: {} },
];
const ROUNDS = 3;
const FOLDS = 5;

const loadavg = (): string =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' ');

/** The default cohort's tables from the workspace in MMH_WORKSPACE, or undefined without one. */
async function workspaceTables(): Promise<Table[] | undefined> {
  if (process.env.MMH_WORKSPACE === undefined) {
    return undefined;
  }
  const ws = await openWorkspace();
  try {
    const tables: Table[] = [];
    for (const outcome of ['hypertension', 'stroke', 'chd', 'alzheimers'] as const) {
      const ds = await buildOutcomeDataset(ws, outcome);
      const sets = outcome === 'alzheimers' ? [[`clinical-${outcome}`], ['genomic']] : [[`clinical-${outcome}`]];
      for (const groups of sets) {
        const t = modalityTable(ds, groups, 'label');
        const { matrix } = fitPreprocessor(t.rows, { exclude: ['label'] });
        tables.push({ name: `${outcome} ${groups[0]?.startsWith('clinical') === true ? 'clinical' : 'genomic'}`, x: matrix, y: Int32Array.from(t.rows, (r) => (Number(r.label) === 1 ? 1 : 0)) });
      }
    }
    return tables;
  } finally {
    await ws.close();
  }
}

/** A clinical-shaped stand-in: 1,278 rows, 88 columns (a third binary), a log-odds signal on eight, 17% cases. */
function syntheticTable(): Table {
  const rng = createRng(100);
  const n = 1278;
  const p = 88;
  const data = new Float64Array(n * p);
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) {
      const v = j % 3 === 0 ? (rng.next() < 0.2 ? 1 : 0) : rng.normal();
      data[i * p + j] = v;
      s += j < 8 ? (0.5 - 0.1 * j) * v : 0;
    }
    z[i] = s + 0.4 * (data[i * p + 1] as number) * (data[i * p + 2] as number) + rng.normal();
  }
  const cut = Float64Array.from(z).sort()[Math.floor(n * 0.83)] as number;
  return { name: 'synthetic clinical-shaped', x: { n, p, data }, y: Int32Array.from(z, (v) => (v > cut ? 1 : 0)) };
}

/** One 5-fold CV of a kernel: CPU ms and the pooled out-of-fold AUROC of each candidate (one per penalty for LR). */
function crossValidateKernel(t: Table, k: Kernel, foldOf: Int32Array): { ms: number; aurocs: number[] } {
  const c0 = process.cpuUsage();
  let scores: Float64Array[] = [];
  for (let f = 0; f < FOLDS; f++) {
    const train: number[] = [];
    const test: number[] = [];
    foldOf.forEach((fold, i) => {
      (fold === f ? test : train).push(i);
    });
    const cands = runFitTask({ kind: k.kind, x: takeRows(t.x, train), y: takeInt(t.y, train), valid: takeRows(t.x, test), nClasses: 2, seed: 1000 + f, hp: k.hp });
    if (scores.length === 0) {
      scores = cands.map(() => new Float64Array(t.y.length));
    }
    cands.forEach((c, ci) => {
      const s = scores[ci] as Float64Array;
      test.forEach((row, q) => {
        s[row] = c.proba[q * 2 + 1] as number;
      });
    });
  }
  const u = process.cpuUsage(c0);
  return { ms: (u.user + u.system) / 1000, aurocs: scores.map((s) => auroc(t.y, s)) };
}

function benchTable(t: Table): void {
  const cases = t.y.reduce((a, b) => a + b, 0);
  console.log(`\n${t.name}: ${t.x.n} rows × ${t.x.p} columns, ${cases} cases; ${FOLDS}-fold CV per kernel, best of ${ROUNDS} interleaved rounds; load average ${loadavg()}`);
  const foldOf = stratifiedFolds(t.y, FOLDS, 42);
  const best = KERNELS.map(() => Infinity);
  const aurocs: number[][] = KERNELS.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    KERNELS.forEach((k, ki) => {
      const res = crossValidateKernel(t, k, foldOf);
      best[ki] = Math.min(best[ki] as number, res.ms);
      aurocs[ki] = res.aurocs;
    });
  }
  const ref = best[0] as number;
  KERNELS.forEach((k, ki) => {
    const a = aurocs[ki] as number[];
    const auc = a.length === 1 ? (a[0] as number).toFixed(4) : `${Math.min(...a).toFixed(4)}–${Math.max(...a).toFixed(4)} over ${a.length} penalties`;
    console.log(`  ${k.name.padEnd(28)} ${(best[ki] as number).toFixed(0).padStart(6)} ms CPU  ×${((best[ki] as number) / ref).toFixed(2)} of the reference  OOF AUROC ${auc}`);
  });
  console.log(`  load average at end ${loadavg()}`);
}

async function main(): Promise<void> {
  const tables = (await workspaceTables()) ?? [syntheticTable()];
  if (process.env.MMH_WORKSPACE === undefined) {
    console.log('no MMH_WORKSPACE: a synthetic clinical-shaped table stands in for the default cohort');
  }
  for (const t of tables) {
    benchTable(t);
  }
}

void main();
