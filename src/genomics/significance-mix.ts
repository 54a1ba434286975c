/**
 * The clinical-significance mix of the alleles patients carry: ClinVar-matched alleles (matched on the ALT allele,
 * see {@link clinvarMatchedAllelesSql}) counted by dosage per significance class. Notebook 05 draws it as a pie.
 */
import type { SqlEngine } from '../sql/engine';
import { classifyClnsig } from './features';
import { carriedSignificanceSql } from './queries';

/**
 * Carried allele counts per ClinVar significance class: pathogenic, likely pathogenic and risk factor first (those
 * present), then the other classes in the order first seen.
 */
export interface SignificanceMix {
  /** Class names: `pathogenic`, `likely pathogenic`, `risk factor`, else the raw CLNSIG text (or `unknown`). */
  readonly classes: readonly string[];
  /** Carried alleles (sum of dosages) per class, aligned with `classes`. */
  readonly alleles: readonly number[];
}

/**
 * The class an allele is counted under: the most severe of pathogenic, likely pathogenic and risk factor that its
 * CLNSIG names, else the CLNSIG text itself.
 *
 * @param clnsig - raw CLNSIG (null when ClinVar gives none)
 * @returns the class name
 */
export function significanceClass(clnsig: string | null): string {
  const c = classifyClnsig(clnsig);
  return c.pathogenic ? 'pathogenic' : c.likely_pathogenic ? 'likely pathogenic' : c.risk_factor ? 'risk factor' : (clnsig ?? 'unknown');
}

/** The named classes, most severe first; they lead the mix in this order. */
const SEVERE_CLASSES = ['pathogenic', 'likely pathogenic', 'risk factor'];

/**
 * Sums carried alleles (dosage > 0) per significance class.
 *
 * @param matched - carried copies per CLNSIG value (rows of {@link carriedSignificanceSql}) or per matched allele
 * @returns the mix
 */
export function significanceMixOf(matched: readonly { readonly clnsig: string | null; readonly dosage: number }[]): SignificanceMix {
  const mix = new Map<string, number>(SEVERE_CLASSES.map((c) => [c, 0]));
  for (const m of matched) {
    if (m.dosage > 0) {
      const k = significanceClass(m.clnsig);
      mix.set(k, (mix.get(k) ?? 0) + m.dosage);
    }
  }
  const carried = [...mix].filter(([c, n]) => n > 0 || !SEVERE_CLASSES.includes(c));
  return { classes: carried.map(([c]) => c), alleles: carried.map(([, n]) => n) };
}

/**
 * Runs the ClinVar allele match over the variant and annotation tables, summed per CLNSIG in the engine, and sums
 * the carried alleles per class.
 *
 * @param sql - the workspace SQL engine
 * @param tables - variant and annotation table names
 * @returns the mix
 */
export async function carriedSignificanceMix(sql: SqlEngine, tables: { readonly variants: string; readonly annotations: string }): Promise<SignificanceMix> {
  const rows = await sql.query<{ clnsig: string | null; alleles: unknown }>(carriedSignificanceSql(tables.variants, tables.annotations));
  return significanceMixOf(rows.map((r) => ({ clnsig: r.clnsig, dosage: Number(r.alleles) })));
}
