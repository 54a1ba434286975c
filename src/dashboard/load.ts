/**
 * Fills a {@link DashboardInput} from whatever the workspace holds, through `ws.sql` only (so it runs on DuckDB and
 * Athena alike). A missing table leaves its section empty with a note the sheet shows; a missing optional element
 * (no Patient with an address, no Encounter with `type.text`, no Observation with `valueQuantity`) gives an empty
 * column ({@link TableShapes}); any other failure of a query fails the load with the engine's reason — the page
 * never shows "0 patients" because a query broke. Feature-store tables are read one latest record per id and event
 * time ({@link latestRecordsSql}).
 *
 * Sources: the saved outcome models' reports (`<workspace>/models/<outcome>/outcome-model.json`), the HealthLake-shaped FHIR tables (`patient`, `condition`, `observation`, `encounter`; docs/aws-semantics.md §2),
 * the variant/annotation store tables (§1.5: joined on contig, start, ref, alt; ClinVar CLNSIG/GENEINFO/CLNDN in
 * `attributes`), and a radiomics table (any table whose name contains `radiomic` with a `patient_id` column).
 */
import type { Workspace } from '../workspace';
import { modelDesignRows, readOutcomeModelReports } from '../automl/outcome-models';
import { HealthDataError, normalizeErrorString } from '../errors';
import { sqlLiteral } from '../sql/literal';
import { appendAll } from '../util/collections';
import { DATA_MODALITIES, DASHBOARD_OUTCOMES } from '../viz/rows';
import type {
  ApoeGenotypeRow,
  ConditionEventRow,
  EncounterEventRow,
  DataModality,
  ModelResultSummary,
  NumericObservationRow,
  DashboardOutcome,
  DashboardPatient,
  PatientRiskRow,
  RadiomicFeatureRow,
  PatientSex,
  VariantFindingRow,
} from '../viz/rows';
import { latestOfflineRowsSql } from '../features/store';
import { healthLakeDatabase, WORKSPACE_DATASTORE_NAME } from '../clinical/handle';
import { TableShapes } from './columns';
import type { DashboardInput } from './types';

type Row = Record<string, unknown>;

function str(v: unknown): string {
  if (typeof v === 'string') {
    return v;
  }
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') {
    return String(v);
  }
  if (v instanceof Date) {
    return v.toISOString();
  }
  return v === null || v === undefined ? '' : JSON.stringify(v);
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
}

function patientRef(v: unknown): string {
  return str(v).replace(/^(urn:uuid:|Patient\/)/, '');
}

/**
 * Reads the engine's tables and column types. Failing to list them is not "no data": it fails the command.
 *
 * @param ws - the open workspace
 * @returns the shapes
 * @throws {@link HealthDataError} (query-failed) with the engine's reason
 */
async function readTableShapes(ws: Workspace, schemas: readonly string[]): Promise<TableShapes> {
  const cols = await queryOrFail(ws, 'the list of tables', `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema IN (${schemas.map(sqlLiteral).join(', ')})`);
  return new TableShapes(cols.map((c) => ({ table_name: str(c.table_name), column_name: str(c.column_name), data_type: str(c.data_type) })));
}

/**
 * The schemas the dashboard reads: DuckDB's `main`; on Athena the workspace database, SageMaker Feature Store's
 * default offline-store database and the HealthLake datastore's resource-link database (its FHIR tables,
 * {@link healthLakeDatabase}). information_schema is read schema-qualified: unfiltered, Athena lists every database
 * of the catalog.
 *
 * @param ws - the open workspace
 * @returns schema names
 */
export async function dashboardSchemas(ws: Workspace): Promise<string[]> {
  if (ws.sql.dialect !== 'athena') {
    return ['main'];
  }
  const ds = (await ws.clinical.listDatastores()).find((d) => d.DatastoreName === WORKSPACE_DATASTORE_NAME && d.DatastoreStatus === 'ACTIVE');
  return [ws.config.aws.athenaDatabase, 'sagemaker_featurestore', ...(ds === undefined ? [] : [healthLakeDatabase(ds)])];
}

