import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { openVcf, parseGenotype, parseStructuredMeta, readVcfText } from '../../../src/formats/vcf';
import type { VcfRecord } from '../../../src/formats/vcf';
import { tmpDir } from '../../helpers/tmp';
import { REFERENCE_DATA } from '../../helpers/reference-data';

const REF = REFERENCE_DATA;
const VCF_DIR = path.join(REF, 'vcf');
const CLINVAR = path.join(REF, 'clinvar/clinvar_20241111_grch38_seqr_test_subset.vcf');

async function readAll(file: string, strict: boolean): Promise<{ records: VcfRecord[]; file: Awaited<ReturnType<typeof openVcf>> }> {
  const vcf = await openVcf(file, { strict });
  const records: VcfRecord[] = [];
  for await (const r of vcf.records) {
    records.push(r);
  }
  return { records, file: vcf };
}

describe('VCF reader on the reference files', () => {
  // Expected data-line counts, from `grep -vc '^#'` on each file.
  const expected: Record<string, { lines: number; strict: 'ok' | RegExp }> = {
    'bcftools_convert_hap_missing_phased.vcf': { lines: 5, strict: 'ok' },
    'bcftools_roh1_bgzf.vcf.gz': { lines: 3124, strict: 'ok' },
    'bcftools_stats_counts_multisample.vcf': { lines: 12, strict: /:16: .*ALT allele "CC" repeats REF \(VCFv4\.2 §1\.4\.1\) \[rule alt-equals-ref\]/ },
    'hts-specs_failed_body_info_000_v4.3.vcf': { lines: 1, strict: /:4: line 4: INFO AA has 2 value\(s\) "1,23" but Number=1 requires 1 \(VCFv4\.3 §1\.6\.1\) \[rule info-value\]/ },
    'hts-specs_header_only_v4.3.vcf': { lines: 0, strict: 'ok' },
    'hts-specs_passed_body_alt_v4.3.vcf': { lines: 26, strict: 'ok' },
    'hts-specs_simple_v4.3.vcf': { lines: 5, strict: 'ok' },
    'htslib_modhdr_header_only.vcf.gz': { lines: 0, strict: 'ok' },
    'htslib_tabix_vcf_file_multiallelic.vcf': { lines: 15, strict: /:38: .*INFO AC has 1 value\(s\) "2" but Number=A requires 305/ },
    // The file's last data line has no line break (VCFv4.4 §1.6: "The last data line must end with a line separator").
    'htslib_vcf44_phasing_missing.vcf': { lines: 28, strict: /:34: line 34: the last data line has no line break \(VCFv4\.4 §1\.6\) \[rule final-newline\]/ },
  };

  it('covers every file in reference-data/vcf', () => {
    assert.deepEqual(fs.readdirSync(VCF_DIR).sort(), Object.keys(expected).sort());
  });

  for (const [name, exp] of Object.entries(expected)) {
    it(`${name}: lenient reads every record; strict ${exp.strict === 'ok' ? 'agrees' : 'rejects with line and rule'}`, async () => {
      const { records, file } = await readAll(path.join(VCF_DIR, name), false);
      assert.equal(file.stats.lines, exp.lines);
      assert.equal(records.length + file.stats.rejected, exp.lines);
      assert.equal(file.stats.rejected, 0);
      if (exp.strict === 'ok') {
        const s = await readAll(path.join(VCF_DIR, name), true);
        assert.equal(s.records.length, exp.lines);
      } else {
        await assert.rejects(readAll(path.join(VCF_DIR, name), true), (e: unknown) => {
          assert.equal((e as { code?: string }).code, 'invalid-input');
          assert.match((e as Error).message, exp.strict as RegExp);
          return true;
        });
      }
    });
  }

  it('reports the failed_* file as invalid in lenient mode too (a warning naming the reason)', async () => {
    const { file } = await readAll(path.join(VCF_DIR, 'hts-specs_failed_body_info_000_v4.3.vcf'), false);
    const w = file.issues.find((i) => i.code === 'info-value');
    assert.ok(w);
    assert.equal(w.severity, 'warning');
    assert.equal(w.line, 4);
    assert.match(w.message, /INFO AA has 2 value/);
  });

  it('models the header of the VCF spec example', async () => {
    const { file, records } = await readAll(path.join(VCF_DIR, 'hts-specs_simple_v4.3.vcf'), true);
    const h = file.header;
    assert.equal(h.fileformat, 'VCFv4.3');
    assert.deepEqual(h.samples, ['NA00001', 'NA00002', 'NA00003']);
    assert.deepEqual(h.info.get('AF'), { id: 'AF', number: 'A', type: 'Float', description: 'Allele Frequency' });
    assert.equal(h.info.get('DB')?.type, 'Flag');
    assert.equal(h.format.get('HQ')?.number, 2);
    assert.deepEqual(h.contigs[0], { id: '20', length: 62435964 });
    assert.equal(h.filters.get('q10'), 'Quality below 10');
    assert.equal(h.meta.get('fileDate'), '20090805');
    const r3 = records[2];
    assert.ok(r3);
    assert.deepEqual([r3.chrom, r3.pos, r3.ids, r3.ref, r3.alts, r3.qual, r3.filters], ['20', 1110696, ['rs6040355'], 'A', ['G', 'T'], 67, ['PASS']]);
    assert.equal(r3.info.get('DB'), true);
    assert.equal(r3.info.get('AF'), '0.333,0.667');
    const r4 = records[3];
    assert.deepEqual(r4?.alts, []);
  });

  it('reads BGZF (multi-member gzip) and plain gzip the same as text', async () => {
    const { records } = await readAll(path.join(VCF_DIR, 'bcftools_roh1_bgzf.vcf.gz'), true);
    const text = zlib.gunzipSync(fs.readFileSync(path.join(VCF_DIR, 'bcftools_roh1_bgzf.vcf.gz'))).toString('utf8');
    const dir = tmpDir('vcfgz');
    const gz = path.join(dir, 'one-member.vcf.gz');
    fs.writeFileSync(gz, zlib.gzipSync(text));
    const again = await readAll(gz, true);
    assert.equal(again.records.length, records.length);
    assert.deepEqual(again.records[3124 - 1], records[3124 - 1]);
    const fromText = await readVcfText(text.replace(/\n/g, '\r\n'), { strict: true });
    assert.equal(fromText.records.length, 3124);
    assert.deepEqual(fromText.records[10]?.alts, records[10]?.alts);
    fs.rmSync(dir, { recursive: true });
  });

  it('fails a truncated or corrupt .gz with a clear message', async () => {
    const dir = tmpDir('vcfbad');
    const full = fs.readFileSync(path.join(VCF_DIR, 'bcftools_roh1_bgzf.vcf.gz'));
    const cut = path.join(dir, 'cut.vcf.gz');
    fs.writeFileSync(cut, full.subarray(0, Math.floor(full.length / 2)));
    await assert.rejects(readAll(cut, false), /could not be decompressed or read .*corrupt or truncated/);
    const garbage = path.join(dir, 'garbage.vcf.gz');
    fs.writeFileSync(garbage, Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.alloc(64, 7)]));
    await assert.rejects(readAll(garbage, false), /could not be decompressed/);
    await assert.rejects(openVcf(path.join(dir, 'missing.vcf')), (e: unknown) => (e as { code?: string }).code === 'not-found');
    fs.rmSync(dir, { recursive: true });
  });

  it('reads the ClinVar excerpt with its INFO text intact', async () => {
    const { records, file } = await readAll(CLINVAR, true);
    assert.equal(records.length, 12);
    assert.equal(file.header.meta.get('reference'), 'GRCh38');
    const mt = records[11];
    assert.equal(mt?.chrom, 'MT');
    assert.equal(mt.info.get('CLNSIG'), 'Pathogenic');
    assert.equal(mt.info.get('GENEINFO'), 'MT-ND5:4540');
    assert.equal(mt.info.get('CLNDN'), 'Leigh_syndrome');
  });
});

