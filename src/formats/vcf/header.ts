/**
 * VCF header parsing: meta-information lines (`##…`) and the `#CHROM` column line (VCFv4.4 §1.4–1.5).
 */
import type { VcfContig, VcfFieldDefinition, VcfHeader, VcfIssue, VcfNumber, VcfType } from './types';

/** The eight fixed columns every VCF has, in order (§1.5). */
export const VCF_FIXED_COLUMNS = ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO'] as const;

const TYPES: ReadonlySet<string> = new Set(['Integer', 'Float', 'Flag', 'Character', 'String']);

/**
 * Reserved INFO keys of VCFv4.3 Table 1 / 4.4 §1.6.1, used when a file uses them without a `##INFO` line.
 * (This is how the hts-specs `failed_body_info_000` case is judged: `AA` is reserved as Number=1.)
 */
export const RESERVED_INFO: ReadonlyMap<string, VcfFieldDefinition> = new Map(
  (
    [
      ['AA', 1, 'String'],
      ['AC', 'A', 'Integer'],
      ['AD', 'R', 'Integer'],
      ['ADF', 'R', 'Integer'],
      ['ADR', 'R', 'Integer'],
      ['AF', 'A', 'Float'],
      ['AN', 1, 'Integer'],
      ['BQ', 1, 'Float'],
      ['CIGAR', 'A', 'String'],
      ['DB', 0, 'Flag'],
      ['DP', 1, 'Integer'],
      ['END', 1, 'Integer'],
      ['H2', 0, 'Flag'],
      ['H3', 0, 'Flag'],
      ['MQ', 1, 'Float'],
      ['MQ0', 1, 'Integer'],
      ['NS', 1, 'Integer'],
      ['SB', 4, 'Integer'],
      ['SOMATIC', 0, 'Flag'],
      ['VALIDATED', 0, 'Flag'],
      ['1000G', 0, 'Flag'],
    ] as const
  ).map(([id, number, type]) => [id, { id, number, type, description: 'reserved (VCF spec)' }]),
);

/** Reserved FORMAT keys (§1.6.2), used when a file uses them without a `##FORMAT` line. */
export const RESERVED_FORMAT: ReadonlyMap<string, VcfFieldDefinition> = new Map(
  (
    [
      ['AD', 'R', 'Integer'],
      ['ADF', 'R', 'Integer'],
      ['ADR', 'R', 'Integer'],
      ['DP', 1, 'Integer'],
      ['EC', 'A', 'Integer'],
      ['FT', 1, 'String'],
      ['GL', 'G', 'Float'],
      ['GP', 'G', 'Float'],
      ['GQ', 1, 'Integer'],
      ['GT', 1, 'String'],
      ['HQ', 2, 'Integer'],
      ['MQ', 1, 'Integer'],
      ['PL', 'G', 'Integer'],
      ['PS', 1, 'Integer'],
      ['PQ', 1, 'Integer'],
    ] as const
  ).map(([id, number, type]) => [id, { id, number, type, description: 'reserved (VCF spec)' }]),
);

/**
 * Splits the inside of `<…>` of a structured meta line into key/value pairs, honouring quoted values
 * (which may contain commas and escaped quotes).
 *
 * @param body - text between `<` and `>`
 * @returns the pairs in order, quotes removed
 */
export function parseStructuredMeta(body: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < body.length) {
    const eq = body.indexOf('=', i);
    if (eq < 0) {
      break;
    }
    const key = body.slice(i, eq).trim();
    let j = eq + 1;
    let value = '';
    if (body[j] === '"') {
      j++;
      while (j < body.length && body[j] !== '"') {
        if (body[j] === '\\' && j + 1 < body.length) {
          j++;
        }
        value += body[j] ?? '';
        j++;
      }
      j++; // closing quote
      const comma = body.indexOf(',', j);
      i = comma < 0 ? body.length : comma + 1;
    } else {
      const comma = body.indexOf(',', j);
      value = body.slice(j, comma < 0 ? body.length : comma);
      i = comma < 0 ? body.length : comma + 1;
    }
    out.set(key, value);
  }
  return out;
}

function parseNumber(text: string | undefined): VcfNumber | undefined {
  if (text === 'A' || text === 'R' || text === 'G' || text === '.') {
    return text;
  }
  if (text !== undefined && /^\d+$/.test(text)) {
    return Number(text);
  }
  return undefined;
}

/** A header under construction, fed one line at a time by the reader. */
export class VcfHeaderBuilder {
  private fileformat = '';
  private readonly info = new Map<string, VcfFieldDefinition>();
  private readonly format = new Map<string, VcfFieldDefinition>();
  private readonly filters = new Map<string, string>();
  private readonly contigs: VcfContig[] = [];
  private readonly meta = new Map<string, string>();
  private readonly lines: string[] = [];
  /** Problems found so far (every one is a spec MUST unless marked warning). */
  readonly issues: VcfIssue[] = [];

  /**
   * @param source - file name used in issue paths
   */
  constructor(private readonly source: string) {}

  private issue(severity: 'error' | 'warning', code: string, line: number, message: string): void {
    this.issues.push({ severity, code, line, path: `${this.source}:${String(line)}`, message });
  }

