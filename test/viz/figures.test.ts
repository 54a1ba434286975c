import * as assert from 'node:assert/strict';
import {
  apoeCounts,
  apoeFigure,
  ageSexCounts,
  comorbidityFigure,
  comorbidityMatrix,
  conditionCounts,
  conditionPrevalenceFigure,
  demographicsPyramid,
  distributionByOutcomeFigure,
  embeddingFigure,
  significanceCounts,
  splitHistogram,
  variantSignificanceFigure,
} from '../../src/viz/figures-population';
import { calibrationFigure, importanceFigure, metricsTableFigure, rocFigure } from '../../src/viz/figures-models';
import { genomicFindingsFigure, imagingFeaturesFigure, riskFigure, timelineFigure, vitalsTrendFigure } from '../../src/viz/figures-patient';
import type { ConditionEventRow, ModelResultSummary, DashboardPatient, VariantFindingRow } from '../../src/viz/rows';
import { plotlyText } from '../../src/viz/figure';
import { clampedBinCounts, freedmanDiaconisBins, niceStep } from '../../src/viz/histogram-bins';
import { binCounts, histogramBins } from '../../src/viz/stats';
import { assertGolden } from './golden';

const P = (id: string, sex: DashboardPatient['sex'], birthDate: string | null, outcomes: DashboardPatient['outcomes'] = []): DashboardPatient => ({
  id,
  sex,
  birthDate,
  outcomes,
  modalities: ['clinical'],
});
const patients: DashboardPatient[] = [
  P('a', 'male', '1950-06-01', ['hypertension']),
  P('b', 'female', '1950-01-01'),
  P('c', 'female', '1990-12-31', ['alzheimers']),
  P('d', 'male', '2020-01-01'),
  P('e', 'other', null),
];
const conditions: ConditionEventRow[] = [
  { patientId: 'a', code: '59621000', display: 'Hypertension', onset: '2010-01-01' },
  { patientId: 'a', code: '59621000', display: 'Hypertension', onset: '2012-01-01' },
  { patientId: 'a', code: 'x', display: 'Obesity', onset: '2011-05-01' },
  { patientId: 'b', code: 'x', display: 'Obesity', onset: null },
  { patientId: 'c', code: '26929004', display: "Alzheimer's disease", onset: '2020-02-02' },
];
const variants: VariantFindingRow[] = [
  { patientId: 'a', gene: 'APOE', clinicalSignificance: 'risk_factor', variant: 'rs429358', genotype: '0/1' },
  { patientId: 'b', gene: 'LDLR', clinicalSignificance: 'Pathogenic', variant: 'rs1', genotype: '0/1', condition: 'FH <script>' },
  { patientId: 'b', gene: 'LDLR', clinicalSignificance: 'Benign', variant: 'rs2' },
  { patientId: 'c', gene: 'LDLR', clinicalSignificance: 'Pathogenic', variant: 'rs1' },
];
const model: ModelResultSummary = {
  outcome: 'hypertension',
  model: 'gbm',
  metrics: { roc_auc: 0.75, accuracy: 0.8 },
  labels: [1, 0, 1, 0],
  probabilities: [0.9, 0.8, 0.3, 0.1],
  importance: [
    { feature: 'age', importance: 0.2 },
    { feature: 'sbp', importance: 0.5 },
  ],
};

