import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { crossValidate } from '../../src/automl/evaluation';
import { permutationImportance } from '../../src/automl/importance';
import { PREDICTOR_BIN, PREDICTOR_JSON, loadPredictor } from '../../src/automl/persist';
import type { FitOptions, PredictionReference } from '../../src/automl/predictor';
import { ENSEMBLE_NAME, TabularPredictor } from '../../src/automl/predictor';
import { LinearModel } from '../../src/automl/models/linear';
import { treeColumns } from '../../src/automl/models/model';
import { fitPreprocessor, transformTable } from '../../src/automl/preprocess';
import { plantedRows } from './synthetic';

const LIGHT: FitOptions = { presets: 'medium', numBagFolds: 3, hyperparameters: { RF: { nEstimators: 30 }, XT: { nEstimators: 30 }, GBM: { numRounds: 150 } } };

describe('automl TabularPredictor', function () {
  this.timeout(60000);
  const train = plantedRows(240, 1);
  const test = plantedRows(300, 2);
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-automl-'));
  });
  after(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('preprocessing infers types, imputes, one-hot encodes and drops useless columns', () => {
    const rows = [
      { num: 1, str: 'a', miss: 3, konst: 7, dup: 1, flag: true, label: 0 },
      { num: 2, str: 'b', miss: null, konst: 7, dup: 2, flag: true, label: 1 },
      { num: 3, str: 'a', miss: 5, konst: 7, dup: 3, flag: false, label: 0 },
      { num: '4', str: null, miss: 4, konst: 7, dup: 4, flag: false, label: 1 },
    ];
    const { state, matrix } = fitPreprocessor(rows, { exclude: ['label'] });
    assert.deepEqual(state.features, ['num', 'str=a', 'str=b', 'miss', 'miss__missing', 'flag']);
    assert.deepEqual(
      state.dropped.map((d) => `${d.name}:${d.reason}`),
      ['konst:constant', 'dup:duplicate'],
    );
    assert.deepEqual(Array.from(matrix.data.subarray(6, 12)), [2, 0, 1, 4, 1, 1]);
    // Unseen category → all zeros; missing numeric → training median.
    const m2 = transformTable(state, [{ num: 9, str: 'zzz', miss: undefined, flag: true }]);
    assert.deepEqual(Array.from(m2.data), [9, 0, 0, 4, 1, 1]);
    assert.throws(
      () => transformTable(state, { num: [1] }),
      (e: unknown) => (e as { code: string }).code === 'invalid-input' && /column "str" is missing/.test((e as Error).message),
    );
  });

  let predictor: TabularPredictor;
  it('fits bagged models plus a weighted ensemble that beat chance on held-out data', async () => {
    predictor = new TabularPredictor({ label: 'outcome', seed: 42, ignoredColumns: ['id'], path: path.join(tmp, 'm1') });
    await predictor.fit(train, LIGHT);
    const lb = predictor.leaderboard(test);
    assert.deepEqual(lb.map((r) => r.model).sort(), ['ExtraTrees_BAG_L1', 'KNeighbors_BAG_L1', 'LightGBM_BAG_L1', 'LinearModel_BAG_L1', 'RandomForest_BAG_L1', ENSEMBLE_NAME].sort());
    const ens = predictor.models.find((m) => m.name === ENSEMBLE_NAME)!;
    const wsum = Object.values(ens.weights ?? {}).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(wsum - 1) < 1e-9);
    const ev = predictor.evaluate(test, { bootstrap: 200 });
    assert.ok(ev.roc_auc.value > 0.85, `AUROC ${ev.roc_auc.value}`);
    assert.ok(ev.roc_auc.lower < ev.roc_auc.value && ev.roc_auc.value < ev.roc_auc.upper);
    assert.ok(ev.accuracy.value > 0.75);
    assert.equal(predictor.fitSummary.numBagFolds, 3);
    assert.ok(!predictor.featureColumns.includes('id'));
    const labels = predictor.predict(test.slice(0, 5));
    assert.ok(labels.every((v) => v === 0 || v === 1));
    const proba = predictor.predictProba(test.slice(0, 2));
    assert.deepEqual(Object.keys(proba[0]!), ['0', '1']);
  });

  it('is deterministic with a seed', async () => {
    const again = new TabularPredictor({ label: 'outcome', seed: 42, ignoredColumns: ['id'] });
    await again.fit(train, LIGHT);
    assert.deepEqual(again.predictPositive(test), predictor.predictPositive(test));
    assert.deepEqual(
      again.models.map((m) => m.scoreVal),
      predictor.models.map((m) => m.scoreVal),
    );
    const other = new TabularPredictor({ label: 'outcome', seed: 43, ignoredColumns: ['id'] });
    await other.fit(train, { ...LIGHT, excludedModelTypes: ['KNN', 'XT', 'RF', 'LR'] });
    assert.notDeepEqual(other.predictPositive(test), predictor.predictPositive(test, { model: 'LightGBM_BAG_L1' }));
  });

  it('save/load round trip gives identical predictions for every model', () => {
    const dir = predictor.save();
    assert.ok(fs.existsSync(path.join(dir, PREDICTOR_JSON)) && fs.existsSync(path.join(dir, PREDICTOR_BIN)));
    const doc = JSON.parse(fs.readFileSync(path.join(dir, PREDICTOR_JSON), 'utf8')) as { version: number; format: string };
    assert.equal(doc.version, 1);
    const loaded = TabularPredictor.load(dir);
    for (const m of predictor.models) {
      assert.deepEqual(loaded.predictPositive(test, { model: m.name }), predictor.predictPositive(test, { model: m.name }), m.name);
    }
    assert.equal(loaded.bestModel, predictor.bestModel);
    assert.deepEqual(
      loaded.leaderboard().map((r) => r.scoreVal),
      predictor.leaderboard().map((r) => r.scoreVal),
    );
    fs.writeFileSync(path.join(tmp, 'bad.json'), '{}');
    assert.throws(
      () => loadPredictor(path.join(tmp, 'nowhere')),
      (e: unknown) => (e as { code: string }).code === 'not-found',
    );
    const newer = path.join(tmp, 'newer');
    fs.mkdirSync(newer);
    fs.writeFileSync(path.join(newer, PREDICTOR_JSON), JSON.stringify({ ...doc, version: 99 }));
    fs.copyFileSync(path.join(dir, PREDICTOR_BIN), path.join(newer, PREDICTOR_BIN));
    assert.throws(
      () => loadPredictor(newer),
      (e: unknown) => (e as { code: string }).code === 'unsupported',
    );
  });

  it('respects the time limit (fake clock): later model kinds are skipped, the first is kept', async () => {
    let now = 0;
    // Every clock read advances 1 s: the 5 s budget runs out during the first model kind.
    const clock = (): number => (now += 1000);
    const p = new TabularPredictor({ label: 'outcome', seed: 1, clock, ignoredColumns: ['id'] });
    await p.fit(train, { ...LIGHT, timeLimit: 5 });
    assert.equal(p.fitSummary.timeLimitReached, true);
    assert.ok(p.models.length >= 1);
    assert.equal(p.models[0]!.name, 'LinearModel_BAG_L1');
    assert.ok(p.fitSummary.skipped.length >= 3, JSON.stringify(p.fitSummary.skipped));
    assert.ok(p.fitSummary.skipped.every((s) => s.reason.startsWith('time limit')));
    const frozen = new TabularPredictor({ label: 'outcome', seed: 1, clock: () => 0, ignoredColumns: ['id'] });
    await frozen.fit(train, { ...LIGHT, timeLimit: 5 });
    assert.equal(frozen.fitSummary.timeLimitReached, false);
  });

  it('holdout mode, multiclass labels and label errors', async () => {
    const rows = train.map((r, i) => ({ ...r, cls: ['lo', 'mid', 'hi'][(r.a as number) < -0.5 ? 0 : (r.a as number) < 0.5 ? 1 : 2], outcome: i % 17 === 0 ? null : r.outcome }));
    const p = new TabularPredictor({ label: 'cls', seed: 3, ignoredColumns: ['id', 'outcome'] });
    await p.fit(rows, { presets: 'fast', excludedModelTypes: ['KNN'] });
    assert.equal(p.state.problemType, 'multiclass');
    assert.equal(p.fitSummary.numBagFolds, 0);
    assert.deepEqual(p.classes, ['hi', 'lo', 'mid']);
    assert.ok(p.evaluate(rows.slice(0, 100), { bootstrap: 0 }).accuracy.value > 0.8);
    const q = new TabularPredictor({ label: 'outcome', seed: 3, ignoredColumns: ['id', 'cls'] });
    await q.fit(rows, { presets: 'fast', excludedModelTypes: ['KNN', 'RF', 'XT'] });
    assert.equal(q.fitSummary.rowsWithoutLabel, rows.filter((r) => r.outcome === null).length);
    await assert.rejects(new TabularPredictor({ label: 'konst' }).fit(train.map((r) => ({ ...r, konst: 1 }))), /at least two classes/);
    await assert.rejects(new TabularPredictor({ label: 'outcome' }).fit(train, { excludedModelTypes: ['GBM', 'RF', 'XT', 'LR', 'KNN'] }), /leaves no model/);
  });

  it('permutation importance ranks the planted columns above noise, with intervals', () => {
    const fi = permutationImportance(predictor, test, { numShuffles: 4, model: 'LightGBM_BAG_L1' });
    const top = fi.slice(0, 2).map((r) => r.feature);
    assert.ok(top.includes('a'), JSON.stringify(fi.slice(0, 4)));
    const a = fi.find((r) => r.feature === 'a')!;
    assert.ok(a.lower > 0 && a.pValue < 0.05 && a.n === 4);
    const noise = fi.filter((r) => r.feature.startsWith('n'));
    assert.ok(noise.every((r) => r.importance < a.importance / 3));
    assert.throws(() => permutationImportance(predictor, test, { features: ['nope'] }), /not an input column/);
  });

  it('predictions for a changed column reuse the members that never read it, with the same numbers as a fresh prediction', () => {
    const x = predictor.transform(test);
    const reference: PredictionReference = { x, byMember: new Map(), reads: new Map() };
    for (const m of predictor.models) {
      for (let j = 0; j < x.p; j++) {
        const work = { n: x.n, p: x.p, data: new Float64Array(x.data) };
        for (let i = 0; i < x.n; i++) {
          work.data[i * x.p + j] = x.data[((i * 7 + 3) % x.n) * x.p + j] as number;
        }
        assert.deepEqual(predictor.predictProbaMatrixChanged(work, [j], reference, m.name), predictor.predictProbaMatrix(work, m.name), `${m.name}, column ${j}`);
      }
    }
    // Some member skipped some column (the trees of a few hundred rows do not split on every noise column).
    const skipped = [...reference.reads.values()].some((r) => r.includes(0));
    assert.ok(skipped, 'no member left a column unread: the reuse was never exercised');
  });

  it('a linear model reads the columns with a nonzero coefficient; tree models the columns they split on', () => {
    const lr = new LinearModel(2, { mean: new Float64Array(3), scale: new Float64Array(3).fill(1) }, Float64Array.from([0.5, 1, 0, -2]));
    assert.deepEqual([...lr.columnsRead(3)], [1, 0, 1]);
    const tree = { feature: Int32Array.from([2, -1, 0, -1, -1]) };
    assert.deepEqual([...treeColumns([tree], 4)], [1, 0, 1, 0]);
  });

  it('repeated stratified CV recovers the signal; shuffled labels give AUROC ≈ 0.5 (leakage guard)', async () => {
    const rows = plantedRows(200, 5);
    // A 40% holdout keeps ≥ 20 validation rows per class; with the ensemble's minimum lowered to 20 the GBM is fitted
    // beside the baseline (see planKinds).
    const fit: FitOptions = { presets: 'fast', holdoutFrac: 0.4, excludedModelTypes: ['KNN', 'RF', 'XT'], ensembleMinClassRows: 20 };
    const cv = await crossValidate(rows, { predictor: { label: 'outcome', seed: 9, ignoredColumns: ['id'] }, fit, folds: 4, repeats: 2, evaluate: { bootstrap: 100 } });
    assert.ok(cv.metrics.roc_auc.value > 0.8, `AUROC ${cv.metrics.roc_auc.value}`);
    assert.equal(cv.perRepeat.length, 2);
    assert.ok(cv.leaderboard.length >= 2);
    const shuffled = await crossValidate(rows, { predictor: { label: 'outcome', seed: 9, ignoredColumns: ['id'] }, fit, folds: 4, repeats: 2, shuffleLabels: true, evaluate: { bootstrap: 100 } });
    const s = shuffled.metrics.roc_auc;
    assert.ok(s.lower < 0.5 + 0.02 && s.upper > 0.5 - 0.02 && Math.abs(s.value - 0.5) < 0.12, JSON.stringify(s));
  });
});
