/**
 * Builds one patient's FHIR R4 transaction Bundle in Synthea's style (urn:uuid fullUrls and references, conditional
 * references to organizations and practitioners, SOAP notes as base64 text/plain).
 */
import type { Code } from './codes';
import { ECG, ENCOUNTER_CODES, FLU, LOINC, MEDICATIONS, MRI_HEAD, OBS, OUTCOME_CODES, PRECURSOR_CODES, PROCEDURES, SMOKING, SNOMED, STROKE_ADMINISTRATION } from './codes';
import type { PrecursorName, SimPatient } from './model';
import { END_DATE_MS } from './model';
import { TOWNS } from './names';
import type { Outcome } from './panel';
import { OUTCOMES, PANEL } from './panel';
import { Rng } from './rng';
import { GENETIC_VARIATION_LOINC } from './synthea-genetics-tables';
import type { CohortDirectory } from './directory';
import type { RecordDensity } from './fhir-density';
import { addDensityWellnessRecords, addExplanationOfBenefit } from './fhir-density';
import type { FhirJson } from './fhir-json';

const YEAR_MS = 365.25 * 86400000;
const DAY_MS = 86400000;

/**
 * Formats a time as Synthea writes FHIR dateTimes: `YYYY-MM-DDTHH:mm:ss+00:00`.
 *
 * @param ms - milliseconds since the epoch (UTC)
 * @returns the dateTime string
 */
export function fhirDateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

