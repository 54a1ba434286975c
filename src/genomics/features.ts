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
import { columnName, MIN_ALLELE_COUNT, readCarriedAlleles, splitRareDosageColumns, sqlNumber, variantDosageColumns } from './carried-alleles';
import type { CarriedAllele, DosageColumn } from './carried-alleles';
import { alleleDosageSql, sampleSummarySql } from './queries';

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

/** Per-sample ClinVar tallies over the sample index: matched alleles, per category, per gene. */
interface ClinvarTallies {
  readonly matched: Float64Array;
  readonly pathogenic: Float64Array;
  readonly likelyPathogenic: Float64Array;
  readonly riskFactor: Float64Array;
  /** Gene symbol → risk alleles per sample (genes of pathogenic, likely pathogenic or risk-factor records only). */
  readonly genes: Map<string, Float64Array>;
}

/** Adds a sparse column (values at sample indices) to a dense per-sample array. */
function addSparse(target: Float64Array, at: Int32Array, values: Int32Array): void {
  at.forEach((i, k) => {
    target[i] = (target[i] ?? 0) + (values[k] ?? 0);
  });
}

function geneTally(genes: Map<string, Float64Array>, gene: string, samples: number): Float64Array {
  const found = genes.get(gene);
  if (found !== undefined) {
    return found;
  }
  const made = new Float64Array(samples);
  genes.set(gene, made);
  return made;
}

/**
 * Counts each sample's ClinVar-matched alleles: every matching record counts the copies of every record of the
 * sample (as a per-record join would), by category and by gene.
 */
function clinvarTallies(alleles: readonly CarriedAllele[], samples: number): ClinvarTallies {
  const t: ClinvarTallies = {
    matched: new Float64Array(samples),
    pathogenic: new Float64Array(samples),
    likelyPathogenic: new Float64Array(samples),
    riskFactor: new Float64Array(samples),
    genes: new Map(),
  };
  for (const a of alleles) {
    for (const m of a.clinvar) {
      const c = classifyClnsig(m.clnsig);
      const genes = c.pathogenic || c.likely_pathogenic || c.risk_factor ? geneSymbols(m.geneinfo).map((g) => geneTally(t.genes, g, samples)) : [];
      const targets = [t.matched, ...(c.pathogenic ? [t.pathogenic] : []), ...(c.likely_pathogenic ? [t.likelyPathogenic] : []), ...(c.risk_factor ? [t.riskFactor] : []), ...genes];
      for (const target of targets) {
        addSparse(target, a.carriers, a.recordDosage);
      }
    }
  }
  return t;
}

/**
 * The per-variant dosage columns, split by minor-allele count (the rare ones summed per sample into
 * `n_rare_variant_alleles`); a note says how many were left out.
 */
