/**
 * Coherent DNA CSV → per-patient VCF 4.2 with correct genotypes.
 *
 * Each marker has two rows (`_FS1`, `_FS2`: the two chromosome copies). The allele a copy carries is in `ALLELE`
 * (`C`, or `C>T` when it carries the variant). The VCF's ALT lists only the alleles actually observed in this
 * patient (not the whole `VARIANT_ALLELE_LIST`, which is what made the guidance's `0/1` ambiguous), and GT indexes
 * them: a `C>T` / `C` patient at a `"A, T"` site is `ALT=T GT=0/1`; `C>A` / `C>T` is `ALT=A,T GT=1/2`.
 */
import { parseCsvRows } from '../../formats/csv';
import { groupBy } from '../../util/collections';
import type { ConversionReportBuilder } from './report';
import { contigOrder, GRCH38_LENGTHS } from './grch38';
import type { PanelLocus } from './panel-outputs';

/** One parsed DNA CSV row: a panel locus as the file states it, and the allele one chromosome copy carries. */
export interface DnaRow extends PanelLocus {
  /** 1-based line in the file. */
  readonly line: number;
  /** Copy number 1 or 2 (from STRAND / the FS suffix). */
  readonly copy: 1 | 2;
  /** Observed allele on this copy. */
  readonly allele: string;
}

/** The Coherent DNA CSV header. */
export const DNA_HEADER_FIELDS = ['INDEX', 'INDEX_PREFIX', 'CHROMOSOME', 'LOCATION', 'STRAND', 'ANCESTRAL_ALLELE', 'VARIANT_ALLELE_LIST', 'GENE', 'CLINICAL_SIGNIFICANCE', 'ALLELE', 'VARIANT'];

/**
 * The cells of one line (RFC 4180 quoting, {@link parseCsvRows}): the file is read line by line so that each line's
 * problems are reported with its number and the other lines still convert.
 */
function splitCsv(line: string): string[] {
  return parseCsvRows(line)[0] ?? [''];
}

const BASES = /^[ACGTN]+$/;

/**
 * Parses one DNA CSV file's text. Quirks are repaired where the repair is certain and reported either way.
 *
 * @param text - file content
 * @param file - file name for the report
 * @param report - the report
 * @returns parsed rows and the number of data rows read
 */
