/**
 * Streaming VCF reader: plain text, gzip or BGZF (a BGZF file is a series of gzip members, which Node's gunzip
 * reads back to back), one record at a time, in strict or lenient mode.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { HealthDataError } from '../../errors';
import { VcfHeaderBuilder, specSection } from './header';
import { VCF_CONTENT_RULES, VcfOrderCheck, checkVcfRecord, splitVcfRecord } from './record';
import type { VcfHeader, VcfIssue, VcfRecord } from './types';

/** Options of {@link openVcf} and {@link readVcfText}. */
export interface VcfReadOptions {
  /**
   * Strict mode (default false) enforces the spec's MUSTs like a validator: the first error (header or record)
   * throws, naming the line and the rule. Lenient mode (like bcftools) keeps records whose only faults are in
   * values ({@link VCF_CONTENT_RULES}, reported as warnings), skips structurally bad records and lists them as
   * errors in `issues`.
   */
  readonly strict?: boolean;
  /** Check INFO/FORMAT values against their definitions (default true; the structural checks always run). */
  readonly validate?: boolean;
  /** Name used in issue paths (default: the file's base name). */
  readonly source?: string;
  /** Keep at most this many warnings (errors are always kept; default 1000). */
  readonly maxWarnings?: number;
  /** Give each record its raw line as `text` (default false). */
  readonly keepText?: boolean;
}

/** Counts of a read, kept up to date while records are consumed. */
export interface VcfReadStats {
  /** Data lines seen. */
  lines: number;
  /** Records returned. */
  records: number;
  /** Records rejected (lenient mode). */
  rejected: number;
  /** Warnings seen (including ones not kept past `maxWarnings`). */
  warnings: number;
}

/** An open VCF: its header, then its records as an async iterable (read once). */
export interface VcfFile {
  /** The header. */
  readonly header: VcfHeader;
  /** Header and record issues found so far (grows while `records` is consumed). */
  readonly issues: VcfIssue[];
  /** Counts (grow while `records` is consumed). */
  readonly stats: VcfReadStats;
  /** The records, in file order. */
  readonly records: AsyncIterable<VcfRecord>;
  /** Lines up to and including the `#CHROM` line (data line numbers start after it). */
  readonly headerLines: number;
  /** Stops reading and releases the file (needed only when `records` is not read to the end). */
  close(): Promise<void>;
}

/**
 * Yields lines from a stream of text chunks (handles `\n` and `\r\n`).
 *
 * @param chunks - text chunks
 * @param ending - set to `finalNewline: false` when the last line has no line break
 * @returns the lines without line breaks
 */
async function* splitLines(chunks: AsyncIterable<string>, ending: LineEnding = { finalNewline: true }): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of chunks) {
    const text = rest + chunk;
    let start = 0;
    let nl = text.indexOf('\n', start);
    while (nl >= 0) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield text.slice(start, end);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    rest = text.slice(start);
  }
  if (rest !== '') {
    ending.finalNewline = false;
    yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
  }
}

/** Filled in by {@link splitLines} when the text ends: whether its last line had a line break. */
interface LineEnding {
  finalNewline: boolean;
}

