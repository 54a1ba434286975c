import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openVcf } from '../../../src/formats/vcf';

const DIR = path.join(__dirname, 'conformance');
/** Failed-suite files whose fault the spec text allows (see conformance/README.md). */
const SPEC_ALLOWS = new Set(['4.3/failed/failed_meta_contig_003.vcf', '4.3/failed/failed_body_chrom_004.vcf']);

async function strictRead(file: string): Promise<string | undefined> {
  try {
    const vcf = await openVcf(file, { strict: true });
    for await (const r of vcf.records) {
      assert.ok(r.line > 0);
    }
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function files(kind: 'passed' | 'failed'): string[] {
  return fs
    .readdirSync(DIR)
    .filter((v) => fs.existsSync(path.join(DIR, v, kind)))
    .flatMap((v) => fs.readdirSync(path.join(DIR, v, kind)).map((f) => `${v}/${kind}/${f}`))
    .sort();
}

describe('hts-specs VCF conformance files (strict mode)', () => {
  it('accepts every file of the passed/ folders', async () => {
    const passed = files('passed');
    assert.ok(passed.length >= 14);
    for (const f of passed) {
      assert.equal(await strictRead(path.join(DIR, f)), undefined, f);
    }
  });

  it('rejects every file of the failed/ folders, naming line and rule, except the faults the spec text allows', async () => {
    const failed = files('failed');
    assert.ok(failed.length >= 45);
    let rejected = 0;
    for (const f of failed) {
      const error = await strictRead(path.join(DIR, f));
      if (SPEC_ALLOWS.has(f)) {
        assert.equal(error, undefined, `${f} is accepted: the contig-name rule of VCFv4.3 §1.4.7 allows "*" after the first character`);
        continue;
      }
      assert.ok(error !== undefined, `${f} (${fs.readFileSync(path.join(DIR, f), 'utf8').split('\n')[1] ?? ''}) was accepted`);
      assert.match(error, /:\d+: .*\[rule [a-z-]+\]|has no #CHROM header line \(.*\)/, f);
      rejected++;
    }
    assert.equal(rejected, failed.length - SPEC_ALLOWS.size);
  });
});
