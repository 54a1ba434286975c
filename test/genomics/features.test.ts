import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { silentProgress } from '../../src/progress';
import { openWorkspace } from '../../src/workspace';
import type { Workspace } from '../../src/workspace';
import { APOE_MARKERS, classifyClnsig, geneSymbols } from '../../src/genomics/features';
import { MIN_ALLELE_COUNT, splitRareDosageColumns, variantDosageColumns } from '../../src/genomics/carried-alleles';
import type { CarriedAllele, DosageColumn } from '../../src/genomics/carried-alleles';
import { featuresGenomicStep, importGenomicStep } from '../../src/pipeline-steps';
import { tmpDir } from '../helpers/tmp';
import { REFERENCE_DATA } from '../helpers/reference-data';

const FIX = path.join(__dirname, 'fixtures');
const CLINVAR = path.join(REFERENCE_DATA, 'clinvar/clinvar_20241111_grch38_seqr_test_subset.vcf');

describe('ClinVar helpers', () => {
  it('classifies CLNSIG values without confusing likely/conflicting with pathogenic', () => {
    assert.deepEqual(classifyClnsig('Pathogenic'), { pathogenic: true, likely_pathogenic: false, risk_factor: false });
    assert.deepEqual(classifyClnsig('Likely_pathogenic'), { pathogenic: false, likely_pathogenic: true, risk_factor: false });
    assert.deepEqual(classifyClnsig('Pathogenic/Likely_pathogenic'), { pathogenic: true, likely_pathogenic: true, risk_factor: false });
    assert.deepEqual(classifyClnsig('Conflicting_classifications_of_pathogenicity'), { pathogenic: false, likely_pathogenic: false, risk_factor: false });
    assert.deepEqual(classifyClnsig('Pathogenic|risk_factor'), { pathogenic: true, likely_pathogenic: false, risk_factor: true });
    assert.deepEqual(classifyClnsig(null), { pathogenic: false, likely_pathogenic: false, risk_factor: false });
  });
  it('splits GENEINFO into symbols', () => {
    assert.deepEqual(geneSymbols('APOE:348|APOC1:341'), ['APOE', 'APOC1']);
    assert.deepEqual(geneSymbols(undefined), []);
  });
});

