import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openVcf } from '../../../src/formats/vcf';

const FIX = path.join(__dirname, 'fixtures');

interface RuleFixture {
  readonly name: string;
  readonly rule: string;
  readonly section: string;
  readonly what: string;
  /** What `bcftools view` did with the files when they were written (see README.md). */
  readonly bcftoolsValid: 'ok' | 'error';
  readonly bcftoolsInvalid: 'ok' | 'error';
}

const RULES = JSON.parse(fs.readFileSync(path.join(FIX, 'rules.json'), 'utf8')) as RuleFixture[];
const HAS_BCFTOOLS = spawnSync('bcftools', ['--version']).status === 0;

async function read(file: string, strict: boolean): Promise<{ records: number; rejected: number; lines: number; errors: { line: number; code: string }[] }> {
  const vcf = await openVcf(file, { strict });
  let records = 0;
  for await (const r of vcf.records) {
    records += r.line > 0 ? 1 : 0;
  }
  const errors = vcf.issues.filter((i) => i.severity === 'error').map((i) => ({ line: i.line, code: i.code }));
  return { records, rejected: vcf.stats.rejected, lines: vcf.stats.lines, errors };
}

function dataLines(file: string): number[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l, i) => ({ l, n: i + 1 }))
    .filter((x) => x.l !== '' && !x.l.startsWith('#'))
    .map((x) => x.n);
}

describe('VCF spec rules: one valid and one invalid fixture per rule (test/formats/vcf/fixtures/README.md)', () => {
  it('has a fixture pair and a README row for every rule', () => {
    const readme = fs.readFileSync(path.join(FIX, 'README.md'), 'utf8');
    assert.ok(RULES.length >= 50);
    for (const r of RULES) {
      assert.ok(fs.existsSync(path.join(FIX, `${r.name}.valid.vcf`)) && fs.existsSync(path.join(FIX, `${r.name}.invalid.vcf`)), r.name);
      assert.ok(readme.includes(`\`${r.name}.{valid,invalid}.vcf\``), `${r.name} has no README row`);
      assert.match(r.section, /^VCFv4\.[1-5] §\d/);
    }
  });

  for (const r of RULES) {
    it(`${r.name}: strict accepts the valid file and rejects the invalid one with [rule ${r.rule}] (${r.section})`, async () => {
      const valid = path.join(FIX, `${r.name}.valid.vcf`);
      const invalid = path.join(FIX, `${r.name}.invalid.vcf`);
      const ok = await read(valid, true);
      assert.equal(ok.records, dataLines(valid).length);
      await assert.rejects(read(invalid, true), (e: unknown) => {
        assert.equal((e as { code?: string }).code, 'invalid-input');
        assert.match((e as Error).message, new RegExp(`:\\d+: .*\\[rule ${r.rule}\\]`));
        return true;
      });
    });

    it(`${r.name}: lenient never drops a record without a failure line`, async () => {
      const invalid = path.join(FIX, `${r.name}.invalid.vcf`);
      let got: Awaited<ReturnType<typeof read>>;
      try {
        got = await read(invalid, false);
      } catch (e) {
        // Only a header too broken to read (no #CHROM line, data before it) fails the whole file.
        assert.match((e as Error).message, /has no #CHROM header line|\[rule header-columns\]/);
        return;
      }
      assert.equal(got.records + got.rejected, got.lines, 'input = kept + rejected');
      assert.equal(got.lines, dataLines(invalid).length);
      const failed = new Set(got.errors.map((x) => x.line));
      assert.ok(got.rejected <= failed.size, 'every rejected record has a failure line');
      assert.ok(got.errors.length > 0 || got.records === got.lines, 'the fault is reported');
    });

    if (HAS_BCFTOOLS) {
      it(`${r.name}: bcftools view still gives ${r.bcftoolsValid} / ${r.bcftoolsInvalid}`, () => {
        for (const [kind, expected] of [
          ['valid', r.bcftoolsValid],
          ['invalid', r.bcftoolsInvalid],
        ] as const) {
          const res = spawnSync('bcftools', ['view', path.join(FIX, `${r.name}.${kind}.vcf`)], { encoding: 'utf8' });
          assert.equal(res.status === 0 ? 'ok' : 'error', expected, `${kind}: ${res.stderr}`);
        }
      });
    }
  }
});
