/**
 * VCF data lines: splitting, GT decoding and the per-record checks of the spec's MUST rules (VCFv4.1–4.5 §1.6;
 * §1.4 in the 4.1/4.2 texts). Each issue's message ends with the section it enforces ({@link specSection}).
 */
import { BODY_CHECKED_INFO, CONTIG_NAME, NON_NEGATIVE_INFO, RESERVED_FORMAT, percentDecodedKey, specSection, truncate } from './header';
import type { Genotype, VcfFieldDefinition, VcfHeader, VcfIssue, VcfRecord } from './types';

const BASES = /^[ACGTNacgtn]+$/;
// ALT forms (§1.6.1 item 5, §5.4): bases, `*`, symbolic `<ID>`, single breakends `.A`/`A.`, and mated breakends.
const ALT_FORM = /^(?:[ACGTNacgtn]+|\*|<[^<>\s,]+>|\.[ACGTNacgtn]+|[ACGTNacgtn]+\.|[ACGTNacgtn]*[[\]][^[\]\s]+:\d+[[\]][ACGTNacgtn]*)$/;
const INTEGER = /^[-+]?\d+$/;
// The Float forms of VCFv4.3 §1.3: ^[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$ or ^[-+]?(INF|INFINITY|NAN)$, case-insensitive.
const FLOAT = /^[-+]?(?:\d*\.?\d+(?:[eE][-+]?\d+)?|inf|infinity|nan)$/i;
// 32-bit signed, minus the eight values BCF reserves (−2^31 … −2^31+7), VCFv4.3 §1.3.
const INT_MIN = -2147483648 + 8;
const INT_MAX = 2147483647;
const INFO_KEY = /^(?:[A-Za-z_][0-9A-Za-z_.]*|1000G)$/;
const FORMAT_KEY = /^[A-Za-z_][0-9A-Za-z_.]*$/;

/**
 * The value of a Float text (`Inf`, `+Inf`, `-Infinity`, `NaN` in any case included), or undefined when it is not one.
 *
 * @param text - the text
 * @returns the number
 */
export function parseVcfFloat(text: string): number | undefined {
  if (!FLOAT.test(text)) {
    return undefined;
  }
  const body = text.replace(/^[-+]/, '').toLowerCase();
  const neg = text.startsWith('-');
  if (body === 'nan') {
    return Number.NaN;
  }
  if (body === 'inf' || body === 'infinity') {
    return neg ? -Infinity : Infinity;
  }
  return Number(text);
}
const GT_FORM = /^[|/]?(?:\d+|\.)(?:[|/](?:\d+|\.))*$/;

/**
 * Decodes a GT value (`0/1`, `1|0`, `.`, `./.`, haploid `1`, VCF 4.4 `|0/1` prefixes).
 *
 * @param gt - the raw GT text
 * @returns allele indexes (−1 = missing) and whether the call is phased, or undefined when the text is not a GT
 */
export function parseGenotype(gt: string): Genotype | undefined {
  if (!GT_FORM.test(gt)) {
    return undefined;
  }
  const alleles: number[] = [];
  let phased = true;
  let separators = 0;
  let i = 0;
  if (gt.startsWith('|') || gt.startsWith('/')) {
    separators++;
    phased = gt[0] === '|';
    i = 1;
  }
  let cur = '';
  for (; i <= gt.length; i++) {
    const c = gt[i];
    if (c === undefined || c === '|' || c === '/') {
      alleles.push(cur === '.' ? -1 : Number(cur));
      cur = '';
      if (c !== undefined) {
        separators++;
        if (c === '/') {
          phased = false;
        }
      }
    } else {
      cur += c;
    }
  }
  return { alleles, phased: separators > 0 && phased };
}

/**
 * Splits one data line into a {@link VcfRecord}; reports the structural problems that make the line unusable.
 *
 * @param text - the line without its line break
 * @param line - 1-based line number
 * @param header - the file's header
 * @param source - file name for issue paths
 * @returns the record (undefined when unusable) and its issues
 */
