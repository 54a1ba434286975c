/**
 * Flattening FHIR resources into dated, coded clinical events: the one long table labels and features are built
 * from. An event keeps what a model may use — patient, date, code system and code, a number and its unit, a coded
 * value, a category — and never names, addresses, narrative text or notes.
 */

/** One dated, coded fact about a patient. */
export interface ClinicalEvent {
  /** Patient id (from `subject`/`patient` = `Patient/<id>`). */
  readonly patientId: string;
  /** Source resource type, e.g. `Observation`. */
  readonly resourceType: string;
  /** Source resource id. */
  readonly resourceId: string;
  /** When it happened (ISO date-time or date), or null when the resource carries no clinical date. */
  readonly date: string | null;
  /** Code system URI (SNOMED CT, LOINC, RxNorm, v3-ActCode…). */
  readonly system: string;
  /** The code; for an Observation component, the component's code. */
  readonly code: string;
  /** Numeric value (Observation.valueQuantity / component value), else null. */
  readonly value: number | null;
  /** Unit of `value` (UCUM code or unit text), else null. */
  readonly unit: string | null;
  /** Coded value (Observation.valueCodeableConcept, e.g. smoking status), else null. */
  readonly valueCode: string | null;
  /** A category: encounter class for Encounters, medication class for MedicationRequests, else null. */
  readonly category: string | null;
}

/** Patient facts needed for age and sex (no names, addresses or identifiers). */
export interface PatientFacts {
  /** Patient id. */
  readonly patientId: string;
  /** `male` / `female` / `other` / `unknown`, or null. */
  readonly gender: string | null;
  /** ISO birth date, or null. */
  readonly birthDate: string | null;
  /** ISO date-time of death, or null. */
  readonly deceasedDateTime: string | null;
}

interface Coding {
  system?: string;
  code?: string;
  display?: string;
}
interface CodeableConcept {
  coding?: Coding[];
}

/**
 * Medication classes recognised from RxNorm ingredient names (lower-case substrings of the coding display).
 * Displays are terminology strings, not free text; only the class flag leaves this module.
 */
export const MEDICATION_CLASSES: Readonly<Record<string, readonly string[]>> = {
  antihypertensive: [
    'lisinopril',
    'enalapril',
    'ramipril',
    'captopril',
    'losartan',
    'valsartan',
    'irbesartan',
    'olmesartan',
    'amlodipine',
    'nifedipine',
    'diltiazem',
    'verapamil',
    'hydrochlorothiazide',
    'chlorthalidone',
    'metoprolol',
    'atenolol',
    'carvedilol',
    'propranolol',
    'bisoprolol',
    'labetalol',
    'hydralazine',
    'spironolactone',
    'furosemide',
  ],
  statin: ['simvastatin', 'atorvastatin', 'rosuvastatin', 'pravastatin', 'lovastatin', 'fluvastatin', 'pitavastatin'],
  anticoagulant: ['warfarin', 'heparin', 'enoxaparin', 'apixaban', 'rivaroxaban', 'dabigatran', 'edoxaban'],
  antiplatelet: ['clopidogrel', 'aspirin', 'prasugrel', 'ticagrelor'],
  antidiabetic: ['metformin', 'insulin', 'glipizide', 'glyburide', 'sitagliptin', 'liraglutide', 'canagliflozin', 'empagliflozin'],
  antidementia: ['donepezil', 'galantamine', 'rivastigmine', 'memantine'],
  antiarrhythmic: ['digoxin', 'amiodarone', 'sotalol', 'flecainide'],
  nitrate: ['nitroglycerin', 'isosorbide'],
};

/**
 * The medication classes a coding display names.
 *
 * @param display - an RxNorm display such as `Warfarin Sodium 5 MG Oral Tablet`
 * @returns the class names, possibly empty
 */
export function medicationClassesOf(display: string): string[] {
  const d = display.toLowerCase();
  return Object.entries(MEDICATION_CLASSES)
    .filter(([, words]) => words.some((w) => d.includes(w)))
    .map(([name]) => name);
}

/**
 * The patient id a resource is about.
 *
 * @param resource - a parsed FHIR resource
 * @returns the id from `Patient.id`, `subject` or `patient` (`Patient/<id>`), or undefined
 */
export function patientIdOf(resource: Record<string, unknown>): string | undefined {
  if (resource.resourceType === 'Patient') {
    return typeof resource.id === 'string' ? resource.id : undefined;
  }
  for (const key of ['subject', 'patient', 'beneficiary']) {
    const ref = (resource[key] as { reference?: unknown } | undefined)?.reference;
    if (typeof ref === 'string' && ref.startsWith('Patient/')) {
      return ref.slice('Patient/'.length).split('/')[0];
    }
  }
  return undefined;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function firstDate(r: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const k of keys) {
    const v = r[k];
    if (typeof v === 'string') {
      return v;
    }
    const start = (v as { start?: unknown } | undefined)?.start;
    if (typeof start === 'string') {
      return start;
    }
  }
  return null;
}

const DATE_KEYS: Readonly<Record<string, readonly string[]>> = {
  Condition: ['onsetDateTime', 'onsetPeriod', 'recordedDate'],
  Observation: ['effectiveDateTime', 'effectivePeriod', 'effectiveInstant', 'issued'],
  Encounter: ['period'],
  MedicationRequest: ['authoredOn'],
  MedicationAdministration: ['effectiveDateTime', 'effectivePeriod'],
  Procedure: ['performedDateTime', 'performedPeriod'],
  Immunization: ['occurrenceDateTime'],
  AllergyIntolerance: ['onsetDateTime', 'recordedDate'],
  DiagnosticReport: ['effectiveDateTime', 'effectivePeriod', 'issued'],
  CarePlan: ['period'],
  ImagingStudy: ['started'],
  Device: ['manufactureDate'],
};

