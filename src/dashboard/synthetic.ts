/**
 * A seeded synthetic {@link DashboardInput} for demos, the page tests and the benchmark (10,000 patients in well
 * under a second). Not a cohort generator: the real cohort comes from `src/cohort`; this only exercises every panel.
 */
import type {
  ApoeGenotypeRow,
  ConditionEventRow,
  EncounterEventRow,
  ModelResultSummary,
  NumericObservationRow,
  DashboardOutcome,
  DashboardPatient,
  RadiomicFeatureRow,
  PatientRiskRow,
  PatientSex,
  VariantFindingRow,
} from '../viz/rows';
import { DASHBOARD_OUTCOMES } from '../viz/rows';
import { mulberry32 } from '../util/random';
import { sliceThumbnail } from '../viz/thumbnail';
import type { DashboardInput } from './types';

/** Options of {@link syntheticDashboardInput}. */
export interface SyntheticDashboardOptions {
  /** Patients (default 200). */
  readonly patients?: number;
  /** Seed (default 42). */
  readonly seed?: number;
  /** Override the first patient's name (e.g. an XSS probe). */
  readonly firstName?: string;
  /** Thumbnails for at most this many imaging patients (default 50). */
  readonly thumbnails?: number;
}

const OTHER_CONDITIONS = ['Prediabetes', 'Obesity', 'Hyperlipidemia', 'Chronic sinusitis', 'Osteoarthritis', 'Anemia', 'Asthma', 'Atrial fibrillation'];
const GENES = ['APOE', 'LDLR', 'PCSK9', 'APOB', 'NOTCH3', 'BRCA1', 'MTHFR'];
const SIGS = ['Pathogenic', 'Likely_pathogenic', 'Uncertain_significance', 'Likely_benign', 'Benign', 'risk_factor'];
const APOE = ['e2/e3', 'e3/e3', 'e3/e4', 'e4/e4', 'e2/e2', 'e2/e4'];

/** The random streams and the draws built on them. */
interface Draws {
  readonly rnd: () => number;
  /** A separate stream for the LDL lab, so adding it left every other synthetic value as it was. */
  readonly lab: () => number;
  readonly normal: () => number;
  readonly pick: <T>(xs: readonly T[]) => T;
}

