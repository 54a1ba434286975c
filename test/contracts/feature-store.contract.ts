/**
 * The contract every {@link FeatureStore} honours (SageMaker Feature Store semantics, docs/aws-semantics.md §4):
 * group create/describe/list/delete with their shapes and errors, latest-wins online records, per-record ingest
 * failures whose counts reconcile, create-or-check `ingestTable` (re-ingest is safe, a mismatched table is a
 * conflict), and point-in-time training sets that read the offline store. Run by feature-store.test.ts against the
 * local store (DuckDB + Parquet under a temporary folder) and the AWS store over the SageMaker Feature Store, Glue
 * and Athena fakes (offline Parquet on a real S3 server, written with the documented lag on a virtual clock).
 *
 * Not in the contract: `deleteRecord` and `batchGetRecord` (the Feature Store fake does not hold deletes or answer
 * BatchGetRecord; test/features/local/feature-store.test.ts and test/features/aws/feature-store.test.ts cover each backend).
 */
import assert from 'node:assert/strict';
import type { FeatureStore } from '../../src/features/store';
import type { FeatureDefinition } from '../../src/features/types';
import type { SqlEngine } from '../../src/sql/engine';

/** A store to test, the engine its offline tables are queried with, and how to let it go. */
export interface FeatureStoreUnderTest {
  /** The store. */
  readonly store: FeatureStore;
  /** The SQL engine over its offline tables (DuckDB locally, Athena on AWS). */
  readonly sql: SqlEngine;
  /** Releases what the store holds. */
  close(): Promise<void>;
}

const DEFS: readonly FeatureDefinition[] = [
  { name: 'patient_id', type: 'String' },
  { name: 'event_time', type: 'String' },
  { name: 'bmi', type: 'Fractional' },
  { name: 'smoker', type: 'Integral' },
];

const ROWS = [
  { patient_id: 'p1', event_time: '2020-01-01T00:00:00Z', bmi: 20.5, smoker: 0 },
  { patient_id: 'p1', event_time: '2021-01-01T00:00:00Z', bmi: 21.5, smoker: 1 },
  { patient_id: 'p2', event_time: '2020-06-01T00:00:00Z', bmi: 30.25, smoker: 1 },
];

/**
 * Defines the feature store contract suite.
 *
 * @param name - the backend's name in the suite title
 * @param makeStore - a fresh, empty store (called once per test)
 */
