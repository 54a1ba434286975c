/**
 * The variant alleles the cohort carries, one entry per allele (contig, start, REF, ALT) with its carriers as
 * compact arrays, aggregated in SQL so that memory follows the number of carried alleles, not the number of rows
 * behind them: at 100,000 patients the store holds ~3 M called alleles, and reading them as one JavaScript object
 * per row took several GiB. The per-variant dosage columns and the ClinVar counts of the genomic features are built
 * from these entries.
 */
import type { SqlEngine } from '../sql/engine';
import { ALT_DOSAGE_SQL, clinvarAlleleMatchSql } from './queries';

/**
 * Minimum minor-allele count (over the cohort's samples) for a per-variant dosage column: 20, the usual floor below
 * which single-variant logistic effects are not estimable (rarer variants are analysed collapsed, as burden counts).
 */
export const MIN_ALLELE_COUNT = 20;

/** A ClinVar record matched to a carried allele (the allele's ALT is one of the record's). */
export interface ClinvarMatch {
  /** Raw CLNSIG (null when the record has none). */
  readonly clnsig: string | null;
  /** Raw GENEINFO (null when the record has none). */
  readonly geneinfo: string | null;
}

/** One variant allele carried by at least one sample. */
export interface CarriedAllele {
  /** Contig without `chr`. */
  readonly contig: string;
  /** 0-based start. */
  readonly start: number;
  /** REF allele. */
  readonly ref: string;
  /** The ALT allele. */
  readonly alt: string;
  /** The first ID (rsID) of the records, from the first sample (by id) that names one; null when none does. */
  readonly rsid: string | null;
  /** Indices (into the caller's sample list) of the samples carrying the allele, ascending. */
  readonly carriers: Int32Array;
  /** Copies per carrier (aligned with `carriers`): the most any of the sample's records calls (1 or 2). */
  readonly dosage: Int32Array;
  /** Copies per carrier summed over the sample's records (differs from `dosage` only for repeated records). */
  readonly recordDosage: Int32Array;
  /** The ClinVar records that list this ALT at this site (empty when ClinVar does not annotate it). */
  readonly clinvar: readonly ClinvarMatch[];
}

/** A per-variant dosage column, sparse: the carriers' sample indices and their copies (everyone else has 0). */
export interface DosageColumn {
  /** Sample indices, ascending. */
  readonly carriers: Int32Array;
  /** Copies, aligned with `carriers`. */
  readonly dosage: Int32Array;
}

/**
 * SQL of the carried alleles: one row per allele carried by some sample and ClinVar record matching it (a row with
 * NULL ClinVar columns when none does), ordered by contig, start, REF, ALT, with the carriers' sample ids and
 * dosages as arrays ordered by sample id. Portable (DuckDB and Athena).
 *
 * @param variants - variant table (quoted identifier)
 * @param annotations - annotation table (quoted identifier)
 * @returns SQL without placeholders
 */
export function carriedAllelesSql(variants: string, annotations: string): string {
  return `WITH carried_calls AS (
  SELECT v.sampleid AS sampleid, regexp_replace(v.contigname, '^chr', '') AS contig, v.start AS start, v.referenceallele AS ref, t.alt AS alt,
         CASE WHEN cardinality(v.names) > 0 AND element_at(v.names, 1) NOT IN ('', '.') THEN element_at(v.names, 1) ELSE NULL END AS rsid,
         ${ALT_DOSAGE_SQL} AS dosage
  FROM ${variants} v
  CROSS JOIN UNNEST(v.alternatealleles) WITH ORDINALITY AS t(alt, idx)
  WHERE v.sampleid IS NOT NULL
), carried_per_sample AS (
  SELECT contig, start, ref, alt, sampleid, CAST(max(dosage) AS INTEGER) AS dmax, CAST(sum(dosage) AS INTEGER) AS dsum, min(rsid) AS rsid
  FROM carried_calls GROUP BY contig, start, ref, alt, sampleid
), carried_sites AS (
  SELECT contig, start, ref, alt, min_by(rsid, sampleid) FILTER (WHERE rsid IS NOT NULL) AS rsid,
         array_agg(sampleid ORDER BY sampleid) FILTER (WHERE dmax > 0) AS samples,
         array_agg(dmax ORDER BY sampleid) FILTER (WHERE dmax > 0) AS dosages,
         array_agg(dsum ORDER BY sampleid) FILTER (WHERE dmax > 0) AS record_dosages
  FROM carried_per_sample GROUP BY contig, start, ref, alt HAVING max(dmax) > 0
)
SELECT s.contig AS contig, s.start AS start, s.ref AS ref, s.alt AS alt, s.rsid AS rsid, s.samples AS samples, s.dosages AS dosages, s.record_dosages AS record_dosages,
       c.start IS NOT NULL AS annotated, element_at(c.attributes, 'CLNSIG') AS clnsig, element_at(c.attributes, 'GENEINFO') AS geneinfo
FROM carried_sites s LEFT JOIN ${annotations} c
  ON ${clinvarAlleleMatchSql({ contig: 's.contig', start: 's.start', ref: 's.ref', alt: 's.alt' })}
ORDER BY s.contig, s.start, s.ref, s.alt`;
}

