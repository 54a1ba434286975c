/**
 * The local NDJSON import job: reads `*.ndjson` files line by line, validates each resource at the job's level,
 * upserts good ones in batches (one DuckDB transaction per batch, so an interrupted job leaves every committed
 * batch readable and nothing half-written), writes one SUCCESS and one FAILURE line per resource, and finally
 * rebuilds the Athena-style per-type tables.
 *
 * Idempotence: a resource is keyed by (resourceType, id). Its body — the resource minus `meta.versionId` and
 * `meta.lastUpdated` — is hashed; re-importing the same body keeps the version and `lastUpdated`, a changed body
 * bumps `versionId` by one (HealthLake semantics for an update).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { HealthDataError } from '../../errors';
import { toAthenaShape } from '../../formats/fhir/athena-shape';
import type { ClinicalEvent } from '../../formats/fhir/events';
import { extractClinicalEvents } from '../../formats/fhir/events';
import type { FhirValidationLevel } from '../../formats/fhir/validate';
import { failsValidation, issuesToReason, validateFhirResource } from '../../formats/fhir/validate';
import { readNdjsonLines } from '../../formats/ndjson/read-lines';
import type { DuckDbEngine } from '../../sql/duckdb-engine';
import type { JobProgressReport } from '../fhir-store';
import type { ImportFailureLine, ImportManifest, ImportSuccessLine } from './job-files';
import { RESOURCE_TYPE_PATTERN, withMetaSql } from './schema';

/** What the runner needs. */
export interface LocalImportContext {
  /** The workspace DuckDB engine. */
  readonly engine: DuckDbEngine;
  /** The datastore's schema. */
  readonly schema: string;
  /** Validation level. */
  readonly level: FhirValidationLevel;
  /** Input folder of `*.ndjson` files. */
  readonly inputDir: string;
  /** The job's output folder. */
  readonly jobFolder: string;
  /** Whether to publish the per-type tables as views in `main`. */
  readonly publish: boolean;
  /** Resources per transaction (default 5,000). */
  readonly batchSize?: number;
  /** Called after each batch with the counts so far. */
  readonly onProgress?: (report: JobProgressReport) => void;
}

/** What the runner returns. */
export interface LocalImportResult {
  /** Final counts. */
  readonly report: JobProgressReport;
  /** The manifest written to the job folder. */
  readonly manifest: ImportManifest;
  /** Resource types the job touched (their tables were rebuilt). */
  readonly resourceTypes: readonly string[];
  /** Resources created, updated (version bumped) and unchanged. */
  readonly outcomes: { readonly created: number; readonly updated: number; readonly unchanged: number };
}

interface Staged {
  readonly type: string;
  readonly id: string;
  readonly hash: string;
  readonly body: string;
  readonly athenaBody: string;
  readonly subjectRef: string | null;
  readonly clinicalTime: string | null;
  readonly events: readonly ClinicalEvent[];
  readonly file: string;
  readonly line: number;
  readonly bytes: number;
}

/**
 * An ISO date or date-time as a UTC `YYYY-MM-DD HH:MM:SS.mmm` literal DuckDB casts to TIMESTAMP (DuckDB ignores a
 * `+hh:mm` offset when casting to TIMESTAMP, so the offset is applied here).
 *
 * @param iso - FHIR date, dateTime or instant
 * @returns the UTC timestamp text, or null when unparseable
 */
export function utcTimestampText(iso: string | null): string | null {
  if (iso === null) {
    return null;
  }
  const t = Date.parse(/^\d{4}$/.test(iso) ? `${iso}-01-01` : /^\d{4}-\d{2}$/.test(iso) ? `${iso}-01` : iso);
  return Number.isFinite(t) ? new Date(t).toISOString().replace('T', ' ').replace('Z', '') : null;
}

