/**
 * The `coherent` record density: the extra FHIR resources that bring a generated bundle to the real Coherent
 * release's volume (≈ 1,560 resources per patient, ≈ 2 M for 1,278 patients; Observations dominate), while the
 * study reads exactly what it reads at the `compact` density.
 *
 * What changes at the `coherent` density (fhir-bundle.ts):
 * - wellness visits are yearly (every 0.6–1.0 years) instead of every 2.5–3.5 years over the same window, with the
 *   same measurements drawn from the same trajectories — more of the same kinds of record;
 * - each wellness visit also records the panels Synthea's wellness encounters write that no feature reads: extra
 *   vital signs, a CBC, a metabolic panel without glucose, a urinalysis, four questionnaires (PHQ-2, GAD-7,
 *   AUDIT-C, HARK) with their item answers, the screening procedures that go with them;
 * - every Claim gets its ExplanationOfBenefit, as in Synthea's R4 export.
 *
 * None of these extra codes is a measurement, condition, medication or smoking code the clinical features read
 * (src/clinical/features.ts), and no Condition is added, so labels are untouched. Values come from their own seeded
 * stream (`fhir-density:<patient>`), never from the stream that draws the study's measurements.
 */
import type { Code } from './codes';
import { LOINC, SNOMED } from './codes';
import type { Rng } from './rng';

/** How many records a bundle holds: `compact` (the study's records only) or `coherent` (the real release's volume). */
export type RecordDensity = 'compact' | 'coherent';

/** The record densities. */
export const RECORD_DENSITIES: readonly RecordDensity[] = ['compact', 'coherent'];

/** A FHIR resource as plain JSON. */
type Json = Record<string, unknown>;

/** What the extra records need from the bundle builder. */
export interface DensitySink {
  /** Adds a resource with the given id; returns its `urn:uuid:` reference. */
  add(resource: Json, id: string): string;
  /** The patient's reference. */
  readonly patientRef: string;
}

/** The visit the records belong to. */
export interface DensityVisit {
  /** Encounter reference. */
  readonly ref: string;
  /** Start, ms. */
  readonly start: number;
  /** End, ms. */
  readonly end: number;
}

/** A numeric lab or vital: code, display, UCUM unit, mean, SD, decimals, lower bound. */
type Numeric = readonly [code: string, display: string, unit: string, mean: number, sd: number, digits: number, min: number];

const VITALS: readonly Numeric[] = [
  ['9279-1', 'Respiratory rate', '/min', 15, 2, 0, 8],
  ['8310-5', 'Body temperature', 'Cel', 36.9, 0.3, 1, 35],
  ['72514-3', 'Pain severity - 0-10 verbal numeric rating [Score] - Reported', '{score}', 1, 1.5, 0, 0],
  ['2708-6', 'Oxygen saturation in Arterial blood', '%', 97.5, 1.2, 1, 85],
];

const CBC: readonly Numeric[] = [
  ['6690-2', 'Leukocytes [#/volume] in Blood by Automated count', '10*3/uL', 7, 1.5, 1, 2],
  ['789-8', 'Erythrocytes [#/volume] in Blood by Automated count', '10*6/uL', 4.7, 0.4, 2, 3],
  ['718-7', 'Hemoglobin [Mass/volume] in Blood', 'g/dL', 14, 1.2, 1, 8],
  ['4544-3', 'Hematocrit [Volume Fraction] of Blood by Automated count', '%', 42, 3, 1, 25],
  ['787-2', 'MCV [Entitic volume] by Automated count', 'fL', 90, 4, 1, 70],
  ['785-6', 'MCH [Entitic mass] by Automated count', 'pg', 30, 1.5, 1, 22],
  ['786-4', 'MCHC [Mass/volume] by Automated count', 'g/dL', 33.5, 1, 1, 28],
  ['21000-5', 'Erythrocyte distribution width [Entitic volume] by Automated count', 'fL', 43, 3, 1, 30],
  ['777-3', 'Platelets [#/volume] in Blood by Automated count', '10*3/uL', 250, 50, 0, 80],
];

