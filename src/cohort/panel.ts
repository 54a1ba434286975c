/**
 * The parsed marker panel, with the allele frequencies and per-outcome weights the risk model uses.
 */
import { hashString } from './rng';
import { PANEL_ROWS, SYNTHETIC_PANEL_ROWS } from './panel-table';
import { GENE_INDEX_TO_CATEGORY } from './synthea-genetics-tables';

/** Clinical significance as written in the DNA CSV. */
export type Significance = 'Pathogenic' | 'Likely Pathogenic' | 'Uncertain' | 'Risk Factor' | 'Association' | 'Benign' | 'Likely Benign' | 'Drug Response';

/** The four outcomes. */
export type Outcome = 'hypertension' | 'stroke' | 'chd' | 'alzheimers';

/** Outcome names in a fixed order. */
export const OUTCOMES: readonly Outcome[] = ['hypertension', 'stroke', 'chd', 'alzheimers'];

/** One panel marker. */
export interface PanelMarker {
  /** Position in the panel (0-based), also the CSV row order / 2. */
  readonly index: number;
  /** dbSNP id, e.g. `rs429358`. */
  readonly rsid: string;
  /** Chromosome without `chr`. */
  readonly chrom: string;
  /** 1-based GRCh38 position (may be invalid, as in the source: see PRKCH). */
  readonly pos: number;
  /** Ancestral (reference) allele. */
  readonly ref: string;
  /** Variant alleles. */
  readonly alts: readonly string[];
  /** Gene name as written (may contain a comma). */
  readonly gene: string;
  /** Clinical significance. */
  readonly significance: Significance;
  /** Disease categories (Synthea GeneIndexToCategory, or our own for synthetic rows). */
  readonly categories: readonly string[];
  /** True when the row is not from the Synthea fixture. */
  readonly synthetic: boolean;
  /** Frequency of a variant allele (any alt) on one chromosome copy. */
  readonly altFrequency: number;
  /** Per-variant-allele log-odds weight per outcome (0 for most markers). */
  readonly weights: Readonly<Record<Outcome, number>>;
}

const SIG: Readonly<Record<string, Significance>> = {
  P: 'Pathogenic',
  LP: 'Likely Pathogenic',
  U: 'Uncertain',
  RF: 'Risk Factor',
  A: 'Association',
  B: 'Benign',
  LB: 'Likely Benign',
  DR: 'Drug Response',
};

/**
 * Allele frequencies of the markers the risk model leans on, approximately the published population frequencies
 * (gnomAD/1000 Genomes, rounded); every other marker gets a deterministic frequency from its rsID.
 */
const KNOWN_FREQ: Readonly<Record<string, number>> = {
  rs429358: 0.14,
  rs7412: 0.08,
  rs4420638: 0.18,
  rs6025: 0.02,
  rs1799963: 0.015,
  rs11591147: 0.02,
  rs1333049: 0.47,
  rs10757278: 0.45,
  rs4977574: 0.46,
  rs2383207: 0.48,
  rs10455872: 0.07,
  rs3798220: 0.02,
  rs646776: 0.22,
  rs699: 0.42,
  rs5186: 0.3,
  rs4961: 0.2,
  rs1799983: 0.33,
  rs4343: 0.45,
  rs2200733: 0.12,
  rs7080536: 0.03,
  rs63750197: 0.002,
  rs900000001: 0.003,
};

/**
 * Per-allele log-odds weights, of the order the literature reports (APOE ε4 OR ≈ 3 per allele for AD, ε2 ≈ 0.6;
 * 9p21 OR ≈ 1.25–1.3 per allele for CHD; LPA rs10455872 OR ≈ 1.5; Factor V Leiden / prothrombin G20210A OR ≈ 1.5–2
 * for ischaemic stroke in the young; PITX2 rs2200733 via AF; AGT/AGTR1/ADD1/NOS3/ACE OR ≈ 1.1–1.2 for hypertension).
 */
