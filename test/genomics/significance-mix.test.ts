import assert from 'node:assert/strict';
import { openWorkspace } from '../../src/workspace';
import type { Workspace } from '../../src/workspace';
import { silentProgress } from '../../src/progress';
import { carriedSignificanceMix, significanceClass, significanceMixOf } from '../../src/genomics/significance-mix';
import { tmpDir } from '../helpers/tmp';

describe('genomics: the clinical-significance mix of carried alleles', function () {
  this.timeout(60_000);

  it('names the most severe of pathogenic, likely pathogenic and risk factor, else the CLNSIG text', () => {
    assert.equal(significanceClass('Pathogenic/Likely_pathogenic'), 'pathogenic');
    assert.equal(significanceClass('Likely_pathogenic'), 'likely pathogenic');
    assert.equal(significanceClass('Uncertain_significance|risk_factor'), 'risk factor');
    assert.equal(significanceClass('Conflicting_interpretations_of_pathogenicity'), 'Conflicting_interpretations_of_pathogenicity');
    assert.equal(significanceClass(null), 'unknown');
  });

  it('sums dosages per class and leaves out alleles nobody carries', () => {
    const mix = significanceMixOf([
      { clnsig: 'Pathogenic', dosage: 1 },
      { clnsig: 'Uncertain_significance', dosage: 2 },
      { clnsig: 'Benign', dosage: 0 },
      { clnsig: 'Pathogenic', dosage: 2 },
    ]);
    assert.deepEqual(mix, { classes: ['pathogenic', 'Uncertain_significance'], alleles: [3, 2] });
    // The named classes lead, most severe first, whatever order the rows come in.
    const ordered = significanceMixOf([
      { clnsig: 'Benign', dosage: 4 },
      { clnsig: 'risk_factor', dosage: 1 },
      { clnsig: 'Likely_pathogenic', dosage: 2 },
    ]);
    assert.deepEqual(ordered, { classes: ['likely pathogenic', 'risk factor', 'Benign'], alleles: [2, 1, 4] });
  });

  describe('over variant and annotation tables (DuckDB, the stores’ column types)', () => {
    let ws: Workspace;
    before(async () => {
      ws = await openWorkspace({ dir: tmpDir('sigmix-ws'), create: true, progress: silentProgress });
      await ws.sql.query(`CREATE TABLE v AS SELECT * FROM (VALUES
        ('p1', 'chr1', 100::BIGINT, 'A', ['G']::VARCHAR[], [0, 1]::INTEGER[], []::VARCHAR[]),
        ('p2', '1', 100::BIGINT, 'A', ['T', 'G']::VARCHAR[], [2, 2]::INTEGER[], []::VARCHAR[]),
        ('p2', '1', 200::BIGINT, 'C', ['T']::VARCHAR[], [0, 0]::INTEGER[], []::VARCHAR[]),
        ('p3', '2', 300::BIGINT, 'G', ['A']::VARCHAR[], [1, 1]::INTEGER[], []::VARCHAR[])
      ) t(sampleid, contigname, start, referenceallele, alternatealleles, calls, names)`);
      await ws.sql.query(`CREATE TABLE a AS SELECT * FROM (VALUES
        ('1', 100::BIGINT, 'A', ['G']::VARCHAR[], MAP {'CLNSIG': 'Pathogenic'}),
        ('1', 200::BIGINT, 'C', ['T']::VARCHAR[], MAP {'CLNSIG': 'Benign'}),
        ('2', 300::BIGINT, 'G', ['A']::VARCHAR[], MAP {'CLNSIG': 'risk_factor'})
      ) t(contigname, start, referenceallele, alternatealleles, attributes)`);
    });
    after(async () => {
      await ws.close();
    });

    it('matches on the carried ALT allele (chr prefix either way) and counts dosage', async () => {
      const mix = await carriedSignificanceMix(ws.sql, { variants: 'v', annotations: 'a' });
      // p1 carries one G; p2 carries two G (its second ALT); p2's C>T is not carried; p3 is homozygous A.
      assert.deepEqual(mix, { classes: ['pathogenic', 'risk factor'], alleles: [3, 2] });
    });
  });
});
