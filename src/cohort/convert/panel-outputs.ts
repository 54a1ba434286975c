/**
 * The panel-level genomic outputs of the converter: the ClinVar-format annotation VCF and the compact panel
 * reference FASTA (+ .fai), both built from the markers met in the DNA CSVs.
 */
import { PANEL } from '../panel';
import { Rng } from '../rng';
import { contigOrder, GRCH38_LENGTHS } from './grch38';

/** A panel locus as met in the DNA files. */
export interface PanelLocus {
  /** rsID. */
  readonly rsid: string;
  /** Contig. */
  readonly chrom: string;
  /** 1-based position. */
  readonly pos: number;
  /** Reference (ancestral) allele. */
  readonly ref: string;
  /** Variant allele list. */
  readonly alts: readonly string[];
  /** Gene as written. */
  readonly gene: string;
  /** Significance as written. */
  readonly significance: string;
}

/** Name of the compact panel reference. */
export const PANEL_REFERENCE_NAME = 'coherent-panel-grch38';
/** Bases of flank on each side of a locus in the panel reference. */
export const PANEL_FLANK = 50;

const CLNSIG: Readonly<Record<string, string>> = {
  pathogenic: 'Pathogenic',
  'likely pathogenic': 'Likely_pathogenic',
  uncertain: 'Uncertain_significance',
  'risk factor': 'risk_factor',
  association: 'association',
  benign: 'Benign',
  'likely benign': 'Likely_benign',
  'drug response': 'drug_response',
};