function stripVersionMeta(resource: Record<string, unknown>): Record<string, unknown> {
  const meta = resource.meta as Record<string, unknown> | undefined;
  if (meta === undefined || (meta.versionId === undefined && meta.lastUpdated === undefined)) {
    return resource;
  }
  const rest = Object.fromEntries(Object.entries(meta).filter(([k]) => k !== 'versionId' && k !== 'lastUpdated'));
  const out = { ...resource };
  if (Object.keys(rest).length === 0) {
    delete out.meta;
  } else {
    out.meta = rest;
  }
  return out;
}

function subjectRefOf(r: Record<string, unknown>): string | null {
  for (const key of ['subject', 'patient', 'beneficiary']) {
    const ref = (r[key] as { reference?: unknown } | undefined)?.reference;
    if (typeof ref === 'string') {
      return ref;
    }
  }
  return null;
}

const STAGE_DDL = `
CREATE OR REPLACE TEMP TABLE stage (resource_type VARCHAR, id VARCHAR, hash VARCHAR, subject_ref VARCHAR, clinical_time VARCHAR, body VARCHAR, athena_body VARCHAR, seq INTEGER);
CREATE OR REPLACE TEMP TABLE stage_event (patient_id VARCHAR, resource_type VARCHAR, resource_id VARCHAR, event_time VARCHAR, system VARCHAR, code VARCHAR, value DOUBLE, unit VARCHAR, value_code VARCHAR, category VARCHAR);
`;

function appendNullable(app: { appendVarchar(v: string): void; appendNull(): void }, v: string | null): void {
  if (v === null) {
    app.appendNull();
  } else {
    app.appendVarchar(v);
  }
}

