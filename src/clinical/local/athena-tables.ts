/**
 * The per-type tables shaped like HealthLake's Athena tables (docs/aws-semantics.md §2), kept in step with the `resource`
 * table: every import commit inserts its changed resources into them in its own transaction, so the tables always
 * hold exactly the committed resources (an interrupted job leaves them consistent).
 *
 * Rows come from Athena-shaped JSON text (formats/fhir/athena-shape.ts `athenaJsonText`, staged by the import
 * workers) typed by DuckDB's `read_json` under the type inferred over every committed row of that resource type
 * (`AthenaType`, kept in `athena_structure`): VARCHAR for ids and dates, as the Athena tables keep them. When a
 * commit brings a field or a wider type the table has not seen, the table is widened first (its rows go through
 * `to_json` and `json_transform` under the merged type), so a column's type never depends on the order the rows
 * arrived in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AthenaType } from '../../formats/fhir/athena-shape';
import { sqlLiteral } from '../../sql/literal';
import { athenaJsonText, athenaTableName, athenaTypeSql, mergeAthenaType, observeAthenaType, withLeadingKeys } from '../../formats/fhir/athena-shape';
import { athenaStagingFile, athenaStagingLine, stripVersionMeta } from './import-chunk';
import { athenaStructureDdl, RESOURCE_TYPE_PATTERN } from './schema';

type StructType = { s: Record<string, AthenaType> };

// A top-level key must be a plain identifier to become a column (the Athena tables have no other).
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The row type of a resource type's table: the inferred type with `meta.versionid` and `meta.lastupdated` (which
 * the store adds), keys `resourcetype`, `id`, `meta` first, and only identifier-like top-level keys.
 *
 * @param inferred - the type inferred over the Athena-shaped rows
 * @returns a new struct type (the argument is not changed)
 */
export function athenaRowType(inferred: AthenaType): StructType {
  const copy = structuredClone(inferred);
  const fields: Record<string, AthenaType> = typeof copy === 'object' && 's' in copy ? copy.s : {};
  const meta = mergeAthenaType(fields.meta ?? { s: {} }, { s: { versionid: 'VARCHAR', lastupdated: 'VARCHAR' } });
  const out: Record<string, AthenaType> = { resourcetype: fields.resourcetype ?? 'VARCHAR', id: fields.id ?? 'VARCHAR', meta };
  for (const [k, t] of Object.entries(fields)) {
    if (!(k in out) && COLUMN_NAME.test(k)) {
      out[k] = t;
    }
  }
  return { s: out };
}

function transformSpec(t: AthenaType): unknown {
  if (typeof t === 'string') {
    return t === 'NULL' ? 'JSON' : t;
  }
  if ('l' in t) {
    return [transformSpec(t.l)];
  }
  const fields = Object.entries(t.s);
  return fields.length === 0 ? 'JSON' : Object.fromEntries(fields.map(([k, v]) => [k, transformSpec(v)]));
}

/**
 * The SQL expression typing Athena-shaped JSON text as a row of the table: DuckDB's `json_transform` under the
 * row type (the same types `athenaTypeSql` names), expanded into columns by `unnest`.
 *
 * @param textSql - a VARCHAR/JSON expression holding the row's JSON text
 * @param rowType - from {@link athenaRowType}
 * @returns a select-list expression
 */
export function athenaRowSql(textSql: string, rowType: StructType): string {
  return `unnest(json_transform(${textSql}, ${sqlLiteral(JSON.stringify(transformSpec(rowType)))}))`;
}

/**
 * Largest Athena-shaped row `read_json` accepts (64 MiB): twice the largest resource an import takes
 * (import-chunk.ts `MAX_RESOURCE_BYTES`). DuckDB sizes its read buffer from it (twice this, per reading thread,
 * counted against its memory limit), so a commit passes the bound its rows need instead
 * ({@link athenaMaxObjectBytes}).
 */
export const ATHENA_MAX_OBJECT_BYTES = 64 * 1024 * 1024;

/**
 * The `maximum_object_size` for staged Athena rows of at most `longest` bytes: DuckDB's default (16 MiB) unless a
 * row is longer, then twice the longest row, at most {@link ATHENA_MAX_OBJECT_BYTES}. With 64 MiB for every commit,
 * each reading thread's 128 MiB buffer counted against the import's memory limit, and an in-process import (DuckDB
 * on 2 threads) ran out of its 256 MB.
 *
 * @param longest - the longest staged row, in bytes (an upper bound)
 * @returns the bound in bytes
 */
export function athenaMaxObjectBytes(longest: number): number {
  return Math.min(ATHENA_MAX_OBJECT_BYTES, Math.max(16 * 1024 * 1024, 2 * longest));
}

