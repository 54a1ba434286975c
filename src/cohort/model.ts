/**
 * The risk model: who each synthetic patient is, their hidden and observed risk factors, genotypes, outcomes with
 * onset dates, precursor conditions, which modalities they get and the MRI effects planted for them.
 *
 * Pure and deterministic: `simulatePatient(seed, index, coverage)` depends only on its arguments, so the generator
 * can stream patients one at a time and tests can simulate tens of thousands without writing files.
 * The model and its parameters are documented in docs/cohort.md; they are fixed literature-scale values and are never
 * tuned to make a downstream pipeline look better.
 */
import type { Outcome } from './panel';
import { OUTCOMES, PANEL } from './panel';
import { FAMILY, FEMALE_GIVEN, MALE_GIVEN, TOWNS } from './names';
import { Rng, sigmoid } from './rng';

/** The simulation's "today": the Coherent 2022 release. Fixed so the output never depends on the wall clock. */
export const END_DATE_MS = Date.UTC(2022, 10, 1, 0, 0, 0);
const YEAR_MS = 365.25 * 24 * 3600 * 1000;

/** Which patients get which modality: Synthea's rules (`coherent`) or everyone everything (`full`). */
export type Coverage = 'coherent' | 'full';

/** Planted MRI effects (same shape as the MRI module's `MriEffects`). */
export interface PlantedMriEffects {
  /** Global atrophy, 0..1. */
  readonly atrophy: number;
  /** Ventricle enlargement, 0..1. */
  readonly ventricleEnlargement: number;
  /** Number of infarct lesions. */
  readonly infarcts: number;
  /** White-matter hyperintensity load, 0..1. */
  readonly wmhLoad: number;
  /** Number of microbleeds. */
  readonly microbleeds: number;
}

/** A dated condition (onset time in ms since epoch). */
export interface Dated {
  /** Onset, ms since epoch (UTC). */
  readonly onset: number;
}

/** One simulated patient: everything the writers need and the ground truth records. */
export interface SimPatient {
  /** Position in the cohort (0-based). */
  readonly index: number;
  /** Synthea-style UUID (FHIR Patient.id). */
  readonly id: string;
  /** Given name with digits, e.g. `Maurice742`. */
  readonly given: string;
  /** Family name with digits. */
  readonly family: string;
  /** Administrative sex. */
  readonly sex: 'M' | 'F';
  /** Birth time, ms. */
  readonly birth: number;
  /** Age in years at END_DATE. */
  readonly age: number;
  /** OMB race. */
  readonly race: 'white' | 'black' | 'asian' | 'native' | 'other';
  /** Hispanic or Latino. */
  readonly hispanic: boolean;
  /** Ancestry population for the genome (Synthea's rule: white→EUR, black→AFR, asian→EAS, native→AMR). */
  readonly population: 'EUR' | 'AFR' | 'EAS' | 'AMR' | 'SAS';
  /** Home town index into TOWNS and street address. */
  readonly town: number;
  /** Street line. */
  readonly street: string;
  /** Body-mass index (kg/m²), typical adult value. */
  readonly bmi: number;
  /** Height in cm. */
  readonly heightCm: number;
  /** Current or former smoker. */
  readonly smoker: boolean;
  /** Usual systolic blood pressure (mmHg) at END_DATE. */
  readonly sbp: number;
  /** Usual LDL cholesterol (mg/dL). */
  readonly ldl: number;
  /** Usual HbA1c (%). */
  readonly hba1c: number;
  /** Hidden cerebral small-vessel-disease burden (z-score); observable only through MRI (WMH, microbleeds). */
  readonly svd: number;
  /** Hidden neurodegeneration (z-score); observable only through MRI atrophy and, late, cognition. */
  readonly neuro: number;
  /** Hidden cognitive state (z-score): 0.6·neuro + 0.8·N(0,1); MMSE and impaired-cognition findings follow it. */
  readonly cognition: number;
  /** Copies of LDLR/APOB pathogenic (familial-hypercholesterolaemia) alleles carried. */
  readonly ldlVariant: number;
  /** Copies of the PITX2-region atrial-fibrillation allele (rs2200733) carried. */
  readonly afVariant: number;
  /** Genotype: for marker i, strand s (0/1) → 0 = ancestral, k = alts[k-1]. Length 2 × panel. */
  readonly genotype: Uint8Array;
  /** Genetic log-odds contribution per outcome. */
  readonly genetic: Readonly<Record<Outcome, number>>;
  /** True risk (probability) per outcome, as used to draw the outcome. */
  readonly risk: Readonly<Record<Outcome, number>>;
  /** Outcomes that occurred, with onset. */
  readonly outcomes: Readonly<Partial<Record<Outcome, Dated>>>;
  /** Precursor / related conditions with onset. */
  readonly precursors: Readonly<Partial<Record<PrecursorName, Dated>>>;
  /** Has a genome (DNA CSV). */
  readonly genomic: boolean;
  /** Genetic testing time when genomic. */
  readonly genomicDate: number | undefined;
  /** MRI study, when imaged. */
  readonly mri: { readonly date: number; readonly effects: PlantedMriEffects } | undefined;
}

