/**
 * The bulk VCF → variant-table conversion in DuckDB SQL: DuckDB reads the data lines itself (`read_csv`,
 * tab-separated, every column VARCHAR, no quoting) and no row crosses into JavaScript.
 *
 * Two stages. {@link planVcfSql} gives the *raw layout* ({@link RAW_COLUMNS}: the table's cheap columns typed, plus
 * the INFO, FORMAT and sample text, one row per record × sample) — what the local store keeps on disk.
 * {@link tableFromRawSelect} turns raw rows into the HealthOmics columns (docs/aws-semantics.md §1.5: `attributes` map,
 * `calls`, `phased`, the FORMAT columns, `information`) — the local store's view, and the full-table Parquet of the
 * S3/Athena route. Same semantics as `vcfRecordToRows` in `../schema.ts` (tests compare both on every reference VCF).
 *
 * For the lenient fast path the plan also has a row filter, {@link VcfSqlPlan.cleanPredicate}: true only for lines
 * that certainly pass every check of the JavaScript reader (`splitVcfRecord` + `checkVcfRecord`: structure, ALT/REF
 * forms, INFO and FORMAT values against the header's definitions, GT syntax and allele range). It is deliberately
 * conservative: a line it cannot prove clean stops the single-file statement ({@link VcfSqlPlan.checkedRawSelect}) or
 * is left out of a batch (the writer notices that fewer rows came out than there are data lines), and the file is
 * re-read with the JavaScript validator, which decides and reports each line exactly. The check, compiled from the
 * header: the short fixed columns one by one, their common texts without a regular expression (CHROM and FILTER
 * by lists of the header's and the first lines' values, each value checked once when the SQL is built; POS and an
 * integer QUAL by an integer-cast round trip; single-base REF/ALT by a character test), other texts by the
 * column's regular expression; one regular expression over the samples per FORMAT layout seen in the first data
 * lines and one over INFO, the last two chosen by the line's ALT count (0–8); anything else (more ALTs, other
 * layouts, polyploid calls with Number=G fields) is "not proven clean". INFO keys without a definition (a warning in the reader, common in
 * real files) stay on this route: a line whose INFO fails the declared keys' pattern is proven clean when its keys
 * are unique, its undeclared keys plain, and its declared parts alone pass; its `vcf_warnings` then counts the
 * undeclared keys, as the reader counts their warnings. The raw layout keeps ID, ALT and FILTER as text (writing
 * Parquet lists cost more than splitting them at query time).
 */
import { BODY_CHECKED_INFO, NON_NEGATIVE_INFO, RESERVED_FORMAT } from '../../formats/vcf/header';
import type { VcfFieldDefinition, VcfHeader } from '../../formats/vcf/types';
import { sqlIdentifier, sqlLiteral } from '../../sql/literal';
import { FLAG_ATTRIBUTE_VALUE, VARIANT_COLUMNS } from '../schema';

/** ALT counts the clean-line check has compiled patterns for (rows with more ALTs go to the exact validator). */
export const MAX_FAST_ALTS = 8;
/** FORMAT layouts (distinct FORMAT strings of the first data lines) the clean-line check compiles patterns for. */
export const MAX_FAST_FORMATS = 8;

// FORMAT keys with their own column; every other key goes into `information` (FT and GP renamed, §1.5).
const OWN_COLUMNS: Readonly<Record<string, string>> = {
  GL: 'genotypelikelihoods',
  PL: 'phredlikelihoods',
  AD: 'alleledepths',
  GQ: 'conditionalquality',
  SPL: 'spl',
  DP: 'depth',
  PS: 'ps',
};
const INFORMATION_NAMES: Readonly<Record<string, string>> = { FT: 'genotype_filters', GP: 'posteriorprobabilities' };

const INT = '[-+]?\\d+';
// The Float forms of VCFv4.3 §1.3 (as the reader's FLOAT).
const FLT = '[-+]?(?i:\\d*\\.?\\d+(?:e[-+]?\\d+)?|inf|infinity|nan)';
// Non-negative values, for the counting INFO keys (NON_NEGATIVE_INFO).
const UINT = '\\+?\\d+';
const UFLT = '\\+?(?i:\\d*\\.?\\d+(?:e[-+]?\\d+)?|inf|infinity|nan)';
// QUAL: finite numbers only (Inf/NaN are valid but left to the exact route).
const QUAL = '[-+]?\\d*\\.?\\d+(?:[eE][-+]?\\d+)?';
const BASES = '[ACGTNacgtn]+';
const ALT_ONE = `(?:${BASES}|\\*|<[^<>\\s,]+>|\\.${BASES}|${BASES}\\.|[ACGTNacgtn]*[\\[\\]][^\\[\\]\\s]+:\\d+[\\[\\]][ACGTNacgtn]*)`;
// CHROM: printable ASCII without whitespace, not starting with one of < > [ ] * = , (a subset of what the reader allows).
const CHROM = '[!-)+\\-./0-;?-Z\\\\^-~][!-~]*';
// FILTER ids: printable ASCII without ';' (whitespace and the id "0" are faults).
const FILTER_ID = '(?:[!-/1-:<-~][!-:<-~]*|0[!-:<-~]+)';
const FILTER = `${FILTER_ID}(?:;${FILTER_ID})*`;
// Common GT texts and their decoding (others are decoded generically).
const COMMON_GT: readonly [string, string, boolean][] = [
  ['0/0', '[0, 0]', false],
  ['0/1', '[0, 1]', false],
  ['1/1', '[1, 1]', false],
  ['1/0', '[1, 0]', false],
  ['0|0', '[0, 0]', true],
  ['0|1', '[0, 1]', true],
  ['1|0', '[1, 0]', true],
  ['1|1', '[1, 1]', true],
  ['./.', '[-1, -1]', false],
  ['.|.', '[-1, -1]', true],
  ['0', '[0]', false],
  ['1', '[1]', false],
  ['.', '[-1]', false],
  ['1/2', '[1, 2]', false],
  ['1|2', '[1, 2]', true],
];