/** One row of {@link carriedAllelesSql}. */
type CarriedAlleleRow = {
  readonly contig: string;
  readonly start: unknown;
  readonly ref: string;
  readonly alt: string;
  readonly rsid: string | null;
  readonly samples: readonly string[];
  readonly dosages: readonly unknown[];
  readonly record_dosages: readonly unknown[];
  readonly annotated: boolean;
  readonly clnsig: string | null;
  readonly geneinfo: string | null;
};

/**
 * A number of a query's row as JavaScript reads it: DuckDB's BIGINT (a bigint), a number, or Athena's text; NULL → 0.
 *
 * @param v - the value
 * @returns the number
 */
export function sqlNumber(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : Number(v ?? 0);
}

/**
 * Reads the carried alleles of the cohort.
 *
 * @param sql - the workspace SQL engine
 * @param tables - variant and annotation tables (quoted identifiers)
 * @param sampleIndex - sample id → index (every sample of the variant table; others are left out)
 * @returns the alleles in genomic order (contig, start, REF, ALT as text)
 */
export async function readCarriedAlleles(sql: SqlEngine, tables: { readonly variants: string; readonly annotations: string }, sampleIndex: ReadonlyMap<string, number>): Promise<CarriedAllele[]> {
  const rows = await sql.query<CarriedAlleleRow>(carriedAllelesSql(tables.variants, tables.annotations));
  const out: CarriedAllele[] = [];
  let last: (CarriedAllele & { clinvar: ClinvarMatch[] }) | undefined;
  for (const r of rows) {
    const start = sqlNumber(r.start);
    if (last === undefined || last.contig !== r.contig || last.start !== start || last.ref !== r.ref || last.alt !== r.alt) {
      const carriers: number[] = [];
      const dosage: number[] = [];
      const recordDosage: number[] = [];
      r.samples.forEach((s, k) => {
        const i = sampleIndex.get(s);
        if (i !== undefined) {
          carriers.push(i);
          dosage.push(sqlNumber(r.dosages[k]));
          recordDosage.push(sqlNumber(r.record_dosages[k]));
        }
      });
      last = {
        contig: r.contig,
        start,
        ref: r.ref,
        alt: r.alt,
        rsid: r.rsid,
        carriers: Int32Array.from(carriers),
        dosage: Int32Array.from(dosage),
        recordDosage: Int32Array.from(recordDosage),
        clinvar: [],
      };
      out.push(last);
    }
    if (r.annotated) {
      last.clinvar.push({ clnsig: r.clnsig, geneinfo: r.geneinfo });
    }
  }
  return out;
}

/**
 * A feature column name part: lower case, every character but `a-z`, `0-9` and `_` replaced by `_`.
 *
 * @param name - an rsID, gene symbol, gene-set key or allele spelling
 * @returns the name part
 */
export function columnName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/**
 * Dosage columns per panel-named (rsID) or ClinVar-annotated carried allele: `dosage_<rsid>`, with `_<alt>` when one
 * rsID has several ALT alleles, or `dosage_<contig>_<pos>_<ref>_<alt>` without an rsID.
 *
 * @param alleles - the carried alleles ({@link readCarriedAlleles}), in genomic order
 * @param taken - column names already used (skipped)
 * @returns column name → sparse column, in the alleles' order
 */
export function variantDosageColumns(alleles: readonly CarriedAllele[], taken: ReadonlySet<string>): Map<string, DosageColumn> {
  const kept = alleles.filter((a) => a.rsid !== null || a.clinvar.length > 0);
  const altsPerRsid = new Map<string, number>();
  for (const a of kept) {
    if (a.rsid !== null) {
      altsPerRsid.set(a.rsid, (altsPerRsid.get(a.rsid) ?? 0) + 1);
    }
  }
  const out = new Map<string, DosageColumn>();
  for (const a of kept) {
    const name =
      a.rsid === null
        ? `dosage_${columnName(`${a.contig}_${String(a.start + 1)}_${a.ref}_${a.alt}`)}`
        : `dosage_${columnName(a.rsid)}${(altsPerRsid.get(a.rsid) ?? 0) > 1 ? `_${columnName(a.alt)}` : ''}`;
    if (!taken.has(name) && !out.has(name)) {
      out.set(name, { carriers: a.carriers, dosage: a.dosage });
    }
  }
  return out;
}

/**
 * Splits per-variant dosage columns by minor-allele count: min(Σ dosage, 2·samples − Σ dosage) ≥ `minAlleleCount`
 * keeps a column; the others are rare (samples missing from a column count as 0 copies).
 *
 * @param columns - column name → sparse column ({@link variantDosageColumns})
 * @param samples - number of samples in the cohort
 * @param minAlleleCount - the floor (0 keeps everything)
 * @returns the kept columns (same order) and the rare ones
 */
export function splitRareDosageColumns(columns: ReadonlyMap<string, DosageColumn>, samples: number, minAlleleCount: number): { kept: Map<string, DosageColumn>; rare: Map<string, DosageColumn> } {
  const kept = new Map<string, DosageColumn>();
  const rare = new Map<string, DosageColumn>();
  for (const [name, col] of columns) {
    const alleles = col.dosage.reduce((a, d) => a + d, 0);
    (Math.min(alleles, 2 * samples - alleles) >= minAlleleCount ? kept : rare).set(name, col);
  }
  return { kept, rare };
}
