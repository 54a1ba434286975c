import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { silentProgress } from '../../../src/progress';
import { openWorkspace } from '../../../src/workspace';
import type { Workspace } from '../../../src/workspace';
import { LocalGenomicsStores } from '../../../src/genomics/local/local-stores';
import { VARIANT_COLUMNS } from '../../../src/genomics/schema';
import { clinvarMatchedAllelesSql, guidanceClinvarJoinSql } from '../../../src/genomics/queries';
import { tmpDir } from '../../helpers/tmp';
import { REFERENCE_DATA } from '../../helpers/reference-data';

const FIX = path.join(__dirname, '..', 'fixtures');
const CLINVAR = path.join(REFERENCE_DATA, 'clinvar/clinvar_20241111_grch38_seqr_test_subset.vcf');

describe('local genomics stores (contract)', function () {
  this.timeout(60_000);
  let dir = '';
  let data = '';
  let ws: Workspace;
  let g: LocalGenomicsStores;
  let referenceArn = '';
  let firstJobId = '';

  before(async () => {
    dir = tmpDir('genomics-ws');
    data = tmpDir('genomics-data');
    for (const f of ['p1_dna.vcf', 'p2_dna.vcf', 'p3_faulty.vcf', 'chr_prefixed.vcf', 'panel.fa']) {
      fs.copyFileSync(path.join(FIX, f), path.join(data, f));
    }
    const gz = zlib.gzipSync(fs.readFileSync(path.join(FIX, 'p1_dna.vcf')));
    fs.writeFileSync(path.join(data, 'truncated.vcf.gz'), gz.subarray(0, gz.length - 12));
    fs.writeFileSync(path.join(data, 'clinvar.vcf.gz'), zlib.gzipSync(fs.readFileSync(CLINVAR)));
    ws = await openWorkspace({ dir, create: true, progress: silentProgress });
    g = new LocalGenomicsStores(ws);
  });

  after(async () => {
    await ws.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(data, { recursive: true, force: true });
  });

  it('imports a panel FASTA into a reference store and reads bases from its windows', async () => {
    const store = await g.createReferenceStore({ name: 'mmh-reference' });
    assert.match(store.arn, /^arn:local:omics:local:000000000000:referenceStore\/\d{10}$/);
    const { id, status } = await g.startReferenceImportJob({
      referenceStoreId: store.id,
      sources: [
        { sourceFile: path.join(data, 'panel.fa'), name: 'panel' },
        { sourceFile: path.join(data, 'nope.fa'), name: 'nope' },
      ],
    });
    assert.equal(status, 'SUBMITTED');
    const job = await g.waitForReferenceImportJob({ referenceStoreId: store.id, id });
    assert.equal(job.status, 'COMPLETED_WITH_FAILURES');
    assert.deepEqual(
      job.sources.map((s) => s.status),
      ['FINISHED', 'FAILED'],
    );
    assert.match(job.sources[1]?.statusMessage ?? '', /nope\.fa does not exist/);
    const refs = await g.listReferences(store.id);
    assert.equal(refs.length, 1);
    assert.deepEqual(
      refs[0]?.contigs?.map((c) => c.name),
      ['1:69130-69139', '19:44908680-44908699', '19:44908815-44908830', 'MT:13110-13114'],
    );
    referenceArn = refs[0].arn;
    assert.match(referenceArn, new RegExp(`referenceStore/${store.id}/reference/${refs[0].id}$`));
    // The REF alleles of the fixtures, at 0-based [POS-1, POS).
    assert.equal(await g.getReferenceBases({ referenceArn, contig: '19', start: 44908683, end: 44908684 }), 'T');
    assert.equal(await g.getReferenceBases({ referenceArn, contig: '19', start: 44908821, end: 44908822 }), 'C');
    assert.equal(await g.getReferenceBases({ referenceArn, contig: '1', start: 69133, end: 69134 }), 'A');
    assert.equal(await g.getReferenceBases({ referenceArn, contig: 'MT', start: 13111, end: 13112 }), 'T');
    assert.equal((await g.getReferenceBases({ referenceArn, contig: '19', start: 44908679, end: 44908699 })).length, 20);
    await assert.rejects(g.getReferenceBases({ referenceArn, contig: '2', start: 1, end: 2 }), /no sequence of panel covers 2:\[1, 2\)/);
  });

  it('validates store names and references like the service', async () => {
    await assert.rejects(g.createVariantStore({ name: 'Bad-Name', reference: { referenceArn } }), /must match \(\[a-z\]\)\{1\}/);
    await assert.rejects(g.createVariantStore({ name: 'ok_name', reference: { referenceArn: 'arn:x' } }), (e: unknown) => (e as { code?: string }).code === 'not-found');
    const s = await g.createVariantStore({ name: 'omicsvariants', reference: { referenceArn } });
    assert.equal(s.status, 'ACTIVE');
    await assert.rejects(g.createVariantStore({ name: 'omicsvariants', reference: { referenceArn } }), (e: unknown) => (e as { code?: string }).code === 'conflict');
    assert.deepEqual(
      (await g.listVariantStores()).map((v) => v.name),
      ['omicsvariants'],
    );
    // An empty store is already queryable, with the full schema.
    assert.deepEqual(await ws.sql.query('SELECT count(*) AS n FROM omicsvariants'), [{ n: 0 }]);
    await assert.rejects(g.startVariantImportJob({ destinationName: 'omicsvariants', items: [] }), /pass 1 to 1000/);
    await assert.rejects(g.startVariantImportJob({ destinationName: 'nostore', items: [{ source: 'x' }] }), /variant store nostore does not exist/);
  });

  it('imports VCFs: good items land, bad records and broken items are reported, counts reconcile', async () => {
    const items = ['p1_dna.vcf', 'p2_dna.vcf', 'p3_faulty.vcf', 'truncated.vcf.gz', 'missing.vcf'].map((f) => ({ source: path.join(data, f) }));
    const { jobId } = await g.startVariantImportJob({ destinationName: 'omicsvariants', items });
    firstJobId = jobId;
    const submitted = await g.getVariantImportJob(jobId);
    assert.ok(['SUBMITTED', 'IN_PROGRESS', 'COMPLETED_WITH_FAILURES'].includes(submitted.status));
    // Our waiter ends on COMPLETED_WITH_FAILURES (the SDK's waiter would poll until it times out).
    const job = await g.waitForVariantImportJob(jobId, { pollMs: 20 });
    assert.equal(job.status, 'COMPLETED_WITH_FAILURES');
    assert.deepEqual(
      job.items.map((i) => i.jobStatus),
      ['COMPLETED', 'COMPLETED', 'COMPLETED_WITH_FAILURES', 'FAILED', 'FAILED'],
    );
    assert.deepEqual(
      job.items.map((i) => i.rows ?? 0),
      [5, 4, 2, 0, 0],
    );
    assert.equal(job.items[2]?.lines, 5);
    assert.equal((job.items[2].records ?? 0) + (job.items[2].rejected ?? 0), 5);
    assert.match(job.items[3]?.statusMessage ?? '', /truncated\.vcf\.gz could not be decompressed or read .*truncated/);
    assert.match(job.items[4]?.statusMessage ?? '', /missing\.vcf does not exist/);
    assert.deepEqual(
      job.failures?.map((f) => [path.basename(f.source), f.line, f.code]),
      [
        ['p3_faulty.vcf', 7, 'column-count'],
        ['p3_faulty.vcf', 8, 'pos'],
        ['p3_faulty.vcf', 9, 'gt-allele-range'],
        ['truncated.vcf.gz', 0, 'invalid-input'],
        ['missing.vcf', 0, 'not-found'],
      ],
    );
    assert.equal(
      fs
        .readFileSync(job.failureReport ?? '', 'utf8')
        .trim()
        .split('\n').length,
      5,
    );
    assert.deepEqual(await ws.sql.query('SELECT sampleid, count(*) AS n FROM omicsvariants GROUP BY sampleid ORDER BY sampleid'), [
      { sampleid: 'p1', n: 5 },
      { sampleid: 'p2', n: 4 },
      { sampleid: 'p3', n: 2 },
    ]);
  });

  it('writes exactly the HealthOmics variant-store schema (§1.5)', async () => {
    const cols = await ws.sql.query<{ column_name: string; column_type: string }>('DESCRIBE omicsvariants');
    assert.deepEqual(
      cols.map((c) => c.column_name),
      VARIANT_COLUMNS.map((c) => c.name),
    );
    const types = Object.fromEntries(cols.map((c) => [c.column_name, c.column_type]));
    assert.equal(types.start, 'BIGINT');
    assert.equal(types.alternatealleles, 'VARCHAR[]');
    assert.equal(types.attributes, 'MAP(VARCHAR, VARCHAR)');
    assert.equal(types.calls, 'INTEGER[]');
    assert.equal(types.genotypelikelihoods, 'DOUBLE[]');
    assert.match(types.annotations ?? '', /^STRUCT\(vep STRUCT\(allele VARCHAR, consequence VARCHAR\[\]/);
    const [r] = await ws.sql.query(
      `SELECT importjobid, contigname, start, "end", names, referenceallele, alternatealleles, qual, filters, splitfrommultiallelic, attributes['DP'] AS dp,
              phased, calls, alleledepths, conditionalquality, depth, ps, sampleid, genotypelikelihoods, annotations
       FROM omicsvariants WHERE sampleid = ? AND start = ?`,
      ['p1', 69133],
    );
    assert.deepEqual(r, {
      importjobid: firstJobId,
      contigname: '1',
      start: 69133,
      end: 69134,
      names: ['rs1'],
      referenceallele: 'A',
      alternatealleles: ['G'],
      qual: 50,
      filters: ['PASS'],
      splitfrommultiallelic: false,
      dp: '30',
      phased: false,
      calls: [0, 1],
      alleledepths: [15, 15],
      conditionalquality: 40,
      depth: 30,
      ps: null,
      sampleid: 'p1',
      genotypelikelihoods: null,
      annotations: null,
    });
    const haploid = await ws.sql.query('SELECT calls, phased FROM omicsvariants WHERE contigname = ? AND sampleid = ?', ['MT', 'p1']);
    assert.deepEqual(haploid, [{ calls: [1], phased: false }]);
    const p2 = await ws.sql.query('SELECT start, alternatealleles, calls, phased, ps FROM omicsvariants WHERE sampleid = ? ORDER BY contigname, start', ['p2']);
    assert.deepEqual(p2, [
      { start: 69133, alternatealleles: ['C', 'G'], calls: [1, 2], phased: false, ps: null },
      { start: 925945, alternatealleles: ['G'], calls: [-1, -1], phased: false, ps: null },
      { start: 44908683, alternatealleles: ['C'], calls: [0, 1], phased: true, ps: 44908684 },
      { start: 44908821, alternatealleles: ['T'], calls: [1, 0], phased: true, ps: 44908684 },
    ]);
    // The lenient import kept the record whose INFO AA broke Number=1, with its raw text.
    assert.deepEqual(await ws.sql.query(`SELECT attributes['AA'] AS aa FROM omicsvariants WHERE sampleid = ? AND start = ?`, ['p3', 69133]), [{ aa: 'A,G' }]);
  });

  it("waits for this process's own job past the default 10-minute wait (giving up would close the workspace under it)", async () => {
    await g.createVariantStore({ name: 'waitvariants', reference: { referenceArn } });
    const items = ['p1_dna.vcf', 'p2_dna.vcf'].map((f) => ({ source: path.join(data, f) }));
    const { jobId } = await g.startVariantImportJob({ destinationName: 'waitvariants', items });
    const waiting = g.waitForVariantImportJob(jobId, { pollMs: 5 });
    const realNow = Date.now;
    Date.now = () => realNow() + 3_600_000; // every poll now sees an hour gone
    try {
      assert.equal((await waiting).status, 'COMPLETED');
    } finally {
      Date.now = realNow;
    }
  });

  it('re-importing the same items is idempotent; a changed file replaces its rows', async () => {
    const items = ['p1_dna.vcf', 'p2_dna.vcf'].map((f) => ({ source: path.join(data, f) }));
    const { jobId } = await g.startVariantImportJob({ destinationName: 'omicsvariants', items });
    const job = await g.waitForVariantImportJob(jobId);
    assert.equal(job.status, 'COMPLETED');
    assert.match(job.items[0]?.statusMessage ?? '', new RegExp(`unchanged since job ${firstJobId}`));
    assert.deepEqual(await ws.sql.query('SELECT count(*) AS n FROM omicsvariants'), [{ n: 11 }]);
    fs.appendFileSync(path.join(data, 'p2_dna.vcf'), '19\t44909000\t.\tG\tA\t.\tPASS\t.\tGT:PS\t0/1:.\n');
    const again = await g.waitForVariantImportJob((await g.startVariantImportJob({ destinationName: 'omicsvariants', items })).jobId);
    assert.equal(again.items[1]?.rows, 5);
    assert.deepEqual(await ws.sql.query('SELECT count(*) AS n, count(DISTINCT importjobid) AS jobs FROM omicsvariants WHERE sampleid = ?', ['p2']), [{ n: 5, jobs: 1 }]);
    assert.deepEqual(await ws.sql.query('SELECT count(*) AS n FROM omicsvariants'), [{ n: 12 }]);
  });

  it('strict mode fails a faulty item whole, naming line and rule', async () => {
    const { jobId } = await g.startVariantImportJob({ destinationName: 'omicsvariants', items: [{ source: path.join(data, 'p3_faulty.vcf') }], strict: true });
    const job = await g.waitForVariantImportJob(jobId);
    assert.equal(job.status, 'FAILED');
    assert.match(job.items[0]?.statusMessage ?? '', /p3_faulty\.vcf:6: line 6: INFO AA has 2 value\(s\) "A,G" but Number=1 requires 1 \(VCFv4\.2 §1\.4\.1\) \[rule info-value\]/);
    // The failed re-import left the earlier rows of that source in place.
    assert.deepEqual(await ws.sql.query('SELECT count(*) AS n FROM omicsvariants WHERE sampleid = ?', ['p3']), [{ n: 2 }]);
  });

  it('imports ClinVar into a VCF annotation store with the same schema', async () => {
    const a = await g.createAnnotationStore({ name: 'omicsannotations', storeFormat: 'VCF', reference: { referenceArn } });
    assert.equal(a.storeFormat, 'VCF');
    const job = await g.waitForAnnotationImportJob((await g.startAnnotationImportJob({ destinationName: 'omicsannotations', items: [{ source: path.join(data, 'clinvar.vcf.gz') }] })).jobId);
    assert.equal(job.status, 'COMPLETED');
    assert.equal(job.items[0]?.rows, 12);
    await assert.rejects(g.getVariantImportJob(job.id), /variant import job .* does not exist/);
    const cols = await ws.sql.query<{ column_name: string }>('DESCRIBE omicsannotations');
    assert.deepEqual(
      cols.map((c) => c.column_name),
      VARIANT_COLUMNS.map((c) => c.name),
    );
    const rows = await ws.sql.query(
      `SELECT contigname, start, "end", names, attributes['CLNSIG'] AS clnsig, attributes['GENEINFO'] AS geneinfo, attributes['CLNDN'] AS clndn, sampleid, calls
       FROM omicsannotations WHERE attributes['CLNSIG'] = ? ORDER BY contigname, start`,
      ['Pathogenic'],
    );
    assert.deepEqual(rows, [
      { contigname: '1', start: 69133, end: 69134, names: ['1'], clnsig: 'Pathogenic', geneinfo: 'OR4F5:79501', clndn: 'not_specified', sampleid: null, calls: null },
      { contigname: 'MT', start: 13111, end: 13112, names: ['693521'], clnsig: 'Pathogenic', geneinfo: 'MT-ND5:4540', clndn: 'Leigh_syndrome', sampleid: null, calls: null },
    ]);
  });

  it("runs the AWS documentation's ClinVar join unchanged, and the matched-allele join finds multi-allelic hits", async () => {
    await g.createVariantStore({ name: 'chrvariants', reference: { referenceArn } });
    await g.waitForVariantImportJob((await g.startVariantImportJob({ destinationName: 'chrvariants', items: [{ source: path.join(data, 'chr_prefixed.vcf') }] })).jobId);
    const hits = await ws.sql.query(guidanceClinvarJoinSql('chrvariants', 'omicsannotations'), ['Pathogenic']);
    assert.deepEqual(
      hits.map((h) => [h.sampleid, h.contigname, h.start, h.clnsig, h.geneinfo]),
      [
        ['c1', 'chr1', 69133, 'Pathogenic', 'OR4F5:79501'],
        ['c1', 'chrMT', 13111, 'Pathogenic', 'MT-ND5:4540'],
      ],
    );
    const vus = await ws.sql.query(guidanceClinvarJoinSql('chrvariants', 'omicsannotations'), ['Uncertain_significance']);
    assert.deepEqual(
      vus.map((h) => h.start),
      [69313],
    );
    const matched = await ws.sql.query(clinvarMatchedAllelesSql('omicsvariants', 'omicsannotations'));
    assert.deepEqual(
      matched.map((m) => [m.sampleid, m.contig, m.start, m.alt, m.dosage, m.clnsig]),
      [
        ['p1', '1', 69133, 'G', 1, 'Pathogenic'],
        ['p1', '1', 69313, 'G', 2, 'Uncertain_significance'],
        ['p1', 'MT', 13111, 'C', 1, 'Pathogenic'],
        ['p2', '1', 69133, 'G', 1, 'Pathogenic'],
        ['p2', '1', 925945, 'G', 0, 'Uncertain_significance'],
        ['p3', '1', 69133, 'G', 1, 'Pathogenic'],
      ],
    );
    // The whole-ALT-list match of the guidance misses p2's multi-allelic site.
    const exact = await ws.sql.query(
      `SELECT count(*) AS n FROM omicsvariants v JOIN omicsannotations c ON v.contigname = c.contigname AND v.start = c.start AND v.referenceallele = c.referenceallele AND v.alternatealleles = c.alternatealleles WHERE v.sampleid = ?`,
      ['p2'],
    );
    assert.deepEqual(exact, [{ n: 1 }]);
  });
});
