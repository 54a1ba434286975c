import assert from 'node:assert/strict';
import { auroc, simulatePatient } from '../../src/cohort/model';
import type { SimPatient } from '../../src/cohort/model';
import { computeOracles, ORACLE_DESIGNS, ORACLE_SETS } from '../../src/cohort/oracle';
import type { OracleReport, OracleSetName } from '../../src/cohort/oracle';
import { aurocWithCi, fitLogistic } from '../../src/cohort/oracle-stats';
import { OUTCOMES, panelMarker } from '../../src/cohort/panel';
import { Rng } from '../../src/cohort/rng';
import { isHealthDataError } from '../../src/errors';

const YEAR_MS = 365.25 * 86_400_000;

/**
 * Mean within-stratum difference of an event's rate between patients with and without an outcome, strata given by
 * `key` (weighted by the smaller group): ≈ 0 when the event depends on the stratifying variables only.
 */
function stratifiedDifference(ps: readonly SimPatient[], event: (p: SimPatient) => boolean, outcome: (p: SimPatient) => boolean, key: (p: SimPatient) => string): number {
  const strata = new Map<string, { a: number; na: number; b: number; nb: number }>();
  for (const p of ps) {
    const s = strata.get(key(p)) ?? { a: 0, na: 0, b: 0, nb: 0 };
    if (outcome(p)) {
      s.na++;
      s.a += event(p) ? 1 : 0;
    } else {
      s.nb++;
      s.b += event(p) ? 1 : 0;
    }
    strata.set(key(p), s);
  }
  let num = 0;
  let den = 0;
  for (const s of strata.values()) {
    if (s.na >= 5 && s.nb >= 5) {
      const w = Math.min(s.na, s.nb);
      num += w * (s.a / s.na - s.b / s.nb);
      den += w;
    }
  }
  return num / den;
}

const SUBSETS: readonly (readonly [OracleSetName, OracleSetName])[] = [
  ['clinical', 'clinical+genomic'],
  ['clinical', 'clinical+imaging'],
  ['genomic', 'clinical+genomic'],
  ['genomic', 'genomic+imaging'],
  ['imaging', 'clinical+imaging'],
  ['imaging', 'genomic+imaging'],
  ['clinical+genomic', 'all three'],
  ['clinical+imaging', 'all three'],
  ['genomic+imaging', 'all three'],
  ['clinical', 'all three'],
  ['genomic', 'all three'],
  ['imaging', 'all three'],
];

describe('cohort oracles', function () {
  this.timeout(600_000);
  let rep: OracleReport;

  before(() => {
    rep = computeOracles({ seed: 42, mcPatients: 40_000 });
  });

  it('is deterministic per seed and differs across seeds', () => {
    const a = computeOracles({ seed: 3, mcPatients: 4000 });
    assert.deepEqual(computeOracles({ seed: 3, mcPatients: 4000 }), a);
    const b = computeOracles({ seed: 4, mcPatients: 4000 });
    assert.notDeepEqual(b.outcomes, a.outcomes);
    assert.notEqual(b.mcSeed, a.mcSeed);
  });

  it('gives every outcome, design and set an AUROC inside its 95% CI, on a non-empty comparison population', () => {
    for (const o of OUTCOMES) {
      for (const d of ORACLE_DESIGNS) {
        const pop = rep.outcomes[o].populations[d];
        assert.ok(pop.cases > 0 && pop.cases < pop.patients, `${o}/${d}: ${JSON.stringify(pop)}`);
        for (const s of ORACLE_SETS) {
          const e = rep.outcomes[o].oracles[d][s];
          assert.ok(e.lower <= e.auroc && e.auroc <= e.upper && e.auroc >= 0.5 && e.auroc <= 1, `${o}/${d}/${s}: ${JSON.stringify(e)}`);
        }
      }
    }
  });

  it('is monotone in information: a superset of modalities never scores lower beyond Monte Carlo error', () => {
    for (const o of OUTCOMES) {
      for (const d of ORACLE_DESIGNS) {
        const sets = rep.outcomes[o].oracles[d];
        for (const [small, big] of SUBSETS) {
          const tol = Math.max(0.005, (sets[small].upper - sets[small].lower) / 4);
          assert.ok(sets[big].auroc >= sets[small].auroc - tol, `${o}/${d}: ${big} ${String(sets[big].auroc)} < ${small} ${String(sets[small].auroc)}`);
        }
      }
    }
  });

  it('sees the planted APOE ε4 effect through the genomic set for Alzheimer’s', () => {
    // ε4 copies alone, over a whole simulated population: AUROC ≈ 0.58 (the cohort figure).
    const e4 = panelMarker('rs429358').index;
    const ps = Array.from({ length: 20_000 }, (_, i) => simulatePatient(9, i));
    const copies = ps.map((p) => (p.genotype[e4 * 2] === 0 ? 0 : 1) + (p.genotype[e4 * 2 + 1] === 0 ? 0 : 1));
    const e4Auc = auroc(
      copies,
      ps.map((p) => p.outcomes.alzheimers !== undefined),
    );
    assert.ok(e4Auc > 0.55, `ε4 alone ${String(e4Auc)}`);
    for (const d of ORACLE_DESIGNS) {
      const g = rep.outcomes.alzheimers.oracles[d].genomic;
      assert.ok(g.lower > 0.5 && g.auroc >= e4Auc - 0.02, `${d}: genomic ${JSON.stringify(g)} vs ε4 alone ${String(e4Auc)}`);
    }
  });

  it('makes the guidance design’s clinical sets exact (hindsight) and keeps imaging’s hindsight for stroke and Alzheimer’s', () => {
    for (const o of OUTCOMES) {
      assert.equal(rep.outcomes[o].oracles.guidance.clinical.auroc, 1);
    }
    assert.ok(rep.outcomes.stroke.oracles.guidance.imaging.auroc > rep.outcomes.stroke.oracles.landmark.imaging.auroc + 0.05);
    assert.ok(rep.outcomes.alzheimers.oracles.guidance.imaging.auroc > rep.outcomes.alzheimers.oracles.landmark.imaging.auroc + 0.03);
  });

  it('rejects a Monte Carlo size too small to mean anything', () => {
    assert.throws(
      () => computeOracles({ mcPatients: 10 }),
      (e) => isHealthDataError(e) && e.code === 'invalid-input',
    );
  });
});

