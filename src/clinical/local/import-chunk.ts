/**
 * The CPU-bound half of an import job, run on a chunk of NDJSON lines in a worker thread (import-worker.ts) or in
 * process for small inputs: parse each line, validate it at the job's level, and for every accepted resource
 * compute what the datastore stores — the body without `meta.versionId`/`meta.lastUpdated` (keys ordered
 * `resourceType`, `id`, `meta` first; DuckDB hashes it while loading), the HealthLake-Athena shaped JSON text, the
 * search columns and the flattened clinical events. The rows are written to staging files DuckDB bulk-loads —
 * resources and events with `read_csv` (a `\x01` delimiter and no quoting: JSON text never holds a raw control
 * character), the Athena text per resource type with `read_json` — so the main thread only runs SQL. Rejected lines
 * come back as FAILURE manifest lines.
 */
import * as fs from 'node:fs';
import type { AthenaType } from '../../formats/fhir/athena-shape';
import { athenaJsonText, observeAthenaType, withLeadingKeys } from '../../formats/fhir/athena-shape';
import { extractClinicalEvents } from '../../formats/fhir/events';
import type { FhirValidationLevel } from '../../formats/fhir/validate';
import { failsValidation, issuesToReason, validateFhirResource } from '../../formats/fhir/validate';
import type { ImportFailureLine } from './job-files';
import { RESOURCE_TYPE_PATTERN } from './schema';

/**
 * The largest resource line an import accepts, in bytes (32 MiB). Larger lines are per-record failures
 * (`too-large`), so one oversized line cannot exhaust a worker's memory; real FHIR resources, narratives included,
 * are far smaller.
 */
export const MAX_RESOURCE_BYTES = 32 * 1024 * 1024;

/** A chunk of one input file: whole lines, starting at a known line number. */
export interface ImportChunk {
  /** Chunk sequence number in the job (chunks commit in this order). */
  readonly seq: number;
  /** Input file name (as written in the manifests). */
  readonly file: string;
  /** 1-based line number of the chunk's first line. */
  readonly startLine: number;
  /** The chunk's bytes (whole lines). */
  readonly bytes: Uint8Array;
  /** Staging file prefix: `<prefix>.res`, `.keys`, `.ev` and `.<ResourceType>.ath` are written. */
  readonly stagingPrefix: string;
  /** Validation level. */
  readonly level: FhirValidationLevel;
}

/** What processing a chunk yields. */
export interface ChunkResult {
  /** The chunk's sequence number. */
  readonly seq: number;
  /** Input file name. */
  readonly file: string;
  /** Non-blank lines scanned. */
  readonly scanned: number;
  /** Bytes of the chunk. */
  readonly scannedBytes: number;
  /** Resources accepted (rows in the `.res` staging file). */
  readonly accepted: number;
  /** Bytes of the accepted lines. */
  readonly acceptedBytes: number;
  /** Event rows in the `.ev` staging file. */
  readonly events: number;
  /** Longest staging row in bytes (sizes DuckDB's line buffer). */
  readonly maxRowBytes: number;
  /** Longest Athena staging line in bytes, an upper bound (sizes DuckDB's `read_json` buffer). */
  readonly maxAthenaBytes: number;
  /** FAILURE manifest lines (JSON text, one per line, newline-terminated). */
  readonly failureText: string;
  /** Rejected lines. */
  readonly failed: number;
  /** Resource types accepted (each has an {@link athenaStagingFile}), with the inferred type of their Athena table rows. */
  readonly types: Readonly<Record<string, AthenaType>>;
  /** Accepted resources (rows in the `.res` and `.keys` staging files) by resource type. */
  readonly typeCounts: Readonly<Record<string, number>>;
  /** The staging prefix. */
  readonly stagingPrefix: string;
  /**
   * The SUCCESS lines of the accepted resources with the outcome `created` (JSON text, one per line, in file order):
   * what a commit of only new resources (a first import) writes, without reading its rows back.
   */
  readonly createdText: string;
}

/** Column order of the `.res` staging file (`chunk`: the chunk's sequence number; with `line` it keys a row). */
export const RES_COLUMNS = {
  chunk: 'INTEGER',
  resource_type: 'VARCHAR',
  id: 'VARCHAR',
  subject_ref: 'VARCHAR',
  clinical_time: 'VARCHAR',
  line: 'INTEGER',
  body: 'VARCHAR',
} as const;

/**
 * The `.<ResourceType>.ath` staging file of a chunk: one line per accepted resource of that type, its Athena-shaped
 * JSON object with the keys `__chunk` and `__line` put first (DuckDB's `read_json` types it under the type table's
 * columns and joins it to the commit's outcomes by them; no FHIR element starts with two underscores).
 *
 * @param stagingPrefix - the chunk's staging prefix
 * @param resourceType - the resource type
 * @returns the file path
 */
