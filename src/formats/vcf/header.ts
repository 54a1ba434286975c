/**
 * VCF header parsing: meta-information lines (`##…`) and the `#CHROM` column line, checked against the rules of the
 * hts-specs VCFv4.1–4.5 texts. Every issue names its rule (`code`) and the spec section ({@link specSection}).
 */
import type { VcfContig, VcfFieldDefinition, VcfHeader, VcfIssue, VcfNumber, VcfType } from './types';

/** The eight fixed columns every VCF has, in order (§1.5). */
export const VCF_FIXED_COLUMNS = ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO'] as const;

const TYPES: ReadonlySet<string> = new Set(['Integer', 'Float', 'Flag', 'Character', 'String']);

/**
 * Section of each rule in the VCFv4.3–4.5 texts, and in the VCFv4.1/4.2 texts (which number the same sections
 * §1.2–1.4 instead of §1.4–1.6).
 */
const SECTIONS: Readonly<Record<string, readonly [string, string]>> = {
  'data-types': ['1.3', '1.2'],
  meta: ['1.4', '1.2'],
  fileformat: ['1.4.1', '1.2.1'],
  info: ['1.4.2', '1.2.2'],
  filter: ['1.4.3', '1.2.3'],
  format: ['1.4.4', '1.2.4'],
  alt: ['1.4.5', '1.2.5'],
  assembly: ['1.4.6', '1.2.6'],
  contig: ['1.4.7', '1.2.7'],
  sample: ['1.4.8', '1.2.8'],
  pedigree: ['1.4.9', '1.2.9'],
  'header-line': ['1.5', '1.3'],
  'data-lines': ['1.6', '1.4'],
  fixed: ['1.6.1', '1.4.1'],
  genotype: ['1.6.2', '1.4.2'],
  'reserved-info': ['1.6.1 Table 1', '1.4.1'],
  'reserved-format': ['1.6.2 Table 2', '1.4.2'],
};

/**
 * The spec section of a rule family for a VCF minor version, e.g. `VCFv4.3 §1.4.2`.
 *
 * @param family - a key of the section table (`info`, `contig`, `fixed`, …)
 * @param minor - minor version (1–5)
 * @returns the citation text
 */
export function specSection(family: string, minor: number): string {
  const s = SECTIONS[family] ?? ['1', '1'];
  return `VCFv4.${String(minor)} §${minor >= 3 ? s[0] : s[1]}`;
}

function reserved(rows: readonly (readonly [string, VcfNumber, VcfType])[]): ReadonlyMap<string, VcfFieldDefinition> {
  return new Map(rows.map(([id, number, type]) => [id, { id, number, type, description: 'reserved (VCF spec)' }]));
}

/**
 * Reserved INFO keys of VCFv4.3 Table 1 (unchanged in 4.4 and 4.5): a header line redefining one with another Number
 * or Type is an error in VCF ≥ 4.3; a file using one without a `##INFO` line is checked against this definition.
 */
export const RESERVED_INFO: ReadonlyMap<string, VcfFieldDefinition> = reserved([
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
]);

/** Reserved FORMAT keys of VCFv4.3 Table 2 (same role as {@link RESERVED_INFO}). */
export const RESERVED_FORMAT: ReadonlyMap<string, VcfFieldDefinition> = reserved([
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
  ['PP', 'G', 'Integer'],
  ['PQ', 1, 'Integer'],
  ['PS', 1, 'Integer'],
]);

/**
 * Reserved INFO keys whose value a file may use without declaring them, checked in data lines. `SB` is left out: the
 * VCFv4.1/4.2 texts give it no type, and the hts-specs 4.3 conformance file `passed_body_info.vcf` writes `SB=0.150`.
 */
export const BODY_CHECKED_INFO: ReadonlyMap<string, VcfFieldDefinition> = new Map([...RESERVED_INFO].filter(([k]) => k !== 'SB'));

