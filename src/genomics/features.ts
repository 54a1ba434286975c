/**
 * Genomic features per patient (sample = FHIR Patient.id), for the genomic feature group: ClinVar-classified
 * allele counts (per category, per gene, per gene set), carrier flags, APOE ε2/ε3/ε4 from rs429358 + rs7412,
 * dosages of named rsIDs, and a simple allele-dosage risk score. All numeric.
 *
 * Per-variant dosages: every variant allele of the cohort that the panel names (an rsID in the VCF's ID column) or
 * ClinVar annotates gets its own `dosage_<rsid>` column (`dosage_<contig>_<pos>_<ref>_<alt>` without an rsID;
 * `_<alt>` appended when one rsID has several ALT alleles): 0, 1 or 2 copies, 0 when the sample's VCF does not list
 * the site (hom-ref). So the effects of single loci (9p21, LPA, F5/F2, NOTCH3, APOE…) are learnable by the model; no
 * weight comes from anywhere but the learner. A variant with fewer than {@link MIN_ALLELE_COUNT} minor alleles in the
 * cohort gets no column of its own (its per-allele effect cannot be estimated from a handful of carriers, and as a
 * standardised model input it weighs as much as a common variant: on the `default` cohort's 832 genomes, collapsing
 * its 63 such columns raised a ridge logistic regression's within-fold CV AUROC for Alzheimer's by 0.005–0.03 over four
 * fold seeds, e.g. 0.562 → 0.577 at l2 = 10, seed 42); its alleles are counted in `n_rare_variant_alleles` (a burden count) and,
 * when ClinVar classifies them, in the per-gene and per-category counts. The filter reads genotypes only, never labels.
 *
 * Leakage rule: `event_time` is the genetic test date (the VCF's `##fileDate`, or the dates you pass); the feature
 * store's point-in-time join decides which rows a training example may see. No outcome information is used.
 */
import { HealthDataError } from '../errors';
import type { SqlEngine } from '../sql/engine';
import { alleleDosageSql, clinvarMatchedAllelesSql, sampleSummarySql } from './queries';

/** A marker identified by position (GRCh38, 0-based start, no `chr`) and by rsID. */
export interface AlleleMarker {
  /** rsID. */
  readonly rsid: string;
  /** Contig without `chr`. */
  readonly contig: string;
  /** 0-based start (POS−1). */
  readonly start: number;
  /** REF allele. */
  readonly ref: string;
  /** The ALT allele whose dosage is counted. */
  readonly alt: string;
}

/** APOE rs429358 (T>C; C marks ε4) at GRCh38 19:44908684 and rs7412 (C>T; T marks ε2) at 19:44908822 (docs/coherent.md §1.3). */
export const APOE_MARKERS: { readonly rs429358: AlleleMarker; readonly rs7412: AlleleMarker } = {
  rs429358: { rsid: 'rs429358', contig: '19', start: 44908683, ref: 'T', alt: 'C' },
  rs7412: { rsid: 'rs7412', contig: '19', start: 44908821, ref: 'C', alt: 'T' },
};

/** Markers whose dosage columns the features carry by default (APOE ε4 and ε2 alleles). */
const DEFAULT_DOSAGE_MARKERS: readonly AlleleMarker[] = [APOE_MARKERS.rs429358, APOE_MARKERS.rs7412];

/**
 * Default outcome-related gene sets (illustrative, from widely cited gene–disease associations; pass your own with
 * `geneSets`). Keys become column names `geneset_<key>_risk_alleles`.
 */
export const DEFAULT_GENE_SETS: Readonly<Record<string, readonly string[]>> = {
  coronary_heart_disease: ['LDLR', 'APOB', 'PCSK9', 'LPA', 'APOA1', 'APOC3', 'ANGPTL3', 'CETP', 'MYH7', 'MYBPC3', 'TNNT2', 'LMNA'],
  stroke: ['NOTCH3', 'F5', 'F2', 'MTHFR', 'COL4A1', 'HTRA1', 'ACE', 'AGT', 'NOS3', 'GLA'],
  atrial_fibrillation: ['SCN5A', 'KCNQ1', 'KCNH2', 'PITX2', 'KCNE1', 'GJA5'],
  dementia: ['APOE', 'APP', 'PSEN1', 'PSEN2', 'TREM2', 'MAPT', 'GRN', 'NOTCH3'],
};