/** Precursor and related conditions the generator writes. */
export type PrecursorName = 'prediabetes' | 'diabetes' | 'hyperlipidemia' | 'atrialFibrillation' | 'myocardialInfarction' | 'cardiacArrest' | 'microbleeds' | 'impairedCognition' | 'obesity';

/** Intercepts and coefficients of the outcome models (log-odds); see docs/cohort.md. */
export const RISK_MODEL = {
  hypertension: { intercept: -0.3, sbpPer10: 0.85, smoker: 0.2, diabetes: 0.4, ageOver60Per10: 0.2 },
  chd: { intercept: -3.7, agePer10: 0.65, ldlPer40: 0.5, smoker: 0.6, diabetes: 0.5, sbpPer10: 0.15, male: 0.45 },
  stroke: { intercept: -3.75, agePer10: 0.55, sbpPer10: 0.25, af: 1.0, svd: 0.55, smoker: 0.35 },
  alzheimers: { intercept: -1.95, agePer10: 1.05, neuro: 0.95, svd: 0.25, diabetes: 0.3 },
} as const;

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function drawAge(r: Rng): number {
  // An older population, like Coherent's (Alzheimer's in ~22% of patients needs many elderly patients).
  const u = r.next();
  if (u < 0.1) {
    return r.uniform(18, 40);
  }
  if (u < 0.42) {
    return r.uniform(40, 65);
  }
  return r.uniform(65, 97);
}

/**
 * The interval an onset is drawn from (uniformly): from `minAge` to `maxAge`, ending at least 30 days before END_DATE.
 *
 * @param birth - birth time, ms
 * @param minAge - earliest age, years
 * @param maxAge - latest age, years
 * @returns `lo` and `hi` (ms); when `lo ≥ hi` the onset is `hi`
 */
export function onsetWindow(birth: number, minAge: number, maxAge: number): { lo: number; hi: number } {
  return { lo: birth + minAge * YEAR_MS, hi: Math.min(END_DATE_MS - 30 * 24 * 3600 * 1000, birth + maxAge * YEAR_MS) };
}

function onsetBetween(r: Rng, birth: number, minAge: number, maxAge: number): number {
  const { lo, hi } = onsetWindow(birth, minAge, maxAge);
  return Math.floor(lo < hi ? r.uniform(lo, hi) : hi);
}

/**
 * Earliest age of an outcome's onset for a patient aged `age` at END_DATE (the onset is uniform from it to `age`).
 *
 * @param o - outcome
 * @param age - age at END_DATE, years
 * @returns the earliest onset age, years
 */
export function outcomeMinAge(o: Outcome, age: number): number {
  const minAge = o === 'alzheimers' ? Math.max(55, age - 12) : o === 'hypertension' ? Math.max(25, age - 30) : Math.max(35, age - 20);
  return Math.min(minAge, age - 0.2);
}

