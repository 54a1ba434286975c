/**
 * Benchmark of the AutoML model zoo and predictor (src/automl).
 *
 * Run: `node --import tsx bench/automl.ts [rows] [features] [folds]` (default 5,000 × 100, 3 folds).
 *
 * A synthetic table with six informative features (two linear, an interaction, a threshold, a sine, a square)
 * and the rest noise. Every model is fitted on the same stratified folds; the out-of-fold AUROC (pooled) and the
 * fit time are printed as ratios against our L2 logistic regression, run in the same process on the same folds,
 * plus a one-tree baseline (one boosted tree, learning rate 1). A second part times the `medium` preset of the full
 * TabularPredictor (5-fold bagging of five model kinds + ensemble) on 150 rows × 300 features, the size of the
 * guidance's cohort, as a ratio against one logistic regression fit on the same table. A third part times the
 * model server (`serve.ts`, real HTTP on 127.0.0.1) serving that predictor: median request latency for one instance
 * and for 100 instances, as ratios against a no-op `node:http` handler (reads the body, answers `{}`) in the same
 * process, requests alternating between the two servers; the in-process `predictProba` time of the same rows is
 * printed beside it (the model's own share of the latency).
 */
import * as http from 'node:http';
import { auroc } from '../src/automl/metrics';
import { stratifiedFolds } from '../src/automl/cv';
import type { Hyperparameters } from '../src/automl/models/registry';
import { fitModel } from '../src/automl/models/registry';
import type { ModelKind } from '../src/automl/models/model';
import { TabularPredictor } from '../src/automl/predictor';
import { createRng } from '../src/automl/rng';
import { startModelServer } from '../src/automl/serve';
import type { Matrix } from '../src/automl/types';
import { takeInt, takeRows } from '../src/automl/types';

const n = Number(process.argv[2] ?? 5000);
const p = Number(process.argv[3] ?? 100);
const k = Number(process.argv[4] ?? 3);

function table(rows: number, cols: number, seed: number): { x: Matrix; y: Int32Array } {
  const rng = createRng(seed);
  const data = new Float64Array(rows * cols);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      data[i * cols + j] = rng.normal();
    }
    const f = (j: number): number => data[i * cols + j]!;
    const z = 0.8 * f(0) - 0.6 * f(1) + 0.7 * f(2) * f(3) + (f(4) > 0.5 ? 0.9 : 0) + 0.6 * Math.sin(2 * f(5)) - 0.3 * f(0) ** 2 + 0.8 * rng.normal();
    y[i] = z > 0 ? 1 : 0;
  }
  return { x: { n: rows, p: cols, data }, y };
}

interface Row {
  name: string;
  kind: ModelKind;
  hp: Hyperparameters;
}

const models: Row[] = [
  { name: 'logistic regression (reference)', kind: 'LR', hp: {} },
  { name: 'one-tree baseline', kind: 'GBM', hp: { GBM: { numRounds: 1, learningRate: 1, featureFraction: 1 } } },
  { name: 'GBM (histogram, early stopping)', kind: 'GBM', hp: {} },
  { name: 'random forest (100 trees)', kind: 'RF', hp: {} },
  { name: 'extra trees (100 trees)', kind: 'XT', hp: {} },
];

