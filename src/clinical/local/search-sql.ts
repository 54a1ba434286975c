/**
 * Translating FHIR search parameters into a parameterised WHERE clause over a datastore's `resource` table.
 *
 * Supported (docs/aws-semantics.md §2, the common subset): `_id` (comma = OR), `subject` / `patient` (reference, bare
 * id = `Patient/<id>`), `code` (token `system|code`, `|code` or `code`; comma = OR; the element searched is `code`,
 * `medicationCodeableConcept` for medication resources, `vaccineCode` for Immunization, `type` for Encounter),
 * `date` (prefixes `eq ge gt le lt`, precision year / month / day / instant, FHIR's range semantics), `_count`
 * and the page cursor `_offset`. Anything else is rejected with the list of supported names, rather than ignored
 * (ignoring a filter would silently return too much — HealthLake's `handling: strict`).
 */
import { HealthDataError } from '../../errors';
import type { SqlParam } from '../../sql/engine';
import type { FhirSearchParams } from '../fhir-store';

/** The search parameter names {@link buildSearchSql} accepts. */
export const SUPPORTED_SEARCH_PARAMS = ['_id', 'subject', 'patient', 'code', 'date', '_count', '_offset'] as const;

/** Default and maximum page size. */
export const DEFAULT_PAGE_SIZE = 100;
/** Largest `_count` accepted. */
export const MAX_PAGE_SIZE = 1000;

/** A WHERE clause with its parameters, plus the page. */
export interface SearchSql {
  /** `resource_type = ? AND …` */
  readonly where: string;
  /** Values for the clause's `?`s, in order. */
  readonly params: SqlParam[];
  /** Page size. */
  readonly count: number;
  /** Rows to skip. */
  readonly offset: number;
}

const CODE_ELEMENT: Readonly<Record<string, string>> = {
  MedicationRequest: '$.medicationCodeableConcept.coding',
  MedicationAdministration: '$.medicationCodeableConcept.coding',
  MedicationStatement: '$.medicationCodeableConcept.coding',
  Immunization: '$.vaccineCode.coding',
  Encounter: '$.type[0].coding',
};

function values(v: string | number | readonly (string | number)[]): string[] {
  return (Array.isArray(v) ? v : [v]).map(String);
}

/**
 * The half-open UTC range `[lo, hi)` a FHIR date search value denotes, by its precision.
 *
 * @param value - `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or an instant
 * @returns lo and hi as Dates
 * @throws {@link HealthDataError} (invalid-input) for a value that is not a FHIR date
 */
export function fhirDateRange(value: string): { lo: Date; hi: Date } {
  let m = /^(\d{4})$/.exec(value);
  if (m?.[1] !== undefined) {
    const y = Number(m[1]);
    return { lo: new Date(Date.UTC(y, 0, 1)), hi: new Date(Date.UTC(y + 1, 0, 1)) };
  }
  m = /^(\d{4})-(\d{2})$/.exec(value);
  if (m?.[1] !== undefined && m[2] !== undefined) {
    const y = Number(m[1]);
    const mo = Number(m[2]) - 1;
    return { lo: new Date(Date.UTC(y, mo, 1)), hi: new Date(Date.UTC(y, mo + 1, 1)) };
  }
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m?.[1] !== undefined && m[2] !== undefined && m[3] !== undefined) {
    const lo = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return { lo, hi: new Date(lo.getTime() + 86_400_000) };
  }
  const t = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}T/.test(value) && Number.isFinite(t)) {
    return { lo: new Date(t), hi: new Date(t + 1000) };
  }
  throw new HealthDataError('invalid-input', `search: date value "${value}" is not a FHIR date (YYYY, YYYY-MM, YYYY-MM-DD or an instant)`, { path: 'date' });
}