export function splitVcfRecord(text: string, line: number, header: VcfHeader, source: string): { record: VcfRecord | undefined; issues: VcfIssue[] } {
  const cols = text.split('\t');
  const expected = header.samples.length > 0 ? 9 + header.samples.length : 8;
  const issues: VcfIssue[] = [];
  const path = `${source}:${String(line)}`;
  if (cols.length !== expected && !(header.samples.length === 0 && cols.length === 9)) {
    issues.push({
      severity: 'error',
      code: 'column-count',
      path,
      line,
      message: `line ${String(line)} has ${String(cols.length)} tab-separated columns, the header declares ${String(expected)} (§1.6: every data line has the header's columns)`,
    });
    return { record: undefined, issues };
  }
  const [chrom = '', posText = '', id = '', ref = '', alt = '', qualText = '', filter = '', infoText = ''] = cols;
  const at = (family: string): string => specSection(family, header.minor);
  const pos = Number(posText);
  if (!INTEGER.test(posText) || pos < 0) {
    issues.push({ severity: 'error', code: 'pos', path, line, message: `line ${String(line)}: POS "${truncate(posText)}" is not a non-negative integer (${at('fixed')})` });
    return { record: undefined, issues };
  }
  if (chrom === '') {
    issues.push({ severity: 'error', code: 'chrom', path, line, message: `line ${String(line)}: CHROM is empty (${at('fixed')})` });
    return { record: undefined, issues };
  }
  if (!BASES.test(ref)) {
    issues.push({ severity: 'error', code: 'ref-bases', path, line, message: `line ${String(line)}: REF "${truncate(ref)}" must be one or more of A,C,G,T,N (${at('fixed')})` });
    return { record: undefined, issues };
  }
  let qual: number | null = null;
  if (qualText !== '.') {
    const q = parseVcfFloat(qualText);
    if (q === undefined) {
      issues.push({ severity: 'error', code: 'qual', path, line, message: `line ${String(line)}: QUAL "${truncate(qualText)}" is not a Float or . (${at('fixed')}, ${at('data-types')})` });
      return { record: undefined, issues };
    }
    qual = q;
  }
  const info = new Map<string, string | true>();
  if (infoText !== '.' && infoText !== '') {
    for (const part of infoText.split(';')) {
      if (part === '') {
        issues.push({ severity: 'error', code: 'info-syntax', path, line, message: `line ${String(line)}: INFO "${truncate(infoText)}" has an empty entry (a stray ";") (${at('fixed')})` });
        continue;
      }
      const eq = part.indexOf('=');
      const key = eq < 0 ? part : part.slice(0, eq);
      if (info.has(key)) {
        issues.push({
          severity: 'error',
          code: 'info-duplicate',
          path,
          line,
          message: `line ${String(line)}: INFO key ${truncate(key)} appears twice (duplicate keys are not allowed, ${at('fixed')})`,
        });
      }
      info.set(key, eq < 0 ? true : part.slice(eq + 1));
    }
  } else if (infoText === '') {
    issues.push({ severity: 'error', code: 'info-syntax', path, line, message: `line ${String(line)}: INFO is empty; write . when there is none (${at('fixed')})` });
  }
  const record: VcfRecord = {
    line,
    chrom,
    pos,
    ids: id === '.' ? [] : id.split(';'),
    ref,
    alts: alt === '.' ? [] : alt.split(','),
    qual,
    filters: filter === '.' ? [] : filter.split(';'),
    info,
    format: cols.length > 8 && cols[8] !== undefined && cols[8] !== '.' ? cols[8].split(':') : [],
    samples: cols.slice(9),
  };
  return { record, issues };
}

