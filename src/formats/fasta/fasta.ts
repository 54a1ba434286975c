/**
 * FASTA with a samtools `.fai` index: build the index, read it, fetch a base range without reading the whole file.
 * `.fai` columns (samtools faidx): NAME, LENGTH, OFFSET (byte of the first base), LINEBASES, LINEWIDTH.
 */
import * as fs from 'node:fs';
import { HealthDataError } from '../../errors';

/** One `.fai` line. */
export interface FaiEntry {
  /** Sequence name (first word of the `>` line). */
  readonly name: string;
  /** Number of bases. */
  readonly length: number;
  /** Byte offset of the first base. */
  readonly offset: number;
  /** Bases per full line. */
  readonly lineBases: number;
  /** Bytes per full line, including the line break. */
  readonly lineWidth: number;
}

/**
 * Parses `.fai` text.
 *
 * @param text - the index text
 * @param source - name for messages
 * @returns the entries in file order
 * @throws {@link HealthDataError} (invalid-input) naming the bad line
 */
export function parseFai(text: string, source = 'input.fai'): FaiEntry[] {
  const out: FaiEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') {
      return;
    }
    const [name, ...rest] = line.split('\t');
    const nums = rest.slice(0, 4).map(Number);
    if (name === undefined || name === '' || nums.length < 4 || nums.some((n) => !Number.isInteger(n) || n < 0)) {
      throw new HealthDataError('invalid-input', `parseFai: ${source}:${String(i + 1)} is not NAME<tab>LENGTH<tab>OFFSET<tab>LINEBASES<tab>LINEWIDTH; rebuild it with indexFasta() or samtools faidx`, {
        path: `${source}:${String(i + 1)}`,
      });
    }
    const [length = 0, offset = 0, lineBases = 0, lineWidth = 0] = nums;
    out.push({ name, length, offset, lineBases, lineWidth });
  });
  return out;
}

/**
 * Formats entries as `.fai` text.
 *
 * @param entries - the entries
 * @returns the text
 */
export function formatFai(entries: readonly FaiEntry[]): string {
  return entries.map((e) => `${e.name}\t${String(e.length)}\t${String(e.offset)}\t${String(e.lineBases)}\t${String(e.lineWidth)}\n`).join('');
}

/**
 * Builds the `.fai` index of an uncompressed FASTA file, checking that every sequence has equal-length lines
 * (the rule samtools enforces so that offsets can be computed).
 *
 * @param file - FASTA path
 * @returns the entries
 * @throws {@link HealthDataError} (invalid-input) for ragged lines, bases before the first `>`, or duplicate names
 */
export function indexFasta(file: string): FaiEntry[] {
  const buf = fs.readFileSync(file);
  const out: FaiEntry[] = [];
  const names = new Set<string>();
  let pos = 0;
  let lineNo = 0;
  let cur: { name: string; length: number; offset: number; lineBases: number; lineWidth: number; short: boolean } | undefined;
  const close = (): void => {
    if (cur !== undefined) {
      out.push({ name: cur.name, length: cur.length, offset: cur.offset, lineBases: cur.lineBases, lineWidth: cur.lineWidth });
    }
  };
  while (pos < buf.length) {
    let nl = buf.indexOf(10, pos);
    if (nl < 0) {
      nl = buf.length;
    }
    lineNo++;
    const width = nl - pos + (nl < buf.length ? 1 : 0);
    let end = nl;
    if (end > pos && buf[end - 1] === 13) {
      end--;
    }
    if (buf[pos] === 62) {
      close();
      const name = buf.toString('latin1', pos + 1, end).split(/\s/)[0] ?? '';
      if (names.has(name)) {
        throw new HealthDataError('invalid-input', `indexFasta: ${file}:${String(lineNo)} repeats sequence name "${name}"; names must be unique`, { path: `${file}:${String(lineNo)}` });
      }
      names.add(name);
      cur = { name, length: 0, offset: nl + 1, lineBases: 0, lineWidth: 0, short: false };
    } else if (end > pos) {
      if (cur === undefined) {
        throw new HealthDataError('invalid-input', `indexFasta: ${file}:${String(lineNo)} has bases before the first ">" line; is it a FASTA file?`, { path: `${file}:${String(lineNo)}` });
      }
      const bases = end - pos;
      if (cur.lineBases === 0) {
        cur.lineBases = bases;
        cur.lineWidth = width;
      } else if (cur.short || bases > cur.lineBases) {
        throw new HealthDataError('invalid-input', `indexFasta: ${file}:${String(lineNo)}: sequence "${cur.name}" has lines of different lengths; rewrap it (e.g. samtools faidx / seqkit seq -w 60)`, {
          path: `${file}:${String(lineNo)}`,
        });
      }
      if (bases < cur.lineBases) {
        cur.short = true;
      }
      cur.length += bases;
    }
    pos = nl + 1;
  }
  close();
  return out;
}

/**
 * Reads bases `[start, end)` (0-based, half-open) of one sequence using its `.fai` entry.
 *
 * @param fd - an open file descriptor of the FASTA
 * @param entry - the sequence's index entry
 * @param start - 0-based first base
 * @param end - 0-based end (exclusive); clipped to the sequence length
 * @returns the bases, upper-cased
 * @throws {@link HealthDataError} (invalid-input) when the range is empty or starts past the end
 */
export function readFastaRange(fd: number, entry: FaiEntry, start: number, end: number): string {
  const stop = Math.min(end, entry.length);
  if (!Number.isInteger(start) || start < 0 || start >= stop) {
    throw new HealthDataError(
      'invalid-input',
      `readFastaRange: range [${String(start)}, ${String(end)}) is empty or outside ${entry.name} (length ${String(entry.length)}); use 0-based half-open coordinates`,
      {
        path: entry.name,
      },
    );
  }
  const byteOf = (i: number): number => entry.offset + Math.floor(i / entry.lineBases) * entry.lineWidth + (i % entry.lineBases);
  const from = byteOf(start);
  const to = byteOf(stop - 1) + 1;
  const buf = Buffer.alloc(to - from);
  fs.readSync(fd, buf, 0, buf.length, from);
  return buf
    .toString('latin1')
    .replace(/[\r\n]/g, '')
    .toUpperCase();
}