describe('VCF genotypes', () => {
  it('decodes diploid, phased, haploid, missing and VCF 4.4 prefixed calls', () => {
    assert.deepEqual(parseGenotype('0/1'), { alleles: [0, 1], phased: false });
    assert.deepEqual(parseGenotype('1|0'), { alleles: [1, 0], phased: true });
    assert.deepEqual(parseGenotype('./.'), { alleles: [-1, -1], phased: false });
    assert.deepEqual(parseGenotype('.'), { alleles: [-1], phased: false });
    assert.deepEqual(parseGenotype('1'), { alleles: [1], phased: false });
    assert.deepEqual(parseGenotype('|1'), { alleles: [1], phased: true });
    assert.deepEqual(parseGenotype('/0|1'), { alleles: [0, 1], phased: false });
    assert.deepEqual(parseGenotype('0|0|1'), { alleles: [0, 0, 1], phased: true });
    assert.deepEqual(parseGenotype('.|1'), { alleles: [-1, 1], phased: true });
    assert.equal(parseGenotype('0/a'), undefined);
    assert.equal(parseGenotype(''), undefined);
  });

  it('round-trips random genotypes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1, max: 30 }), { minLength: 1, maxLength: 4 }), fc.boolean(), (alleles, phased) => {
        const text = alleles.map((a) => (a < 0 ? '.' : String(a))).join(phased ? '|' : '/');
        const g = parseGenotype(text);
        assert.deepEqual(g?.alleles, alleles);
        assert.equal(g.phased, alleles.length > 1 && phased);
      }),
    );
  });

  it('reads the htslib VCF 4.4 phasing file (explicit prefixes, haploid, missing)', async () => {
    const { records } = await readAll(path.join(VCF_DIR, 'htslib_vcf44_phasing_missing.vcf'), false);
    assert.equal(records[1]?.samples[1], '/0|1');
    assert.deepEqual(parseGenotype(records[1].samples[1]), { alleles: [0, 1], phased: false });
    assert.deepEqual(parseGenotype(records[2]?.samples[1] ?? ''), { alleles: [0, 1], phased: false });
  });
});