describe('population figures', () => {
  it('pyramid: counts by band and sex, males negative, every band present', () => {
    const c = ageSexCounts(patients, '2026-01-01');
    assert.equal(
      c.male.reduce((a, b) => a + b, 0),
      2,
    );
    assert.equal(
      c.female.reduce((a, b) => a + b, 0),
      2,
    );
    assert.equal(c.male[c.bands.indexOf('70-79')], 1); // a: born 1950-06-01 → 75
    assert.equal(c.female[c.bands.indexOf('70-79')], 1); // b: 76
    assert.equal(c.female[c.bands.indexOf('30-39')], 1); // c: 35 on 2026-01-01 (birthday Dec 31)
    const fig = demographicsPyramid(c);
    assert.ok((fig.data[0]?.x as number[]).every((v) => v <= 0));
    assertGolden('pyramid', fig);
  });
  it('prevalence counts distinct patients and comorbidity is symmetric with the diagonal = prevalence', () => {
    const prev = conditionCounts(conditions, patients.length);
    assert.deepEqual(prev.labels, ['Obesity', "Alzheimer's disease", 'Hypertension']);
    assert.deepEqual(prev.counts, [2, 1, 1]);
    const fig = conditionPrevalenceFigure(prev);
    assert.deepEqual(fig.data[0]?.x, [40, 20, 20]);
    assertGolden('prevalence', fig);
    const m = comorbidityMatrix(conditions, prev.labels);
    assert.deepEqual(m.matrix, [
      [2, 0, 1],
      [0, 1, 0],
      [1, 0, 1],
    ]);
    assertGolden('comorbidity', comorbidityFigure(m));
  });
  it('split binCounts: percentages of each group sum to 100', () => {
    const values = new Map([
      ['a', 150],
      ['b', 120],
      ['c', 130],
      ['d', 110],
    ]);
    const h = splitHistogram(values, (id) => id === 'a' || id === 'c', { measure: 'Systolic blood pressure', unit: 'mm[Hg]', outcome: 'hypertension', bins: 4 });
    assert.ok(h !== undefined);
    assert.deepEqual(h.with, [0, 0, 1, 1]);
    assert.deepEqual(h.without, [1, 1, 0, 0]);
    const fig = distributionByOutcomeFigure(h);
    for (const t of fig.data) {
      assert.equal(
        (t.y as number[]).reduce((a, b) => a + b, 0),
        100,
      );
    }
    assertGolden('vitals-by-outcome', fig);
    assert.equal(
      splitHistogram(new Map(), () => true, { measure: 'x', unit: '', outcome: 'stroke' }),
      undefined,
    );
  });
  it('skewed lab: Freedman–Diaconis bins spread the bulk over many readable bins; outliers land in the edge bins', () => {
    // A log-normal lab (median ~120, long right tail) with three wild values, as a mistyped unit would give.
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return (seed + 0.5) / 2147483648;
    };
    const normal = (): number => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
    const values = new Map<string, number>();
    for (let i = 0; i < 1200; i++) {
      values.set(`p${String(i)}`, Math.round(Math.exp(Math.log(120) + 0.35 * normal()) * 10) / 10);
    }
    values.set('x1', 12000);
    values.set('x2', 9800);
    values.set('x3', -5);
    const edges = freedmanDiaconisBins(values.values());
    assert.ok(edges !== undefined);
    assert.ok(edges.count >= 10 && edges.count <= 60, `bins: ${String(edges.count)}`);
    assert.equal(niceStep(edges.size), edges.size, 'a readable width (1, 2, 2.5 or 5 × 10^k)');
    const counts = clampedBinCounts(values.values(), edges);
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      values.size,
      'every patient is counted once',
    );
    assert.ok(Math.max(...counts) < 0.3 * values.size, `no bin holds most patients: ${counts.join(',')}`);
    assert.ok(counts.filter((c) => c > 0).length >= 10);
    // The old equal-width rule over the full range put nearly everyone in one bin.
    const old = histogramBins(values.values(), 20);
    assert.ok(old !== undefined && Math.max(...binCounts(values.values(), old)) > 0.9 * values.size);
    const h = splitHistogram(values, (id) => id.endsWith('7'), { measure: 'LDL', unit: 'mg/dL', outcome: 'hypertension' });
    assert.ok(h !== undefined);
    assert.deepEqual(h.edges, edges);
    assert.equal(
      [...h.with, ...h.without].reduce((a, b) => a + b, 0),
      values.size,
    );
    // Constant and tiny inputs still draw.
    assert.deepEqual(freedmanDiaconisBins([5, 5, 5]), { start: 4.5, size: 1, count: 1 });
    assert.equal(freedmanDiaconisBins([NaN]), undefined);
    assert.ok((freedmanDiaconisBins([1, 2])?.count ?? 0) >= 1);
    assert.equal(niceStep(0.3), 0.5);
    assert.equal(niceStep(2.2), 2.5);
    assert.equal(niceStep(100), 100);
  });
  it('variant significance per gene counts carriers once and orders pathogenic first', () => {
    const c = significanceCounts(variants);
    assert.deepEqual(c.genes, ['LDLR', 'APOE']);
    assert.deepEqual(c.significances, ['Pathogenic', 'Benign', 'risk_factor']);
    assert.deepEqual(c.counts, [
      [2, 0],
      [1, 0],
      [0, 1],
    ]);
    assertGolden('variant-significance', variantSignificanceFigure(c));
  });
  it('APOE by Alzheimer status: percent within group', () => {
    const c = apoeCounts(
      [
        { patientId: 'a', genotype: 'e3/e4' },
        { patientId: 'b', genotype: 'e3/e3' },
        { patientId: 'c', genotype: 'e4/e4' },
        { patientId: 'd', genotype: 'e3/e3' },
      ],
      (id) => id === 'c',
    );
    const fig = apoeFigure(c);
    assert.equal(fig.data[0]?.y instanceof Array && (fig.data[0].y as number[])[c.genotypes.indexOf('e4/e4')], 100);
    assert.ok(Math.abs((fig.data[1]?.y as number[])[c.genotypes.indexOf('e3/e3')]! - 66.67) < 1e-9);
    assertGolden('apoe', fig);
  });
  it('embedding splits points by outcome and escapes ids', () => {
    const fig = embeddingFigure(
      [
        { id: '<b>x</b>', x: 1, y: 2, has: true },
        { id: 'y', x: -1, y: 0.5, has: false },
      ],
      { outcome: 'alzheimers', explained: [0.5, 0.25] },
    );
    assert.deepEqual(fig.data[1]?.text, ['&lt;b&gt;x&lt;/b&gt;']);
    assertGolden('embedding', fig);
  });
  it('empty inputs give an empty figure with the "no data yet" message', () => {
    const fig = variantSignificanceFigure(significanceCounts([]));
    assert.equal(fig.data.length, 0);
    assert.match(JSON.stringify(fig.layout), /no data yet for this modality/);
  });
});