/**
 * A table name qualified with its schema on Athena (the offline store's table is not in the default database).
 *
 * @param ws - the open workspace
 * @param schemas - from {@link dashboardSchemas}
 * @param table - a checked identifier
 * @returns `"schema"."table"` on Athena, the name as it is on DuckDB
 */
async function qualifiedTable(ws: Workspace, schemas: readonly string[], table: string): Promise<string> {
  if (ws.sql.dialect !== 'athena') {
    return table;
  }
  const rows = await queryOrFail(
    ws,
    `the schema of ${table}`,
    `SELECT table_schema FROM information_schema.tables WHERE table_schema IN (${schemas.map(sqlLiteral).join(', ')}) AND table_name = ${sqlLiteral(table)}`,
  );
  return `"${str(rows[0]?.table_schema) || ws.config.aws.athenaDatabase}"."${table}"`;
}

/**
 * Runs a dashboard query; a failure is reported with what was being read and the engine's reason, never swallowed.
 *
 * @param ws - the open workspace
 * @param what - what the query reads (for the message)
 * @param sql - the query
 * @returns the rows
 * @throws {@link HealthDataError} (query-failed)
 */
async function queryOrFail(ws: Workspace, what: string, sql: string): Promise<Row[]> {
  try {
    return await ws.sql.query<Row>(sql);
  } catch (e) {
    throw new HealthDataError('query-failed', `loadDashboardInput: reading ${what} failed: ${normalizeErrorString(e)}`, { cause: e });
  }
}

/** The bookkeeping columns of a feature group's offline table (SageMaker's, and the local store's). */
const OFFLINE_COLUMNS = ['patient_id', 'event_time', 'write_time', 'api_invocation_time', 'is_deleted'];

/**
 * SQL for one latest record per patient and event time of a feature group's offline table, through the feature
 * store's shared {@link latestOfflineRowsSql} (SageMaker's offline-store dedupe: newest `api_invocation_time`, then
 * `write_time`; a winning delete hides the record). Re-running a feature step appends new versions of the same
 * records; this keeps the dashboard's numbers unchanged. A table without the offline bookkeeping columns (a plain
 * radiomics table) is read as it is.
 *
 * @param table - a checked identifier, or a quoted `"schema"."table"`
 * @param columns - the table's columns
 * @returns the query
 */
export function latestRecordsSql(table: string, columns: ReadonlySet<string>): string {
  // A fixed row order: the offline files are read in no set order, and the site must not change when nothing did.
  const order = ` ORDER BY ${['patient_id', 'event_time', 'image_set_id'].filter((c) => columns.has(c)).join(', ') || '1'}`;
  if (!OFFLINE_COLUMNS.every((c) => columns.has(c))) {
    return `SELECT * FROM ${table}${order}`;
  }
  return `SELECT * FROM ${latestOfflineRowsSql(table, 'patient_id', 'event_time')} latest${order}`;
}

/** Options of {@link loadDashboardInput}. */
export interface DashboardLoadOptions {
  /** Read names and addresses (only when the dashboard will show them). */
  readonly includeIdentifiers?: boolean;
  /** Age reference date (default: today, UTC). */
  readonly asOf?: string;
  /**
   * Called with the patient ids as soon as they are read, before the other tables (the dashboard starts its MRI
   * files, which need only the ids, while the rest loads).
   */
  readonly onPatientIds?: (ids: ReadonlySet<string>) => void;
}

/** What the reading phases share: the workspace, its schemas and table shapes, the failing query, the sheet notes. */
interface LoadContext {
  readonly ws: Workspace;
  readonly schemas: readonly string[];
  readonly shapes: TableShapes;
  readonly query: (what: string, sql: string) => Promise<Row[]>;
  /** Sheet key → note shown on the sheet (a section without a source). */
  readonly notes: Record<string, string>;
}