/** What the outcome log-odds depend on. */
export interface RiskInputs {
  /** Age at END_DATE, years. */
  readonly age: number;
  /** Usual systolic blood pressure, mmHg. */
  readonly sbp: number;
  /** Usual LDL, mg/dL. */
  readonly ldl: number;
  /** Current or former smoker. */
  readonly smoker: boolean;
  /** HbA1c ≥ 6.5 %. */
  readonly diabetes: boolean;
  /** Male sex. */
  readonly male: boolean;
  /** Atrial fibrillation (at any time). */
  readonly af: boolean;
  /** Hidden small-vessel disease. */
  readonly svd: number;
  /** Hidden neurodegeneration. */
  readonly neuro: number;
  /** Genetic log-odds per outcome. */
  readonly genetic: Readonly<Record<Outcome, number>>;
}

/** The additive parts of an outcome's log-odds, by the variable they come from. */
export type RiskTerm = 'intercept' | 'age' | 'sbp' | 'ldl' | 'smoker' | 'diabetes' | 'male' | 'af' | 'svd' | 'neuro' | 'genetic';

/** Every {@link RiskTerm}, in summation order. */
export const RISK_TERMS: readonly RiskTerm[] = ['intercept', 'age', 'sbp', 'ldl', 'smoker', 'diabetes', 'male', 'af', 'svd', 'neuro', 'genetic'];

/**
 * The outcome log-odds of {@link RISK_MODEL}, term by term (the oracles need to know which term each modality sees).
 *
 * @param o - outcome
 * @param x - the patient's risk inputs
 * @returns each term's contribution (log-odds); their sum is the outcome's logit
 */
export function riskTerms(o: Outcome, x: RiskInputs): Record<RiskTerm, number> {
  const t: Record<RiskTerm, number> = { intercept: 0, age: 0, sbp: 0, ldl: 0, smoker: 0, diabetes: 0, male: 0, af: 0, svd: 0, neuro: 0, genetic: x.genetic[o] };
  const d = x.diabetes ? 1 : 0;
  const sm = x.smoker ? 1 : 0;
  if (o === 'hypertension') {
    const m = RISK_MODEL.hypertension;
    Object.assign(t, { intercept: m.intercept, sbp: (m.sbpPer10 * (x.sbp - 135)) / 10, smoker: m.smoker * sm, diabetes: m.diabetes * d, age: (m.ageOver60Per10 * Math.max(0, x.age - 60)) / 10 });
  } else if (o === 'chd') {
    const m = RISK_MODEL.chd;
    Object.assign(t, {
      intercept: m.intercept,
      age: (m.agePer10 * (x.age - 65)) / 10,
      ldl: (m.ldlPer40 * (x.ldl - 130)) / 40,
      smoker: m.smoker * sm,
      diabetes: m.diabetes * d,
      sbp: (m.sbpPer10 * (x.sbp - 135)) / 10,
      male: x.male ? m.male : 0,
    });
  } else if (o === 'stroke') {
    const m = RISK_MODEL.stroke;
    Object.assign(t, { intercept: m.intercept, age: (m.agePer10 * (x.age - 65)) / 10, sbp: (m.sbpPer10 * (x.sbp - 135)) / 10, af: x.af ? m.af : 0, svd: m.svd * x.svd, smoker: m.smoker * sm });
  } else {
    const m = RISK_MODEL.alzheimers;
    Object.assign(t, { intercept: m.intercept, age: (m.agePer10 * (x.age - 75)) / 10, neuro: m.neuro * x.neuro, svd: m.svd * x.svd, diabetes: m.diabetes * d });
  }
  return t;
}

/**
 * Sums log-odds terms in {@link RISK_TERMS} order.
 *
 * @param t - the terms
 * @returns the logit
 */
export function sumTerms(t: Readonly<Record<RiskTerm, number>>): number {
  let s = 0;
  for (const k of RISK_TERMS) {
    s += t[k];
  }
  return s;
}

/**
 * A simulated patient's risk inputs (for {@link riskTerms}).
 *
 * @param p - the patient
 * @returns the inputs its outcome log-odds were computed from
 */