describe('model figures', () => {
  it('metrics table, ROC, calibration and importance', () => {
    const table = metricsTableFigure([model]);
    assert.deepEqual((table.data[0]?.header as { values: string[] }).values, ['outcome', 'model', 'roc_auc', 'accuracy']);
    const roc = rocFigure([model]);
    assert.match(String(roc.data[0]?.name), /AUC 0\.750/);
    assertGolden('models-metrics', table);
    assertGolden('models-roc', roc);
    assertGolden('models-calibration', calibrationFigure([model], 2));
    const imp = importanceFigure(model);
    assert.deepEqual(imp.data[0]?.y, ['sbp', 'age']);
    assertGolden('models-importance', imp);
    const unused = importanceFigure({ ...model, importance: [...(model.importance ?? []), { feature: 'noise', importance: 0 }, { feature: 'worse', importance: -0.01 }] });
    assert.deepEqual(unused.data[0]?.y, ['sbp', 'age'], 'features the model does not use are left out');
    assert.match(JSON.stringify(importanceFigure({ ...model, importance: [{ feature: 'noise', importance: 0 }] }).layout), /no feature changes the score when shuffled/);
  });
});

describe('patient figures', () => {
  it('timeline, vitals trend, genomic findings, imaging features, risk', () => {
    assertGolden(
      'patient-timeline',
      timelineFigure(
        conditions.filter((c) => c.patientId === 'a'),
        [{ patientId: 'a', type: 'wellness', start: '2011-01-01T09:00:00Z' }],
      ),
    );
    const vitals = vitalsTrendFigure([
      { patientId: 'a', code: '8480-6', display: 'Systolic', value: 150, unit: 'mm[Hg]', effective: '2012-01-01' },
      { patientId: 'a', code: '8480-6', display: 'Systolic', value: 140, unit: 'mm[Hg]', effective: '2011-01-01' },
    ]);
    assert.deepEqual(vitals.data[0]?.y, [140, 150]);
    assertGolden('patient-vitals', vitals);
    const gen = genomicFindingsFigure(variants.filter((v) => v.patientId === 'b'));
    assert.ok(!JSON.stringify(gen).includes('<script>'));
    assertGolden('patient-genomic', gen);
    assertGolden('patient-imaging', imagingFeaturesFigure([{ patientId: 'a', imageSetId: 'set1', features: { glcm_Contrast: 1.23456, firstorder_Mean: 10 } }]));
    assertGolden('patient-risk', riskFigure([{ patientId: 'a', outcome: 'stroke', probability: 0.62, topFeatures: [{ feature: 'age', contribution: 0.2 }] }]));
  });
  it('plotlyText escapes markup plotly would interpret', () => {
    assert.equal(plotlyText('<a href="x">&'), '&lt;a href="x"&gt;&amp;');
    assert.equal(plotlyText(null), '');
  });
});