function draws(seed: number): Draws {
  const rnd = mulberry32(seed);
  const lab = mulberry32(seed ^ 0x5bd1e995);
  const normal = (): number => {
    const u = Math.max(1e-12, rnd());
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  return { rnd, lab, normal, pick };
}

const day = (y: number, doy: number): string => new Date(Date.UTC(y, 0, 1 + doy)).toISOString().slice(0, 10);

/** The rows being built, one list per table. */
interface SyntheticRows {
  readonly patients: DashboardPatient[];
  readonly conditions: ConditionEventRow[];
  readonly encounters: EncounterEventRow[];
  readonly observations: NumericObservationRow[];
  readonly variants: VariantFindingRow[];
  readonly apoe: ApoeGenotypeRow[];
  readonly radiomics: RadiomicFeatureRow[];
  readonly thumbnails: Map<string, string>;
  readonly risks: PatientRiskRow[];
  /** Every fifth patient's labels and predicted probabilities per outcome (the models' held-out results). */
  readonly truth: Record<string, { labels: number[]; probs: number[] }>;
}

/** One synthetic patient's drawn facts, which the later phases read. */
interface SyntheticPatient {
  readonly i: number;
  readonly id: string;
  readonly sex: PatientSex;
  readonly birthYear: number;
  readonly age: number;
  readonly genotype: string;
  readonly e4: number;
  readonly sbpBase: number;
  readonly risk: Record<DashboardOutcome, number>;
  readonly outcomes: DashboardOutcome[];
  readonly hasGenomic: boolean;
  readonly hasImaging: boolean;
}

/** Draws patient `i`'s demographics, APOE genotype, blood pressure, outcome risks and outcomes, and adds the patient. */
function addPatient(rows: SyntheticRows, d: Draws, i: number, firstName: string | undefined): SyntheticPatient {
  const { rnd } = d;
  const id = `p${String(i).padStart(5, '0')}-${Math.floor(rnd() * 0xffffff)
    .toString(16)
    .padStart(6, '0')}`;
  const sex: PatientSex = rnd() < 0.51 ? 'female' : 'male';
  const birthYear = 1930 + Math.floor(rnd() * 75);
  const age = 2026 - birthYear;
  const genotype = d.pick(APOE);
  const e4 = (genotype.match(/e4/g) ?? []).length;
  const sbpBase = 110 + 0.5 * age + 12 * d.normal();
  const risk: Record<DashboardOutcome, number> = {
    hypertension: 1 / (1 + Math.exp(-(sbpBase - 140) / 8)),
    stroke: 1 / (1 + Math.exp(-(age - 80) / 8)),
    chd: 1 / (1 + Math.exp(-(age - 75) / 9 - (sex === 'male' ? 0.5 : 0))),
    alzheimers: 1 / (1 + Math.exp(-(age - 85) / 6 - 1.2 * e4)),
  };
  const outcomes = DASHBOARD_OUTCOMES.map((o) => o.key).filter((k) => rnd() < risk[k]);
  const hasGenomic = rnd() < 0.8;
  const hasImaging = rnd() < 0.5;
  rows.patients.push({
    id,
    sex,
    birthDate: day(birthYear, Math.floor(rnd() * 365)),
    outcomes,
    modalities: ['clinical', ...(hasGenomic ? (['genomic'] as const) : []), ...(hasImaging ? (['imaging'] as const) : [])],
    name: i === 0 && firstName !== undefined ? firstName : `Name${String(i)} Family${String(i % 97)}`,
    address: `${String(1 + (i % 300))} Example Street`,
  });
  return { i, id, sex, birthYear, age, genotype, e4, sbpBase, risk, outcomes, hasGenomic, hasImaging };
}

/** The outcome conditions and, each with probability 0.12, the other conditions. */
function addConditions(rows: SyntheticRows, d: Draws, p: SyntheticPatient): void {
  const { rnd } = d;
  for (const o of p.outcomes) {
    const meta = DASHBOARD_OUTCOMES.find((x) => x.key === o);
    rows.conditions.push({ patientId: p.id, code: meta?.snomed ?? o, display: meta?.label ?? o, onset: day(Math.max(p.birthYear + 30, 2000 + Math.floor(rnd() * 24)), Math.floor(rnd() * 365)) });
  }
  for (const c of OTHER_CONDITIONS) {
    if (rnd() < 0.12) {
      rows.conditions.push({ patientId: p.id, code: c.toLowerCase(), display: c, onset: day(2005 + Math.floor(rnd() * 20), Math.floor(rnd() * 365)) });
    }
  }
}

/** Two to five visits, each an encounter with blood pressure, BMI, total cholesterol and LDL. */
function addVisits(rows: SyntheticRows, d: Draws, p: SyntheticPatient): void {
  const { rnd, lab, normal } = d;
  const id = p.id;
  const visits = 2 + Math.floor(rnd() * 4);
  for (let v = 0; v < visits; v++) {
    const date = day(2018 + v * 2, Math.floor(rnd() * 300));
    rows.encounters.push({ patientId: id, type: d.pick(['wellness', 'ambulatory', 'emergency']), start: `${date}T09:00:00Z` });
    rows.observations.push({ patientId: id, code: '8480-6', display: 'Systolic blood pressure', value: Math.round(p.sbpBase + 5 * normal()), unit: 'mm[Hg]', effective: `${date}T09:10:00Z` });
    rows.observations.push({ patientId: id, code: '39156-5', display: 'Body mass index', value: Math.round((27 + 4 * normal()) * 10) / 10, unit: 'kg/m2', effective: `${date}T09:12:00Z` });
    rows.observations.push({
      patientId: id,
      code: '2093-3',
      display: 'Total cholesterol',
      value: Math.round(190 + 30 * normal() + (p.outcomes.includes('chd') ? 25 : 0)),
      unit: 'mg/dL',
      effective: `${date}T09:20:00Z`,
    });
    // LDL: right-skewed (log-normal, median ~115 mg/dL) with a rare mis-keyed value ten times too large.
    const z = Math.sqrt(-2 * Math.log(lab() || 1e-12)) * Math.cos(2 * Math.PI * lab());
    const ldl = Math.round(Math.exp(Math.log(115) + 0.3 * z) * (lab() < 0.002 ? 10 : 1) * 10) / 10;
    rows.observations.push({ patientId: id, code: '18262-6', display: 'Low Density Lipoprotein Cholesterol', value: ldl, unit: 'mg/dL', effective: `${date}T09:21:00Z` });
  }
}

/** The APOE genotype, the APOE risk allele and, each with probability 0.15, a variant in the other genes. */
function addGenomics(rows: SyntheticRows, d: Draws, p: SyntheticPatient): void {
  const { id, e4 } = p;
  rows.apoe.push({ patientId: id, genotype: p.genotype });
  if (e4 > 0) {
    rows.variants.push({ patientId: id, gene: 'APOE', clinicalSignificance: 'risk_factor', variant: 'rs429358', condition: 'Alzheimer disease', genotype: e4 === 2 ? '1/1' : '0/1' });
  }
  for (const g of GENES.slice(1)) {
    if (d.rnd() < 0.15) {
      rows.variants.push({
        patientId: id,
        gene: g,
        clinicalSignificance: d.pick(SIGS),
        variant: `rs${String(100000 + Math.floor(d.rnd() * 900000))}`,
        condition: `${g}-related condition`,
        genotype: '0/1',
      });
    }
  }
}

/** Radiomics features shifted by Alzheimer's disease and, up to `maxThumbnails`, a 64×64 slice thumbnail. */
function addImaging(rows: SyntheticRows, d: Draws, p: SyntheticPatient, maxThumbnails: number): void {
  const { rnd, normal } = d;
  const ad = p.outcomes.includes('alzheimers') ? 1 : 0;
  const features = {
    firstorder_Mean: 400 - 30 * ad + 20 * normal(),
    firstorder_Entropy: 4 + 0.3 * ad + 0.2 * normal(),
    shape_VoxelVolume: 1.2e6 - 1.5e5 * ad + 8e4 * normal(),
    glcm_Contrast: 12 + 3 * ad + 2 * normal(),
    glcm_Correlation: 0.6 + 0.05 * normal(),
  };
  rows.radiomics.push({ patientId: p.id, imageSetId: `is-${p.id}`, features });
  if (rows.thumbnails.size < maxThumbnails) {
    const w = 64;
    const pixels = new Float64Array(w * w);
    const r = 22 - 4 * ad;
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < w; x++) {
        const dist = Math.hypot(x - 32, y - 32);
        pixels[y * w + x] = dist < r ? 800 + 100 * Math.cos(dist / 3) + 30 * normal() : dist < 28 ? 300 : 20 * rnd();
      }
    }
    rows.thumbnails.set(p.id, sliceThumbnail({ width: w, height: w, pixels }, 64));
  }
}