async function upsertBatch(conn: DuckDBConnection, schema: string, batch: readonly Staged[]): Promise<Map<number, 'created' | 'updated' | 'unchanged'>> {
  await conn.run(STAGE_DDL);
  const app = await conn.createAppender('stage');
  batch.forEach((s, i) => {
    app.appendVarchar(s.type);
    app.appendVarchar(s.id);
    app.appendVarchar(s.hash);
    appendNullable(app, s.subjectRef);
    appendNullable(app, s.clinicalTime);
    app.appendVarchar(s.body);
    app.appendVarchar(s.athenaBody);
    app.appendInteger(i);
    app.endRow();
  });
  app.closeSync();
  const ev = await conn.createAppender('stage_event');
  for (const s of batch) {
    for (const e of s.events) {
      ev.appendVarchar(e.patientId);
      ev.appendVarchar(e.resourceType);
      ev.appendVarchar(e.resourceId);
      appendNullable(ev, utcTimestampText(e.date));
      ev.appendVarchar(e.system);
      ev.appendVarchar(e.code);
      if (e.value === null) {
        ev.appendNull();
      } else {
        ev.appendDouble(e.value);
      }
      appendNullable(ev, e.unit);
      appendNullable(ev, e.valueCode);
      appendNullable(ev, e.category);
      ev.endRow();
    }
  }
  ev.closeSync();
  const outcomes = new Map<number, 'created' | 'updated' | 'unchanged'>();
  await conn.run('BEGIN TRANSACTION');
  try {
    const reader = await conn.runAndReadAll(
      `SELECT s.seq, r.hash AS old_hash, s.hash = r.hash AS same FROM stage s LEFT JOIN ${schema}.resource r USING (resource_type, id)`,
    );
    for (const row of reader.getRowObjectsJS() as { seq: number; old_hash: string | null; same: boolean | null }[]) {
      outcomes.set(row.seq, row.old_hash === null ? 'created' : row.same === true ? 'unchanged' : 'updated');
    }
    await conn.run(`
INSERT OR REPLACE INTO ${schema}.resource
SELECT s.resource_type, s.id,
  CASE WHEN r.id IS NULL THEN 1 WHEN r.hash = s.hash THEN r.version_id ELSE r.version_id + 1 END,
  CASE WHEN r.hash = s.hash THEN r.last_updated ELSE CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP) END,
  s.hash, s.subject_ref, CAST(s.clinical_time AS TIMESTAMP), s.body, s.athena_body
FROM stage s LEFT JOIN ${schema}.resource r USING (resource_type, id);
DELETE FROM ${schema}.event e USING stage s WHERE e.resource_type = s.resource_type AND e.resource_id = s.id;
INSERT INTO ${schema}.event SELECT patient_id, resource_type, resource_id, CAST(event_time AS TIMESTAMP), system, code, value, unit, value_code, category FROM stage_event;
COMMIT;`);
  } catch (e) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return outcomes;
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

interface DescribedColumn {
  column_name: string;
  column_type: string;
}

/**
 * Rebuilds the Athena-style table of each resource type from the `resource` table: writes the Athena-shaped JSON
 * (with `meta.versionid`/`meta.lastupdated`) to a scratch NDJSON file, lets DuckDB infer the nested schema over all
 * rows, turns UUID-typed strings back into VARCHAR (HealthLake ids are strings) and keeps dates as strings (as the
 * Athena tables do; use `from_iso8601_timestamp`), then swaps the table in one statement.
 *
 * @param conn - a write connection
 * @param schema - the datastore schema
 * @param types - resource types to rebuild
 * @param scratchDir - folder for the scratch files (removed afterwards)
 * @param publish - also (re)create `main.<table>` views
 */
export async function rebuildTypeTables(conn: DuckDBConnection, schema: string, types: Iterable<string>, scratchDir: string, publish: boolean): Promise<void> {
  fs.mkdirSync(scratchDir, { recursive: true });
  for (const type of types) {
    if (!RESOURCE_TYPE_PATTERN.test(type)) {
      continue;
    }
    const table = type.toLowerCase();
    const file = path.join(scratchDir, `${table}.ndjson`);
    await conn.run(
      `COPY (SELECT ${withMetaSql('athena_body', true)} FROM ${schema}.resource WHERE resource_type = ${sqlString(type)} ORDER BY id) TO ${sqlString(file)} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x01')`,
    );
    const opts = `format := 'newline_delimited', sample_size := -1, dateformat := 'NONE', timestampformat := 'NONE', maximum_object_size := 268435456`;
    const size = fs.statSync(file).size;
    if (size === 0) {
      await conn.run(`DROP TABLE IF EXISTS ${schema}."${table}"`);
      if (publish) {
        await conn.run(`DROP VIEW IF EXISTS main."${table}"`);
      }
      await conn.run(`DELETE FROM ${schema}.resource_type_table WHERE resource_type = ${sqlString(type)}`);
      continue;
    }
    const described = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_json(${sqlString(file)}, ${opts})`)).getRowObjectsJS() as unknown as DescribedColumn[];
    const columns = described
      .filter((c) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(c.column_name))
      .map((c) => `${sqlString(c.column_name)}: ${sqlString(c.column_type.replace(/\bUUID\b/g, 'VARCHAR'))}`);
    await conn.run(`CREATE OR REPLACE TABLE ${schema}."${table}" AS SELECT * FROM read_json(${sqlString(file)}, ${opts}, columns := {${columns.join(', ')}})`);
    await conn.run(
      `INSERT OR REPLACE INTO ${schema}.resource_type_table SELECT ${sqlString(type)}, ${sqlString(table)}, count(*) FROM ${schema}."${table}"`,
    );
    if (publish) {
      await conn.run(`CREATE OR REPLACE VIEW main."${table}" AS SELECT * FROM ${schema}."${table}"`);
    }
    fs.rmSync(file, { force: true });
  }
}

function emptyReport(): JobProgressReport {
  return {
    TotalNumberOfScannedFiles: 0,
    TotalSizeOfScannedFilesInMB: 0,
    TotalNumberOfImportedFiles: 0,
    TotalNumberOfResourcesScanned: 0,
    TotalNumberOfResourcesImported: 0,
    TotalNumberOfResourcesWithCustomerError: 0,
    TotalNumberOfFilesReadWithCustomerError: 0,
    Throughput: 0,
  };
}

/**
 * The `*.ndjson` files of an input folder, sorted by name.
 *
 * @param inputDir - the folder
 * @returns absolute file paths
 * @throws {@link HealthDataError} (not-found) when the folder is missing or holds no `.ndjson` file
 */
export function listNdjsonFiles(inputDir: string): string[] {
  if (!fs.existsSync(inputDir) || !fs.statSync(inputDir).isDirectory()) {
    throw new HealthDataError('not-found', `startImportJob: input folder ${inputDir} does not exist; pass inputDir pointing at a folder of <ResourceType>.ndjson files`, {
      path: 'inputDir',
    });
  }
  const files = fs
    .readdirSync(inputDir)
    .filter((f) => f.endsWith('.ndjson'))
    .sort()
    .map((f) => path.join(inputDir, f));
  if (files.length === 0) {
    throw new HealthDataError('not-found', `startImportJob: input folder ${inputDir} holds no .ndjson file; HealthLake imports one FHIR resource per line in .ndjson files`, {
      path: 'inputDir',
    });
  }
  return files;
}

/**
 * Runs a local import job to the end (the caller records status transitions).
 *
 * @param ctx - engine, schema, level, folders
 * @returns counts, manifest and touched types
 * @throws {@link HealthDataError} (not-found) for a missing input folder; (backend) when DuckDB fails
 */
export async function runLocalImport(ctx: LocalImportContext): Promise<LocalImportResult> {
  const files = listNdjsonFiles(ctx.inputDir);
  const batchSize = ctx.batchSize ?? 5000;
  const successDir = path.join(ctx.jobFolder, 'SUCCESS');
  const failureDir = path.join(ctx.jobFolder, 'FAILURE');
  fs.mkdirSync(successDir, { recursive: true });
  fs.mkdirSync(failureDir, { recursive: true });
  const t0 = Date.now();
  let report = emptyReport();
  let scannedBytes = 0;
  let importedBytes = 0;
  const touched = new Set<string>();
  const counts = { created: 0, updated: 0, unchanged: 0 };

  // A batch spans files (fewer transactions for many small files); SUCCESS lines go to their own file's output.
  let batch: Staged[] = [];
  let keys = new Set<string>();
  const importedPerFile = new Map<string, number>();
  const flush = async (): Promise<void> => {
    if (batch.length === 0) {
      return;
    }
    const current = batch;
    batch = [];
    keys = new Set();
    const outcomes = await ctx.engine.session('import clinical', (conn) => upsertBatch(conn, ctx.schema, current));
    const lines = new Map<string, string>();
    current.forEach((s, i) => {
      const outcome = outcomes.get(i) ?? 'created';
      counts[outcome]++;
      const line: ImportSuccessLine = { file: s.file, line: s.line, resourceType: s.type, id: s.id, outcome };
      lines.set(s.file, `${lines.get(s.file) ?? ''}${JSON.stringify(line)}\n`);
      importedBytes += s.bytes;
      touched.add(s.type);
      importedPerFile.set(s.file, (importedPerFile.get(s.file) ?? 0) + 1);
    });
    for (const [f, text] of lines) {
      fs.appendFileSync(path.join(successDir, f), text);
    }
    report = {
      ...report,
      TotalNumberOfResourcesImported: report.TotalNumberOfResourcesImported + current.length,
      Throughput: Math.round(((report.TotalNumberOfResourcesImported + current.length) / Math.max(1, Date.now() - t0)) * 1000),
    };
    ctx.onProgress?.(report);
  };
  const failedFiles = new Set<string>();

  for (const file of files) {
    const name = path.basename(file);
    const failureFile = path.join(failureDir, name);
    fs.writeFileSync(path.join(successDir, name), '');
    fs.writeFileSync(failureFile, '');
    let failures: string[] = [];

    const fail = (line: number, resourceType: string | null, id: string | null, reason: string): void => {
      const f: ImportFailureLine = { file: name, line, resourceType, id, reason };
      failures.push(`${JSON.stringify(f)}\n`);
      failedFiles.add(name);
      report = { ...report, TotalNumberOfResourcesWithCustomerError: report.TotalNumberOfResourcesWithCustomerError + 1 };
    };

    for await (const { line, text, bytes } of readNdjsonLines(file)) {
      scannedBytes += bytes;
      report = { ...report, TotalNumberOfResourcesScanned: report.TotalNumberOfResourcesScanned + 1 };
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        fail(line, null, null, `invalid-json: the line is not JSON (${e instanceof Error ? e.message : String(e)})`);
        continue;
      }
      const r = value as Record<string, unknown>;
      const type = typeof r.resourceType === 'string' ? r.resourceType : null;
      const id = typeof r.id === 'string' ? r.id : null;
      const issues = validateFhirResource(value, ctx.level);
      if (failsValidation(issues, ctx.level) || type === null || id === null) {
        fail(line, type, id, issuesToReason(issues.filter((i) => i.severity === 'error' || ctx.level === 'strict')));
        continue;
      }
      const key = `${type}/${id}`;
      if (keys.has(key)) {
        // The same resource twice in one batch: commit the first so the second is applied after it, in file order.
        await flush();
      }
      const stripped = stripVersionMeta(r);
      const body = JSON.stringify(stripped);
      const events = extractClinicalEvents(stripped);
      const clinical = events[0]?.date ?? null;
      batch.push({
        type,
        id,
        hash: createHash('sha1').update(body).digest('hex'),
        body,
        athenaBody: JSON.stringify(toAthenaShape(stripped)),
        subjectRef: subjectRefOf(stripped),
        clinicalTime: utcTimestampText(clinical),
        events,
        file: name,
        line,
        bytes,
      });
      keys.add(key);
      if (batch.length >= batchSize) {
        await flush();
      }
    }
    if (failures.length > 0) {
      fs.appendFileSync(failureFile, failures.join(''));
      failures = [];
    }
    report = { ...report, TotalNumberOfScannedFiles: report.TotalNumberOfScannedFiles + 1, TotalSizeOfScannedFilesInMB: scannedBytes / 1e6 };
  }
  await flush();
  report = {
    ...report,
    TotalNumberOfImportedFiles: importedPerFile.size,
    TotalNumberOfFilesReadWithCustomerError: failedFiles.size,
  };
  ctx.onProgress?.(report);
  if (touched.size > 0) {
    await ctx.engine.session('import clinical: tables', (conn) => rebuildTypeTables(conn, ctx.schema, [...touched].sort(), path.join(ctx.jobFolder, '.scratch'), ctx.publish));
    fs.rmSync(path.join(ctx.jobFolder, '.scratch'), { recursive: true, force: true });
  }
  const manifest: ImportManifest = {
    inputDataConfig: { s3Uri: ctx.inputDir },
    outputDataConfig: { s3Uri: ctx.jobFolder },
    successOutput: { successOutputS3Uri: `${successDir}/` },
    failureOutput: { failureOutputS3Uri: `${failureDir}/` },
    numberOfScannedFiles: report.TotalNumberOfScannedFiles,
    numberOfFilesImported: report.TotalNumberOfImportedFiles,
    sizeOfScannedFilesInMB: Math.round((scannedBytes / 1e6) * 1e4) / 1e4,
    sizeOfDataImportedSuccessfullyInMB: Math.round((importedBytes / 1e6) * 1e4) / 1e4,
    numberOfResourcesScanned: report.TotalNumberOfResourcesScanned,
    numberOfResourcesImportedSuccessfully: report.TotalNumberOfResourcesImported,
    numberOfResourcesWithCustomerError: report.TotalNumberOfResourcesWithCustomerError,
    numberOfResourcesWithServerError: 0,
  };
  fs.writeFileSync(path.join(ctx.jobFolder, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { report, manifest, resourceTypes: [...touched].sort(), outcomes: counts };
}