function fhirInstant(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}+00:00`;
}

function cc(c: Code): FhirJson {
  return { coding: [{ system: c.system, code: c.code, display: c.display }], text: c.display };
}

function qty(value: number, unit: string): FhirJson {
  return { value: Math.round(value * 100) / 100, unit, system: 'http://unitsofmeasure.org', code: unit };
}

/** Inputs the bundle builder needs besides the patient. */
export interface BundleContext {
  /** Cohort seed. */
  readonly seed: number;
  /** Shared organizations / practitioners. */
  readonly directory: CohortDirectory;
  /** File stem `Given_Family_uuid` (for the note paths). */
  readonly stem: string;
  /** StudyInstanceUID of the MRI, when imaged. */
  readonly studyInstanceUid?: string;
  /** SeriesInstanceUID of the MRI, when imaged. */
  readonly seriesInstanceUid?: string;
  /** SOPInstanceUID of the MRI, when imaged. */
  readonly sopInstanceUid?: string;
  /**
   * Record density (fhir-density.ts): `compact` (default; the study's records) or `coherent` (yearly wellness visits
   * with Synthea's other panels and an ExplanationOfBenefit per Claim — the real release's volume).
   */
  readonly density?: RecordDensity;
}

interface EncounterRef {
  readonly ref: string;
  readonly start: number;
  readonly end: number;
}

/** What the builder produced besides the JSON (used by tests and the ground truth). */
export interface BuiltBundle {
  /** The Bundle. */
  readonly bundle: FhirJson;
  /** Number of resources by type. */
  readonly counts: Readonly<Record<string, number>>;
}

class BundleBuilder {
  readonly entries: FhirJson[] = [];
  readonly counts: Record<string, number> = {};
  readonly r: Rng;
  /** The `coherent` density's own stream (undefined at `compact`), so the study's draws stay those of `compact`. */
  readonly x: Rng | undefined;
  readonly patientRef: string;
  private readonly org: string;
  private readonly orgName: string;
  private readonly practitioner: string;
  private readonly practitionerName: string;

  constructor(
    readonly p: SimPatient,
    readonly ctx: BundleContext,
  ) {
    this.r = new Rng(ctx.seed, `fhir:${String(p.index)}`);
    this.x = ctx.density === 'coherent' ? new Rng(ctx.seed, `fhir-density:${String(p.index)}`) : undefined;
    this.patientRef = `urn:uuid:${p.id}`;
    const o = ctx.directory.organizations[p.town % ctx.directory.organizations.length];
    const pr = ctx.directory.practitioners[(p.index * 7 + p.town) % ctx.directory.practitioners.length];
    if (o === undefined || pr === undefined) {
      throw new Error('BundleBuilder: empty directory');
    }
    this.org = `Organization?identifier=https://github.com/synthetichealth/synthea|${o.id}`;
    this.orgName = o.name;
    this.practitioner = `Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|${pr.npi}`;
    this.practitionerName = pr.display;
  }

  add(resource: FhirJson, id: string = this.r.uuid()): string {
    const type = resource.resourceType as string;
    const full = { resourceType: type, id, ...resource };
    this.entries.push({ fullUrl: `urn:uuid:${id}`, resource: full, request: { method: 'POST', url: type } });
    this.counts[type] = (this.counts[type] ?? 0) + 1;
    return `urn:uuid:${id}`;
  }

  encounter(start: number, minutes: number, type: Code, klass: 'AMB' | 'EMER' | 'IMP', reason?: Code): EncounterRef {
    const end = start + minutes * 60000;
    const id = this.r.uuid();
    const ref = this.add(
      {
        resourceType: 'Encounter',
        meta: { profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-encounter'] },
        identifier: [{ use: 'official', system: 'https://github.com/synthetichealth/synthea', value: id }],
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: klass },
        type: [cc(type)],
        subject: { reference: this.patientRef, display: `${this.p.given} ${this.p.family}` },
        participant: [
          {
            type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PPRF', display: 'primary performer' }], text: 'primary performer' }],
            period: { start: fhirDateTime(start), end: fhirDateTime(end) },
            individual: { reference: this.practitioner, display: this.practitionerName },
          },
        ],
        period: { start: fhirDateTime(start), end: fhirDateTime(end) },
        ...(reason === undefined ? {} : { reasonCode: [cc(reason)] }),
        serviceProvider: { reference: this.org, display: this.orgName },
      },
      id,
    );
    return { ref, start, end };
  }

  observation(enc: EncounterRef, code: Code, category: string, value: FhirJson | undefined, extra: FhirJson = {}): string {
    return this.add({
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: category, display: category }] }],
      code: cc(code),
      subject: { reference: this.patientRef },
      encounter: { reference: enc.ref },
      effectiveDateTime: fhirDateTime(enc.start),
      issued: fhirInstant(enc.start),
      ...(value ?? {}),
      ...extra,
    });
  }

  condition(enc: EncounterRef, code: Code, onset: number, abated?: number): string {
    return this.add({
      resourceType: 'Condition',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: abated === undefined ? 'active' : 'resolved' }] },
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis', display: 'Encounter Diagnosis' }] }],
      code: cc(code),
      subject: { reference: this.patientRef },
      encounter: { reference: enc.ref },
      onsetDateTime: fhirDateTime(onset),
      ...(abated === undefined ? {} : { abatementDateTime: fhirDateTime(abated) }),
      recordedDate: fhirDateTime(onset),
    });
  }

  medication(enc: EncounterRef, med: Code, reason: Code): string {
    return this.add({
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: cc(med),
      subject: { reference: this.patientRef },
      encounter: { reference: enc.ref },
      authoredOn: fhirDateTime(enc.start),
      requester: { reference: this.practitioner, display: this.practitionerName },
      reasonCode: [cc(reason)],
      dosageInstruction: [{ sequence: 1, timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } }, asNeededBoolean: false, doseAndRate: [{ doseQuantity: { value: 1 } }] }],
    });
  }

  procedure(enc: EncounterRef, code: Code, minutes: number, reason?: Code): string {
    return this.add({
      resourceType: 'Procedure',
      status: 'completed',
      code: cc(code),
      subject: { reference: this.patientRef },
      encounter: { reference: enc.ref },
      performedPeriod: { start: fhirDateTime(enc.start), end: fhirDateTime(enc.start + minutes * 60000) },
      ...(reason === undefined ? {} : { reasonCode: [cc(reason)] }),
    });
  }

  note(enc: EncounterRef, text: string): void {
    const data = Buffer.from(text, 'utf8').toString('base64');
    const attachment = { contentType: 'text/plain; charset=utf-8', data };
    this.add({
      resourceType: 'DiagnosticReport',
      status: 'final',
      category: [{ coding: [{ system: LOINC, code: OBS.note.code, display: OBS.note.display }] }],
      code: { coding: [{ system: LOINC, code: OBS.note.code, display: OBS.note.display }] },
      subject: { reference: this.patientRef },
      encounter: { reference: enc.ref },
      effectiveDateTime: fhirDateTime(enc.start),
      issued: fhirInstant(enc.start),
      performer: [{ reference: this.practitioner, display: this.practitionerName }],
      presentedForm: [attachment],
    });
    this.add({
      resourceType: 'DocumentReference',
      status: 'superseded',
      type: { coding: [{ system: LOINC, code: OBS.noteCategory.code, display: OBS.noteCategory.display }] },
      category: [{ coding: [{ system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category', code: 'clinical-note', display: 'Clinical Note' }] }],
      subject: { reference: this.patientRef },
      date: fhirInstant(enc.start),
      author: [{ reference: this.practitioner, display: this.practitionerName }],
      custodian: { reference: this.org, display: this.orgName },
      content: [{ attachment, format: { system: 'http://ihe.net/fhir/ValueSet/IHE.FormatCode.codesystem', code: 'urn:ihe:iti:xds:2017:mimeTypeSufficient', display: 'mimeType Sufficient' } }],
      context: { encounter: [{ reference: enc.ref }], period: { start: fhirDateTime(enc.start), end: fhirDateTime(enc.end) } },
    });
  }

  claim(enc: EncounterRef, items: readonly Code[], total: number): void {
    const claimRef = this.add({
      resourceType: 'Claim',
      status: 'active',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      use: 'claim',
      patient: { reference: this.patientRef, display: `${this.p.given} ${this.p.family}` },
      billablePeriod: { start: fhirDateTime(enc.start), end: fhirDateTime(enc.end) },
      created: fhirDateTime(enc.end),
      provider: { reference: this.org, display: this.orgName },
      priority: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/processpriority', code: 'normal' }] },
      insurance: [{ sequence: 1, focal: true, coverage: { display: 'Medicare' } }],
      item: items.map((c, i) => ({ sequence: i + 1, productOrService: cc(c), encounter: [{ reference: enc.ref }] })),
      total: { value: Math.round(total * 100) / 100, currency: 'USD' },
    });
    if (this.x !== undefined) {
      addExplanationOfBenefit(this, this.x, { claimRef, provider: { reference: this.org, display: this.orgName }, start: enc.start, end: enc.end, items, total });
    }
  }
}

function ageAt(p: SimPatient, t: number): number {
  return (t - p.birth) / YEAR_MS;
}

function onsetOf(p: SimPatient, name: Outcome | PrecursorName): number | undefined {
  return (p.outcomes as Partial<Record<string, { onset: number }>>)[name]?.onset ?? (p.precursors as Partial<Record<string, { onset: number }>>)[name]?.onset;
}

function patientResource(p: SimPatient, r: Rng): FhirJson {
  const town = TOWNS[p.town] ?? TOWNS[0];
  const [city, lat, lon, zip] = town ?? ['Boston', 42.36, -71.06, '02108'];
  const raceCode: Record<SimPatient['race'], [string, string]> = {
    white: ['2106-3', 'White'],
    black: ['2054-5', 'Black or African American'],
    asian: ['2028-9', 'Asian'],
    native: ['1002-5', 'American Indian or Alaska Native'],
    other: ['2131-1', 'Other Race'],
  };
  const [rc, rd] = raceCode[p.race];
  const eth = p.hispanic ? ['2135-2', 'Hispanic or Latino'] : ['2186-5', 'Not Hispanic or Latino'];
  return {
    resourceType: 'Patient',
    meta: { profile: ['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient'] },
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Generated by multimodal-health (Synthea-style Coherent generator)</div>' },
    extension: [
      {
        url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race',
        extension: [
          { url: 'ombCategory', valueCoding: { system: 'urn:oid:2.16.840.1.113883.6.238', code: rc, display: rd } },
          { url: 'text', valueString: rd },
        ],
      },
      {
        url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity',
        extension: [
          { url: 'ombCategory', valueCoding: { system: 'urn:oid:2.16.840.1.113883.6.238', code: eth[0], display: eth[1] } },
          { url: 'text', valueString: eth[1] },
        ],
      },
      { url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex', valueCode: p.sex },
      { url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { city, state: 'Massachusetts', country: 'US' } },
      { url: 'http://synthetichealth.github.io/synthea/disability-adjusted-life-years', valueDecimal: Math.round(r.uniform(0, 8) * 1e6) / 1e6 },
      { url: 'http://synthetichealth.github.io/synthea/quality-adjusted-life-years', valueDecimal: Math.round((p.age - r.uniform(0, 8)) * 1e6) / 1e6 },
    ],
    identifier: [
      { system: 'https://github.com/synthetichealth/synthea', value: p.id },
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical Record Number' }], text: 'Medical Record Number' },
        system: 'http://hospital.smarthealthit.org',
        value: p.id,
      },
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'SS', display: 'Social Security Number' }], text: 'Social Security Number' },
        system: 'http://hl7.org/fhir/sid/us-ssn',
        value: `999-${String(r.int(10, 99))}-${String(r.int(1000, 9999))}`,
      },
    ],
    name: [{ use: 'official', family: p.family, given: [p.given], prefix: [p.sex === 'M' ? 'Mr.' : 'Mrs.'] }],
    telecom: [{ system: 'phone', value: `555-${String(r.int(100, 999))}-${String(r.int(1000, 9999))}`, use: 'home' }],
    gender: p.sex === 'M' ? 'male' : 'female',
    birthDate: new Date(p.birth).toISOString().slice(0, 10),
    address: [
      {
        extension: [
          {
            url: 'http://hl7.org/fhir/StructureDefinition/geolocation',
            extension: [
              { url: 'latitude', valueDecimal: Math.round((lat + r.uniform(-0.05, 0.05)) * 1e6) / 1e6 },
              { url: 'longitude', valueDecimal: Math.round((lon + r.uniform(-0.05, 0.05)) * 1e6) / 1e6 },
            ],
          },
        ],
        line: [p.street],
        city,
        state: 'MA',
        postalCode: zip,
        country: 'US',
      },
    ],
    maritalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus', code: p.age > 25 ? 'M' : 'S', display: p.age > 25 ? 'Married' : 'Never Married' }],
      text: p.age > 25 ? 'Married' : 'Never Married',
    },
    multipleBirthBoolean: false,
    communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'en-US', display: 'English (United States)' }], text: 'English (United States)' } }],
  };
}