const METABOLIC: readonly Numeric[] = [
  ['6299-2', 'Urea nitrogen [Mass/volume] in Blood', 'mg/dL', 14, 4, 1, 4],
  ['38483-4', 'Creatinine [Mass/volume] in Blood', 'mg/dL', 0.95, 0.2, 2, 0.4],
  ['49765-1', 'Calcium [Mass/volume] in Blood', 'mg/dL', 9.5, 0.4, 1, 7.5],
  ['2947-0', 'Sodium [Moles/volume] in Blood', 'mmol/L', 140, 2, 0, 128],
  ['6298-4', 'Potassium [Moles/volume] in Blood', 'mmol/L', 4.2, 0.35, 1, 3],
  ['2069-3', 'Chloride [Moles/volume] in Blood', 'mmol/L', 103, 2.5, 0, 92],
  ['20565-8', 'Carbon dioxide, total [Moles/volume] in Blood', 'mmol/L', 25, 2, 0, 18],
  ['33914-3', 'Glomerular filtration rate/1.73 sq M.predicted', 'mL/min/{1.73_m2}', 85, 15, 0, 15],
  ['2885-2', 'Protein [Mass/volume] in Serum or Plasma', 'g/dL', 7, 0.5, 1, 5],
  ['1751-7', 'Albumin [Mass/volume] in Serum or Plasma', 'g/dL', 4.3, 0.3, 1, 2.5],
  ['1975-2', 'Bilirubin.total [Mass/volume] in Serum or Plasma', 'mg/dL', 0.7, 0.25, 1, 0.1],
  ['6768-6', 'Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma', 'U/L', 75, 20, 0, 25],
  ['1742-6', 'Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma', 'U/L', 25, 8, 0, 5],
  ['1920-8', 'Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma', 'U/L', 24, 7, 0, 5],
];

const URINE_NUMERIC: readonly Numeric[] = [
  ['5811-5', 'Specific gravity of Urine by Test strip', '{SG}', 1.018, 0.005, 3, 1.001],
  ['5803-2', 'pH of Urine by Test strip', '[pH]', 6, 0.6, 1, 4.5],
];

const URINE_NEGATIVE: readonly (readonly [string, string])[] = [
  ['25428-4', 'Glucose [Presence] in Urine by Test strip'],
  ['2514-8', 'Ketones [Presence] in Urine by Test strip'],
  ['5794-3', 'Hemoglobin [Presence] in Urine by Test strip'],
  ['5802-4', 'Nitrite [Presence] in Urine by Test strip'],
  ['5799-2', 'Leukocyte esterase [Presence] in Urine by Test strip'],
  ['20454-5', 'Protein [Presence] in Urine by Test strip'],
  ['5770-3', 'Bilirubin.total [Presence] in Urine by Test strip'],
];

/** A questionnaire: panel code, total-score code, item codes, highest item score. */
interface Questionnaire {
  readonly panel: Code;
  readonly total: Code;
  readonly items: readonly Code[];
  readonly maxItem: number;
}

const l = (code: string, display: string): Code => ({ system: LOINC, code, display });
const s = (code: string, display: string): Code => ({ system: SNOMED, code, display });