export function athenaStagingFile(stagingPrefix: string, resourceType: string): string {
  return `${stagingPrefix}.${resourceType}.ath`;
}

/**
 * A line of an {@link athenaStagingFile}.
 *
 * @param chunk - the chunk's sequence number
 * @param line - the resource's line in its input file
 * @param athenaText - `athenaJsonText` of the resource (it starts with `{"resourcetype":`)
 * @returns the Athena text with `__chunk` and `__line` put first
 */
export function athenaStagingLine(chunk: number, line: number, athenaText: string): string {
  return `{"__chunk":${chunk},"__line":${line},${athenaText.slice(1)}`;
}

/** Column order of the `.keys` staging file: the key columns of the `.res` rows, in the same order. */
export const KEY_COLUMNS = {
  chunk: 'INTEGER',
  line: 'INTEGER',
  resource_type: 'VARCHAR',
  id: 'VARCHAR',
} as const;

/** Column order of the `.ev` staging file. */
export const EV_COLUMNS = {
  chunk: 'INTEGER',
  patient_id: 'VARCHAR',
  resource_type: 'VARCHAR',
  resource_id: 'VARCHAR',
  event_time: 'VARCHAR',
  system: 'VARCHAR',
  code: 'VARCHAR',
  value: 'DOUBLE',
  unit: 'VARCHAR',
  value_code: 'VARCHAR',
  category: 'VARCHAR',
} as const;

/**
 * An ISO date or date-time as a UTC `YYYY-MM-DD HH:MM:SS.mmm` literal DuckDB casts to TIMESTAMP (DuckDB ignores a
 * `+hh:mm` offset when casting to TIMESTAMP, so the offset is applied here).
 *
 * @param iso - FHIR date, dateTime or instant
 * @returns the UTC timestamp text, or null when unparseable
 */
export function utcTimestampText(iso: string | null): string | null {
  if (iso === null) {
    return null;
  }
  if (iso === lastIso) {
    return lastUtc;
  }
  const t = Date.parse(/^\d{4}$/.test(iso) ? `${iso}-01-01` : /^\d{4}-\d{2}$/.test(iso) ? `${iso}-01` : iso);
  lastIso = iso;
  lastUtc = Number.isFinite(t) ? new Date(t).toISOString().replace('T', ' ').replace('Z', '') : null;
  return lastUtc;
}

// The events of one resource share its date: remember the last conversion.
let lastIso: string | undefined;
let lastUtc: string | null = null;

/**
 * The resource without `meta.versionId` and `meta.lastUpdated` (the store assigns them).
 *
 * @param resource - a parsed resource
 * @returns the same object when it has neither, else a shallow copy without them
 */
export function stripVersionMeta(resource: Record<string, unknown>): Record<string, unknown> {
  const meta = resource.meta as Record<string, unknown> | undefined;
  if (meta === undefined || (meta.versionId === undefined && meta.lastUpdated === undefined)) {
    return resource;
  }
  const rest = Object.fromEntries(Object.entries(meta).filter(([k]) => k !== 'versionId' && k !== 'lastUpdated'));
  const out = { ...resource };
  if (Object.keys(rest).length === 0) {
    delete out.meta;
  } else {
    out.meta = rest;
  }
  return out;
}

function subjectRefOf(r: Record<string, unknown>): string | null {
  for (const key of ['subject', 'patient', 'beneficiary']) {
    const ref = (r[key] as { reference?: unknown } | undefined)?.reference;
    if (typeof ref === 'string') {
      return ref;
    }
  }
  return null;
}

// A staging field must not hold the delimiter or a line break; JSON text never does (control characters are
// escaped), ids and types are checked by validation, so only free strings (references, codes, units) are checked.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f]/;

function field(v: string | null): string {
  return v === null || CONTROL.test(v) ? '' : v;
}

const NEWLINE = 0x0a;
const OPEN_BRACE = 0x7b;
const NON_BLANK = /\S/;
const CR = 0x0d;

/** Whether bytes `from`..`to` are all ASCII whitespace (checked without decoding them). */
function asciiBlank(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = buf[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0b && b !== 0x0c && b !== CR) {
      return false;
    }
  }
  return true;
}

/** Bytes of text a {@link StagingWriter} holds before writing them out. */
const STAGING_FLUSH_CHARS = 256 * 1024;

/**
 * One staging file written as its rows come: rows are held until about {@link STAGING_FLUSH_CHARS} characters, then
 * appended to the file, so a worker keeps a few hundred kB of a chunk's staging text instead of all of it (the
 * file's bytes are the same as writing every row at the end).
 */
class StagingWriter {
  private readonly fd: number;
  private closed = false;
  private parts: string[] = [];
  private chars = 0;

  constructor(file: string) {
    this.fd = fs.openSync(file, 'w');
  }

