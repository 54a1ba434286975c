import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openWorkspace } from '../../src/workspace';
import type { Workspace } from '../../src/workspace';
import { silentProgress } from '../../src/progress';
import { valuesRelation } from '../../src/features/dataset';

async function withWorkspace(fn: (ws: Workspace) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-ds-'));
  const ws = await openWorkspace({ dir, create: true, backend: 'local', progress: silentProgress, env: {} });
  try {
    await fn(ws);
  } finally {
    await ws.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('ws.features.ingestTable', () => {
  it('infers definitions, creates the group, ingests, and is idempotent online', async () => {
    await withWorkspace(async (ws) => {
      const rows = await ws.sql.queryResult(
        `SELECT * FROM (VALUES ('p1', TIMESTAMP '2020-01-01 00:00:00', 27.5, 1, 'A'), ('p2', TIMESTAMP '2020-02-01 00:00:00', 31.0, 0, NULL)) AS t(patient_id, event_time, bmi, smoker, grade)`,
      );
      const report = await ws.features.ingestTable({
        groupName: 'clinical-features',
        rows: rows.rows,
        columns: rows.columns,
        recordIdentifierFeatureName: 'patient_id',
        eventTimeFeatureName: 'event_time',
        description: 'clinical',
      });
      assert.deepEqual(report, { groupName: 'clinical-features', records: 2, succeeded: 2, failed: [] });
      const desc = await ws.features.describeFeatureGroup('clinical-features');
      assert.deepEqual(desc.featureDefinitions, [
        { name: 'patient_id', type: 'String' },
        { name: 'event_time', type: 'String' },
        { name: 'bmi', type: 'Fractional' },
        { name: 'smoker', type: 'Integral' },
        { name: 'grade', type: 'String' },
      ]);
      assert.deepEqual(await ws.features.getRecord('clinical-features', 'p2'), { patient_id: 'p2', event_time: '2020-02-01T00:00:00.000Z', bmi: 31, smoker: 0 });
      const again = await ws.features.ingestTable({ groupName: 'clinical-features', rows: rows.rows, recordIdentifierFeatureName: 'patient_id', eventTimeFeatureName: 'event_time' });
      assert.equal(again.succeeded, 2);
      const table = await ws.features.offlineTable('clinical-features');
      const [n] = await ws.sql.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`);
      assert.equal(n?.n, 4);
      await assert.rejects(
        ws.features.ingestTable({
          groupName: 'clinical-features',
          rows: [{ patient_id: 'p3', event_time: '2020-01-01', height: 170 }],
          recordIdentifierFeatureName: 'patient_id',
          eventTimeFeatureName: 'event_time',
        }),
        { code: 'conflict', message: /column "height" is not a feature of the group/ },
      );
    });
  });
});

describe('ws.features.buildDataset (point-in-time)', () => {
  async function setup(ws: Workspace): Promise<void> {
    await ws.features.createFeatureGroup({
      name: 'labs',
      recordIdentifierFeatureName: 'patient_id',
      eventTimeFeatureName: 'event_time',
      featureDefinitions: [
        { name: 'patient_id', type: 'String' },
        { name: 'event_time', type: 'String' },
        { name: 'ldl', type: 'Fractional' },
      ],
    });
    await ws.features.createFeatureGroup({
      name: 'genomic',
      recordIdentifierFeatureName: 'patient_id',
      eventTimeFeatureName: 'ts',
      featureDefinitions: [
        { name: 'patient_id', type: 'String' },
        { name: 'ts', type: 'Fractional' },
        { name: 'apoe4', type: 'Integral' },
        { name: 'ldl', type: 'Fractional' },
      ],
      onlineStore: { enable: false },
    });
    await ws.features.ingest('labs', [
      { patient_id: 'p1', event_time: '2020-01-01T00:00:00Z', ldl: 100 },
      // Changes after p1's index date (2020-06-01): must not leak into the training row.
      { patient_id: 'p1', event_time: '2020-09-01T00:00:00Z', ldl: 190 },
      { patient_id: 'p2', event_time: '2020-03-01T00:00:00Z', ldl: 120 },
      { patient_id: 'p3', event_time: '2021-01-01T00:00:00Z', ldl: 150 },
    ]);
    await ws.features.ingest('genomic', [
      { patient_id: 'p1', ts: Date.parse('2019-01-01T00:00:00Z') / 1000, apoe4: 1, ldl: 1 },
      { patient_id: 'p2', ts: Date.parse('2019-01-01T00:00:00Z') / 1000, apoe4: 0, ldl: 2 },
    ]);
  }

  const base = [
    { patient_id: 'p1', event_time: '2020-06-01T00:00:00Z', label: 1 },
    { patient_id: 'p2', event_time: '2020-06-01T00:00:00Z', label: 0 },
    { patient_id: 'p3', event_time: '2020-06-01T00:00:00Z', label: 0 },
  ];

  it('takes each group as of the base row event time, never from the future', async () => {
    await withWorkspace(async (ws) => {
      await setup(ws);
      const ds = await ws.features.buildDataset({ base: { rows: base }, groups: ['labs', 'genomic'] });
      assert.deepEqual(
        ds.columns.map((c) => c.name),
        ['patient_id', 'event_time', 'label', 'labs.ldl', 'apoe4', 'genomic.ldl'],
      );
      assert.deepEqual(ds.rows, [
        { patient_id: 'p1', event_time: '2020-06-01T00:00:00Z', label: 1, 'labs.ldl': 100, apoe4: 1, 'genomic.ldl': 1 },
        { patient_id: 'p2', event_time: '2020-06-01T00:00:00Z', label: 0, 'labs.ldl': 120, apoe4: 0, 'genomic.ldl': 2 },
        { patient_id: 'p3', event_time: '2020-06-01T00:00:00Z', label: 0, 'labs.ldl': null, apoe4: null, 'genomic.ldl': null },
      ]);
      assert.equal(ds.featureSources['labs.ldl'], 'labs.ldl');
      const inner = await ws.features.buildDataset({ base: { rows: base }, groups: ['labs'], features: ['ldl'], joinType: 'inner' });
      assert.deepEqual(
        inner.rows.map((r) => [r.patient_id, r.ldl]),
        [
          ['p1', 100],
          ['p2', 120],
        ],
      );
    });
  });

  it('gives each base row of one patient its own as-of value, from a base table', async () => {
    await withWorkspace(async (ws) => {
      await setup(ws);
      await ws.sql.query(
        `CREATE TABLE idx AS SELECT * FROM (VALUES ('p1', TIMESTAMP '2020-02-01 00:00:00'), ('p1', TIMESTAMP '2020-10-01 00:00:00'), ('p1', TIMESTAMP '2019-06-01 00:00:00')) AS t(patient_id, index_date)`,
      );
      const ds = await ws.features.buildDataset({ base: { table: 'idx', eventTimeName: 'index_date' }, groups: ['labs'], features: ['labs.ldl'] });
      assert.deepEqual(
        ds.rows.map((r) => [(r.index_date as Date).toISOString().slice(0, 10), r.ldl]),
        [
          ['2019-06-01', null],
          ['2020-02-01', 100],
          ['2020-10-01', 190],
        ],
      );
    });
  });

  it('drops deleted records unless includeDeletedRecords, and dedups unless includeDuplicatedRecords', async () => {
    await withWorkspace(async (ws) => {
      await setup(ws);
      // A correction at the same event time: the later write wins after dedup.
      await ws.features.putRecord('labs', { patient_id: 'p2', event_time: '2020-03-01T00:00:00Z', ldl: 125 });
      await ws.features.deleteRecord('labs', 'p1', '2020-02-01T00:00:00Z');
      const q = { base: { rows: base }, groups: ['labs'], features: ['ldl'] } as const;
      const plain = await ws.features.buildDataset(q);
      assert.deepEqual(
        plain.rows.map((r) => [r.patient_id, r.ldl]),
        [
          ['p1', null],
          ['p2', 125],
          ['p3', null],
        ],
      );
      const withDeleted = await ws.features.buildDataset({ ...q, includeDeletedRecords: true });
      assert.deepEqual(
        withDeleted.rows.map((r) => [r.patient_id, r.ldl]),
        [
          ['p1', 100],
          ['p2', 125],
          ['p3', null],
        ],
      );
      const withDup = await ws.features.buildDataset({ ...q, includeDuplicatedRecords: true, includeDeletedRecords: true });
      assert.deepEqual(withDup.rows.map((r) => [r.patient_id, r.ldl]).sort(), [
        ['p1', 100],
        ['p2', 120],
        ['p2', 125],
        ['p3', null],
      ]);
      const asOf = await ws.features.buildDataset({ ...q, asOf: new Date('2000-01-01T00:00:00Z') });
      assert.ok(asOf.rows.every((r) => r.ldl === null));
      const into = await ws.features.buildDataset({ ...q, into: 'training_set' });
      assert.equal(into.rowCount, 3);
      const [n] = await ws.sql.query<{ n: number }>('SELECT count(*) AS n FROM training_set');
      assert.equal(n?.n, 3);
    });
  });

  it('inlines base rows as SQL literals: no ? parameter inside VALUES (Athena binds parameters only in WHERE)', async () => {
    await withWorkspace(async (ws) => {
      await setup(ws);
      const rows = [
        { patient_id: 'p1', event_time: '2020-06-01T00:00:00Z', label: 1, note: "O'Brien", weight: 0.25, flag: true },
        { patient_id: 'p2', event_time: '2020-06-01T00:00:00Z', label: 0, note: null, weight: 2, flag: false },
      ];
      const ds = await ws.features.buildDataset({ base: { rows }, groups: ['labs'], features: ['ldl'], asOf: new Date('2030-01-01T00:00:00Z') });
      const values = ds.sql.slice(ds.sql.indexOf('VALUES'), ds.sql.indexOf(') AS v('));
      assert.ok(values.length > 0 && !values.includes('?'), values);
      // The one parameter left is asOf's, in a WHERE clause.
      assert.deepEqual(ds.params, [new Date('2030-01-01T00:00:00Z')]);
      assert.equal(ds.sql.split('?').length - 1, 1);
      assert.match(ds.sql, /WHERE o\.write_time <= \?/);
      assert.deepEqual(
        ds.rows.map((r) => [r.patient_id, r.note, r.weight, r.flag, r.ldl]),
        [
          ['p1', "O'Brien", 0.25, true, 100],
          ['p2', null, 2, false, 120],
        ],
      );
      assert.equal(valuesRelation([{ id: "O'B", t: 1.5 }], ['id', 't']), `(SELECT * FROM (VALUES ('O''B', CAST(1.5 AS DOUBLE))) AS v("id", "t"))`);
    });
  });

  it('joins a time-invariant group (a germline genotype) whatever its event time; others stay point-in-time', async () => {
    await withWorkspace(async (ws) => {
      await setup(ws);
      // p1's genome was sequenced after the index date: a point-in-time join cannot see it, a time-invariant one can.
      await ws.features.ingest('genomic', [{ patient_id: 'p1', ts: Date.parse('2025-01-01T00:00:00Z') / 1000, apoe4: 2, ldl: 3 }]);
      const asOf = await ws.features.buildDataset({ base: { rows: base }, groups: ['labs', 'genomic'], features: ['labs.ldl', 'apoe4'] });
      assert.deepEqual(
        asOf.rows.map((r) => [r.patient_id, r.apoe4]),
        [
          ['p1', 1],
          ['p2', 0],
          ['p3', null],
        ],
      );
      const inv = await ws.features.buildDataset({ base: { rows: base }, groups: ['labs', 'genomic'], features: ['labs.ldl', 'apoe4'], timeInvariantGroups: ['genomic'] });
      assert.deepEqual(
        inv.rows.map((r) => [r.patient_id, r.ldl, r.apoe4]),
        [
          ['p1', 100, 2],
          ['p2', 120, 0],
          ['p3', null, null],
        ],
      );
    });
  });

  it('rejects unknown groups, ambiguous features and a base without the key', async () => {
    await withWorkspace(async (ws) => {
      await setup(ws);
      await assert.rejects(ws.features.buildDataset({ base: { rows: base }, groups: ['nope'] }), { code: 'not-found' });
      await assert.rejects(ws.features.buildDataset({ base: { rows: base }, groups: ['labs', 'genomic'], features: ['ldl'] }), /in several groups/);
      await assert.rejects(ws.features.buildDataset({ base: { rows: [{ id: 'p1', event_time: '2020-01-01T00:00:00Z' }] }, groups: ['labs'] }), /no column "patient_id"/);
    });
  });
});