/** INFO keys that count things and so may not be negative (AC, AF, AN, DP, END, MQ0, NS). */
export const NON_NEGATIVE_INFO: ReadonlySet<string> = new Set(['AC', 'AF', 'AN', 'DP', 'END', 'MQ0', 'NS']);

/** Contig names (VCFv4.3 §1.4.7, the SAM rule; also the CHROM rule in 4.3+). */
export const CONTIG_NAME = /^[0-9A-Za-z!#$%&+./:;?@^_|~-][0-9A-Za-z!#$%&*+./:;=?@^_|~-]*$/;

/** One `key=value` of a structured (`<…>`) meta line. */
export interface StructuredField {
  /** Key. */
  readonly key: string;
  /** Value, quotes removed and escapes resolved. */
  readonly value: string;
  /** Whether the value was written in double quotes. */
  readonly quoted: boolean;
}

/**
 * Parses the inside of `<…>` of a structured meta line exactly: `key=value` pairs separated by commas, a value
 * either plain (no comma, quote or `<>`) or in double quotes with `\"` and `\\` escapes. Linear time.
 *
 * @param body - text between `<` and `>`
 * @returns the fields in order, or the first syntax error
 */
export function parseStructuredFields(body: string): { fields: StructuredField[]; error?: string } {
  const fields: StructuredField[] = [];
  let i = 0;
  while (i < body.length) {
    const eq = body.indexOf('=', i);
    const comma = body.indexOf(',', i);
    if (eq < 0 || (comma >= 0 && comma < eq)) {
      return { fields, error: `"${truncate(body.slice(i, comma < 0 ? body.length : comma))}" is not key=value` };
    }
    const key = body.slice(i, eq);
    if (!/^[A-Za-z0-9_.-]+$/.test(key)) {
      return { fields, error: `key "${truncate(key)}" is not a word` };
    }
    let j = eq + 1;
    if (body[j] === '"') {
      j++;
      let value = '';
      let closed = false;
      while (j < body.length) {
        const c = body[j];
        if (c === '\\' && j + 1 < body.length) {
          value += body[j + 1] ?? '';
          j += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          j++;
          break;
        }
        value += c ?? '';
        j++;
      }
      if (!closed) {
        return { fields, error: `the quoted value of ${key} has no closing quote` };
      }
      if (j < body.length && body[j] !== ',') {
        return { fields, error: `text after the closing quote of ${key}` };
      }
      fields.push({ key, value, quoted: true });
      i = j + 1;
    } else {
      // A `[a, b]` list (##META Values=[…], VCFv4.3 §1.4.8) runs to its closing bracket.
      const close = body[j] === '[' ? body.indexOf(']', j) : -1;
      const next = close >= 0 ? body.indexOf(',', close) : comma;
      const end = next < 0 ? body.length : next;
      // A plain value runs to the next comma (the conformance suite's passed_meta_alt.vcf has quotes inside an ID).
      const value = body.slice(j, end);
      fields.push({ key, value, quoted: false });
      i = end + 1;
    }
  }
  return { fields };
}

/**
 * Splits the inside of `<…>` of a structured meta line into key/value pairs, honouring quoted values (which may
 * contain commas and escaped quotes). Tolerant: stops at the first fault ({@link parseStructuredFields} reports it).
 *
 * @param body - text between `<` and `>`
 * @returns the pairs in order, quotes removed
 */
export function parseStructuredMeta(body: string): Map<string, string> {
  return new Map(parseStructuredFields(body).fields.map((f) => [f.key, f.value]));
}

function parseNumber(text: string | undefined, minor: number): VcfNumber | undefined {
  if (text === 'A' || text === 'R' || text === 'G' || text === '.') {
    return text;
  }
  if (text === 'P' && minor >= 4) {
    return text;
  }
  if ((text === 'LA' || text === 'LR' || text === 'LG') && minor >= 5) {
    return text;
  }
  if (text !== undefined && /^\d+$/.test(text)) {
    return Number(text);
  }
  return undefined;
}

/** Whether a URL-like value names a host that cannot exist (e.g. `ftp://8080:8080/…`, a numeric top-level label). */
function badUrlHost(value: string): boolean {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/:?#]*)/.exec(value);
  if (m === null) {
    return false;
  }
  const host = m[1] ?? '';
  if (host === '') {
    return !value.startsWith('file:');
  }
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(host)) {
    return false;
  }
  const labels = host.split('.');
  return labels.some((l) => !/^[A-Za-z0-9-]+$/.test(l)) || /^\d+$/.test(labels[labels.length - 1] ?? '');
}

