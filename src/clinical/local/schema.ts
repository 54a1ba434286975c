/**
 * The DuckDB layout of a local FHIR datastore. Each datastore owns a schema `healthlake_<datastoreId>` holding:
 *
 * - `resource`: the source of truth, one row per (resource_type, id) — kept unique by the import job, which
 *   compares every staged key with the stored ones (no index: maintaining one cost more than the lookups it
 *   would speed up; datastores created with a primary key keep it) — with the current version, content hash and
 *   the FHIR JSON body (without `meta.versionId`/`meta.lastUpdated`, which live in columns), plus the search
 *   columns `subject_ref` and `clinical_time`;
 * - `event`: the flattened clinical events (formats/fhir/events.ts) used by labels and features;
 * - one table per resource type named as HealthLake's Athena tables (`patient`, `condition`, `observation`…),
 *   updated with `resource` in each import chunk's transaction (athena-tables.ts), with the column types kept in
 *   `athena_structure`.
 *
 * The workspace's default datastore is also published as views in the `main` schema, so
 * `SELECT id, gender, birthdate FROM patient` runs unchanged, as it does in the HealthLake Athena database.
 */
import { HealthDataError } from '../../errors';

/** Datastore ids are 32 lower-case hex characters, like HealthLake's. */
export const DATASTORE_ID_PATTERN = /^[0-9a-f]{32}$/;

/**
 * The DuckDB schema of a datastore.
 *
 * @param datastoreId - the datastore id
 * @returns the schema name (safe to quote: checked against the id pattern)
 * @throws {@link HealthDataError} (invalid-input) when the id is not 32 hex characters
 */
export function datastoreSchema(datastoreId: string): string {
  if (!DATASTORE_ID_PATTERN.test(datastoreId)) {
    throw new HealthDataError('invalid-input', `datastoreSchema: "${datastoreId}" is not a datastore id (32 hex characters); use the DatastoreId from createDatastore`, {
      path: 'datastoreId',
    });
  }
  return `healthlake_${datastoreId}`;
}

/** Resource type names are PascalCase letters; checked before they become table names. */
export const RESOURCE_TYPE_PATTERN = /^[A-Z][A-Za-z]{1,63}$/;

/**
 * DDL creating a datastore's schema and base tables (idempotent).
 *
 * @param schema - from {@link datastoreSchema}
 * @returns the statements
 */
export function datastoreDdl(schema: string): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${schema};
CREATE TABLE IF NOT EXISTS ${schema}.resource (
  resource_type VARCHAR NOT NULL,
  id VARCHAR NOT NULL,
  version_id INTEGER NOT NULL,
  last_updated TIMESTAMP NOT NULL,
  hash VARCHAR NOT NULL,
  subject_ref VARCHAR,
  clinical_time TIMESTAMP,
  body VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS ${schema}.event (
  patient_id VARCHAR NOT NULL,
  resource_type VARCHAR NOT NULL,
  resource_id VARCHAR NOT NULL,
  event_time TIMESTAMP,
  system VARCHAR,
  code VARCHAR,
  value DOUBLE,
  unit VARCHAR,
  value_code VARCHAR,
  category VARCHAR
);
CREATE TABLE IF NOT EXISTS ${schema}.resource_type_table (resource_type VARCHAR PRIMARY KEY, table_name VARCHAR NOT NULL, rows BIGINT NOT NULL);
${athenaStructureDdl(schema)}
`;
}

/**
 * DDL of the table keeping, per resource type, the DuckDB type inferred over every committed row of its Athena
 * table (formats/fhir/athena-shape.ts `AthenaType` as JSON). It is updated in the same transaction as the rows, so
 * it always covers them. Types without an entry (datastores from before it existed) are rebuilt from their bodies on
 * the next import (athena-tables.ts `repairTypeTables`).
 *
 * @param schema - from {@link datastoreSchema}
 * @returns the statement
 */
export function athenaStructureDdl(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS ${schema}.athena_structure (resource_type VARCHAR PRIMARY KEY, structure VARCHAR NOT NULL);`;
}

/**
 * The SQL expression adding `meta.versionId` and `meta.lastUpdated` to the stored FHIR body.
 *
 * @returns a JSON-valued SQL expression over the `resource` table's columns
 */
export function withMetaSql(): string {
  return (
    `json_merge_patch(body, json_object('meta', json_merge_patch(coalesce(json_extract(body, '$.meta'), '{}'::JSON), ` +
    `json_object('versionId', CAST(version_id AS VARCHAR), 'lastUpdated', strftime(last_updated, '%Y-%m-%dT%H:%M:%S.%gZ')))))`
  );
}