/** A McSharry-style synthetic ECG trace: ~400 samples at 100 Hz (4 s), in mV, space-separated like Synthea. */
function ecgData(r: Rng, af: boolean, hr: number): string {
  const out: string[] = [];
  let beat = 0;
  let rr = 60 / hr;
  for (let i = 0; i < 400; i++) {
    const t = i / 100;
    while (t > beat + rr) {
      beat += rr;
      rr = (60 / hr) * (af ? r.uniform(0.6, 1.4) : r.uniform(0.97, 1.03));
    }
    const ph = (t - beat) / rr;
    const g = (c: number, w: number, a: number): number => a * Math.exp(-((ph - c) ** 2) / (2 * w * w));
    const v = (af ? 0.02 * Math.sin(t * 40) : g(0.16, 0.025, 0.12)) - g(0.3, 0.008, 0.1) + g(0.33, 0.01, 1.1) - g(0.36, 0.01, 0.25) + g(0.6, 0.05, 0.3) + r.normal(0, 0.01);
    out.push(v.toFixed(3));
  }
  return out.join(' ');
}

/** The time of a patient's diagnosis (infinity when never diagnosed). */
function diagnosisTime(p: SimPatient, n: Outcome | PrecursorName): number {
  return onsetOf(p, n) ?? Number.POSITIVE_INFINITY;
}