function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) {
    c = (c * (n - k + i)) / i;
  }
  return c;
}

/**
 * The expected value count of a definition (as `expectedCount` of the reader), or undefined for "any".
 *
 * @param def - the INFO/FORMAT definition
 * @param alts - number of ALT alleles
 * @param ploidy - ploidy (for Number=G)
 * @returns the count, or undefined when any count passes
 */
function expected(def: VcfFieldDefinition, alts: number, ploidy: number): number | undefined {
  if (alts === 0 && (def.number === 'A' || def.number === 'R' || def.number === 'G')) {
    return undefined;
  }
  switch (def.number) {
    case 'A':
      return alts;
    case 'R':
      return alts + 1;
    case 'G':
      return choose(alts + ploidy, ploidy);
    case '.':
    case 'P':
    case 'LA':
    case 'LR':
    case 'LG':
      return undefined;
    default:
      return def.number;
  }
}

/**
 * A regular expression (RE2 syntax) matching exactly the value texts the reader's `checkValues` accepts for a
 * definition — or a subset of them (never more).
 *
 * @param def - the definition
 * @param alts - ALT count
 * @param ploidy - ploidy for Number=G
 * @param sep - the separator of the enclosing list (`;` for INFO, `:` for FORMAT)
 * @returns the pattern (no anchors)
 */
function valuePattern(def: VcfFieldDefinition, alts: number, ploidy: number, sep: ';' | ':'): string {
  const other = sep === ';' ? '[^;,\\t]' : '[^:,\\t]';
  const nonNegative = sep === ';' && NON_NEGATIVE_INFO.has(def.id);
  let item: string;
  switch (def.type) {
    case 'Integer':
      item = `(?:${nonNegative ? UINT : INT}|\\.)`;
      break;
    case 'Float':
      item = `(?:${nonNegative ? UFLT : FLT}|\\.)`;
      break;
    case 'Character':
      // One UTF-16 unit: printable ASCII except the separators.
      item = sep === ';' ? '[ -+\\--:<-~]' : '[ -+\\--9;-~]';
      break;
    case 'Flag':
    case 'String':
      item = `${other}*`;
  }
  const n = expected(def, alts, ploidy);
  if (n === undefined) {
    return `${item}(?:,${item})*`;
  }
  if (n === 0) {
    return '\\.';
  }
  return `(?:\\.|${item}${n > 1 ? `(?:,${item}){${String(n - 1)}}` : ''})`;
}

/**
 * The INFO pattern for records with `alts` ALT alleles: `key=value` / `Flag` parts joined by `;`, every key declared
 * (or reserved by the spec), every value of the right Number and Type.
 *
 * @param header - the file's header
 * @param alts - ALT count
 * @returns the anchored-by-caller pattern
 */
function infoPattern(header: VcfHeader, alts: number): string {
  const defs = new Map<string, VcfFieldDefinition>(BODY_CHECKED_INFO);
  for (const [k, d] of header.info) {
    defs.set(k, d);
  }
  const parts: string[] = [];
  for (const [key, def] of defs) {
    if (key.includes(';') || key.includes('=') || key === '') {
      continue;
    }
    parts.push(def.type === 'Flag' ? escapeRegex(key) : `${escapeRegex(key)}=${valuePattern(def, alts, 2, ';')}`);
  }
  const one = `(?:${parts.join('|')})`;
  return `${one}(?:;${one})*`;
}

function gtPattern(alts: number, ploidy: number | undefined): string {
  const allele = alts === 0 ? '(?:\\d+|\\.)' : `(?:[0-${String(alts)}]|\\.)`;
  if (ploidy === undefined) {
    return `[|/]?${allele}(?:[|/]${allele})*`;
  }
  return `[|/]?${allele}${ploidy > 1 ? `(?:[|/]${allele}){${String(ploidy - 1)}}` : ''}`;
}

/**
 * The sample-column pattern for one FORMAT layout and ALT count, or undefined when the layout itself is faulty
 * (GT not first, an undeclared key) so no line with it is proven clean.
 *
 * @param header - the header
 * @param keys - FORMAT keys
 * @param alts - ALT count
 * @returns the pattern, or undefined
 */
function samplePattern(header: VcfHeader, keys: readonly string[], alts: number): string | undefined {
  const defs: VcfFieldDefinition[] = [];
  for (const k of keys) {
    const def = header.format.get(k) ?? RESERVED_FORMAT.get(k);
    if (def === undefined || k === '') {
      return undefined;
    }
    defs.push(def);
  }
  const gtAt = keys.indexOf('GT');
  if (gtAt > 0) {
    return undefined;
  }
  if (keys.length === 0) {
    return '[^\\t]*';
  }
  const build = (ploidy: number | undefined): string => {
    const values = keys.map((_key, i) => {
      if (i === 0 && gtAt === 0) {
        return gtPattern(alts, ploidy);
      }
      const def = defs[i];
      return def === undefined ? '' : `(?:\\.|${valuePattern(def, alts, ploidy ?? 2, ':')})`;
    });
    // Trailing fields may be dropped (fewer values than keys), never added.
    let pattern = '';
    for (let i = values.length - 1; i >= 1; i--) {
      pattern = `(?::${values[i] ?? ''}${pattern})?`;
    }
    return `${values[0] ?? ''}${pattern}`;
  };
  const usesPloidy = defs.some((d) => d.number === 'G');
  if (gtAt !== 0) {
    // No GT: the reader assumes diploid for Number=G.
    return build(2);
  }
  return usesPloidy ? `(?:${build(1)}|${build(2)})` : build(undefined);
}

/** The files one batched statement reads (same header definitions, sample count, compression and FORMAT layouts). */
export interface VcfSqlBatch {
  /** Per file: its path, its key (the `vcf_source` column) and its sample names (as many as the header's). */
  readonly files: readonly { readonly file: string; readonly key: string; readonly samples: readonly string[] }[];
}

