/**
 * Clinical features per patient at an index date: numeric, model-ready, computed only from events dated strictly
 * before the index (and within the lookback window). {@link computeClinicalFeatures} refuses an event on or after
 * the index instead of silently using it, so a data source that leaks fails loudly; the local loader filters in SQL
 * (clinical-data.ts) before the events reach it.
 *
 * Never a name, address, identifier or free-text note: the inputs are coded events and birth/sex facts only.
 */
import { HealthDataError } from '../errors';
import type { ClinicalEvent, PatientFacts } from '../formats/fhir/events';
import { MEDICATION_CLASSES } from '../formats/fhir/events';
import type { LabelRow } from './cohort';
import { numericRange } from '../util/collections';

/** LOINC codes summarised as last / mean / max before the index. */
export const MEASUREMENTS: Readonly<Record<string, readonly string[]>> = {
  systolic_bp: ['8480-6'],
  diastolic_bp: ['8462-4'],
  bmi: ['39156-5'],
  heart_rate: ['8867-4'],
  ldl: ['18262-6', '2089-1', '13457-7'],
  hdl: ['2085-9'],
  total_cholesterol: ['2093-3'],
  triglycerides: ['2571-8'],
  glucose: ['2339-0', '2345-7'],
  hba1c: ['4548-4'],
  mmse: ['72106-8'],
};

/** Precursor conditions (SNOMED CT) flagged when recorded before the index. */
export const PRECURSORS: Readonly<Record<string, readonly string[]>> = {
  prediabetes: ['15777000', '714628002'],
  diabetes: ['44054006'],
  hyperlipidemia: ['55822004'],
  hypertriglyceridemia: ['302870006'],
  hypertension: ['59621000', '38341003'],
  atrial_fibrillation: ['49436004'],
  myocardial_infarction: ['22298006', '399211009'],
  obesity: ['162864005', '408512008'],
  impaired_cognition: ['386806002'],
  chronic_kidney_disease: ['431855005', '431856006', '433144002', '431857002'],
  cerebral_microbleeds: ['723857007'],
};

/** Encounter classes (v3-ActCode) counted. */
export const ENCOUNTER_CLASSES = ['AMB', 'EMER', 'IMP', 'WELLNESS', 'OUTPATIENT', 'INPATIENT', 'URGENTCARE'] as const;

const SMOKING_STATUS = '72166-2';
const CURRENT_SMOKER = new Set(['449868002', '428041000124106', '77176002', '65568007']);
const FORMER_SMOKER = new Set(['8517006']);

/** Which events the features read (see {@link FEATURE_EVENTS}). */
export interface FeatureEventFilter {
  /** Observation codes: the measurements and smoking status. */
  readonly observationCodes: readonly string[];
  /** Condition codes: the precursors. */
  readonly conditionCodes: readonly string[];
  /** Resource types read only when they carry a category (encounter class, medication class). */
  readonly categorizedTypes: readonly string[];
}

/**
 * The only events {@link computeClinicalFeatures} reads: Observations with a measurement or smoking-status code,
 * Encounters and medication requests/administrations with a category, Conditions with a precursor code. A data source
 * may load only these (`CohortSources.eventsBefore`); every other event would be skipped by the features anyway.
 */
export const FEATURE_EVENTS: FeatureEventFilter = {
  observationCodes: [...Object.values(MEASUREMENTS).flat(), SMOKING_STATUS],
  conditionCodes: Object.values(PRECURSORS).flat(),
  categorizedTypes: ['Encounter', 'MedicationRequest', 'MedicationAdministration'],
};

/** The feature columns, in output order (after `patient_id`, `index_date`). */
export const CLINICAL_FEATURE_COLUMNS: readonly string[] = [
  'age_at_index',
  'sex_male',
  ...Object.keys(MEASUREMENTS).flatMap((m) => [`${m}_last`, `${m}_mean`, `${m}_max`]),
  ...ENCOUNTER_CLASSES.map((c) => `encounters_${c.toLowerCase()}`),
  'encounters_total',
  ...Object.keys(MEDICATION_CLASSES).map((c) => `med_${c}`),
  ...Object.keys(PRECURSORS).map((c) => `cond_${c}`),
  'smoking_current',
  'smoking_former',
];