export function riskInputs(p: SimPatient): RiskInputs {
  return {
    age: p.age,
    sbp: p.sbp,
    ldl: p.ldl,
    smoker: p.smoker,
    diabetes: p.hba1c >= DIABETES_HBA1C,
    male: p.sex === 'M',
    af: p.precursors.atrialFibrillation !== undefined,
    svd: p.svd,
    neuro: p.neuro,
    genetic: p.genetic,
  };
}

/** HbA1c (%) from which a patient is diabetic. */
export const DIABETES_HBA1C = 6.5;

/** How cognition relates to neurodegeneration (its loading and own noise; unit variance). */
export const COGNITION = { neuro: 0.6, noise: 0.8 } as const;

/** Impaired-cognition prodrome: logit = intercept + cognition·z + agePer10·(age − 75)/10, from `minAge` years. */
export const PRODROME = { intercept: -2.6, cognition: 1.3, agePer10: 0.6, minAge: 60 } as const;

/** Who gets an MRI (microbleed finding): logit = intercept + svd·svd + agePerYear·(age − 70) + neuro·neuro. */
export const MRI_SELECTION = { intercept: -1.95, svd: 1.0, agePerYear: 0.03, neuro: 0.3 } as const;

const AF_MARKER = 'rs2200733';

const POP_FACTOR: Readonly<Record<SimPatient['population'], number>> = { EUR: 1, AFR: 1.15, EAS: 0.8, AMR: 0.95, SAS: 0.9 };

interface GenomeTables {
  readonly freq: Float64Array;
  readonly mean: Readonly<Record<Outcome, number>>;
}

const GENOME_TABLES = new Map<SimPatient['population'], GenomeTables>();

/** Per-population allele frequencies and genetic-score means (computed once: they depend on the population only). */
function genomeTables(population: SimPatient['population']): GenomeTables {
  const known = GENOME_TABLES.get(population);
  if (known !== undefined) {
    return known;
  }
  const freq = new Float64Array(PANEL.length);
  const mean: Record<Outcome, number> = { hypertension: 0, stroke: 0, chd: 0, alzheimers: 0 };
  for (const m of PANEL) {
    const f = Math.min(0.6, m.altFrequency * POP_FACTOR[population]);
    freq[m.index] = f;
    for (const o of OUTCOMES) {
      mean[o] += 2 * f * m.weights[o];
    }
  }
  const t = { freq, mean };
  GENOME_TABLES.set(population, t);
  return t;
}

/** Name, sex, age, ancestry and address: the first draws of the patient's stream. */
function drawDemographics(r: Rng) {
  const id = r.uuid();
  const sex: 'M' | 'F' = r.chance(0.48) ? 'M' : 'F';
  const given = `${r.pick(sex === 'M' ? MALE_GIVEN : FEMALE_GIVEN)}${String(r.int(1, 999))}`;
  const family = `${r.pick(FAMILY)}${String(r.int(1, 999))}`;
  const age = drawAge(r);
  const birth = Math.floor(END_DATE_MS - age * YEAR_MS);
  const ru = r.next();
  const race: SimPatient['race'] = ru < 0.76 ? 'white' : ru < 0.86 ? 'black' : ru < 0.93 ? 'asian' : ru < 0.95 ? 'native' : 'other';
  const hispanic = r.chance(0.11);
  const population: SimPatient['population'] =
    race === 'white' ? 'EUR' : race === 'black' ? 'AFR' : race === 'asian' ? 'EAS' : race === 'native' ? 'AMR' : r.pick(['EUR', 'AFR', 'EAS', 'AMR', 'SAS'] as const);
  const town = r.int(0, TOWNS.length - 1);
  const street = `${String(r.int(100, 9999))} ${r.pick(FAMILY)} ${r.pick(['Gateway', 'Street', 'Avenue', 'Road', 'Lane', 'Way'])}`;

  return { id, sex, given, family, age, birth, race, hispanic, population, town, street };
}

