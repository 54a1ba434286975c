import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LocalFhirStore } from '../../../src/clinical/local/local-fhir-store';
import { DuckDbEngine } from '../../../src/sql/duckdb-engine';
import { tmpDir, writeBundleNdjson, writeMixed } from '../fixtures/helpers';

/**
 * Store contents after importing the three reference Bundles and the mixed-validity lines, hashed table by table
 * (`lastUpdated` aside, which is the import's clock). The hashes were computed with the import as it stood before
 * the single-pass staging and phase split (commit e351f66); any change to what the import stores changes them.
 */
const GOLDEN: Readonly<Record<string, string>> = {
  resource: '96738e257e201abffbcc7fb08703018d',
  event: '64b362a4c39886d34438c0186e1090ad',
  resource_type_table: '791fbd639bf25622d4deda1585352c93',
  careplan: '7036f7aa7e3fd9e07ff16720f7e97b58',
  claim: '049edeaddbe1bbdb9072ebdb45020b97',
  condition: '21cc637ab780ccfef2cad798e67d12c1',
  diagnosticreport: 'd71a9ebbadac8d164d1931d72caf55fb',
  encounter: '8a1a8547f75a735b1f7a5977f305c1b3',
  explanationofbenefit: '4672694922accfc74d1159d77e5bacae',
  imagingstudy: '8c691b4c4b0ffc274305c77cfbd23751',
  immunization: '7aafb7d61bc9534f67432f03e2ab68d9',
  medicationrequest: 'dc808d82554409a57028e01565714394',
  observation: '12e7af906c7e43fb5c48a70ab7fccf9f',
  organization: '75ff618f5f83d3c3c65179251ca555c6',
  patient: '0d2b5f14a95d87f1b6abf4c8dff11c99',
  practitioner: 'afa6962c7e848496e60867dc4286d3b3',
  procedure: 'e16fe0f6fa70bbf97b392d54601bb76f',
};

function md5(rows: unknown): string {
  return createHash('md5')
    .update(JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)))
    .digest('hex');
}

describe('LocalFhirStore import: stored contents against golden hashes', () => {
  it('stores the same resources, events, type tables and column types as the previous implementation', async function () {
    this.timeout(180_000);
    const ws = tmpDir('mmh-fhir-golden-');
    const input = path.join(ws, 'input');
    writeBundleNdjson(input);
    writeMixed(input);
    const engine = await DuckDbEngine.create({ path: path.join(ws, 'mmh.duckdb') });
    const got: Record<string, string> = {};
    for (const threads of [0, 2]) {
      const store = new LocalFhirStore({ engine, dir: ws, importThreads: threads, importBatchSize: threads === 0 ? 50_000 : 97 });
      const ds = await store.createDatastore({ name: `golden${threads}` });
      await store.waitForImportJob(ds.DatastoreId, (await store.startImportJob({ datastoreId: ds.DatastoreId, inputDir: input })).JobId, { pollMs: 20 });
      const schema = `healthlake_${ds.DatastoreId}`;
      const hashes: Record<string, string> = {};
      hashes.resource = md5(await engine.query(`SELECT resource_type, id, version_id, hash, subject_ref, CAST(clinical_time AS VARCHAR) AS t, body FROM ${schema}.resource ORDER BY ALL`));
      hashes.event = md5(await engine.query(`SELECT * REPLACE (CAST(event_time AS VARCHAR) AS event_time) FROM ${schema}.event ORDER BY ALL`));
      hashes.resource_type_table = md5(await engine.query(`SELECT * FROM ${schema}.resource_type_table ORDER BY ALL`));
      const tables = await engine.query<{ table_name: string }>(`SELECT table_name FROM ${schema}.resource_type_table ORDER BY 1`);
      for (const { table_name: t } of tables) {
        const rows = await engine.query(`SELECT to_json(x)::VARCHAR AS j FROM (SELECT * REPLACE (struct_update(meta, lastupdated := NULL) AS meta) FROM ${schema}."${t}") x ORDER BY j`);
        hashes[t] = md5([rows, await engine.query(`SELECT column_name, column_type FROM (DESCRIBE ${schema}."${t}")`)]);
      }
      if (threads === 0) {
        Object.assign(got, hashes);
      } else {
        assert.deepEqual(hashes, got, 'in process and 2 workers with small commits store the same');
      }
    }
    if (process.env.MMH_PRINT_GOLDEN === '1') {
      console.log(JSON.stringify(got, null, 2));
    }
    assert.ok(Object.keys(got).length > 10, `tables: ${Object.keys(got).join(', ')}`);
    assert.deepEqual(got, GOLDEN);
    await engine.close();
    fs.rmSync(ws, { recursive: true, force: true });
  });
});