/** One patient's feature vector: ids plus numeric features (null = not measured before the index). */
export type ClinicalFeatureRow = { readonly patient_id: string; readonly index_date: string } & Readonly<Record<string, string | number | null>>;

const YEAR_MS = 365.25 * 86_400_000;

function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** An event with its date parsed once (Date.parse per comparison would dominate sorting millions of events). */
interface TimedEvent {
  readonly e: ClinicalEvent;
  /** `Date.parse(e.date)` (NaN when unparseable, as a comparison of the unparsed dates would give). */
  readonly t: number;
}

/**
 * Events grouped by patient (labelled patients' dated events only), each with its parsed date.
 *
 * @throws {@link HealthDataError} (invalid-input) when an event is dated on/after its patient's index
 */
function eventsByPatient(index: ReadonlyMap<string, number>, events: readonly ClinicalEvent[]): Map<string, TimedEvent[]> {
  const byPatient = new Map<string, TimedEvent[]>();
  for (const e of events) {
    const idx = index.get(e.patientId);
    if (idx === undefined || e.date === null) {
      continue;
    }
    const t = Date.parse(e.date);
    if (t >= idx) {
      throw new HealthDataError(
        'invalid-input',
        `computeClinicalFeatures: event ${e.resourceType}/${e.resourceId} of patient ${e.patientId} is dated ${e.date}, on or after the index ${new Date(idx).toISOString()}; features may use only earlier data (load events with loadEventsBeforeIndex)`,
        { path: `${e.resourceType}/${e.resourceId}` },
      );
    }
    const list = byPatient.get(e.patientId);
    if (list === undefined) {
      byPatient.set(e.patientId, [{ e, t }]);
    } else {
      list.push({ e, t });
    }
  }
  return byPatient;
}

/** Time order, then resource id, then code (so "last" is well defined whatever order the source returned). */
function byTime(a: TimedEvent, b: TimedEvent): number {
  return a.t - b.t || a.e.resourceId.localeCompare(b.e.resourceId) || a.e.code.localeCompare(b.e.code);
}

/** Code → feature name, for the measurement and the precursor code lists. */
function codeIndexes(): { readonly measurementOf: Map<string, string>; readonly precursorOf: Map<string, string> } {
  const measurementOf = new Map<string, string>();
  for (const [name, codes] of Object.entries(MEASUREMENTS)) {
    for (const c of codes) {
      measurementOf.set(c, name);
    }
  }
  const precursorOf = new Map<string, string>();
  for (const [name, codes] of Object.entries(PRECURSORS)) {
    for (const c of codes) {
      precursorOf.set(c, name);
    }
  }
  return { measurementOf, precursorOf };
}

/** What one patient's events before the index hold, by kind. */
interface EventSummary {
  /** Measurement name → values in time order. */
  readonly values: Map<string, number[]>;
  /** Encounter class (upper case) → encounter ids. */
  readonly encounters: Map<string, Set<string>>;
  readonly meds: Set<string>;
  readonly conds: Set<string>;
  /** The last smoking status code. */
  readonly smoking: string | null;
}

/** Scans one patient's time-ordered events into measurements, encounters, medication classes, precursors, smoking. */
function summarizeEvents(list: readonly ClinicalEvent[], codes: ReturnType<typeof codeIndexes>): EventSummary {
  const { measurementOf, precursorOf } = codes;
  const values = new Map<string, number[]>();
  const encounters = new Map<string, Set<string>>();
  const meds = new Set<string>();
  const conds = new Set<string>();
  let smoking: string | null = null;
  for (const e of list) {
    if (e.resourceType === 'Observation') {
      const m = measurementOf.get(e.code);
      if (m !== undefined && e.value !== null) {
        const v = values.get(m);
        if (v === undefined) {
          values.set(m, [e.value]);
        } else {
          v.push(e.value);
        }
      }
      if (e.code === SMOKING_STATUS && e.valueCode !== null) {
        smoking = e.valueCode;
      }
    } else if (e.resourceType === 'Encounter' && e.category !== null) {
      const set = encounters.get(e.category.toUpperCase()) ?? new Set<string>();
      set.add(e.resourceId);
      encounters.set(e.category.toUpperCase(), set);
    } else if ((e.resourceType === 'MedicationRequest' || e.resourceType === 'MedicationAdministration') && e.category !== null) {
      meds.add(e.category);
    } else if (e.resourceType === 'Condition') {
      const c = precursorOf.get(e.code);
      if (c !== undefined) {
        conds.add(c);
      }
    }
  }
  return { values, encounters, meds, conds, smoking };
}