/** Genome: two independent copies, Hardy–Weinberg, population-scaled allele frequency; genetic scores centred. */
function drawGenome(g: Rng, population: SimPatient['population']) {
  const genotype = new Uint8Array(PANEL.length * 2);
  const tables = genomeTables(population);
  const genetic: Record<Outcome, number> = { hypertension: 0, stroke: 0, chd: 0, alzheimers: 0 };
  let ldlVariant = 0;
  let afVariant = 0;
  for (const m of PANEL) {
    const f = tables.freq[m.index] ?? 0;
    for (let s = 0; s < 2; s++) {
      if (g.next() < f) {
        const k = m.alts.length > 1 && g.chance(0.2) ? g.int(2, m.alts.length) : 1;
        genotype[m.index * 2 + s] = k;
        genetic.hypertension += m.weights.hypertension;
        genetic.stroke += m.weights.stroke;
        genetic.chd += m.weights.chd;
        genetic.alzheimers += m.weights.alzheimers;
        if (m.weights.chd >= 1) {
          ldlVariant += 1;
        }
        if (m.rsid === AF_MARKER) {
          afVariant += 1;
        }
      }
    }
  }
  // Centre the genetic scores on their population mean so intercepts keep their meaning.
  for (const o of OUTCOMES) {
    genetic[o] -= tables.mean[o];
  }

  return { genotype, genetic, ldlVariant, afVariant };
}

/** Observed clinical factors, the hidden ones only MRI sees, cognition and atrial fibrillation. */
function drawFactors(r: Rng, sex: 'M' | 'F', age: number, genome: ReturnType<typeof drawGenome>) {
  const { genetic, ldlVariant, afVariant } = genome;
  const heightCm = sex === 'M' ? r.normal(176, 7) : r.normal(162, 6.5);
  const bmi = clamp(r.normal(28, 5.5), 16, 55);
  const smoker = r.chance(age > 50 ? 0.3 : 0.2);
  const sbp = clamp(112 + 0.45 * (age - 40) + 0.9 * (bmi - 27) + 6 * genetic.hypertension + r.normal(0, 10), 90, 210);
  const ldl = clamp(105 + 0.35 * (age - 40) + 70 * ldlVariant + 8 * genetic.chd + r.normal(0, 28), 40, 320);
  const hba1c = clamp(5.3 + 0.04 * (bmi - 27) + 0.008 * (age - 40) + r.normal(0, 0.45) + (r.chance(0.06) ? r.uniform(0.8, 2.5) : 0), 4.2, 12);
  const diabetes = hba1c >= DIABETES_HBA1C;
  // Hidden factors: only MRI sees them directly.
  const svd = 0.03 * (age - 65) + 0.025 * (sbp - 130) + 0.3 * (smoker ? 1 : 0) + r.normal(0, 1);
  const neuro = r.normal(0, 1);
  // Cognition: what clinical data (MMSE, impaired-cognition findings) see of the neurodegeneration, with its own noise.
  const cognition = COGNITION.neuro * neuro + COGNITION.noise * r.normal(0, 1);
  const afLogit = -4.6 + 0.07 * (age - 60) + 0.25 * afVariant + 0.01 * (sbp - 130);
  const af = r.chance(sigmoid(afLogit));

  return { heightCm, bmi, smoker, sbp, ldl, hba1c, diabetes, svd, neuro, cognition, af };
}

/** Outcome risks from the risk model and, for each outcome drawn, its onset. */
function drawOutcomes(r: Rng, inputs: RiskInputs, birth: number) {
  const age = inputs.age;
  const logit = {} as Record<Outcome, number>;
  for (const o of OUTCOMES) {
    logit[o] = sumTerms(riskTerms(o, inputs));
  }
  const risk = {} as Record<Outcome, number>;
  const outcomes: Partial<Record<Outcome, Dated>> = {};
  for (const o of OUTCOMES) {
    risk[o] = sigmoid(logit[o]);
    if (r.next() < risk[o]) {
      outcomes[o] = { onset: onsetBetween(r, birth, outcomeMinAge(o, age), age) };
    }
  }

  return { risk, outcomes };
}

