import assert from 'node:assert/strict';
import { APOE_POPULATION_FREQUENCIES, apoeAlleleFrequencyFigure, significanceMixFigure } from '../../src/viz/figures-genomic';
import { radiomicFeatureValues } from '../../src/viz/rows';

describe('viz: genomic cohort figures (notebook 05) and radiomic values (notebook 11)', () => {
  it('draws the significance mix as a pie, escaping class names from data', () => {
    const f = significanceMixFigure({ classes: ['pathogenic', '<b>x</b>'], alleles: [3, 2] });
    const trace = f.data[0] as { type: string; labels: string[]; values: number[] };
    assert.equal(trace.type, 'pie');
    assert.deepEqual(trace.values, [3, 2]);
    assert.ok(!trace.labels.some((l) => l.includes('<b>')));
  });

  it('says so when nothing is carried', () => {
    const f = significanceMixFigure({ classes: [], alleles: [] });
    assert.deepEqual(f.data, []);
    assert.match(JSON.stringify(f.layout), /import the genomic data first/);
  });

  it('gives the cohort ALT frequency of each APOE marker beside the population one', () => {
    const rows = [{ dosage_rs429358: 1, dosage_rs7412: 0 }, { dosage_rs429358: 2, dosage_rs7412: 1 }, { dosage_rs429358: 0, dosage_rs7412: null }, { dosage_rs429358: 1 }];
    const [cohort, expected] = apoeAlleleFrequencyFigure(rows).data as readonly { readonly y?: readonly number[] }[];
    assert.deepEqual(cohort?.y, [0.5, 0.125]);
    assert.deepEqual(expected?.y, [APOE_POPULATION_FREQUENCIES.rs429358, APOE_POPULATION_FREQUENCIES.rs7412]);
  });

  it('takes one radiomic feature per patient, later image sets replacing earlier, non-finite left out', () => {
    const values = radiomicFeatureValues(
      [
        { patientId: 'a', imageSetId: '1', features: { csf_fraction: 0.1 } },
        { patientId: 'a', imageSetId: '2', features: { csf_fraction: 0.2 } },
        { patientId: 'b', imageSetId: '3', features: { csf_fraction: Number.NaN } },
        { patientId: 'c', imageSetId: '4', features: { other: 1 } },
      ],
      'csf_fraction',
    );
    assert.deepEqual([...values], [['a', 0.2]]);
  });
});
