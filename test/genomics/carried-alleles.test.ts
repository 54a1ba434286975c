import assert from 'node:assert/strict';
import { openWorkspace } from '../../src/workspace';
import type { Workspace } from '../../src/workspace';
import { silentProgress } from '../../src/progress';
import { readCarriedAlleles } from '../../src/genomics/carried-alleles';
import { tmpDir } from '../helpers/tmp';

describe('genomics: carried alleles aggregated in SQL', function () {
  this.timeout(60_000);
  let ws: Workspace;
  before(async () => {
    ws = await openWorkspace({ dir: tmpDir('carried-ws'), create: true, progress: silentProgress });
    await ws.sql.query(`CREATE TABLE v AS SELECT * FROM (VALUES
      ('p2', 'chr1', 100::BIGINT, 'A', ['G', 'T']::VARCHAR[], [1, 2]::INTEGER[], []::VARCHAR[]),
      ('p1', '1', 100::BIGINT, 'A', ['G']::VARCHAR[], [0, 1]::INTEGER[], ['.']::VARCHAR[]),
      ('p3', '1', 100::BIGINT, 'A', ['G']::VARCHAR[], [0, 0]::INTEGER[], ['rs4']::VARCHAR[]),
      ('p1', '1', 200::BIGINT, 'C', ['T']::VARCHAR[], [1, 1]::INTEGER[], []::VARCHAR[]),
      ('p1', '1', 200::BIGINT, 'C', ['T']::VARCHAR[], [0, 1]::INTEGER[], []::VARCHAR[]),
      ('p3', '2', 300::BIGINT, 'G', ['A']::VARCHAR[], [0, 0]::INTEGER[], ['rs9']::VARCHAR[]),
      (NULL, '2', 400::BIGINT, 'G', ['A']::VARCHAR[], [1, 1]::INTEGER[], []::VARCHAR[])
    ) t(sampleid, contigname, start, referenceallele, alternatealleles, calls, names)`);
    await ws.sql.query(`CREATE TABLE a AS SELECT * FROM (VALUES
      ('1', 100::BIGINT, 'A', ['G']::VARCHAR[], MAP {'CLNSIG': 'Pathogenic', 'GENEINFO': 'X:1'}),
      ('1', 100::BIGINT, 'A', ['C', 'G']::VARCHAR[], MAP {'CLNSIG': 'risk_factor'}),
      ('chr1', 200::BIGINT, 'C', ['T']::VARCHAR[], MAP {'CLNSIG': 'Benign'})
    ) t(contigname, start, referenceallele, alternatealleles, attributes)`);
  });
  after(async () => {
    await ws.close();
  });

  it('gives one entry per carried allele with its carriers, copies, first rsID and every matching ClinVar record', async () => {
    const index = new Map([
      ['p1', 0],
      ['p2', 1],
      ['p3', 2],
    ]);
    const got = (await readCarriedAlleles(ws.sql, { variants: 'v', annotations: 'a' }, index)).map((a) => ({
      ...a,
      carriers: [...a.carriers],
      dosage: [...a.dosage],
      recordDosage: [...a.recordDosage],
    }));
    assert.deepEqual(got, [
      // 1:100 G: p1 het, p2 one copy of G (its other copy is T); p3 carries none but names rs4, which is the first
      // valid rsID by sample id (p1's '.' is no ID, p2 names none). Two ClinVar records list G.
      {
        contig: '1',
        start: 100,
        ref: 'A',
        alt: 'G',
        rsid: 'rs4',
        carriers: [0, 1],
        dosage: [1, 1],
        recordDosage: [1, 1],
        clinvar: [
          { clnsig: 'Pathogenic', geneinfo: 'X:1' },
          { clnsig: 'risk_factor', geneinfo: null },
        ],
      },
      { contig: '1', start: 100, ref: 'A', alt: 'T', rsid: null, carriers: [1], dosage: [1], recordDosage: [1], clinvar: [] },
      // 1:200 T: p1 has two records (hom-alt and het): 2 copies at most, 3 summed over its records.
      { contig: '1', start: 200, ref: 'C', alt: 'T', rsid: null, carriers: [0], dosage: [2], recordDosage: [3], clinvar: [{ clnsig: 'Benign', geneinfo: null }] },
      // 2:300 is carried by nobody, 2:400 by a row without a sample: neither is listed.
    ]);
  });
});