/** A noisy predicted risk per outcome with its top features; every fifth patient also feeds the model results. */
function addRisks(rows: SyntheticRows, d: Draws, p: SyntheticPatient): void {
  for (const o of DASHBOARD_OUTCOMES) {
    const prob = Math.min(0.99, Math.max(0.01, p.risk[o.key] + 0.1 * d.normal()));
    rows.risks.push({
      patientId: p.id,
      outcome: o.key,
      probability: Math.round(prob * 1000) / 1000,
      topFeatures: [
        { feature: 'age', contribution: Math.round(((p.age - 60) / 100) * 1000) / 1000 },
        { feature: 'systolic_bp_latest', contribution: Math.round(((p.sbpBase - 130) / 200) * 1000) / 1000 },
      ],
    });
    const t = (rows.truth[o.key] ??= { labels: [], probs: [] });
    if (p.i % 5 === 0) {
      t.labels.push(p.outcomes.includes(o.key) ? 1 : 0);
      t.probs.push(Math.round(prob * 1000) / 1000);
    }
  }
}

/** One ensemble result per outcome from the held-out labels and probabilities, with a fixed importance list. */
function syntheticModels(truth: SyntheticRows['truth']): ModelResultSummary[] {
  return DASHBOARD_OUTCOMES.map((o) => ({
    outcome: o.key,
    model: 'WeightedEnsemble',
    metrics: { positives: (truth[o.key]?.labels ?? []).filter((l) => l === 1).length, test_rows: truth[o.key]?.labels.length ?? 0 },
    labels: truth[o.key]?.labels ?? [],
    probabilities: truth[o.key]?.probs ?? [],
    importance: [
      { feature: 'age', importance: 0.31 },
      { feature: 'systolic_bp_latest', importance: o.key === 'hypertension' ? 0.42 : 0.08 },
      { feature: 'apoe_e4_count', importance: o.key === 'alzheimers' ? 0.22 : 0.01 },
      { feature: 'firstorder_Mean', importance: o.key === 'alzheimers' ? 0.12 : 0.02 },
    ],
  }));
}

/**
 * Builds a synthetic dashboard input, deterministic for a seed.
 *
 * @param options - size, seed, first name override, thumbnail count
 * @returns the input
 */
export function syntheticDashboardInput(options: SyntheticDashboardOptions = {}): DashboardInput {
  const n = options.patients ?? 200;
  const d = draws(options.seed ?? 42);
  const rows: SyntheticRows = { patients: [], conditions: [], encounters: [], observations: [], variants: [], apoe: [], radiomics: [], thumbnails: new Map(), risks: [], truth: {} };
  for (let i = 0; i < n; i++) {
    const p = addPatient(rows, d, i, options.firstName);
    addConditions(rows, d, p);
    addVisits(rows, d, p);
    if (p.hasGenomic) {
      addGenomics(rows, d, p);
    }
    if (p.hasImaging) {
      addImaging(rows, d, p, options.thumbnails ?? 50);
    }
    addRisks(rows, d, p);
  }
  const { patients, conditions, encounters, observations, variants, apoe, radiomics, thumbnails, risks } = rows;
  return { asOf: '2026-01-01', patients, conditions, encounters, observations, variants, apoe, radiomics, thumbnails, models: syntheticModels(rows.truth), risks };
}
