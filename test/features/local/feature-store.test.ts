import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixedClock } from '../../../src/features/clock';
import { LocalFeatureStore } from '../../../src/features/local/local-feature-store';
import { silentProgress } from '../../../src/progress';
import { DuckDbEngine } from '../../../src/sql/duckdb-engine';
import type { FeatureDefinition } from '../../../src/features/types';

const DEFS: FeatureDefinition[] = [
  { name: 'patient_id', type: 'String' },
  { name: 'event_time', type: 'String' },
  { name: 'bmi', type: 'Fractional' },
  { name: 'smoker', type: 'Integral' },
  { name: 'note', type: 'String' },
];

async function withStore(fn: (store: LocalFeatureStore, engine: DuckDbEngine) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-fs-'));
  const engine = await DuckDbEngine.create({ path: path.join(dir, 'mmh.duckdb') });
  const store = new LocalFeatureStore({ engine, dir: path.join(dir, 'feature-store'), progress: silentProgress, clock: fixedClock(new Date('2030-01-01T00:00:00Z')) });
  try {
    await fn(store, engine);
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function createVitals(store: LocalFeatureStore): Promise<string> {
  const desc = await store.createFeatureGroup({
    name: 'vitals',
    recordIdentifierFeatureName: 'patient_id',
    eventTimeFeatureName: 'event_time',
    featureDefinitions: DEFS,
    description: 'test vitals',
  });
  assert.ok(desc.offlineStore);
  return desc.offlineStore.tableName;
}

describe('LocalFeatureStore (contract)', () => {
  it('creates, describes, lists and deletes groups', async () => {
    await withStore(async (store) => {
      const table = await createVitals(store);
      assert.match(table, /^vitals_\d+$/);
      const d = await store.describeFeatureGroup('vitals');
      assert.equal(d.status, 'Created');
      assert.equal(d.recordIdentifierFeatureName, 'patient_id');
      assert.deepEqual(d.featureDefinitions, DEFS);
      assert.equal(d.description, 'test vitals');
      assert.deepEqual(
        (await store.listFeatureGroups()).map((g) => g.name),
        ['vitals'],
      );
      await assert.rejects(store.createFeatureGroup({ name: 'Vitals', recordIdentifierFeatureName: 'patient_id', eventTimeFeatureName: 'event_time', featureDefinitions: DEFS }), {
        code: 'conflict',
      });
      await store.deleteFeatureGroup('vitals');
      await assert.rejects(store.describeFeatureGroup('vitals'), { code: 'not-found' });
      assert.deepEqual(await store.listFeatureGroups(), []);
    });
  });

  it('keeps the latest record online; an older event time goes offline only', async () => {
    await withStore(async (store, engine) => {
      const table = await createVitals(store);
      await store.putRecord('vitals', { patient_id: 'p1', event_time: '2020-01-02T00:00:00Z', bmi: 30.5, smoker: 1 });
      await store.putRecord('vitals', { patient_id: 'p1', event_time: '2020-01-01T00:00:00Z', bmi: 20, smoker: 0 });
      assert.deepEqual(await store.getRecord('vitals', 'p1'), { patient_id: 'p1', event_time: '2020-01-02T00:00:00Z', bmi: 30.5, smoker: 1 });
      await store.putRecord('vitals', { patient_id: 'p1', event_time: '2020-01-03T00:00:00.500Z', bmi: 31 });
      assert.deepEqual(await store.getRecord('vitals', 'p1', { featureNames: ['bmi', 'smoker'] }), { bmi: 31 });
      const off = await engine.query<{ bmi: number; is_deleted: boolean; write_time: Date; api_invocation_time: Date }>(
        `SELECT bmi, is_deleted, write_time, api_invocation_time FROM "${table}" ORDER BY api_invocation_time`,
      );
      assert.deepEqual(
        off.map((r) => r.bmi),
        [30.5, 20, 31],
      );
      assert.ok(off.every((r) => !r.is_deleted && r.write_time >= r.api_invocation_time));
      assert.equal(await store.getRecord('vitals', 'nobody'), undefined);
    });
  });

  it('rejects bad records naming the feature and value', async () => {
    await withStore(async (store) => {
      await createVitals(store);
      await assert.rejects(store.putRecord('vitals', { event_time: '2020-01-01T00:00:00Z' }), /no identifier "patient_id"/);
      await assert.rejects(store.putRecord('vitals', { patient_id: 'p', bmi: 1 }), /no event time "event_time"/);
      await assert.rejects(store.putRecord('vitals', { patient_id: 'p', event_time: '2020-01-01', bmi: 1 }), /"event_time" = "2020-01-01" is not a SageMaker event time/);
      await assert.rejects(store.putRecord('vitals', { patient_id: 'p', event_time: '2020-01-01T00:00:00Z', smoker: 1.5 }), /"smoker" = 1.5 is not an Integral/);
      await assert.rejects(store.putRecord('vitals', { patient_id: 'p', event_time: '2020-01-01T00:00:00Z', bmi: 'tall' }), /"bmi" = "tall" is not a finite Fractional/);
      await assert.rejects(store.putRecord('vitals', { patient_id: 'p', event_time: '2020-01-01T00:00:00Z', height: 1 }), /unknown feature "height"/);
    });
  });

  it('ingests a table reporting failed rows while the good ones land', async () => {
    await withStore(async (store) => {
      await createVitals(store);
      const report = await store.ingest(
        'vitals',
        [
          { patient_id: 'a', event_time: '2020-01-01T00:00:00Z', bmi: 21 },
          { patient_id: 'b', event_time: 'yesterday', bmi: 22 },
          { event_time: '2020-01-01T00:00:00Z', bmi: 23 },
          { patient_id: 'c', event_time: '2020-01-01T00:00:00Z', smoker: 2 },
        ],
        { batchSize: 2 },
      );
      assert.equal(report.records, 4);
      assert.equal(report.succeeded, 2);
      assert.deepEqual(
        report.failed.map((f) => f.recordId),
        ['b', 'row 3'],
      );
      assert.match(report.failed[0]?.reason ?? '', /event_time/);
      const got = await store.batchGetRecord([
        { groupName: 'vitals', recordIds: ['a', 'b', 'c'] },
        { groupName: 'nope', recordIds: ['a'] },
      ]);
      assert.deepEqual(
        got.records.map((r) => r.recordId),
        ['a', 'c'],
      );
      assert.deepEqual(
        got.errors.map((e) => [e.groupName, e.errorCode]),
        [['nope', 'ResourceNotFound']],
      );
    });
  });
});

describe('LocalFeatureStore re-ingest', () => {
  it('latestOfflineRows keeps one row per id and event time (the latest write); the raw offline table keeps every write', async () => {
    await withStore(async (store, engine) => {
      const table = await createVitals(store);
      const rows = [
        { patient_id: 'p1', event_time: '2020-01-01T00:00:00Z', bmi: 20, smoker: 0, note: 'a' },
        { patient_id: 'p1', event_time: '2021-01-01T00:00:00Z', bmi: 21, smoker: 0, note: 'b' },
        { patient_id: 'p2', event_time: '2020-06-01T00:00:00Z', bmi: 30, smoker: 1, note: 'c' },
      ];
      await store.ingest('vitals', rows);
      await store.ingest('vitals', [...rows.slice(0, 2), { ...rows[2], bmi: 31 }]);
      const raw = await engine.query<{ n: bigint }>(`SELECT count(*) AS n FROM ${table}`);
      assert.equal(Number(raw[0]?.n), 6);
      const latest = await store.latestOfflineRows('vitals');
      const got = await engine.query<{ patient_id: string; event_time: string; bmi: number }>(`SELECT patient_id, event_time, bmi FROM ${latest} t ORDER BY patient_id, event_time`);
      assert.deepEqual(
        got.map((r) => [r.patient_id, r.event_time, r.bmi]),
        [
          ['p1', '2020-01-01T00:00:00Z', 20],
          ['p1', '2021-01-01T00:00:00Z', 21],
          ['p2', '2020-06-01T00:00:00Z', 31],
        ],
      );
      await store.deleteRecord('vitals', 'p2', '2020-06-01T00:00:00Z');
      const after = await engine.query<{ patient_id: string }>(`SELECT patient_id FROM ${await store.latestOfflineRows('vitals')} t`);
      assert.deepEqual(after.map((r) => r.patient_id).sort(), ['p1', 'p1']);
    });
  });
});

describe('LocalFeatureStore deletes', () => {
  it('soft delete hides the record online and appends a marker; an older put cannot resurrect it', async () => {
    await withStore(async (store, engine) => {
      const table = await createVitals(store);
      await store.putRecord('vitals', { patient_id: 'p1', event_time: '2020-01-02T00:00:00Z', bmi: 30 });
      await store.deleteRecord('vitals', 'p1', '2020-01-03T00:00:00Z');
      assert.equal(await store.getRecord('vitals', 'p1'), undefined);
      await store.putRecord('vitals', { patient_id: 'p1', event_time: '2020-01-02T12:00:00Z', bmi: 31 });
      assert.equal(await store.getRecord('vitals', 'p1'), undefined);
      await store.putRecord('vitals', { patient_id: 'p1', event_time: '2020-01-04T00:00:00Z', bmi: 32 });
      assert.deepEqual(await store.getRecord('vitals', 'p1', { featureNames: ['bmi'] }), { bmi: 32 });
      const marker = await engine.query(`SELECT patient_id, event_time, bmi, is_deleted FROM "${table}" WHERE is_deleted`);
      assert.deepEqual(marker, [{ patient_id: 'p1', event_time: '2020-01-03T00:00:00Z', bmi: null, is_deleted: true }]);
    });
  });

  it('soft delete older than the stored record keeps it online but still writes the marker', async () => {
    await withStore(async (store, engine) => {
      const table = await createVitals(store);
      await store.putRecord('vitals', { patient_id: 'p1', event_time: '2020-01-05T00:00:00Z', bmi: 30 });
      await store.deleteRecord('vitals', 'p1', '2020-01-01T00:00:00Z');
      assert.deepEqual(await store.getRecord('vitals', 'p1', { featureNames: ['bmi'] }), { bmi: 30 });
      const [n] = await engine.query<{ n: number }>(`SELECT count(*) AS n FROM "${table}" WHERE is_deleted`);
      assert.equal(n?.n, 1);
    });
  });

  it('hard delete removes the record; a hard delete not newer is refused without a marker', async () => {
    await withStore(async (store, engine) => {
      const table = await createVitals(store);
      await store.putRecord('vitals', { patient_id: 'p1', event_time: '2020-01-05T00:00:00Z', bmi: 30 });
      await assert.rejects(store.deleteRecord('vitals', 'p1', '2020-01-05T00:00:00Z', { mode: 'HardDelete' }), { code: 'conflict' });
      const [before] = await engine.query<{ n: number }>(`SELECT count(*) AS n FROM "${table}" WHERE is_deleted`);
      assert.equal(before?.n, 0);
      await store.deleteRecord('vitals', 'p1', new Date('2020-01-06T00:00:00Z'), { mode: 'HardDelete' });
      assert.equal(await store.getRecord('vitals', 'p1'), undefined);
      await store.putRecord('vitals', { patient_id: 'p1', event_time: '2020-01-02T00:00:00Z', bmi: 11 });
      // Hard delete leaves no tombstone: any later put is the record again.
      assert.deepEqual(await store.getRecord('vitals', 'p1', { featureNames: ['bmi'] }), { bmi: 11 });
    });
  });
});