/**
 * Minimum minor-allele count (over the cohort's samples) for a per-variant dosage column: 20, the usual floor below
 * which single-variant logistic effects are not estimable (rarer variants are analysed collapsed, as burden counts).
 */
export const MIN_ALLELE_COUNT = 20;

/** Weights of the risk score per ClinVar category. */
export const RISK_SCORE_WEIGHTS = { pathogenic: 1, likely_pathogenic: 0.5, risk_factor: 0.25 } as const;

/** Options of {@link computeGenomicFeatures}. */
export interface GenomicFeatureOptions {
  /** Variant table (quoted identifier), e.g. `ws.genomics.stores.tableName('omicsvariants')`. */
  readonly variants: string;
  /** Annotation table (ClinVar). */
  readonly annotations: string;
  /** Genetic test date per sample id (ISO date/time). Samples without one get `event_time` null. */
  readonly eventTimes?: ReadonlyMap<string, string>;
  /** Gene sets (default {@link DEFAULT_GENE_SETS}). */
  readonly geneSets?: Readonly<Record<string, readonly string[]>>;
  /** Markers whose ALT dosage becomes a `dosage_<rsid>` column (default: the two APOE markers, rs429358 and rs7412). */
  readonly markers?: readonly AlleleMarker[];
  /** Genes to give their own `gene_<symbol>_risk_alleles` column (default: every gene with a classified allele in the cohort). */
  readonly genes?: readonly string[];
  /** Add a dosage column per panel/ClinVar variant allele (default true; see the module doc). */
  readonly variantDosages?: boolean;
  /**
   * Per-variant dosage columns need at least this many minor alleles among the samples (default
   * {@link MIN_ALLELE_COUNT}; 0 keeps every variant); the rarer ones are summed into `n_rare_variant_alleles`.
   */
  readonly minAlleleCount?: number;
}

/**
 * Per-sample ALT-allele dosages of every called variant allele, with the contig (no `chr`), 0-based start, REF, ALT
 * and the first ID of the record. Portable (DuckDB and Athena).
 *
 * @param variants - variant table (quoted identifier)
 * @returns SQL without placeholders
 */
export function variantAlleleDosageSql(variants: string): string {
  return `SELECT v.sampleid AS sampleid, regexp_replace(v.contigname, '^chr', '') AS contig, v.start AS start, v.referenceallele AS ref, t.alt AS alt,
       CASE WHEN cardinality(v.names) > 0 THEN element_at(v.names, 1) ELSE NULL END AS rsid,
       (CASE WHEN element_at(v.calls, 1) = t.idx THEN 1 ELSE 0 END) + (CASE WHEN cardinality(v.calls) >= 2 AND element_at(v.calls, 2) = t.idx THEN 1 ELSE 0 END) AS dosage
FROM ${variants} v
CROSS JOIN UNNEST(v.alternatealleles) WITH ORDINALITY AS t(alt, idx)
WHERE v.sampleid IS NOT NULL
ORDER BY contig, start, ref, alt, sampleid`;
}

/** One row of {@link variantAlleleDosageSql}. */
export type AlleleDosageRow = {
  readonly sampleid: string;
  readonly contig: string;
  readonly start: unknown;
  readonly ref: string;
  readonly alt: string;
  readonly rsid: string | null;
  readonly dosage: unknown;
};

/**
 * Dosage columns per panel-named or ClinVar-annotated variant allele.
 *
 * @param rows - per-sample allele dosages ({@link variantAlleleDosageSql})
 * @param clinvarKeys - `contig:start:ref:alt` keys ClinVar annotates
 * @param taken - column names already used (skipped)
 * @returns column name → sample → dosage, in a stable (genomic position) order
 */