/** Writes the summary's features into the row: measurement last/mean/max, encounter counts, medications, precursors, smoking. */
function writeEventFeatures(row: Record<string, string | number | null>, summary: EventSummary): void {
  const { values, encounters, meds, conds, smoking } = summary;
  for (const [m, v] of values) {
    row[`${m}_last`] = round(v[v.length - 1] ?? NaN);
    row[`${m}_mean`] = round(v.reduce((a, b) => a + b, 0) / v.length);
    row[`${m}_max`] = round(numericRange(v).max);
  }
  let total = 0;
  for (const c of ENCOUNTER_CLASSES) {
    const n = encounters.get(c)?.size ?? 0;
    row[`encounters_${c.toLowerCase()}`] = n;
    total += n;
  }
  for (const [c, set] of encounters) {
    if (!(ENCOUNTER_CLASSES as readonly string[]).includes(c)) {
      total += set.size;
    }
  }
  row.encounters_total = total;
  for (const c of Object.keys(MEDICATION_CLASSES)) {
    row[`med_${c}`] = meds.has(c) ? 1 : 0;
  }
  for (const c of Object.keys(PRECURSORS)) {
    row[`cond_${c}`] = conds.has(c) ? 1 : 0;
  }
  row.smoking_current = smoking === null ? null : CURRENT_SMOKER.has(smoking) ? 1 : 0;
  row.smoking_former = smoking === null ? null : FORMER_SMOKER.has(smoking) ? 1 : 0;
}

/**
 * Computes clinical features for labelled patients.
 *
 * @param labels - one row per patient (index dates)
 * @param patients - patient facts (birth date, gender)
 * @param events - coded events; each must be dated strictly before its patient's index (undated events are ignored)
 * @returns one row per label, in label order, with {@link CLINICAL_FEATURE_COLUMNS}
 * @throws {@link HealthDataError} (invalid-input) when an event is dated on/after its patient's index — a leak
 * @example
 * ```ts
 * const rows = computeClinicalFeatures(labels, patients, await loadEventsBeforeIndex(store, dsId, labels));
 * ```
 */
export function computeClinicalFeatures(labels: readonly LabelRow[], patients: readonly PatientFacts[], events: readonly ClinicalEvent[]): ClinicalFeatureRow[] {
  const facts = new Map(patients.map((p) => [p.patientId, p]));
  const index = new Map(labels.map((l) => [l.patientId, Date.parse(l.indexDate)]));
  const byPatient = eventsByPatient(index, events);
  const codes = codeIndexes();
  return labels.map((l) => {
    const idx = Date.parse(l.indexDate);
    const row: Record<string, string | number | null> = { patient_id: l.patientId, index_date: l.indexDate };
    for (const c of CLINICAL_FEATURE_COLUMNS) {
      row[c] = null;
    }
    const p = facts.get(l.patientId);
    row.age_at_index = p?.birthDate === undefined || p.birthDate === null ? null : round((idx - Date.parse(p.birthDate)) / YEAR_MS, 2);
    row.sex_male = p?.gender === undefined || p.gender === null ? null : p.gender === 'male' ? 1 : 0;
    const list = [...(byPatient.get(l.patientId) ?? [])].sort(byTime).map((x) => x.e);
    writeEventFeatures(row, summarizeEvents(list, codes));
    return row as ClinicalFeatureRow;
  });
}