/** What a wellness visit measured that its note and later records quote. */
interface WellnessVitals {
  readonly sbp: number;
  readonly dbp: number;
  readonly ldl: number;
  readonly hr: number;
}

/** Height, weight, BMI, blood pressure and heart rate, and the lipid panel with its DiagnosticReport. */
function addVitalsAndLipids(b: BundleBuilder, p: SimPatient, enc: EncounterRef, when: number): WellnessVitals {
  const r = b.r;
  const diagnosis = (n: Outcome | PrecursorName): number => diagnosisTime(p, n);
  const yearsBeforeEnd = (END_DATE_MS - when) / YEAR_MS;
  const onHtnMeds = diagnosis('hypertension') < when;
  const onStatin = Math.min(diagnosis('hyperlipidemia'), diagnosis('chd')) < when;
  const sbp = p.sbp - 0.45 * yearsBeforeEnd - (onHtnMeds ? 10 : 0) + r.normal(0, 8);
  const dbp = 0.55 * sbp + 8 + r.normal(0, 5);
  const ldl = Math.max(30, p.ldl - 0.35 * yearsBeforeEnd - (onStatin ? 35 : 0) + r.normal(0, 12));
  const hdl = Math.max(20, r.normal(p.sex === 'F' ? 58 : 47, 9));
  const tg = Math.max(40, r.normal(130 + 3 * (p.bmi - 27), 35));
  const weight = (p.bmi + r.normal(0, 0.6)) * (p.heightCm / 100) ** 2;
  b.observation(enc, OBS.height, 'vital-signs', { valueQuantity: qty(p.heightCm, 'cm') });
  b.observation(enc, OBS.weight, 'vital-signs', { valueQuantity: qty(weight, 'kg') });
  b.observation(enc, OBS.bmi, 'vital-signs', { valueQuantity: qty(weight / (p.heightCm / 100) ** 2, 'kg/m2') });
  b.observation(enc, OBS.bpPanel, 'vital-signs', undefined, {
    component: [
      { code: cc(OBS.dbp), valueQuantity: qty(dbp, 'mm[Hg]') },
      { code: cc(OBS.sbp), valueQuantity: qty(sbp, 'mm[Hg]') },
    ],
  });
  const hr = Math.max(45, r.normal(diagnosis('atrialFibrillation') < when ? 88 : 72, 8));
  b.observation(enc, OBS.heartRate, 'vital-signs', { valueQuantity: qty(hr, '/min') });
  const lipids = [
    b.observation(enc, OBS.totalChol, 'laboratory', { valueQuantity: qty(ldl + hdl + tg / 5, 'mg/dL') }),
    b.observation(enc, OBS.tg, 'laboratory', { valueQuantity: qty(tg, 'mg/dL') }),
    b.observation(enc, OBS.ldl, 'laboratory', { valueQuantity: qty(ldl, 'mg/dL') }),
    b.observation(enc, OBS.hdl, 'laboratory', { valueQuantity: qty(hdl, 'mg/dL') }),
  ];
  b.add({
    resourceType: 'DiagnosticReport',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB', display: 'Laboratory' }] }],
    code: cc(OBS.lipidPanel),
    subject: { reference: b.patientRef },
    encounter: { reference: enc.ref },
    effectiveDateTime: fhirDateTime(when),
    issued: fhirInstant(when),
    result: lipids.map((ref) => ({ reference: ref })),
  });
  return { sbp, dbp, ldl, hr };
}