/** A header under construction, fed one line at a time by the reader. */
export class VcfHeaderBuilder {
  private fileformat = '';
  private minor = 5;
  private readonly info = new Map<string, VcfFieldDefinition>();
  private readonly format = new Map<string, VcfFieldDefinition>();
  private readonly filters = new Map<string, string>();
  private readonly alts = new Set<string>();
  private readonly contigs: VcfContig[] = [];
  private readonly meta = new Map<string, string>();
  private readonly lines: string[] = [];
  private readonly pedigreeIds = new Set<string>();
  private readonly sampleIds = new Set<string>();
  /** Problems found so far (every one is a spec MUST unless marked warning). */
  readonly issues: VcfIssue[] = [];

  /**
   * @param source - file name used in issue paths
   */
  constructor(private readonly source: string) {}

  private issue(severity: 'error' | 'warning', code: string, line: number, message: string, family: string): void {
    this.issues.push({ severity, code, line, path: `${this.source}:${String(line)}`, message: `${message} (${specSection(family, this.minor)})` });
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
    const key = eq < 0 ? body : body.slice(0, eq);
    if (eq <= 0 || !/^[A-Za-z0-9_.-]+$/.test(key)) {
      this.issue('error', 'meta-syntax', line, `meta line "${truncate(text)}" is not ##key=value`, 'meta');
      return;
    }
    const value = body.slice(eq + 1);
    if (line === 1) {
      this.addFileformat(key, value, text, line);
      return;
    }
    if (key === 'fileformat') {
      this.issue('error', 'fileformat-first', line, '##fileformat may only appear on the first line', 'fileformat');
      return;
    }
    if (value === '') {
      this.issue('error', 'meta-syntax', line, `meta line ##${key}= has an empty value`, key === 'assembly' ? 'assembly' : 'meta');
      return;
    }
    if (value.startsWith('<')) {
      this.addStructured(key, value, line);
      return;
    }
    if (key === 'INFO' || key === 'FORMAT' || key === 'FILTER' || key === 'ALT' || key === 'contig' || key === 'SAMPLE' || key === 'PEDIGREE') {
      this.issue('error', 'meta-structured', line, `##${key} value must be <ID=…,…>`, familyOf(key));
      return;
    }
    if ((key === 'assembly' || key === 'pedigreeDB') && badUrlHost(value)) {
      this.issue('error', 'meta-url', line, `##${key}=${truncate(value)} is not a usable URL (its host name is not valid)`, key === 'assembly' ? 'assembly' : 'pedigree');
      return;
    }
    if (!this.meta.has(key)) {
      this.meta.set(key, value);
    }
  }

  private addFileformat(key: string, value: string, text: string, line: number): void {
    if (key !== 'fileformat') {
      this.issue('error', 'fileformat-first', line, `the first line must be ##fileformat=VCFv4.x, found "${truncate(text)}"`, 'fileformat');
      return;
    }
    this.fileformat = value;
    const m = /^VCFv4\.([0-5])$/.exec(value);
    if (m === null) {
      this.issue('error', 'fileformat-version', line, `##fileformat=${value} is not a VCF 4.x version this reader supports (VCFv4.0–4.5)`, 'fileformat');
    } else {
      this.minor = Math.max(1, Number(m[1]));
    }
  }