describe('import-genomic step and genomic features', function () {
  this.timeout(60_000);
  let dir = '';
  let data = '';
  let ws: Workspace;

  before(async () => {
    dir = tmpDir('genomic-features-ws');
    data = tmpDir('genomic-features-data');
    fs.mkdirSync(path.join(data, 'genomic', 'reference'), { recursive: true });
    fs.mkdirSync(path.join(data, 'genomic', 'vcf'), { recursive: true });
    fs.mkdirSync(path.join(data, 'genomic', 'annotation'), { recursive: true });
    fs.copyFileSync(path.join(FIX, 'panel.fa'), path.join(data, 'genomic', 'reference', 'panel.fa'));
    for (const f of ['p1_dna.vcf', 'p2_dna.vcf', 'p3_faulty.vcf']) {
      fs.copyFileSync(path.join(FIX, f), path.join(data, 'genomic', 'vcf', f));
    }
    fs.writeFileSync(path.join(data, 'genomic', 'annotation', 'clinvar.vcf.gz'), zlib.gzipSync(fs.readFileSync(CLINVAR)));
    ws = await openWorkspace({ dir, create: true, dataDir: data, progress: silentProgress });
  });

  after(async () => {
    await ws.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(data, { recursive: true, force: true });
  });

  it('imports reference, VCFs and ClinVar with exact counts, and is idempotent', async () => {
    const expected = {
      vcf_files: 3,
      reference_contigs: 4,
      vcf_items_failed: 0,
      vcf_records: 11,
      vcf_records_rejected: 3,
      vcf_rows: 11,
      clinvar_items_failed: 0,
      clinvar_records: 12,
      clinvar_records_rejected: 0,
      clinvar_rows: 12,
    };
    const first = await importGenomicStep.run(ws);
    assert.deepEqual(first.counts, expected);
    assert.deepEqual(first.outputs, ['"omicsvariants"', '"omicsannotations"']);
    const fp = await importGenomicStep.fingerprint(ws);
    const second = await importGenomicStep.run(ws);
    assert.deepEqual(second.counts, expected);
    assert.equal(await importGenomicStep.fingerprint(ws), fp);
    assert.deepEqual(await ws.sql.query('SELECT count(*) AS n FROM omicsvariants'), [{ n: 11 }]);
    assert.deepEqual(await ws.sql.query('SELECT count(*) AS n FROM omicsannotations'), [{ n: 12 }]);
    assert.equal((await ws.genomics.stores.listReferenceStores()).length, 1);
  });

  it('computes per-patient features (ClinVar categories per matched allele, APOE, genes, dates)', async () => {
    // Three samples: keep every variant (the default minor-allele floor of 20 would leave out each per-variant column).
    const t = await ws.genomics.features({ markers: [APOE_MARKERS.rs7412], minAlleleCount: 0 });
    const zeros = { geneset_coronary_heart_disease_risk_alleles: 0, geneset_stroke_risk_alleles: 0, geneset_atrial_fibrillation_risk_alleles: 0, geneset_dementia_risk_alleles: 0 };
    assert.deepEqual(t.rows, [
      {
        patient_id: 'p1',
        event_time: '2020-01-15',
        n_variant_records: 5,
        n_alt_alleles: 6,
        n_hom_alt: 2,
        n_clinvar_alleles: 4,
        n_pathogenic_alleles: 2,
        n_likely_pathogenic_alleles: 0,
        n_risk_factor_alleles: 0,
        carrier_pathogenic: 1,
        carrier_risk_factor: 0,
        apoe_e2: 0,
        apoe_e4: 2,
        apoe_e3: 0,
        apoe_e4_carrier: 1,
        risk_score: 2,
        ...zeros,
        gene_mt_nd5_risk_alleles: 1,
        gene_or4f5_risk_alleles: 1,
        dosage_rs7412: 0,
        // per-variant dosages: ClinVar-annotated sites without an rsID by position, panel-named ones by rsID
        dosage_1_69314_t_g: 2,
        dosage_mt_13112_t_c: 1,
        dosage_rs1: 1,
        dosage_rs429358: 2,
        n_rare_variant_alleles: 0,
      },
      {
        patient_id: 'p2',
        event_time: '2021-03-01',
        n_variant_records: 4,
        n_alt_alleles: 4,
        n_hom_alt: 0,
        n_clinvar_alleles: 1,
        n_pathogenic_alleles: 1,
        n_likely_pathogenic_alleles: 0,
        n_risk_factor_alleles: 0,
        carrier_pathogenic: 1,
        carrier_risk_factor: 0,
        apoe_e2: 1,
        apoe_e4: 1,
        apoe_e3: 0,
        apoe_e4_carrier: 1,
        risk_score: 1,
        ...zeros,
        gene_mt_nd5_risk_alleles: 0,
        gene_or4f5_risk_alleles: 1,
        dosage_rs7412: 1,
        // per-variant dosages: ClinVar-annotated sites without an rsID by position, panel-named ones by rsID
        dosage_1_69314_t_g: 0,
        dosage_mt_13112_t_c: 0,
        dosage_rs1: 1,
        dosage_rs429358: 1,
        n_rare_variant_alleles: 0,
      },
      {
        patient_id: 'p3',
        event_time: null,
        n_variant_records: 2,
        n_alt_alleles: 2,
        n_hom_alt: 0,
        n_clinvar_alleles: 1,
        n_pathogenic_alleles: 1,
        n_likely_pathogenic_alleles: 0,
        n_risk_factor_alleles: 0,
        carrier_pathogenic: 1,
        carrier_risk_factor: 0,
        apoe_e2: 1,
        apoe_e4: 0,
        apoe_e3: 1,
        apoe_e4_carrier: 0,
        risk_score: 1,
        ...zeros,
        gene_mt_nd5_risk_alleles: 0,
        gene_or4f5_risk_alleles: 1,
        dosage_rs7412: 1,
        // per-variant dosages: ClinVar-annotated sites without an rsID by position, panel-named ones by rsID
        dosage_1_69314_t_g: 0,
        dosage_mt_13112_t_c: 0,
        dosage_rs1: 1,
        dosage_rs429358: 0,
        n_rare_variant_alleles: 0,
      },
    ]);
    assert.equal(t.columns[0], 'patient_id');
    assert.deepEqual(t.notes, ['1 of 3 samples have no genetic test date (no ##fileDate and none passed in eventTimes): their event_time is null']);
    const custom = await ws.genomics.features({ geneSets: { mito: ['MT-ND5'] }, genes: [], eventTimes: new Map([['p3', '2019-05-05']]) });
    assert.deepEqual(
      custom.rows.map((r) => [r.patient_id, r.geneset_mito_risk_alleles, r.event_time]),
      [
        ['p1', 1, null],
        ['p2', 0, null],
        ['p3', 0, '2019-05-05'],
      ],
    );
  });

  it('leaves out per-variant columns below the minor-allele floor and counts their alleles as a burden', async () => {
    const t = await ws.genomics.features({ markers: [APOE_MARKERS.rs7412], minAlleleCount: 3 });
    // 6 alleles over 3 samples: rs1 (3 copies) and rs429358 (3) stay, the 2- and 1-copy sites go to the burden count.
    assert.deepEqual(
      t.rows.map((r) => [r.patient_id, r.dosage_rs1, r.dosage_rs429358, r.dosage_1_69314_t_g, r.dosage_mt_13112_t_c, r.n_rare_variant_alleles]),
      [
        ['p1', 1, 2, undefined, undefined, 3],
        ['p2', 1, 1, undefined, undefined, 0],
        ['p3', 1, 0, undefined, undefined, 0],
      ],
    );
    assert.match(t.notes.join(' '), /2 of 4 per-variant dosage columns left out: fewer than 3 minor alleles among 3 samples/);
    // The floor counts the minor allele: an ALT carried by nearly everyone is common, its REF rare.
    const col = (carriers: number[], dosage: number[]): DosageColumn => ({ carriers: Int32Array.from(carriers), dosage: Int32Array.from(dosage) });
    const split = splitRareDosageColumns(
      new Map([
        ['dosage_common', col([0, 1], [1, 1])],
        ['dosage_rare_alt', col([0], [1])],
        ['dosage_rare_ref', col([0, 1, 2], [2, 2, 1])],
      ]),
      3,
      2,
    );
    assert.deepEqual([...split.kept.keys()], ['dosage_common']);
    assert.deepEqual([...split.rare.keys()], ['dosage_rare_alt', 'dosage_rare_ref']);
    assert.equal(MIN_ALLELE_COUNT, 20);
  });

  it('gives every panel-named or ClinVar-annotated variant allele its own dosage column (multi-allelic sites per ALT)', () => {
    // Samples a = 0, b = 1; one entry per carried allele, as readCarriedAlleles gives them (genomic order).
    const allele = (contig: string, start: number, alt: string, rsid: string | null, carriers: [number, number][], annotated = false): CarriedAllele => ({
      contig,
      start,
      ref: 'G',
      alt,
      rsid,
      carriers: Int32Array.from(carriers.map(([i]) => i)),
      dosage: Int32Array.from(carriers.map(([, d]) => d)),
      recordDosage: Int32Array.from(carriers.map(([, d]) => d)),
      clinvar: annotated ? [{ clnsig: 'Pathogenic', geneinfo: null }] : [],
    });
    const cols = variantDosageColumns(
      [
        allele('1', 100, 'C', 'rs9', [[0, 1]]),
        allele('1', 100, 'T', 'rs9', [[1, 1]]),
        allele('2', 5, 'T', null, [[0, 1]]),
        allele('3', 7, 'T', null, [[0, 2]], true),
        allele('9', 22125503, 'C', 'rs1333049', [
          [0, 2],
          [1, 1],
        ]),
        allele('19', 44908821, 'T', 'rs7412', [[1, 1]]),
      ],
      new Set(['dosage_rs7412']),
    );
    assert.deepEqual([...cols.keys()], ['dosage_rs9_c', 'dosage_rs9_t', 'dosage_3_8_g_t', 'dosage_rs1333049']);
    assert.deepEqual(cols.get('dosage_rs1333049'), { carriers: Int32Array.from([0, 1]), dosage: Int32Array.from([2, 1]) });
    // Unnamed and not in ClinVar (2:5): no column; rs7412 is taken by the fixed marker column.
  });

  it('writes the dated feature rows to the genomic feature group', async () => {
    const r = await featuresGenomicStep.run(ws);
    assert.deepEqual(r, { counts: { patients: 3, undated: 1, written: 2, rejected: 0 }, outputs: ['genomic'] });
    const rec = await ws.features.getRecord('genomic', 'p2');
    assert.equal(rec?.apoe_e4, 1);
    assert.equal(rec.apoe_e2, 1);
    assert.equal(rec.n_pathogenic_alleles, 1);
    assert.equal(await ws.features.getRecord('genomic', 'p3'), undefined);
  });

  it('skips with a clear count when <dataDir>/genomic is absent', async () => {
    const empty = tmpDir('genomic-empty');
    const ws2 = await openWorkspace({ dir: tmpDir('genomic-empty-ws'), create: true, dataDir: empty, progress: silentProgress });
    try {
      const r = await importGenomicStep.run(ws2);
      assert.deepEqual(r, { counts: { genomic_folder_absent: 1 }, outputs: [] });
      assert.deepEqual(await featuresGenomicStep.run(ws2), { counts: { genomic_folder_absent: 1 }, outputs: [] });
    } finally {
      await ws2.close();
      fs.rmSync(ws2.config.dir, { recursive: true, force: true });
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