/** The clinical rows: patients as read (converted later, with their outcomes and modalities), conditions, observations, encounters. */
interface ClinicalRows {
  readonly patientsRaw: Row[];
  readonly conditions: ConditionEventRow[];
  readonly observations: NumericObservationRow[];
  readonly encounters: EncounterEventRow[];
}

/**
 * Reads the FHIR tables. Optional elements become empty columns when no resource carries them (no deceased
 * patient → no deceaseddatetime, no address anywhere → no address column, no Encounter.type.text → a type struct
 * without text). On Athena the FHIR tables live in HealthLake's resource-link database, not the query's default one.
 */
async function readClinical(ctx: LoadContext, includeIdentifiers: boolean, onPatientIds?: (ids: ReadonlySet<string>) => void): Promise<ClinicalRows> {
  const { shapes, query } = ctx;
  const fhir = async (t: string): Promise<string> => qualifiedTable(ctx.ws, ctx.schemas, t);
  const P = (path: string, type?: string): string => shapes.expr('patient', path, type);
  const identifiers = includeIdentifiers ? `, ${P('name[1].family')} AS family, ${P('name[1].given[1]')} AS given, ${P('address[1].line[1]')} AS line, ${P('address[1].city')} AS city` : '';
  const patientsRaw = shapes.has('patient')
    ? await query(
        'patients',
        `SELECT id, ${P('gender')} AS gender, CAST(${P('birthdate')} AS VARCHAR) AS birthdate, CAST(${P('deceaseddatetime')} AS VARCHAR) AS deceased${identifiers} FROM ${await fhir('patient')}`,
      )
    : [];
  onPatientIds?.(new Set(patientsRaw.map((r) => str(r.id))));
  const C = (path: string): string => shapes.expr('condition', path);
  const conditionsRaw = shapes.has('condition')
    ? await query(
        'conditions',
        `SELECT ${C('subject.reference')} AS subject, ${C('code.coding[1].code')} AS code, COALESCE(${C('code.coding[1].display')}, ${C('code.text')}) AS display, CAST(${C('onsetdatetime')} AS VARCHAR) AS onset FROM ${await fhir('condition')}`,
      )
    : [];
  const O = (path: string, type?: string): string => shapes.expr('observation', path, type);
  const observationsRaw = shapes.has('observation')
    ? await query(
        'observations',
        `SELECT ${O('subject.reference')} AS subject, ${O('code.coding[1].code')} AS code, COALESCE(${O('code.coding[1].display')}, ${O('code.text')}) AS display, ${O('valuequantity.value', 'DOUBLE')} AS value, ${O('valuequantity.unit')} AS unit, CAST(${O('effectivedatetime')} AS VARCHAR) AS effective FROM ${await fhir('observation')} WHERE ${O('valuequantity.value', 'DOUBLE')} IS NOT NULL`,
      )
    : [];
  const E = (path: string): string => shapes.expr('encounter', path);
  const encountersRaw = shapes.has('encounter')
    ? await query(
        'encounters',
        `SELECT ${E('subject.reference')} AS subject, COALESCE(${E('type[1].text')}, ${E('class.code')}) AS type, CAST(${E('period.start')} AS VARCHAR) AS start FROM ${await fhir('encounter')}`,
      )
    : [];
  if (!shapes.has('patient')) {
    ctx.notes.clinical = 'no data yet for this modality (no patient table: run the clinical import)';
  }
  const conditions: ConditionEventRow[] = conditionsRaw.map((r) => ({
    patientId: patientRef(r.subject),
    code: str(r.code),
    display: str(r.display) || str(r.code),
    onset: r.onset === null ? null : str(r.onset),
  }));
  const observations: NumericObservationRow[] = observationsRaw
    .map((r) => ({ patientId: patientRef(r.subject), code: str(r.code), display: str(r.display) || str(r.code), value: num(r.value), unit: str(r.unit), effective: str(r.effective) }))
    .filter((o) => Number.isFinite(o.value));
  const encounters: EncounterEventRow[] = encountersRaw.map((r) => ({ patientId: patientRef(r.subject), type: str(r.type), start: str(r.start) })).filter((e) => e.start !== '');
  return { patientsRaw, conditions, observations, encounters };
}