  /**
   * Adds one `##` meta-information line.
   *
   * @param text - the line without its line break
   * @param line - 1-based line number
   */
  addMeta(text: string, line: number): void {
    const body = text.slice(2);
    this.lines.push(body);
    const eq = body.indexOf('=');
    if (eq <= 0) {
      this.issue('error', 'meta-syntax', line, `meta line "${truncate(text)}" is not ##key=value (VCF §1.4)`);
      return;
    }
    const key = body.slice(0, eq);
    const value = body.slice(eq + 1);
    if (line === 1) {
      if (key !== 'fileformat') {
        this.issue('error', 'fileformat-first', line, `the first line must be ##fileformat=VCFv4.x, found "${truncate(text)}"`);
      } else {
        this.fileformat = value;
        if (!/^VCFv4\.[0-5]$/.test(value)) {
          this.issue('error', 'fileformat-version', line, `##fileformat=${value} is not a VCF 4.x version this reader supports (VCFv4.0–4.5)`);
        }
      }
      return;
    }
    if (key === 'fileformat') {
      this.issue('error', 'fileformat-first', line, '##fileformat may only appear on the first line');
      return;
    }
    if (key === 'INFO' || key === 'FORMAT') {
      if (!value.startsWith('<') || !value.endsWith('>')) {
        this.issue('error', 'meta-structured', line, `##${key} value must be <ID=…,Number=…,Type=…,Description="…">`);
        return;
      }
      const kv = parseStructuredMeta(value.slice(1, -1));
      const id = kv.get('ID');
      const number = parseNumber(kv.get('Number'));
      const type = kv.get('Type');
      if (id === undefined || id === '') {
        this.issue('error', 'meta-id', line, `##${key} line has no ID`);
        return;
      }
      if (number === undefined) {
        this.issue('error', 'meta-number', line, `##${key} ${id}: Number=${String(kv.get('Number'))} is not an integer, A, R, G or .`);
      }
      if (type === undefined || !TYPES.has(type) || (key === 'FORMAT' && type === 'Flag')) {
        this.issue('error', 'meta-type', line, `##${key} ${id}: Type=${String(type)} is not one of ${key === 'FORMAT' ? 'Integer, Float, Character, String' : 'Integer, Float, Flag, Character, String'}`);
      }
      if (type === 'Flag' && number !== 0) {
        this.issue('error', 'meta-flag-number', line, `##INFO ${id}: a Flag must have Number=0, found Number=${String(kv.get('Number'))}`);
      }
      if (!kv.has('Description')) {
        this.issue('warning', 'meta-description', line, `##${key} ${id} has no Description`);
      }
      const def: VcfFieldDefinition = {
        id,
        number: number ?? '.',
        type: type !== undefined && TYPES.has(type) ? (type as VcfType) : 'String',
        description: kv.get('Description') ?? '',
      };
      (key === 'INFO' ? this.info : this.format).set(id, def);
      return;
    }
    if (key === 'FILTER' && value.startsWith('<')) {
      const kv = parseStructuredMeta(value.slice(1, -1));
      const id = kv.get('ID');
      if (id !== undefined) {
        this.filters.set(id, kv.get('Description') ?? '');
      }
      return;
    }
    if (key === 'contig' && value.startsWith('<')) {
      const kv = parseStructuredMeta(value.slice(1, -1));
      const id = kv.get('ID');
      if (id === undefined) {
        this.issue('error', 'meta-id', line, '##contig line has no ID');
        return;
      }
      const len = kv.get('length');
      this.contigs.push(len !== undefined && /^\d+$/.test(len) ? { id, length: Number(len) } : { id });
      return;
    }
    if (!this.meta.has(key)) {
      this.meta.set(key, value);
    }
  }

  /**
   * Adds the `#CHROM` line and returns the finished header.
   *
   * @param text - the column header line
   * @param line - 1-based line number
   * @returns the header
   */
  finish(text: string, line: number): VcfHeader {
    const cols = text.split('\t');
    for (let i = 0; i < VCF_FIXED_COLUMNS.length; i++) {
      if (cols[i] !== VCF_FIXED_COLUMNS[i]) {
        this.issue(
          'error',
          'header-columns',
          line,
          `column ${String(i + 1)} of the header line is "${cols[i] ?? '(missing)'}", expected "${VCF_FIXED_COLUMNS[i] ?? ''}" (columns must be tab-separated, §1.5)`,
        );
        break;
      }
    }
    if (cols.length > 8 && cols[8] !== 'FORMAT') {
      this.issue('error', 'header-format', line, `column 9 of the header line must be FORMAT when samples follow, found "${cols[8] ?? ''}"`);
    }
    if (cols.length === 9) {
      this.issue('warning', 'header-format', line, 'the header line has a FORMAT column but no samples');
    }
    const samples = cols.slice(9);
    const seen = new Set<string>();
    for (const s of samples) {
      if (seen.has(s)) {
        this.issue('error', 'sample-duplicate', line, `sample name "${s}" appears twice in the header line (§1.5: names must be unique)`);
      }
      seen.add(s);
    }
    if (this.fileformat === '') {
      this.issue('error', 'fileformat-first', line, 'the file has no ##fileformat line');
    }
    return this.build(samples);
  }

  /**
   * The header as far as it has been read (used when a file ends before `#CHROM`).
   *
   * @param samples - sample names
   * @returns the header
   */
  build(samples: readonly string[] = []): VcfHeader {
    return {
      fileformat: this.fileformat,
      info: this.info,
      format: this.format,
      filters: this.filters,
      contigs: this.contigs,
      samples,
      meta: this.meta,
      lines: this.lines,
    };
  }
}

/**
 * Truncates text for messages (so a corrupt binary line does not flood a report).
 *
 * @param s - any text
 * @param n - maximum length
 * @returns the text, cut with an ellipsis when longer than `n`
 */
export function truncate(s: string, n = 60): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