/** What {@link planVcfSql} plans from. */
export interface VcfSqlInput {
  /** File path (plain or gzip); ignored when `batch` is given. */
  readonly file: string;
  /** The header (its definitions; with `batch`, every file's header has the same definitions and sample count). */
  readonly header: VcfHeader;
  /** Header lines to skip (ignored with `batch`: header lines are dropped by their leading `#`). */
  readonly headerLines: number;
  /** The job id: in the raw layout it goes to the file's footer ({@link VcfSqlPlan.footer}), not to every row. */
  readonly importJobId: string;
  /** Whether the file(s) are gzip/BGZF. */
  readonly gzip: boolean;
  /** FORMAT strings of the first data lines. */
  readonly formats: readonly string[];
  /** Many files in one statement: the selects add a `vcf_source` column (the file's key). */
  readonly batch?: VcfSqlBatch;
  /** The first data lines (their CHROM and FILTER texts are checked once here, then by IN lists per line). */
  readonly firstLines?: readonly string[];
}

/** The message of the error {@link VcfSqlPlan.checkedRawSelect} raises at a line not proven clean. */
export const NOT_PROVEN_CLEAN = 'vcf fast route: line not proven clean';

function readCsvSql(files: readonly string[], nCols: number, skip: number, gzip: boolean, filename: boolean): string {
  const columns = Array.from({ length: nCols }, (_, i) => `'c${String(i + 1)}': 'VARCHAR'`).join(', ');
  const list = files.length === 1 ? sqlLiteral(files[0] ?? '') : `[${files.map((f) => sqlLiteral(f)).join(', ')}]`;
  return (
    `read_csv(${list}, delim = '\t', header = false, auto_detect = false, quote = '', escape = '', ` +
    `nullstr = ${sqlLiteral('\u0001\u0002')}, null_padding = true, strict_mode = false, skip = ${String(skip)}, ` +
    `compression = '${gzip ? 'gzip' : 'none'}', ${filename ? 'filename = true, ' : ''}columns = {${columns}})`
  );
}

/**
 * One `read_csv` over many files with the file name as a column, joined to each file's key and sample names; the
 * header lines (leading `#`) are dropped, so files with headers of different lengths share the statement.
 *
 * @param batch - the files
 * @param nCols - columns to read
 * @param ns - samples per file
 * @param gzip - compression
 * @returns the relation (columns `c1`…, `vcf_source`, `vcf_s1`…)
 */
function batchRelationSql(batch: VcfSqlBatch, nCols: number, ns: number, gzip: boolean): string {
  const names = Array.from({ length: ns }, (_, i) => `vcf_s${String(i + 1)}`);
  const rows = batch.files.map((f) => `(${[f.file, f.key, ...f.samples.slice(0, ns)].map((x) => sqlLiteral(x)).join(', ')})`);
  const read = readCsvSql(
    batch.files.map((f) => f.file),
    nCols,
    0,
    gzip,
    true,
  );
  return (
    `(SELECT r.*, m.vcf_source${names.map((n) => `, m.${n}`).join('')} FROM ${read} r ` +
    `JOIN (VALUES ${rows.join(', ')}) m(vcf_file, vcf_source${names.map((n) => `, ${n}`).join('')}) ON r.filename = m.vcf_file ` +
    `WHERE NOT coalesce(starts_with(r.c1, '#'), false))`
  );
}

/** The statement parts for one file. */
export interface VcfSqlPlan {
  /** The `read_csv(...)` relation of the data lines (columns `c1`…). */
  readonly relation: string;
  /**
   * Boolean SQL expression over the relation's columns: true only for lines proven clean (see module doc) apart from
   * INFO, which {@link VcfSqlPlan.infoWarnings} decides.
   */
  readonly cleanPredicate: string;
  /**
   * INTEGER SQL expression over the relation's columns: the warnings of a line's INFO (undeclared keys) when its INFO
   * is proven to have no other fault, else NULL (not proven clean).
   */
  readonly infoWarnings: string;
  /** SELECT of the raw layout ({@link RAW_COLUMNS}, one row per record × sample) over every line (`vcf_warnings` NULL). */
  readonly rawSelect: string;
  /**
   * As `rawSelect`, over the lines proven clean apart from INFO, with their `vcf_warnings`: NULL on a line whose INFO
   * is not proven clean (such a line is not clean; the writer counts only rows with a non-NULL `vcf_warnings`).
   */
  readonly cleanRawSelect: string;
  /**
   * As `rawSelect` with each line's `vcf_warnings`, for a file whose lines are all expected clean: the statement
   * fails with an error naming {@link NOT_PROVEN_CLEAN} at the first line not proven clean (the writer then takes the
   * exact route), so when it completes every line DuckDB read was written, none left out.
   */
  readonly checkedRawSelect: string;
  /** The FORMAT layouts seen in the first lines (for {@link tableFromRawSelect}). */
  readonly formats: readonly string[];
  /** The per-file values the selects leave out of the rows, for the written file's footer ({@link footerKvSql}). */
  readonly footer: RawFooter;
}

/** SQL of a line's ALT count (0 for '.'). */
const ALT_COUNT = `(CASE WHEN c5 = '.' THEN 0 WHEN NOT contains(c5, ',') THEN 1 ELSE length(c5) - length(replace(c5, ',', '')) + 1 END)`;

/**
 * SQL matching `expr` against a pattern that depends on the line's ALT count (0…{@link MAX_FAST_ALTS}): one
 * `regexp_full_match` per line, its pattern chosen by the count (a line without a comma in ALT has 0 or 1 ALT, so
 * the common case costs one `contains`); other counts are false.
 *
 * @param expr - SQL of the text to match
 * @param pattern - the pattern for an ALT count (undefined: nothing matches)
 * @returns the boolean SQL
 */