/** Variant store tables (rows with sample ids) and annotation store tables (ClinVar: the same shape, no sample ids). */
async function variantAndAnnotationTables(ctx: LoadContext): Promise<{ readonly variantTables: string[]; readonly annotationTables: string[] }> {
  const { shapes } = ctx;
  const variantShape = ['sampleid', 'calls', 'attributes', 'names', 'contigname', 'start', 'referenceallele', 'alternatealleles'];
  const candidates = shapes.names.filter((t) => /^[a-z_][a-z0-9_]*$/.test(t) && variantShape.every((k) => shapes.columns(t).has(k)));
  const variantTables: string[] = [];
  const annotationTables: string[] = [];
  for (const t of candidates) {
    const rows = await ctx.query(`variant table ${t}`, `SELECT count(sampleid) AS n FROM ${t}`);
    (num(rows[0]?.n) > 0 ? variantTables : annotationTables).push(t);
  }
  return { variantTables, annotationTables };
}

/** Adds each sample's alternate-allele counts at the APOE SNPs rs429358 (ε4) and rs7412 (ε2) of variant table `v`. */
async function readApoeCalls(ctx: LoadContext, v: string, apoeCalls: Map<string, { e4: number; e2: number }>): Promise<void> {
  // Only the two SNPs' rows leave the engine (`contains` on an array is the same function in DuckDB and Trino).
  const rows = await ctx.query(`variants of ${v}`, `SELECT sampleid, names, calls FROM ${v} WHERE contains(names, 'rs429358') OR contains(names, 'rs7412')`);
  for (const r of rows) {
    const names = Array.isArray(r.names) ? r.names.map(str) : [];
    const alt = (Array.isArray(r.calls) ? r.calls.map(num) : []).filter((c) => c > 0).length;
    const id = str(r.sampleid);
    if (names.includes('rs429358') || names.includes('rs7412')) {
      const a = apoeCalls.get(id) ?? { e4: 0, e2: 0 };
      if (names.includes('rs429358')) {
        a.e4 = alt;
      } else {
        a.e2 = alt;
      }
      apoeCalls.set(id, a);
    }
  }
}

/** The carried variants of table `v` that annotation table `a` classifies (CLNSIG present), with gene and condition, in a fixed order (the site must not change when the data did not). */
async function readAnnotatedVariants(ctx: LoadContext, v: string, a: string): Promise<VariantFindingRow[]> {
  const joined = await ctx.query(
    `variants of ${v} annotated by ${a}`,
    `SELECT v.sampleid AS sampleid, v.names AS names, v.calls AS calls, element_at(a.attributes, 'GENEINFO') AS geneinfo, element_at(a.attributes, 'CLNSIG') AS clnsig, element_at(a.attributes, 'CLNDN') AS clndn, v.contigname AS chrom, v.start AS pos, v.referenceallele AS ref, v.alternatealleles AS alts
         FROM ${v} v JOIN ${a} a ON v.contigname = a.contigname AND v.start = a.start AND v.referenceallele = a.referenceallele AND v.alternatealleles = a.alternatealleles
         WHERE element_at(a.attributes, 'CLNSIG') IS NOT NULL
         ORDER BY sampleid, chrom, pos, ref, clnsig, clndn`,
  );
  const variants: VariantFindingRow[] = [];
  for (const r of joined) {
    const calls = Array.isArray(r.calls) ? r.calls.map(num) : [];
    if (!calls.some((c) => c > 0)) {
      continue;
    }
    const names = Array.isArray(r.names) ? r.names.map(str) : [];
    const alts = Array.isArray(r.alts) ? r.alts.map(str) : [];
    variants.push({
      patientId: str(r.sampleid),
      gene: str(r.geneinfo).split(':')[0] ?? '',
      clinicalSignificance: str(r.clnsig),
      variant: names[0] ?? `${str(r.chrom)}:${String(num(r.pos) + 1)}:${str(r.ref)}>${alts.join(',')}`,
      condition: str(r.clndn).replace(/_/g, ' '),
      genotype: calls.map((c) => (c < 0 ? '.' : String(c))).join('/'),
    });
  }
  return variants;
}

