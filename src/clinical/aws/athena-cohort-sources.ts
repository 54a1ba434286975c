/**
 * Cohort inputs (`CohortSources`, study-cohort.ts) read with SQL from the per-resource-type tables HealthLake
 * exposes to Athena (docs/aws-semantics.md §2: one Iceberg table per type through the datastore's Lake Formation
 * resource-link database; lower-case names; `0..1` elements as rows, `0..*` as 1-based arrays; dates as text).
 * The same statements run on DuckDB over the local backend's HealthLake-shaped tables (with the Trino-compat
 * macros), which is how the tests check that both backends give the same labels and features.
 *
 * Portable choices (docs/aws-semantics.md §6): arrays of codings are walked by index
 * (`CROSS JOIN UNNEST(sequence(1, cardinality(a)))` + `element_at`), never by unnesting rows (Trino expands a
 * row's fields into columns, DuckDB keeps a struct); only arrays with at least one element are walked (Trino's
 * `sequence(1, 0)` counts down); index dates travel as `VALUES` literals (Athena binds `?` only in WHERE).
 *
 * Events returned are those the clinical features read: Observation codes (and components) with their values,
 * Condition codes, one event per Encounter with its class as category, and MedicationRequest /
 * MedicationAdministration codings with their medication classes.
 */
import { medicationClassesOf } from '../../formats/fhir/events';
import type { ClinicalEvent, PatientFacts } from '../../formats/fhir/events';
import type { SqlEngine } from '../../sql/engine';
import { sqlLiteral } from '../../sql/literal';
import type { LabelRow, OutcomeCondition } from '../cohort';
import type { CohortSources } from '../study-cohort';

/** Where the HealthLake tables are. */
export interface AthenaCohortSourcesOptions {
  /** The SQL engine (Athena on aws; DuckDB in tests). */
  readonly sql: SqlEngine;
  /** The database (schema) holding `patient`, `condition`, … — on AWS the datastore's resource-link database. */
  readonly database: string;
}

type Shapes = Map<string, Map<string, string>>;

