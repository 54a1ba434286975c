import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalFhirStore } from '../../../src/clinical/local/local-fhir-store';
import { toAthenaShape } from '../../../src/formats/fhir/athena-shape';
import { DuckDbEngine } from '../../../src/sql/duckdb-engine';
import { tmpDir, writeBundleNdjson } from '../fixtures/helpers';

/** A row of a type table as plain JSON, absent (null) fields left out, as the resource's Athena shape has them. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) {
    return v.map(withoutNulls);
  }
  if (typeof v !== 'object' || v === null) {
    return v;
  }
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x !== null)
      .map(([k, x]) => [k, withoutNulls(x)]),
  );
}

async function importDir(store: LocalFhirStore, datastoreId: string, input: string): Promise<string> {
  const job = await store.waitForImportJob(datastoreId, (await store.startImportJob({ datastoreId, inputDir: input, validationLevel: 'minimal' })).JobId, { pollMs: 20 });
  assert.match(job.JobStatus, /^COMPLETED/);
  return job.Message ?? '';
}

/** A fresh workspace whose datastore holds the real Bundles, imported once. */
async function importedBundles(prefix: string): Promise<{ engine: DuckDbEngine; store: LocalFhirStore; ds: { DatastoreId: string }; schema: string; input: string }> {
  const ws = tmpDir(prefix);
  const input = path.join(ws, 'input');
  writeBundleNdjson(input);
  const engine = await DuckDbEngine.create({ path: path.join(ws, 'mmh.duckdb') });
  const store = new LocalFhirStore({ engine, dir: ws });
  const ds = await store.createDatastore({ name: 'bundles' });
  await importDir(store, ds.DatastoreId, input);
  return { engine, store, ds, schema: store.schemaOf(ds.DatastoreId), input };
}

/**
 * Checks every row of every type table against the Athena shape of its stored resource: lower-case keys, extensions
 * as JSON text, meta.versionid/lastupdated from the store.
 */
async function assertTablesMatchBodies(engine: DuckDbEngine, schema: string, minTables = 5): Promise<number> {
  const types = await engine.query<{ resource_type: string; table_name: string }>(`SELECT resource_type, table_name FROM ${schema}.resource_type_table ORDER BY 1`);
  assert.ok(types.length >= minTables, `type tables: ${types.length}`);
  let checked = 0;
  for (const { resource_type: type, table_name: table } of types) {
    const rows = await engine.query<{ id: string; j: string }>(`SELECT id, to_json(t)::VARCHAR AS j FROM ${schema}."${table}" t ORDER BY id`);
    const stored = await engine.query<{ id: string; body: string; version_id: number; lu: string }>(
      `SELECT id, body, version_id, strftime(last_updated, '%Y-%m-%dT%H:%M:%S.%gZ') AS lu FROM ${schema}.resource WHERE resource_type = ? ORDER BY id`,
      [type],
    );
    assert.deepEqual(
      rows.map((r) => r.id),
      stored.map((r) => r.id),
      `${table}: one row per stored resource`,
    );
    for (const [i, r] of rows.entries()) {
      const s = stored[i]!;
      const resource = JSON.parse(s.body) as Record<string, unknown>;
      const expected = toAthenaShape({ ...resource, meta: { ...(resource.meta ?? {}), versionId: String(s.version_id), lastUpdated: s.lu } });
      assert.deepEqual(withoutNulls(JSON.parse(r.j)), expected, `${table}/${r.id}`);
      checked++;
    }
  }
  return checked;
}