/** The genomic rows: classified variants, APOE genotypes, and the patients with any genomic data. */
async function readGenomics(ctx: LoadContext): Promise<{ readonly variants: VariantFindingRow[]; readonly apoe: ApoeGenotypeRow[]; readonly withGenomic: Set<string> }> {
  const { variantTables, annotationTables } = await variantAndAnnotationTables(ctx);
  const variants: VariantFindingRow[] = [];
  const apoeCalls = new Map<string, { e4: number; e2: number }>();
  for (const v of variantTables) {
    await readApoeCalls(ctx, v, apoeCalls);
    for (const a of annotationTables) {
      appendAll(variants, await readAnnotatedVariants(ctx, v, a));
    }
  }
  if (variantTables.length === 0) {
    ctx.notes.genomic = 'no data yet for this modality (no variant store table: run the genomic import)';
  }
  const apoe: ApoeGenotypeRow[] = [...apoeCalls.entries()].map(([patientId, a]) => {
    const e4 = Math.min(2, a.e4);
    const e2 = Math.min(2 - e4, a.e2);
    const alleles = [...Array<string>(e2).fill('e2'), ...Array<string>(2 - e4 - e2).fill('e3'), ...Array<string>(e4).fill('e4')];
    return { patientId, genotype: alleles.join('/') };
  });
  const withGenomic = new Set([...apoeCalls.keys(), ...variants.map((v) => v.patientId)]);
  return { variants, apoe, withGenomic };
}

/**
 * Imaging: a radiomics table with patient_id and numeric feature columns, or else the imaging feature group's
 * offline view (`imaging_features_<epoch>`), one latest record per patient and event time.
 */
async function readRadiomics(ctx: LoadContext): Promise<RadiomicFeatureRow[]> {
  const { shapes } = ctx;
  const radCandidates = shapes.names.filter((t) => shapes.columns(t).has('patient_id') && /^[a-z_][a-z0-9_]*$/.test(t));
  const radTable = radCandidates.find((t) => t.includes('radiomic')) ?? radCandidates.find((t) => /^imaging_features(_\d+)?$/.test(t));
  const radiomics: RadiomicFeatureRow[] = [];
  if (radTable === undefined) {
    ctx.notes.imaging = 'no data yet for this modality (no radiomics table: run the radiomics step)';
    return radiomics;
  }
  const rows = await ctx.query(`radiomics table ${radTable}`, latestRecordsSql(await qualifiedTable(ctx.ws, ctx.schemas, radTable), shapes.columns(radTable)));
  for (const r of rows) {
    const features: Record<string, number> = {};
    for (const [k, v] of Object.entries(r)) {
      const x = num(v);
      const bookkeeping = OFFLINE_COLUMNS.includes(k);
      if (!bookkeeping && typeof v === 'number' && Number.isFinite(x)) {
        features[k] = x;
      }
    }
    radiomics.push({ patientId: str(r.patient_id), imageSetId: str(r.image_set_id ?? r.imagesetid ?? r.series_instance_uid ?? ''), features });
  }
  return radiomics;
}

