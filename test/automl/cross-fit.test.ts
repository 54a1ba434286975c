import { strict as assert } from 'node:assert';
import { crossFitValidation } from '../../src/automl/cross-fit';
import { crossValidate } from '../../src/automl/evaluation';
import { defaultEvaluation } from '../../src/automl/experiment';
import type { DecisionInput } from '../../src/automl/fit-decisions';
import { decideOnValidation } from '../../src/automl/fit-decisions';
import { labelShuffleGuard } from '../../src/automl/leakage-guard';
import { metricValue } from '../../src/automl/metrics';
import { TabularPredictor } from '../../src/automl/predictor';
import { createRng } from '../../src/automl/rng';
import { plantedRows } from './synthetic';

/** n rows in `count` folds (row i in fold i mod count), alternating classes within each fold. */
function design(n: number, count: number): { y: Int32Array; of: Int32Array } {
  const y = Int32Array.from({ length: n }, (_, i) => Math.floor(i / count) % 2);
  const of = Int32Array.from({ length: n }, (_, i) => i % count);
  return { y, of };
}

function withoutId(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([key]) => key !== 'id'));
}

function asProba(pos: readonly number[]): Float64Array {
  const out = new Float64Array(pos.length * 2);
  pos.forEach((q, i) => {
    out[i * 2] = 1 - q;
    out[i * 2 + 1] = q;
  });
  return out;
}

function input(y: Int32Array, of: Int32Array, count: number, candidates: Float64Array[]): DecisionInput {
  return {
    kinds: [{ kind: 'LR', name: 'LinearModel_BAG_L1', candidates, penalties: candidates.map((_, c) => ({ l1: 0, l2: 10 ** -c, l1Fraction: 0 })), fallback: 0 }],
    validY: y,
    k: 2,
    metric: 'roc_auc',
    seed: 1,
    groups: { of, count },
    minClassRows: 50,
    minChoiceRows: 20,
    rounds: 25,
    ensembleName: 'WeightedEnsemble_L2',
  };
}

