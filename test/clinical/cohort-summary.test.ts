import assert from 'node:assert/strict';
import { cohortSummary } from '../../src/clinical/cohort-summary';
import type { ClinicalCohort } from '../../src/clinical/handle';
import type { LabelRow } from '../../src/clinical/cohort';

const row = (patientId: string, label: 0 | 1): LabelRow => ({ patientId, outcome: 'stroke', label, indexDate: '2020-01-01T00:00:00Z', onsetDate: label === 1 ? '2021-01-01T00:00:00Z' : null });

describe('clinical: cohort summary rows (notebook 06)', () => {
  it('counts patients and cases, rounds the prevalence and carries every exclusion count', () => {
    const cohort: ClinicalCohort = {
      labels: { rows: [row('a', 1), row('b', 0), row('c', 0)], excluded: { prevalent: 0, notBornAtIndex: 1, deadAtIndex: 2, noAnchor: 0, unmatched: 4, undatedOutcome: 1 } },
      features: [],
    };
    assert.deepEqual(cohortSummary('stroke', cohort), {
      outcome: 'Stroke',
      patients: 3,
      cases: 1,
      prevalence: 0.333,
      prevalent: 0,
      notBornAtIndex: 1,
      deadAtIndex: 2,
      noAnchor: 0,
      unmatched: 4,
      undatedOutcome: 1,
    });
  });

  it('gives prevalence 0 for an empty cohort', () => {
    const cohort: ClinicalCohort = { labels: { rows: [], excluded: { prevalent: 0, notBornAtIndex: 0, deadAtIndex: 0, noAnchor: 0, unmatched: 0 } }, features: [] };
    assert.equal(cohortSummary('alzheimers', cohort).prevalence, 0);
  });
});