  /** Adds text (whole rows, newline included). */
  add(text: string): void {
    this.parts.push(text);
    this.chars += text.length;
    if (this.chars >= STAGING_FLUSH_CHARS) {
      this.flush();
    }
  }

  private flush(): void {
    if (this.chars > 0) {
      fs.writeSync(this.fd, this.parts.join(''));
      this.parts = [];
      this.chars = 0;
    }
  }

  /** Writes what is held and closes the file. */
  close(): void {
    try {
      this.flush();
    } finally {
      this.abandon();
    }
  }

  /** Closes the file (once) without writing what is held (a failed chunk; the job removes its staging). */
  abandon(): void {
    if (!this.closed) {
      this.closed = true;
      fs.closeSync(this.fd);
    }
  }
}

/**
 * What a chunk accumulates while its lines are processed: its `.res`, `.keys` and Athena rows go to their staging
 * files as they come; events (a repeated resource's replace its earlier ones), SUCCESS and FAILURE lines are kept.
 */
class ChunkStaging {
  readonly seq: string;
  private readonly res: StagingWriter;
  private readonly keys: StagingWriter;
  created = '';
  /** `{"file":<file>,"line":` — the start of every SUCCESS line of this chunk. */
  private readonly successHead: string;
  readonly typeCounts: Record<string, number> = {};
  readonly athena = new Map<string, StagingWriter>();
  readonly eventsByKey = new Map<string, string>();
  /** Event rows staged per key in {@link eventsByKey}. */
  private readonly eventCounts = new Map<string, number>();
  readonly failures: string[] = [];
  readonly types: Record<string, AthenaType> = {};
  scanned = 0;
  events = 0;
  accepted = 0;
  acceptedBytes = 0;
  maxRowBytes = 0;
  maxAthenaBytes = 0;

  constructor(readonly chunk: ImportChunk) {
    this.seq = String(chunk.seq);
    this.successHead = `{"file":${JSON.stringify(chunk.file)},"line":`;
    this.res = new StagingWriter(`${chunk.stagingPrefix}.res`);
    try {
      this.keys = new StagingWriter(`${chunk.stagingPrefix}.keys`);
    } catch (e) {
      this.res.abandon();
      throw e;
    }
  }

  fail(line: number, resourceType: string | null, id: string | null, reason: string): void {
    const f: ImportFailureLine = { file: this.chunk.file, line, resourceType, id, reason };
    this.failures.push(`${JSON.stringify(f)}\n`);
  }

  /** Stages an accepted resource: its `.res`, `.keys`, Athena and event rows, and its inferred Athena type. */
  accept(r: Record<string, unknown>, type: string, id: string, lineNo: number, lineBytes: number): void {
    const stripped = withLeadingKeys(stripVersionMeta(r));
    const body = JSON.stringify(stripped);
    const events = extractClinicalEvents(stripped);
    const clinical = utcTimestampText(events[0]?.date ?? null);
    const row = `${this.seq}\x01${type}\x01${id}\x01${field(subjectRefOf(stripped))}\x01${clinical ?? ''}\x01${lineNo}\x01${body}`;
    this.maxRowBytes = Math.max(this.maxRowBytes, row.length * 3);
    this.res.add(`${row}\n`);
    this.keys.add(`${this.seq}\x01${lineNo}\x01${type}\x01${id}\n`);
    // The same text as JSON.stringify of an ImportSuccessLine (keys in its order; type and id JSON-quoted).
    this.created += `${this.successHead}${lineNo},"resourceType":${JSON.stringify(type)},"id":${JSON.stringify(id)},"outcome":"created"}\n`;
    this.typeCounts[type] = (this.typeCounts[type] ?? 0) + 1;
    const shaped = athenaStagingLine(this.chunk.seq, lineNo, athenaJsonText(stripped, body));
    this.maxAthenaBytes = Math.max(this.maxAthenaBytes, shaped.length * 3);
    let ofType = this.athena.get(type);
    if (ofType === undefined && RESOURCE_TYPE_PATTERN.test(type)) {
      ofType = new StagingWriter(athenaStagingFile(this.chunk.stagingPrefix, type));
      this.athena.set(type, ofType);
    }
    ofType?.add(`${shaped}\n`);
    let ev = '';
    for (const e of events) {
      const value = e.value === null ? '' : String(e.value);
      ev += `${this.seq}\x01${field(e.patientId)}\x01${field(e.resourceType)}\x01${field(e.resourceId)}\x01${field(utcTimestampText(e.date))}\x01${field(e.system)}\x01${field(e.code)}\x01${value}\x01${field(e.unit)}\x01${field(e.valueCode)}\x01${field(e.category)}\n`;
    }
    const key = `${type}/${id}`;
    // A repeated resource's earlier events are replaced (only the last occurrence's are staged).
    this.events += events.length - (this.eventCounts.get(key) ?? 0);
    this.eventCounts.set(key, events.length);
    this.eventsByKey.set(key, ev);
    this.types[type] = observeAthenaType(stripped, this.types[type]);
    this.accepted++;
    this.acceptedBytes += lineBytes;
  }