  private addStructured(key: string, value: string, line: number): void {
    if (!value.endsWith('>')) {
      this.issue('error', 'meta-structured', line, `##${key}=<… is not closed by ">"`, familyOf(key));
      return;
    }
    const parsed = parseStructuredFields(value.slice(1, -1));
    if (parsed.error !== undefined) {
      this.issue('error', 'meta-structured', line, `##${key}: ${parsed.error}`, familyOf(key));
      return;
    }
    const fields = parsed.fields;
    const kv = new Map(fields.map((f) => [f.key, f]));
    const id = kv.get('ID')?.value;
    const standard = ['INFO', 'FORMAT', 'FILTER', 'ALT', 'contig', 'SAMPLE', 'PEDIGREE'].includes(key);
    if (id === undefined || id === '') {
      // Every structured line needs an ID from VCFv4.3 on (§1.4); the 4.1/4.2 texts ask it of the standard ones only.
      if (standard || this.minor >= 3) {
        this.issue('error', 'meta-id', line, `##${key} line has no ID`, familyOf(key));
      }
      if (!standard && !this.meta.has(key)) {
        this.meta.set(key, value);
      }
      return;
    }
    if (fields.length !== kv.size) {
      this.issue('error', 'meta-structured', line, `##${key} ${id} repeats a key`, familyOf(key));
    }
    switch (key) {
      case 'INFO':
      case 'FORMAT':
        this.addDefinition(key, id, fields, line);
        return;
      case 'FILTER':
        this.checkOrder(key, id, fields, ['ID', 'Description'], line);
        this.requireDescription(key, id, kv, line);
        this.unique(this.filters, key, id, line);
        this.filters.set(id, kv.get('Description')?.value ?? '');
        return;
      case 'ALT':
        this.addAlt(id, fields, line);
        return;
      case 'contig':
        this.addContig(id, kv, line);
        return;
      case 'SAMPLE':
      case 'PEDIGREE':
        this.addSampleOrPedigree(key, id, fields, line);
        return;
      default:
        if (!this.meta.has(key)) {
          this.meta.set(key, value);
        }
    }
  }

  private unique(seen: ReadonlyMap<string, unknown> | ReadonlySet<string>, key: string, id: string, line: number): void {
    if (seen.has(id)) {
      this.issue('error', 'meta-duplicate-id', line, `##${key} ID ${id} is defined twice (IDs must be unique within their type)`, 'meta');
    }
  }

  private checkOrder(key: string, id: string, fields: readonly StructuredField[], order: readonly string[], line: number): void {
    const present = order.filter((k) => fields.some((f) => f.key === k));
    const firsts = fields.slice(0, present.length).map((f) => f.key);
    if (firsts.join(',') !== present.join(',')) {
      this.issue('error', 'meta-field-order', line, `##${key} ${id}: the fields must begin ${present.join(', ')} in this order, found ${firsts.join(', ')}`, familyOf(key));
    }
  }

  private requireDescription(key: string, id: string, kv: ReadonlyMap<string, StructuredField>, line: number): void {
    const d = kv.get('Description');
    if (d === undefined) {
      this.issue('error', 'meta-description', line, `##${key} ${id} has no Description`, familyOf(key));
    } else if (!d.quoted) {
      this.issue('error', 'meta-description', line, `##${key} ${id}: the Description value must be surrounded by double quotes`, familyOf(key));
    }
  }