function matchByAlts(expr: string, pattern: (alts: number) => string | undefined): string {
  const m = (n: number): string => {
    const p = pattern(n);
    return p === undefined ? 'false' : `regexp_full_match(${expr}, ${sqlLiteral(p)})`;
  };
  const byPattern = new Map<string, number[]>();
  for (let n = 0; n <= MAX_FAST_ALTS; n++) {
    const p = pattern(n) ?? '\u0000none';
    byPattern.set(p, [...(byPattern.get(p) ?? []), n]);
  }
  if (byPattern.size === 1 && pattern(0) !== undefined) {
    // The ALT column's own check bounds the count.
    return m(0);
  }
  const single = pattern(0) === pattern(1) ? m(1) : `(CASE WHEN c5 = '.' THEN ${m(0)} ELSE ${m(1)} END)`;
  const multi = [...byPattern]
    .map(([, ns]) => ns.filter((n) => n >= 2))
    .filter((ns) => ns.length > 0 && pattern(ns[0] ?? 0) !== undefined)
    .map((ns) => `WHEN list_contains([${ns.join(', ')}], ${ALT_COUNT}) THEN ${m(ns[0] ?? 0)}`);
  return `(CASE WHEN NOT contains(c5, ',') THEN ${single} ${multi.join(' ')} ELSE false END)`;
}

/** Single-base REF/ALT texts, checked without a regular expression (most lines of most files). */
const SINGLE_BASES = ['A', 'C', 'G', 'T', 'N'];
/** At most this many literal CHROM/FILTER values are checked by IN lists (others by their regular expression). */
const MAX_LITERALS = 32;

/**
 * `list_contains(values, expr) OR regexp_full_match(expr, pattern)`: the values (the column's common texts, checked here once
 * each against the same pattern) cost a comparison per line, anything else the regular expression.
 *
 * @param expr - SQL of the column
 * @param pattern - RE2 pattern (plain: character classes, groups and repetitions, read the same by JavaScript)
 * @param values - candidate common values (those not matching the pattern are left out)
 * @returns the boolean SQL
 */
function literalsOrMatch(expr: string, pattern: string, values: Iterable<string>): string {
  const re = new RegExp(`^(?:${pattern})$`);
  const ok = [...new Set(values)].filter((v) => re.test(v)).slice(0, MAX_LITERALS);
  const match = `regexp_full_match(${expr}, ${sqlLiteral(pattern)})`;
  // list_contains, not IN: DuckDB plans an IN list of more than a few values as a hash join.
  return ok.length === 0 ? match : `(list_contains([${ok.map((v) => sqlLiteral(v)).join(', ')}], ${expr}) OR ${match})`;
}

/**
 * SQL proving the short fixed columns clean (CHROM, POS, REF, ALT, QUAL, FILTER), as the single pattern over them
 * did, but each column on its own and its common texts without a regular expression: CHROM and FILTER by lists
 * of the values of the header and of the first data lines (each value checked once, here), POS and an integer
 * QUAL by a round trip through an integer cast (`CAST(TRY_CAST(x AS UINTEGER) AS VARCHAR) = x` holds only for
 * digit strings, without leading zeros, up to 10 digits), single-base REF/ALT by a character test with ALT ≠ REF; any
 * other text takes the column's regular expression.
 *
 * @param header - the header (contig and FILTER ids)
 * @param firstLines - the first data lines (their CHROM and FILTER texts)
 * @returns the boolean SQL
 */
function fixedColumnsCleanSql(header: VcfHeader, firstLines: readonly string[]): string {
  const cols = firstLines.map((l) => l.split('\t', 7));
  const chroms = [...cols.map((c) => c[0] ?? ''), ...header.contigs.map((c) => c.id)];
  const filters = ['PASS', '.', ...cols.map((c) => c[6] ?? ''), ...header.filters.keys()];
  const digits = (x: string): string => `CAST(TRY_CAST(${x} AS UINTEGER) AS VARCHAR) = ${x}`;
  const altOne = `${ALT_ONE}(?:,${ALT_ONE}){0,${String(MAX_FAST_ALTS - 1)}}`;
  // One of the single bases: one character of the string of them (an IN list would be planned as a hash join).
  const base = (x: string): string => `(length(${x}) = 1 AND contains(${sqlLiteral(SINGLE_BASES.join(''))}, ${x}))`;
  const refAlt =
    `CASE WHEN ${base('c4')} AND ${base('c5')} THEN c4 <> c5 ` +
    `ELSE regexp_full_match(c4, ${sqlLiteral(BASES)}) AND regexp_full_match(c5, ${sqlLiteral(`\\.|${altOne}`)}) AND ` +
    `CASE WHEN c5 = '.' THEN true WHEN NOT contains(c5, ',') THEN upper(c5) <> upper(c4) ` +
    `ELSE NOT list_contains(string_split(upper(c5), ','), upper(c4)) AND len(list_distinct(string_split(c5, ','))) = len(string_split(c5, ',')) END END`;
  return [
    literalsOrMatch('c1', CHROM, chroms),
    `(${digits('c2')} OR regexp_full_match(c2, '\\d{1,15}'))`,
    `(${refAlt})`,
    `(c6 = '.' OR ${digits('c6')} OR regexp_full_match(c6, ${sqlLiteral(QUAL)}))`,
    literalsOrMatch('c7', `PASS|\\.|${FILTER}`, filters),
  ].join(' AND ');
}

/** An undeclared INFO key the fast route accepts (with one warning): the VCFv4.3 key form, no percent-encoding. */
const UNDECLARED_KEY = '[A-Za-z_][0-9A-Za-z_.]*';

/**
 * SQL of the INFO warnings of a line (see {@link VcfSqlPlan.infoWarnings}): 0 when INFO matches the declared keys'
 * patterns; otherwise, when every key is unique, every undeclared key is a plain key (one `info-undeclared` warning
 * each, as the reader counts them) and the declared parts alone match, the number of undeclared keys; else NULL.
 *
 * @param header - the header
 * @returns the SQL expression
 */
