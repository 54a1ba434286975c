/**
 * VCF data lines: splitting, GT decoding and the per-record checks of the spec's MUST rules (VCFv4.4 §1.6).
 */
import { RESERVED_FORMAT, RESERVED_INFO, truncate } from './header';
import type { Genotype, VcfFieldDefinition, VcfHeader, VcfIssue, VcfRecord } from './types';

const BASES = /^[ACGTNacgtn]+$/;
// ALT forms (§1.6.1 item 5, §5.4): bases, `*`, symbolic `<ID>`, single breakends `.A`/`A.`, and mated breakends.
const ALT_FORM = /^(?:[ACGTNacgtn]+|\*|<[^<>\s,]+>|\.[ACGTNacgtn]+|[ACGTNacgtn]+\.|[ACGTNacgtn]*[[\]][^[\]\s]+:\d+[[\]][ACGTNacgtn]*)$/;
const INTEGER = /^[-+]?\d+$/;
const FLOAT = /^[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf|infinity|nan)$/i;
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
export function splitVcfRecord(
  text: string,
  line: number,
  header: VcfHeader,
  source: string,
): { record: VcfRecord | undefined; issues: VcfIssue[] } {
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
  const pos = Number(posText);
  if (!INTEGER.test(posText) || pos < 0) {
    issues.push({ severity: 'error', code: 'pos', path, line, message: `line ${String(line)}: POS "${truncate(posText)}" is not a non-negative integer (§1.6.1)` });
    return { record: undefined, issues };
  }
  if (chrom === '' || /[\s<>[\]*=,]/.test(chrom.slice(0, 1)) || /\s/.test(chrom)) {
    issues.push({ severity: 'error', code: 'chrom', path, line, message: `line ${String(line)}: CHROM "${truncate(chrom)}" is empty or contains a forbidden character (§1.6.1)` });
    return { record: undefined, issues };
  }
  if (!BASES.test(ref)) {
    issues.push({ severity: 'error', code: 'ref-bases', path, line, message: `line ${String(line)}: REF "${truncate(ref)}" must be one or more of A,C,G,T,N (§1.6.1 item 4)` });
    return { record: undefined, issues };
  }
  let qual: number | null = null;
  if (qualText !== '.') {
    qual = Number(qualText);
    if (!FLOAT.test(qualText) || Number.isNaN(qual)) {
      issues.push({ severity: 'error', code: 'qual', path, line, message: `line ${String(line)}: QUAL "${truncate(qualText)}" is not a number or . (§1.6.1 item 6)` });
      return { record: undefined, issues };
    }
  }
  const info = new Map<string, string | true>();
  if (infoText !== '.' && infoText !== '') {
    for (const part of infoText.split(';')) {
      if (part === '') {
        continue;
      }
      const eq = part.indexOf('=');
      if (eq < 0) {
        info.set(part, true);
      } else {
        info.set(part.slice(0, eq), part.slice(eq + 1));
      }
    }
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

function expectedCount(def: VcfFieldDefinition, alts: number, ploidy: number): number | undefined {
  switch (def.number) {
    case 'A':
      return alts;
    case 'R':
      return alts + 1;
    case 'G': {
      // Number of unordered genotypes of `ploidy` alleles drawn from alts+1 (§1.6.2, GL ordering).
      const n = alts + 1;
      let c = 1;
      for (let k = 1; k <= ploidy; k++) {
        c = (c * (n + k - 1)) / k;
      }
      return c;
    }
    case '.':
      return undefined;
    default:
      return def.number;
  }
}

function checkValues(kind: 'INFO' | 'FORMAT', def: VcfFieldDefinition, value: string, alts: number, ploidy: number, where: string): string | undefined {
  const values = value.split(',');
  // With ALT `.` the per-allele counts are undefined; validators (hts-specs passed_body_alt) accept any count.
  const n = alts === 0 && (def.number === 'A' || def.number === 'R' || def.number === 'G') ? undefined : expectedCount(def, alts, ploidy);
  if (n !== undefined && values.length !== n && !(values.length === 1 && values[0] === '.')) {
    return `${where}: ${kind} ${def.id} has ${String(values.length)} value(s) "${truncate(value)}" but Number=${String(def.number)} requires ${String(n)}`;
  }
  for (const v of values) {
    if (v === '.') {
      continue;
    }
    if (def.type === 'Integer' && !INTEGER.test(v)) {
      return `${where}: ${kind} ${def.id} value "${truncate(v)}" is not an Integer`;
    }
    if (def.type === 'Float' && !FLOAT.test(v)) {
      return `${where}: ${kind} ${def.id} value "${truncate(v)}" is not a Float`;
    }
    if (def.type === 'Character' && v.length !== 1) {
      return `${where}: ${kind} ${def.id} value "${truncate(v)}" is not a single Character`;
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
  'filter',
  'info-flag',
  'info-missing-value',
  'info-value',
  'format-value',
]);

/**
 * Checks one split record against the spec's MUST rules that a validator (e.g. EBI vcf-validator) enforces and
 * bcftools lets through: ALT forms, INFO/FORMAT Number and Type, Flag values, GT syntax and allele range.
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
  const add = (severity: 'error' | 'warning', code: string, message: string): void => {
    issues.push({ severity, code, path, line, message });
  };
  const seenAlt = new Set<string>();
  for (const a of record.alts) {
    if (!ALT_FORM.test(a)) {
      add('error', 'alt-form', `${where}: ALT allele "${truncate(a)}" is not bases, *, <ID>, or a breakend (§1.6.1 item 5)`);
    } else if (a.toUpperCase() === record.ref.toUpperCase()) {
      add('error', 'alt-equals-ref', `${where}: ALT allele "${truncate(a)}" repeats REF`);
    }
    if (seenAlt.has(a)) {
      add('error', 'alt-duplicate', `${where}: ALT allele "${truncate(a)}" is listed twice`);
    }
    seenAlt.add(a);
  }
  for (const f of record.filters) {
    if (f === '' || /\s/.test(f) || f === '0') {
      add('error', 'filter', `${where}: FILTER value "${truncate(f)}" is not PASS or a filter id`);
    }
  }
  const ploidy = 2;
  for (const [key, value] of record.info) {
    const def = header.info.get(key) ?? RESERVED_INFO.get(key);
    if (def === undefined) {
      add('warning', 'info-undeclared', `${where}: INFO key ${key} has no ##INFO definition in the header`);
      continue;
    }
    if (def.type === 'Flag') {
      if (value !== true) {
        add('error', 'info-flag', `${where}: INFO ${key} is a Flag and must not have a value, found "${truncate(value)}"`);
      }
      continue;
    }
    if (value === true) {
      add('error', 'info-missing-value', `${where}: INFO ${key} (Type=${def.type}) is written as a flag without =value`);
      continue;
    }
    const bad = checkValues('INFO', def, value, record.alts.length, ploidy, where);
    if (bad !== undefined) {
      add('error', 'info-value', bad);
    }
  }
  const gtIndex = record.format.indexOf('GT');
  if (gtIndex > 0) {
    add('error', 'format-gt-first', `${where}: GT must be the first FORMAT key, found at position ${String(gtIndex + 1)}`);
  }
  for (const key of record.format) {
    if (!header.format.has(key) && !RESERVED_FORMAT.has(key)) {
      add('warning', 'format-undeclared', `${where}: FORMAT key ${key} has no ##FORMAT definition in the header`);
    }
  }
  for (let s = 0; s < record.samples.length; s++) {
    const raw = record.samples[s] ?? '';
    const values = raw.split(':');
    const name = header.samples[s] ?? String(s + 1);
    if (values.length > record.format.length && record.format.length > 0) {
      add('error', 'sample-fields', `${where}: sample ${name} has ${String(values.length)} fields but FORMAT lists ${String(record.format.length)}`);
      continue;
    }
    let samplePloidy = 2;
    if (gtIndex === 0) {
      const gt = parseGenotype(values[0] ?? '.');
      if (gt === undefined) {
        add('error', 'gt-syntax', `${where}: sample ${name} GT "${truncate(values[0] ?? '')}" is not allele indexes joined by / or |`);
      } else {
        samplePloidy = gt.alleles.length;
        const max = Math.max(...gt.alleles);
        if (max > record.alts.length && record.alts.length > 0) {
          add('error', 'gt-allele-range', `${where}: sample ${name} GT "${values[0] ?? ''}" refers to allele ${String(max)} but there are ${String(record.alts.length)} ALT allele(s)`);
        }
      }
    }
    for (let k = 0; k < values.length; k++) {
      const key = record.format[k];
      const v = values[k];
      if (key === undefined || v === undefined || key === 'GT' || v === '.') {
        continue;
      }
      const def = header.format.get(key) ?? RESERVED_FORMAT.get(key);
      if (def === undefined) {
        continue;
      }
      const bad = checkValues('FORMAT', def, v, record.alts.length, samplePloidy, `${where} sample ${name}`);
      if (bad !== undefined) {
        add('error', 'format-value', bad);
      }
    }
  }
  return issues;
}