  private addDefinition(key: 'INFO' | 'FORMAT', id: string, fields: readonly StructuredField[], line: number): void {
    const family = key === 'INFO' ? 'info' : 'format';
    const kv = new Map(fields.map((f) => [f.key, f.value]));
    this.checkOrder(key, id, fields, ['ID', 'Number', 'Type', 'Description'], line);
    const keyPattern = key === 'INFO' ? /^(?:[A-Za-z_][0-9A-Za-z_.]*|1000G)$/ : /^[A-Za-z_][0-9A-Za-z_.]*$/;
    if (this.minor >= 3 && !keyPattern.test(percentDecodedKey(id))) {
      this.issue('error', 'meta-key-name', line, `##${key} ID "${truncate(id)}" does not match ${String(keyPattern)}`, key === 'INFO' ? 'fixed' : 'genotype');
    }
    const numberText = kv.get('Number');
    let number = parseNumber(numberText, this.minor);
    const type = kv.get('Type');
    if (number === undefined) {
      this.issue(
        'error',
        'meta-number',
        line,
        `##${key} ${id}: Number=${String(numberText)} is not an integer, A, R, G or .${this.minor >= 4 ? ', P' : ''}${this.minor >= 5 ? ', LA, LR, LG' : ''}`,
        family,
      );
    }
    const typeOk = type !== undefined && TYPES.has(type) && !(key === 'FORMAT' && type === 'Flag');
    if (!typeOk) {
      this.issue(
        'error',
        'meta-type',
        line,
        `##${key} ${id}: Type=${String(type)} is not one of ${key === 'FORMAT' ? 'Integer, Float, Character, String' : 'Integer, Float, Flag, Character, String'}`,
        family,
      );
    }
    if (type === 'Flag' && number !== 0 && number !== undefined) {
      // The text says a Flag "must" have Number=0, but the hts-specs 4.3 conformance suite lists a Flag declared
      // Number=A as valid (passed_meta_info.vcf): read it as a Flag and warn.
      this.issue('warning', 'meta-flag-number', line, `##INFO ${id}: a Flag has Number=0, found Number=${String(numberText)}; read as a Flag`, family);
      number = 0;
    }
    this.requireDescription(key, id, new Map(fields.map((f) => [f.key, f])), line);
    const table = key === 'INFO' ? RESERVED_INFO : RESERVED_FORMAT;
    const res = table.get(id);
    if (this.minor >= 3 && res !== undefined && number !== undefined && typeOk && (res.number !== number || res.type !== type)) {
      this.issue(
        'error',
        'reserved-key',
        line,
        `##${key} ${id} is reserved as Number=${String(res.number)},Type=${res.type}; this line declares Number=${numberText},Type=${type}`,
        key === 'INFO' ? 'reserved-info' : 'reserved-format',
      );
    }
    this.unique(key === 'INFO' ? this.info : this.format, key, id, line);
    const def: VcfFieldDefinition = {
      id,
      number: number ?? '.',
      type: typeOk ? (type as VcfType) : 'String',
      description: kv.get('Description') ?? '',
    };
    (key === 'INFO' ? this.info : this.format).set(id, def);
  }

  private addAlt(id: string, fields: readonly StructuredField[], line: number): void {
    this.checkOrder('ALT', id, fields, ['ID', 'Number', 'Type', 'Description'], line);
    if (/[\s<>,]/.test(id)) {
      this.issue('error', 'meta-alt-id', line, `##ALT ID "${truncate(id)}" contains whitespace, a comma or an angle bracket`, 'alt');
    }
    const kv = new Map(fields.map((f) => [f.key, f]));
    const type = kv.get('Type')?.value;
    if (type !== undefined && !TYPES.has(type)) {
      this.issue('error', 'meta-type', line, `##ALT ${id}: Type=${type} is not a VCF type`, 'alt');
    }
    const num = kv.get('Number')?.value;
    if (num !== undefined && parseNumber(num, this.minor) === undefined) {
      this.issue('error', 'meta-number', line, `##ALT ${id}: Number=${num} is not a VCF Number`, 'alt');
    }
    this.requireDescription('ALT', id, kv, line);
    this.unique(this.alts, 'ALT', id, line);
    this.alts.add(id);
  }

