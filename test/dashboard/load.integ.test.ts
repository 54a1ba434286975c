import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openWorkspace } from '../../src/workspace';
import type { Workspace } from '../../src/workspace';
import { silentProgress } from '../../src/progress';
import { loadDashboardInput } from '../../src/dashboard/load';
import { dashboardStep, parseDashboardArgs, runDashboardCommand } from '../../src/dashboard/command';
import { writeDashboard } from '../../src/dashboard/write';
import { tmpDir } from '../helpers/tmp';

describe('dashboard from a workspace (real DuckDB)', () => {
  let root: string;
  let ws: Workspace;
  before(async () => {
    root = tmpDir('dashws');
    ws = await openWorkspace({ dir: path.join(root, 'ws'), create: true, progress: silentProgress, env: {} });
  });
  after(async () => {
    await ws.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('renders with no stores at all: every sheet says why it is empty', async () => {
    const input = await loadDashboardInput(ws, { asOf: '2026-01-01' });
    assert.equal(input.patients.length, 0);
    assert.match(input.notes?.clinical ?? '', /no data yet/);
    assert.match(input.notes?.genomic ?? '', /no data yet/);
    const site = await writeDashboard(ws, { asOf: '2026-01-01' });
    assert.equal(site.sheetsWithData, 0);
    assert.ok(fs.existsSync(ws.path('dashboard', 'index.html')));
    const step = await dashboardStep.run(ws);
    assert.deepEqual(step.counts, { patients: 0, sheets: 0 });
  });

  it('reads HealthLake-shaped FHIR tables through ws.sql', async () => {
    await ws.sql.query(`CREATE TABLE patient AS SELECT * FROM (VALUES
      ('p1', 'female', DATE '1950-03-01', NULL::TIMESTAMP, [{'family': 'Doe', 'given': ['<b>Jane</b>']}], [{'line': ['1 Main St'], 'city': 'Springfield'}]),
      ('p2', 'male', DATE '1980-07-15', NULL::TIMESTAMP, [{'family': 'Roe', 'given': ['Rick']}], [{'line': ['2 High St'], 'city': 'Shelby'}])
    ) t(id, gender, birthdate, deceaseddatetime, name, address)`);
    await ws.sql.query(`CREATE TABLE condition AS SELECT * FROM (VALUES
      ({'reference': 'Patient/p1'}, {'coding': [{'system': 'http://snomed.info/sct', 'code': '59621000', 'display': 'Essential hypertension'}], 'text': NULL::VARCHAR}, TIMESTAMP '2010-01-01 00:00:00'),
      ({'reference': 'Patient/p2'}, {'coding': [{'system': 'http://snomed.info/sct', 'code': '162864005', 'display': 'Obesity'}], 'text': NULL::VARCHAR}, TIMESTAMP '2015-01-01 00:00:00')
    ) t(subject, code, onsetdatetime)`);
    await ws.sql.query(`CREATE TABLE observation AS SELECT * FROM (VALUES
      ({'reference': 'Patient/p1'}, {'coding': [{'system': 'http://loinc.org', 'code': '8480-6', 'display': 'Systolic blood pressure'}], 'text': NULL::VARCHAR}, {'value': 151.0, 'unit': 'mm[Hg]'}, TIMESTAMP '2020-01-01 09:00:00'),
      ({'reference': 'Patient/p2'}, {'coding': [{'system': 'http://loinc.org', 'code': '8480-6', 'display': 'Systolic blood pressure'}], 'text': NULL::VARCHAR}, {'value': 118.0, 'unit': 'mm[Hg]'}, TIMESTAMP '2020-02-01 09:00:00')
    ) t(subject, code, valuequantity, effectivedatetime)`);
    await ws.sql.query(`CREATE TABLE encounter AS SELECT * FROM (VALUES
      ({'reference': 'Patient/p1'}, [{'text': 'wellness'}], {'code': 'AMB'}, {'start': TIMESTAMP '2020-01-01 09:00:00'})
    ) t(subject, type, class, period)`);
    const input = await loadDashboardInput(ws, { asOf: '2026-01-01' });
    assert.deepEqual(
      input.patients.map((p) => [p.id, p.sex, p.birthDate, p.outcomes]),
      [
        ['p1', 'female', '1950-03-01', ['hypertension']],
        ['p2', 'male', '1980-07-15', []],
      ],
    );
    assert.equal(input.patients[0]?.name, undefined, 'names only when asked for');
    assert.deepEqual(
      input.observations.map((o) => [o.patientId, o.value]),
      [
        ['p1', 151],
        ['p2', 118],
      ],
    );
    assert.deepEqual(input.encounters, [{ patientId: 'p1', type: 'wellness', start: '2020-01-01 09:00:00' }]);
    const withIds = await loadDashboardInput(ws, { asOf: '2026-01-01', includeIdentifiers: true });
    const jane = withIds.patients[0];
    assert.ok(jane !== undefined);
    assert.equal(jane.name, '<b>Jane</b> Doe');
    assert.equal(jane.address, '1 Main St, Springfield');
    const { site } = await runDashboardCommand(ws, ['--out', path.join(root, 'site')], () => undefined);
    assert.equal(site.patients, 2);
    assert.equal(site.sheetsWithData, 1);
    const rec = fs.readFileSync(path.join(root, 'site', 'patients', '0.js'), 'utf8');
    assert.ok(!rec.includes('Jane'));
  });

  it('optional elements nobody carries give empty columns; the patients still show', async () => {
    const bare = await openWorkspace({ dir: path.join(root, 'bare'), create: true, progress: silentProgress, env: {} });
    try {
      // No address, no name, no deceased; encounters without type.text; observations without valueQuantity.
      await bare.sql.query(`CREATE TABLE patient AS SELECT * FROM (VALUES ('q1', 'female', DATE '1960-01-01'), ('q2', 'male', DATE '1970-01-01')) t(id, gender, birthdate)`);
      await bare.sql.query(
        `CREATE TABLE encounter AS SELECT * FROM (VALUES ({'reference': 'Patient/q1'}, [{'coding': [{'code': '185349003'}]}], {'code': 'AMB'}, {'start': TIMESTAMP '2020-01-01 09:00:00'})) t(subject, type, class, period)`,
      );
      await bare.sql.query(
        `CREATE TABLE observation AS SELECT * FROM (VALUES ({'reference': 'Patient/q1'}, {'coding': [{'code': '72166-2', 'display': 'Tobacco smoking status'}]}, {'text': 'Never smoked'}, TIMESTAMP '2020-01-01 09:00:00')) t(subject, code, valuecodeableconcept, effectivedatetime)`,
      );
      const input = await loadDashboardInput(bare, { asOf: '2026-01-01', includeIdentifiers: true });
      assert.deepEqual(
        input.patients.map((p) => [p.id, p.name, p.address, p.deathDate]),
        [
          ['q1', '', '', null],
          ['q2', '', '', null],
        ],
      );
      assert.deepEqual(input.encounters, [{ patientId: 'q1', type: 'AMB', start: '2020-01-01 09:00:00' }], 'class.code stands in for the missing type.text');
      assert.deepEqual(input.observations, []);
      const { site } = await runDashboardCommand(bare, ['--out', path.join(root, 'bare-site'), '--include-identifiers'], () => undefined);
      assert.equal(site.patients, 2);
    } finally {
      await bare.close();
    }
  });

  it('an unexpected query failure fails the load with its reason instead of showing 0 patients', async () => {
    const broken = await openWorkspace({ dir: path.join(root, 'broken'), create: true, progress: silentProgress, env: {} });
    try {
      // A patient "table" whose rows cannot be read: the view casts a text to a date when queried.
      await broken.sql.query(`CREATE VIEW patient AS SELECT 'r1' AS id, 'female' AS gender, CAST('not a date' AS DATE) AS birthdate`);
      await assert.rejects(loadDashboardInput(broken, { asOf: '2026-01-01' }), (e: unknown) => {
        assert.equal((e as { code?: string }).code, 'query-failed');
        assert.match((e as Error).message, /reading patients failed: .*not a date/i);
        return true;
      });
      await assert.rejects(
        runDashboardCommand(broken, ['--out', path.join(root, 'broken-site')], () => undefined),
        /reading patients failed/,
      );
    } finally {
      await broken.close();
    }
  });

  it('reads one latest record per patient and event time from a feature table (re-running a step changes nothing)', async () => {
    const fs1 = await openWorkspace({ dir: path.join(root, 'fs'), create: true, progress: silentProgress, env: {} });
    try {
      await fs1.sql.query(`CREATE TABLE patient AS SELECT * FROM (VALUES ('a', 'female', DATE '1960-01-01'), ('b', 'male', DATE '1970-01-01')) t(id, gender, birthdate)`);
      const rows = (
        rerun: boolean,
      ): string => `('a', '2020-01-01T00:00:00Z', 's1', ${rerun ? '11.0' : '10.0'}, TIMESTAMP '${rerun ? '2026-02-01' : '2026-01-01'} 00:00:00', TIMESTAMP '2026-01-01 00:00:00', false),
        ('b', '2020-01-01T00:00:00Z', 's2', 20.0, TIMESTAMP '${rerun ? '2026-02-01' : '2026-01-01'} 00:00:00', TIMESTAMP '2026-01-01 00:00:00', false)`;
      await fs1.sql.query(
        `CREATE TABLE imaging_features_1 AS SELECT * FROM (VALUES ${rows(false)}) t(patient_id, event_time, image_set_id, brain_volume, write_time, api_invocation_time, is_deleted)`,
      );
      const once = await loadDashboardInput(fs1, { asOf: '2026-01-01' });
      await fs1.sql.query(`INSERT INTO imaging_features_1 VALUES ${rows(true)}`);
      const twice = await loadDashboardInput(fs1, { asOf: '2026-01-01' });
      assert.equal(once.radiomics.length, 2);
      assert.equal(twice.radiomics.length, 2, 'the re-run appended versions, not new records');
      assert.deepEqual(twice.radiomics.map((r) => [r.patientId, r.features.brain_volume]).sort(), [
        ['a', 11],
        ['b', 20],
      ]);
      assert.deepEqual(Object.keys(twice.radiomics[0]?.features ?? {}), ['brain_volume']);
    } finally {
      await fs1.close();
    }
  });

  it('reads APOE genotypes from the rs429358 / rs7412 rows only, and hands over the patient ids before the other tables', async () => {
    const g = await openWorkspace({ dir: path.join(root, 'apoe'), create: true, progress: silentProgress, env: {} });
    try {
      await g.sql.query(
        `CREATE TABLE patient AS SELECT * FROM (VALUES ('s1', 'female', DATE '1960-01-01'), ('s2', 'male', DATE '1970-01-01'), ('s3', 'male', DATE '1980-01-01')) t(id, gender, birthdate)`,
      );
      const row = (sample: string, pos: number, names: string, calls: string): string => `('${sample}', ${calls}, MAP {'DP': '30'}, ${names}, '19', ${String(pos)}, 'T', ['C'])`;
      // s1: ε3/ε4; s2: ε2/ε3 (its rs7412 listed beside another id); s3 only other SNPs (no APOE row: no genotype).
      await g.sql.query(
        `CREATE TABLE omicsvariants AS SELECT * FROM (VALUES ${[
          row('s1', 44908683, "['rs429358']", '[0, 1]'),
          row('s1', 44908821, "['rs7412']", '[0, 0]'),
          row('s1', 100, "['rs999']", '[1, 1]'),
          row('s2', 44908821, "['rs0', 'rs7412']", '[1, 0]'),
          row('s3', 200, "['rs429358x']", '[1, 1]'),
          row('s3', 300, 'CAST([] AS VARCHAR[])', '[1, 1]'),
        ].join(', ')}) t(sampleid, calls, attributes, names, contigname, start, referenceallele, alternatealleles)`,
      );
      const seen: string[][] = [];
      let queriesBefore = -1;
      const sent: string[] = [];
      const query = g.sql.query.bind(g.sql);
      g.sql.query = async (sql: string, params?: never) => {
        sent.push(sql);
        return query(sql, params);
      };
      const input = await loadDashboardInput(g, {
        asOf: '2026-01-01',
        onPatientIds: (ids) => {
          seen.push([...ids].sort());
          queriesBefore = sent.length;
        },
      });
      assert.deepEqual(seen, [['s1', 's2', 's3']], 'called once, with every patient');
      assert.ok(sent[queriesBefore - 1]?.includes('FROM patient') === true && queriesBefore < sent.length, 'right after the patients were read');
      assert.deepEqual(input.apoe, [
        { patientId: 's1', genotype: 'e3/e4' },
        { patientId: 's2', genotype: 'e2/e3' },
      ]);
      assert.deepEqual(
        input.patients.map((p) => [p.id, p.modalities]),
        [
          ['s1', ['clinical', 'genomic']],
          ['s2', ['clinical', 'genomic']],
          ['s3', ['clinical']],
        ],
      );
    } finally {
      await g.close();
    }
  });

  it('parses the command arguments', () => {
    assert.deepEqual(parseDashboardArgs(['--serve', '--include-identifiers', '--port', '9000']), { serve: true, includeIdentifiers: true, port: 9000 });
    assert.throws(() => parseDashboardArgs(['--port', 'x']), /not a port/);
    assert.throws(() => parseDashboardArgs(['--nope']), /unknown option/);
  });
});
