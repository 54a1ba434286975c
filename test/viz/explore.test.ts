import * as assert from 'node:assert/strict';
import { correlationHeatmap, distributionsByOutcome, summarizeTable, topAssociations } from '../../src/viz/explore';
import { assertGolden } from './golden';

const rows = Array.from({ length: 40 }, (_, i) => ({
  patient_id: `p${String(i)}`,
  age: 40 + i,
  sbp: i % 2 === 0 ? 150 - (i % 5) : 120 + (i % 7),
  noise: (i * 7919) % 13,
  smoker: i % 3 === 0,
  sex: i % 2 === 0 ? 'male' : 'female',
  seen: new Date(Date.UTC(2020, 0, 1 + i)),
  bmi: i % 10 === 0 ? null : 25 + (i % 4),
  hypertension: i % 2 === 0 ? 1 : 0,
}));

describe('feature exploration', () => {
  it('summarizes types, missingness and ranges', () => {
    const s = summarizeTable(rows);
    const by = new Map(s.map((c) => [c.column, c]));
    assert.equal(by.get('age')?.type, 'number');
    assert.equal(by.get('age')?.min, 40);
    assert.equal(by.get('age')?.max, 79);
    assert.equal(by.get('bmi')?.missing, 4);
    assert.equal(by.get('bmi')?.missingPct, 10);
    assert.equal(by.get('sex')?.type, 'string');
    assert.equal(by.get('sex')?.distinct, 2);
    assert.equal(by.get('seen')?.type, 'date');
    assert.equal(by.get('seen')?.min, '2020-01-01T00:00:00.000Z');
    assert.equal(by.get('smoker')?.type, 'boolean');
    assertGolden('explore-summary', s);
  });
  it('ranks the planted association first', () => {
    const top = topAssociations(rows, ['hypertension'], { top: 3 });
    const first = top[0];
    assert.ok(first !== undefined);
    assert.equal(first.feature, 'sbp');
    assert.equal(first.auc, 1);
    assert.ok(first.r > 0.9);
    assert.throws(() => topAssociations(rows, ['stroke']), /no outcome column "stroke"/);
  });
  it('distributions by outcome and correlation heatmap', () => {
    const d = distributionsByOutcome(rows, 'hypertension', ['age', 'sbp']);
    assert.equal(d.data.length, 2);
    assert.equal((d.data[0]?.y as number[]).length, 40);
    assertGolden('explore-distributions', d);
    const c = correlationHeatmap(rows, ['age', 'sbp', 'hypertension']);
    const z = c.data[0]?.z as (number | null)[][];
    assert.equal(z[0]?.[0], 1);
    assert.equal(z[1]?.[2], z[2]?.[1]);
    assertGolden('explore-correlation', c);
    assert.throws(() => distributionsByOutcome(rows, 'nope'), /no column "nope"/);
  });
});