export function parseDnaCsv(text: string, file: string, report: ConversionReportBuilder): { rows: DnaRow[]; dataRows: number } {
  // CRLF, LF or a bare CR ends a line, so no line holds a line break (a quoted field never spans lines here).
  const lines = text.split(/\r\n|\n|\r/);
  const header = splitCsv(lines[0] ?? '').map((h) => h.trim());
  const rows: DnaRow[] = [];
  let dataRows = 0;
  if (header.join(',') !== DNA_HEADER_FIELDS.join(',')) {
    const n = lines.slice(1).filter((l) => l.trim() !== '').length;
    report.add({
      file,
      line: 1,
      code: 'dna-bad-header',
      reason: `unrecognised header "${(lines[0] ?? '').slice(0, 120)}"; expected ${DNA_HEADER_FIELDS.join(',')}; ${String(n)} rows not converted`,
      severity: 'dropped',
    });
    return { rows, dataRows: n };
  }
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (raw.trim() === '') {
      continue;
    }
    dataRows++;
    const line = i + 1;
    let f = splitCsv(raw);
    if (f.length > 11) {
      // GENE is unquoted and may contain commas (`F12, SLC34A1`): rebuild it from the middle fields.
      const gene = f
        .slice(7, f.length - 3)
        .map((g) => g.trim())
        .join(', ');
      f = [...f.slice(0, 7), gene, ...f.slice(f.length - 3)];
      report.add({ file, line, code: 'dna-gene-with-comma', reason: `unquoted GENE with a comma rebuilt as "${gene}"`, severity: 'repaired' });
    }
    if (f.some((x) => x !== x.trim())) {
      report.add({ file, line, code: 'dna-whitespace', reason: 'leading/trailing spaces in a field were trimmed', severity: 'repaired' });
      f = f.map((x) => x.trim());
    }
    if (f.length !== 11) {
      report.add({ file, line, code: 'dna-field-count', reason: `${String(f.length)} fields, expected 11`, severity: 'dropped' });
      continue;
    }
    const [index, prefix, chromRaw, loc, strand, anc, altList, gene, sig, allele, variant] = f as [string, string, string, string, string, string, string, string, string, string, string];
    const chrom = chromRaw.replace(/^chr/i, '');
    const pos = Number(loc);
    const copy = strand === '1' || index.endsWith('_FS1') ? 1 : strand === '2' || index.endsWith('_FS2') ? 2 : undefined;
    const ref = anc.toUpperCase();
    const alts = altList
      .split(',')
      .map((a) => a.trim().toUpperCase())
      .filter((a) => a !== '');
    const rsid = prefix !== '' ? prefix : index.replace(/_FS[12]$/, '');
    if (copy === undefined) {
      report.add({ file, line, code: 'dna-bad-strand', reason: `STRAND "${strand}" / INDEX "${index}" name no chromosome copy`, severity: 'dropped' });
      continue;
    }
    if (!Number.isInteger(pos) || pos < 1) {
      report.add({ file, line, code: 'dna-bad-position', reason: `LOCATION "${loc}" is not a positive integer`, severity: 'dropped' });
      continue;
    }
    const len = GRCH38_LENGTHS[chrom];
    if (len === undefined) {
      report.add({ file, line, code: 'dna-unknown-contig', reason: `CHROMOSOME "${chromRaw}" is not a GRCh38 chromosome`, severity: 'dropped' });
      continue;
    }
    if (pos > len) {
      report.add({ file, line, code: 'dna-position-out-of-range', reason: `${rsid} at ${chrom}:${loc} is past the end of GRCh38 chr${chrom} (${String(len)} bp)`, severity: 'dropped' });
      continue;
    }
    if (!BASES.test(ref)) {
      report.add({ file, line, code: 'dna-bad-ref', reason: `ANCESTRAL_ALLELE "${anc}" is not a base`, severity: 'dropped' });
      continue;
    }
    let observed = allele.toUpperCase();
    const gt = observed.indexOf('>');
    if (gt >= 0) {
      const from = observed.slice(0, gt);
      observed = observed.slice(gt + 1);
      if (from !== ref) {
        report.add({ file, line, code: 'dna-allele-ref-mismatch', reason: `ALLELE "${allele}" starts from ${from}, ANCESTRAL_ALLELE is ${ref}`, severity: 'warning' });
      }
    }
    if (!BASES.test(observed)) {
      report.add({ file, line, code: 'dna-bad-allele', reason: `ALLELE "${allele}" is not a base`, severity: 'dropped' });
      continue;
    }
    const isVariant = observed !== ref;
    if ((variant.toLowerCase() === 'true') !== isVariant) {
      report.add({ file, line, code: 'dna-variant-flag', reason: `VARIANT=${variant} disagrees with ALLELE "${allele}"; ALLELE used`, severity: 'repaired' });
    }
    if (isVariant && !alts.includes(observed)) {
      report.add({ file, line, code: 'dna-allele-not-listed', reason: `observed allele ${observed} is not in VARIANT_ALLELE_LIST "${altList}"`, severity: 'warning' });
    }
    rows.push({ line, rsid, copy, chrom, pos, ref, alts, gene, significance: sig, allele: observed });
  }
  return { rows, dataRows };
}

/** One VCF genotype record. */
export interface VcfCall {
  /** Contig. */
  readonly chrom: string;
  /** 1-based position. */
  readonly pos: number;
  /** rsID. */
  readonly id: string;
  /** REF. */
  readonly ref: string;
  /** Observed ALT alleles (empty for a homozygous-reference site). */
  readonly alts: readonly string[];
  /** GT string, e.g. `0/1`. */
  readonly gt: string;
  /** CSV rows that made the call. */
  readonly rows: number;
}