describe('VCF strict and lenient modes', () => {
  const header =
    '##fileformat=VCFv4.2\n##INFO=<ID=DP,Number=1,Type=Integer,Description="d">\n##FORMAT=<ID=GT,Number=1,Type=String,Description="g">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n';

  it('lenient keeps good records, rejects structural faults with file, line and rule; counts reconcile', async () => {
    const body = [
      '1\t10\t.\tA\tG\t.\tPASS\tDP=3\tGT\t0/1',
      '1\t11\t.\tA\tG\t.\tPASS\tDP=3',
      '1\tx\t.\tA\tG\t.\tPASS\t.\tGT\t0/1',
      '1\t12\t.\tAZ\tG\t.\tPASS\t.\tGT\t0/1',
      '1\t13\t.\tA\tG\t.\tPASS\tDP=x\tGT\t0/1',
      '1\t14\t.\tA\tG\t.\tPASS\t.\tGT\t0/2',
      '1\t15\t.\tA\t<DEL>,*,G]2:100]\t.\tPASS\t.\tGT\t1/3',
    ];
    const r = await readVcfText(header + body.join('\n') + '\n', { source: 'x.vcf' });
    assert.deepEqual(
      r.records.map((x) => x.pos),
      [10, 13, 15],
    );
    assert.equal(r.stats.lines, 7);
    assert.equal(r.stats.records + r.stats.rejected, r.stats.lines);
    const errors = r.issues.filter((i) => i.severity === 'error').map((i) => [i.path, i.code]);
    assert.deepEqual(errors, [
      ['x.vcf:6', 'column-count'],
      ['x.vcf:7', 'pos'],
      ['x.vcf:8', 'ref-bases'],
      ['x.vcf:10', 'gt-allele-range'],
    ]);
    assert.ok(r.issues.some((i) => i.severity === 'warning' && i.code === 'info-value' && i.line === 9));
  });

  it('strict throws at the first MUST violation, naming line and rule and how to relax it', async () => {
    await assert.rejects(
      readVcfText(header + '1\t13\t.\tA\tG\t.\tPASS\tDP=x\tGT\t0/1\n', { strict: true }),
      /input\.vcf:5: line 5: INFO DP value "x" is not an Integer \(VCFv4\.2 §1\.4\.1\) \[rule info-value\]; .*strict: false/,
    );
    await assert.rejects(readVcfText(header + '1\t13\t.\tA\tG\t.\tPASS\tDP\tGT\t0/1\n', { strict: true }), /rule info-missing-value/);
    await assert.rejects(readVcfText(header.replace('##fileformat=VCFv4.2\n', '') + '1\t1\t.\tA\tG\t.\t.\t.\tGT\t0\n', { strict: true }), /rule fileformat-first/);
    await assert.rejects(readVcfText('##fileformat=VCFv4.2\n#CHROM POS ID\n', {}), /header-columns/);
    await assert.rejects(readVcfText('hello\n', {}), /no #CHROM header line/);
  });

  it('parses quoted structured meta values with commas and escaped quotes', () => {
    const m = parseStructuredMeta('ID=X,Number=.,Type=String,Description="a, \\"b\\" c",Source=me');
    assert.equal(m.get('Description'), 'a, "b" c');
    assert.equal(m.get('Source'), 'me');
  });
});
