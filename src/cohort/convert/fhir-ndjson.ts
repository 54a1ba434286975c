/**
 * FHIR Bundles → `clinical/<ResourceType>.ndjson` (HealthLake import format), one bundle in memory at a time.
 *
 * References are rewritten to `<Type>/<id>`: `urn:uuid:` references through the bundle's own fullUrls, Synthea's
 * conditional references (`Organization?identifier=<system>|<value>`, also Practitioner, Location,
 * PractitionerRole) through the identifiers of the directory files (`organizations.json`, `practitioners.json`, or
 * Synthea's `hospitalInformation*.json` / `practitionerInformation*.json`), which are converted first.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ConversionReportBuilder } from './report';

type Json = Record<string, unknown>;

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const CONDITIONAL = /^([A-Za-z]+)\?identifier=(.*)$/;

/**
 * Resource types shared between bundles (the directory resources every patient bundle may carry a copy of). The
 * sink keeps one body per id of these types — the first one written, so directory files, converted first, win —
 * which makes the output hold each resource once and an identical re-import a no-op.
 */
export const SHARED_RESOURCE_TYPES: ReadonlySet<string> = new Set(['Organization', 'Practitioner', 'PractitionerRole', 'Location', 'HealthcareService', 'Medication', 'Substance', 'Device']);

/** Appends lines to one NDJSON file per resource type (file handles opened lazily, kept open). */
export class NdjsonSink {
  private readonly fds = new Map<string, number>();
  private readonly sharedSeen = new Map<string, string>();
  readonly counts: Record<string, number> = {};

  /**
   * Claims a shared resource's id (see {@link SHARED_RESOURCE_TYPES}).
   *
   * @param type - resource type
   * @param id - resource id
   * @param line - its serialized body
   * @returns `new` when first seen (write it), `same` for a copy identical to the one kept, `differs` for a copy
   *   with another body (the first is kept)
   */
  claimShared(type: string, id: string, line: string): 'new' | 'same' | 'differs' {
    const key = `${type}/${id}`;
    const kept = this.sharedSeen.get(key);
    if (kept === undefined) {
      this.sharedSeen.set(key, line);
      return 'new';
    }
    return kept === line ? 'same' : 'differs';
  }

  /**
   * @param dir - the `clinical/` folder
   */
  constructor(private readonly dir: string) {}

  /**
   * Writes resources of one bundle.
   *
   * @param byType - serialized lines grouped by resource type
   */
  write(byType: ReadonlyMap<string, string[]>): void {
    for (const [type, lines] of byType) {
      let fd = this.fds.get(type);
      if (fd === undefined) {
        fd = fs.openSync(path.join(this.dir, `${type}.ndjson`), 'w');
        this.fds.set(type, fd);
      }
      fs.writeSync(fd, `${lines.join('\n')}\n`);
      this.counts[type] = (this.counts[type] ?? 0) + lines.length;
    }
  }

  /** Closes every file. */
  close(): void {
    for (const fd of this.fds.values()) {
      fs.closeSync(fd);
    }
    this.fds.clear();
  }
}

/** Identifier index of the directory resources: `Type|system|value` → id. */
export type IdentifierIndex = Map<string, string>;

/** Result of converting one bundle file. */
export interface BundleConversion {
  /** Entries read. */
  readonly entriesIn: number;
  /** Resources written. */
  readonly written: number;
  /** Entries dropped (reported). */
  readonly dropped: number;
  /** Copies of a shared resource already written from an earlier file (one body per id is kept). */
  readonly merged: number;
  /** Patient ids in the bundle. */
  readonly patientIds: readonly string[];
  /** StudyInstanceUIDs of ImagingStudy resources (from `urn:oid:` identifiers). */
  readonly studyUids: readonly string[];
  /**
   * Date (`YYYY-MM-DD`) of the genetic analysis summary (DiagnosticReport LOINC 55232-3), when the bundle has one:
   * when the genome became known, which the VCF records as `##fileDate` so features are dated (no leakage).
   */
  readonly geneticTestDate?: string;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Rewrites `urn:uuid:` and conditional references in place (the value is this conversion's own parse; key order is
 * kept, so the NDJSON is byte-identical to a rewritten copy, and a 2 M-resource cohort allocates no second tree).
 */
function rewrite(value: unknown, resolve: (ref: string) => string | undefined, onMiss: (ref: string) => void): void {
  if (Array.isArray(value)) {
    for (const v of value) {
      rewrite(v, resolve, onMiss);
    }
    return;
  }
  if (value !== null && typeof value === 'object') {
    const o = value as Json;
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (k === 'reference' && typeof v === 'string' && (v.startsWith('urn:uuid:') || CONDITIONAL.test(v))) {
        const r = resolve(v);
        if (r === undefined) {
          onMiss(v);
        } else {
          o[k] = r;
        }
      } else if (v !== null && typeof v === 'object') {
        rewrite(v, resolve, onMiss);
      }
    }
  }
}

