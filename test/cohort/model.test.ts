import * as path from 'node:path';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { auroc, simulatePatient } from '../../src/cohort/model';
import { OUTCOMES, PANEL, panelMarker } from '../../src/cohort/panel';
import { REFERENCE_DATA } from '../helpers/reference-data';

describe('cohort risk model', () => {
  const N = 4000;
  const patients = Array.from({ length: N }, (_, i) => simulatePatient(11, i));

  it('is deterministic per (seed, index) and differs across seeds', () => {
    assert.deepEqual(simulatePatient(11, 5), patients[5]);
    assert.notEqual(simulatePatient(12, 5).id, patients[5]?.id);
  });

  it('keeps prevalences near Coherent and oracle AUROCs in 0.75–0.92', () => {
    const bounds = { hypertension: [0.28, 0.48], stroke: [0.03, 0.13], chd: [0.04, 0.15], alzheimers: [0.12, 0.3] } as const;
    for (const o of OUTCOMES) {
      const labels = patients.map((p) => p.outcomes[o] !== undefined);
      const prev = labels.filter(Boolean).length / N;
      const auc = auroc(
        patients.map((p) => p.risk[o]),
        labels,
      );
      assert.ok(prev >= bounds[o][0] && prev <= bounds[o][1], `${o} prevalence ${String(prev)}`);
      assert.ok(auc >= 0.75 && auc <= 0.92, `${o} oracle AUROC ${String(auc)}`);
    }
  });

  it('gives modality coverage like Coherent (816/1,278 genomic, 298/1,278 imaging) with the trigger selection bias', () => {
    const genomic = patients.filter((p) => p.genomic).length / N;
    const imaging = patients.filter((p) => p.mri !== undefined).length / N;
    assert.ok(genomic > 0.55 && genomic < 0.75, `genomic ${String(genomic)}`);
    assert.ok(imaging > 0.15 && imaging < 0.32, `imaging ${String(imaging)}`);
    const trig = (p: (typeof patients)[number]): boolean => p.outcomes.stroke !== undefined || p.outcomes.chd !== undefined || p.precursors.atrialFibrillation !== undefined;
    const rate = (xs: typeof patients): number => xs.filter(trig).length / xs.length;
    assert.ok(rate(patients.filter((p) => p.genomic)) > rate(patients.filter((p) => !p.genomic)) + 0.03);
  });

  it('plants MRI effects only for imaged patients, within the contract ranges, dated at the microbleed finding', () => {
    for (const p of patients) {
      if (p.mri === undefined) {
        assert.equal(p.precursors.microbleeds, undefined);
        continue;
      }
      const e = p.mri.effects;
      assert.equal(p.precursors.microbleeds?.onset, p.mri.date);
      for (const v of [e.atrophy, e.ventricleEnlargement, e.wmhLoad]) {
        assert.ok(v >= 0 && v <= 1);
      }
      assert.ok(Number.isInteger(e.infarcts) && e.infarcts >= 0);
      assert.ok(Number.isInteger(e.microbleeds) && e.microbleeds >= 1);
    }
  });

  it('imaging carries signal the clinical factors do not: atrophy tracks the hidden neurodegeneration', () => {
    const imaged = patients.filter((p) => p.mri !== undefined);
    const hi = imaged.filter((p) => p.neuro > 1);
    const lo = imaged.filter((p) => p.neuro < -1);
    const mean = (xs: typeof imaged): number => xs.reduce((a, p) => a + (p.mri?.effects.atrophy ?? 0), 0) / xs.length;
    assert.ok(mean(hi) > mean(lo) + 0.1, `${String(mean(hi))} vs ${String(mean(lo))}`);
  });

  it('gives everyone every modality under coverage "full"', () => {
    for (let i = 0; i < 50; i++) {
      const p = simulatePatient(3, i, 'full');
      assert.ok(p.genomic && p.mri !== undefined);
    }
  });

  it('computes AUROC with ties like Mann–Whitney', () => {
    assert.equal(auroc([0.1, 0.4, 0.35, 0.8], [false, false, true, true]), 0.75);
    assert.equal(auroc([0.5, 0.5], [false, true]), 0.5);
    assert.ok(Number.isNaN(auroc([1, 2], [true, true])));
  });
});

describe('cohort genetic panel', () => {
  it('holds the 161 Synthea markers of GeneIndexToCategory.json plus flagged synthetic extras', () => {
    const ref = JSON.parse(fs.readFileSync(path.join(REFERENCE_DATA, 'synthea-genomics/GeneIndexToCategory.json'), 'utf8')) as Record<string, string[]>;
    const fixture = PANEL.filter((m) => !m.synthetic);
    assert.equal(fixture.length, 161);
    assert.deepEqual(new Set(fixture.map((m) => m.rsid)), new Set(Object.keys(ref)));
    for (const m of fixture) {
      assert.deepEqual(m.categories, ref[m.rsid]);
    }
    assert.deepEqual(
      PANEL.filter((m) => m.synthetic).map((m) => m.rsid),
      ['rs7412', 'rs1799983', 'rs4343', 'rs900000001'],
    );
  });

  it('uses the documented GRCh38 positions and alleles', () => {
    const pcsk9 = panelMarker('rs11591147');
    assert.deepEqual([pcsk9.chrom, pcsk9.pos, pcsk9.ref, pcsk9.alts, pcsk9.gene, pcsk9.significance], ['1', 55039974, 'G', ['A', 'T'], 'PCSK9', 'Pathogenic']);
    const apoe = panelMarker('rs429358');
    assert.deepEqual([apoe.chrom, apoe.pos, apoe.ref, apoe.alts], ['19', 44908684, 'T', ['C']]);
    assert.equal(panelMarker('rs646776').pos, 109275908);
    assert.equal(panelMarker('rs3783799').pos, 614524988, 'the PRKCH out-of-range quirk is kept');
    assert.equal(panelMarker('rs1801020').gene, 'F12, SLC34A1');
  });
});