/** The dashboard patients: sex, dates, the outcomes their conditions code, the modalities they have data for (names only when asked). */
function dashboardPatients(
  patientsRaw: readonly Row[],
  conditions: readonly ConditionEventRow[],
  has: { readonly genomic: ReadonlySet<string>; readonly imaging: ReadonlySet<string> },
  includeIdentifiers: boolean,
): DashboardPatient[] {
  const outcomeOf = new Map<string, DashboardOutcome>(DASHBOARD_OUTCOMES.map((o) => [o.snomed, o.key]));
  const patientOutcomes = new Map<string, Set<DashboardOutcome>>();
  for (const c of conditions) {
    const k = outcomeOf.get(c.code);
    if (k !== undefined) {
      const s = patientOutcomes.get(c.patientId) ?? new Set<DashboardOutcome>();
      s.add(k);
      patientOutcomes.set(c.patientId, s);
    }
  }
  const sexOf = (g: string): PatientSex => (g === 'male' || g === 'female' || g === 'other' ? g : 'unknown');
  return patientsRaw.map((r) => {
    const id = str(r.id);
    const modalities: DataModality[] = DATA_MODALITIES.filter((m) => m === 'clinical' || (m === 'genomic' && has.genomic.has(id)) || (m === 'imaging' && has.imaging.has(id)));
    const name = [str(r.given), str(r.family)].filter((s) => s !== '').join(' ');
    const address = [str(r.line), str(r.city)].filter((s) => s !== '').join(', ');
    return {
      id,
      sex: sexOf(str(r.gender)),
      birthDate: r.birthdate === null || r.birthdate === undefined ? null : str(r.birthdate).slice(0, 10),
      deathDate: r.deceased === null || r.deceased === undefined ? null : str(r.deceased),
      outcomes: DASHBOARD_OUTCOMES.map((o) => o.key).filter((k) => patientOutcomes.get(id)?.has(k) === true),
      modalities,
      ...(includeIdentifiers ? { name, address } : {}),
    };
  });
}

/** Models: the reports the train-models step (or notebook 09) saved beside each outcome's model, and their risks. */
function readModels(ws: Workspace): { readonly models: ModelResultSummary[]; readonly risks: PatientRiskRow[] } {
  const reports = readOutcomeModelReports(ws.automl.modelsDir);
  const models: ModelResultSummary[] = reports.map((r) => ({
    outcome: r.outcome,
    model: `${r.bestModel} (${r.modalities})`,
    metrics: r.metrics,
    labels: r.labels,
    probabilities: r.probabilities,
    importance: r.importance.map((i) => ({ feature: i.feature, importance: i.importance })),
    ...(r.warnings === undefined ? {} : { warnings: r.warnings }),
    ...(r.selection === undefined ? {} : { selection: r.selection.reason }),
    ...(r.designs === undefined ? {} : { designs: modelDesignRows(r) }),
  }));
  const risks: PatientRiskRow[] = reports.flatMap((r) => r.risks.map((k) => ({ patientId: k.patientId, outcome: r.outcome, probability: k.probability, topFeatures: k.topFeatures })));
  return { models, risks };
}

/**
 * Reads the dashboard input from the workspace's tables.
 *
 * @param ws - the open workspace
 * @param options - identifiers, age date
 * @returns the input (sections without a source are empty, with a note)
 */
export async function loadDashboardInput(ws: Workspace, options: DashboardLoadOptions = {}): Promise<DashboardInput> {
  const notes: Record<string, string> = {};
  const schemas = await dashboardSchemas(ws);
  const shapes = await readTableShapes(ws, schemas);
  const ctx: LoadContext = { ws, schemas, shapes, query: (what, sql) => queryOrFail(ws, what, sql), notes };
  const includeIdentifiers = options.includeIdentifiers === true;
  const { patientsRaw, conditions, observations, encounters } = await readClinical(ctx, includeIdentifiers, options.onPatientIds);
  const { variants, apoe, withGenomic } = await readGenomics(ctx);
  const radiomics = await readRadiomics(ctx);
  const patients = dashboardPatients(patientsRaw, conditions, { genomic: withGenomic, imaging: new Set(radiomics.map((r) => r.patientId)) }, includeIdentifiers);
  const { models, risks } = readModels(ws);
  return {
    asOf: options.asOf ?? new Date().toISOString().slice(0, 10),
    patients,
    conditions,
    encounters,
    observations,
    variants,
    apoe,
    radiomics,
    thumbnails: new Map(),
    models,
    risks,
    notes,
  };
}
