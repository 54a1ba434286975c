/**
 * The oracles' Monte Carlo population: the generator's latent model ({@link simulatePatient}) for many patients,
 * reduced to the numbers the oracles need, and the three study designs applied to it (who is in the comparison,
 * the label, the index date and what is known at it). No FHIR, DNA or DICOM is written.
 */
import type { Coverage } from './model';
import { END_DATE_MS, onsetWindow, outcomeMinAge, riskInputs, riskTerms, simulatePatient, sumTerms } from './model';
import type { Outcome } from './panel';
import { OUTCOMES } from './panel';
import { hashString } from './rng';

const YEAR_MS = 365.25 * 86_400_000;

/** The three study designs (docs/cohort.md "Study designs" and "Oracles"). */
export const ORACLE_DESIGNS = ['prognostic', 'landmark', 'guidance'] as const;

/** A study design. */
export type OracleDesign = (typeof ORACLE_DESIGNS)[number];

/** One simulated patient, reduced to what the oracles read (times in ms since the epoch; NaN = never). */
export interface McPatient {
  /** Age at END_DATE, years. */
  readonly age: number;
  /** Birth time. */
  readonly birth: number;
  /** Male sex. */
  readonly male: boolean;
  /** BMI. */
  readonly bmi: number;
  /** Smoker. */
  readonly smoker: boolean;
  /** Usual SBP. */
  readonly sbp: number;
  /** Usual LDL. */
  readonly ldl: number;
  /** Usual HbA1c. */
  readonly hba1c: number;
  /** HbA1c ≥ 6.5 %. */
  readonly diabetes: boolean;
  /** Hidden small-vessel disease. */
  readonly svd: number;
  /** Hidden neurodegeneration. */
  readonly neuro: number;
  /** Hidden cognition (MMSE and impaired-cognition findings follow it). */
  readonly cognition: number;
  /** Genetic log-odds per outcome. */
  readonly genetic: Readonly<Record<Outcome, number>>;
  /** FH (LDLR/APOB) allele copies. */
  readonly ldlVariant: number;
  /** rs2200733 allele copies. */
  readonly afVariant: number;
  /** Atrial fibrillation onset. */
  readonly afOnset: number;
  /** Outcome onsets. */
  readonly onset: Readonly<Record<Outcome, number>>;
  /** Outcome log-odds terms, by the variable they come from. */
  readonly terms: Readonly<Record<Outcome, Readonly<Record<string, number>>>>;
  /** Outcome logits. */
  readonly logit: Readonly<Record<Outcome, number>>;
  /** Has a genome. */
  readonly genomic: boolean;
  /** MRI date. */
  readonly mriDate: number;
  /** Approximate start of the last encounter (a wellness visit in the last 3.5 years). */
  readonly last: number;
}

/**
 * Simulates the Monte Carlo population.
 *
 * @param mcSeed - seed of the simulation (derived from the cohort seed)
 * @param n - patients
 * @param coverage - modality coverage rule
 * @returns the reduced patients
 */
export function simulateMcPopulation(mcSeed: number, n: number, coverage: Coverage): McPatient[] {
  const out: McPatient[] = [];
  for (let i = 0; i < n; i++) {
    const p = simulatePatient(mcSeed, i, coverage);
    const inputs = riskInputs(p);
    const terms = {} as Record<Outcome, Record<string, number>>;
    const logit = {} as Record<Outcome, number>;
    const onset = {} as Record<Outcome, number>;
    for (const o of OUTCOMES) {
      terms[o] = riskTerms(o, inputs);
      logit[o] = sumTerms(riskTerms(o, inputs));
      onset[o] = p.outcomes[o]?.onset ?? Number.NaN;
    }
    // The last wellness visit falls 7 days to ~3.5 years before END_DATE (fhir-bundle.ts schedules one every 2.5–3.5 y).
    const u = (hashString(`oracle-last|${String(mcSeed)}|${String(i)}`) % 100_000) / 100_000;
    out.push({
      age: p.age,
      birth: p.birth,
      male: p.sex === 'M',
      bmi: p.bmi,
      smoker: p.smoker,
      sbp: p.sbp,
      ldl: p.ldl,
      hba1c: p.hba1c,
      diabetes: inputs.diabetes,
      svd: p.svd,
      neuro: p.neuro,
      cognition: p.cognition,
      genetic: p.genetic,
      ldlVariant: p.ldlVariant,
      afVariant: p.afVariant,
      afOnset: p.precursors.atrialFibrillation?.onset ?? Number.NaN,
      onset,
      terms,
      logit,
      genomic: p.genomic,
      mriDate: p.mri?.date ?? Number.NaN,
      last: END_DATE_MS - (7 / 365.25 + u * 3.4) * YEAR_MS,
    });
  }
  return out;
}