function expectedCount(def: VcfFieldDefinition, kind: 'INFO' | 'FORMAT', alts: number, ploidy: number): number | undefined {
  switch (def.number) {
    case 'A':
      return alts;
    case 'R':
      return alts + 1;
    case 'G': {
      if (kind === 'INFO') {
        // An INFO value has no ploidy: the conformance suite (passed_body_info.vcf) accepts any count.
        return undefined;
      }
      // Number of unordered genotypes of `ploidy` alleles drawn from alts+1 (GL ordering, §1.6.2).
      const n = alts + 1;
      let c = 1;
      for (let k = 1; k <= ploidy; k++) {
        c = (c * (n + k - 1)) / k;
      }
      return c;
    }
    case '.':
    case 'P':
    case 'LA':
    case 'LR':
    case 'LG':
      // P counts alleles of GT (4.4), LA/LR/LG the local alleles of LAA (4.5): not checked here.
      return undefined;
    default:
      return def.number;
  }
}

interface ValueFault {
  readonly code: 'info-value' | 'format-value' | 'info-range' | 'format-range' | 'info-negative';
  readonly message: string;
}

function checkValues(kind: 'INFO' | 'FORMAT', def: VcfFieldDefinition, value: string, alts: number, ploidy: number, where: string): ValueFault | undefined {
  // A String wholly in double quotes is one value (the conformance suite's passed_body_info.vcf has a comma inside).
  const quoted = def.type === 'String' && value.length > 1 && value.startsWith('"') && value.endsWith('"');
  const values = quoted ? [value] : value.split(',');
  const code = kind === 'INFO' ? 'info-value' : 'format-value';
  // With ALT `.` the per-allele counts are undefined; validators (hts-specs passed_body_alt) accept any count.
  const n = alts === 0 && (def.number === 'A' || def.number === 'R' || def.number === 'G') ? undefined : expectedCount(def, kind, alts, ploidy);
  if (n !== undefined && values.length !== n && !(values.length === 1 && values[0] === '.')) {
    return { code, message: `${where}: ${kind} ${def.id} has ${String(values.length)} value(s) "${truncate(value)}" but Number=${String(def.number)} requires ${String(n)}` };
  }
  const nonNegative = kind === 'INFO' && NON_NEGATIVE_INFO.has(def.id);
  for (const v of values) {
    if (v === '.') {
      continue;
    }
    if (def.type === 'Integer') {
      if (!INTEGER.test(v)) {
        return { code, message: `${where}: ${kind} ${def.id} value "${truncate(v)}" is not an Integer` };
      }
      const x = Number(v);
      if (x < INT_MIN || x > INT_MAX) {
        return { code: kind === 'INFO' ? 'info-range' : 'format-range', message: `${where}: ${kind} ${def.id} value ${truncate(v)} is outside the 32-bit Integer range (−2^31+8 … 2^31−1)` };
      }
    }
    if (def.type === 'Float' && !FLOAT.test(v)) {
      return { code, message: `${where}: ${kind} ${def.id} value "${truncate(v)}" is not a Float` };
    }
    if (def.type === 'Character' && v.length !== 1) {
      return { code, message: `${where}: ${kind} ${def.id} value "${truncate(v)}" is not a single Character` };
    }
    if (nonNegative && v.startsWith('-') && (def.type === 'Integer' || def.type === 'Float')) {
      return { code: 'info-negative', message: `${where}: INFO ${def.id} value ${truncate(v)} is negative (it counts alleles, reads or samples)` };
    }
  }
  return undefined;
}

/**
 * Rules whose violation leaves the record usable (its raw text still fits the store's schema): lenient mode keeps
 * such records and reports the violation as a warning, as bcftools does; strict mode rejects them.
 */
export const VCF_CONTENT_RULES: ReadonlySet<string> = new Set([
  'alt-equals-ref',
  'alt-duplicate',
  'chrom-name',
  'id',
  'filter',
  'info-syntax',
  'info-duplicate',
  'info-key',
  'info-flag',
  'info-missing-value',
  'info-value',
  'info-range',
  'info-negative',
  'format-key',
  'format-value',
  'format-range',
  'sample-empty-field',
  'duplicate-record',
  'unsorted',
  'chrom-contiguous',
  'final-newline',
]);

