/**
 * Genomic cohort figures for notebook 05: the clinical-significance mix of carried alleles and the cohort's APOE
 * allele frequencies beside published population frequencies.
 */
import { baseLayout, emptyFigure, plotlyText, roundTo } from './figure';
import type { PlotlyFigure } from './figure';

/**
 * Approximate gnomAD global ALT allele frequencies of the two APOE markers (rs429358-C ≈ 0.15 marks ε4, rs7412-T ≈
 * 0.08 marks ε2): a reference for the eye, not a test.
 */
export const APOE_POPULATION_FREQUENCIES: Readonly<Record<'rs429358' | 'rs7412', number>> = { rs429358: 0.15, rs7412: 0.08 };

/**
 * Pie of carried alleles per ClinVar significance class.
 *
 * @param mix - classes and allele counts (e.g. `ws.genomics.significanceMix()`)
 * @returns the figure (an empty one when nothing is carried)
 */
export function significanceMixFigure(mix: { readonly classes: readonly string[]; readonly alleles: readonly number[] }): PlotlyFigure {
  const title = 'Clinical significance of carried alleles';
  if (mix.classes.length === 0) {
    return emptyFigure(title, 'no ClinVar-matched alleles: import the genomic data first (01)');
  }
  return { data: [{ type: 'pie', labels: mix.classes.map(plotlyText), values: [...mix.alleles] }], layout: baseLayout(title, {}) };
}

/**
 * ALT allele frequency of each APOE marker in the cohort (dosage columns `dosage_rs429358`, `dosage_rs7412` of the
 * genomic feature table: sum of dosages over 2 × patients) beside {@link APOE_POPULATION_FREQUENCIES}.
 *
 * @param rows - genomic feature rows
 * @returns grouped bars, cohort vs population
 */
export function apoeAlleleFrequencyFigure(rows: readonly Readonly<Record<string, unknown>>[]): PlotlyFigure {
  const x = ['rs429358-C (ε4)', 'rs7412-T (ε2)'];
  const frequency = (column: string): number => roundTo(rows.reduce((a, r) => a + Number(r[column] ?? 0), 0) / (2 * Math.max(1, rows.length)), 4);
  return {
    data: [
      { type: 'bar', name: 'cohort', x, y: [frequency('dosage_rs429358'), frequency('dosage_rs7412')] },
      { type: 'bar', name: 'expected (gnomAD, approx.)', x, y: [APOE_POPULATION_FREQUENCIES.rs429358, APOE_POPULATION_FREQUENCIES.rs7412] },
    ],
    layout: baseLayout('APOE allele frequencies', { barmode: 'group', yaxis: { title: { text: 'ALT allele frequency' } } }),
  };
}
