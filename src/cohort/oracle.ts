/**
 * Oracle AUROCs per outcome, study design and modality set: the score of the (near-)Bayes-optimal predictor given
 * what a set can observe at the index date, computed by Monte Carlo on the generator's latent model
 * (oracle-population.ts), never by writing files. docs/cohort.md "Oracles" explains what each set observes.
 *
 * Method, per outcome and design: simulate `mcPatients` patients (default 100,000) with a seed derived from the
 * cohort seed; keep the design's comparison population (patients with all three modalities at the index); for each
 * modality set build the *latent* variables that set's data measure (true factors instead of noisy labs, true genetic
 * log-odds instead of genotypes, true svd/neuro instead of radiomics — an upper bound on what the data carry), plus
 * the exact sum of the outcome's log-odds terms the set observes; fit a logistic regression of the label on them in
 * that population (the structural part is exact, the regression only projects what the set does not observe);
 * its linear predictor is the oracle score. The AUROC carries a DeLong 95 % CI over the Monte Carlo population.
 */
import { HealthDataError } from '../errors';
import type { ProgressReporter } from '../progress';
import { silentProgress } from '../progress';
import type { Coverage } from './model';
import { END_DATE_MS } from './model';
import type { AurocEstimate } from './oracle-stats';
import { aurocWithCi, fitLogistic } from './oracle-stats';
import type { DesignPopulation, McPatient, OracleDesign } from './oracle-population';
import { applyDesign, ORACLE_DESIGNS, simulateMcPopulation } from './oracle-population';
import type { Outcome } from './panel';
import { OUTCOMES } from './panel';
import { hashString } from './rng';

export { ORACLE_DESIGNS } from './oracle-population';
export type { OracleDesign } from './oracle-population';

const YEAR_MS = 365.25 * 86_400_000;

/** The modality sets, named as the study designs name them. */
export const ORACLE_SETS = ['clinical', 'genomic', 'imaging', 'clinical+genomic', 'clinical+imaging', 'genomic+imaging', 'all three'] as const;

/** A modality set. */
export type OracleSetName = (typeof ORACLE_SETS)[number];

/** An oracle AUROC with its 95 % CI (DeLong, over the Monte Carlo population). */
export type OracleEstimate = AurocEstimate;

/** The comparison population of one outcome under one design, in the Monte Carlo simulation. */
export interface OraclePopulation {
  /** Patients with all three modalities at the index (the design's comparison population). */
  readonly patients: number;
  /** Cases among them. */
  readonly cases: number;
}

/** One outcome's oracles. */
export interface OutcomeOracles {
  /** design → set → AUROC with CI, every set on the design's patients with all three modalities at the index. */
  readonly oracles: Readonly<Record<OracleDesign, Readonly<Record<OracleSetName, OracleEstimate>>>>;
  /** design → Monte Carlo size and cases of that all-three population. */
  readonly populations: Readonly<Record<OracleDesign, OraclePopulation>>;
  /** design → set → AUROC with CI, each set on the design's patients having that set's modalities at the index. */
  readonly ownPopulationOracles: Readonly<Record<OracleDesign, Readonly<Record<OracleSetName, OracleEstimate & OraclePopulation>>>>;
}

/** What {@link computeOracles} returns. */
export interface OracleReport {
  /** Patients simulated. */
  readonly mcPatients: number;
  /** Seed of the simulation (derived from the cohort seed). */
  readonly mcSeed: number;
  /** (prognostic) years from a case's index date to its onset. */
  readonly yearsBefore: number;
  /** Per outcome. */
  readonly outcomes: Readonly<Record<Outcome, OutcomeOracles>>;
}

/** Settings of {@link computeOracles}. */
export interface OracleSettings {
  /** Cohort seed (default 42); the simulation's seed is derived from it. */
  readonly seed?: number;
  /** Modality coverage rule of the cohort (default `coherent`). */
  readonly coverage?: Coverage;
  /** Patients to simulate (default {@link ORACLE_MC_PATIENTS}). */
  readonly mcPatients?: number;
  /** (prognostic) years from a case's index date to its onset (default 1, the pipeline's). */
  readonly yearsBefore?: number;
  /** Progress reporter. */
  readonly progress?: ProgressReporter;
}

/** Default Monte Carlo size. */
export const ORACLE_MC_PATIENTS = 100_000;

interface SetSpec {
  readonly clinical: boolean;
  readonly genomic: boolean;
  readonly imaging: boolean;
}

function spec(set: OracleSetName): SetSpec {
  if (set === 'all three') {
    return { clinical: true, genomic: true, imaging: true };
  }
  const parts = new Set(set.split('+'));
  return { clinical: parts.has('clinical'), genomic: parts.has('genomic'), imaging: parts.has('imaging') };
}

const TERMS_BY_SET = new Map<string, readonly string[]>();