function checkChrom(chrom: string, minor: number): string | undefined {
  const angle = /^<[^<>\s,]+>$/.test(chrom);
  if (angle) {
    // VCFv4.1–4.3: an angle-bracketed ID pointing to a contig of the ##assembly file; 4.4 dropped the form.
    return minor <= 3 ? undefined : 'the <ID> form (a contig of the ##assembly file) exists only up to VCFv4.3';
  }
  if (/\s/.test(chrom)) {
    return 'contains whitespace';
  }
  if (minor >= 3) {
    return CONTIG_NAME.test(chrom) ? undefined : `does not match the contig-name rule ${String(CONTIG_NAME)}`;
  }
  return chrom.includes(':') ? 'contains a colon (not allowed in chromosome names, to keep breakends parseable)' : undefined;
}

/**
 * Checks one split record against the spec's MUST rules that a validator (e.g. EBI vcf-validator) enforces and
 * bcftools lets through: CHROM, ID, ALT and FILTER syntax, INFO/FORMAT keys, Number and Type, Flag values, Integer
 * range, non-negative counts, END ≥ POS, GT syntax and allele range, empty FORMAT sub-fields.
 *
 * @param record - the record
 * @param header - the file's header
 * @param source - file name for issue paths
 * @returns issues; `error` ones mean the record is wrong, `warning` ones (e.g. undeclared keys) are advisory
 */
export function checkVcfRecord(record: VcfRecord, header: VcfHeader, source: string): VcfIssue[] {
  const issues: VcfIssue[] = [];
  const line = record.line;
  const path = `${source}:${String(line)}`;
  const where = `line ${String(line)}`;
  const fixed = specSection('fixed', header.minor);
  const genotype = specSection('genotype', header.minor);
  const add = (severity: 'error' | 'warning', code: string, message: string): void => {
    issues.push({ severity, code, path, line, message });
  };
  const chromFault = checkChrom(record.chrom, header.minor);
  if (chromFault !== undefined) {
    add('error', 'chrom-name', `${where}: CHROM "${truncate(record.chrom)}" ${chromFault} (${fixed})`);
  }
  checkIds(record, where, fixed, add);
  const seenAlt = new Set<string>();
  for (const a of record.alts) {
    if (!ALT_FORM.test(a)) {
      add('error', 'alt-form', `${where}: ALT allele "${truncate(a)}" is not bases, *, <ID>, or a breakend (${fixed})`);
    } else if (a.toUpperCase() === record.ref.toUpperCase()) {
      add('error', 'alt-equals-ref', `${where}: ALT allele "${truncate(a)}" repeats REF (${fixed})`);
    }
    if (seenAlt.has(a)) {
      add('error', 'alt-duplicate', `${where}: ALT allele "${truncate(a)}" is listed twice (${fixed})`);
    }
    seenAlt.add(a);
  }
  const seenFilter = new Set<string>();
  for (const f of record.filters) {
    if (f === '' || /\s/.test(f) || f === '0') {
      add('error', 'filter', `${where}: FILTER value "${truncate(f)}" is not PASS or a filter id (${fixed})`);
    } else if (seenFilter.has(f)) {
      add('error', 'filter', `${where}: FILTER value "${truncate(f)}" is listed twice (${fixed})`);
    }
    seenFilter.add(f);
  }
  checkInfo(record, header, where, fixed, add);
  checkFormat(record, header, where, genotype, add);
  return issues;
}

type Add = (severity: 'error' | 'warning', code: string, message: string) => void;