function infoWarningsSql(header: VcfHeader): string {
  const info = (expr: string): string => matchByAlts(expr, (n) => `(?:\\.|${infoPattern(header, n)})?`);
  const declared = new Set<string>([...BODY_CHECKED_INFO.keys(), ...header.info.keys()]);
  const list = `[${[...declared].map((k) => sqlLiteral(k)).join(', ')}]::VARCHAR[]`;
  const keys = `list_transform(string_split(c8, ';'), p -> split_part(p, '=', 1))`;
  const undeclared = `list_filter(${keys}, k -> NOT list_contains(${list}, k))`;
  const kept = `array_to_string(list_filter(string_split(c8, ';'), p -> list_contains(${list}, split_part(p, '=', 1))), ';')`;
  const fallback =
    `len(list_distinct(${keys})) = len(${keys}) AND regexp_full_match(array_to_string(${undeclared}, ';'), ${sqlLiteral(`${UNDECLARED_KEY}(?:;${UNDECLARED_KEY})*`)}) ` + `AND ${info(kept)}`;
  return `(CASE WHEN ${info('c8')} THEN 0 WHEN ${fallback} THEN len(${undeclared}) END)`;
}

/**
 * SQL proving the FORMAT and sample columns clean: a known layout (one with a sample pattern), and every sample's
 * text matching that layout's pattern for the line's ALT count.
 *
 * @param header - the header
 * @param layouts - FORMAT strings to compile (with '.')
 * @returns the boolean SQL
 */
function samplesCleanSql(header: VcfHeader, layouts: readonly string[]): string {
  const ns = header.samples.length;
  const valid = layouts.filter((f) => samplePattern(header, f === '.' ? [] : f.split(':'), 0) !== undefined);
  if (ns === 0) {
    return valid.length === 0 ? 'c9 IS NULL' : `(c9 IS NULL OR list_contains([${valid.map((f) => sqlLiteral(f)).join(', ')}], c9))`;
  }
  const text = ns === 1 ? 'c10' : `concat_ws(chr(9), ${Array.from({ length: ns }, (_, i) => `c${String(10 + i)}`).join(', ')})`;
  const whens = valid.map((f) => {
    const check = matchByAlts(text, (n) => {
      const p = samplePattern(header, f === '.' ? [] : f.split(':'), n);
      return p === undefined ? undefined : `${p}${ns > 1 ? `(?:\\t${p})*` : ''}`;
    });
    return `WHEN ${sqlLiteral(f)} THEN ${check}`;
  });
  return whens.length === 0 ? 'false' : `(CASE c9 ${whens.join(' ')} ELSE false END)`;
}

/**
 * Plans the SQL for one VCF.
 *
 * @param input - file path (plain or gzip) or a batch of files, header, lines to skip (header lines), job id, FORMAT strings seen early
 * @returns the relation, select list and clean-line predicate
 */
export function planVcfSql(input: VcfSqlInput): VcfSqlPlan {
  const { header } = input;
  const ns = header.samples.length;
  // One extra column catches lines with too many fields (DuckDB drops fields beyond the last declared column).
  const nCols = ns > 0 ? 9 + ns + 1 : 10;
  const relation = input.batch === undefined ? readCsvSql([input.file], nCols, input.headerLines, input.gzip, false) : batchRelationSql(input.batch, nCols, ns, input.gzip);
  const sampleNames = input.batch === undefined ? header.samples.map((x) => sqlLiteral(x)) : Array.from({ length: ns }, (_, i) => `vcf_s${String(i + 1)}`);
  const extra = input.batch === undefined ? '' : ', vcf_source';
  // The list columns (names, alternatealleles, filters) stay text here; tableFromRawSelect splits them.
  const fixed = [
    `c1 AS contigname`,
    `CAST(c2 AS BIGINT) - 1 AS start`,
    `coalesce(CASE WHEN contains(c8, 'END=') THEN ${infoEndSql('c8')} END, CAST(c2 AS BIGINT) - 1 + length(c4)) AS "end"`,
    `c3 AS vcf_id`,
    `c4 AS referenceallele`,
    `c5 AS vcf_alt`,
    `CASE WHEN c6 = '.' THEN NULL ELSE TRY_CAST(c6 AS DOUBLE) END AS qual`,
    `c7 AS vcf_filter`,
    `c8 AS vcf_info`,
    `c9 AS vcf_format`,
  ];
  const sampleCols = Array.from({ length: ns }, (_, i) => `c${String(10 + i)}`);
  // The one sample of a single file goes to the footer (its rows' sampleid is NULL); a batch's files each have their
  // own, so their rows carry it, as do the rows of a multi-sample file.
  const footerSample = input.batch === undefined && ns === 1 ? header.samples[0] : undefined;
  const samples =
    ns === 0
      ? `CAST(NULL AS VARCHAR) AS vcf_sample, CAST(NULL AS VARCHAR) AS sampleid`
      : ns === 1
        ? `c10 AS vcf_sample, ${footerSample === undefined ? (sampleNames[0] ?? "''") : 'CAST(NULL AS VARCHAR)'} AS sampleid`
        : `unnest([${sampleCols.join(', ')}]) AS vcf_sample, unnest([${sampleNames.join(', ')}]) AS sampleid`;
  const raw = (warnings: string): string => `SELECT ${fixed.join(',\n  ')},\n  ${samples}, ${warnings} AS vcf_warnings${extra} FROM $REL`;
  // ---- clean-line predicate: column count, the short fixed columns (common texts by IN lists and casts, others by
  // regular expressions), the samples (a regular expression chosen by FORMAT layout and ALT count), INFO END not
  // before POS.
  const last = `c${String(nCols)}`;
  const checks = [
    ns > 0 ? `c${String(nCols - 1)} IS NOT NULL AND ${last} IS NULL` : `c8 IS NOT NULL AND ${last} IS NULL`,
    fixedColumnsCleanSql(header, input.firstLines ?? []),
    samplesCleanSql(header, [...new Set(['.', ...input.formats])].slice(0, MAX_FAST_FORMATS + 1)),
    // INFO END before POS is a per-record failure of the reader (rule info-end).
    `NOT contains(c8, 'END=') OR coalesce(${infoEndSql('c8')} >= TRY_CAST(c2 AS BIGINT), true)`,
  ];
  const cleanPredicate = checks.map((c) => `(${c})`).join('\n  AND ');
  const infoWarnings = infoWarningsSql(header);
  // The INFO check runs once per line, as a column after the other checks, not as a filter (DuckDB would inline it
  // into the filter and evaluate it twice): a NULL `vcf_warnings` marks a line not proven clean, which the writer
  // counts as left out.
  const cleanRelation = `(SELECT *, ${infoWarnings} AS vcf_w FROM ${relation} WHERE ${cleanPredicate})`;
  // Every line checked, none filtered: the first line not proven clean stops the statement (error), so a statement
  // that completes wrote every line DuckDB read.
  const unclean = `error(${sqlLiteral(NOT_PROVEN_CLEAN)})`;
  const checkedRelation = `(SELECT *, CASE WHEN ${cleanPredicate} THEN coalesce(${infoWarnings}, ${unclean}) ELSE ${unclean} END AS vcf_w FROM ${relation})`;
  return {
    relation,
    cleanPredicate,
    infoWarnings,
    rawSelect: raw('CAST(NULL AS INTEGER)').split('$REL').join(relation),
    cleanRawSelect: raw('vcf_w').split('$REL').join(cleanRelation),
    checkedRawSelect: raw('vcf_w').split('$REL').join(checkedRelation),
    formats: input.formats,
    footer: { importjobid: input.importJobId, ...(footerSample === undefined ? {} : { sampleid: footerSample }) },
  };
}

