import assert from 'node:assert/strict';
import { crossValidate } from '../../src/automl/evaluation';
import { auroc } from '../../src/automl/metrics';
import { genotypeRows } from './synthetic';

describe('automl with one real signal among many weak genotype columns', function () {
  this.timeout(900000);

  it("800 patients, apoe_e4 among 270 dosage columns: CV AUROC ≥ the logistic baseline's − 0.005 and ≥ 60% of the oracle's lift over chance", async () => {
    const rows = genotypeRows(800, 270, 2);
    const y = rows.map((r) => r.label as number);
    // The Bayes-optimal score is monotone in apoe_e4 alone: its AUROC on these rows is the oracle.
    const oracle = auroc(
      y,
      rows.map((r) => r.apoe_e4 as number),
    );
    assert.ok(oracle > 0.58 && oracle < 0.65, `oracle ${oracle}`);
    const cv = await crossValidate(rows, { predictor: { label: 'label', seed: 2 }, fit: { presets: 'medium' }, folds: 5, repeats: 1, evaluate: { bootstrap: 0 } });
    assert.ok(cv.baseline !== undefined);
    const auto = cv.metrics.roc_auc.value;
    const lr = cv.baseline.metrics.roc_auc.value;
    const detail = `AutoML ${auto.toFixed(4)}, logistic baseline ${lr.toFixed(4)}, oracle ${oracle.toFixed(4)}; chosen ${cv.bestModels.join(', ')}`;
    assert.ok(auto >= lr - 0.005, detail);
    assert.ok(auto - 0.5 >= 0.6 * (oracle - 0.5), detail);
  });
});
