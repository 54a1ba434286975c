import assert from 'node:assert/strict';
import { modelCalibrationFigure as calibrationFigure, modelImportanceFigure as importanceFigure, modelRocFigure as rocFigure } from '../../src/viz/model-figures';

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
});