  private addContig(id: string, kv: ReadonlyMap<string, StructuredField>, line: number): void {
    const bad = this.minor >= 3 ? !CONTIG_NAME.test(id) : /[\s,:<>]/.test(id);
    if (bad) {
      this.issue(
        'error',
        'contig-id',
        line,
        `##contig ID "${truncate(id)}" ${this.minor >= 3 ? `does not match ${String(CONTIG_NAME)}` : 'contains whitespace, a comma, a colon or an angle bracket'}`,
        'contig',
      );
    }
    if (this.contigs.some((c) => c.id === id)) {
      this.issue('error', 'meta-duplicate-id', line, `##contig ID ${id} is defined twice (IDs must be unique within their type)`, 'contig');
    }
    const len = kv.get('length')?.value;
    if (len !== undefined && !/^\d+$/.test(len)) {
      this.issue('error', 'contig-length', line, `##contig ${id}: length=${truncate(len)} is not a non-negative integer`, 'contig');
    }
    this.contigs.push(len !== undefined && /^\d+$/.test(len) ? { id, length: Number(len) } : { id });
  }

  private addSampleOrPedigree(key: 'SAMPLE' | 'PEDIGREE', id: string, fields: readonly StructuredField[], line: number): void {
    const family = key === 'SAMPLE' ? 'sample' : 'pedigree';
    if (fields[0]?.key !== 'ID') {
      this.issue('error', 'meta-field-order', line, `##${key}: ID must be the first field`, family);
    }
    if (/\s/.test(id)) {
      this.issue('error', 'meta-id', line, `##${key} ID "${truncate(id)}" contains whitespace`, family);
    }
    if (key === 'PEDIGREE' && fields.length < 2) {
      this.issue('error', 'meta-pedigree', line, `##PEDIGREE ${id} names no relation (e.g. Original=…, Father=…, Mother=…)`, family);
    }
    const seen = key === 'SAMPLE' ? this.sampleIds : this.pedigreeIds;
    this.unique(seen, key, id, line);
    seen.add(id);
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
          `column ${String(i + 1)} of the header line is "${cols[i] ?? '(missing)'}", expected "${VCF_FIXED_COLUMNS[i] ?? ''}" (columns must be tab-separated)`,
          'header-line',
        );
        break;
      }
    }
    if (cols.length > 8 && cols[8] !== 'FORMAT') {
      this.issue('error', 'header-format', line, `column 9 of the header line must be FORMAT when samples follow, found "${cols[8] ?? ''}"`, 'header-line');
    }
    if (cols.length === 9) {
      this.issue('error', 'header-format', line, 'the header line has a FORMAT column but no sample columns', 'header-line');
    }
    const samples = cols.slice(9);
    if (samples.length > 0 && samples[samples.length - 1] === '') {
      this.issue('error', 'header-trailing-tab', line, 'the header line ends with a tab', 'header-line');
    }
    const seen = new Set<string>();
    for (const s of samples) {
      if (seen.has(s)) {
        this.issue('error', 'sample-duplicate', line, `sample name "${s}" appears twice in the header line (names must be unique)`, 'header-line');
      }
      seen.add(s);
    }
    if (this.fileformat === '') {
      this.issue('error', 'fileformat-first', line, 'the file has no ##fileformat line', 'fileformat');
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
      minor: this.minor,
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
 * A key with its percent-encoded characters (`%3A`, VCFv4.3 §1.2) replaced by `_`, for the key-name rules: the
 * conformance suite's passed_body_format.vcf uses the FORMAT key `G%3AS`.
 *
 * @param key - an INFO/FORMAT key
 * @returns the key to test
 */
export function percentDecodedKey(key: string): string {
  return key.replace(/%[0-9A-Fa-f]{2}/g, '_');
}

function familyOf(key: string): string {
  switch (key) {
    case 'INFO':
      return 'info';
    case 'FORMAT':
      return 'format';
    case 'FILTER':
      return 'filter';
    case 'ALT':
      return 'alt';
    case 'contig':
      return 'contig';
    case 'SAMPLE':
      return 'sample';
    case 'PEDIGREE':
      return 'pedigree';
    default:
      return 'meta';
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