async function main(): Promise<void> {
  const { x, y } = table(n, p, 1);
  const folds = stratifiedFolds(y, k, 7);
  console.log(`automl bench: ${n.toLocaleString('en-US')} rows × ${p} features, ${k}-fold stratified, same folds for every model`);
  const results: { name: string; auc: number; ms: number }[] = [];
  for (const m of models) {
    const oof = new Float64Array(n);
    let ms = 0;
    for (let f = 0; f < k; f++) {
      const tr: number[] = [];
      const te: number[] = [];
      folds.forEach((fi, i) => (fi === f ? te : tr).push(i));
      // Early stopping uses the last 10% of the training part, never the test fold.
      const cut = Math.floor(tr.length * 0.9);
      const fitRows = tr.slice(0, cut);
      const stopRows = tr.slice(cut);
      const t0 = performance.now();
      const model = fitModel(m.kind, takeRows(x, fitRows), takeInt(y, fitRows), { nClasses: 2, seed: f, valid: { x: takeRows(x, stopRows), y: takeInt(y, stopRows) } }, m.hp);
      ms += performance.now() - t0;
      const proba = model.predictProba(takeRows(x, te));
      te.forEach((i, q) => {
        oof[i] = proba[q * 2 + 1]!;
      });
    }
    results.push({ name: m.name, auc: auroc(y, oof), ms });
  }
  const ref = results[0]!;
  console.log('model | out-of-fold AUROC | AUROC ratio vs LR | fit time ratio vs LR');
  for (const r of results) {
    console.log(`${r.name} | ${r.auc.toFixed(4)} | ${(r.auc / ref.auc).toFixed(3)} | ${(r.ms / ref.ms).toFixed(2)}`);
  }

  // The full predictor on the guidance-sized table.
  const small = table(150, 300, 2);
  const rows = Array.from({ length: 150 }, (_, i) => {
    const r: Record<string, number> = { label: small.y[i]! };
    for (let j = 0; j < 300; j++) {
      r[`f${j}`] = small.x.data[i * 300 + j]!;
    }
    return r;
  });
  const t1 = performance.now();
  fitModel('LR', small.x, small.y, { nClasses: 2, seed: 0 });
  const lrMs = performance.now() - t1;
  const t2 = performance.now();
  const predictor = new TabularPredictor({ label: 'label', seed: 1 });
  predictor.fitSync(rows, { presets: 'medium' });
  const medMs = performance.now() - t2;
  console.log(`TabularPredictor 'medium' on 150 × 300: fit time ratio vs one LR fit ${(medMs / lrMs).toFixed(1)} (${predictor.models.length} models, best ${predictor.bestModel}; ${(medMs / 1000).toFixed(1)} s wall on this shared machine)`);

  // The model server against a no-op handler, same process, same client, requests alternating.
  const noop = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => noop.listen(0, '127.0.0.1', resolve));
  const noopAddr = noop.address();
  const noopUrl = `http://127.0.0.1:${typeof noopAddr === 'object' && noopAddr !== null ? noopAddr.port : 0}/invocations`;
  const server = await startModelServer({ models: { bench: predictor } });
  const modelUrl = `${server.url}/invocations`;
  const instance = (i: number): Record<string, number> => Object.fromEntries(Object.entries(rows[i % rows.length]!).filter(([key]) => key !== 'label'));
  const post = async (url: string, body: string): Promise<number> => {
    const t = performance.now();
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await r.arrayBuffer();
    if (r.status !== 200) {
      throw new Error(`bench: ${url} answered ${r.status}`);
    }
    return performance.now() - t;
  };
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  for (const batch of [1, 100]) {
    const instances = Array.from({ length: batch }, (_, i) => instance(i));
    const body = JSON.stringify({ instances });
    for (let w = 0; w < 20; w++) {
      await post(noopUrl, body);
      await post(modelUrl, body);
    }
    const a: number[] = [];
    const b: number[] = [];
    const c: number[] = [];
    for (let i = 0; i < 300; i++) {
      a.push(await post(noopUrl, body));
      b.push(await post(modelUrl, body));
      const t = performance.now();
      predictor.predictProba(instances);
      c.push(performance.now() - t);
    }
    console.log(
      `model server, ${batch} instance(s) × 300 features per request (${(body.length / 1024).toFixed(0)} KiB): median latency ratio vs no-op node:http handler ${(median(b) / median(a)).toFixed(2)} (${median(b).toFixed(2)} ms vs ${median(a).toFixed(2)} ms; the in-process predictProba of the same rows alone ${median(c).toFixed(2)} ms)`,
    );
  }
  await server.close();
  noop.closeAllConnections();
  await new Promise<void>((resolve) => {
    noop.close(() => {
      resolve();
    });
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