export function describeFeatureStoreContract(name: string, makeStore: () => Promise<FeatureStoreUnderTest>): void {
  describe(`FeatureStore contract: ${name}`, function () {
    this.timeout(180_000);
    let under: FeatureStoreUnderTest | undefined;
    const it_ = (): FeatureStoreUnderTest => {
      if (under === undefined) {
        throw new Error('no store');
      }
      return under;
    };
    const store = (): FeatureStore => it_().store;
    beforeEach(async () => {
      under = await makeStore();
    });
    afterEach(async () => {
      await under?.close();
      under = undefined;
    });

    function create(groupName: string, description?: string): ReturnType<FeatureStore['createFeatureGroup']> {
      return store().createFeatureGroup({
        name: groupName,
        recordIdentifierFeatureName: 'patient_id',
        eventTimeFeatureName: 'event_time',
        featureDefinitions: DEFS,
        ...(description === undefined ? {} : { description }),
      });
    }

    it('creates a group that describes with its definitions, status Created and an offline table', async () => {
      const created = await create('vitals', 'contract vitals');
      assert.equal(created.status, 'Created');
      const d = await store().describeFeatureGroup('vitals');
      assert.equal(d.name, 'vitals');
      assert.equal(d.status, 'Created');
      assert.equal(d.recordIdentifierFeatureName, 'patient_id');
      assert.equal(d.eventTimeFeatureName, 'event_time');
      assert.deepEqual(d.featureDefinitions, DEFS);
      assert.equal(d.onlineStoreEnabled, true);
      assert.ok(d.offlineStore !== undefined);
      assert.match(d.offlineStore.tableName, /^vitals_\d+$/);
      assert.ok(d.creationTime instanceof Date && !Number.isNaN(d.creationTime.getTime()));
      assert.ok(d.arn.length > 0);
      assert.equal(await store().offlineTable('vitals'), await store().offlineTable('vitals'));
    });

    it('refuses a second group of the same name (conflict) and leaves the first as it was', async () => {
      await create('vitals');
      await assert.rejects(create('vitals'), { code: 'conflict' });
      assert.deepEqual((await store().describeFeatureGroup('vitals')).featureDefinitions, DEFS);
    });

    it('answers not-found for an unknown group: describe, delete, put and ingest', async () => {
      await assert.rejects(store().describeFeatureGroup('nobody'), { code: 'not-found' });
      await assert.rejects(store().deleteFeatureGroup('nobody'), { code: 'not-found' });
      await assert.rejects(store().putRecord('nobody', ROWS[0] ?? {}), { code: 'not-found' });
      await assert.rejects(store().ingest('nobody', ROWS), { code: 'not-found' });
    });

    it('lists every group by name across pages, filters by nameContains, and forgets a deleted group', async () => {
      for (const g of ['labs-b', 'vitals', 'labs-a', 'imaging']) {
        await create(g);
      }
      assert.deepEqual(
        (await store().listFeatureGroups()).map((g) => g.name),
        ['imaging', 'labs-a', 'labs-b', 'vitals'],
      );
      assert.deepEqual(
        (await store().listFeatureGroups({ nameContains: 'labs' })).map((g) => g.name),
        ['labs-a', 'labs-b'],
      );
      assert.ok((await store().listFeatureGroups()).every((g) => g.status === 'Created' && g.creationTime instanceof Date));
      await store().deleteFeatureGroup('labs-a');
      await assert.rejects(store().describeFeatureGroup('labs-a'), { code: 'not-found' });
      assert.deepEqual(
        (await store().listFeatureGroups()).map((g) => g.name),
        ['imaging', 'labs-b', 'vitals'],
      );
    });

    it('keeps the record with the newest event time online; an older put does not replace it; a missing id is undefined', async () => {
      await create('vitals');
      await store().putRecord('vitals', { patient_id: 'p1', event_time: '2020-01-02T00:00:00Z', bmi: 30.5, smoker: 1 });
      await store().putRecord('vitals', { patient_id: 'p1', event_time: '2020-01-01T00:00:00Z', bmi: 20, smoker: 0 });
      assert.deepEqual(await store().getRecord('vitals', 'p1'), { patient_id: 'p1', event_time: '2020-01-02T00:00:00Z', bmi: 30.5, smoker: 1 });
      await store().putRecord('vitals', { patient_id: 'p1', event_time: '2020-01-03T00:00:00Z', bmi: 31 });
      assert.deepEqual(await store().getRecord('vitals', 'p1', { featureNames: ['bmi', 'smoker'] }), { bmi: 31 });
      assert.equal(await store().getRecord('vitals', 'nobody'), undefined);
    });

    it('refuses a bad record naming the feature and value, and writes nothing for it', async () => {
      await create('vitals');
      await assert.rejects(store().putRecord('vitals', { patient_id: 'p1', event_time: '2020-01-01T00:00:00Z', smoker: 'yes' }), {
        code: 'invalid-input',
        message: /"smoker" = "yes" is not an Integral/,
      });
      await assert.rejects(store().putRecord('vitals', { patient_id: 'p1', event_time: '2020-01-01T00:00:00Z', height: 1 }), { code: 'invalid-input', message: /height/ });
      await assert.rejects(store().putRecord('vitals', { patient_id: 'p1', bmi: 1 }), { code: 'invalid-input', message: /event_time/ });
      assert.equal(await store().getRecord('vitals', 'p1'), undefined);
    });

    it('ingests good rows and reports each bad one by id with a reason: records = succeeded + failed', async () => {
      await create('vitals');
      const report = await store().ingest('vitals', [
        { patient_id: 'a', event_time: '2020-01-01T00:00:00Z', bmi: 21 },
        { patient_id: 'b', event_time: 'yesterday', bmi: 22 },
        { patient_id: 'c', event_time: '2020-01-01T00:00:00Z', smoker: 1.5 },
        { patient_id: 'd', event_time: '2020-01-01T00:00:00Z', smoker: 0 },
      ]);
      assert.equal(report.groupName, 'vitals');
      assert.equal(report.records, 4);
      assert.equal(report.succeeded, 2);
      assert.equal(report.records, report.succeeded + report.failed.length);
      assert.deepEqual(
        report.failed.map((f) => f.recordId),
        ['b', 'c'],
      );
      assert.match(report.failed[0]?.reason ?? '', /event_time/);
      assert.match(report.failed[1]?.reason ?? '', /smoker/);
      assert.deepEqual(await store().getRecord('vitals', 'd', { featureNames: ['smoker'] }), { smoker: 0 });
      assert.equal(await store().getRecord('vitals', 'b'), undefined);
    });

    it('ingestTable creates the group once; re-ingesting the same table succeeds again; a mismatched table is a conflict', async () => {
      const columns = [
        { name: 'patient_id', type: 'VARCHAR' },
        { name: 'event_time', type: 'VARCHAR' },
        { name: 'bmi', type: 'DOUBLE' },
        { name: 'smoker', type: 'BIGINT' },
      ];
      const options = { groupName: 'table-group', rows: ROWS, columns, recordIdentifierFeatureName: 'patient_id', eventTimeFeatureName: 'event_time' };
      const first = await store().ingestTable(options);
      const second = await store().ingestTable(options);
      assert.deepEqual([first.records, first.succeeded, first.failed.length], [3, 3, 0]);
      assert.deepEqual([second.records, second.succeeded, second.failed.length], [3, 3, 0]);
      assert.deepEqual(
        (await store().listFeatureGroups()).map((g) => g.name),
        ['table-group'],
      );
      await assert.rejects(store().ingestTable({ ...options, rows: [{ patient_id: 'p1', event_time: '2020-01-01T00:00:00Z', weight: 80 }], columns: undefined }), {
        code: 'conflict',
        message: /"weight" is not a feature/,
      });
    });

    it("ingestTable with onSchemaChange 'recreate' replaces a group whose columns changed: the new definitions, only the new table's records", async () => {
      const base = { groupName: 'derived', recordIdentifierFeatureName: 'patient_id', eventTimeFeatureName: 'event_time' };
      await store().ingestTable({ ...base, rows: [{ patient_id: 'p1', event_time: '2020-01-01T00:00:00Z', bmi: 22 }] });
      const report = await store().ingestTable({ ...base, rows: [{ patient_id: 'p2', event_time: '2020-01-01T00:00:00Z', weight: 80 }], onSchemaChange: 'recreate' });
      assert.deepEqual([report.records, report.succeeded], [1, 1]);
      const names = (await store().describeFeatureGroup('derived')).featureDefinitions.map((d) => d.name);
      assert.ok(names.includes('weight') && !names.includes('bmi'), names.join(', '));
      assert.equal(await store().getRecord('derived', 'p1'), undefined);
      assert.deepEqual(await store().getRecord('derived', 'p2', { featureNames: ['weight'] }), { weight: 80 });
    });

    it('builds a point-in-time training set from the offline store: the latest record at or before each base row, none from its future', async () => {
      await create('vitals');
      const report = await store().ingest('vitals', ROWS);
      assert.equal(report.succeeded, 3);
      const ds = await store().buildDataset({
        base: {
          rows: [
            { patient_id: 'p1', event_time: '2020-06-01T00:00:00Z' },
            { patient_id: 'p1', event_time: '2021-06-01T00:00:00Z' },
            { patient_id: 'p2', event_time: '2020-01-01T00:00:00Z' },
            { patient_id: 'p3', event_time: '2022-01-01T00:00:00Z' },
          ],
        },
        groups: ['vitals'],
        features: ['bmi', 'smoker'],
      });
      const got = ds.rows.map((r) => [r.patient_id, r.event_time, r.bmi ?? null, r.smoker === null || r.smoker === undefined ? null : Number(r.smoker)]);
      assert.deepEqual(
        got.sort((a, b) => `${String(a[0])}${String(a[1])}`.localeCompare(`${String(b[0])}${String(b[1])}`)),
        [
          ['p1', '2020-06-01T00:00:00Z', 20.5, 0],
          ['p1', '2021-06-01T00:00:00Z', 21.5, 1],
          ['p2', '2020-01-01T00:00:00Z', null, null],
          ['p3', '2022-01-01T00:00:00Z', null, null],
        ],
      );
      assert.equal(ds.rowCount, 4);
    });

    it('after re-ingesting the same rows, the offline store holds every write but latestOfflineRows one row per id and event time', async () => {
      await create('vitals');
      await store().ingest('vitals', ROWS);
      // A re-run is a later API call. (Two writes of one record in the same millisecond, flushed into the same
      // offline file, tie on api_invocation_time and write_time, and latestOfflineRowsSql then keeps both.)
      await new Promise((resolve) => setTimeout(resolve, 5));
      await store().ingest('vitals', [ROWS[0] ?? {}, ROWS[1] ?? {}, { ...ROWS[2], bmi: 31 }]);
      // buildDataset waits until the writes reached the offline store (AWS: within 15 minutes), as a reader must.
      const ds = await store().buildDataset({ base: { rows: [{ patient_id: 'p2', event_time: '2020-07-01T00:00:00Z' }] }, groups: ['vitals'], features: ['bmi'] });
      assert.deepEqual(
        ds.rows.map((r) => r.bmi),
        [31],
      );
      const sql = it_().sql;
      const raw = await sql.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${await store().offlineTable('vitals')}`);
      assert.equal(Number(raw[0]?.n), 6);
      const latest = await sql.query<{ patient_id: string; event_time: string; bmi: unknown }>(
        `SELECT patient_id, event_time, bmi FROM ${await store().latestOfflineRows('vitals')} t ORDER BY patient_id, event_time`,
      );
      assert.deepEqual(
        latest.map((r) => [r.patient_id, r.event_time, Number(r.bmi)]),
        [
          ['p1', '2020-01-01T00:00:00Z', 20.5],
          ['p1', '2021-01-01T00:00:00Z', 21.5],
          ['p2', '2020-06-01T00:00:00Z', 31],
        ],
      );
    });
  });
}
