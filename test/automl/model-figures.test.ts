import assert from 'node:assert/strict';
import { modelCalibrationFigure as calibrationFigure, modelImportanceFigure as importanceFigure, modelRocFigure as rocFigure } from '../../src/viz/figures-models';
import { designComparisonFigure, metricsTableFigure } from '../../src/viz/figures-models';
import type { ModelResultSummary } from '../../src/viz/rows';

describe('viz model figures', () => {
  const y = [0, 0, 1, 1];
  const score = [0.1, 0.4, 0.35, 0.8];

  it('ROC figure: one step trace per series plus the diagonal, AUROC interval in the legend', () => {
    const fig = rocFigure([{ name: 'all', y, score, auroc: { value: 0.75, lower: 0.1, upper: 1 } }]);
    assert.equal(fig.data.length, 2);
    assert.deepEqual(fig.data[0], {
      type: 'scatter',
      mode: 'lines',
      name: 'all (AUROC 0.750 [0.100, 1.000])',
      x: [0, 0, 0.5, 0.5, 1],
      y: [0, 0.5, 0.5, 1, 1],
      line: { shape: 'hv' },
    });
  });

  it('calibration figure bins predictions', () => {
    const fig = calibrationFigure([{ name: 'm', y, score }], 2);
    assert.deepEqual(fig.data[0]!.x, [0.283, 0.8]);
    assert.deepEqual(fig.data[0]!.y, [0.333, 1]);
  });

  it('importance figure sorts bars, largest on top, with asymmetric whiskers', () => {
    const fig = importanceFigure([
      { feature: 'a', importance: 0.2, stddev: 0.01, pValue: 0.001, n: 5, lower: 0.18, upper: 0.22 },
      { feature: 'b', importance: 0.05, stddev: 0.02, pValue: 0.02, n: 5, lower: 0.01, upper: 0.09 },
    ]);
    assert.deepEqual(fig.data[0]!.y, ['b', 'a']);
    assert.deepEqual((fig.data[0]!.error_x as { array: number[] }).array, [0.04, 0.02]);
  });

  it('Models sheet: designs side by side (AUROC, paired Δ vs clinical, share of oracle) and warnings in the metrics table', () => {
    const base = { design: 'prognostic', comparison: 'all three', patients: 150, cases: 30, lower: 0.6, upper: 0.8, oracle: 0.9 };
    const result: ModelResultSummary = {
      outcome: 'stroke',
      model: 'WeightedEnsemble_L2 (clinical)',
      metrics: { roc_auc: 0.48, roc_auc_lower: 0.4, roc_auc_upper: 0.56 },
      warnings: ['cross-validated AUROC interval [0.40, 0.56] includes 0.5: <not> distinguishable from chance'],
      designs: [
        { ...base, set: 'clinical', auroc: 0.7, vsClinical: null },
        { ...base, set: 'all three', auroc: 0.81, lower: 0.72, upper: 0.9, vsClinical: { difference: 0.11, lower: 0.03, upper: 0.19 } },
        { ...base, design: 'guidance', set: 'all three', auroc: 0.95, vsClinical: { difference: 0.01, lower: -0.02, upper: 0.04 }, oracle: null },
      ],
    };
    const fig = designComparisonFigure([result]);
    const table = fig.data[0] as unknown as { header: { values: string[] }; cells: { values: unknown[][] } };
    assert.deepEqual(table.header.values.slice(0, 6), ['outcome', 'set', 'guidance: n (cases)', 'guidance: AUROC', 'guidance: Δ vs clinical', 'guidance: / oracle']);
    const col = (name: string): unknown[] => table.cells.values[table.header.values.indexOf(name)]!;
    assert.deepEqual(col('set'), ['clinical', 'all three']);
    assert.deepEqual(col('prognostic: AUROC'), ['0.700 [0.60, 0.80]', '0.810 [0.72, 0.90]']);
    assert.deepEqual(col('prognostic: Δ vs clinical'), ['', '+0.110 [0.03, 0.19]']);
    assert.deepEqual(col('prognostic: / oracle'), [0.78, 0.9]);
    assert.deepEqual(col('guidance: / oracle'), ['', '']);
    assert.deepEqual(col('prognostic: n (cases)'), ['150 (30)', '150 (30)']);
    assert.equal(designComparisonFigure([{ ...result, designs: [] }]).data.length, 0);
    const metrics = metricsTableFigure([result]).data[0] as unknown as { header: { values: string[] }; cells: { values: unknown[][] } };
    assert.equal(metrics.header.values[2], 'warnings');
    // Data strings are HTML-escaped; only the line breaks between warnings are markup.
    assert.deepEqual(metrics.cells.values[2], ['⚠ cross-validated AUROC interval [0.40, 0.56] includes 0.5: &lt;not&gt; distinguishable from chance']);
  });
});