/**
 * The statement inserting staged Athena-shaped rows into a type table: DuckDB's `read_json` types the staging
 * files (import-chunk.ts `athenaStagingFile`: the Athena text with `__chunk` and `__line` first) under the table's
 * columns, and `meta.versionid`/`meta.lastupdated` (null in the text) are set from the store.
 *
 * @param table - the qualified, quoted table name
 * @param rowType - the table's row type ({@link athenaRowType})
 * @param c - the staging files; a join of the staged rows `a` to the rows to insert, which gives SQL expressions
 *   of the version (INTEGER) and `lastUpdated` (TIMESTAMP); the longest row `read_json` must take (default
 *   {@link ATHENA_MAX_OBJECT_BYTES})
 * @returns the INSERT statement (parameters, if any, are the join's)
 */
export function athenaInsertSql(table: string, rowType: StructType, c: { files: readonly string[]; join: string; version: string; lastUpdated: string; maxObjectBytes?: number }): string {
  const columns = Object.entries({ __chunk: 'INTEGER', __line: 'INTEGER', ...Object.fromEntries(Object.entries(rowType.s).map(([k, t]) => [k, athenaTypeSql(t)])) })
    .map(([k, t]) => `${sqlLiteral(k)}: ${sqlLiteral(t)}`)
    .join(', ');
  const source =
    `read_json([${c.files.map(sqlLiteral).join(', ')}], format := 'newline_delimited', dateformat := 'NONE', timestampformat := 'NONE', ` +
    `maximum_object_size := ${c.maxObjectBytes ?? ATHENA_MAX_OBJECT_BYTES}, columns := {${columns}})`;
  const meta = `struct_update(meta, versionid := CAST(__version AS VARCHAR), lastupdated := strftime(__last_updated, '%Y-%m-%dT%H:%M:%S.%gZ'))`;
  return (
    `INSERT INTO ${table} BY NAME SELECT * EXCLUDE (__chunk, __line, __version, __last_updated) REPLACE (${meta} AS meta) ` +
    `FROM (SELECT a.*, ${c.version} AS __version, ${c.lastUpdated} AS __last_updated FROM ${source} a ${c.join})`
  );
}

/**
 * Reads the kept inferred type of each resource type of a datastore.
 *
 * @param conn - a connection
 * @param schema - the datastore schema
 * @returns inferred types by resource type
 */
export async function readAthenaStructures(conn: DuckDBConnection, schema: string): Promise<Map<string, AthenaType>> {
  await conn.run(athenaStructureDdl(schema));
  const rows = (await conn.runAndReadAll(`SELECT resource_type, structure FROM ${schema}.athena_structure`)).getRowObjectsJS() as { resource_type: string; structure: string }[];
  return new Map(rows.map((r) => [r.resource_type, JSON.parse(r.structure) as AthenaType]));
}

/**
 * The inferred type each existing type table was built with (types without a table are absent).
 *
 * @param conn - a connection
 * @param schema - the datastore schema
 * @returns inferred types by resource type
 */