/**
 * Turns the FS1/FS2 rows into genotype calls (one per rsID).
 *
 * @param rows - parsed rows of one file
 * @param file - file name for the report
 * @param report - the report
 * @returns calls sorted by contig and position (homozygous-reference sites included)
 */
export function callGenotypes(rows: readonly DnaRow[], file: string, report: ConversionReportBuilder): VcfCall[] {
  const by = groupBy(rows, (r) => r.rsid);
  const calls: VcfCall[] = [];
  for (const [rsid, list] of by) {
    const c1 = list.find((r) => r.copy === 1);
    const c2 = list.find((r) => r.copy === 2);
    const first = c1 ?? c2;
    if (first === undefined) {
      continue;
    }
    if (list.length > 2 || (c1 !== undefined && c2 !== undefined && (c1.chrom !== c2.chrom || c1.pos !== c2.pos || c1.ref !== c2.ref))) {
      report.add({
        file,
        line: first.line,
        code: 'dna-inconsistent-marker',
        reason: `${rsid}: ${String(list.length)} rows with differing position/ref or duplicate copies; first two copies used`,
        severity: 'warning',
      });
    }
    if (c1 === undefined || c2 === undefined) {
      report.add({ file, line: first.line, code: 'dna-half-call', reason: `${rsid}: only copy ${String(first.copy)} present; the other allele is written as missing (.)`, severity: 'repaired' });
    }
    const observed = [c1?.allele, c2?.allele];
    // ALT order: the order of VARIANT_ALLELE_LIST, then any unlisted observed allele.
    const altOrder = [...first.alts, ...observed.filter((a): a is string => a !== undefined && a !== first.ref && !first.alts.includes(a))];
    const alts = altOrder.filter((a) => observed.includes(a));
    const code = (a: string | undefined): string => (a === undefined ? '.' : a === first.ref ? '0' : String(alts.indexOf(a) + 1));
    const [g1, g2] = [code(observed[0]), code(observed[1])].sort((a, b) => (a === '.' ? 1 : b === '.' ? -1 : Number(a) - Number(b)));
    calls.push({ chrom: first.chrom, pos: first.pos, id: rsid, ref: first.ref, alts, gt: `${g1 ?? '.'}/${g2 ?? '.'}`, rows: list.length });
  }
  calls.sort((a, b) => contigOrder(a.chrom) - contigOrder(b.chrom) || a.pos - b.pos || a.id.localeCompare(b.id));
  return calls;
}

/**
 * Renders a single-sample VCF 4.2 with the variant sites (sites where the patient carries at least one non-reference
 * allele, as the guidance's VCFs hold; a panel marker absent from the file is homozygous reference).
 *
 * @param sample - sample name (FHIR Patient.id)
 * @param calls - genotype calls
 * @param referenceName - reference file name for the `##reference` line
 * @param testDate - the genetic test date (`YYYY-MM-DD`), written as `##fileDate` so genomic features are dated
 * @returns VCF text
 */
export function renderVcf(sample: string, calls: readonly VcfCall[], referenceName: string, testDate?: string): string {
  const variantCalls = calls.filter((c) => c.alts.length > 0);
  const contigs = [...new Set(variantCalls.map((c) => c.chrom))];
  const lines = [
    '##fileformat=VCFv4.2',
    ...(testDate === undefined ? [] : [`##fileDate=${testDate.replace(/-/g, '')}`]),
    '##source=multimodal-health convertCoherent (Coherent DNA CSV, FS1/FS2 copies)',
    `##reference=${referenceName}`,
    ...contigs.map((c) => `##contig=<ID=${c},length=${String(GRCH38_LENGTHS[c] ?? 0)},assembly=GRCh38>`),
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype (unphased; FS1 and FS2 copies)">',
    `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${sample}`,
  ];
  for (const c of variantCalls) {
    lines.push(`${c.chrom}\t${String(c.pos)}\t${c.id}\t${c.ref}\t${c.alts.join(',')}\t.\tPASS\t.\tGT\t${c.gt}`);
  }
  return `${lines.join('\n')}\n`;
}
