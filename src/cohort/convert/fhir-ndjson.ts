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

function rewrite(value: unknown, resolve: (ref: string) => string | undefined, onMiss: (ref: string) => void): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => rewrite(v, resolve, onMiss));
  }
  if (value !== null && typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value as Json)) {
      if (k === 'reference' && typeof v === 'string' && (v.startsWith('urn:uuid:') || CONDITIONAL.test(v))) {
        const r = resolve(v);
        if (r === undefined) {
          onMiss(v);
          out[k] = v;
        } else {
          out[k] = r;
        }
      } else {
        out[k] = rewrite(v, resolve, onMiss);
      }
    }
    return out;
  }
  return value;
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
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    report.add({ file: rel, line: 0, code: 'fhir-unreadable', reason: `not JSON: ${(e as Error).message.slice(0, 200)}`, severity: 'dropped' });
    return { entriesIn: 0, written: 0, dropped: 0, merged: 0, patientIds: [], studyUids: [] };
  }
  if (!isObject(parsed)) {
    report.add({
      file: rel,
      line: 0,
      code: 'fhir-not-a-bundle',
      reason: `the file holds ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`}, expected a Bundle object`,
      severity: 'dropped',
    });
    return { entriesIn: 0, written: 0, dropped: 0, merged: 0, patientIds: [], studyUids: [] };
  }
  const bundle = parsed;
  const entries: unknown[] = Array.isArray(bundle.entry) ? (bundle.entry as unknown[]) : [];
  if (bundle.resourceType !== 'Bundle') {
    report.add({ file: rel, line: 0, code: 'fhir-not-a-bundle', reason: `resourceType is ${String(bundle.resourceType)}, expected Bundle`, severity: 'dropped' });
    return { entriesIn: 0, written: 0, dropped: 0, merged: 0, patientIds: [], studyUids: [] };
  }
  const fullUrls = new Map<string, string>();
  const resources: (Json | undefined)[] = [];
  let dropped = 0;
  entries.forEach((entry, i) => {
    const e = isObject(entry) ? entry : undefined;
    const res = e !== undefined && isObject(e.resource) ? e.resource : undefined;
    const type = res?.resourceType;
    if (e === undefined || res === undefined || typeof type !== 'string') {
      const what =
        e === undefined
          ? `entry ${i + 1} is ${entry === null ? 'null' : Array.isArray(entry) ? 'an array' : `a ${typeof entry}`}, not an object`
          : 'bundle entry without a resource object or resourceType';
      report.add({ file: rel, line: i + 1, code: 'fhir-no-resource', reason: what, severity: 'dropped' });
      dropped++;
      resources.push(undefined);
      return;
    }
    const fullUrl = typeof e.fullUrl === 'string' ? e.fullUrl : undefined;
    let id = typeof res.id === 'string' ? res.id : undefined;
    if (id === undefined && fullUrl?.startsWith('urn:uuid:') === true) {
      id = fullUrl.slice(9);
      report.add({ file: rel, line: i + 1, code: 'fhir-id-from-fullurl', reason: `${type} without id; id taken from fullUrl`, severity: 'repaired' });
    }
    if (id === undefined || !FHIR_ID.test(id)) {
      report.add({ file: rel, line: i + 1, code: 'fhir-bad-id', reason: `${type} has no usable id (${String(id)})`, severity: 'dropped' });
      dropped++;
      resources.push(undefined);
      return;
    }
    const withId = res.id === id ? res : { ...res, id };
    if (type === 'Observation' && typeof withId.status !== 'string') {
      // ACED noted genomic Observations without status; HealthLake rejects them. 'unknown' keeps the record honest.
      withId.status = 'unknown';
      report.add({ file: rel, line: i + 1, code: 'fhir-missing-status', reason: 'Observation without status; status set to "unknown"', severity: 'repaired' });
    }
    if (fullUrl !== undefined) {
      fullUrls.set(fullUrl, `${type}/${id}`);
    }
    if (collectIdentifiers && Array.isArray(withId.identifier)) {
      for (const ident of withId.identifier as Json[]) {
        if (typeof ident.system === 'string' && typeof ident.value === 'string') {
          identifiers.set(`${type}|${ident.system}|${ident.value}`, id);
        }
      }
    }
    resources.push(withId);
  });
  const byType = new Map<string, string[]>();
  const patientIds: string[] = [];
  const studyUids: string[] = [];
  let geneticTestDate: string | undefined;
  const missed = new Set<string>();
  let merged = 0;
  resources.forEach((res, i) => {
    if (res === undefined) {
      return;
    }
    const type = res.resourceType as string;
    const out = rewrite(
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
    ) as Json;
    if (type === 'Patient') {
      patientIds.push(out.id as string);
    }
    if (type === 'DiagnosticReport' && geneticTestDate === undefined) {
      const codings = ((out.code as Json | undefined)?.coding ?? []) as Json[];
      const when = out.effectiveDateTime ?? out.issued;
      if (codings.some((c) => c.code === '55232-3') && typeof when === 'string' && /^\d{4}-\d{2}-\d{2}/.test(when)) {
        geneticTestDate = when.slice(0, 10);
      }
    }
    if (type === 'ImagingStudy' && Array.isArray(out.identifier)) {
      for (const ident of out.identifier as Json[]) {
        if (typeof ident.value === 'string' && ident.value.startsWith('urn:oid:')) {
          studyUids.push(ident.value.slice(8));
        }
      }
    }
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
  return { entriesIn: entries.length, written, dropped, merged, patientIds, studyUids, ...(geneticTestDate === undefined ? {} : { geneticTestDate }) };
}