export async function builtTypeTables(conn: DuckDBConnection, schema: string): Promise<Map<string, AthenaType>> {
  const structures = await readAthenaStructures(conn, schema);
  const rows = (await conn.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE schema_name = $1`, [schema])).getRowObjectsJS() as { table_name: string }[];
  const present = new Set(rows.map((r) => r.table_name));
  return new Map([...structures].filter(([type]) => present.has(athenaTableName(type))));
}

/**
 * Makes a resource type's table hold rows of the given inferred type, inside the caller's transaction: creates it
 * (empty) when missing, widens it when the type grew (rows re-typed through `to_json`/`json_transform`), records
 * the type in `athena_structure`, and (re)publishes the `main` view when the table was created or changed.
 *
 * @param conn - a write connection inside a transaction
 * @param schema - the datastore schema
 * @param resourceType - e.g. `Observation` (checked against the resource type pattern)
 * @param before - the type the table was built with (undefined: no table yet)
 * @param after - the merged type covering the rows about to be inserted
 * @param publish - whether the datastore is published as views in `main`
 * @returns the table's row type
 */
export async function prepareTypeTable(conn: DuckDBConnection, schema: string, resourceType: string, before: AthenaType | undefined, after: AthenaType, publish: boolean): Promise<StructType> {
  const table = `${schema}."${athenaTableName(resourceType)}"`;
  const rowType = athenaRowType(after);
  const changed = before === undefined || JSON.stringify(athenaRowType(before)) !== JSON.stringify(rowType);
  if (before === undefined) {
    await conn.run(`CREATE OR REPLACE TABLE ${table} AS SELECT ${athenaRowSql("'{}'", rowType)} LIMIT 0`);
  } else if (changed) {
    await conn.run(`CREATE OR REPLACE TABLE ${table} AS SELECT ${athenaRowSql('to_json(o)', rowType)} FROM ${table} o`);
  }
  if (changed) {
    await conn.run(`INSERT OR REPLACE INTO ${schema}.athena_structure VALUES ($1, $2)`, [resourceType, JSON.stringify(after)]);
    if (publish) {
      await conn.run(`CREATE OR REPLACE VIEW main."${athenaTableName(resourceType)}" AS SELECT * FROM ${table}`);
    }
  }
  return rowType;
}

/**
 * Records a type table's row count in `resource_type_table` (what `listResourceTables` reports): counted, or the
 * recorded count plus the rows just added when only inserts happened.
 *
 * @param conn - a write connection
 * @param schema - the datastore schema
 * @param resourceType - the resource type
 * @param added - rows inserted into a table whose recorded count was right (omit to count)
 */
export async function countTypeTable(conn: DuckDBConnection, schema: string, resourceType: string, added?: number): Promise<void> {
  const table = athenaTableName(resourceType);
  await (added === undefined
    ? conn.run(`INSERT OR REPLACE INTO ${schema}.resource_type_table SELECT $1, $2, count(*) FROM ${schema}."${table}"`, [resourceType, table])
    : conn.run(`INSERT INTO ${schema}.resource_type_table VALUES ($1, $2, $3) ON CONFLICT (resource_type) DO UPDATE SET rows = resource_type_table.rows + excluded.rows`, [
        resourceType,
        table,
        added,
      ]));
}

interface StoredRow {
  id: string;
  body: string;
}

/**
 * Rebuilds resource types' tables from the stored FHIR bodies (shaped in JS, typed by DuckDB): the repair path for
 * datastores written before the tables were kept in step with each commit (they kept the shaped text in a column,
 * dropped here), for types whose inferred type was never recorded and for types whose table is missing. Runs in one
 * transaction.
 *
 * @param conn - a write connection
 * @param schema - the datastore schema
 * @param scratchDir - folder for the scratch file (removed afterwards)
 * @param publish - whether the datastore is published as views in `main`
 * @returns the resource types rebuilt
 */
export async function repairTypeTables(conn: DuckDBConnection, schema: string, scratchDir: string, publish: boolean): Promise<string[]> {
  const [column] = (
    await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM duckdb_columns() WHERE schema_name = $1 AND table_name = 'resource' AND column_name = 'athena_body'`, [schema])
  ).getRowObjectsJS() as { n: number }[];
  const legacy = (column?.n ?? 0) > 0;
  const built = await builtTypeTables(conn, schema);
  const present = (await conn.runAndReadAll(`SELECT DISTINCT resource_type FROM ${schema}.resource ORDER BY 1`)).getRowObjectsJS() as { resource_type: string }[];
  const types = present.map((r) => r.resource_type).filter((t) => RESOURCE_TYPE_PATTERN.test(t) && (legacy || !built.has(t)));
  if (types.length === 0 && !legacy) {
    return [];
  }
  fs.mkdirSync(scratchDir, { recursive: true });
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const type of types) {
      const file = athenaStagingFile(path.join(scratchDir, 'repair'), type);
      let inferred: AthenaType = 'NULL';
      let longest = 0;
      const fd = fs.openSync(file, 'w');
      try {
        let after = '';
        for (;;) {
          const rows = (
            await conn.runAndReadAll(`SELECT id, body FROM ${schema}.resource WHERE resource_type = $1 AND id > $2 ORDER BY id LIMIT 5000`, [type, after])
          ).getRowObjectsJS() as unknown as StoredRow[];
          if (rows.length === 0) {
            break;
          }
          let text = '';
          for (const r of rows) {
            const resource = withLeadingKeys(stripVersionMeta(JSON.parse(r.body) as Record<string, unknown>));
            inferred = observeAthenaType(resource, inferred);
            const line = athenaStagingLine(0, 0, athenaJsonText(resource));
            longest = Math.max(longest, Buffer.byteLength(line));
            text += `${line}\n`;
          }
          fs.writeSync(fd, text);
          after = rows[rows.length - 1]?.id ?? after;
        }
      } finally {
        fs.closeSync(fd);
      }
      const rowType = await prepareTypeTable(conn, schema, type, undefined, inferred, publish);
      const join = `JOIN ${schema}.resource r ON r.resource_type = $1 AND r.id = a.id`;
      await conn.run(
        athenaInsertSql(`${schema}."${athenaTableName(type)}"`, rowType, {
          files: [file],
          join,
          version: 'r.version_id',
          lastUpdated: 'r.last_updated',
          maxObjectBytes: athenaMaxObjectBytes(longest),
        }),
        [type],
      );
      await countTypeTable(conn, schema, type);
      fs.rmSync(file, { force: true });
    }
    if (legacy) {
      await conn.run(`ALTER TABLE ${schema}.resource DROP COLUMN athena_body`);
    }
    await conn.run('COMMIT');
  } catch (e) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
  return types;
}