function isGzip(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(2);
    const n = fs.readSync(fd, b, 0, 2, 0);
    return n === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Opens a VCF file (plain, gzip or BGZF, detected from the magic bytes) as a stream of text.
 *
 * @param file - path to the file
 * @returns a readable of UTF-8 text
 * @throws {@link HealthDataError} (not-found) when the file does not exist
 */
export function openVcfTextStream(file: string): Readable {
  if (!fs.existsSync(file)) {
    throw new HealthDataError('not-found', `openVcf: file ${file} does not exist; check the path (VCF files may be .vcf, .vcf.gz or BGZF)`, {
      path: file,
    });
  }
  const raw = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const stream = isGzip(file) ? raw.pipe(zlib.createGunzip({ chunkSize: 1 << 20 })) : raw;
  if (stream !== raw) {
    raw.on('error', (e) => stream.destroy(e));
  }
  stream.setEncoding('utf8');
  return stream;
}

function strictError(issue: VcfIssue): HealthDataError {
  return new HealthDataError('invalid-input', `readVcf (strict): ${issue.path}: ${issue.message} [rule ${issue.code}]; fix the file or read it with strict: false to skip bad records`, {
    path: issue.path,
  });
}

/**
 * Reads the header lines (up to and including `#CHROM`) into a builder; data before `#CHROM` is a header fault.
 *
 * @param lines - the file's lines
 * @param builder - collects the meta lines and their issues
 * @param source - file name for issue paths
 * @returns the header (undefined when there is no `#CHROM` line) and the lines read
 */
async function readHeaderLines(lines: AsyncGenerator<string>, builder: VcfHeaderBuilder, source: string): Promise<{ header: VcfHeader | undefined; lineNo: number }> {
  let lineNo = 0;
  for (;;) {
    const next = await lines.next();
    if (next.done === true) {
      return { header: undefined, lineNo };
    }
    lineNo++;
    let text = next.value;
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) {
      text = text.slice(1);
    }
    if (text.startsWith('##')) {
      builder.addMeta(text, lineNo);
    } else if (text.startsWith('#')) {
      return { header: builder.finish(text, lineNo), lineNo };
    } else {
      builder.issues.push({
        severity: 'error',
        code: 'header-missing',
        path: `${source}:${String(lineNo)}`,
        line: lineNo,
        message: `line ${String(lineNo)} is data before the #CHROM header line (or the file is not a VCF)`,
      });
      return { header: undefined, lineNo };
    }
  }
}

/**
 * Throws when the header cannot be read past: no `#CHROM` line, a fault that breaks the columns, or (strict) any fault.
 *
 * @param header - the header, if a `#CHROM` line was found
 * @param issues - the header's issues
 * @param source - file name
 * @param strict - strict mode
 * @returns the header
 */
function acceptHeader(header: VcfHeader | undefined, issues: readonly VcfIssue[], source: string, strict: boolean): VcfHeader {
  const headerErrors = issues.filter((i) => i.severity === 'error');
  if (header === undefined) {
    const firstError = headerErrors[0];
    throw new HealthDataError('invalid-input', `readVcf: ${source} has no #CHROM header line${firstError === undefined ? '' : ` (${firstError.message})`}; is it a VCF?`, { path: source });
  }
  const fatal = headerErrors.find((i) => strict || i.code === 'header-columns' || i.code === 'header-missing');
  if (fatal !== undefined) {
    throw strict ? strictError(fatal) : new HealthDataError('invalid-input', `readVcf: ${fatal.path}: ${fatal.message} [rule ${fatal.code}]`, { path: fatal.path });
  }
  return header;
}

/**
 * The issue sink of a read: errors make the record bad (strict: throw), content faults are warnings in lenient mode,
 * warnings are counted (and kept up to `maxWarnings`).
 *
 * @param issues - the read's issue list (appended to)
 * @param stats - the read's counts (warnings)
 * @param strict - strict mode
 * @param maxWarnings - how many warnings to keep
 * @returns a function noting a record's issues and telling whether any is an error
 */
function issueNoter(issues: VcfIssue[], stats: VcfReadStats, strict: boolean, maxWarnings: number): (list: readonly VcfIssue[]) => boolean {
  return (list) => {
    let bad = false;
    for (const found of list) {
      const i: VcfIssue = !strict && found.severity === 'error' && VCF_CONTENT_RULES.has(found.code) ? { ...found, severity: 'warning' } : found;
      if (i.severity === 'error') {
        if (strict) {
          throw strictError(i);
        }
        bad = true;
        issues.push(i);
      } else {
        stats.warnings++;
        if (stats.warnings <= maxWarnings) {
          issues.push(i);
        }
      }
    }
    return bad;
  };
}

/** What the record loop of {@link openFromLines} works with. */
interface RecordLoop {
  readonly lines: AsyncGenerator<string>;
  readonly header: VcfHeader;
  readonly headerLines: number;
  readonly source: string;
  readonly options: VcfReadOptions;
  readonly stats: VcfReadStats;
  readonly note: (list: readonly VcfIssue[]) => boolean;
  readonly ending: LineEnding;
}