/** Glucose and HbA1c drifting with the patient's HbA1c, and the smoking status. */
function addMetabolicAndSmoking(b: BundleBuilder, p: SimPatient, enc: EncounterRef, when: number): void {
  const r = b.r;
  const yearsBeforeEnd = (END_DATE_MS - when) / YEAR_MS;
  const hba1c = p.hba1c - 0.01 * yearsBeforeEnd + r.normal(0, 0.15);
  b.observation(enc, OBS.glucose, 'laboratory', { valueQuantity: qty(75 + 16 * (hba1c - 5) + r.normal(0, 6), 'mg/dL') });
  b.observation(enc, OBS.hba1c, 'laboratory', { valueQuantity: qty(hba1c, '%') });
  b.observation(enc, OBS.smoking, 'survey', { valueCodeableConcept: cc(p.smoker ? (r.chance(0.6) ? SMOKING.current : SMOKING.former) : SMOKING.never) });
}

/** The MMSE score from age 60: declining with age, the cognition trait, impaired cognition and Alzheimer's disease. */
function addMmse(b: BundleBuilder, p: SimPatient, enc: EncounterRef, when: number, age: number): void {
  const r = b.r;
  const diagnosis = (n: Outcome | PrecursorName): number => diagnosisTime(p, n);
  const adYears = Math.max(0, (when - diagnosis('alzheimers')) / YEAR_MS);
  const cogYears = Math.max(0, (when - diagnosis('impairedCognition')) / YEAR_MS);
  const mmse = 29.2 - 0.06 * Math.max(0, age - 60) - (1.2 * Math.max(0, p.cognition) * Math.max(0, age - 60)) / 20 - 2 * Math.min(1, cogYears) - 1.8 * adYears + r.normal(0, 1.2);
  b.observation(enc, OBS.mmse, 'survey', { valueQuantity: { value: Math.max(0, Math.min(30, Math.round(mmse))), unit: '{score}', system: 'http://unitsofmeasure.org', code: '{score}' } });
}