function perVariantDosages(
  alleles: readonly CarriedAllele[],
  fixedDosages: ReadonlySet<string>,
  samples: number,
  minAlleles: number,
  notes: string[],
): { readonly perVariant: ReadonlyMap<string, DosageColumn>; readonly rareAlleles: Float64Array } {
  const split = splitRareDosageColumns(variantDosageColumns(alleles, fixedDosages), samples, minAlleles);
  const rareAlleles = new Float64Array(samples);
  for (const col of split.rare.values()) {
    addSparse(rareAlleles, col.carriers, col.dosage);
  }
  if (split.rare.size > 0) {
    notes.push(
      `${String(split.rare.size)} of ${String(split.rare.size + split.kept.size)} per-variant dosage columns left out: fewer than ${String(minAlleles)} minor alleles among ${String(samples)} samples (counted in n_rare_variant_alleles)`,
    );
  }
  return { perVariant: split.kept, rareAlleles };
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
  const sampleIndex = new Map(summary.map((r, i) => [r.sampleid, i]));
  const alleles = await readCarriedAlleles(sql, options, sampleIndex);
  const tallies = clinvarTallies(alleles, summary.length);
  const markers = [APOE_MARKERS.rs429358, APOE_MARKERS.rs7412, ...(options.markers ?? [])];
  const dosages = new Map<string, Map<string, number>>();
  for (const m of markers) {
    const rows = await sql.query<{ sampleid: string; dosage: unknown }>(alleleDosageSql(options.variants), [m.contig, m.start, m.ref, m.alt, m.rsid, m.alt]);
    dosages.set(m.rsid, new Map(rows.map((r) => [r.sampleid, sqlNumber(r.dosage)])));
  }
  const genes = [...(options.genes ?? [...tallies.genes.keys()].sort())];
  const fixedDosages = new Set((options.markers ?? DEFAULT_DOSAGE_MARKERS).map((m) => `dosage_${columnName(m.rsid)}`));
  const notes: string[] = [];
  const variantColumns = (options.variantDosages ?? true) ? perVariantDosages(alleles, fixedDosages, summary.length, options.minAlleleCount ?? MIN_ALLELE_COUNT, notes) : undefined;
  let undated = 0;
  const rows: GenomicFeatureRow[] = summary.map((sm, i) => {
    const e4 = dosages.get('rs429358')?.get(sm.sampleid) ?? 0;
    const e2 = dosages.get('rs7412')?.get(sm.sampleid) ?? 0;
    const eventTime = options.eventTimes?.get(sm.sampleid) ?? null;
    if (eventTime === null) {
      undated++;
    }
    const p = tallies.pathogenic[i] ?? 0;
    const lp = tallies.likelyPathogenic[i] ?? 0;
    const rf = tallies.riskFactor[i] ?? 0;
    const gene = (g: string): number => tallies.genes.get(g)?.[i] ?? 0;
    const row: GenomicFeatureRow = {
      patient_id: sm.sampleid,
      event_time: eventTime,
      n_variant_records: sqlNumber(sm.n_records),
      n_alt_alleles: sqlNumber(sm.n_alt_alleles),
      n_hom_alt: sqlNumber(sm.n_hom_alt),
      n_clinvar_alleles: tallies.matched[i] ?? 0,
      n_pathogenic_alleles: p,
      n_likely_pathogenic_alleles: lp,
      n_risk_factor_alleles: rf,
      carrier_pathogenic: p + lp > 0 ? 1 : 0,
      carrier_risk_factor: rf > 0 ? 1 : 0,
      // APOE haplotypes: ε4 carries rs429358-C, ε2 carries rs7412-T, ε3 neither (ε1, carrying both, is very rare and counted as ε4+ε2).
      apoe_e2: e2,
      apoe_e4: e4,
      apoe_e3: Math.max(0, 2 - e2 - e4),
      apoe_e4_carrier: e4 > 0 ? 1 : 0,
      risk_score: p * RISK_SCORE_WEIGHTS.pathogenic + lp * RISK_SCORE_WEIGHTS.likely_pathogenic + rf * RISK_SCORE_WEIGHTS.risk_factor,
    };
    for (const [set, members] of Object.entries(geneSets)) {
      row[`geneset_${columnName(set)}_risk_alleles`] = members.reduce((a, g) => a + gene(g), 0);
    }
    for (const g of genes) {
      row[`gene_${columnName(g)}_risk_alleles`] = gene(g);
    }
    for (const m of options.markers ?? DEFAULT_DOSAGE_MARKERS) {
      row[`dosage_${columnName(m.rsid)}`] = dosages.get(m.rsid)?.get(sm.sampleid) ?? 0;
    }
    for (const name of variantColumns?.perVariant.keys() ?? []) {
      row[name] = 0;
    }
    if (variantColumns !== undefined) {
      row.n_rare_variant_alleles = variantColumns.rareAlleles[i] ?? 0;
    }
    return row;
  });
  for (const [name, col] of variantColumns?.perVariant ?? []) {
    col.carriers.forEach((i, k) => {
      const row = rows[i];
      if (row !== undefined) {
        row[name] = col.dosage[k] ?? 0;
      }
    });
  }
  if (undated > 0) {
    notes.push(`${String(undated)} of ${String(rows.length)} samples have no genetic test date (no ##fileDate and none passed in eventTimes): their event_time is null`);
  }
  return { columns: Object.keys(rows[0] ?? {}), rows, notes };
}
