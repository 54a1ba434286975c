/**
 * Loading cohort inputs from a local datastore with SQL: patient facts, outcome onsets (from Condition only),
 * last encounters, and the events strictly before each patient's index date (the leakage guard in the query layer).
 */
import type { ClinicalEvent, PatientFacts } from '../../formats/fhir/events';
import type { DuckDbEngine } from '../../sql/duckdb-engine';
import type { LabelRow, OutcomeCondition } from '../cohort';
import type { FeatureEventFilter } from '../features';
import { SNOMED } from '../cohort';
import type { CohortSources } from '../study-cohort';

function isoOrNull(v: unknown): string | null {
  if (v instanceof Date) {
    return v.toISOString();
  }
  return typeof v === 'string' ? v : null;
}

/**
 * Patient facts (id, gender, birth and death dates) of a datastore.
 *
 * @param engine - the DuckDB engine
 * @param schema - the datastore schema
 * @returns the facts, sorted by id
 */
export async function loadPatientFacts(engine: DuckDbEngine, schema: string): Promise<PatientFacts[]> {
  const rows = await engine.query<{ id: string; gender: string | null; birth: string | null; death: string | null }>(
    `SELECT id, json_extract_string(body, '$.gender') AS gender, json_extract_string(body, '$.birthDate') AS birth,
            json_extract_string(body, '$.deceasedDateTime') AS death
       FROM ${schema}.resource WHERE resource_type = 'Patient' ORDER BY id`,
  );
  return rows.map((r) => ({ patientId: r.id, gender: r.gender, birthDate: r.birth, deceasedDateTime: r.death }));
}

/**
 * Earliest onset per patient of any Condition with one of the codes in the SNOMED CT system (Encounters with the same
 * code, and the same digits under another code system, are ignored).
 *
 * @param engine - the DuckDB engine
 * @param schema - the datastore schema
 * @param codes - SNOMED CT codes
 * @returns patient id → ISO onset
 */
export async function loadConditionOnsets(engine: DuckDbEngine, schema: string, codes: readonly string[]): Promise<Map<string, string>> {
  const rows = await engine.query<{ patient_id: string; onset: unknown }>(
    `SELECT patient_id, min(event_time) AS onset FROM ${schema}.event
      WHERE resource_type = 'Condition' AND event_time IS NOT NULL AND system = ? AND code IN (${codes.map(() => '?').join(', ')})
      GROUP BY patient_id`,
    [SNOMED, ...codes],
  );
  return new Map(
    rows.flatMap((r) => {
      const t = isoOrNull(r.onset);
      return t === null ? [] : [[r.patient_id, t] as const];
    }),
  );
}

/**
 * Conditions carrying one of the codes, in any code system and dated or not (the cohort checks the system and sets
 * undated ones aside with a count: see `outcomeOnsets`).
 *
 * @param engine - the DuckDB engine
 * @param schema - the datastore schema
 * @param codes - the outcome's codes
 * @returns one row per matching coding
 */
export async function loadOutcomeConditions(engine: DuckDbEngine, schema: string, codes: readonly string[]): Promise<OutcomeCondition[]> {
  const rows = await engine.query<{ patient_id: string; system: string | null; code: string; t: unknown }>(
    `SELECT patient_id, system, code, event_time AS t FROM ${schema}.event
      WHERE resource_type = 'Condition' AND code IN (${codes.map(() => '?').join(', ')})
      ORDER BY patient_id, event_time`,
    [...codes],
  );
  return rows.map((r) => ({ patientId: r.patient_id, system: r.system ?? '', code: r.code, date: isoOrNull(r.t) }));
}

/**
 * Start of each patient's last encounter.
 *
 * @param engine - the DuckDB engine
 * @param schema - the datastore schema
 * @returns patient id → ISO date-time
 */
export async function loadLastEncounters(engine: DuckDbEngine, schema: string): Promise<Map<string, string>> {
  const rows = await engine.query<{ patient_id: string; last: unknown }>(
    `SELECT patient_id, max(event_time) AS last FROM ${schema}.event WHERE resource_type = 'Encounter' AND event_time IS NOT NULL GROUP BY patient_id`,
  );
  return new Map(
    rows.flatMap((r) => {
      const t = isoOrNull(r.last);
      return t === null ? [] : [[r.patient_id, t] as const];
    }),
  );
}

/** The event query's columns, in its SELECT order (patient, type, id, date, system, code, value, unit, value code, category). */
type EventColumns = [string[], string[], string[], string[], (string | null)[], (string | null)[], (number | null)[], (string | null)[], (string | null)[], (string | null)[]];