const CODE_KEYS: Readonly<Record<string, string>> = {
  Condition: 'code',
  Observation: 'code',
  Encounter: 'type',
  MedicationRequest: 'medicationCodeableConcept',
  MedicationAdministration: 'medicationCodeableConcept',
  Procedure: 'code',
  Immunization: 'vaccineCode',
  AllergyIntolerance: 'code',
  DiagnosticReport: 'code',
  Device: 'type',
};

function addCodings(out: Coding[], c: CodeableConcept | undefined): void {
  if (typeof c === 'object' && Array.isArray(c.coding)) {
    for (const x of c.coding) {
      if (typeof x.code === 'string') {
        out.push(x);
      }
    }
  }
}

// Module-level helpers, not closures: this runs for every imported resource.
function codings(v: unknown): Coding[] {
  const out: Coding[] = [];
  if (Array.isArray(v)) {
    for (const c of v as CodeableConcept[]) {
      addCodings(out, c);
    }
  } else {
    addCodings(out, v as CodeableConcept | undefined);
  }
  return out;
}

function quantity(v: unknown): { value: number | null; unit: string | null } {
  const q = v as { value?: unknown; code?: unknown; unit?: unknown } | undefined;
  const value = typeof q?.value === 'number' && Number.isFinite(q.value) ? q.value : null;
  return { value, unit: str(q?.code) ?? str(q?.unit) };
}

/** What every event of one resource shares, and where its events go. */
interface EventBase {
  readonly out: ClinicalEvent[];
  readonly patientId: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly date: string | null;
}

/** Appends one event (a plain object literal, no spreads: this runs for every imported coding). */
function pushEvent(b: EventBase, c: Coding, extra: { value?: number | null; unit?: string | null; valueCode?: string | null; category?: string | null } = {}): void {
  b.out.push({
    patientId: b.patientId,
    resourceType: b.resourceType,
    resourceId: b.resourceId,
    date: b.date,
    system: c.system ?? '',
    code: c.code ?? '',
    value: extra.value ?? null,
    unit: extra.unit ?? null,
    valueCode: extra.valueCode ?? null,
    category: extra.category ?? null,
  });
}

/**
 * Flattens one resource into clinical events (one per coding, and one per Observation component).
 *
 * @param resource - a parsed FHIR resource (original FHIR casing)
 * @returns the events; empty for resources not about a patient or without codes
 * @example
 * ```ts
 * extractClinicalEvents(bloodPressureObservation);
 * // → [{ code: '55284-4', … }, { code: '8480-6', value: 128, … }, { code: '8462-4', value: 81, … }]
 * ```
 */
export function extractClinicalEvents(resource: Record<string, unknown>): ClinicalEvent[] {
  const type = resource.resourceType;
  const patientId = patientIdOf(resource);
  if (typeof type !== 'string' || type === 'Patient' || patientId === undefined || typeof resource.id !== 'string') {
    return [];
  }
  const resourceId = resource.id;
  const date = firstDate(resource, DATE_KEYS[type] ?? []);
  const out: ClinicalEvent[] = [];
  const base: EventBase = { out, patientId, resourceType: type, resourceId, date };
  if (type === 'Encounter') {
    const cls = resource.class as Coding | undefined;
    const category = str(cls?.code);
    for (const c of codings(resource.type)) {
      pushEvent(base, c, { category });
    }
    if (out.length === 0 && category !== null) {
      pushEvent(base, { system: cls?.system ?? '', code: category }, { category });
    }
    return out;
  }
  const key = CODE_KEYS[type] ?? 'code';
  const cs = codings(resource[key]);
  if (type === 'MedicationRequest' || type === 'MedicationAdministration') {
    for (const c of cs) {
      const classes = medicationClassesOf(c.display ?? '');
      if (classes.length === 0) {
        pushEvent(base, c);
      }
      for (const category of classes) {
        pushEvent(base, c, { category });
      }
    }
    return out;
  }
  const q = quantity(resource.valueQuantity);
  const valueCode = codings(resource.valueCodeableConcept)[0]?.code ?? null;
  for (const c of cs) {
    pushEvent(base, c, { value: q.value, unit: q.unit, valueCode });
  }
  if (type === 'Observation' && Array.isArray(resource.component)) {
    for (const comp of resource.component as Record<string, unknown>[]) {
      const cq = quantity(comp.valueQuantity);
      const cv = codings(comp.valueCodeableConcept)[0]?.code ?? null;
      for (const c of codings(comp.code)) {
        pushEvent(base, c, { value: cq.value, unit: cq.unit, valueCode: cv });
      }
    }
  }
  return out;
}

/**
 * The age- and sex-relevant facts of a Patient resource.
 *
 * @param patient - a parsed Patient resource
 * @returns id, gender, birth date and death date (nothing identifying)
 */
export function patientFacts(patient: Record<string, unknown>): PatientFacts {
  return {
    patientId: typeof patient.id === 'string' ? patient.id : '',
    gender: str(patient.gender),
    birthDate: str(patient.birthDate),
    deceasedDateTime: str(patient.deceasedDateTime),
  };
}