function checkIds(record: VcfRecord, where: string, fixed: string, add: Add): void {
  const seen = new Set<string>();
  for (const id of record.ids) {
    if (id === '' || id === '.') {
      add('error', 'id', `${where}: ID has an empty entry (a stray ";", or "." inside a list) (${fixed})`);
    } else if (/\s/.test(id)) {
      add('error', 'id', `${where}: ID "${truncate(id)}" contains whitespace (${fixed})`);
    } else if (seen.has(id)) {
      add('error', 'id', `${where}: ID "${truncate(id)}" is listed twice (${fixed})`);
    }
    seen.add(id);
  }
}

function checkInfo(record: VcfRecord, header: VcfHeader, where: string, fixed: string, add: Add): void {
  const ploidy = 2;
  for (const [key, value] of record.info) {
    if (header.minor >= 3 && !INFO_KEY.test(percentDecodedKey(key))) {
      add('error', 'info-key', `${where}: INFO key "${truncate(key)}" does not match ${String(INFO_KEY)} (${fixed})`);
    }
    const def = header.info.get(key) ?? BODY_CHECKED_INFO.get(key);
    if (def === undefined) {
      add('warning', 'info-undeclared', `${where}: INFO key ${key} has no ##INFO definition in the header`);
      continue;
    }
    if (def.type === 'Flag') {
      if (value === '0' || value === '1') {
        // Written by some tools and accepted by the conformance suite (passed_body_info.vcf: DB=0, H2=1).
        add('warning', 'info-flag-value', `${where}: INFO ${key} is a Flag written with a value (${value}); read as present`);
      } else if (value !== true) {
        add('error', 'info-flag', `${where}: INFO ${key} is a Flag and must not have a value, found "${truncate(value)}" (${fixed})`);
      }
      continue;
    }
    if (value === true) {
      add('error', 'info-missing-value', `${where}: INFO ${key} (Type=${def.type}) is written as a flag without =value (${fixed})`);
      continue;
    }
    const bad = checkValues('INFO', def, value, record.alts.length, ploidy, where);
    if (bad !== undefined) {
      add('error', bad.code, `${bad.message} (${fixed})`);
    }
  }
  const end = record.info.get('END');
  if (typeof end === 'string' && /^\d+$/.test(end) && Number(end) < record.pos) {
    add('error', 'info-end', `${where}: INFO END=${truncate(end)} is before POS ${String(record.pos)} (END is the last reference position the record covers, ${fixed})`);
  }
}

function checkFormat(record: VcfRecord, header: VcfHeader, where: string, genotype: string, add: Add): void {
  const gtIndex = record.format.indexOf('GT');
  if (gtIndex > 0) {
    add('error', 'format-gt-first', `${where}: GT must be the first FORMAT key, found at position ${String(gtIndex + 1)} (${genotype})`);
  }
  const seenKey = new Set<string>();
  for (const key of record.format) {
    if (key === '') {
      add('error', 'format-key', `${where}: FORMAT has an empty key (two ":" in a row, or a leading/trailing ":") (${genotype})`);
    } else if (header.minor >= 3 && !FORMAT_KEY.test(percentDecodedKey(key))) {
      add('error', 'format-key', `${where}: FORMAT key "${truncate(key)}" does not match ${String(FORMAT_KEY)} (${genotype})`);
    } else if (seenKey.has(key)) {
      add('error', 'format-key', `${where}: FORMAT key ${key} appears twice (${genotype})`);
    } else if (!header.format.has(key) && !RESERVED_FORMAT.has(key)) {
      add('warning', 'format-undeclared', `${where}: FORMAT key ${key} has no ##FORMAT definition in the header`);
    }
    seenKey.add(key);
  }
  for (let s = 0; s < record.samples.length; s++) {
    checkSample(record, header, s, gtIndex, where, genotype, add);
  }
}

