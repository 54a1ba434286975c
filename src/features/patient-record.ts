/**
 * The single-patient record (notebook 08) and the cohort's modality funnel: every modality for one patient, read
 * from the SQL tables the stores publish (HealthLake-shaped `patient`, `condition`, `observation`,
 * `medicationrequest`, `imagingstudy`; the HealthOmics-shaped variant store; the imaging feature group).
 *
 * Each section is read on its own: a table that is not there yet (that import has not run) or a query that fails is
 * reported in `issues` instead of failing the whole record, the way data-quality checks return issue arrays.
 * Patient names, addresses and identifiers other than the id are never selected.
 */
import { normalizeErrorString } from '../errors';
import type { Row, SqlEngine } from '../sql/engine';
import type { FeatureStore } from './store';
import type { FeatureRecord } from './types';

/** What the record readers need from a workspace. */
export interface PatientRecordSource {
  /** The SQL engine. */
  readonly sql: SqlEngine;
  /** The feature store (for the imaging/radiomics group). */
  readonly features: FeatureStore;
}

/** Options of {@link patientRecord} and {@link modalityFunnel}. */
export interface PatientRecordOptions {
  /** Variant store table (default `omicsvariants`). */
  readonly variantTable?: string;
  /** Annotation store table, for clinical significance (default `omicsannotations`). */
  readonly annotationTable?: string;
  /** Feature group with the radiomic features (default `imaging-features`). */
  readonly radiomicsGroup?: string;
  /** Most rows per section (default 500). */
  readonly limit?: number;
}

/** A problem reading one section (a type alias, not an interface, so it passes where table rows are expected). */
export type RecordIssue = {
  /** Section name. */
  readonly section: string;
  /** What went wrong. */
  readonly message: string;
};

/** One patient's record across modalities. */
export interface PatientRecord {
  /** Patient id (FHIR `Patient.id`, also the VCF sample name). */
  readonly patientId: string;
  /** Sex and birth/death dates (no name, address or other identifiers). */
  readonly demographics: { readonly gender: string | null; readonly birthDate: string | null; readonly deceasedDateTime: string | null } | undefined;
  /** Conditions, by onset. */
  readonly conditions: readonly { readonly onset: string | null; readonly code: string | null; readonly display: string | null }[];
  /** Numeric observations (vitals and labs), by time. */
  readonly observations: readonly { readonly time: string | null; readonly code: string | null; readonly display: string | null; readonly value: number | null; readonly unit: string | null }[];
  /** Medication requests, by date. */
  readonly medications: readonly { readonly authoredOn: string | null; readonly code: string | null; readonly display: string | null }[];
  /** Non-reference genotypes, with ClinVar significance when the annotation store has it. */
  readonly genomicFindings: readonly {
    readonly chrom: string;
    readonly pos: number;
    readonly ref: string;
    readonly alt: string | null;
    readonly rsid: string | null;
    readonly genotype: string;
    readonly significance: string | null;
  }[];
  /** Imaging studies. */
  readonly imagingStudies: readonly {
    readonly started: string | null;
    readonly modality: string | null;
    readonly series: number | null;
    readonly instances: number | null;
    readonly description: string | null;
  }[];
  /** The online radiomic feature record, when the group exists. */
  readonly radiomics: FeatureRecord | undefined;
  /** Sections that could not be read. */
  readonly issues: readonly RecordIssue[];
}

async function tableNames(sql: SqlEngine): Promise<Set<string>> {
  const rows = await sql.query<{ t: string }>('SELECT lower(table_name) AS t FROM information_schema.tables');
  return new Set(rows.map((r) => r.t));
}