  /** Closes the staging files without finishing them (the chunk failed). */
  abandon(): void {
    for (const w of [this.res, this.keys, ...this.athena.values()]) {
      w.abandon();
    }
  }

  /** Finishes the staging files (the events written now) and returns the chunk's result. */
  finish(scannedBytes: number): ChunkResult {
    const prefix = this.chunk.stagingPrefix;
    let eventText = '';
    for (const ev of this.eventsByKey.values()) {
      eventText += ev;
    }
    const writers = [this.res, this.keys, ...this.athena.values()];
    try {
      fs.writeFileSync(`${prefix}.ev`, eventText);
    } finally {
      for (const w of writers.splice(0)) {
        w.close();
      }
    }
    return {
      seq: this.chunk.seq,
      file: this.chunk.file,
      scanned: this.scanned,
      scannedBytes,
      accepted: this.accepted,
      acceptedBytes: this.acceptedBytes,
      events: this.events,
      maxRowBytes: this.maxRowBytes,
      maxAthenaBytes: this.maxAthenaBytes,
      failureText: this.failures.join(''),
      failed: this.failures.length,
      types: this.types,
      typeCounts: this.typeCounts,
      stagingPrefix: prefix,
      createdText: this.created,
    };
  }
}

/**
 * One line of a chunk: parsed, checked as a resource and validated, then staged or recorded as a failure.
 *
 * @param st - the chunk's staging
 * @param text - the line's text (not blank)
 * @param lineNo - its 1-based line number in the input file
 * @param lineBytes - its size in bytes, newline included
 */
function processLine(st: ChunkStaging, text: string, lineNo: number, lineBytes: number): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    st.fail(lineNo, null, null, `invalid-json: the line is not JSON (${e instanceof Error ? e.message : String(e)})`);
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    st.fail(lineNo, null, null, `not-a-resource: the line is ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}, not a JSON object`);
    return;
  }
  const r = value as Record<string, unknown>;
  const type = typeof r.resourceType === 'string' ? r.resourceType : null;
  const id = typeof r.id === 'string' ? r.id : null;
  const level = st.chunk.level;
  const issues = validateFhirResource(value, level);
  if (failsValidation(issues, level) || type === null || id === null) {
    st.fail(lineNo, type, id, issuesToReason(issues.filter((i) => i.severity === 'error' || level === 'strict')));
    return;
  }
  st.accept(r, type, id, lineNo, lineBytes);
}

/**
 * Processes one chunk: validates every line and writes the staging files of the accepted resources. When a
 * resource occurs twice in the chunk, both get a row (their outcomes are computed in file order) but only the
 * last occurrence's events are staged.
 *
 * @param chunk - the lines and where they come from
 * @returns counts, FAILURE lines and the staging prefix
 */
export function processChunk(chunk: ImportChunk): ChunkResult {
  const buf = Buffer.from(chunk.bytes.buffer, chunk.bytes.byteOffset, chunk.bytes.byteLength);
  const st = new ChunkStaging(chunk);
  try {
    return processLines(st, buf, chunk.startLine);
  } catch (e) {
    st.abandon();
    throw e;
  }
}

/** Processes a chunk's lines into its staging. */
function processLines(st: ChunkStaging, buf: Buffer, startLine: number): ChunkResult {
  let lineNo = startLine - 1;
  let start = 0;
  while (start < buf.length) {
    let nl = buf.indexOf(NEWLINE, start);
    if (nl < 0) {
      nl = buf.length;
    }
    lineNo++;
    const end = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
    const lineBytes = Math.min(nl + 1, buf.length) - start;
    const lineStart = start;
    start = nl + 1;
    // An oversize line is refused on its byte length, before it is decoded (blank if all ASCII whitespace).
    if (end - lineStart > MAX_RESOURCE_BYTES) {
      if (buf[lineStart] === OPEN_BRACE || !asciiBlank(buf, lineStart, end)) {
        st.scanned++;
        st.fail(lineNo, null, null, `too-large: the line is ${end - lineStart} bytes; one resource may be at most ${MAX_RESOURCE_BYTES} bytes`);
      }
      continue;
    }
    const text = end > lineStart ? buf.toString('utf8', lineStart, end) : '';
    // A resource line starts with `{`; anything else is checked for blankness.
    if (buf[lineStart] !== OPEN_BRACE && !NON_BLANK.test(text)) {
      continue;
    }
    st.scanned++;
    processLine(st, text, lineNo, lineBytes);
  }
  return st.finish(buf.length);
}