/** The visit's flu shot (70 %), its note and its claim. */
function closeWellnessVisit(b: BundleBuilder, p: SimPatient, enc: EncounterRef, when: number, age: number, v: WellnessVitals): void {
  const r = b.r;
  const { sbp, dbp, ldl } = v;
  const items: Code[] = [ENCOUNTER_CODES.wellness];
  if (r.chance(0.7)) {
    b.add({
      resourceType: 'Immunization',
      status: 'completed',
      vaccineCode: cc(FLU),
      patient: { reference: b.patientRef },
      encounter: { reference: enc.ref },
      occurrenceDateTime: fhirDateTime(when),
      primarySource: true,
    });
    items.push(FLU);
  }
  const smokingText = p.smoker ? 'Patient reports tobacco use.' : 'Patient has never smoked.';
  b.note(
    enc,
    `${new Date(when).toISOString().slice(0, 10)}\n\n# Chief Complaint\nNo complaints.\n\n# History of Present Illness\n${p.given} is a ${String(Math.floor(age))} year-old ${p.race} ${p.sex === 'M' ? 'male' : 'female'}. ${smokingText}\n\n# Assessment and Plan\nWell visit. Blood pressure ${sbp.toFixed(0)}/${dbp.toFixed(0)} mmHg, LDL ${ldl.toFixed(0)} mg/dL.\n`,
  );
  b.claim(enc, items, r.uniform(120, 260));
}

/**
 * One wellness visit: vitals, labs, MMSE from 60, a first ECG (from 50, 40 % per visit), a medication review, the
 * coherent density's extra panels, a flu shot, a note and a claim.
 *
 * @returns whether the patient has had the ECG
 */
function addWellnessVisit(b: BundleBuilder, p: SimPatient, when: number, ecgDone: boolean): boolean {
  const r = b.r;
  const enc = b.encounter(when, 30, ENCOUNTER_CODES.wellness, 'AMB');
  const age = ageAt(p, when);
  const v = addVitalsAndLipids(b, p, enc, when);
  addMetabolicAndSmoking(b, p, enc, when);
  if (age >= 60) {
    addMmse(b, p, enc, when, age);
  }
  let ecg = ecgDone;
  if (!ecgDone && age >= 50 && r.chance(0.4)) {
    ecg = true;
    b.procedure(enc, PROCEDURES.ecg, 15);
    b.observation(enc, ECG, 'procedure', {
      valueSampledData: { origin: { value: 0, unit: 'mV' }, period: 10, dimensions: 1, data: ecgData(r, diagnosisTime(p, 'atrialFibrillation') < when, v.hr) },
    });
  }
  b.procedure(enc, PROCEDURES.medReview, 15);
  if (b.x !== undefined) {
    addDensityWellnessRecords(b, b.x, enc);
  }
  closeWellnessVisit(b, p, enc, when, age, v);
  return ecg;
}

/** Wellness visits every ~3 years (yearly at the coherent density) over the last 15 years of adult life. */
function addWellnessVisits(b: BundleBuilder, p: SimPatient): void {
  const r = b.r;
  const start = Math.max(p.birth + 18 * YEAR_MS, END_DATE_MS - 15 * YEAR_MS);
  let ecgDone = false;
  const [gapLo, gapHi] = b.x === undefined ? [2.5, 3.5] : [0.6, 1.0];
  for (let t = start + r.uniform(0, 2) * YEAR_MS; t < END_DATE_MS - 7 * DAY_MS; t += r.uniform(gapLo, gapHi) * YEAR_MS) {
    ecgDone = addWellnessVisit(b, p, Math.floor(t / 60000) * 60000, ecgDone);
  }
}