const QUESTIONNAIRES: readonly Questionnaire[] = [
  {
    panel: l('55757-9', 'Patient Health Questionnaire 2 item (PHQ-2) [Reported]'),
    total: l('55758-7', 'Patient Health Questionnaire 2 item (PHQ-2) total score [Reported]'),
    items: [l('44250-9', 'Little interest or pleasure in doing things'), l('44255-8', 'Feeling down, depressed, or hopeless')],
    maxItem: 3,
  },
  {
    panel: l('69737-5', 'Generalized anxiety disorder 7 item (GAD-7)'),
    total: l('70274-6', 'Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]'),
    items: [
      l('69725-0', 'Feeling nervous, anxious or on edge'),
      l('68509-9', 'Over the past 2 weeks have you not been able to stop or control worrying'),
      l('69733-4', 'Worrying too much about different things'),
      l('69734-2', 'Trouble relaxing'),
      l('69735-9', "Being so restless that it's hard to sit still"),
      l('69689-8', 'Becoming easily annoyed or irritable'),
      l('69736-7', 'Feeling afraid as if something awful might happen'),
    ],
    maxItem: 3,
  },
  {
    panel: l('72109-2', 'Alcohol Use Disorder Identification Test - Consumption [AUDIT-C]'),
    total: l('75626-2', 'Total score [AUDIT-C]'),
    items: [
      l('68518-0', 'How often do you have a drink containing alcohol'),
      l('68519-8', 'How many standard drinks containing alcohol do you have on a typical day'),
      l('68520-6', 'How often do you have 6 or more drinks on 1 occasion'),
    ],
    maxItem: 4,
  },
  {
    panel: l('76499-3', 'Humiliation, Afraid, Rape, and Kick questionnaire [HARK]'),
    total: l('76504-0', 'Total score [HARK]'),
    items: [
      l('76500-8', 'Within the last year, have you been humiliated or emotionally abused in other ways by your partner or ex-partner'),
      l('76501-6', 'Within the last year, have you been afraid of your partner or ex-partner'),
      l('76502-4', 'Within the last year, have you been raped or forced to have any kind of sexual activity by your partner or ex-partner'),
      l('76503-2', 'Within the last year, have you been kicked, hit, slapped, or otherwise physically hurt by your partner or ex-partner'),
    ],
    maxItem: 1,
  },
];

const SCREENINGS: readonly Code[] = [
  s('171207006', 'Depression screening (procedure)'),
  s('454711000124102', 'Depression screening using Patient Health Questionnaire Two-Item score (procedure)'),
  s('428211000124100', 'Assessment of substance use (procedure)'),
  s('710824005', 'Assessment of health and social care needs (procedure)'),
];

const PANELS = {
  cbc: l('58410-2', 'CBC panel - Blood by Automated count'),
  metabolic: l('24323-8', 'Comprehensive metabolic 2000 panel - Serum or Plasma'),
  urinalysis: l('24356-8', 'Urinalysis complete panel - Urine by Automated test strip'),
};

const NEGATIVE = s('167275009', 'Negative (qualifier value)');

/** Every code the coherent density adds (for tests that check none of them is one the features read). */
export const DENSITY_CODES: readonly string[] = [
  ...[...VITALS, ...CBC, ...METABOLIC, ...URINE_NUMERIC].map((n) => n[0]),
  ...URINE_NEGATIVE.map((u) => u[0]),
  ...QUESTIONNAIRES.flatMap((q) => [q.panel.code, q.total.code, ...q.items.map((i) => i.code)]),
  ...SCREENINGS.map((c) => c.code),
  ...Object.values(PANELS).map((c) => c.code),
];

function dateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