export function variantDosageColumns(rows: readonly AlleleDosageRow[], clinvarKeys: ReadonlySet<string>, taken: ReadonlySet<string>): Map<string, Map<string, number>> {
  const sites = new Map<string, { contig: string; start: number; ref: string; alt: string; rsid: string | null; dosage: Map<string, number> }>();
  for (const r of rows) {
    const start = num(r.start);
    const key = `${r.contig}:${String(start)}:${r.ref}:${r.alt}`;
    let site = sites.get(key);
    if (site === undefined) {
      site = { contig: r.contig, start, ref: r.ref, alt: r.alt, rsid: null, dosage: new Map() };
      sites.set(key, site);
    }
    const id = r.rsid !== null && r.rsid !== '' && r.rsid !== '.' ? r.rsid : null;
    if (site.rsid === null && id !== null) {
      site.rsid = id;
    }
    const d = num(r.dosage);
    site.dosage.set(r.sampleid, Math.max(site.dosage.get(r.sampleid) ?? 0, d));
  }
  const kept = [...sites.entries()].filter(([key, s]) => s.rsid !== null || clinvarKeys.has(key)).map(([, s]) => s);
  const altsPerRsid = new Map<string, number>();
  for (const s of kept) {
    if (s.rsid !== null) {
      altsPerRsid.set(s.rsid, (altsPerRsid.get(s.rsid) ?? 0) + 1);
    }
  }
  const out = new Map<string, Map<string, number>>();
  for (const s of kept) {
    const name =
      s.rsid === null ? `dosage_${column(`${s.contig}_${String(s.start + 1)}_${s.ref}_${s.alt}`)}` : `dosage_${column(s.rsid)}${(altsPerRsid.get(s.rsid) ?? 0) > 1 ? `_${column(s.alt)}` : ''}`;
    if (!taken.has(name) && !out.has(name) && [...s.dosage.values()].some((d) => d > 0)) {
      out.set(name, s.dosage);
    }
  }
  return out;
}

/**
 * Splits per-variant dosage columns by minor-allele count: min(Σ dosage, 2·samples − Σ dosage) ≥ `minAlleleCount`
 * keeps a column; the others are rare (samples missing from a column count as 0 copies).
 *
 * @param columns - column name → sample → dosage ({@link variantDosageColumns})
 * @param samples - number of samples in the cohort
 * @param minAlleleCount - the floor (0 keeps everything)
 * @returns the kept columns (same order) and the rare ones
 */
export function splitRareDosageColumns(
  columns: ReadonlyMap<string, ReadonlyMap<string, number>>,
  samples: number,
  minAlleleCount: number,
): { kept: Map<string, ReadonlyMap<string, number>>; rare: Map<string, ReadonlyMap<string, number>> } {
  const kept = new Map<string, ReadonlyMap<string, number>>();
  const rare = new Map<string, ReadonlyMap<string, number>>();
  for (const [name, bySample] of columns) {
    let alleles = 0;
    for (const d of bySample.values()) {
      alleles += d;
    }
    (Math.min(alleles, 2 * samples - alleles) >= minAlleleCount ? kept : rare).set(name, bySample);
  }
  return { kept, rare };
}

/** A feature row: `patient_id`, `event_time`, then numeric columns. */
export type GenomicFeatureRow = Record<string, string | number | null>;

/** The feature table. */
export interface GenomicFeatureTable {
  /** Column names in order (`patient_id`, `event_time`, features…). */
  readonly columns: readonly string[];
  /** One row per sample. */
  readonly rows: GenomicFeatureRow[];
  /** Notes (e.g. samples without a test date), no patient data. */
  readonly notes: string[];
}

/** ClinVar category flags of a CLNSIG value (`Pathogenic/Likely_pathogenic`, `Pathogenic|risk_factor`, …). */
export interface ClinvarCategories {
  /** Contains `Pathogenic` (capitalised: not `Likely_pathogenic`, not `Conflicting…pathogenicity`). */
  readonly pathogenic: boolean;
  /** Contains `Likely_pathogenic`. */
  readonly likely_pathogenic: boolean;
  /** Contains `risk_factor`. */
  readonly risk_factor: boolean;
}

/**
 * Classifies a CLNSIG value.
 *
 * @param clnsig - raw CLNSIG text (null → no category)
 * @returns the category flags
 */
export function classifyClnsig(clnsig: string | null | undefined): ClinvarCategories {
  const s = clnsig ?? '';
  return { pathogenic: s.includes('Pathogenic'), likely_pathogenic: s.includes('Likely_pathogenic'), risk_factor: s.toLowerCase().includes('risk_factor') };
}