/** A diagnosis (outcome or precursor) in its own encounter at onset, with medications, procedures, a note and a claim. */
function addDiagnosis(b: BundleBuilder, p: SimPatient, name: Outcome | PrecursorName, code: Code): void {
  const r = b.r;
  const onset = onsetOf(p, name);
  if (onset === undefined) {
    return;
  }
  const isStroke = name === 'stroke';
  const emergency = isStroke || name === 'myocardialInfarction' || name === 'cardiacArrest';
  const enc = b.encounter(
    onset,
    emergency ? 240 : 30,
    isStroke ? ENCOUNTER_CODES.strokeEncounter : name === 'hypertension' ? ENCOUNTER_CODES.htnFollowUp : emergency ? ENCOUNTER_CODES.emergency : ENCOUNTER_CODES.problem,
    emergency ? 'EMER' : 'AMB',
    code,
  );
  b.condition(enc, code, onset);
  const items: Code[] = [code];
  const meds = MEDICATIONS[name] ?? [];
  const nMeds = name === 'hypertension' ? 1 + (p.sbp > 150 ? 1 : 0) : meds.length;
  for (const med of meds.slice(0, nMeds)) {
    b.medication(enc, med, code);
    items.push(med);
  }
  if (isStroke) {
    b.add({
      resourceType: 'MedicationAdministration',
      status: 'completed',
      medicationCodeableConcept: cc(STROKE_ADMINISTRATION),
      subject: { reference: b.patientRef },
      context: { reference: enc.ref },
      effectiveDateTime: fhirDateTime(onset + 3600000),
    });
  }
  if (name === 'chd' && r.chance(0.4)) {
    b.procedure(enc, PROCEDURES.pci, 90, code);
  }
  if (name === 'atrialFibrillation' || name === 'myocardialInfarction') {
    b.procedure(enc, PROCEDURES.ecg, 15, code);
    b.observation(enc, ECG, 'procedure', { valueSampledData: { origin: { value: 0, unit: 'mV' }, period: 10, dimensions: 1, data: ecgData(r, name === 'atrialFibrillation', 80) } });
  }
  b.note(enc, `${new Date(onset).toISOString().slice(0, 10)}\n\n# Assessment and Plan\nPatient is presenting with ${code.display.toLowerCase()}.\n`);
  b.claim(enc, items, r.uniform(150, emergency ? 9000 : 400));
}

/** Genetic testing (Synthea GeneticTestingEditor): variant Observations + 55232-3 summary + a note naming the CSV. */
function addGeneticTesting(b: BundleBuilder, p: SimPatient, ctx: BundleContext, genomicDate: number): void {
  const r = b.r;
  const enc = b.encounter(genomicDate, 60, ENCOUNTER_CODES.genetic, 'AMB');
  const results: FhirJson[] = [];
  for (const m of PANEL) {
    for (let s = 0; s < 2; s++) {
      if ((p.genotype[m.index * 2 + s] ?? 0) === 0) {
        continue;
      }
      const idx = `${m.rsid}_FS${String(s + 1)}`;
      const loinc = GENETIC_VARIATION_LOINC[m.gene] ?? OBS.geneticDefault.code;
      const sentence = `The ${m.gene} gene exhibits a variation of '${m.significance}' clinical significance. The variation at index ${idx} is associated with an increased risk of: ${m.categories.join(', ').replace(/, ([^,]*)$/, ' and $1')}.`;
      const ref = b.add({
        resourceType: 'Observation',
        status: 'final',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'laboratory' }] }],
        code: { coding: [{ system: LOINC, code: loinc, display: sentence }], text: sentence },
        subject: { reference: b.patientRef },
        encounter: { reference: enc.ref },
        effectiveDateTime: fhirDateTime(enc.start),
        issued: fhirInstant(enc.start),
      });
      results.push({ reference: ref, display: sentence });
    }
  }
  b.procedure(enc, PROCEDURES.geneticTest, 60);
  b.add({
    resourceType: 'DiagnosticReport',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'GE', display: 'Genetics' }] }],
    code: cc(OBS.geneticSummary),
    subject: { reference: b.patientRef },
    encounter: { reference: enc.ref },
    effectiveDateTime: fhirDateTime(enc.start),
    issued: fhirInstant(enc.start),
    result: results,
  });
  b.note(
    enc,
    `${new Date(enc.start).toISOString().slice(0, 10)}\n\n# Assessment and Plan\nGenetic testing was performed; ${String(results.length)} variant alleles were reported.\ngenetic analysis summary panel  stored in ./output/dna/${ctx.stem}_dna.csv\n`,
  );
  b.claim(enc, [PROCEDURES.geneticTest], r.uniform(300, 1200));
}

