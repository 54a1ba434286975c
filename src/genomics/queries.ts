/**
 * The guidance's Athena queries over the variant and annotation tables, written so they run unchanged on DuckDB
 * (with the portable macros) and on Athena engine v3 (docs/aws-semantics.md §1.5, §6).
 */

import { sqlIdentifier } from '../sql/literal';

/**
 * SQL of the copies of the ALT allele `t` (unnested from `v.alternatealleles` WITH ORDINALITY as `t(alt, idx)`) in
 * the call of the variant row `v`: 0, 1 or 2 (haploid 0 or 1; no-calls count 0).
 */
export const ALT_DOSAGE_SQL = '(CASE WHEN element_at(v.calls, 1) = t.idx THEN 1 ELSE 0 END) + (CASE WHEN cardinality(v.calls) >= 2 AND element_at(v.calls, 2) = t.idx THEN 1 ELSE 0 END)';

/**
 * A table name as given (already quoted: `"t"` or `"db"."t"`, as `stores.tableName()` returns it) or quoted.
 *
 * @param name - quoted identifier or bare name
 * @returns the quoted identifier
 */
function ident(name: string): string {
  return /^"[^"]+"(\."[^"]+")?$/.test(name) ? name : sqlIdentifier(name);
}

/**
 * The AWS documentation's example (Running queries on HealthOmics variant stores): variants joined to ClinVar on
 * contig (variants `chr`-prefixed, ClinVar not), start, end, REF and the **whole** ALT list, filtered on one CLNSIG.
 * Kept verbatim for comparison; its exact ALT-list match misses multi-allelic sites — prefer
 * {@link clinvarMatchedAllelesSql}.
 *
 * @param variants - variant table (quoted identifier or bare name)
 * @param annotations - annotation table
 * @returns SQL with one `?` placeholder: the CLNSIG value (e.g. `Likely_pathogenic`)
 */
export function guidanceClinvarJoinSql(variants: string, annotations: string): string {
  return `SELECT v.sampleid, v.contigname, v.start, v."end", v.referenceallele, element_at(c.attributes, 'CLNSIG') AS clnsig, element_at(c.attributes, 'GENEINFO') AS geneinfo
FROM ${ident(variants)} v JOIN ${ident(annotations)} c
  ON v.contigname = CONCAT('chr', c.contigname) AND v.start = c.start AND v."end" = c."end"
 AND v.referenceallele = c.referenceallele AND v.alternatealleles = c.alternatealleles
WHERE element_at(c.attributes, 'CLNSIG') = ?
ORDER BY v.sampleid, v.contigname, v.start`;
}

/**
 * Variants joined to ClinVar on contig (with or without `chr` on either side), start, REF and the **matching
 * alternate allele** (one row per sample × ALT allele that ClinVar lists), with that allele's dosage in the call
 * (0, 1, 2; haploid 0/1; no-calls count 0) and the ClinVar fields. Portable: runs on DuckDB and Athena.
 *
 * @param variants - variant table
 * @param annotations - annotation table
 * @returns SQL without placeholders
 */
export function clinvarMatchedAllelesSql(variants: string, annotations: string): string {
  return `SELECT v.sampleid AS sampleid, c.contigname AS contig, v.start AS start, v.referenceallele AS ref, t.alt AS alt,
       ${ALT_DOSAGE_SQL} AS dosage,
       element_at(c.attributes, 'CLNSIG') AS clnsig, element_at(c.attributes, 'GENEINFO') AS geneinfo, element_at(c.attributes, 'CLNDN') AS clndn, element_at(c.attributes, 'ALLELEID') AS alleleid
${clinvarMatchedFrom(variants, annotations)}
ORDER BY v.sampleid, c.contigname, v.start, t.alt`;
}

/**
 * SQL of the condition under which the ClinVar record `c` annotates an allele: same contig (with or without `chr` on
 * either side), start and REF, and the allele's ALT among the record's ALT alleles.
 *
 * @param allele - SQL of the allele's contig, 0-based start, REF and ALT
 * @returns the condition
 */
export function clinvarAlleleMatchSql(allele: { readonly contig: string; readonly start: string; readonly ref: string; readonly alt: string }): string {
  return `regexp_replace(${allele.contig}, '^chr', '') = regexp_replace(c.contigname, '^chr', '') AND ${allele.start} = c.start AND ${allele.ref} = c.referenceallele AND contains(c.alternatealleles, ${allele.alt})`;
}

/** The FROM, JOIN and WHERE of the ClinVar allele match (`v` variants, `t` the ALT, `c` the ClinVar record). */
function clinvarMatchedFrom(variants: string, annotations: string): string {
  return `FROM ${ident(variants)} v
CROSS JOIN UNNEST(v.alternatealleles) WITH ORDINALITY AS t(alt, idx)
JOIN ${ident(annotations)} c
  ON ${clinvarAlleleMatchSql({ contig: 'v.contigname', start: 'v.start', ref: 'v.referenceallele', alt: 't.alt' })}
WHERE v.sampleid IS NOT NULL`;
}

/**
 * Carried copies per CLNSIG value of the {@link clinvarMatchedAllelesSql} match, summed in the engine (one row per
 * CLNSIG value, however many samples), ordered by CLNSIG. Portable.
 *
 * @param variants - variant table
 * @param annotations - annotation table
 * @returns SQL without placeholders; columns `clnsig`, `alleles`
 */
export function carriedSignificanceSql(variants: string, annotations: string): string {
  return `SELECT element_at(c.attributes, 'CLNSIG') AS clnsig, sum(${ALT_DOSAGE_SQL}) AS alleles
${clinvarMatchedFrom(variants, annotations)}
GROUP BY element_at(c.attributes, 'CLNSIG')
HAVING sum(${ALT_DOSAGE_SQL}) > 0
ORDER BY clnsig`;
}

/**
 * Dosage of given ALT alleles at given positions (e.g. APOE rs429358 C and rs7412 T) per sample, also matching by
 * rsID in the ID column. Portable.
 *
 * @param variants - variant table
 * @returns SQL with 6 placeholders: contig (no `chr`), 0-based start, REF, ALT, rsID, ALT again
 */
export function alleleDosageSql(variants: string): string {
  return `SELECT v.sampleid AS sampleid,
       max(${ALT_DOSAGE_SQL}) AS dosage
FROM ${ident(variants)} v
CROSS JOIN UNNEST(v.alternatealleles) WITH ORDINALITY AS t(alt, idx)
WHERE v.sampleid IS NOT NULL
  AND ((regexp_replace(v.contigname, '^chr', '') = ? AND v.start = ? AND v.referenceallele = ? AND t.alt = ?) OR (contains(v.names, ?) AND t.alt = ?))
GROUP BY v.sampleid`;
}

/**
 * Per-sample totals: rows, called ALT alleles, heterozygous and homozygous-ALT calls. Portable.
 *
 * @param variants - variant table
 * @returns SQL without placeholders
 */
export function sampleSummarySql(variants: string): string {
  return `SELECT sampleid, count(*) AS n_records,
       sum((CASE WHEN element_at(calls, 1) > 0 THEN 1 ELSE 0 END) + (CASE WHEN cardinality(calls) >= 2 AND element_at(calls, 2) > 0 THEN 1 ELSE 0 END)) AS n_alt_alleles,
       sum(CASE WHEN cardinality(calls) >= 2 AND element_at(calls, 1) > 0 AND element_at(calls, 1) = element_at(calls, 2) THEN 1 ELSE 0 END) AS n_hom_alt
FROM ${ident(variants)}
WHERE sampleid IS NOT NULL
GROUP BY sampleid
ORDER BY sampleid`;
}