/**
 * Gene symbols of a GENEINFO value (`APOE:348|APOC1:341` → `['APOE','APOC1']`).
 *
 * @param geneinfo - raw GENEINFO text
 * @returns the symbols
 */
export function geneSymbols(geneinfo: string | null | undefined): string[] {
  return (geneinfo ?? '')
    .split('|')
    .map((g) => g.split(':')[0] ?? '')
    .filter((g) => g !== '');
}

function column(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

function num(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : Number(v ?? 0);
}

/**
 * The per-variant dosage columns of the panel/ClinVar variants, split by minor-allele count (the rare ones summed
 * into `n_rare_variant_alleles`); a note says how many were left out.
 */
async function perVariantDosages(
  sql: SqlEngine,
  options: GenomicFeatureOptions,
  matched: readonly { readonly contig: string; readonly start: unknown; readonly ref: string; readonly alt: string }[],
  fixedDosages: ReadonlySet<string>,
  samples: number,
  notes: string[],
): Promise<{ perVariant: ReadonlyMap<string, ReadonlyMap<string, number>>; rare: ReadonlyMap<string, ReadonlyMap<string, number>> }> {
  const clinvarKeys = new Set(matched.map((r) => `${r.contig.replace(/^chr/, '')}:${String(num(r.start))}:${r.ref}:${r.alt}`));
  const alleles = await sql.query<AlleleDosageRow>(variantAlleleDosageSql(options.variants));
  const minAlleles = options.minAlleleCount ?? MIN_ALLELE_COUNT;
  const split = splitRareDosageColumns(variantDosageColumns(alleles, clinvarKeys, fixedDosages), samples, minAlleles);
  if (split.rare.size > 0) {
    notes.push(
      `${String(split.rare.size)} of ${String(split.rare.size + split.kept.size)} per-variant dosage columns left out: fewer than ${String(minAlleles)} minor alleles among ${String(samples)} samples (counted in n_rare_variant_alleles)`,
    );
  }
  return { perVariant: split.kept, rare: split.rare };
}

/**
 * Computes the genomic features of every sample in the variant table.
 *
 * @param sql - the workspace SQL engine (`ws.sql`; DuckDB or Athena — the queries are portable)
 * @param options - tables, test dates, gene sets, markers
 * @returns the feature table
 * @throws {@link HealthDataError} (query-failed) when a table is missing
 * @example
 * ```ts
 * const t = await computeGenomicFeatures(ws.sql, { variants: '"omicsvariants"', annotations: '"omicsannotations"' });
 * showTable(t.rows);
 * ```
 */
export async function computeGenomicFeatures(sql: SqlEngine, options: GenomicFeatureOptions): Promise<GenomicFeatureTable> {
  const geneSets = options.geneSets ?? DEFAULT_GENE_SETS;
  const summary = await sql.query<{ sampleid: string; n_records: unknown; n_alt_alleles: unknown; n_hom_alt: unknown }>(sampleSummarySql(options.variants));
  if (summary.length === 0) {
    throw new HealthDataError('not-found', `computeGenomicFeatures: ${options.variants} has no samples; import VCFs first (startVariantImportJob)`, { path: 'variants' });
  }
  const matched = await sql.query<{ sampleid: string; contig: string; start: unknown; ref: string; alt: string; dosage: unknown; clnsig: string | null; geneinfo: string | null }>(
    clinvarMatchedAllelesSql(options.variants, options.annotations),
  );
  const markers = [APOE_MARKERS.rs429358, APOE_MARKERS.rs7412, ...(options.markers ?? [])];
  const dosages = new Map<string, Map<string, number>>();
  for (const m of markers) {
    const rows = await sql.query<{ sampleid: string; dosage: unknown }>(alleleDosageSql(options.variants), [m.contig, m.start, m.ref, m.alt, m.rsid, m.alt]);
    dosages.set(m.rsid, new Map(rows.map((r) => [r.sampleid, num(r.dosage)])));
  }
  const genesSeen = new Set<string>();
  const perSample = new Map<string, { p: number; lp: number; rf: number; matched: number; genes: Map<string, number> }>();
  for (const r of matched) {
    const d = num(r.dosage);
    const s = perSample.get(r.sampleid) ?? { p: 0, lp: 0, rf: 0, matched: 0, genes: new Map<string, number>() };
    perSample.set(r.sampleid, s);
    if (d === 0) {
      continue;
    }
    s.matched += d;
    const c = classifyClnsig(r.clnsig);
    s.p += c.pathogenic ? d : 0;
    s.lp += c.likely_pathogenic ? d : 0;
    s.rf += c.risk_factor ? d : 0;
    if (c.pathogenic || c.likely_pathogenic || c.risk_factor) {
      for (const g of geneSymbols(r.geneinfo)) {
        genesSeen.add(g);
        s.genes.set(g, (s.genes.get(g) ?? 0) + d);
      }
    }
  }
  const genes = [...(options.genes ?? [...genesSeen].sort())];
  const fixedDosages = new Set((options.markers ?? DEFAULT_DOSAGE_MARKERS).map((m) => `dosage_${column(m.rsid)}`));
  const notes: string[] = [];
  const { perVariant, rare } =
    (options.variantDosages ?? true)
      ? await perVariantDosages(sql, options, matched, fixedDosages, summary.length, notes)
      : { perVariant: new Map<string, ReadonlyMap<string, number>>(), rare: undefined };
  let undated = 0;
  const rows: GenomicFeatureRow[] = summary.map((sm) => {
    const s = perSample.get(sm.sampleid) ?? { p: 0, lp: 0, rf: 0, matched: 0, genes: new Map<string, number>() };
    const e4 = dosages.get('rs429358')?.get(sm.sampleid) ?? 0;
    const e2 = dosages.get('rs7412')?.get(sm.sampleid) ?? 0;
    const eventTime = options.eventTimes?.get(sm.sampleid) ?? null;
    if (eventTime === null) {
      undated++;
    }
    const row: GenomicFeatureRow = {
      patient_id: sm.sampleid,
      event_time: eventTime,
      n_variant_records: num(sm.n_records),
      n_alt_alleles: num(sm.n_alt_alleles),
      n_hom_alt: num(sm.n_hom_alt),
      n_clinvar_alleles: s.matched,
      n_pathogenic_alleles: s.p,
      n_likely_pathogenic_alleles: s.lp,
      n_risk_factor_alleles: s.rf,
      carrier_pathogenic: s.p + s.lp > 0 ? 1 : 0,
      carrier_risk_factor: s.rf > 0 ? 1 : 0,
      // APOE haplotypes: ε4 carries rs429358-C, ε2 carries rs7412-T, ε3 neither (ε1, carrying both, is very rare and counted as ε4+ε2).
      apoe_e2: e2,
      apoe_e4: e4,
      apoe_e3: Math.max(0, 2 - e2 - e4),
      apoe_e4_carrier: e4 > 0 ? 1 : 0,
      risk_score: s.p * RISK_SCORE_WEIGHTS.pathogenic + s.lp * RISK_SCORE_WEIGHTS.likely_pathogenic + s.rf * RISK_SCORE_WEIGHTS.risk_factor,
    };
    for (const [set, members] of Object.entries(geneSets)) {
      row[`geneset_${column(set)}_risk_alleles`] = members.reduce((a, g) => a + (s.genes.get(g) ?? 0), 0);
    }
    for (const g of genes) {
      row[`gene_${column(g)}_risk_alleles`] = s.genes.get(g) ?? 0;
    }
    for (const m of options.markers ?? DEFAULT_DOSAGE_MARKERS) {
      row[`dosage_${column(m.rsid)}`] = dosages.get(m.rsid)?.get(sm.sampleid) ?? 0;
    }
    for (const [name, bySample] of perVariant) {
      row[name] = bySample.get(sm.sampleid) ?? 0;
    }
    if (rare !== undefined) {
      row.n_rare_variant_alleles = [...rare.values()].reduce((a, bySample) => a + (bySample.get(sm.sampleid) ?? 0), 0);
    }
    return row;
  });
  if (undated > 0) {
    notes.push(`${String(undated)} of ${String(rows.length)} samples have no genetic test date (no ##fileDate and none passed in eventTimes): their event_time is null`);
  }
  return { columns: Object.keys(rows[0] ?? {}), rows, notes };
}