/** The log-odds terms a set observes whatever the index (AF is added when diagnosed before it). */
function observedTerms(s: SetSpec): readonly string[] {
  const key = `${String(s.clinical)}${String(s.genomic)}${String(s.imaging)}`;
  let terms = TERMS_BY_SET.get(key);
  if (terms === undefined) {
    terms = [
      ...(s.clinical || s.imaging ? ['age'] : []),
      ...(s.clinical ? ['sbp', 'ldl', 'smoker', 'diabetes', 'male'] : []),
      ...(s.imaging ? ['svd', 'neuro'] : []),
      ...(s.genomic ? ['genetic'] : []),
    ];
    TERMS_BY_SET.set(key, terms);
  }
  return terms;
}

/** Does the set see the design's index timing (the index date and the age at it)? */
function seesTiming(s: SetSpec, design: OracleDesign): boolean {
  return design === 'prognostic' ? s.clinical : design === 'landmark' ? s.clinical || s.imaging : false;
}

/**
 * The latent variables a set observes for one member, and the exact sum of the log-odds terms it observes.
 * Times are relative to the index `t`; "before" means strictly before it.
 */
function features(p: McPatient, o: Outcome, design: OracleDesign, t: number, timing: number, s: SetSpec, seen: readonly string[]): number[] {
  const terms = p.terms[o];
  const afSeen = s.clinical && p.afOnset < t;
  let known = afSeen ? (terms.af ?? 0) : 0;
  for (const k of seen) {
    known += terms[k] ?? 0;
  }
  const f: number[] = [known];
  if (s.clinical || s.imaging) {
    const a = p.age;
    f.push(a / 10, Math.max(0, a - 50) / 10, Math.max(0, a - 60) / 10, Math.max(0, a - 70) / 10, Math.max(0, a - 80) / 10);
  }
  if (s.clinical) {
    const cogSeen = (t - p.birth) / YEAR_MS >= 60 ? 1 : 0;
    // The MRI encounter's microbleed Condition is clinical data too: a scan before the index says something of svd.
    const mriSeen = p.mriDate < t ? 1 : 0;
    f.push(p.male ? 1 : 0, p.bmi / 5, p.smoker ? 1 : 0, p.sbp / 10, p.ldl / 40, p.hba1c, p.diabetes ? 1 : 0, afSeen ? 1 : 0, mriSeen);
    f.push(cogSeen, cogSeen * p.cognition, cogSeen * Math.max(0, p.cognition));
    for (const other of OUTCOMES) {
      if (other !== o) {
        f.push(p.onset[other] < t ? 1 : 0);
      }
    }
  }
  if (seesTiming(s, design)) {
    const tau = (END_DATE_MS - t) / YEAR_MS;
    f.push(tau, (tau * p.age) / 100, Math.max(-20, Math.min(20, timing)));
  }
  if (s.genomic) {
    f.push(p.genetic.hypertension, p.genetic.stroke, p.genetic.chd, p.genetic.alzheimers, p.ldlVariant, p.afVariant);
  }
  if (s.imaging) {
    f.push(p.svd, p.neuro, (END_DATE_MS - p.mriDate) / YEAR_MS, p.onset.stroke <= p.mriDate ? 1 : 0, p.onset.alzheimers <= p.mriDate ? 1 : 0);
  }
  return f;
}

/** Rows a set's regression is fitted on at most (an evenly spaced subset; scoring covers every member). */
const FIT_ROWS = 3000;

/**
 * The oracle of one set on some members of one design population (`subset`: positions in `dp`).
 *
 * Guidance with clinical data: the whole record holds what was ordered because of the outcome (its medications,
 * the stroke admission's alteplase and encounter type, donepezil…), written only for cases, so the record
 * identifies the label: the Bayes-optimal score is the label itself (AUROC 1).
 */
function oracleOf(pop: readonly McPatient[], dp: DesignPopulation, subset: readonly number[], o: Outcome, design: OracleDesign, set: OracleSetName): OracleEstimate {
  const s = spec(set);
  const n = subset.length;
  const labels = Uint8Array.from(subset, (k) => dp.labels[k] as number);
  const scores = new Float64Array(n);
  if (n === 0) {
    return { auroc: Number.NaN, lower: Number.NaN, upper: Number.NaN };
  }
  if (design === 'guidance' && s.clinical) {
    return round(aurocWithCi(Float64Array.from(labels), labels));
  }
  const timed = seesTiming(s, design);
  const seen = observedTerms(s);
  const finite: number[] = [];
  let x = new Float64Array(0);
  let cols = 0;
  subset.forEach((k, j) => {
    const p = pop[dp.members[k] as number] as McPatient;
    const tm = dp.timing[k] as number;
    const row = features(p, o, design, dp.index[k] as number, tm, s, seen);
    if (j === 0) {
      cols = row.length;
      x = new Float64Array(n * cols);
    }
    x.set(row, j * cols);
    if (!timed || Number.isFinite(tm)) {
      finite.push(j);
    }
  });
  const stride = Math.max(1, Math.ceil(finite.length / FIT_ROWS));
  const fit = finite.filter((_, j) => j % stride === 0);
  const soft = Float64Array.from(subset, (k) => dp.soft[k] as number);
  const score = fitLogistic(x, cols, soft, fit);
  subset.forEach((k, j) => {
    const tm = dp.timing[k] as number;
    scores[j] = timed && !Number.isFinite(tm) ? tm : score(j);
  });
  return round(aurocWithCi(scores, labels));
}