const DATE_KEYS: Readonly<Record<string, readonly string[]>> = {
  condition: ['onsetdatetime', 'onsetperiod', 'recordeddate'],
  observation: ['effectivedatetime', 'effectiveperiod', 'effectiveinstant', 'issued'],
  encounter: ['period'],
  medicationrequest: ['authoredon'],
  medicationadministration: ['effectivedatetime', 'effectiveperiod'],
};

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A result value as text (null stays null). */
function text(v: unknown): string | null {
  if (v === null || v === undefined) {
    return null;
  }
  if (typeof v === 'string') {
    return v;
  }
  return typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

function patientRef(v: unknown): string {
  return (text(v) ?? '').replace(/^(urn:uuid:|Patient\/)/, '');
}

function iso(v: unknown): string | null {
  if (v instanceof Date) {
    return Number.isNaN(v.getTime()) ? null : v.toISOString();
  }
  if (typeof v !== 'string' || v === '') {
    return null;
  }
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** `"database"."table"` for a table of the sources' database. */
type TableRef = (t: string) => string;

/** Reads the database's tables and column types (lower case) from information_schema. */
async function readShapes(sql: SqlEngine, database: string): Promise<Shapes> {
  const rows = await sql.query<{ table_name: string; column_name: string; data_type: string }>('SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = ?', [
    database,
  ]);
  const m: Shapes = new Map();
  for (const r of rows) {
    const t = r.table_name.toLowerCase();
    const cols = m.get(t) ?? new Map<string, string>();
    cols.set(r.column_name.toLowerCase(), r.data_type.toLowerCase());
    m.set(t, cols);
  }
  return m;
}

/** Whether table `t` has column `col` (and, when given, a struct `field` in its type). */
function has(s: Shapes, t: string, col: string, field?: string): boolean {
  const type = s.get(t)?.get(col);
  return type !== undefined && (field === undefined || new RegExp(`\\b"?${field}"?\\b`).test(type));
}

/** The event date of table `t`: the first present of its date keys (a period's start). */
function dateExpr(s: Shapes, t: string, alias = 'r'): string {
  const parts = (DATE_KEYS[t] ?? []).flatMap((k) => {
    if (!has(s, t, k)) {
      return [];
    }
    const period = /^(row|struct)/.test(s.get(t)?.get(k) ?? '');
    if (period) {
      return has(s, t, k, 'start') ? [`${alias}.${k}.start`] : [];
    }
    return [`${alias}.${k}`];
  });
  return parts.length === 0 ? 'CAST(NULL AS VARCHAR)' : parts.length === 1 ? (parts[0] ?? '') : `COALESCE(${parts.join(', ')})`;
}

/** Walks `arr` (an array of codings) by index: one row per coding with a code. */
function codingRows(s: Shapes, table: TableRef, t: string, concept: string, extra: string, category: string): string {
  const arr = `r.${concept}.coding`;
  return `SELECT r.subject.reference AS subject, ${sqlLiteral(t)} AS resource_type, r.id AS resource_id, ${dateExpr(s, t)} AS d,
        (element_at(${arr}, u.i)).system AS system, (element_at(${arr}, u.i)).code AS code, ${extra}, ${category} AS category
      FROM ${table(t)} r CROSS JOIN UNNEST(sequence(1, cardinality(${arr}))) AS u(i)
      WHERE cardinality(${arr}) > 0 AND (element_at(${arr}, u.i)).code IS NOT NULL`;
}

const NO_VALUE = 'CAST(NULL AS DOUBLE) AS value, CAST(NULL AS VARCHAR) AS unit, CAST(NULL AS VARCHAR) AS value_code, CAST(NULL AS VARCHAR) AS display';

/** The value columns of an Observation (quantity value and unit, first coded value), NULL where the table has none. */
function valueCols(s: Shapes, t: string, base: string): string {
  const q = has(s, t, 'valuequantity') ? `${base}.valuequantity` : undefined;
  const cc = has(s, t, 'valuecodeableconcept', 'coding') ? `${base}.valuecodeableconcept.coding` : undefined;
  return [
    q !== undefined && has(s, t, 'valuequantity', 'value') ? `CAST(${q}.value AS DOUBLE) AS value` : 'CAST(NULL AS DOUBLE) AS value',
    q !== undefined ? `COALESCE(${has(s, t, 'valuequantity', 'code') ? `${q}.code` : 'NULL'}, ${has(s, t, 'valuequantity', 'unit') ? `${q}.unit` : 'NULL'}) AS unit` : 'CAST(NULL AS VARCHAR) AS unit',
    cc !== undefined ? `CASE WHEN cardinality(${cc}) > 0 THEN (element_at(${cc}, 1)).code END AS value_code` : 'CAST(NULL AS VARCHAR) AS value_code',
    'CAST(NULL AS VARCHAR) AS display',
  ].join(', ');
}

/** Observation component codes with the component's own values; the component array is walked by index too. */
function componentRows(s: Shapes, table: TableRef): string {
  const comp = 'element_at(r.component, k.j)';
  const compType = s.get('observation')?.get('component') ?? '';
  const cq = /valuequantity/.test(compType);
  const ccc = /valuecodeableconcept/.test(compType);
  return `SELECT r.subject.reference AS subject, 'observation' AS resource_type, r.id AS resource_id, ${dateExpr(s, 'observation')} AS d,
            (element_at((${comp}).code.coding, u.i)).system AS system, (element_at((${comp}).code.coding, u.i)).code AS code,
            ${cq ? `CAST((${comp}).valuequantity.value AS DOUBLE)` : 'CAST(NULL AS DOUBLE)'} AS value,
            ${cq ? `COALESCE((${comp}).valuequantity.code, (${comp}).valuequantity.unit)` : 'CAST(NULL AS VARCHAR)'} AS unit,
            ${ccc ? `CASE WHEN cardinality((${comp}).valuecodeableconcept.coding) > 0 THEN (element_at((${comp}).valuecodeableconcept.coding, 1)).code END` : 'CAST(NULL AS VARCHAR)'} AS value_code,
            CAST(NULL AS VARCHAR) AS display, CAST(NULL AS VARCHAR) AS category
          FROM ${table('observation')} r
          CROSS JOIN UNNEST(sequence(1, cardinality(r.component))) AS k(j)
          CROSS JOIN UNNEST(sequence(1, cardinality((${comp}).code.coding))) AS u(i)
          WHERE cardinality(r.component) > 0 AND cardinality((${comp}).code.coding) > 0 AND (element_at((${comp}).code.coding, u.i)).code IS NOT NULL`;
}

/** The events the features read, as one relation (`ev`), for the tables that exist. */
function eventsRelation(s: Shapes, table: TableRef): string {
  const parts: string[] = [];
  if (has(s, 'observation', 'code', 'coding')) {
    parts.push(codingRows(s, table, 'observation', 'code', valueCols(s, 'observation', 'r'), 'CAST(NULL AS VARCHAR)'));
    if (has(s, 'observation', 'component', 'coding')) {
      parts.push(componentRows(s, table));
    }
  }
  if (has(s, 'condition', 'code', 'coding')) {
    parts.push(codingRows(s, table, 'condition', 'code', NO_VALUE, 'CAST(NULL AS VARCHAR)'));
  }
  if (has(s, 'encounter', 'class', 'code')) {
    parts.push(`SELECT r.subject.reference AS subject, 'encounter' AS resource_type, r.id AS resource_id, ${dateExpr(s, 'encounter')} AS d,
          ${has(s, 'encounter', 'class', 'system') ? 'r.class.system' : 'CAST(NULL AS VARCHAR)'} AS system, r.class.code AS code, ${NO_VALUE}, r.class.code AS category
        FROM ${table('encounter')} r WHERE r.class.code IS NOT NULL`);
  }
  for (const t of ['medicationrequest', 'medicationadministration']) {
    if (has(s, t, 'medicationcodeableconcept', 'coding')) {
      const arr = 'r.medicationcodeableconcept.coding';
      parts.push(
        codingRows(
          s,
          table,
          t,
          'medicationcodeableconcept',
          `CAST(NULL AS DOUBLE) AS value, CAST(NULL AS VARCHAR) AS unit, CAST(NULL AS VARCHAR) AS value_code, (element_at(${arr}, u.i)).display AS display`,
          'CAST(NULL AS VARCHAR)',
        ),
      );
    }
  }
  if (parts.length === 0) {
    return `(SELECT CAST(NULL AS VARCHAR) AS subject, CAST(NULL AS VARCHAR) AS resource_type, CAST(NULL AS VARCHAR) AS resource_id, CAST(NULL AS VARCHAR) AS d,
        CAST(NULL AS VARCHAR) AS system, CAST(NULL AS VARCHAR) AS code, ${NO_VALUE}, CAST(NULL AS VARCHAR) AS category WHERE 1 = 0)`;
  }
  return `(${parts.join('\n      UNION ALL\n      ')})`;
}

const TYPE_NAME: Readonly<Record<string, string>> = {
  observation: 'Observation',
  condition: 'Condition',
  encounter: 'Encounter',
  medicationrequest: 'MedicationRequest',
  medicationadministration: 'MedicationAdministration',
};

/** Converts event rows to {@link ClinicalEvent}s (one per medication class), sorted by patient, date, resource, code. */
function toEvents(rows: Record<string, unknown>[]): ClinicalEvent[] {
  const out: ClinicalEvent[] = [];
  for (const r of rows) {
    const base = {
      patientId: patientRef(r.subject),
      resourceType: TYPE_NAME[text(r.resource_type) ?? ''] ?? text(r.resource_type) ?? '',
      resourceId: text(r.resource_id) ?? '',
      date: iso(r.d),
      system: text(r.system) ?? '',
      code: text(r.code) ?? '',
      value: typeof r.value === 'number' && Number.isFinite(r.value) ? r.value : null,
      unit: text(r.unit),
      valueCode: text(r.value_code),
    };
    if (base.resourceType === 'MedicationRequest' || base.resourceType === 'MedicationAdministration') {
      const classes = medicationClassesOf(typeof r.display === 'string' ? r.display : '');
      if (classes.length === 0) {
        out.push({ ...base, category: null });
      }
      for (const category of classes) {
        out.push({ ...base, category });
      }
    } else {
      out.push({ ...base, category: text(r.category) });
    }
  }
  return out.sort(
    (a, b) =>
      (a.patientId < b.patientId ? -1 : a.patientId > b.patientId ? 1 : 0) ||
      Date.parse(a.date ?? '') - Date.parse(b.date ?? '') ||
      (a.resourceId < b.resourceId ? -1 : a.resourceId > b.resourceId ? 1 : 0) ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

/** The query for labelled patients' dated events before their index (and within the lookback, when given). */
function eventsBeforeSql(relation: string, labels: readonly LabelRow[], lookbackYears: number | undefined): string {
  const lookbackDays = lookbackYears === undefined ? undefined : Math.round(lookbackYears * 365.25);
  const index = labels.map((l) => `(${sqlLiteral(l.patientId)}, ${sqlLiteral(l.indexDate)})`).join(', ');
  // Dated events only (an undated event cannot be shown to precede the index); the filter runs in SQL so
  // post-index rows never leave the engine.
  return `SELECT e.subject, e.resource_type, e.resource_id, e.d, e.system, e.code, e.value, e.unit, e.value_code, e.display, e.category
           FROM ${relation} e
           JOIN (SELECT * FROM (VALUES ${index}) AS v(patient_ref, index_time)) i
             ON e.subject = concat('Patient/', i.patient_ref) OR e.subject = concat('urn:uuid:', i.patient_ref) OR e.subject = i.patient_ref
          WHERE e.d IS NOT NULL
            AND from_iso8601_timestamp(e.d) < from_iso8601_timestamp(i.index_time)${
              lookbackDays === undefined ? '' : `\n            AND from_iso8601_timestamp(e.d) >= from_iso8601_timestamp(i.index_time) - INTERVAL '${String(lookbackDays)}' DAY`
            }`;
}

/**
 * Builds the sources.
 *
 * @param options - engine and database
 * @returns the cohort sources
 */
export function athenaCohortSources(options: AthenaCohortSourcesOptions): CohortSources {
  const { sql, database } = options;
  let shapes: Promise<Shapes> | undefined;
  const getShapes = (): Promise<Shapes> => (shapes ??= readShapes(sql, database));
  const table: TableRef = (t) => `${ident(database)}.${ident(t)}`;
  return {
    async patients(): Promise<PatientFacts[]> {
      const s = await getShapes();
      if (!s.has('patient')) {
        return [];
      }
      const col = (c: string): string => (has(s, 'patient', c) ? `r.${c}` : 'CAST(NULL AS VARCHAR)');
      const rows = await sql.query<Record<string, unknown>>(
        `SELECT r.id AS id, ${col('gender')} AS gender, ${col('birthdate')} AS birth, ${col('deceaseddatetime')} AS death FROM ${table('patient')} r ORDER BY r.id`,
      );
      return rows.map((r) => ({
        patientId: text(r.id) ?? '',
        gender: text(r.gender),
        birthDate: text(r.birth),
        deceasedDateTime: text(r.death),
      }));
    },
    async outcomeConditions(codes: readonly string[]): Promise<OutcomeCondition[]> {
      if (codes.length === 0) {
        return [];
      }
      const s = await getShapes();
      if (!has(s, 'condition', 'code', 'coding')) {
        return [];
      }
      const rows = await sql.query<Record<string, unknown>>(
        `SELECT c.subject, c.system, c.code, c.d FROM (${codingRows(s, table, 'condition', 'code', NO_VALUE, 'CAST(NULL AS VARCHAR)')}) c WHERE c.code IN (${codes.map(() => '?').join(', ')})`,
        codes,
      );
      return rows
        .map((r) => ({ patientId: patientRef(r.subject), system: text(r.system) ?? '', code: text(r.code) ?? '', date: iso(r.d) }))
        .sort((a, b) => (a.patientId < b.patientId ? -1 : a.patientId > b.patientId ? 1 : 0) || Date.parse(a.date ?? '') - Date.parse(b.date ?? ''));
    },
    async lastEncounters(): Promise<Map<string, string>> {
      const s = await getShapes();
      if (!s.has('encounter')) {
        return new Map();
      }
      const rows = await sql.query<Record<string, unknown>>(`SELECT r.subject.reference AS subject, ${dateExpr(s, 'encounter')} AS d FROM ${table('encounter')} r`);
      const last = new Map<string, string>();
      for (const r of rows) {
        const t = iso(r.d);
        const id = patientRef(r.subject);
        if (t !== null && (last.get(id) ?? '') < t) {
          last.set(id, t);
        }
      }
      return last;
    },
    async eventsBefore(labels: readonly LabelRow[], lookbackYears?: number): Promise<ClinicalEvent[]> {
      if (labels.length === 0) {
        return [];
      }
      const rows = await sql.query<Record<string, unknown>>(eventsBeforeSql(eventsRelation(await getShapes(), table), labels, lookbackYears));
      return toEvents(rows);
    },
  };
}