/** One outcome under one design: every patient the design labels, with the modalities each has at the index. */
export interface DesignPopulation {
  /** Patient positions in the Monte Carlo population. */
  readonly members: number[];
  /** 1 when the member has a genome (germline: usable at any index date). */
  readonly genomic: Uint8Array;
  /** 1 when the member has an MRI usable at the index (prognostic: dated before it; landmark: always; guidance: any). */
  readonly imaging: Uint8Array;
  /** Labels (1 = case), per member. */
  readonly labels: Uint8Array;
  /** Index time per member (END_DATE for `guidance`). */
  readonly index: Float64Array;
  /**
   * (prognostic, landmark) log-likelihood ratio of the index timing, case vs control, per member: what the index
   * date and age say about the label by construction of the design (−Infinity: this patient cannot be a case).
   */
  readonly timing: Float64Array;
  /**
   * P(label = 1 | everything simulated but the outcome draw itself), per member: the latent state, the index and
   * what the design's selection implies (timing, a genome's trigger, an onset already visible on the MRI). Its
   * conditional mean given any set's observations equals the label's, with far less noise: the oracles regress it.
   */
  readonly soft: Float64Array;
}

/**
 * Log-likelihood ratio of the patient's genome status (has one or not), case vs control (generate: a trigger — stroke, CHD and its MI/arrest, AF —
 * gets tested with 0.8, everyone else with 0.6; coverage `full` tests everyone).
 */
function genomeLlr(p: McPatient, o: Outcome, coverage: Coverage): number {
  if (coverage === 'full' || (o !== 'stroke' && o !== 'chd')) {
    return 0;
  }
  const otherTrigger = !Number.isNaN(p.afOnset) || !Number.isNaN(p.onset[o === 'stroke' ? 'chd' : 'stroke']);
  const control = otherTrigger ? 0.8 : 0.6;
  return p.genomic ? Math.log(0.8 / control) : Math.log(0.2 / (1 - control));
}

function softLabel(logOdds: number): number {
  return logOdds === Number.POSITIVE_INFINITY ? 1 : logOdds === Number.NEGATIVE_INFINITY ? 0 : 1 / (1 + Math.exp(-logOdds));
}

const BIN_MS = 0.25 * YEAR_MS;

/**
 * Applies a design to the population for one outcome.
 *
 * - `prognostic`: cases indexed `yearsBefore` before onset; controls (never the outcome) at a case index date inside
 *   (birth, last encounter − yearsBefore), chosen by a stable hash, unmatched controls dropped; imaging counts only
 *   when the MRI is dated at or before the index (as the pipeline joins it), a genome whatever its date (germline).
 * - `landmark`: imaged patients outcome-free at the MRI; index = MRI date; label = a later onset.
 * - `guidance`: everyone; label = the outcome ever; index = END_DATE.
 *
 * @param pop - the Monte Carlo population
 * @param o - outcome
 * @param design - study design
 * @param yearsBefore - (prognostic) years between the index and a case's onset
 * @param coverage - the modality coverage the population was simulated with
 * @returns the comparison population
 */
