/**
 * The contract every {@link FhirStore} honours (HealthLake semantics, docs/aws-semantics.md §2): datastore
 * lifecycle and shape, listing across pages, not-found for unknown ids, asynchronous NDJSON import jobs whose
 * statuses and counts reconcile, and re-import of the same input as a no-op that reports the same counts. Run by
 * fhir-store.test.ts against the local backend (DuckDB under a temporary folder) and the AWS backend (the HealthLake
 * fake over aws-sdk-client-mock, input uploaded to a real S3 server).
 *
 * Not in the contract: `read` and `search` (the AWS store calls HealthLake's signed FHIR REST endpoint, which no
 * client mock answers; test/clinical/aws/healthlake-fhir-rest.test.ts covers its requests).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FhirStore, ImportJobProperties } from '../../src/clinical/fhir-store';
import { TERMINAL_IMPORT_STATUSES } from '../../src/clinical/fhir-store';
import { removeScratch, scratch } from './scratch';

/** A store to test and how to let it go. */
export interface FhirStoreUnderTest {
  /** The store. */
  readonly store: FhirStore;
  /** Releases what the store holds (engine, folders). */
  close(): Promise<void>;
}

const PATIENTS = [
  { resourceType: 'Patient', id: 'contract-p1', gender: 'female', birthDate: '1961-04-02' },
  { resourceType: 'Patient', id: 'contract-p2', gender: 'male', birthDate: '1958-11-30' },
];
const OBSERVATIONS = [
  {
    resourceType: 'Observation',
    id: 'contract-o1',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '39156-5' }] },
    subject: { reference: 'Patient/contract-p1' },
    effectiveDateTime: '2020-01-02T00:00:00+00:00',
    valueQuantity: { value: 27.5, unit: 'kg/m2', system: 'http://unitsofmeasure.org', code: 'kg/m2' },
  },
];
/** Lines every FHIR service rejects: not JSON, and a resource without an id. */
const BAD_LINES = ['{"resourceType": "Patient", "id": ', JSON.stringify({ resourceType: 'Patient', gender: 'female' })];

function writeNdjson(dir: string, file: string, lines: readonly string[]): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, file), `${lines.join('\n')}\n`);
}

/** A folder of valid NDJSON: 2 patients, 1 observation. */
function cleanInput(): string {
  const dir = scratch('contract-fhir-clean');
  writeNdjson(
    dir,
    'Patient.ndjson',
    PATIENTS.map((p) => JSON.stringify(p)),
  );
  writeNdjson(
    dir,
    'Observation.ndjson',
    OBSERVATIONS.map((o) => JSON.stringify(o)),
  );
  return dir;
}

/** A folder with one good patient and two bad lines. */
function mixedInput(): string {
  const dir = scratch('contract-fhir-mixed');
  writeNdjson(dir, 'Patient.ndjson', [JSON.stringify(PATIENTS[0]), ...BAD_LINES]);
  return dir;
}

const UNKNOWN_ID = 'f'.repeat(32);

/**
 * Defines the FHIR store contract suite.
 *
 * @param name - the backend's name in the suite title
 * @param makeStore - a fresh, empty store (called once per test)
 */