/**
 * The columns of the raw layout as {@link tableFromRawSelect} reads them: the variant table's cheap columns (job id,
 * contig, start, end, REF, QUAL, sample id), the text of ID, ALT and FILTER (split into lists by
 * {@link tableFromRawSelect}), the INFO, FORMAT and sample text, and the warnings the fast route counted for the
 * record (`vcf_warnings`: undeclared INFO keys; NULL when the exact route wrote the row, whose warnings the reader
 * counted). A stored file holds {@link STORED_RAW_COLUMNS}; {@link storedRawSelect} gives these columns from it.
 */
export const RAW_COLUMNS: readonly { readonly name: string; readonly duckdb: string }[] = [
  ...VARIANT_COLUMNS.filter((c) => ['importjobid', 'contigname', 'start', 'end'].includes(c.name)),
  { name: 'vcf_id', duckdb: 'VARCHAR' },
  ...VARIANT_COLUMNS.filter((c) => c.name === 'referenceallele'),
  { name: 'vcf_alt', duckdb: 'VARCHAR' },
  ...VARIANT_COLUMNS.filter((c) => c.name === 'qual'),
  { name: 'vcf_filter', duckdb: 'VARCHAR' },
  { name: 'vcf_info', duckdb: 'VARCHAR' },
  { name: 'vcf_format', duckdb: 'VARCHAR' },
  { name: 'vcf_sample', duckdb: 'VARCHAR' },
  { name: 'sampleid', duckdb: 'VARCHAR' },
  { name: 'vcf_warnings', duckdb: 'INTEGER' },
];

/**
 * The columns of a stored raw file (`*.raw3.parquet`, what {@link planVcfSql}'s selects give): {@link RAW_COLUMNS}
 * without `importjobid`, which is the same on every row of a file and is kept once, in the file's footer
 * ({@link RawFooter}); `sampleid` is NULL on the rows of a single-sample file converted alone, whose sample is in
 * the footer too. Writing the per-file values into every row was about a tenth of the Parquet writing.
 */
export const STORED_RAW_COLUMNS: readonly { readonly name: string; readonly duckdb: string }[] = RAW_COLUMNS.filter((c) => c.name !== 'importjobid');

/** The per-file values of a stored raw file, kept once in its Parquet footer (key-value metadata). */
export interface RawFooter {
  /** The job that wrote the file (every row's `importjobid`). */
  readonly importjobid: string;
  /** The sample of every row whose `sampleid` column is NULL (a single-sample file converted alone). */
  readonly sampleid?: string;
}

/** The Parquet key-value metadata keys of a {@link RawFooter}. */
export const RAW_FOOTER_KEYS = { importjobid: 'mmh.importjobid', sampleid: 'mmh.sampleid' } as const;

/**
 * The `KV_METADATA` option of a `COPY … (FORMAT parquet, …)` writing a footer.
 *
 * @param footer - the per-file values
 * @returns the option text
 */
export function footerKvSql(footer: RawFooter): string {
  const entries = [`${sqlLiteral(RAW_FOOTER_KEYS.importjobid)}: ${sqlLiteral(footer.importjobid)}`];
  if (footer.sampleid !== undefined) {
    entries.push(`${sqlLiteral(RAW_FOOTER_KEYS.sampleid)}: ${sqlLiteral(footer.sampleid)}`);
  }
  return `KV_METADATA {${entries.join(', ')}}`;
}

/**
 * A SELECT of {@link RAW_COLUMNS} from rows of the stored layout and one file's footer values (the full-table
 * layout of the S3 route, and tests reading one file).
 *
 * @param from - SQL relation with the {@link STORED_RAW_COLUMNS}
 * @param footer - the file's per-file values
 * @returns the SELECT text
 */
export function withFooterSelect(from: string, footer: RawFooter): string {
  const cols = RAW_COLUMNS.map((c) =>
    c.name === 'importjobid'
      ? `${sqlLiteral(footer.importjobid)} AS importjobid`
      : c.name === 'sampleid' && footer.sampleid !== undefined
        ? `coalesce(sampleid, ${sqlLiteral(footer.sampleid)}) AS sampleid`
        : sqlIdentifier(c.name),
  );
  return `SELECT ${cols.join(', ')} FROM ${from}`;
}