describe('cross-fitted evaluation', () => {
  it('decides every fold without its rows: a candidate perfect on one fold only is not chosen for it', () => {
    const { y, of } = design(500, 5);
    const rng = createRng(3);
    // Candidate 0: a moderate signal everywhere. Candidate 1: perfect on fold 0, weaker than candidate 0 elsewhere —
    // the better of the two on all rows, the worse without fold 0.
    const moderate = asProba(Array.from(y, (c) => 1 / (1 + Math.exp(-(c === 1 ? 0.5 : -0.5) - 1.5 * rng.normal()))));
    const leaky = asProba(Array.from(y, (c, i) => (of[i] === 0 ? 0.2 + 0.6 * c : 1 / (1 + Math.exp(-(c === 1 ? 0.35 : -0.35) - 1.5 * rng.normal())))));
    const rec = input(y, of, 5, [moderate, leaky]);
    assert.equal(decideOnValidation(rec).choices[0], 1, 'on all rows the fold-0-perfect candidate wins');
    const cf = crossFitValidation(rec);
    const fold0 = [...of.keys()].filter((i) => of[i] === 0);
    const y0 = Int32Array.from(fold0, (i) => y[i] as number);
    const p0 = Float64Array.from(fold0.flatMap((i) => [cf.proba[i * 2] as number, cf.proba[i * 2 + 1] as number]));
    const moderate0 = Float64Array.from(fold0.flatMap((i) => [moderate[i * 2] as number, moderate[i * 2 + 1] as number]));
    // Fold 0 is scored by the moderate candidate (chosen on folds 1–4), not by the one that is perfect on it.
    assert.ok(Math.abs(metricValue('roc_auc', y0, p0, 2) - metricValue('roc_auc', y0, moderate0, 2)) < 1e-12);
    assert.ok(metricValue('roc_auc', y0, p0, 2) < 0.95);
    assert.equal(cf.folds.length, 5);
    assert.deepEqual(Array.from(cf.foldOf), Array.from(of));
    assert.equal(cf.baseline?.name, 'LinearModel_BAG_L1');
  });

  it('uses each kind fallback candidate when the other folds have too few rows of a class to choose', () => {
    const { y, of } = design(40, 5); // 16 rows per class outside each fold: below minChoiceRows (20)
    const rng = createRng(8);
    const good = asProba(Array.from(y, (c) => 0.3 + 0.4 * c));
    const noise = asProba(Array.from(y, () => rng.next()));
    const cf = crossFitValidation(input(y, of, 5, [noise, good]));
    assert.ok(metricValue('roc_auc', y, cf.proba, 2) < 0.9, 'the fallback (first) candidate is used although the second is perfect');
    const chosen = crossFitValidation({ ...input(y, of, 5, [noise, good]), minChoiceRows: 10 });
    assert.equal(metricValue('roc_auc', y, chosen.proba, 2), 1, 'with enough rows the perfect candidate is chosen');
  });

  it('refuses a fit without bagging folds', () => {
    const { y } = design(40, 5);
    assert.throws(() => crossFitValidation({ ...input(y, new Int32Array(40).fill(-1), 5, [asProba(Array.from(y, () => 0.5))]) }), /numBagFolds/);
  });

  it('estimates the AUROC of nested cross-validation, from one bagged fit per repeat', async () => {
    const rows = plantedRows(300, 11, 10).map(withoutId);
    const common = { predictor: { label: 'outcome', seed: 5 }, folds: 5, repeats: 1, fit: { presets: 'medium' as const } };
    const nested = await crossValidate(rows, { ...common, method: 'nested' });
    const cf = await crossValidate(rows, { ...common, method: 'cross-fitted' });
    const a = nested.metrics.roc_auc;
    const b = cf.metrics.roc_auc;
    assert.ok(b.value >= a.lower && b.value <= a.upper, `cross-fitted ${b.value} outside nested [${a.lower}, ${a.upper}]`);
    assert.ok(Math.abs(a.value - b.value) < 0.03, `nested ${a.value} vs cross-fitted ${b.value}`);
    assert.equal(cf.bestModels.length, 5);
    assert.equal(cf.thresholds?.perFold.length, 5);
    assert.ok(cf.baseline !== undefined && cf.baseline.metrics.roc_auc.value > 0.7);
    assert.ok(cf.foldOf[0]!.every((f) => f >= 0 && f < 5));
  });

  it('shows no leakage under the label-shuffle guard', async () => {
    const rows = plantedRows(240, 13, 12).map(withoutId);
    const guard = await labelShuffleGuard(rows, { predictor: { label: 'outcome', seed: 9 }, folds: 5, repeats: 1, method: 'cross-fitted', permutations: 4 });
    assert.ok(guard.passed, `shuffled-label AUROCs ${guard.aurocs.join(', ')}: mean ${guard.mean} [${guard.lower}, ${guard.upper}]`);
  });

  it('needs a bagged fit, and is the default only for one', async () => {
    const rows = plantedRows(60, 2, 2).map(withoutId);
    await assert.rejects(crossValidate(rows, { predictor: { label: 'outcome' }, folds: 3, repeats: 1, method: 'cross-fitted', fit: { presets: 'fast' } }), /bagged fit/);
    assert.equal(defaultEvaluation({ presets: 'medium' }), 'cross-fitted');
    assert.equal(defaultEvaluation({}), 'cross-fitted');
    assert.equal(defaultEvaluation({ presets: 'fast' }), 'nested');
    assert.equal(defaultEvaluation({ presets: 'medium', numBagFolds: 0 }), 'nested');
  });

  it('keeps, when asked, the predictor fitted on every row: the same as fitting the options plainly', async () => {
    const rows = plantedRows(150, 6, 3).map(withoutId);
    const cv = await crossValidate(rows, { predictor: { label: 'outcome', seed: 4 }, folds: 5, repeats: 2, method: 'cross-fitted', keepPredictor: true, fit: { presets: 'medium' } });
    const plain = await new TabularPredictor({ label: 'outcome', seed: 4 }).fit(rows, { presets: 'medium' });
    assert.ok(cv.predictor !== undefined);
    assert.deepEqual(Array.from(cv.predictor.predictPositive(rows)), Array.from(plain.predictPositive(rows)));
    const saved = new TabularPredictor({ label: 'outcome', seed: 4 }).adopt(cv.predictor);
    assert.equal(saved.bestModel, plain.bestModel);
    // Other folds than the preset's: not the plain fit, so not kept.
    const three = await crossValidate(rows, { predictor: { label: 'outcome', seed: 4 }, folds: 3, repeats: 1, method: 'cross-fitted', keepPredictor: true, fit: { presets: 'medium' } });
    assert.equal(three.predictor, undefined);
    assert.throws(() => new TabularPredictor({ label: 'other' }).adopt(plain), /label/);
  });

  it('keeps the validation record of a fit, not of a loaded predictor', async () => {
    const rows = plantedRows(120, 4, 2).map(withoutId);
    const p = await new TabularPredictor({ label: 'outcome', seed: 1 }).fit(rows, { presets: 'medium', threads: 0 });
    const rec = p.validationRecord;
    assert.ok(rec !== undefined);
    assert.equal(rec.validY.length, 120);
    assert.equal(rec.groups?.count, 5);
    assert.equal(TabularPredictor.fromState(p.state).validationRecord, undefined);
  });
});
