/**
 * Writes a patient's DNA CSV in the Coherent layout (docs/coherent.md §1.3): two rows per marker (`_FS1`, `_FS2`),
 * GRCh38 1-based, always-quoted VARIANT_ALLELE_LIST, unquoted GENE (which may contain a comma, giving 12 fields).
 */
import type { SimPatient } from './model';
import { PANEL } from './panel';

/** The header Synthea's `GeneticMarker.csvHeader()` writes. */
export const DNA_CSV_HEADER = 'INDEX,INDEX_PREFIX,CHROMOSOME,LOCATION,STRAND,ANCESTRAL_ALLELE,VARIANT_ALLELE_LIST,GENE,CLINICAL_SIGNIFICANCE,ALLELE,VARIANT';

/**
 * Renders the CSV text.
 *
 * @param p - the patient (its genotype)
 * @returns CSV text with a trailing newline
 */
export function renderDnaCsv(p: SimPatient): string {
  const lines = [DNA_CSV_HEADER];
  for (const m of PANEL) {
    for (let s = 0; s < 2; s++) {
      const k = p.genotype[m.index * 2 + s] ?? 0;
      const alt = k === 0 ? undefined : m.alts[k - 1];
      const allele = alt === undefined ? m.ref : `${m.ref}>${alt}`;
      lines.push(
        `${m.rsid}_FS${String(s + 1)},${m.rsid},${m.chrom},${String(m.pos)},${String(s + 1)},${m.ref},"${m.alts.join(', ')}",${m.gene},${m.significance},${allele},${alt === undefined ? 'false' : 'true'}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
