/**
 * Clinical cohort and features on aws read HealthLake's Athena tables ("Querying HealthLake data with Amazon
 * Athena": one table per resource type, lower-case element names, arrays 1-based, dates as text). The statements
 * are checked by running them on DuckDB over the local backend's HealthLake-shaped tables (same names and shapes)
 * and comparing with the local sources on real Synthea bundles: same labels, same features, same leakage guard.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { athenaCohortSources } from '../../src/clinical/aws/athena-cohort-sources';
import type { CohortDefinition } from '../../src/clinical/cohort';
import { OUTCOMES } from '../../src/clinical/cohort';
import { localCohortSources } from '../../src/clinical/local/clinical-data';
import { LocalFhirStore } from '../../src/clinical/local/local-fhir-store';
import { datastoreSchema } from '../../src/clinical/local/schema';
import { assembleCohort } from '../../src/clinical/study-cohort';
import { DuckDbEngine } from '../../src/sql/duckdb-engine';
import { STROKE_ENCOUNTER, tmpDir, writeBundleNdjson } from './fixtures/helpers';

describe('clinical cohort from the HealthLake Athena tables (aws sources) = local sources', function () {
  this.timeout(120_000);
  let engine: DuckDbEngine;
  let schema = '';
  let dir = '';

  before(async () => {
    dir = tmpDir('mmh-athena-cohort-');
    const input = path.join(dir, 'input');
    writeBundleNdjson(input);
    fs.appendFileSync(path.join(input, 'Encounter.ndjson'), `${JSON.stringify(STROKE_ENCOUNTER)}\n`);
    engine = await DuckDbEngine.create({ path: path.join(dir, 'mmh.duckdb') });
    const store = await LocalFhirStore.create({ engine, dir });
    const ds = await store.createDatastore({ name: 'cohort' });
    const job = await store.startImportJob({ datastoreId: ds.DatastoreId, inputDir: input, validationLevel: 'minimal' });
    assert.equal((await store.waitForImportJob(ds.DatastoreId, job.JobId, { pollMs: 20 })).JobStatus, 'COMPLETED');
    schema = datastoreSchema(ds.DatastoreId);
  });

  after(async () => {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('patients and last encounters match', async () => {
    const aws = athenaCohortSources({ sql: engine, database: schema });
    const local = localCohortSources(engine, schema);
    assert.deepEqual(await aws.patients(), await local.patients());
    const a = await aws.lastEncounters();
    const l = await local.lastEncounters();
    assert.ok(l.size > 0);
    assert.deepEqual(new Map([...a].sort()), new Map([...l].sort()));
  });

  for (const outcome of Object.keys(OUTCOMES) as (keyof typeof OUTCOMES)[]) {
    for (const design of ['prognostic', 'guidance'] as const) {
      it(`${outcome} (${design}): the same labels, exclusions and features`, async () => {
        const def: CohortDefinition = { outcome, design };
        const viaAthena = await assembleCohort(def, athenaCohortSources({ sql: engine, database: schema }));
        const viaLocal = await assembleCohort(def, localCohortSources(engine, schema));
        assert.deepEqual(viaAthena.labels, viaLocal.labels);
        assert.deepEqual(viaAthena.features, viaLocal.features);
        assert.deepEqual(viaAthena.preOnsetFeatures, viaLocal.preOnsetFeatures);
      });
    }
  }

  it('events stop strictly before each index date (the leakage guard runs in SQL)', async () => {
    const aws = athenaCohortSources({ sql: engine, database: schema });
    const pts = await aws.patients();
    const index = '2015-01-01T00:00:00.000Z';
    const events = await aws.eventsBefore(pts.map((p) => ({ patientId: p.patientId, indexDate: index, label: 0 as const, outcome: 'stroke' as const, onsetDate: null })));
    assert.ok(events.length > 0);
    assert.ok(events.every((e) => e.date !== null && e.date < index));
    const withLookback = await aws.eventsBefore(pts.map((p) => ({ patientId: p.patientId, indexDate: index, label: 0 as const, outcome: 'stroke' as const, onsetDate: null })), 1);
    assert.ok(withLookback.length < events.length);
    assert.ok(withLookback.every((e) => e.date !== null && e.date >= '2013-12-31'));
  });
});