/**
 * Builds the WHERE clause of a search.
 *
 * @param resourceType - the searched type
 * @param params - FHIR search parameters
 * @returns the clause, its parameters and the page
 * @throws {@link HealthDataError} (unsupported) for a parameter outside {@link SUPPORTED_SEARCH_PARAMS}; (invalid-input) for a malformed value
 */
export function buildSearchSql(resourceType: string, params: FhirSearchParams = {}): SearchSql {
  const where: string[] = ['resource_type = ?'];
  const args: SqlParam[] = [resourceType];
  let count = DEFAULT_PAGE_SIZE;
  let offset = 0;
  for (const [name, raw] of Object.entries(params)) {
    const vals = values(raw);
    switch (name) {
      case '_id':
        for (const v of vals) {
          const ids = v.split(',');
          where.push(`id IN (${ids.map(() => '?').join(', ')})`);
          args.push(...ids);
        }
        break;
      case 'subject':
      case 'patient':
        for (const v of vals) {
          const refs = v.split(',').map((r) => (r.includes('/') ? r : `Patient/${r}`));
          where.push(`subject_ref IN (${refs.map(() => '?').join(', ')})`);
          args.push(...refs);
        }
        break;
      case 'code': {
        const path = CODE_ELEMENT[resourceType] ?? '$.code.coding';
        for (const v of vals) {
          const ors: string[] = [];
          for (const token of v.split(',')) {
            const bar = token.indexOf('|');
            const system = bar < 0 ? undefined : token.slice(0, bar);
            const code = bar < 0 ? token : token.slice(bar + 1);
            if (code === '') {
              throw new HealthDataError('invalid-input', `search: code token "${token}" has no code; use system|code, |code or code`, { path: 'code' });
            }
            if (system === undefined) {
              // `path` comes from CODE_ELEMENT (constants), never from the caller.
              ors.push(`list_contains(json_extract_string(body, '${path}[*].code'), ?)`);
              args.push(code);
            } else {
              ors.push(
                `EXISTS (SELECT 1 FROM (SELECT unnest(json_extract(body, '${path}[*]')) AS c) WHERE json_extract_string(c, '$.code') = ? AND coalesce(json_extract_string(c, '$.system'), '') = ?)`,
              );
              args.push(code, system);
            }
          }
          where.push(`(${ors.join(' OR ')})`);
        }
        break;
      }
      case 'date':
        for (const v of vals) {
          const m = /^(eq|ge|gt|le|lt)?(.+)$/.exec(v);
          const prefix = m?.[1] ?? 'eq';
          const { lo, hi } = fhirDateRange(m?.[2] ?? v);
          if (prefix === 'eq') {
            where.push('clinical_time >= ? AND clinical_time < ?');
            args.push(lo, hi);
          } else if (prefix === 'ge') {
            where.push('clinical_time >= ?');
            args.push(lo);
          } else if (prefix === 'gt') {
            where.push('clinical_time >= ?');
            args.push(hi);
          } else if (prefix === 'le') {
            where.push('clinical_time < ?');
            args.push(hi);
          } else {
            where.push('clinical_time < ?');
            args.push(lo);
          }
        }
        break;
      case '_count':
      case '_offset': {
        const n = Number(vals[0]);
        if (!Number.isInteger(n) || n < 0 || (name === '_count' && (n < 1 || n > MAX_PAGE_SIZE))) {
          throw new HealthDataError('invalid-input', `search: ${name}=${vals[0] ?? ''} must be an integer${name === '_count' ? ` from 1 to ${MAX_PAGE_SIZE}` : ' ≥ 0'}`, { path: name });
        }
        if (name === '_count') {
          count = n;
        } else {
          offset = n;
        }
        break;
      }
      default:
        throw new HealthDataError('unsupported', `search: parameter "${name}" is not supported by the local datastore; supported: ${SUPPORTED_SEARCH_PARAMS.join(', ')}`, {
          path: name,
        });
    }
  }
  return { where: where.join(' AND '), params: args, count, offset };
}