/**
 * SQL of the footers of stored raw files: one row per file (`file_name`, `importjobid`, `sampleid`), as
 * {@link storedRawSelect} takes them.
 *
 * @param files - the files (absolute paths)
 * @returns the SELECT text
 */
export function rawFootersSql(files: readonly string[]): string {
  const value = (key: string): string => `max(CASE WHEN decode(key) = ${sqlLiteral(key)} THEN decode(value) END)`;
  return (
    `SELECT file_name, ${value(RAW_FOOTER_KEYS.importjobid)} AS importjobid, ${value(RAW_FOOTER_KEYS.sampleid)} AS sampleid ` +
    `FROM parquet_kv_metadata([${files.map((f) => sqlLiteral(f)).join(', ')}]) GROUP BY file_name`
  );
}

/**
 * A SELECT of {@link RAW_COLUMNS} over stored raw files joined by file name to a table of their footer values
 * (`vcf_file`, `vcf_jobid`, `vcf_sampleid`; raw-footers.ts), so a row's `importjobid` and `sampleid` are what a row of
 * the earlier layout held. Only files with a row in the table are read: the view shows the files its last refresh
 * saw, not one renamed into place since.
 *
 * @param files - SQL of the files for `read_parquet`: a glob literal or a list of literals
 * @param footerTable - the footer table (quoted identifier)
 * @returns the SELECT text
 */
export function storedRawTableSelect(files: string, footerTable: string): string {
  const cols = RAW_COLUMNS.map((c) =>
    c.name === 'importjobid' ? 'm.vcf_jobid AS importjobid' : c.name === 'sampleid' ? 'coalesce(r.sampleid, m.vcf_sampleid) AS sampleid' : `r.${sqlIdentifier(c.name)}`,
  );
  return `SELECT ${cols.join(', ')} FROM read_parquet(${files}, filename = true) r JOIN ${footerTable} m ON r.filename = m.vcf_file`;
}

/**
 * A SELECT turning files of the earlier raw layout (ID, ALT and FILTER stored as lists, `splitfrommultiallelic`
 * stored, no `vcf_warnings`) into the current {@link RAW_COLUMNS}: each list back to the text it was split from
 * ('.' for an empty list; the split is lossless, as no element holds its separator).
 *
 * @param from - SQL relation with the earlier raw columns
 * @returns the SELECT text
 */
export function rawFromLegacyRawSelect(from: string): string {
  const text = (col: string, sep: string): string => `CASE WHEN len(${col}) = 0 THEN '.' ELSE array_to_string(${col}, '${sep}') END`;
  return (
    `SELECT importjobid, contigname, start, "end", ${text('names', ';')} AS vcf_id, referenceallele, ${text('alternatealleles', ',')} AS vcf_alt, qual, ` +
    `${text('filters', ';')} AS vcf_filter, vcf_info, vcf_format, vcf_sample, sampleid, CAST(NULL AS INTEGER) AS vcf_warnings FROM ${from}`
  );
}

/**
 * SQL of `{k, v}` entries → MAP; a repeated key takes its last value (as a JavaScript Map or object).
 *
 * @param entries - SQL list of `{'k': …, 'v': …}` structs
 * @returns the SQL expression
 */
function entriesMapSql(entries: string): string {
  return `map_from_entries(list_transform(list_filter(${entries}, (e, i) -> NOT list_contains(list_transform((${entries})[i + 1:], x -> x.k), e.k)), e -> {'key': e.k, 'value': e.v}))`;
}

/**
 * SQL of INFO text → MAP: empty parts skipped, key = text before the first '=', a Flag (no '=') → {@link FLAG_ATTRIBUTE_VALUE}.
 *
 * @param t - SQL of the INFO text
 * @returns the SQL expression
 */
function infoMapSql(t: string): string {
  return entriesMapSql(
    `list_transform(list_filter(string_split(${t}, ';'), p -> p <> ''), p -> {'k': split_part(p, '=', 1), 'v': CASE WHEN contains(p, '=') THEN p[strpos(p, '=') + 1:] ELSE '${FLAG_ATTRIBUTE_VALUE}' END})`,
  );
}

/**
 * SQL of INFO END (the last END, when all digits) as BIGINT, else NULL.
 *
 * @param t - SQL of the INFO text
 * @returns the SQL expression
 */
function infoEndSql(t: string): string {
  const last = `list_last(list_filter(string_split(${t}, ';'), p -> split_part(p, '=', 1) = 'END'))[5:]`;
  return `(CASE WHEN regexp_full_match(${last}, '\\d+') THEN TRY_CAST(${last} AS BIGINT) END)`;
}

/**
 * SQL of the `information` map: FORMAT keys without their own column whose value is not '.', FT and GP renamed.
 *
 * @param fmt - SQL list of FORMAT keys
 * @param sv - SQL list of the sample's values
 * @returns the SQL expression
 */
function formatMapSql(fmt: string, sv: string): string {
  const own = ['GT', ...Object.keys(OWN_COLUMNS)].map((k) => `'${k}'`).join(', ');
  const renames = Object.entries(INFORMATION_NAMES)
    .map(([k, v]) => `WHEN '${k}' THEN '${v}'`)
    .join(' ');
  return entriesMapSql(
    `list_transform(list_filter(range(1, len(${fmt}) + 1), i -> (${fmt})[i] NOT IN (${own}) AND (${sv})[i] IS NOT NULL AND (${sv})[i] <> '.'), i -> {'k': CASE (${fmt})[i] ${renames} ELSE (${fmt})[i] END, 'v': (${sv})[i]})`,
  );
}

/**
 * A SELECT turning rows of the raw layout into the variant table's columns (docs/aws-semantics.md §1.5), in order and with
 * exactly its types. Used for the local store's view (over its raw Parquet files) and for the full-table Parquet
 * of the S3 route. `formats` (FORMAT strings known to be common) only speeds up value lookups.
 *
 * @param from - SQL relation with the {@link RAW_COLUMNS}
 * @param formats - common FORMAT strings (optional)
 * @returns the SELECT text
 */
