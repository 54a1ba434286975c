/**
 * Codes the generator writes (SNOMED CT, LOINC, RxNorm, CVX), as Synthea's modules write them.
 */
import type { Outcome } from './panel';
import type { PrecursorName } from './model';

/** A coding triple. */
export interface Code {
  /** Code system URI. */
  readonly system: string;
  /** Code. */
  readonly code: string;
  /** Display. */
  readonly display: string;
}

/** SNOMED CT system URI. */
export const SNOMED = 'http://snomed.info/sct';
/** LOINC system URI. */
export const LOINC = 'http://loinc.org';
/** RxNorm system URI. */
export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';
/** CVX system URI. */
export const CVX = 'http://hl7.org/fhir/sid/cvx';

const sct = (code: string, display: string): Code => ({ system: SNOMED, code, display });
const loinc = (code: string, display: string): Code => ({ system: LOINC, code, display });
const rx = (code: string, display: string): Code => ({ system: RXNORM, code, display });

/** Outcome condition codes (ARCHITECTURE.md; Coherent displays). */
export const OUTCOME_CODES: Readonly<Record<Outcome, Code>> = {
  hypertension: sct('59621000', 'Hypertension'),
  stroke: sct('230690007', 'Stroke'),
  chd: sct('53741008', 'Coronary Heart Disease'),
  alzheimers: sct('26929004', "Alzheimer's disease (disorder)"),
};

/** Precursor / related condition codes. */
export const PRECURSOR_CODES: Readonly<Record<PrecursorName, Code>> = {
  prediabetes: sct('15777000', 'Prediabetes'),
  diabetes: sct('44054006', 'Diabetes'),
  hyperlipidemia: sct('55822004', 'Hyperlipidemia'),
  atrialFibrillation: sct('49436004', 'Atrial Fibrillation'),
  myocardialInfarction: sct('22298006', 'Myocardial Infarction'),
  cardiacArrest: sct('410429000', 'Cardiac Arrest'),
  microbleeds: sct('723857007', 'Silent micro-hemorrhage of brain (disorder)'),
  impairedCognition: sct('386806002', 'Impaired cognition (finding)'),
  obesity: sct('162864005', 'Body mass index 30+ - obesity (finding)'),
};

/** Encounter type codes. */
export const ENCOUNTER_CODES = {
  wellness: sct('162673000', 'General examination of patient (procedure)'),
  problem: sct('185347001', 'Encounter for problem (procedure)'),
  htnFollowUp: sct('390906007', 'Hypertension follow-up encounter'),
  emergency: sct('50849002', 'Emergency room admission (procedure)'),
  strokeEncounter: sct('230690007', 'Stroke'),
  genetic: sct('185349003', 'Encounter for check up (procedure)'),
  imaging: sct('185347001', 'Encounter for problem (procedure)'),
} as const;

/** Medications per condition (RxNorm). */
export const MEDICATIONS: Readonly<Partial<Record<Outcome | PrecursorName, readonly Code[]>>> = {
  hypertension: [rx('314076', 'lisinopril 10 MG Oral Tablet'), rx('310798', 'Hydrochlorothiazide 25 MG Oral Tablet'), rx('197361', 'amLODIPine 5 MG Oral Tablet')],
  hyperlipidemia: [rx('312961', 'Simvastatin 20 MG Oral Tablet')],
  chd: [rx('312961', 'Simvastatin 20 MG Oral Tablet'), rx('243670', 'aspirin 81 MG Oral Tablet'), rx('866414', 'Metoprolol succinate 100 MG Extended Release Oral Tablet')],
  atrialFibrillation: [rx('855332', 'Warfarin Sodium 5 MG Oral Tablet')],
  alzheimers: [rx('997223', 'Donepezil hydrochloride 10 MG Oral Tablet')],
  stroke: [rx('309362', 'Clopidogrel 75 MG Oral Tablet')],
  diabetes: [rx('860975', '24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet')],
};

/** Medication given during the stroke admission (MedicationAdministration). */
export const STROKE_ADMINISTRATION: Code = rx('1804799', 'Alteplase 100 MG Injection');

/** Observation codes. */
export const OBS = {
  height: loinc('8302-2', 'Body Height'),
  weight: loinc('29463-7', 'Body Weight'),
  bmi: loinc('39156-5', 'Body Mass Index'),
  bpPanel: loinc('85354-9', 'Blood Pressure'),
  sbp: loinc('8480-6', 'Systolic Blood Pressure'),
  dbp: loinc('8462-4', 'Diastolic Blood Pressure'),
  heartRate: loinc('8867-4', 'Heart rate'),
  totalChol: loinc('2093-3', 'Total Cholesterol'),
  ldl: loinc('18262-6', 'Low Density Lipoprotein Cholesterol'),
  hdl: loinc('2085-9', 'High Density Lipoprotein Cholesterol'),
  tg: loinc('2571-8', 'Triglycerides'),
  glucose: loinc('2339-0', 'Glucose'),
  hba1c: loinc('4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood'),
  smoking: loinc('72166-2', 'Tobacco smoking status NHIS'),
  mmse: loinc('72106-8', 'Total score [MMSE]'),
  lipidPanel: loinc('57698-3', 'Lipid Panel'),
  geneticSummary: loinc('55232-3', 'Genetic analysis summary panel'),
  note: loinc('34117-2', 'History and physical note'),
  noteCategory: loinc('51847-2', 'Evaluation+Plan note'),
  geneticDefault: loinc('69548-6', 'Genetic variant assessment'),
} as const;

/** ECG procedure/observation code (Synthea heart/ecg module). */
export const ECG = sct('29303009', 'Electrocardiographic procedure');
/** MRI of head (ImagingStudy procedure). */
export const MRI_HEAD = sct('241601008', 'MRI of head');
/** Smoking status values. */
export const SMOKING = {
  never: sct('266919005', 'Never smoked tobacco (finding)'),
  former: sct('8517006', 'Ex-smoker (finding)'),
  current: sct('449868002', 'Smokes tobacco daily (finding)'),
} as const;
/** Procedures. */
export const PROCEDURES = {
  medReview: sct('428191000124101', 'Documentation of current medications'),
  pci: sct('415070008', 'Percutaneous coronary intervention'),
  ecg: ECG,
  mri: MRI_HEAD,
  geneticTest: sct('405824009', 'Genetic test (procedure)'),
} as const;
/** Influenza vaccine. */
export const FLU = { system: CVX, code: '140', display: 'Influenza, seasonal, injectable, preservative free' } as const;