function instant(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}+00:00`;
}

function concept(c: Code): Json {
  return { coding: [{ system: c.system, code: c.code, display: c.display }], text: c.display };
}

function category(code: string): Json[] {
  return [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code, display: code }] }];
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * Writes the records of one wellness visit that only the `coherent` density has.
 *
 * @param sink - the bundle builder
 * @param x - the density's own random stream
 * @param visit - the wellness encounter
 */
export function addDensityWellnessRecords(sink: DensitySink, x: Rng, visit: DensityVisit): void {
  const base = (c: Code, cat: string): Json => ({
    resourceType: 'Observation',
    status: 'final',
    category: category(cat),
    code: concept(c),
    subject: { reference: sink.patientRef },
    encounter: { reference: visit.ref },
    effectiveDateTime: dateTime(visit.start),
    issued: instant(visit.start),
  });
  const numeric = (n: Numeric, cat: string): string => {
    const [code, display, unit, mean, sd, digits, min] = n;
    const value = round(Math.max(min, x.normal(mean, sd)), digits);
    return sink.add({ ...base(l(code, display), cat), valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit } }, x.uuid());
  };
  const report = (panel: Code, lab: boolean, results: readonly string[]): void => {
    sink.add(
      {
        resourceType: 'DiagnosticReport',
        status: 'final',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: lab ? 'LAB' : 'OTH', display: lab ? 'Laboratory' : 'Other' }] }],
        code: concept(panel),
        subject: { reference: sink.patientRef },
        encounter: { reference: visit.ref },
        effectiveDateTime: dateTime(visit.start),
        issued: instant(visit.start),
        result: results.map((reference) => ({ reference })),
      },
      x.uuid(),
    );
  };
  for (const v of VITALS) {
    numeric(v, 'vital-signs');
  }
  report(
    PANELS.cbc,
    true,
    CBC.map((n) => numeric(n, 'laboratory')),
  );
  report(
    PANELS.metabolic,
    true,
    METABOLIC.map((n) => numeric(n, 'laboratory')),
  );
  const urine = [
    ...URINE_NUMERIC.map((n) => numeric(n, 'laboratory')),
    ...URINE_NEGATIVE.map(([code, display]) => sink.add({ ...base(l(code, display), 'laboratory'), valueCodeableConcept: concept(NEGATIVE) }, x.uuid())),
  ];
  report(PANELS.urinalysis, true, urine);
  for (const q of QUESTIONNAIRES) {
    let total = 0;
    const members = q.items.map((item) => {
      const score = x.chance(0.75) ? 0 : x.int(1, q.maxItem);
      total += score;
      return sink.add({ ...base(item, 'survey'), valueQuantity: { value: score, unit: '{score}', system: 'http://unitsofmeasure.org', code: '{score}' } }, x.uuid());
    });
    members.push(sink.add({ ...base(q.total, 'survey'), valueQuantity: { value: total, unit: '{score}', system: 'http://unitsofmeasure.org', code: '{score}' } }, x.uuid()));
    sink.add({ ...base(q.panel, 'survey'), hasMember: members.map((reference) => ({ reference })) }, x.uuid());
  }
  for (const c of SCREENINGS) {
    sink.add(
      {
        resourceType: 'Procedure',
        status: 'completed',
        code: concept(c),
        subject: { reference: sink.patientRef },
        encounter: { reference: visit.ref },
        performedPeriod: { start: dateTime(visit.start), end: dateTime(visit.start + 5 * 60000) },
      },
      x.uuid(),
    );
  }
}

/** The Claim an ExplanationOfBenefit settles. */
export interface DensityClaim {
  /** The Claim's reference. */
  readonly claimRef: string;
  /** Provider (organization) reference and display. */
  readonly provider: Json;
  /** Billable period start / end, ms. */
  readonly start: number;
  /** End, ms. */
  readonly end: number;
  /** Claim items (productOrService concepts). */
  readonly items: readonly Code[];
  /** Claim total, USD. */
  readonly total: number;
}

/**
 * Writes the ExplanationOfBenefit of a Claim (Synthea writes one per Claim).
 *
 * @param sink - the bundle builder
 * @param x - the density's own random stream
 * @param claim - the claim
 */
export function addExplanationOfBenefit(sink: DensitySink, x: Rng, claim: DensityClaim): void {
  const paid = round(claim.total * x.uniform(0.6, 0.95), 2);
  sink.add(
    {
      resourceType: 'ExplanationOfBenefit',
      status: 'active',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional', display: 'Professional' }] },
      use: 'claim',
      patient: { reference: sink.patientRef },
      billablePeriod: { start: dateTime(claim.start), end: dateTime(claim.end) },
      created: dateTime(claim.end),
      insurer: { display: 'Medicare' },
      provider: claim.provider,
      claim: { reference: claim.claimRef },
      outcome: 'complete',
      insurance: [{ focal: true, coverage: { display: 'Medicare' } }],
      item: claim.items.map((c, i) => ({ sequence: i + 1, productOrService: concept(c), servicedPeriod: { start: dateTime(claim.start), end: dateTime(claim.end) } })),
      total: [
        {
          category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'submitted', display: 'Submitted Amount' }] },
          amount: { value: round(claim.total, 2), currency: 'USD' },
        },
      ],
      payment: { amount: { value: paid, currency: 'USD' } },
    },
    x.uuid(),
  );
}