/**
 * The records after the header: each line split and (with `validate`) checked, bad ones counted as rejected.
 *
 * @param loop - lines, header, counts and issue sink
 * @yields the kept records
 */
async function* recordsAfterHeader(loop: RecordLoop): AsyncGenerator<VcfRecord> {
  const { lines, header: h, source, options, stats, note, ending } = loop;
  const validate = options.validate !== false;
  const order = new VcfOrderCheck(h, source);
  let lineAt = loop.headerLines;
  for (;;) {
    const next = await lines.next();
    if (next.done === true) {
      if (!ending.finalNewline && stats.lines > 0 && validate && h.minor >= 3) {
        // The rule is written from VCFv4.3 on (§1.6: "The last data line must end with a line separator").
        note([
          {
            severity: 'error',
            code: 'final-newline',
            path: `${source}:${String(lineAt)}`,
            line: lineAt,
            message: `line ${String(lineAt)}: the last data line has no line break (${specSection('data-lines', h.minor)})`,
          },
        ]);
      }
      return;
    }
    lineAt++;
    const text = next.value;
    if (text === '') {
      continue;
    }
    stats.lines++;
    const { record, issues: found } = splitVcfRecord(text, lineAt, h, source);
    let bad = note(found);
    if (record !== undefined && validate) {
      bad = note(checkVcfRecord(record, h, source)) || bad;
      bad = note(order.check(record)) || bad;
    }
    if (record === undefined || bad) {
      stats.rejected++;
      continue;
    }
    stats.records++;
    yield options.keepText === true ? { ...record, text } : record;
  }
}

async function openFromLines(
  lines: AsyncGenerator<string>,
  options: VcfReadOptions,
  source: string,
  release: () => void = () => undefined,
  ending: LineEnding = { finalNewline: true },
): Promise<VcfFile> {
  const strict = options.strict === true;
  const builder = new VcfHeaderBuilder(source);
  const issues: VcfIssue[] = builder.issues;
  const stats: VcfReadStats = { lines: 0, records: 0, rejected: 0, warnings: 0 };
  const read = await readHeaderLines(lines, builder, source);
  const header = acceptHeader(read.header, issues, source, strict);
  const note = issueNoter(issues, stats, strict, options.maxWarnings ?? 1000);
  return {
    header,
    issues,
    stats,
    records: recordsAfterHeader({ lines, header, headerLines: read.lineNo, source, options, stats, note, ending }),
    headerLines: read.lineNo,
    close: async () => {
      release();
      await lines.return(undefined);
    },
  };
}

function wrapStreamErrors(lines: AsyncGenerator<string>, source: string): AsyncGenerator<string> {
  const wrapped = async function* (): AsyncGenerator<string> {
    try {
      yield* lines;
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      throw new HealthDataError(
        'invalid-input',
        `readVcf: ${source} could not be decompressed or read (${reason}); the file is corrupt or truncated — re-copy or re-compress it (bgzip) and import it again`,
        { path: source, cause: e },
      );
    }
  };
  return wrapped();
}

/**
 * Opens a VCF file and reads its header; records are then read on demand.
 *
 * @param file - path to a `.vcf`, `.vcf.gz` or BGZF file
 * @param options - strict/lenient mode, validation, source name
 * @returns the header, the issue list and the records
 * @throws {@link HealthDataError} (not-found) for a missing file; (invalid-input) for a file that is not a VCF, a corrupt or truncated gzip stream (also while iterating), or — in strict mode — the first rule violation
 * @example
 * ```ts
 * const vcf = await openVcf('sample.vcf.gz');
 * for await (const r of vcf.records) console.log(r.chrom, r.pos, r.alts);
 * console.log(vcf.stats, vcf.issues);
 * ```
 */
