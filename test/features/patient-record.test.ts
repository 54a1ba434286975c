import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { modalityFunnel, patientRecord } from '../../src/features/patient-record';
import { silentProgress } from '../../src/progress';
import { modalityFunnelFigure, modalityUpsetFigure } from '../../src/viz/modality-overlap';
import { patientTimelineFigure, patientVitalsFigure } from '../../src/viz/patient-timeline';
import { openWorkspace } from '../../src/workspace';
import type { Workspace } from '../../src/workspace';

// Tables in the HealthLake Athena shape (lower-case names, structs, 1-based arrays, 'Patient/<id>' references)
// and the HealthOmics variant-store shape, as the clinical and genomic stores publish them.
const FIXTURE = `
CREATE TABLE patient AS SELECT * FROM (VALUES ('p1', 'female', '1950-03-01', NULL), ('p2', 'male', '1960-01-01', NULL), ('p3', 'male', '1970-01-01', NULL)) AS t(id, gender, birthdate, deceaseddatetime);
CREATE TABLE condition AS SELECT * FROM (VALUES
  ({'reference': 'Patient/p1'}, '2015-06-01T00:00:00Z', NULL, {'coding': [{'system': 'http://snomed.info/sct', 'code': '59621000', 'display': 'Essential hypertension'}]}),
  ({'reference': 'Patient/p2'}, '2018-01-01T00:00:00Z', NULL, {'coding': [{'system': 'http://snomed.info/sct', 'code': '230690007', 'display': 'Stroke'}]})
) AS t(subject, onsetdatetime, recordeddate, code);
CREATE TABLE observation AS SELECT * FROM (VALUES
  ({'reference': 'Patient/p1'}, '2016-01-01T00:00:00Z', {'coding': [{'code': '8480-6', 'display': 'Systolic blood pressure'}]}, {'value': 150.0, 'unit': 'mm[Hg]'}),
  ({'reference': 'Patient/p1'}, '2017-01-01T00:00:00Z', {'coding': [{'code': '8480-6', 'display': 'Systolic blood pressure'}]}, {'value': 141.0, 'unit': 'mm[Hg]'})
) AS t(subject, effectivedatetime, code, valuequantity);
CREATE TABLE medicationrequest AS SELECT * FROM (VALUES
  ({'reference': 'Patient/p1'}, '2015-07-01T00:00:00Z', {'coding': [{'code': '197361', 'display': 'amlodipine 5 MG'}]})
) AS t(subject, authoredon, medicationcodeableconcept);
CREATE TABLE imagingstudy AS SELECT * FROM (VALUES
  ({'reference': 'Patient/p1'}, '2019-02-01T00:00:00Z', [{'code': 'MR'}], 2, 128, 'MRI brain')
) AS t(subject, started, modality, numberofseries, numberofinstances, description);
CREATE TABLE omicsvariants AS SELECT * FROM (VALUES
  ('19', 44908683, 'T', ['C'], ['rs429358'], [0, 1], 'p1', MAP {'DB': 'true'}),
  ('19', 44908821, 'C', ['T'], ['rs7412'], [0, 0], 'p1', MAP {'DB': 'true'}),
  ('19', 44908683, 'T', ['C'], ['rs429358'], [1, 1], 'p2', MAP {'DB': 'true'})
) AS t(contigname, "start", referenceallele, alternatealleles, names, calls, sampleid, attributes);
CREATE TABLE omicsannotations AS SELECT * FROM (VALUES
  ('19', 44908683, 'T', ['C'], MAP {'CLNSIG': 'risk_factor'})
) AS t(contigname, "start", referenceallele, alternatealleles, attributes);
`;

async function withWorkspace(fn: (ws: Workspace) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-pr-'));
  const ws = await openWorkspace({ dir, create: true, backend: 'local', progress: silentProgress, env: {} });
  try {
    await fn(ws);
  } finally {
    await ws.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('patientRecord and modalityFunnel', () => {
  it('reports missing sources as issues instead of failing', async () => {
    await withWorkspace(async (ws) => {
      const rec = await patientRecord(ws, 'p1');
      assert.equal(rec.demographics, undefined);
      assert.deepEqual(rec.conditions, []);
      assert.ok(rec.issues.some((i) => i.section === 'genomic' && /notebook 01/.test(i.message)));
      assert.ok(rec.issues.some((i) => i.section === 'radiomics' && /not-found/.test(i.message)));
      const f = await modalityFunnel(ws);
      assert.equal(f.patients.length, 0);
      assert.ok(f.issues.length >= 3);
    });
  });

  it('flattens every modality of one patient, with no name or address', async () => {
    await withWorkspace(async (ws) => {
      await ws.duckdb?.exec(FIXTURE);
      await ws.features.ingestTable({
        groupName: 'imaging-features',
        rows: [{ patient_id: 'p1', event_time: '2019-02-01T00:00:00Z', original_shape_volume: 1234.5 }],
        recordIdentifierFeatureName: 'patient_id',
        eventTimeFeatureName: 'event_time',
      });
      const rec = await patientRecord(ws, 'p1');
      assert.deepEqual(rec.issues, []);
      assert.deepEqual(rec.demographics, { gender: 'female', birthDate: '1950-03-01', deceasedDateTime: null });
      assert.deepEqual(rec.conditions, [{ onset: '2015-06-01T00:00:00Z', code: '59621000', display: 'Essential hypertension' }]);
      assert.deepEqual(
        rec.observations.map((o) => o.value),
        [150, 141],
      );
      assert.equal(rec.medications[0]?.display, 'amlodipine 5 MG');
      assert.deepEqual(rec.genomicFindings, [{ chrom: '19', pos: 44908683, ref: 'T', alt: 'C', rsid: 'rs429358', genotype: '0/1', significance: 'risk_factor' }]);
      assert.deepEqual(rec.imagingStudies, [{ started: '2019-02-01T00:00:00Z', modality: 'MR', series: 2, instances: 128, description: 'MRI brain' }]);
      assert.equal(rec.radiomics?.original_shape_volume, 1234.5);

      const f = await modalityFunnel(ws);
      assert.deepEqual(f.funnel, [
        { stage: 'patients', patients: 3 },
        { stage: 'with clinical data', patients: 2 },
        { stage: 'with genomic data', patients: 2 },
        { stage: 'with imaging', patients: 1 },
      ]);
      assert.deepEqual(f.intersections, [
        { set: 'clinical+genomic', patients: 1 },
        { set: 'clinical+genomic+imaging', patients: 1 },
        { set: 'none', patients: 1 },
      ]);

      const timeline = patientTimelineFigure(rec);
      assert.deepEqual(
        timeline.data.map((t) => (t.x as string[]).length),
        [1, 1, 1, 2],
      );
      const vitals = patientVitalsFigure(rec);
      assert.deepEqual(vitals.data[0]?.y, [150, 141]);
      const funnelFig = modalityFunnelFigure(f.funnel);
      assert.deepEqual(funnelFig.data[0]?.x, [3, 2, 2, 1]);
      const upset = modalityUpsetFigure(f.intersections);
      const dots = upset.data[1] as unknown as { marker: { color: string[] } };
      // 3 modalities × 3 intersections; "clinical+genomic+imaging" lights all three of its dots.
      assert.equal(dots.marker.color.length, 9);
      assert.equal(dots.marker.color.filter((c) => c === '#222222').length, 2 + 3 + 0);
    });
  });
});