/** Reads and parses a bundle file; an unreadable file, or one that is not a Bundle object, is reported and gives undefined. */
function readBundleEntries(file: string, rel: string, report: ConversionReportBuilder): unknown[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    report.add({ file: rel, line: 0, code: 'fhir-unreadable', reason: `not JSON: ${(e as Error).message.slice(0, 200)}`, severity: 'dropped' });
    return undefined;
  }
  if (!isObject(parsed)) {
    report.add({
      file: rel,
      line: 0,
      code: 'fhir-not-a-bundle',
      reason: `the file holds ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`}, expected a Bundle object`,
      severity: 'dropped',
    });
    return undefined;
  }
  const bundle = parsed;
  if (bundle.resourceType !== 'Bundle') {
    report.add({ file: rel, line: 0, code: 'fhir-not-a-bundle', reason: `resourceType is ${String(bundle.resourceType)}, expected Bundle`, severity: 'dropped' });
    return undefined;
  }
  return Array.isArray(bundle.entry) ? (bundle.entry as unknown[]) : [];
}

/** What normalising a bundle's entries shares: where issues go, and the fullUrl and directory identifier indexes. */
interface EntryContext {
  readonly rel: string;
  readonly report: ConversionReportBuilder;
  /** Entry fullUrl → `Type/id` (filled here, read when references are rewritten). */
  readonly fullUrls: Map<string, string>;
  readonly identifiers: IdentifierIndex;
  readonly collectIdentifiers: boolean;
}

/**
 * One entry's resource with a usable id (repaired from its fullUrl where missing) and a status on Observations;
 * undefined (reported) for an entry without a resource or id.
 */
function normalizeEntry(ctx: EntryContext, entry: unknown, i: number): Json | undefined {
  const e = isObject(entry) ? entry : undefined;
  const res = e !== undefined && isObject(e.resource) ? e.resource : undefined;
  const type = res?.resourceType;
  if (e === undefined || res === undefined || typeof type !== 'string') {
    const what =
      e === undefined
        ? `entry ${i + 1} is ${entry === null ? 'null' : Array.isArray(entry) ? 'an array' : `a ${typeof entry}`}, not an object`
        : 'bundle entry without a resource object or resourceType';
    ctx.report.add({ file: ctx.rel, line: i + 1, code: 'fhir-no-resource', reason: what, severity: 'dropped' });
    return undefined;
  }
  const fullUrl = typeof e.fullUrl === 'string' ? e.fullUrl : undefined;
  let id = typeof res.id === 'string' ? res.id : undefined;
  if (id === undefined && fullUrl?.startsWith('urn:uuid:') === true) {
    id = fullUrl.slice(9);
    ctx.report.add({ file: ctx.rel, line: i + 1, code: 'fhir-id-from-fullurl', reason: `${type} without id; id taken from fullUrl`, severity: 'repaired' });
  }
  if (id === undefined || !FHIR_ID.test(id)) {
    ctx.report.add({ file: ctx.rel, line: i + 1, code: 'fhir-bad-id', reason: `${type} has no usable id (${String(id)})`, severity: 'dropped' });
    return undefined;
  }
  const withId = res.id === id ? res : { ...res, id };
  if (type === 'Observation' && typeof withId.status !== 'string') {
    // ACED noted genomic Observations without status; HealthLake rejects them. 'unknown' keeps the record honest.
    withId.status = 'unknown';
    ctx.report.add({ file: ctx.rel, line: i + 1, code: 'fhir-missing-status', reason: 'Observation without status; status set to "unknown"', severity: 'repaired' });
  }
  if (fullUrl !== undefined) {
    ctx.fullUrls.set(fullUrl, `${type}/${id}`);
  }
  if (ctx.collectIdentifiers && Array.isArray(withId.identifier)) {
    for (const ident of withId.identifier as Json[]) {
      if (typeof ident.system === 'string' && typeof ident.value === 'string') {
        ctx.identifiers.set(`${type}|${ident.system}|${ident.value}`, id);
      }
    }
  }
  return withId;
}

/** Rewrites a resource's `urn:uuid:` and conditional references to `Type/id`; an unresolved one is kept and reported once. */
function resolveReferences(res: Json, i: number, ctx: EntryContext, missed: Set<string>): Json {
  const { fullUrls, identifiers, report, rel } = ctx;
  const type = res.resourceType as string;
  rewrite(
    res,
    (ref) => {
      const local = fullUrls.get(ref);
      if (local !== undefined) {
        return local;
      }
      const m = CONDITIONAL.exec(ref);
      if (m !== null) {
        const [, t, ident] = m;
        const id = identifiers.get(`${t ?? ''}|${ident ?? ''}`);
        return id === undefined ? undefined : `${t ?? ''}/${id}`;
      }
      return undefined;
    },
    (ref) => {
      const key = ref.replace(/\|.*$/, '|…');
      if (!missed.has(`${String(i)}|${key}`)) {
        missed.add(`${String(i)}|${key}`);
        report.add({
          file: rel,
          line: i + 1,
          code: 'fhir-unresolved-reference',
          reason: `${type}: reference ${ref.startsWith('urn:uuid:') ? 'urn:uuid:…' : key} does not resolve; kept as written`,
          severity: 'warning',
        });
      }
    },
  );
  return res;
}

/** What a bundle tells the rest of the conversion: its patients, imaging studies and genetic test date. */
interface BundleFacts {
  readonly patientIds: string[];
  readonly studyUids: string[];
  geneticTestDate: string | undefined;
}

/** Collects a written resource's facts: the Patient id, ImagingStudy UIDs, the first genetic summary's date. */
function collectFacts(out: Json, type: string, facts: BundleFacts): void {
  const { patientIds, studyUids } = facts;
  if (type === 'Patient') {
    patientIds.push(out.id as string);
  }
  if (type === 'DiagnosticReport' && facts.geneticTestDate === undefined) {
    const codings = ((out.code as Json | undefined)?.coding ?? []) as Json[];
    const when = out.effectiveDateTime ?? out.issued;
    if (codings.some((c) => c.code === '55232-3') && typeof when === 'string' && /^\d{4}-\d{2}-\d{2}/.test(when)) {
      facts.geneticTestDate = when.slice(0, 10);
    }
  }
  if (type === 'ImagingStudy' && Array.isArray(out.identifier)) {
    for (const ident of out.identifier as Json[]) {
      if (typeof ident.value === 'string' && ident.value.startsWith('urn:oid:')) {
        studyUids.push(ident.value.slice(8));
      }
    }
  }
}

/**
 * Converts one bundle file, writing its resources to the sink.
 *
 * @param file - absolute path of the bundle
 * @param rel - path for the report
 * @param sink - NDJSON sink
 * @param identifiers - directory identifier index (filled when `collectIdentifiers` is true)
 * @param report - the report
 * @param collectIdentifiers - true for directory files (organizations / practitioners)
 * @returns counts and the ids found
 */
export function convertBundleFile(file: string, rel: string, sink: NdjsonSink, identifiers: IdentifierIndex, report: ConversionReportBuilder, collectIdentifiers: boolean): BundleConversion {
  const entries = readBundleEntries(file, rel, report);
  if (entries === undefined) {
    return { entriesIn: 0, written: 0, dropped: 0, merged: 0, patientIds: [], studyUids: [] };
  }
  const ctx: EntryContext = { rel, report, fullUrls: new Map(), identifiers, collectIdentifiers };
  const resources = entries.map((entry, i) => normalizeEntry(ctx, entry, i));
  const dropped = resources.filter((r) => r === undefined).length;
  const byType = new Map<string, string[]>();
  const facts: BundleFacts = { patientIds: [], studyUids: [], geneticTestDate: undefined };
  const missed = new Set<string>();
  let merged = 0;
  resources.forEach((res, i) => {
    if (res === undefined) {
      return;
    }
    const type = res.resourceType as string;
    const out = resolveReferences(res, i, ctx, missed);
    collectFacts(out, type, facts);
    const line = JSON.stringify(out);
    if (SHARED_RESOURCE_TYPES.has(type)) {
      const claim = sink.claimShared(type, out.id as string, line);
      if (claim !== 'new') {
        merged++;
        if (claim === 'differs') {
          report.add({
            file: rel,
            line: i + 1,
            code: 'fhir-duplicate-id',
            reason: `${type}/${String(out.id)} was already written from an earlier file with another body; the first body is kept`,
            severity: 'repaired',
          });
        }
        return;
      }
    }
    const list = byType.get(type);
    if (list === undefined) {
      byType.set(type, [line]);
    } else {
      list.push(line);
    }
  });
  sink.write(byType);
  const written = resources.filter((r) => r !== undefined).length - merged;
  const { patientIds, studyUids, geneticTestDate } = facts;
  return { entriesIn: entries.length, written, dropped, merged, patientIds, studyUids, ...(geneticTestDate === undefined ? {} : { geneticTestDate }) };
}