export async function openVcf(file: string, options: VcfReadOptions = {}): Promise<VcfFile> {
  const source = options.source ?? path.basename(file);
  const stream = openVcfTextStream(file);
  const ending: LineEnding = { finalNewline: true };
  const lines = wrapStreamErrors(splitLines(stream as AsyncIterable<string>, ending), source);
  try {
    return await openFromLines(lines, options, source, () => stream.destroy(), ending);
  } catch (e) {
    stream.destroy();
    throw e;
  }
}

/** What {@link readVcfHead} found at the start of a file. */
export interface VcfHead {
  /** The header. */
  readonly header: VcfHeader;
  /** Header issues (warnings in lenient mode; errors are thrown as by {@link openVcf}). */
  readonly issues: readonly VcfIssue[];
  /** Lines up to and including the `#CHROM` line. */
  readonly headerLines: number;
  /** The first data lines (up to `maxDataLines`, blank lines skipped), raw text. */
  readonly dataLines: readonly string[];
  /** Whether the file is gzip/BGZF compressed. */
  readonly gzip: boolean;
}

/**
 * Reads a VCF's header and its first data lines, then closes the file (to plan a bulk read of the rest).
 *
 * @param file - path to a `.vcf`, `.vcf.gz` or BGZF file
 * @param options - strict/lenient header checks, source name, and how many data lines to return (default 1000)
 * @returns the header, its issues, the header's line count and the first data lines
 * @throws {@link HealthDataError} as {@link openVcf} for the header
 */
export async function readVcfHead(file: string, options: VcfReadOptions & { maxDataLines?: number } = {}): Promise<VcfHead> {
  const source = options.source ?? path.basename(file);
  const stream = openVcfTextStream(file);
  try {
    return await headFromLines(wrapStreamErrors(splitLines(stream as AsyncIterable<string>), source), options, source, isGzip(file));
  } finally {
    stream.destroy();
  }
}

/**
 * As {@link readVcfHead}, from a file's whole (decompressed) text already in memory — for many small files, where
 * opening a stream per file costs more than the reading.
 *
 * @param text - the file's text
 * @param gzip - whether the file was gzip/BGZF (reported in the result)
 * @param options - as {@link readVcfHead}; `source` names the file in issues (default `input.vcf`)
 * @returns as {@link readVcfHead}
 * @throws {@link HealthDataError} as {@link openVcf} for the header
 */
export async function readVcfHeadFromText(text: string, gzip: boolean, options: VcfReadOptions & { maxDataLines?: number } = {}): Promise<VcfHead> {
  const source = options.source ?? 'input.vcf';
  return headFromLines(splitLines(Readable.from([text]) as AsyncIterable<string>), options, source, gzip);
}

async function headFromLines(lines: AsyncGenerator<string>, options: VcfReadOptions & { maxDataLines?: number }, source: string, gzip: boolean): Promise<VcfHead> {
  try {
    const vcf = await openFromLines(lines, options, source);
    const max = options.maxDataLines ?? 1000;
    const dataLines: string[] = [];
    while (dataLines.length < max) {
      const next = await lines.next();
      if (next.done === true) {
        break;
      }
      if (next.value !== '') {
        dataLines.push(next.value);
      }
    }
    return { header: vcf.header, issues: [...vcf.issues], headerLines: vcf.headerLines, dataLines, gzip };
  } finally {
    await lines.return(undefined);
  }
}

/**
 * Reads a whole VCF given as text (for tests and small inputs).
 *
 * @param text - the VCF text
 * @param options - strict/lenient mode, validation, source name (default `input.vcf`)
 * @returns the header, all records, issues and counts
 * @throws {@link HealthDataError} (invalid-input) as {@link openVcf}
 */
export async function readVcfText(text: string, options: VcfReadOptions = {}): Promise<{ header: VcfHeader; records: VcfRecord[]; issues: VcfIssue[]; stats: VcfReadStats }> {
  const ending: LineEnding = { finalNewline: true };
  const file = await openFromLines(splitLines(Readable.from([text]) as AsyncIterable<string>, ending), options, options.source ?? 'input.vcf', undefined, ending);
  const records: VcfRecord[] = [];
  for await (const r of file.records) {
    records.push(r);
  }
  return { header: file.header, records, issues: file.issues, stats: file.stats };
}