describe('cohort prodromes and imaging selection are drawn from the hidden state, not the future outcome', () => {
  const ps = Array.from({ length: 30_000 }, (_, i) => simulatePatient(17, i)).filter((p) => p.age >= 60);
  const stratum = (p: SimPatient): string => `${String(Math.round(p.neuro * 3))}|${String(Math.floor(p.age / 5))}`;

  it('impaired cognition is as frequent in future Alzheimer’s cases as in controls of the same neurodegeneration and age', () => {
    // The old generator gave 75% of cases the prodrome (dated from their onset) against a few % of controls.
    const diff = stratifiedDifference(
      ps,
      (p) => p.precursors.impairedCognition !== undefined,
      (p) => p.outcomes.alzheimers !== undefined,
      stratum,
    );
    assert.ok(Math.abs(diff) < 0.03, `within-stratum difference ${String(diff)}`);
    // …while it still tracks the hidden state it is drawn from.
    const hi = ps.filter((p) => p.cognition > 1);
    const lo = ps.filter((p) => p.cognition < -1);
    const rate = (xs: SimPatient[]): number => xs.filter((p) => p.precursors.impairedCognition !== undefined).length / xs.length;
    assert.ok(rate(hi) > 3 * rate(lo), `${String(rate(hi))} vs ${String(rate(lo))}`);
    for (const p of ps) {
      const on = p.precursors.impairedCognition?.onset;
      assert.ok(on === undefined || on >= p.birth + 59.9 * YEAR_MS, 'from 60 years (30 days before the end at the earliest)');
    }
  });

  it('who gets an MRI does not depend on a later stroke or Alzheimer’s given small-vessel disease, neurodegeneration and age', () => {
    const key = (p: SimPatient): string => `${stratum(p)}|${String(Math.round(p.svd * 2))}`;
    for (const o of ['stroke', 'alzheimers'] as const) {
      const diff = stratifiedDifference(
        ps,
        (p) => p.mri !== undefined,
        (p) => p.outcomes[o] !== undefined,
        key,
      );
      assert.ok(Math.abs(diff) < 0.03, `${o}: within-stratum difference ${String(diff)}`);
    }
  });
});

describe('oracle statistics', () => {
  it('computes the Mann–Whitney AUROC with a DeLong CI that shrinks with n', () => {
    const r = new Rng(1, 'auc');
    const make = (n: number): { s: Float64Array; y: Uint8Array } => {
      const y = Uint8Array.from({ length: n }, () => (r.chance(0.3) ? 1 : 0));
      const s = Float64Array.from(y, (v) => Math.round((v + r.normal(0, 1)) * 4) / 4);
      return { s, y };
    };
    const small = make(400);
    const big = make(20_000);
    const e = aurocWithCi(small.s, small.y);
    assert.ok(
      Math.abs(
        e.auroc -
          auroc(
            [...small.s],
            [...small.y].map((v) => v === 1),
          ),
      ) < 1e-12,
    );
    const eb = aurocWithCi(big.s, big.y);
    assert.ok(e.lower < e.auroc && e.auroc < e.upper);
    assert.ok(eb.upper - eb.lower < (e.upper - e.lower) / 4);
    // N(1,1) vs N(0,1): AUROC = Φ(1/√2) ≈ 0.760 (before the quarter-rounding ties).
    assert.ok(eb.lower < 0.77 && eb.upper > 0.745, JSON.stringify(eb));
    assert.deepEqual(aurocWithCi(Float64Array.from([1, 2]), Uint8Array.from([1, 1])).auroc, Number.NaN);
  });

  it('fits a logistic regression that recovers its coefficients', () => {
    const r = new Rng(2, 'logit');
    const n = 20_000;
    const x = new Float64Array(n * 2);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const a = r.normal(0, 1);
      const b = r.normal(0, 2);
      x[i * 2] = a;
      x[i * 2 + 1] = b;
      y[i] = r.chance(1 / (1 + Math.exp(-(-1 + 1.5 * a - 0.5 * b)))) ? 1 : 0;
    }
    const f = fitLogistic(
      x,
      2,
      y,
      Array.from({ length: n }, (_, i) => i),
    );
    // The linear predictor at the first rows equals −1 + 1.5a − 0.5b within estimation error.
    for (let i = 0; i < 5; i++) {
      const truth = -1 + 1.5 * (x[i * 2] as number) - 0.5 * (x[i * 2 + 1] as number);
      assert.ok(Math.abs(f(i) - truth) < 0.15, `${String(f(i))} vs ${String(truth)}`);
    }
  });
});