export function applyDesign(pop: readonly McPatient[], o: Outcome, design: OracleDesign, yearsBefore = 1, coverage: Coverage = 'coherent'): DesignPopulation {
  const members: number[] = [];
  const genomic: number[] = [];
  const imaging: number[] = [];
  const labels: number[] = [];
  const index: number[] = [];
  const timing: number[] = [];
  const soft: number[] = [];
  if (design === 'guidance') {
    pop.forEach((p, i) => {
      members.push(i);
      genomic.push(p.genomic ? 1 : 0);
      imaging.push(Number.isNaN(p.mriDate) ? 0 : 1);
      labels.push(Number.isNaN(p.onset[o]) ? 0 : 1);
      index.push(END_DATE_MS);
      timing.push(0);
      // An onset before the scan is visible on it (infarcts, atrophy); otherwise the onset may still come after it.
      const scanned = !Number.isNaN(p.mriDate);
      const seenOnScan = scanned && p.onset[o] <= p.mriDate;
      const gen = genomeLlr(p, o, coverage);
      soft.push(seenOnScan ? 1 : softLabel(p.logit[o] + gen + (scanned ? Math.log(caseStillAhead(p, o, p.mriDate)) : 0)));
    });
  } else if (design === 'landmark') {
    pop.forEach((p, i) => {
      if (Number.isNaN(p.mriDate) || p.onset[o] <= p.mriDate) {
        return;
      }
      members.push(i);
      genomic.push(p.genomic ? 1 : 0);
      imaging.push(1);
      labels.push(Number.isNaN(p.onset[o]) ? 0 : 1);
      index.push(p.mriDate);
      const ahead = Math.log(caseStillAhead(p, o, p.mriDate));
      timing.push(ahead);
      soft.push(softLabel(p.logit[o] + ahead + genomeLlr(p, o, coverage)));
    });
  } else {
    const shift = yearsBefore * YEAR_MS;
    const pool = pop
      .filter((p) => !Number.isNaN(p.onset[o]) && p.onset[o] - shift > p.birth)
      .map((p) => p.onset[o] - shift)
      .sort((a, b) => a - b);
    pop.forEach((p, i) => {
      let t: number;
      let label: number;
      if (!Number.isNaN(p.onset[o])) {
        t = p.onset[o] - shift;
        label = 1;
        if (t <= p.birth) {
          return;
        }
      } else {
        const from = lowerBound(pool, p.birth + 1);
        const to = lowerBound(pool, p.last - shift + 1);
        if (to <= from) {
          return;
        }
        t = pool[from + (hashString(`${o}|${String(i)}`) % (to - from))] as number;
        label = 0;
      }
      members.push(i);
      genomic.push(p.genomic ? 1 : 0);
      imaging.push(p.mriDate <= t ? 1 : 0);
      labels.push(label);
      index.push(t);
      const tm = prognosticTiming(p, o, t, shift, pool);
      timing.push(tm);
      soft.push(softLabel(p.logit[o] + tm + genomeLlr(p, o, coverage)));
    });
  }
  return {
    members,
    genomic: Uint8Array.from(genomic),
    imaging: Uint8Array.from(imaging),
    labels: Uint8Array.from(labels),
    index: Float64Array.from(index),
    timing: Float64Array.from(timing),
    soft: Float64Array.from(soft),
  };
}

/** P(onset after t | the patient is a case): the onset is uniform over its window (model.ts). */
function caseStillAhead(p: McPatient, o: Outcome, t: number): number {
  const { lo, hi } = onsetWindow(p.birth, outcomeMinAge(o, p.age), p.age);
  if (hi <= lo) {
    return t < hi ? 1 : 0;
  }
  return Math.min(1, Math.max(0, (hi - t) / (hi - lo)));
}

/** Quadrature points over the last-encounter offset (years before END_DATE), as drawn in {@link simulateMcPopulation}. */
const LAST_OFFSETS = Array.from({ length: 8 }, (_, k) => 7 / 365.25 + ((k + 0.5) / 8) * 3.4);

/**
 * log f1(t) − log f0(t): the density of the index date if the patient were a case (onset − shift, onset uniform over
 * its window) over its density if a control (a case index date drawn uniformly among those inside the control's
 * window (birth, last encounter − shift)). The last encounter lies after the index, so it is not observable there:
 * f0 averages over its distribution. The pool density is counted in a quarter-year bin around t.
 */
function prognosticTiming(p: McPatient, o: Outcome, t: number, shift: number, pool: readonly number[]): number {
  const { lo, hi } = onsetWindow(p.birth, outcomeMinAge(o, p.age), p.age);
  const onset = t + shift;
  const f1 = hi <= lo ? (Math.abs(onset - hi) < BIN_MS ? 1 / BIN_MS : 0) : onset >= lo && onset <= hi ? 1 / (hi - lo) : 0;
  if (f1 === 0) {
    return Number.NEGATIVE_INFINITY;
  }
  const inBin = lowerBound(pool, t + BIN_MS / 2) - lowerBound(pool, t - BIN_MS / 2);
  const from = lowerBound(pool, p.birth + 1);
  let f0 = 0;
  for (const off of LAST_OFFSETS) {
    const end = END_DATE_MS - off * YEAR_MS - shift;
    const inWindow = lowerBound(pool, end + 1) - from;
    if (t < end && inWindow > 0) {
      f0 += inBin / inWindow / BIN_MS / LAST_OFFSETS.length;
    }
  }
  return f0 > 0 ? Math.log(f1) - Math.log(f0) : Number.POSITIVE_INFINITY;
}

function lowerBound(xs: readonly number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] as number) < v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}