/** Precursors and related conditions, dated before the outcome they lead to where clinically usual. */
function drawPrecursors(r: Rng, birth: number, f: ReturnType<typeof drawFactors> & { readonly age: number }, outcomes: Partial<Record<Outcome, Dated>>): Partial<Record<PrecursorName, Dated>> {
  const { age, hba1c, diabetes, ldl, bmi, af, cognition } = f;
  const pre: Partial<Record<PrecursorName, Dated>> = {};
  const adultOnset = (years: number): number => onsetBetween(r, birth, Math.max(18, age - years), age);
  if (hba1c >= 5.7) {
    pre.prediabetes = { onset: adultOnset(20) };
  }
  if (diabetes) {
    pre.diabetes = { onset: Math.max(pre.prediabetes?.onset ?? 0, adultOnset(12)) };
  }
  if (ldl >= 160 || (ldl >= 130 && r.chance(0.3))) {
    pre.hyperlipidemia = { onset: adultOnset(20) };
  }
  if (bmi >= 30) {
    pre.obesity = { onset: adultOnset(25) };
  }
  if (af) {
    pre.atrialFibrillation = { onset: onsetBetween(r, birth, Math.max(40, age - 15), age) };
  }
  const chd = outcomes.chd;
  if (chd !== undefined && r.chance(0.35)) {
    pre.myocardialInfarction = { onset: Math.min(END_DATE_MS - 86400000, chd.onset + Math.floor(r.uniform(0, 5) * YEAR_MS)) };
    if (r.chance(0.08)) {
      pre.cardiacArrest = { onset: pre.myocardialInfarction.onset };
    }
  }
  // Impaired cognition (the Alzheimer's prodrome) follows the hidden cognitive state and age, never the future
  // outcome: a prognostic design then sees only what was knowable at its index date.
  if (age >= PRODROME.minAge && r.chance(sigmoid(PRODROME.intercept + PRODROME.cognition * cognition + (PRODROME.agePer10 * (age - 75)) / 10))) {
    pre.impairedCognition = { onset: onsetBetween(r, birth, Math.max(PRODROME.minAge, age - 6), age) };
  }
  return pre;
}

/** The MRI (when the patient has micro-haemorrhages) with its imaging effects; adds the microbleeds precursor. */
function drawMri(
  r: Rng,
  birth: number,
  f: ReturnType<typeof drawFactors> & { readonly age: number },
  outcomes: Partial<Record<Outcome, Dated>>,
  pre: Partial<Record<PrecursorName, Dated>>,
  coverage: Coverage,
): SimPatient['mri'] {
  const { age, svd, neuro } = f;
  const ad = outcomes.alzheimers;
  // Silent micro-haemorrhage (723857007): Synthea's MRI trigger, tied to small-vessel disease, neurodegeneration and
  // age (hidden state, not the future outcomes: who gets an MRI is decided by what the patient has, not what follows).
  const mbLogit = MRI_SELECTION.intercept + MRI_SELECTION.svd * svd + MRI_SELECTION.agePerYear * (age - 70) + MRI_SELECTION.neuro * neuro;
  const hasMicrobleeds = age >= 15 && (coverage === 'full' || r.chance(sigmoid(mbLogit)));
  let mri: SimPatient['mri'];
  if (hasMicrobleeds) {
    const date = onsetBetween(r, birth, Math.max(15, age - 6), age);
    pre.microbleeds = { onset: date };
    const ageAtMri = (date - birth) / YEAR_MS;
    const adBefore = ad !== undefined && ad.onset <= date;
    const strokeBefore = outcomes.stroke !== undefined && outcomes.stroke.onset <= date;
    const atrophy = clamp(sigmoid(-1.6 + (0.6 * (ageAtMri - 70)) / 10 + 0.7 * neuro + (adBefore ? 0.8 : 0) + r.normal(0, 0.3)), 0, 1);
    mri = {
      date,
      effects: {
        atrophy: round3(atrophy),
        ventricleEnlargement: round3(clamp(0.75 * atrophy + 0.1 * Math.max(0, svd) + r.normal(0, 0.06), 0, 1)),
        infarcts: strokeBefore ? 1 + (r.chance(clamp(0.25 + 0.15 * svd, 0, 0.9)) ? 1 : 0) : r.chance(sigmoid(-3.2 + 0.8 * svd)) ? 1 : 0,
        wmhLoad: round3(clamp(sigmoid(-1.4 + 0.9 * svd + r.normal(0, 0.3)), 0, 1)),
        microbleeds: 1 + Math.min(12, Math.floor(Math.exp(0.45 * svd + r.normal(0, 0.5)))),
      },
    };
  }

  return mri;
}

