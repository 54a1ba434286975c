import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LabelRow } from '../../src/clinical/cohort';
import { buildLabels, outcomeOnsets, OUTCOMES, SNOMED } from '../../src/clinical/cohort';
import { CLINICAL_FEATURE_COLUMNS, computeClinicalFeatures, FEATURE_EVENTS } from '../../src/clinical/features';
import { loadConditionOnsets, loadEventsBeforeIndex, loadLastEncounters, loadPatientFacts, localCohortSources } from '../../src/clinical/local/clinical-data';
import { assembleCohort } from '../../src/clinical/study-cohort';
import { LocalFhirStore } from '../../src/clinical/local/local-fhir-store';
import { datastoreSchema } from '../../src/clinical/local/schema';
import type { ClinicalEvent, PatientFacts } from '../../src/formats/fhir/events';
import { DuckDbEngine } from '../../src/sql/duckdb-engine';
import { CHET, MAX, REBA, STROKE_ENCOUNTER, tmpDir, writeBundleNdjson } from './fixtures/helpers';

describe('cohort labels and leakage-free clinical features (real Synthea bundles)', () => {
  let engine: DuckDbEngine;
  let schema: string;
  let patients: PatientFacts[];
  let lastEnc: Map<string, string>;
  let store: LocalFhirStore;
  let dsId: string;
  let ws: string;

  before(async () => {
    ws = tmpDir('mmh-cohort-');
    const input = path.join(ws, 'input');
    writeBundleNdjson(input);
    // A Stroke *Encounter* for Max, who has no stroke Condition: must not make him a stroke case.
    fs.appendFileSync(path.join(input, 'Encounter.ndjson'), `${JSON.stringify(STROKE_ENCOUNTER)}\n`);
    engine = await DuckDbEngine.create({ path: path.join(ws, 'mmh.duckdb') });
    store = await LocalFhirStore.create({ engine, dir: ws });
    const ds = await store.createDatastore({ name: 'cohort' });
    dsId = ds.DatastoreId;
    const job = await store.startImportJob({ datastoreId: ds.DatastoreId, inputDir: input, validationLevel: 'minimal' });
    assert.equal((await store.waitForImportJob(ds.DatastoreId, job.JobId, { pollMs: 20 })).JobStatus, 'COMPLETED');
    schema = datastoreSchema(ds.DatastoreId);
    patients = await loadPatientFacts(engine, schema);
    lastEnc = await loadLastEncounters(engine, schema);
  });

  after(async () => {
    await engine.close();
  });

  async function labels(outcome: keyof typeof OUTCOMES): Promise<Map<string, LabelRow>> {
    const onsets = await loadConditionOnsets(engine, schema, OUTCOMES[outcome].codes);
    const { rows } = buildLabels({ outcome, index: { kind: 'before-onset', yearsBefore: 1, controls: 'last-encounter' } }, patients, onsets, lastEnc);
    return new Map(rows.map((r) => [r.patientId, r]));
  }

  it('matched controls (the default) take a case index date at which they were alive and followed up, else are excluded', () => {
    const Y = 365.25 * 86_400_000;
    const facts = (id: string, birth: string, death: string | null): (typeof patients)[number] => ({ ...patients[0]!, patientId: id, birthDate: birth, deceasedDateTime: death });
    const people = [
      facts('case-a', '1950-01-01', null),
      facts('case-b', '1960-01-01', null),
      facts('ctl-long', '1940-01-01', null),
      facts('ctl-young', '2015-01-01', null),
      facts('ctl-short', '1940-01-01', null),
    ];
    const caseOnsets = new Map([
      ['case-a', '2001-01-01T00:00:00.000Z'],
      ['case-b', '2011-01-01T00:00:00.000Z'],
    ]);
    const last = new Map([
      ['case-a', '2020-01-01T00:00:00.000Z'],
      ['case-b', '2020-01-01T00:00:00.000Z'],
      ['ctl-long', '2020-06-01T00:00:00.000Z'],
      ['ctl-young', '2024-01-01T00:00:00.000Z'],
      ['ctl-short', '2005-01-01T00:00:00.000Z'],
    ]);
    const { rows, excluded } = buildLabels({ outcome: 'stroke' }, people, caseOnsets, last);
    const by = new Map(rows.map((r) => [r.patientId, r]));
    const caseIndexes = ['case-a', 'case-b'].map((id) => by.get(id)!.indexDate);
    assert.equal(caseIndexes[0], new Date(Date.parse('2001-01-01T00:00:00Z') - Y).toISOString());
    // The long-followed control takes one of the two case dates; the short one only the earlier (≤ last − 1 year).
    assert.ok(caseIndexes.includes(by.get('ctl-long')!.indexDate));
    assert.equal(by.get('ctl-short')?.indexDate, caseIndexes[0]);
    assert.equal(by.get('ctl-long')?.label, 0);
    // Born after every case index: no matched date, excluded and counted.
    assert.equal(by.has('ctl-young'), false);
    assert.equal(excluded.unmatched, 1);
    // Deterministic.
    assert.deepEqual(buildLabels({ outcome: 'stroke' }, people, caseOnsets, last).rows, rows);
    // The old policy indexes controls at their last encounter minus a year.
    const old = buildLabels({ outcome: 'stroke', index: { kind: 'before-onset', yearsBefore: 1, controls: 'last-encounter' } }, people, caseOnsets, last);
    assert.equal(old.rows.find((r) => r.patientId === 'ctl-long')?.indexDate, new Date(Date.parse('2020-06-01T00:00:00Z') - Y).toISOString());
  });

  it('labels each real patient from Condition resources only, with aliases', async () => {
    const htn = await labels('hypertension');
    assert.equal(htn.get(REBA)?.label, 1, 'Reba: 38341003 is the documented alias of 59621000');
    assert.equal(htn.get(REBA)?.onsetDate, '1968-03-07T18:51:00.000Z');
    assert.equal(htn.get(REBA)?.indexDate, new Date(Date.parse('1968-03-07T18:51:00Z') - 365.25 * 86_400_000).toISOString());
    assert.equal(htn.get(MAX)?.label, 0);
    const stroke = await labels('stroke');
    assert.equal(stroke.get(REBA)?.label, 1);
    assert.equal(stroke.get(MAX)?.label, 0, 'a Stroke Encounter is not a stroke Condition');
    const chd = await labels('chd');
    assert.equal(chd.get(CHET)?.label, 1);
    assert.equal(chd.get(REBA)?.label, 0);
    const ad = await labels('alzheimers');
    assert.equal(ad.get(MAX)?.label, 1);
    assert.equal(ad.get(MAX)?.onsetDate, '2020-03-30T04:55:29.000Z');
    // Chet died in 1968: as a control his index is one year before his last encounter, while alive.
    assert.equal(ad.get(CHET)?.label, 0);
    assert.ok(Date.parse(ad.get(CHET)!.indexDate) < Date.parse('1968-10-11'));
  });

  it('fixed index: excludes prevalent cases and labels incident ones within the horizon', async () => {
    const onsets = await loadConditionOnsets(engine, schema, OUTCOMES.alzheimers.codes);
    const fixed = buildLabels({ outcome: 'alzheimers', index: { kind: 'fixed', date: '2019-01-01', horizonYears: 2 } }, patients, onsets, lastEnc);
    assert.deepEqual(
      fixed.rows.map((r) => [r.patientId, r.label]),
      [
        [MAX, 1],
        [REBA, 0],
      ],
    );
    assert.equal(fixed.excluded.deadAtIndex, 1);
    const htnOnsets = await loadConditionOnsets(engine, schema, OUTCOMES.hypertension.codes);
    const prevalent = buildLabels({ outcome: 'hypertension', index: { kind: 'fixed', date: '2019-01-01', horizonYears: 2 } }, patients, htnOnsets, lastEnc);
    assert.equal(prevalent.excluded.prevalent, 1);
    assert.ok(!prevalent.rows.some((r) => r.patientId === REBA));
  });

  it('builds numeric features from data before the index only', async () => {
    const ad = [...(await labels('alzheimers')).values()];
    const events = await loadEventsBeforeIndex(engine, schema, ad);
    for (const e of events) {
      const idx = ad.find((l) => l.patientId === e.patientId)!.indexDate;
      assert.ok(Date.parse(e.date!) < Date.parse(idx), `${e.resourceType}/${e.resourceId} at ${e.date ?? ''} is not before ${idx}`);
    }
    const rows = computeClinicalFeatures(ad, patients, events);
    const max = rows.find((r) => r.patient_id === MAX)!;
    assert.deepEqual(Object.keys(max), ['patient_id', 'index_date', ...CLINICAL_FEATURE_COLUMNS]);
    assert.equal(max.sex_male, 1);
    assert.ok(typeof max.age_at_index === 'number' && max.age_at_index > 76 && max.age_at_index < 77);
    // AF (2018-03-19) precedes his index (2019-03-30); warfarin (anticoagulant) was prescribed for it.
    assert.equal(max.cond_atrial_fibrillation, 1);
    assert.equal(max.med_anticoagulant, 1);
    // Galantamine was first prescribed at the Alzheimer's diagnosis (2020-03-30), after the index: not a feature.
    assert.equal(max.med_antidementia, 0);
    // The MMSE is recorded at the diagnosis, after the index.
    assert.equal(max.mmse_last, null);
    assert.ok(typeof max.systolic_bp_mean === 'number');
    for (const v of Object.values(max)) {
      assert.ok(v === null || typeof v === 'number' || /^[0-9a-f-]{36}$|^\d{4}-/.test(v), `no free text: ${String(v)}`);
    }
  });

  it('loads only the events the features read, and they give the same features as every event', async () => {
    const ad = [...(await labels('alzheimers')).values()];
    const all = await loadEventsBeforeIndex(engine, schema, ad);
    const some = await loadEventsBeforeIndex(engine, schema, ad, undefined, FEATURE_EVENTS);
    assert.ok(some.length > 0 && some.length < all.length / 2, `${some.length} of ${all.length} events`);
    const kept = new Set(FEATURE_EVENTS.observationCodes);
    assert.ok(some.every((e) => e.resourceType !== 'Observation' || kept.has(e.code)));
    assert.ok(!some.some((e) => e.resourceType === 'Claim' || e.resourceType === 'Procedure'));
    assert.deepEqual(computeClinicalFeatures(ad, patients, some), computeClinicalFeatures(ad, patients, all));
    const none = await loadEventsBeforeIndex(engine, schema, ad, undefined, { observationCodes: [], conditionCodes: [], categorizedTypes: [] });
    assert.equal(none.length, 0);
  });

  it('a post-index record changes no feature; shuffling post-index records changes nothing; passing one fails', async () => {
    const ad = [...(await labels('alzheimers')).values()];
    const base = computeClinicalFeatures(ad, patients, await loadEventsBeforeIndex(engine, schema, ad));
    // All events, including those after the index, straight from the table.
    const all = (
      await engine.query<{ patient_id: string; resource_type: string; resource_id: string; d: string; code: string; value: number | null }>(
        `SELECT patient_id, resource_type, resource_id, strftime(event_time, '%Y-%m-%dT%H:%M:%S.%gZ') AS d, code, value FROM ${schema}.event WHERE event_time IS NOT NULL`,
      )
    ).map((r): ClinicalEvent => ({
      patientId: r.patient_id,
      resourceType: r.resource_type,
      resourceId: r.resource_id,
      date: r.d,
      system: '',
      code: r.code,
      value: r.value,
      unit: null,
      valueCode: null,
      category: null,
    }));
    const idx = new Map(ad.map((l) => [l.patientId, Date.parse(l.indexDate)]));
    const post = all.filter((e) => Date.parse(e.date!) >= (idx.get(e.patientId) ?? Infinity));
    assert.ok(post.length > 10, 'Max has records after his index (the diagnosis, MMSE, galantamine)');
    // Passing post-index data is refused rather than silently used.
    assert.throws(
      () => computeClinicalFeatures(ad, patients, [...post]),
      (e: { code?: string; message: string }) => e.code === 'invalid-input' && /on or after the index/.test(e.message),
    );
    // Add post-index records to the datastore — an extreme blood pressure and a statin, both after Max's index —
    // and shuffle the order of every post-index event: no feature value may change.
    const lateDir = path.join(ws, 'late');
    fs.mkdirSync(lateDir, { recursive: true });
    const lateBp = {
      resourceType: 'Observation',
      id: 'late-bp',
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
      subject: { reference: `Patient/${MAX}` },
      effectiveDateTime: '2020-06-01T00:00:00+00:00',
      valueQuantity: { value: 250, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    };
    const lateStatin = {
      resourceType: 'MedicationRequest',
      id: 'late-statin',
      status: 'active',
      intent: 'order',
      medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '314231', display: 'Simvastatin 10 MG Oral Tablet' }] },
      subject: { reference: `Patient/${MAX}` },
      authoredOn: '2020-06-01T00:00:00+00:00',
    };
    fs.writeFileSync(path.join(lateDir, 'Late.ndjson'), `${JSON.stringify(lateStatin)}\n${JSON.stringify(lateBp)}\n`);
    const job = await store.startImportJob({ datastoreId: dsId, inputDir: lateDir, validationLevel: 'minimal' });
    assert.equal((await store.waitForImportJob(dsId, job.JobId, { pollMs: 20 })).JobStatus, 'COMPLETED');
    const shuffled = [...(await loadEventsBeforeIndex(engine, schema, ad))].reverse();
    const again = computeClinicalFeatures(ad, patients, shuffled);
    assert.deepEqual(again, base);
    // The same records dated before the index do change the features (so the check above can fail).
    const early = computeClinicalFeatures(ad, patients, [
      ...shuffled,
      {
        patientId: MAX,
        resourceType: 'Observation',
        resourceId: 'early-bp',
        date: '2019-01-01T00:00:00.000Z',
        system: 'http://loinc.org',
        code: '8480-6',
        value: 250,
        unit: 'mm[Hg]',
        valueCode: null,
        category: null,
      },
    ]);
    assert.notDeepEqual(early, base);
  });

  it('the lookback window bounds the features', async () => {
    const ad = [...(await labels('alzheimers')).values()];
    const all = await loadEventsBeforeIndex(engine, schema, ad);
    const recent = await loadEventsBeforeIndex(engine, schema, ad, 1);
    assert.ok(recent.length < all.length);
    for (const e of recent) {
      const idx = Date.parse(ad.find((l) => l.patientId === e.patientId)!.indexDate);
      assert.ok(Date.parse(e.date!) >= idx - 366 * 86_400_000);
    }
  });
});