/** Populations are evaluated on at most this many members (evenly spaced): beyond it the CI is already ±0.005. */
const MAX_MEMBERS = 30_000;

function thin(members: number[]): number[] {
  const stride = Math.ceil(members.length / MAX_MEMBERS);
  return stride <= 1 ? members : members.filter((_, j) => j % stride === 0);
}

function count(dp: DesignPopulation, subset: readonly number[]): OraclePopulation {
  let cases = 0;
  for (const k of subset) {
    cases += dp.labels[k] as number;
  }
  return { patients: subset.length, cases };
}

function round(e: OracleEstimate): OracleEstimate {
  const r4 = (v: number): number => Math.round(v * 10_000) / 10_000;
  return { auroc: r4(e.auroc), lower: r4(e.lower), upper: r4(e.upper) };
}

/**
 * Computes the oracle AUROCs of a cohort's generator settings: per outcome, per study design (`prognostic`,
 * `landmark`, `guidance`) and per modality set, each with a 95 % CI, on a Monte Carlo population of the generator's
 * latent model. Deterministic for given settings.
 *
 * @param settings - cohort seed and coverage, Monte Carlo size, prognostic offset, progress
 * @returns the oracles and the Monte Carlo comparison populations
 * @throws {@link HealthDataError} (invalid-input) for a Monte Carlo size outside 1,000–5,000,000 or a bad offset
 * @example
 * ```ts
 * const rep = computeOracles({ seed: 42 });
 * console.log(rep.outcomes.alzheimers.oracles.prognostic['genomic'].auroc);
 * ```
 */
export function computeOracles(settings: OracleSettings = {}): OracleReport {
  const seed = settings.seed ?? 42;
  const mcPatients = settings.mcPatients ?? ORACLE_MC_PATIENTS;
  const yearsBefore = settings.yearsBefore ?? 1;
  if (!Number.isInteger(mcPatients) || mcPatients < 1000 || mcPatients > 5_000_000) {
    throw new HealthDataError('invalid-input', `computeOracles: mcPatients = ${String(mcPatients)} must be an integer from 1,000 to 5,000,000`, { path: 'mcPatients' });
  }
  if (!(yearsBefore >= 0 && yearsBefore <= 20)) {
    throw new HealthDataError('invalid-input', `computeOracles: yearsBefore = ${String(yearsBefore)} must be from 0 to 20 years`, { path: 'yearsBefore' });
  }
  const mcSeed = hashString(`oracle-mc|${String(seed)}`);
  const task = (settings.progress ?? silentProgress).start('oracle AUROCs', OUTCOMES.length * ORACLE_DESIGNS.length + 1);
  const pop = simulateMcPopulation(mcSeed, mcPatients, settings.coverage ?? 'coherent');
  task.tick();
  const outcomes = {} as Record<Outcome, OutcomeOracles>;
  for (const o of OUTCOMES) {
    const oracles = {} as Record<OracleDesign, Record<OracleSetName, OracleEstimate>>;
    const own = {} as Record<OracleDesign, Record<OracleSetName, OracleEstimate & OraclePopulation>>;
    const populations = {} as Record<OracleDesign, OraclePopulation>;
    for (const design of ORACLE_DESIGNS) {
      const dp = applyDesign(pop, o, design, yearsBefore, settings.coverage ?? 'coherent');
      const having = (s: SetSpec): number[] => thin(dp.members.map((_, k) => k).filter((k) => (!s.genomic || dp.genomic[k] === 1) && (!s.imaging || dp.imaging[k] === 1)));
      const common = having({ clinical: true, genomic: true, imaging: true });
      populations[design] = count(dp, common);
      oracles[design] = {} as Record<OracleSetName, OracleEstimate>;
      own[design] = {} as Record<OracleSetName, OracleEstimate & OraclePopulation>;
      for (const set of ORACLE_SETS) {
        oracles[design][set] = oracleOf(pop, dp, common, o, design, set);
        // A set's own population contains the all-three one; when it is no larger, it is the same.
        const mine = having(spec(set));
        own[design][set] = { ...(mine.length === common.length ? oracles[design][set] : oracleOf(pop, dp, mine, o, design, set)), ...count(dp, mine) };
      }
      task.tick();
    }
    outcomes[o] = { oracles, populations, ownPopulationOracles: own };
  }
  task.finish(`${mcPatients.toLocaleString('en-US')} simulated patients`);
  return { mcPatients, mcSeed, yearsBefore, outcomes };
}