function checkSample(record: VcfRecord, header: VcfHeader, s: number, gtIndex: number, where: string, genotype: string, add: Add): void {
  const raw = record.samples[s] ?? '';
  const values = raw.split(':');
  const name = header.samples[s] ?? String(s + 1);
  if (values.length > record.format.length && record.format.length > 0) {
    add('error', 'sample-fields', `${where}: sample ${name} has ${String(values.length)} fields but FORMAT lists ${String(record.format.length)} (${genotype})`);
    return;
  }
  if (values.some((v) => v === '') && record.format.length > 0) {
    add('error', 'sample-empty-field', `${where}: sample ${name} "${truncate(raw)}" has an empty sub-field; a missing value is written "." (${genotype})`);
  }
  let samplePloidy = 2;
  if (gtIndex === 0) {
    const gt = parseGenotype(values[0] ?? '.');
    if (gt === undefined) {
      add('error', 'gt-syntax', `${where}: sample ${name} GT "${truncate(values[0] ?? '')}" is not allele indexes joined by / or | (${genotype})`);
    } else {
      samplePloidy = gt.alleles.length;
      const max = Math.max(...gt.alleles);
      if (max > record.alts.length && record.alts.length > 0) {
        add('error', 'gt-allele-range', `${where}: sample ${name} GT "${values[0] ?? ''}" refers to allele ${String(max)} but there are ${String(record.alts.length)} ALT allele(s) (${genotype})`);
      }
    }
  }
  for (let k = 0; k < values.length; k++) {
    const key = record.format[k];
    const v = values[k];
    if (key === undefined || v === undefined || key === 'GT' || v === '.' || v === '') {
      continue;
    }
    const def = header.format.get(key) ?? RESERVED_FORMAT.get(key);
    if (def === undefined) {
      continue;
    }
    const bad = checkValues('FORMAT', def, v, record.alts.length, samplePloidy, `${where} sample ${name}`);
    if (bad !== undefined) {
      add('error', bad.code, `${bad.message} (${genotype})`);
    }
  }
}

/**
 * The rules that look across records (VCFv4.3 §1.6.1): within a CHROM, POS is sorted; each CHROM forms one block;
 * no record repeats an earlier one (same CHROM, POS, REF and ALT). Memory: the CHROM names seen and the records of the
 * current position.
 */
export class VcfOrderCheck {
  private chrom: string | undefined;
  private pos = -1;
  private readonly done = new Set<string>();
  private atPos = new Set<string>();

  /**
   * @param header - the file's header (for the version's section numbers)
   * @param source - file name for issue paths
   */
  constructor(
    private readonly header: VcfHeader,
    private readonly source: string,
  ) {}

  /**
   * Checks the next record against the ones before it.
   *
   * @param record - the record, in file order
   * @returns issues (errors, content rules)
   */
  check(record: VcfRecord): VcfIssue[] {
    const issues: VcfIssue[] = [];
    const fixed = specSection('fixed', this.header.minor);
    const add = (code: string, message: string): void => {
      issues.push({ severity: 'error', code, path: `${this.source}:${String(record.line)}`, line: record.line, message: `line ${String(record.line)}: ${message} (${fixed})` });
    };
    if (record.chrom !== this.chrom) {
      if (this.chrom !== undefined) {
        this.done.add(this.chrom);
      }
      if (this.done.has(record.chrom)) {
        add('chrom-contiguous', `CHROM ${truncate(record.chrom)} appears again after other chromosomes (each CHROM must form one contiguous block)`);
      }
      this.chrom = record.chrom;
      this.pos = -1;
    }
    if (record.pos < this.pos) {
      add('unsorted', `POS ${String(record.pos)} comes after POS ${String(this.pos)} on ${truncate(record.chrom)} (positions are sorted within a CHROM)`);
    }
    if (record.pos !== this.pos) {
      this.atPos = new Set();
      this.pos = Math.max(this.pos, record.pos);
    }
    const key = `${record.ref.toUpperCase()}\t${record.alts.join(',').toUpperCase()}`;
    if (this.atPos.has(key)) {
      add('duplicate-record', `the record ${truncate(record.chrom)}:${String(record.pos)} ${truncate(record.ref)}>${truncate(record.alts.join(','))} repeats an earlier record`);
    }
    this.atPos.add(key);
    return issues;
  }
}