describe('outcome labels: code system required, undated outcome Conditions excluded, study designs (real Synthea bundles)', () => {
  let engine: DuckDbEngine;
  let schema: string;

  // Real-shaped Conditions: the Synthea stroke Condition's shape, with the coding's system or the dates changed.
  const condition = (id: string, patient: string, coding: { system: string; code: string }, dates: Record<string, string>): Record<string, unknown> => ({
    resourceType: 'Condition',
    id,
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' }] }],
    code: { coding: [{ ...coding, display: 'Stroke' }], text: 'Stroke' },
    subject: { reference: `Patient/${patient}` },
    ...dates,
  });

  before(async () => {
    const dir = tmpDir('mmh-labels-');
    const input = path.join(dir, 'input');
    writeBundleNdjson(input);
    const extra = [
      // Max: the stroke code's digits under ICD-10 — not a stroke (the old matcher made him a case).
      condition('icd-stroke', MAX, { system: 'http://hl7.org/fhir/sid/icd-10-cm', code: '230690007' }, { onsetDateTime: '2019-05-01T10:00:00+00:00', recordedDate: '2019-05-01T10:00:00+00:00' }),
      // Chet: a SNOMED stroke Condition with neither onset nor recordedDate — onset unknown, excluded and counted.
      condition('undated-stroke', CHET, { system: SNOMED, code: '230690007' }, {}),
    ];
    fs.appendFileSync(path.join(input, 'Condition.ndjson'), extra.map((c) => `${JSON.stringify(c)}\n`).join(''));
    engine = await DuckDbEngine.create({ path: path.join(dir, 'mmh.duckdb') });
    const store = await LocalFhirStore.create({ engine, dir });
    const ds = await store.createDatastore({ name: 'labels' });
    const job = await store.startImportJob({ datastoreId: ds.DatastoreId, inputDir: input, validationLevel: 'minimal' });
    assert.equal((await store.waitForImportJob(ds.DatastoreId, job.JobId, { pollMs: 20 })).JobStatus, 'COMPLETED');
    schema = datastoreSchema(ds.DatastoreId);
  });

  after(async () => {
    await engine.close();
  });

  it('counts an outcome code under another system and never labels with it', async () => {
    const { labels } = await assembleCohort({ outcome: 'stroke' }, localCohortSources(engine, schema));
    assert.equal(labels.otherSystemConditions, 1);
    assert.equal(labels.rows.find((r) => r.patientId === MAX)?.label ?? 0, 0);
    assert.equal(labels.rows.find((r) => r.patientId === REBA)?.label, 1);
    // The SQL onset loader checks the system too.
    assert.equal((await loadConditionOnsets(engine, schema, OUTCOMES.stroke.codes)).has(MAX), false);
  });

  it('excludes a patient whose outcome Condition has no onset and no recordedDate, with the reason counted', async () => {
    for (const design of ['prognostic', 'guidance'] as const) {
      const { labels } = await assembleCohort({ outcome: 'stroke', design }, localCohortSources(engine, schema));
      assert.equal(labels.excluded.undatedOutcome, 1, design);
      assert.ok(!labels.rows.some((r) => r.patientId === CHET), `${design}: Chet (undated stroke) is neither case nor control`);
    }
    // Another outcome is unaffected: Chet stays in the CHD cohort as a case.
    const chd = await assembleCohort({ outcome: 'chd' }, localCohortSources(engine, schema));
    assert.equal(chd.labels.excluded.undatedOutcome, 0);
    assert.equal(chd.labels.rows.find((r) => r.patientId === CHET)?.label, 1);
    const pure = outcomeOnsets('stroke', [
      { patientId: 'a', system: SNOMED, code: '230690007', date: '2001-01-01T00:00:00Z' },
      { patientId: 'a', system: SNOMED, code: '230690007', date: null },
      { patientId: 'b', system: SNOMED, code: '230690007', date: '2003-01-01T00:00:00Z' },
      { patientId: 'b', system: SNOMED, code: '230690007', date: '2002-01-01T00:00:00Z' },
    ]);
    assert.deepEqual([...pure.onsets], [['b', '2002-01-01T00:00:00.000Z']]);
    assert.deepEqual([...pure.undated], ['a']);
  });

  it('guidance design: everyone, the outcome anywhere in the record, whole-record features without the label codes', async () => {
    const c = await assembleCohort({ outcome: 'hypertension', design: 'guidance' }, localCohortSources(engine, schema));
    assert.equal(c.labels.design, 'guidance');
    const reba = c.features.find((f) => f.patient_id === REBA)!;
    assert.equal(c.labels.rows.find((r) => r.patientId === REBA)?.label, 1);
    // Her hypertension Condition is the label, so the precursor flag built from the same codes is removed.
    assert.equal(reba.cond_hypertension, 0);
    // Whole record: Max's MMSE (recorded at his Alzheimer's diagnosis, late in his record) is a feature here.
    assert.equal(typeof c.features.find((f) => f.patient_id === MAX)?.mmse_last, 'number');
    // One index for everyone, after every date in the data; dead patients (Chet) kept.
    assert.equal(new Set(c.labels.rows.map((r) => r.indexDate)).size, 1);
    assert.ok(c.labels.rows.some((r) => r.patientId === CHET));
    // The leakage audit's input: the cases' features from data before their onset.
    assert.deepEqual(
      c.preOnsetFeatures?.map((f) => f.patient_id),
      c.labels.rows.filter((r) => r.label === 1).map((r) => r.patientId),
    );
  });

  it('loading events a few patients at a time gives the features of one load over every patient', async () => {
    const whole = { ...localCohortSources(engine, schema), eventBatchPatients: undefined };
    for (const design of ['prognostic', 'guidance'] as const) {
      const one = await assembleCohort({ outcome: 'hypertension', design }, whole);
      assert.ok(one.labels.rows.length >= 3, `${design}: enough patients for several batches`);
      for (const size of [1, 2]) {
        const batches: string[][] = [];
        const batched = await assembleCohort(
          { outcome: 'hypertension', design },
          {
            ...whole,
            eventBatchPatients: size,
            eventsBefore: (labels, lookback, only) => {
              batches.push(labels.map((l) => l.patientId));
              return whole.eventsBefore(labels, lookback, only);
            },
          },
        );
        assert.deepEqual(batched.features, one.features, `${design}, ${String(size)} at a time`);
        assert.deepEqual(batched.preOnsetFeatures, one.preOnsetFeatures, `${design}, ${String(size)} at a time`);
        const onset = design === 'guidance' ? (one.preOnsetFeatures?.length ?? 0) : 0;
        assert.equal(batches.length, Math.ceil(one.labels.rows.length / size) + Math.ceil(onset / size), `${design}: one load per batch`);
        assert.ok(batches.every((b) => b.length <= size));
        assert.deepEqual(
          batches.flat().slice(0, one.labels.rows.length),
          one.labels.rows.map((r) => r.patientId),
          'label order',
        );
      }
    }
  });

  it('landmark design: indexed at the scan, outcome-free then, label = a later onset', async () => {
    const landmarks = new Map([
      [MAX, '2019-06-01T00:00:00.000Z'],
      [REBA, '2000-01-01T00:00:00.000Z'],
    ]);
    const ad = await assembleCohort({ outcome: 'alzheimers', design: 'landmark', landmarks }, localCohortSources(engine, schema));
    assert.deepEqual(
      ad.labels.rows.map((r) => [r.patientId, r.label, r.indexDate]),
      [
        [MAX, 1, '2019-06-01T00:00:00.000Z'],
        [REBA, 0, '2000-01-01T00:00:00.000Z'],
      ],
    );
    assert.equal(ad.labels.excluded.noLandmark, 1);
    // Reba's hypertension began in 1968, before her scan: prevalent, excluded.
    const htn = await assembleCohort({ outcome: 'hypertension', design: 'landmark', landmarks }, localCohortSources(engine, schema));
    assert.equal(htn.labels.excluded.prevalent, 1);
    assert.ok(!htn.labels.rows.some((r) => r.patientId === REBA));
    await assert.rejects(assembleCohort({ outcome: 'stroke', design: 'landmark' }, localCohortSources(engine, schema)), /needs landmarks/);
  });
});