const WEIGHTS: Readonly<Record<string, Partial<Record<Outcome, number>>>> = {
  rs429358: { alzheimers: 1.1, chd: 0.1 },
  rs7412: { alzheimers: -0.5 },
  rs4420638: { alzheimers: 0.25 },
  rs63750197: { alzheimers: 2.0 },
  rs1333049: { chd: 0.25, stroke: 0.1 },
  rs10757278: { chd: 0.2, stroke: 0.1 },
  rs4977574: { chd: 0.15 },
  rs2383207: { stroke: 0.12, chd: 0.1 },
  rs10455872: { chd: 0.4 },
  rs3798220: { chd: 0.4 },
  rs646776: { chd: 0.12 },
  rs11591147: { chd: -0.6 },
  rs6025: { stroke: 0.5 },
  rs1799963: { stroke: 0.5 },
  rs2200733: { stroke: 0.25 },
  rs7080536: { stroke: 0.3 },
  rs900000001: { stroke: 1.2 },
  rs699: { hypertension: 0.15 },
  rs5186: { hypertension: 0.15 },
  rs4961: { hypertension: 0.2 },
  rs1799983: { hypertension: 0.15, chd: 0.05 },
  rs4343: { hypertension: 0.12 },
};

const EXTRA_CATEGORIES: Readonly<Record<string, readonly string[]>> = {
  rs7412: ["Alzheimer's Disease", 'Cardiovascular', 'LDL'],
  rs1799983: ['Hypertension', 'Cardiovascular'],
  rs4343: ['Hypertension'],
  rs900000001: ['Ischemic Stroke', 'Stroke'],
};

const LDLR_PATHOGENIC_FREQ = 0.004;

function parseRow(row: string, index: number, synthetic: boolean): PanelMarker {
  const [rsid, chrom, pos, ref, alts, gene, sig] = row.split('|');
  if (rsid === undefined || chrom === undefined || pos === undefined || ref === undefined || alts === undefined || gene === undefined || sig === undefined) {
    throw new Error(`panel row ${String(index)} is malformed: ${row}`);
  }
  const significance = SIG[sig];
  if (significance === undefined) {
    throw new Error(`panel row ${rsid}: unknown significance ${sig}`);
  }
  const h = hashString(rsid);
  let altFrequency = KNOWN_FREQ[rsid];
  if (altFrequency === undefined) {
    altFrequency = significance === 'Pathogenic' || significance === 'Likely Pathogenic' ? LDLR_PATHOGENIC_FREQ + (h % 7) / 1000 : 0.03 + ((h % 1000) / 1000) * 0.42;
  }
  const w = WEIGHTS[rsid] ?? {};
  const isLdlrPathogenic = gene === 'LDLR' && (significance === 'Pathogenic' || significance === 'Likely Pathogenic');
  return {
    index,
    rsid,
    chrom,
    pos: Number(pos),
    ref,
    alts: alts.split(','),
    gene,
    significance,
    categories: GENE_INDEX_TO_CATEGORY[rsid] ?? EXTRA_CATEGORIES[rsid] ?? [],
    synthetic,
    altFrequency,
    weights: {
      hypertension: w.hypertension ?? 0,
      stroke: w.stroke ?? 0,
      // Familial hypercholesterolaemia variants (LDLR/APOB pathogenic) raise CHD risk ≈ 3×.
      chd: w.chd ?? (isLdlrPathogenic || (gene === 'APOB' && significance === 'Pathogenic') ? 1.0 : 0),
      alzheimers: w.alzheimers ?? 0,
    },
  };
}

/** The full panel (161 Synthea-fixture markers + the synthetic extras), in CSV row order. */
export const PANEL: readonly PanelMarker[] = [...PANEL_ROWS.map((r, i) => parseRow(r, i, false)), ...SYNTHETIC_PANEL_ROWS.map((r, i) => parseRow(r, PANEL_ROWS.length + i, true))];

/**
 * Finds a marker by rsID.
 *
 * @param rsid - e.g. `rs429358`
 * @returns the marker
 * @throws Error when the rsID is not on the panel (a programming error)
 */
export function panelMarker(rsid: string): PanelMarker {
  const m = PANEL.find((p) => p.rsid === rsid);
  if (m === undefined) {
    throw new Error(`panelMarker: ${rsid} is not on the panel`);
  }
  return m;
}
