/**
 * The generator's loose FHIR JSON value (a resource or a fragment of one, built field by field), in its own module so
 * that the bundle writer (`fhir-bundle.ts`) and the organization/practitioner directory (`directory.ts`) can both use
 * it without importing each other.
 */

/** A FHIR JSON object as the generator builds it. */
export type FhirJson = Record<string, unknown>;