function infoSafe(s: string): string {
  return s.replace(/[\s;=,]+/g, '_').replace(/'/g, '');
}

/**
 * Renders the ClinVar-format annotation VCF (uncompressed text; the caller bgzips it).
 *
 * One record per locus and variant allele, sorted by contig and position. CLNSIG/CLNDN/GENEINFO/RS follow ClinVar's
 * VCF conventions; CLNSIG comes from the Coherent significance and CLNDN from Synthea's disease categories. The
 * VariationID (ID column), ALLELEID and GeneIDs are placeholders (≥ 900,000,000 / 0), never real ClinVar ids, and
 * every record carries `MMH_SOURCE`; markers outside the Synthea fixture also carry the `SYNTHETIC` flag.
 *
 * @param loci - panel loci
 * @returns VCF text
 */
export function renderClinvarVcf(loci: readonly PanelLocus[]): string {
  const sorted = [...loci].sort((a, b) => contigOrder(a.chrom) - contigOrder(b.chrom) || a.pos - b.pos || a.rsid.localeCompare(b.rsid));
  const contigs = [...new Set(sorted.map((l) => l.chrom))];
  const lines = [
    '##fileformat=VCFv4.1',
    '##source=multimodal-health convertCoherent: ClinVar-format annotation of the Coherent genetic panel (NOT a ClinVar release)',
    '##reference=GRCh38',
    '##mmh_note=ID (VariationID), ALLELEID and the GeneIDs in GENEINFO are placeholders, not ClinVar/NCBI identifiers',
    ...contigs.map((c) => `##contig=<ID=${c},length=${String(GRCH38_LENGTHS[c] ?? 0)},assembly=GRCh38>`),
    '##INFO=<ID=ALLELEID,Number=1,Type=Integer,Description="the ClinVar Allele ID (placeholder here)">',
    '##INFO=<ID=CLNDN,Number=.,Type=String,Description="ClinVar\'s preferred disease name (here: Synthea GeneIndexToCategory categories)">',
    '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Clinical significance for this single variant (from the Coherent DNA CSV)">',
    '##INFO=<ID=CLNVC,Number=1,Type=String,Description="Variant type">',
    '##INFO=<ID=GENEINFO,Number=1,Type=String,Description="Gene(s) for the variant reported as gene symbol:gene id (gene id 0 = placeholder)">',
    '##INFO=<ID=RS,Number=.,Type=String,Description="dbSNP ID (i.e. rs number)">',
    '##INFO=<ID=ORIGIN,Number=.,Type=String,Description="Allele origin (1 = germline)">',
    '##INFO=<ID=MMH_SOURCE,Number=1,Type=String,Description="Where the row comes from: synthea_fixture (Synthea test_result.tsv panel), synthetic (generated, not a real annotation), or coherent_csv (met only in the input files)">',
    '##INFO=<ID=SYNTHETIC,Number=0,Type=Flag,Description="Synthetic marker: position, alleles or significance are not from a citable source">',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO',
  ];
  const panelByRs = new Map(PANEL.map((m) => [m.rsid, m]));
  sorted.forEach((l, i) => {
    const m = panelByRs.get(l.rsid);
    const source = m === undefined ? 'coherent_csv' : m.synthetic ? 'synthetic' : 'synthea_fixture';
    const categories = m?.categories ?? [];
    const clndn = categories.length > 0 ? categories.map(infoSafe).join('|') : 'not_provided';
    const clnsig = CLNSIG[l.significance.trim().toLowerCase()] ?? infoSafe(l.significance.trim());
    const geneinfo = l.gene
      .split(',')
      .map((g) => `${infoSafe(g.trim())}:0`)
      .join('|');
    const rs = l.rsid.replace(/^rs/, '');
    l.alts.forEach((alt, k) => {
      const info = [
        `ALLELEID=${String(950_000_000 + i * 4 + k)}`,
        `CLNDN=${clndn}`,
        `CLNSIG=${clnsig}`,
        `CLNVC=${alt.length === l.ref.length && alt.length === 1 ? 'single_nucleotide_variant' : 'Indel'}`,
        `GENEINFO=${geneinfo}`,
        `RS=${rs}`,
        'ORIGIN=1',
        `MMH_SOURCE=${source}`,
        ...(source === 'synthetic' ? ['SYNTHETIC'] : []),
      ].join(';');
      lines.push(`${l.chrom}\t${String(l.pos)}\t${String(900_000_000 + i * 4 + k)}\t${l.ref}\t${alt}\t.\t.\t${info}`);
    });
  });
  return `${lines.join('\n')}\n`;
}

/** One window of the panel reference. */
export interface ReferenceWindow {
  /** FASTA record name `chrom:start-end` (samtools region syntax, 1-based inclusive). */
  readonly name: string;
  /** Contig. */
  readonly chrom: string;
  /** First base position (1-based). */
  readonly start: number;
  /** Sequence. */
  readonly seq: string;
}

/**
 * Builds the compact panel reference: windows of ±{@link PANEL_FLANK} bases around each locus, merged where they
 * overlap. The base at each locus is its ancestral (REF) allele; flank bases are deterministic filler, NOT GRCh38
 * sequence (the full GRCh38 is ~3 GB; real users point the reference store at GRCh38 itself).
 *
 * @param loci - panel loci (positions already validated against GRCh38 lengths)
 * @returns windows sorted by contig and start
 */
export function buildPanelReference(loci: readonly PanelLocus[]): ReferenceWindow[] {
  const sorted = [...loci].sort((a, b) => contigOrder(a.chrom) - contigOrder(b.chrom) || a.pos - b.pos);
  const groups: { chrom: string; start: number; end: number; loci: PanelLocus[] }[] = [];
  for (const l of sorted) {
    const start = Math.max(1, l.pos - PANEL_FLANK);
    const end = Math.min(GRCH38_LENGTHS[l.chrom] ?? l.pos + PANEL_FLANK, l.pos + PANEL_FLANK);
    const last = groups[groups.length - 1];
    if (last !== undefined && last.chrom === l.chrom && start <= last.end + 1) {
      last.end = Math.max(last.end, end);
      last.loci.push(l);
    } else {
      groups.push({ chrom: l.chrom, start, end, loci: [l] });
    }
  }
  return groups.map((g) => {
    const r = new Rng(0, `panel-ref:${g.chrom}:${String(g.start)}`);
    const bases = Array.from({ length: g.end - g.start + 1 }, () => 'ACGT'[r.int(0, 3)] ?? 'N');
    for (const l of g.loci) {
      for (let k = 0; k < l.ref.length; k++) {
        bases[l.pos - g.start + k] = l.ref[k] ?? 'N';
      }
    }
    return { name: `${g.chrom}:${String(g.start)}-${String(g.end)}`, chrom: g.chrom, start: g.start, seq: bases.join('') };
  });
}

/**
 * Renders FASTA text and its samtools `.fai` index (60 bases per line).
 *
 * @param windows - reference windows
 * @returns the two texts
 */
export function renderFasta(windows: readonly ReferenceWindow[]): { fasta: string; fai: string } {
  let fasta = '';
  let fai = '';
  for (const w of windows) {
    const header = `>${w.name} mmh panel window (REF bases from Coherent ANCESTRAL_ALLELE; flanks synthetic)\n`;
    const offset = Buffer.byteLength(fasta) + Buffer.byteLength(header);
    let body = '';
    for (let i = 0; i < w.seq.length; i += 60) {
      body += `${w.seq.slice(i, i + 60)}\n`;
    }
    fasta += header + body;
    fai += `${w.name}\t${String(w.seq.length)}\t${String(offset)}\t60\t61\n`;
  }
  return { fasta, fai };
}

/**
 * Looks up the reference base(s) at a GRCh38 position in the panel reference.
 *
 * @param windows - reference windows
 * @param chrom - contig
 * @param pos - 1-based position
 * @param length - number of bases
 * @returns the bases, or undefined when the position lies outside every window
 */
export function panelReferenceBases(windows: readonly ReferenceWindow[], chrom: string, pos: number, length = 1): string | undefined {
  for (const w of windows) {
    if (w.chrom === chrom && pos >= w.start && pos + length - 1 < w.start + w.seq.length) {
      return w.seq.slice(pos - w.start, pos - w.start + length);
    }
  }
  return undefined;
}