describe('LocalFhirStore: Athena-style type tables kept in step with each commit', () => {
  it('hold exactly the Athena shape of every stored resource, though tiny commits widen the tables again and again', async function () {
    this.timeout(120_000);
    const ws = tmpDir('mmh-athena-');
    const input = path.join(ws, 'input');
    const counts = writeBundleNdjson(input);
    const engine = await DuckDbEngine.create({ path: path.join(ws, 'mmh.duckdb') });
    // 7 resources per transaction: each commit sees only a few shapes, so most types widen many times.
    const store = new LocalFhirStore({ engine, dir: ws, importBatchSize: 7, importThreads: 0 });
    const ds = await store.createDatastore({ name: 'athena' });
    await importDir(store, ds.DatastoreId, input);
    const schema = store.schemaOf(ds.DatastoreId);
    const checked = await assertTablesMatchBodies(engine, schema);
    assert.equal(checked, Object.values(counts).reduce((a, b) => a + b, 0) - 2, 'every resource (2 repeated ones collapse)');
    // Column types come from all rows, not from the first commit: a late Observation's valueString is a column.
    const cols = await engine.query<{ column_name: string }>(`SELECT column_name FROM (DESCRIBE ${schema}.observation)`);
    assert.ok(cols.some((c) => c.column_name === 'valuestring') || cols.some((c) => c.column_name === 'valuecodeableconcept'), cols.map((c) => c.column_name).join());
    await engine.close();
  });

  it('replaces the row of an updated resource (versionid 2) and keeps unchanged ones', async () => {
    const ws = tmpDir('mmh-athena-upd-');
    const input = path.join(ws, 'input');
    fs.mkdirSync(input);
    const obs = (value: number) => ({ resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' }, valueQuantity: { value, unit: 'mg' } });
    fs.writeFileSync(path.join(input, 'Observation.ndjson'), `${JSON.stringify(obs(1))}\n${JSON.stringify({ ...obs(2), id: 'o2' })}\n`);
    const engine = await DuckDbEngine.create({ path: path.join(ws, 'mmh.duckdb') });
    const store = new LocalFhirStore({ engine, dir: ws });
    const ds = await store.createDatastore({ name: 'upd' });
    await importDir(store, ds.DatastoreId, input);
    // The update brings a new field (a string value) too, so the table widens in the same transaction.
    fs.writeFileSync(path.join(input, 'Observation.ndjson'), `${JSON.stringify({ ...obs(1.5), valueString: 'high' })}\n${JSON.stringify({ ...obs(2), id: 'o2' })}\n`);
    assert.match(await importDir(store, ds.DatastoreId, input), /created 0, updated 1, unchanged 1/);
    const schema = store.schemaOf(ds.DatastoreId);
    const rows = await engine.query<{ id: string; v: number; s: string | null; ver: string }>(
      `SELECT id, valuequantity.value AS v, valuestring AS s, meta.versionid AS ver FROM ${schema}.observation ORDER BY id`,
    );
    assert.deepEqual(rows, [
      { id: 'o1', v: 1.5, s: 'high', ver: '2' },
      { id: 'o2', v: 2, s: null, ver: '1' },
    ]);
    await assertTablesMatchBodies(engine, schema, 1);
    await engine.close();
  });

  it('rejects a resource whose meta is not an object (even at level minimal) and lands the others', async () => {
    const ws = tmpDir('mmh-athena-meta-');
    const input = path.join(ws, 'input');
    fs.mkdirSync(input);
    const good = { resourceType: 'Patient', id: 'good', gender: 'female', meta: { source: 'fixture' } };
    fs.writeFileSync(path.join(input, 'Patient.ndjson'), `${JSON.stringify({ resourceType: 'Patient', id: 'bad-meta', meta: 'v1' })}\n${JSON.stringify(good)}\n`);
    const engine = await DuckDbEngine.create({ path: path.join(ws, 'mmh.duckdb') });
    const store = new LocalFhirStore({ engine, dir: ws });
    const ds = await store.createDatastore({ name: 'meta' });
    const job = await store.waitForImportJob(ds.DatastoreId, (await store.startImportJob({ datastoreId: ds.DatastoreId, inputDir: input, validationLevel: 'minimal' })).JobId, { pollMs: 20 });
    assert.equal(job.JobStatus, 'COMPLETED_WITH_ERRORS');
    assert.equal(job.JobProgressReport?.TotalNumberOfResourcesImported, 1);
    const rows = await engine.query<{ id: string; source: string; ver: string }>(`SELECT id, meta.source AS source, meta.versionid AS ver FROM ${store.schemaOf(ds.DatastoreId)}.patient`);
    assert.deepEqual(rows, [{ id: 'good', source: 'fixture', ver: '1' }]);
    await engine.close();
  });

  it('rebuilds a type table that went missing on the next import', async function () {
    this.timeout(120_000);
    const { engine, store, ds, schema, input } = await importedBundles('mmh-athena-missing-');
    await engine.exec(`DROP TABLE ${schema}.condition`);
    assert.match(await importDir(store, ds.DatastoreId, input), /created 0, updated 0/);
    await assertTablesMatchBodies(engine, schema);
    await engine.close();
  });

  it('repairs a datastore written by the earlier layout (shaped text in a column, types without a kept structure)', async function () {
    this.timeout(120_000);
    const { engine, store, ds, schema, input } = await importedBundles('mmh-athena-legacy-');
    // Make it look like the earlier layout: an athena_body column, no kept structures, stale tables.
    await engine.exec(`ALTER TABLE ${schema}.resource ADD COLUMN athena_body VARCHAR DEFAULT '{}'`);
    await engine.exec(`DELETE FROM ${schema}.athena_structure`);
    await engine.exec(`DELETE FROM ${schema}.condition`);
    assert.match(await importDir(store, ds.DatastoreId, input), /created 0, updated 0/);
    const cols = await engine.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM duckdb_columns() WHERE schema_name = ? AND table_name = 'resource' AND column_name = 'athena_body'`, [schema]);
    assert.equal(cols[0]!.n, 0, 'the old column is dropped');
    await assertTablesMatchBodies(engine, schema);
    const [kept] = await engine.query<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ${schema}.athena_structure`);
    assert.ok(kept!.n >= 5);
    await engine.close();
  });
});