/** MRI of head: encounter with ImagingStudy 241601008 and Condition 723857007 (Synthea's MRI trigger). */
function addMriStudy(b: BundleBuilder, ctx: BundleContext, mriDate: number, studyInstanceUid: string): void {
  const r = b.r;
  const date = Math.floor(mriDate / 1000) * 1000;
  const enc = b.encounter(date, 60, ENCOUNTER_CODES.imaging, 'AMB', PRECURSOR_CODES.microbleeds);
  b.condition(enc, PRECURSOR_CODES.microbleeds, date);
  b.procedure(enc, MRI_HEAD, 45, PRECURSOR_CODES.microbleeds);
  b.add({
    resourceType: 'ImagingStudy',
    identifier: [{ use: 'official', system: 'urn:ietf:rfc:3986', value: `urn:oid:${studyInstanceUid}` }],
    status: 'available',
    subject: { reference: b.patientRef },
    encounter: { reference: enc.ref },
    started: fhirDateTime(date),
    numberOfSeries: 1,
    numberOfInstances: 1,
    procedureCode: [cc(MRI_HEAD)],
    series: [
      {
        uid: ctx.seriesInstanceUid ?? '',
        number: 1,
        modality: { system: 'http://dicom.nema.org/medical/dicom/current/output/chtml/part16/sect_CID_29.html', code: 'MR', display: 'Magnetic Resonance' },
        numberOfInstances: 1,
        bodySite: { system: SNOMED, code: '69536005', display: 'Head structure (body structure)' },
        started: fhirDateTime(date),
        instance: [{ uid: ctx.sopInstanceUid ?? '', sopClass: { system: 'urn:ietf:rfc:3986', code: '1.2.840.10008.5.1.4.1.1.4.1' }, number: 1, title: 'MRI of head' }],
      },
    ],
  });
  b.note(
    enc,
    `${new Date(date).toISOString().slice(0, 10)}\n\n# Assessment and Plan\nMRI of head performed for suspected silent micro-hemorrhage of brain.\nMRI of head stored in ./output/dicom/${ctx.stem}${studyInstanceUid}.dcm\n`,
  );
  b.claim(enc, [MRI_HEAD], r.uniform(800, 2500));
}

/**
 * Builds the patient's Bundle.
 *
 * @param p - the simulated patient
 * @param ctx - seed, directory, file stem and MRI UIDs
 * @returns the bundle and its resource counts
 */
export function buildPatientBundle(p: SimPatient, ctx: BundleContext): BuiltBundle {
  const b = new BundleBuilder(p, ctx);
  b.add(patientResource(p, b.r), p.id);
  addWellnessVisits(b, p);
  // Diagnoses (outcomes and precursors), each in its own encounter at onset.
  const conditions: [Outcome | PrecursorName, Code][] = [
    ...(Object.keys(PRECURSOR_CODES) as PrecursorName[]).filter((k) => k !== 'microbleeds').map((k) => [k, PRECURSOR_CODES[k]] as [PrecursorName, Code]),
    ...OUTCOMES.map((o) => [o, OUTCOME_CODES[o]] as [Outcome, Code]),
  ];
  for (const [name, code] of conditions) {
    addDiagnosis(b, p, name, code);
  }
  if (p.genomic && p.genomicDate !== undefined) {
    addGeneticTesting(b, p, ctx, p.genomicDate);
  }
  if (p.mri !== undefined && ctx.studyInstanceUid !== undefined) {
    addMriStudy(b, ctx, p.mri.date, ctx.studyInstanceUid);
  }
  return { bundle: { resourceType: 'Bundle', type: 'transaction', entry: b.entries }, counts: b.counts };
}