/**
 * Simulates one patient.
 *
 * @param seed - cohort seed
 * @param index - patient index
 * @param coverage - modality coverage rule
 * @returns the patient
 */
export function simulatePatient(seed: number, index: number, coverage: Coverage = 'coherent'): SimPatient {
  const r = new Rng(seed, `patient:${String(index)}`);
  const g = new Rng(seed, `genome:${String(index)}`);
  const d = drawDemographics(r);
  const { sex, age, birth } = d;
  const genome = drawGenome(g, d.population);
  const f = drawFactors(r, sex, age, genome);
  const { sbp, ldl, smoker, diabetes, af, svd, neuro } = f;
  const inputs: RiskInputs = { age, sbp, ldl, smoker, diabetes, male: sex === 'M', af, svd, neuro, genetic: genome.genetic };
  const { risk, outcomes } = drawOutcomes(r, inputs, birth);
  const pre = drawPrecursors(r, birth, { ...f, age }, outcomes);
  const mri = drawMri(r, birth, { ...f, age }, outcomes, pre, coverage);

  // Genetic testing (Synthea GeneticTestingEditor): an active trigger condition (stroke, CHD, MI, cardiac arrest,
  // AF) and a passing draw; the Coherent cohort also holds tested relatives (familial genomes), modelled as a lower
  // cascade-testing rate for patients without a trigger. The selection bias is kept on purpose.
  const trigger = outcomes.stroke ?? outcomes.chd ?? pre.myocardialInfarction ?? pre.cardiacArrest ?? pre.atrialFibrillation;
  const genomic = coverage === 'full' || (trigger !== undefined ? r.chance(0.8) : r.chance(0.6));
  const genomicDate = genomic ? (trigger !== undefined ? Math.min(END_DATE_MS - 86400000, trigger.onset + 14 * 86400000) : onsetBetween(r, birth, Math.max(18, age - 5), age)) : undefined;

  const { id, given, family, race, hispanic, population, town, street } = d;
  const { bmi, heightCm, hba1c, cognition } = f;
  const { ldlVariant, afVariant, genotype, genetic } = genome;
  // The fields in their historical order (a serialised patient reads the same).
  return {
    index,
    id,
    given,
    family,
    sex,
    birth,
    age,
    race,
    hispanic,
    population,
    town,
    street,
    bmi,
    heightCm,
    smoker,
    sbp,
    ldl,
    hba1c,
    svd,
    neuro,
    cognition,
    ldlVariant,
    afVariant,
    genotype,
    genetic,
    risk,
    outcomes,
    precursors: pre,
    genomic,
    genomicDate,
    mri,
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * Area under the ROC curve of scores against binary labels (Mann–Whitney, ties counted half).
 *
 * @param scores - predicted scores
 * @param labels - true labels
 * @returns AUROC in [0, 1], or NaN when a class is empty
 */
export function auroc(scores: readonly number[], labels: readonly boolean[]): number {
  const idx = scores.map((s, i) => [s, labels[i] === true] as const).sort((a, b) => a[0] - b[0]);
  let rankSumPos = 0;
  let nPos = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1]?.[0] === idx[i]?.[0]) {
      j++;
    }
    const avgRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (idx[k]?.[1] === true) {
        rankSumPos += avgRank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = idx.length - nPos;
  if (nPos === 0 || nNeg === 0) {
    return Number.NaN;
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