/**
 * Events of labelled patients dated strictly before their index date and within the lookback window. The filter
 * runs in SQL, joined on a temporary table of index dates, so post-index rows never leave the database; with `only`,
 * so does the choice of events the features read (most Observations, Claims and Procedures are never converted).
 *
 * @param engine - the DuckDB engine
 * @param schema - the datastore schema
 * @param labels - patients and index dates
 * @param lookbackYears - how far back (default: all history)
 * @param only - load only these events (default: every event)
 * @returns the events, ordered by patient and time
 */
export async function loadEventsBeforeIndex(engine: DuckDbEngine, schema: string, labels: readonly LabelRow[], lookbackYears?: number, only?: FeatureEventFilter): Promise<ClinicalEvent[]> {
  const lookbackDays = lookbackYears === undefined ? null : Math.round(lookbackYears * 365.25);
  const which = eventFilterSql(only, 2);
  const rows = await engine.session('clinical features', async (conn) => {
    await conn.run('CREATE OR REPLACE TEMP TABLE cohort_index (patient_id VARCHAR, index_time VARCHAR)');
    const app = await conn.createAppender('cohort_index');
    for (const l of labels) {
      app.appendVarchar(l.patientId);
      app.appendVarchar(l.indexDate.replace('T', ' ').replace('Z', ''));
      app.endRow();
    }
    app.closeSync();
    const reader = await conn.runAndReadAll(
      `SELECT e.patient_id, e.resource_type, e.resource_id, strftime(e.event_time, '%Y-%m-%dT%H:%M:%S.%gZ') AS date, e.system, e.code, e.value, e.unit,
              e.value_code, e.category
         FROM ${schema}.event e JOIN cohort_index i ON e.patient_id = i.patient_id
        WHERE e.event_time < CAST(i.index_time AS TIMESTAMP)
          AND ($1::INTEGER IS NULL OR e.event_time >= CAST(i.index_time AS TIMESTAMP) - to_days($1::INTEGER))${which.sql}
        ORDER BY e.patient_id, e.event_time, e.resource_id, e.code`,
      [lookbackDays, ...which.params],
    );
    // Column arrays: no intermediate object per row (the cohort loads ~10⁵ events per design on `default`).
    return reader.getColumnsJS() as unknown as EventColumns | [];
  });
  if (rows.length === 0) {
    return []; // no rows: the reader has no chunk, hence no columns
  }
  const [patient, type, id, date, system, code, value, unit, valueCode, category] = rows;
  const out: ClinicalEvent[] = new Array<ClinicalEvent>(patient.length);
  for (let i = 0; i < patient.length; i++) {
    out[i] = {
      patientId: patient[i] as string,
      resourceType: type[i] as string,
      resourceId: id[i] as string,
      date: date[i] as string,
      system: system[i] ?? '',
      code: code[i] ?? '',
      value: value[i] ?? null,
      unit: unit[i] ?? null,
      valueCode: valueCode[i] ?? null,
      category: category[i] ?? null,
    };
  }
  return out;
}

/** The `AND (…)` clause of a {@link FeatureEventFilter} with numbered parameters from `$first` (empty without a filter). */
function eventFilterSql(only: FeatureEventFilter | undefined, first: number): { sql: string; params: string[] } {
  if (only === undefined) {
    return { sql: '', params: [] };
  }
  const params: string[] = [];
  const inList = (column: string, values: readonly string[]): string => {
    if (values.length === 0) {
      return 'FALSE';
    }
    const slots = values.map((v) => {
      params.push(v);
      return `$${String(first + params.length - 1)}`;
    });
    return `${column} IN (${slots.join(', ')})`;
  };
  const obs = inList('e.code', only.observationCodes);
  const cond = inList('e.code', only.conditionCodes);
  const typed = inList('e.resource_type', only.categorizedTypes);
  return {
    sql: `
          AND ((e.resource_type = 'Observation' AND ${obs}) OR (e.resource_type = 'Condition' AND ${cond})
               OR (${typed} AND e.category IS NOT NULL))`,
    params,
  };
}

/**
 * Labelled patients whose events the local datastore loads at once: the `default` cohort (1,278 patients) in one query;
 * a 100,000-patient cohort in 20, each holding a twentieth of its events, with the same features.
 */
const LOCAL_EVENT_BATCH_PATIENTS = 5_000;

/**
 * The local datastore's inputs for `assembleCohort` (study-cohort.ts).
 *
 * @param engine - the DuckDB engine
 * @param schema - the datastore schema
 * @returns the loaders
 */
export function localCohortSources(engine: DuckDbEngine, schema: string): CohortSources {
  return {
    eventBatchPatients: LOCAL_EVENT_BATCH_PATIENTS,
    patients: () => loadPatientFacts(engine, schema),
    outcomeConditions: (codes) => loadOutcomeConditions(engine, schema, codes),
    lastEncounters: () => loadLastEncounters(engine, schema),
    eventsBefore: (labels, lookbackYears, only) => loadEventsBeforeIndex(engine, schema, labels, lookbackYears, only),
  };
}