function str(v: unknown): string | null {
  if (v === null || v === undefined) {
    return null;
  }
  if (v instanceof Date) {
    return v.toISOString();
  }
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

function num(v: unknown): number | null {
  if (v === null || v === undefined) {
    return null;
  }
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function pick(v: unknown, ...steps: (string | number)[]): unknown {
  let cur = v;
  for (const step of steps) {
    if (cur === null || cur === undefined || typeof cur !== 'object') {
      return undefined;
    }
    cur = (cur as Record<string | number, unknown>)[step];
  }
  return cur;
}

async function section<T>(issues: RecordIssue[], name: string, present: boolean, missing: string, fn: () => Promise<T[]>): Promise<T[]> {
  if (!present) {
    issues.push({ section: name, message: missing });
    return [];
  }
  try {
    return await fn();
  } catch (e) {
    issues.push({ section: name, message: normalizeErrorString(e) });
    return [];
  }
}

/**
 * Reads everything the workspace holds about one patient.
 *
 * @param ws - the workspace (its `sql` and `features`)
 * @param patientId - the FHIR Patient.id
 * @param options - table and group names, row limit
 * @returns the record; sections that could not be read are empty and listed in `issues`
 * @example
 * ```ts
 * const rec = await patientRecord(ws, 'f1b0…');
 * console.log(rec.demographics, rec.conditions.length, rec.issues);
 * ```
 */
export async function patientRecord(ws: PatientRecordSource, patientId: string, options: PatientRecordOptions = {}): Promise<PatientRecord> {
  const limit = Math.max(1, Math.floor(options.limit ?? 500));
  const issues: RecordIssue[] = [];
  const tables = await tableNames(ws.sql);
  const ref = `Patient/${patientId}`;
  const noClinical = 'no clinical table yet: run the clinical import (notebook 02)';
  const demo = await section(issues, 'demographics', tables.has('patient'), noClinical, () =>
    ws.sql
      .query('SELECT gender, birthdate, deceaseddatetime FROM patient WHERE id = ?', [patientId])
      .catch(() => ws.sql.query('SELECT gender, birthdate, CAST(NULL AS VARCHAR) AS deceaseddatetime FROM patient WHERE id = ?', [patientId])),
  );
  const d = demo[0];
  const conditions = await section(issues, 'conditions', tables.has('condition'), noClinical, async () =>
    (
      await ws.sql.query(
        `SELECT coalesce(CAST(onsetdatetime AS VARCHAR), CAST(recordeddate AS VARCHAR)) AS onset, code.coding[1].code AS code, code.coding[1].display AS display
         FROM condition WHERE subject.reference = ? ORDER BY 1 LIMIT ${String(limit)}`,
        [ref],
      )
    ).map((r) => ({ onset: str(r.onset), code: str(r.code), display: str(r.display) })),
  );
  const observations = await section(issues, 'observations', tables.has('observation'), noClinical, async () =>
    (
      await ws.sql.query(
        `SELECT effectivedatetime AS t, code.coding[1].code AS code, code.coding[1].display AS display, valuequantity.value AS value, valuequantity.unit AS unit
         FROM observation WHERE subject.reference = ? AND valuequantity.value IS NOT NULL ORDER BY 1 LIMIT ${String(limit)}`,
        [ref],
      )
    ).map((r) => ({ time: str(r.t), code: str(r.code), display: str(r.display), value: num(r.value), unit: str(r.unit) })),
  );
  const medications = await section(issues, 'medications', tables.has('medicationrequest'), noClinical, async () =>
    (
      await ws.sql.query(
        `SELECT authoredon AS t, medicationcodeableconcept.coding[1].code AS code, medicationcodeableconcept.coding[1].display AS display
         FROM medicationrequest WHERE subject.reference = ? ORDER BY 1 LIMIT ${String(limit)}`,
        [ref],
      )
    ).map((r) => ({ authoredOn: str(r.t), code: str(r.code), display: str(r.display) })),
  );
  const vt = (options.variantTable ?? 'omicsvariants').toLowerCase();
  const at = (options.annotationTable ?? 'omicsannotations').toLowerCase();
  const genomicFindings = await section(issues, 'genomic', tables.has(vt), `no variant table "${vt}" yet: run the genomic import (notebook 01)`, async () => {
    const annotated = tables.has(at);
    const rows: Row[] = await ws.sql.query(
      `SELECT v.contigname AS chrom, v."start" AS pos, v.referenceallele AS ref, v.alternatealleles[1] AS alt,
              CASE WHEN cardinality(v.names) > 0 THEN v.names[1] END AS rsid, array_join(CAST(v.calls AS VARCHAR[]), '/') AS gt,
              ${annotated ? "a.attributes['CLNSIG']" : 'CAST(NULL AS VARCHAR)'} AS sig
       FROM "${vt}" v
       ${annotated ? `LEFT JOIN "${at}" a ON a.contigname = v.contigname AND a."start" = v."start" AND a.referenceallele = v.referenceallele AND a.alternatealleles[1] = v.alternatealleles[1]` : ''}
       WHERE v.sampleid = ? AND cardinality(filter(v.calls, x -> x > 0)) > 0
       ORDER BY 1, 2 LIMIT ${String(limit)}`,
      [patientId],
    );
    return rows.map((r) => ({
      chrom: str(r.chrom) ?? '',
      pos: num(r.pos) ?? 0,
      ref: str(r.ref) ?? '',
      alt: str(r.alt),
      rsid: str(r.rsid),
      genotype: str(r.gt) ?? '',
      significance: str(r.sig),
    }));
  });
  // ImagingStudy columns differ by source (R4 has `modality` and `description` only when set), so the row is read
  // whole and the fields picked in JS. On Athena complex values arrive as text; those fields then stay null.
  const imagingStudies = await section(issues, 'imaging', tables.has('imagingstudy'), 'no imagingstudy table yet: run the clinical import (notebook 02)', async () =>
    (await ws.sql.query(`SELECT * FROM imagingstudy WHERE subject.reference = ? LIMIT ${String(limit)}`, [ref]))
      .map((r) => ({
        started: str(r.started),
        modality: str(pick(r.modality, 0, 'code') ?? pick(r.series, 0, 'modality', 'code')),
        series: num(r.numberofseries),
        instances: num(r.numberofinstances),
        description: str(r.description ?? pick(r.procedurecode, 'coding', 0, 'display')),
      }))
      .sort((a, b) => (a.started ?? '').localeCompare(b.started ?? '')),
  );
  let radiomics: FeatureRecord | undefined;
  const group = options.radiomicsGroup ?? 'imaging-features';
  try {
    radiomics = await ws.features.getRecord(group, patientId);
  } catch (e) {
    issues.push({ section: 'radiomics', message: normalizeErrorString(e) });
  }
  return {
    patientId,
    demographics: d === undefined ? undefined : { gender: str(d.gender), birthDate: str(d.birthdate), deceasedDateTime: str(d.deceaseddatetime) },
    conditions,
    observations,
    medications,
    genomicFindings,
    imagingStudies,
    radiomics,
    issues,
  };
}

/** Which modalities each patient has, and the overlap counts. */
export interface ModalityFunnel {
  /** One row per patient. */
  readonly patients: readonly { readonly patientId: string; readonly clinical: boolean; readonly genomic: boolean; readonly imaging: boolean }[];
  /** The guidance's funnel: all patients, with genomic data, with imaging, with all three modalities. */
  readonly funnel: readonly { readonly stage: string; readonly patients: number }[];
  /** UpSet-style exclusive intersections, e.g. `clinical+genomic` = patients with exactly those two. */
  readonly intersections: readonly { readonly set: string; readonly patients: number }[];
  /** Sources that could not be read. */
  readonly issues: readonly RecordIssue[];
}

/**
 * Counts which patients have which modalities: clinical (any Condition, Observation or Encounter), genomic (a
 * sample in the variant store) and imaging (an ImagingStudy).
 *
 * @param ws - the workspace (its `sql`)
 * @param options - variant table name
 * @returns per-patient flags, the funnel and the exclusive intersections
 */
export async function modalityFunnel(ws: PatientRecordSource, options: PatientRecordOptions = {}): Promise<ModalityFunnel> {
  const issues: RecordIssue[] = [];
  const tables = await tableNames(ws.sql);
  const ids = async (name: string, present: boolean, missing: string, sql: string): Promise<Set<string>> =>
    new Set((await section(issues, name, present, missing, () => ws.sql.query<{ id: string }>(sql))).map((r) => r.id));
  const all = await ids('patients', tables.has('patient'), 'no patient table yet: run the clinical import (notebook 02)', 'SELECT id FROM patient');
  const clinicalParts = ['condition', 'observation', 'encounter'].filter((t) => tables.has(t));
  const clinical = await ids(
    'clinical',
    clinicalParts.length > 0,
    'no clinical event tables yet',
    clinicalParts.map((t) => `SELECT DISTINCT regexp_extract(subject.reference, 'Patient/(.*)', 1) AS id FROM ${t}`).join(' UNION '),
  );
  const vt = (options.variantTable ?? 'omicsvariants').toLowerCase();
  const genomic = await ids('genomic', tables.has(vt), `no variant table "${vt}" yet`, `SELECT DISTINCT sampleid AS id FROM "${vt}"`);
  const imaging = await ids('imaging', tables.has('imagingstudy'), 'no imagingstudy table yet', "SELECT DISTINCT regexp_extract(subject.reference, 'Patient/(.*)', 1) AS id FROM imagingstudy");
  const everyone = [...new Set([...all, ...clinical, ...genomic, ...imaging])].sort();
  const patients = everyone.map((p) => ({ patientId: p, clinical: clinical.has(p), genomic: genomic.has(p), imaging: imaging.has(p) }));
  const count = (f: (p: (typeof patients)[number]) => boolean): number => patients.filter(f).length;
  const funnel = [
    { stage: 'patients', patients: patients.length },
    { stage: 'with clinical data', patients: count((p) => p.clinical) },
    { stage: 'with genomic data', patients: count((p) => p.clinical && p.genomic) },
    { stage: 'with imaging', patients: count((p) => p.clinical && p.genomic && p.imaging) },
  ];
  const byKey = new Map<string, number>();
  for (const p of patients) {
    const key = [p.clinical ? 'clinical' : '', p.genomic ? 'genomic' : '', p.imaging ? 'imaging' : ''].filter((s) => s !== '').join('+') || 'none';
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
  }
  const intersections = [...byKey.entries()].map(([set, n]) => ({ set, patients: n })).sort((a, b) => b.patients - a.patients || a.set.localeCompare(b.set));
  return { patients, funnel, intersections, issues };
}