export function describeFhirStoreContract(name: string, makeStore: () => Promise<FhirStoreUnderTest>): void {
  describe(`FhirStore contract: ${name}`, function () {
    this.timeout(120_000);
    let under: FhirStoreUnderTest | undefined;
    const store = (): FhirStore => {
      if (under === undefined) {
        throw new Error('no store');
      }
      return under.store;
    };
    beforeEach(async () => {
      under = await makeStore();
    });
    afterEach(async () => {
      await under?.close();
      under = undefined;
      removeScratch();
    });

    async function activeDatastore(dsName: string): Promise<string> {
      const created = await store().createDatastore({ name: dsName, fhirVersion: 'R4' });
      await store().waitForDatastoreActive(created.DatastoreId);
      return created.DatastoreId;
    }

    async function importFolder(datastoreId: string, dir: string): Promise<ImportJobProperties> {
      const started = await store().startImportJob({ datastoreId, inputDir: dir });
      assert.equal(started.JobStatus, 'SUBMITTED');
      assert.equal(started.DatastoreId, datastoreId);
      assert.match(started.JobId, /^[0-9a-f]{32}$/);
      return store().waitForImportJob(datastoreId, started.JobId);
    }

    it('creates an R4 datastore, which becomes ACTIVE and describes with the HealthLake fields', async () => {
      const created = await store().createDatastore({ name: 'contract-ds', fhirVersion: 'R4' });
      assert.match(created.DatastoreId, /^[0-9a-f]{32}$/);
      assert.ok(['CREATING', 'ACTIVE'].includes(created.DatastoreStatus), created.DatastoreStatus);
      assert.equal(created.DatastoreName, 'contract-ds');
      const active = await store().waitForDatastoreActive(created.DatastoreId);
      assert.equal(active.DatastoreStatus, 'ACTIVE');
      const d = await store().describeDatastore(created.DatastoreId);
      assert.deepEqual(
        { id: d.DatastoreId, name: d.DatastoreName, status: d.DatastoreStatus, version: d.DatastoreTypeVersion },
        { id: created.DatastoreId, name: 'contract-ds', status: 'ACTIVE', version: 'R4' },
      );
      assert.ok(d.DatastoreArn.endsWith(`datastore/fhir/${created.DatastoreId}`), d.DatastoreArn);
      assert.ok(d.DatastoreEndpoint.includes(`/datastore/${created.DatastoreId}/r4/`), d.DatastoreEndpoint);
      assert.ok(d.CreatedAt instanceof Date && !Number.isNaN(d.CreatedAt.getTime()));
    });

    it('lists every datastore, across pages', async () => {
      const ids = [await activeDatastore('contract-a'), await activeDatastore('contract-b'), await activeDatastore('contract-c')];
      const listed = await store().listDatastores();
      assert.deepEqual(listed.map((d) => d.DatastoreId).sort(), [...ids].sort());
      assert.deepEqual(listed.map((d) => d.DatastoreName).sort(), ['contract-a', 'contract-b', 'contract-c']);
    });

    it('answers not-found for an unknown datastore and an unknown job', async () => {
      await assert.rejects(store().describeDatastore(UNKNOWN_ID), { code: 'not-found' });
      const ds = await activeDatastore('contract-nf');
      await assert.rejects(store().describeImportJob(ds, UNKNOWN_ID), { code: 'not-found' });
      await assert.rejects(store().startImportJob({ datastoreId: UNKNOWN_ID, inputDir: cleanInput() }), { code: 'not-found' });
    });

    it('imports a clean folder: SUBMITTED, then COMPLETED with every line imported, and describes the same', async () => {
      const ds = await activeDatastore('contract-import');
      const dir = cleanInput();
      const job = await importFolder(ds, dir);
      assert.equal(job.JobStatus, 'COMPLETED');
      assert.ok(TERMINAL_IMPORT_STATUSES.includes(job.JobStatus));
      assert.equal(job.DatastoreId, ds);
      assert.ok(job.EndTime instanceof Date, 'a completed job has an EndTime');
      const r = job.JobProgressReport;
      assert.ok(r !== undefined);
      assert.deepEqual(
        [r.TotalNumberOfScannedFiles, r.TotalNumberOfImportedFiles, r.TotalNumberOfResourcesScanned, r.TotalNumberOfResourcesImported, r.TotalNumberOfResourcesWithCustomerError],
        [2, 2, 3, 3, 0],
      );
      const again = await store().describeImportJob(ds, job.JobId);
      assert.equal(again.JobStatus, 'COMPLETED');
      assert.equal(again.JobProgressReport?.TotalNumberOfResourcesImported, 3);
    });

    it('rejects bad lines per line and still imports the good ones: COMPLETED_WITH_ERRORS, scanned = imported + rejected', async () => {
      const ds = await activeDatastore('contract-mixed');
      const job = await importFolder(ds, mixedInput());
      assert.equal(job.JobStatus, 'COMPLETED_WITH_ERRORS');
      const r = job.JobProgressReport;
      assert.ok(r !== undefined);
      assert.equal(r.TotalNumberOfResourcesScanned, 1 + BAD_LINES.length);
      assert.equal(r.TotalNumberOfResourcesImported, 1);
      assert.equal(r.TotalNumberOfResourcesWithCustomerError, BAD_LINES.length);
      assert.equal(r.TotalNumberOfResourcesImported + r.TotalNumberOfResourcesWithCustomerError, r.TotalNumberOfResourcesScanned);
    });

    it('re-importing the same folder is a no-op that completes with the same counts', async () => {
      const ds = await activeDatastore('contract-reimport');
      const dir = cleanInput();
      const first = await importFolder(ds, dir);
      const second = await importFolder(ds, dir);
      assert.notEqual(second.JobId, first.JobId);
      assert.equal(second.JobStatus, 'COMPLETED');
      assert.deepEqual(
        [second.JobProgressReport?.TotalNumberOfResourcesScanned, second.JobProgressReport?.TotalNumberOfResourcesImported, second.JobProgressReport?.TotalNumberOfResourcesWithCustomerError],
        [first.JobProgressReport?.TotalNumberOfResourcesScanned, first.JobProgressReport?.TotalNumberOfResourcesImported, 0],
      );
    });

    it('fails an import from a folder holding no .ndjson file, saying so (at start, or as a FAILED job)', async () => {
      const ds = await activeDatastore('contract-empty');
      const empty = scratch('contract-fhir-empty');
      fs.writeFileSync(path.join(empty, 'notes.txt'), 'not NDJSON');
      // AWS refuses before uploading anything; the local store accepts the job, which ends FAILED (as HealthLake's
      // own job would on an empty prefix). Either way the caller gets an error naming the missing .ndjson files.
      const outcome = await store()
        .startImportJob({ datastoreId: ds, inputDir: empty })
        .then(
          (started) => store().waitForImportJob(ds, started.JobId),
          (e: unknown) => ({ refused: e }),
        )
        .catch((e: unknown) => ({ failed: e }));
      const err = ('refused' in outcome ? outcome.refused : 'failed' in outcome ? outcome.failed : undefined) as { code?: string; message?: string } | undefined;
      assert.ok(err !== undefined, `the import of an empty folder succeeded: ${JSON.stringify(outcome)}`);
      assert.match(err.message ?? '', /\.ndjson/);
      assert.ok(['not-found', 'invalid-input', 'backend'].includes(err.code ?? ''), err.code);
    });
  });
}