export function tableFromRawSelect(from: string, formats: readonly string[] = []): string {
  // attributes: the JSON route (`jm`, computed once per row) for plain key=value lists with unique keys; the exact
  // route (flags, empty parts, quotes, repeated keys: the last value wins, as in a JavaScript Map) otherwise.
  const json = `TRY_CAST(TRY_CAST('{"' || replace(replace(vcf_info, '=', '":"'), ';', '","') || '"}' AS JSON) AS MAP(VARCHAR, VARCHAR))`;
  // (No `cardinality` on maps: the workspace engine redefines it for lists, as Presto's.)
  const unique = `CASE len(map_keys(jm)) WHEN 0 THEN true WHEN 1 THEN true WHEN 2 THEN map_keys(jm)[1] <> map_keys(jm)[2] ` + `ELSE len(list_distinct(map_keys(jm))) = len(map_keys(jm)) END`;
  const attributes =
    `(CASE WHEN vcf_info IS NULL OR vcf_info = '.' OR vcf_info = '' THEN MAP([]::VARCHAR[], []::VARCHAR[]) ` +
    `WHEN jm IS NULL OR contains(vcf_info, '"') OR contains(vcf_info, '\\') THEN ${infoMapSql('vcf_info')} ` +
    `WHEN ${unique} THEN jm ELSE ${infoMapSql('vcf_info')} END)`;
  // A FORMAT key's value in a sample: by fixed position for the known layouts (split_part, no lists), by lookup
  // otherwise. A missing trailing field is '' here and undefined in the reader; both mean null.
  const known = formats.filter((f) => f !== '.').slice(0, MAX_FAST_FORMATS);
  const at = (key: string): string => {
    const whens = ['.', ...known].map((f) => {
      const i = f === '.' ? -1 : f.split(':').indexOf(key);
      return `WHEN ${sqlLiteral(f)} THEN ${i < 0 ? 'NULL' : `split_part(vcf_sample, ':', ${String(i + 1)})`}`;
    });
    return `(CASE WHEN vcf_sample IS NULL THEN NULL ELSE CASE vcf_format ${whens.join(' ')} ELSE string_split(vcf_sample, ':')[list_position(string_split(vcf_format, ':'), '${key}')] END END)`;
  };
  const gtForm = `regexp_full_match(g, '[|/]?(?:\\d+|\\.)(?:[|/](?:\\d+|\\.))*')`;
  const calls =
    `(CASE g ${COMMON_GT.map(([t, c]) => `WHEN '${t}' THEN ${c}`).join(' ')} ` +
    `ELSE CASE WHEN ${gtForm} THEN TRY_CAST(string_split(replace(replace(ltrim(g, '|/'), '|', '/'), '.', '-1'), '/') AS INTEGER[]) END END)`;
  const phased =
    `(CASE WHEN vcf_sample IS NULL THEN NULL ELSE CASE g ${COMMON_GT.map(([t, , p]) => `WHEN '${t}' THEN ${String(p)}`).join(' ')} ` +
    `ELSE coalesce(${gtForm} AND contains(g, '|') AND NOT contains(g, '/'), false) END END)`;
  // Integers: sign and digits only (DuckDB's cast would also round '1.5' and read '1_000').
  const intText = (x: string): string => `TRY_CAST(CASE WHEN ltrim(${x}, '+-0123456789') = '' THEN ${x} END AS INTEGER)`;
  const nums = (key: string, type: 'INTEGER' | 'DOUBLE'): string =>
    `(CASE WHEN v_${key} IN ('.', '') THEN NULL ELSE ${type === 'DOUBLE' ? `TRY_CAST(string_split(v_${key}, ',') AS DOUBLE[])` : `list_transform(string_split(v_${key}, ','), x -> ${intText('x')})`} END)`;
  const num = (key: string): string => intText(`v_${key}`);
  const plain = ['.', ...known.filter((f) => f.split(':').every((k) => k === 'GT' || k in OWN_COLUMNS))];
  const information =
    `(CASE WHEN vcf_sample IS NULL OR vcf_format IS NULL OR vcf_format IN (${plain.map((f) => sqlLiteral(f)).join(', ')}) THEN MAP([]::VARCHAR[], []::VARCHAR[]) ` +
    `ELSE ${formatMapSql(`string_split(vcf_format, ':')`, `string_split(vcf_sample, ':')`)} END)`;
  const keys = ['GL', 'PL', 'AD', 'GQ', 'SPL', 'DP', 'PS'];
  const inner = `SELECT *, ${json} AS jm, ${at('GT')} AS g, ${keys.map((k) => `${at(k)} AS v_${k}`).join(', ')} FROM ${from}`;
  const list = (col: string, sep: string): string => `(CASE WHEN ${col} = '.' THEN []::VARCHAR[] ELSE string_split(${col}, '${sep}') END)`;
  const exprs: Record<string, string> = {
    names: list('vcf_id', ';'),
    alternatealleles: list('vcf_alt', ','),
    filters: list('vcf_filter', ';'),
    splitfrommultiallelic: 'false',
    attributes,
    phased,
    calls,
    genotypelikelihoods: nums('GL', 'DOUBLE'),
    phredlikelihoods: nums('PL', 'INTEGER'),
    alleledepths: nums('AD', 'INTEGER'),
    conditionalquality: num('GQ'),
    spl: nums('SPL', 'INTEGER'),
    depth: num('DP'),
    ps: num('PS'),
    information,
    annotations: 'NULL',
  };
  const cols = VARIANT_COLUMNS.map((c) => `CAST(${exprs[c.name] ?? sqlIdentifier(c.name)} AS ${c.duckdb}) AS ${sqlIdentifier(c.name)}`);
  return `SELECT ${cols.join(',\n  ')}\nFROM (${inner})`;
}
