/**
 * The shape HealthLake gives resources in its Athena tables (AWS-SEMANTICS.md §2): every element name lower-cased
 * (`birthDate` → `birthdate`, `_family` siblings kept as `_family`), `0..1` complex elements as structs, `0..*`
 * elements as arrays (1-based in SQL), and every `extension` / `modifierExtension` item as JSON text, read with
 * `json_extract_scalar(extension[1], '$.valueString')`.
 */

function shape(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(shape);
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = k.toLowerCase();
    if ((k === 'extension' || k === 'modifierExtension') && Array.isArray(v)) {
      out[key] = v.map((x) => JSON.stringify(x));
    } else {
      out[key] = shape(v);
    }
  }
  return out;
}

/**
 * Converts a resource to its HealthLake-Athena row shape.
 *
 * @param resource - a parsed FHIR resource
 * @returns a new object with lower-case keys and extensions as JSON text
 * @example
 * ```ts
 * toAthenaShape({ resourceType: 'Patient', id: 'p1', birthDate: '1961-07-15' });
 * // → { resourcetype: 'Patient', id: 'p1', birthdate: '1961-07-15' }
 * ```
 */
export function toAthenaShape(resource: Record<string, unknown>): Record<string, unknown> {
  return shape(resource) as Record<string, unknown>;
}

/**
 * The Athena table name HealthLake uses for a resource type.
 *
 * @param resourceType - e.g. `MedicationRequest`
 * @returns e.g. `medicationrequest`
 */
export function athenaTableName(resourceType: string): string {
  return resourceType.toLowerCase();
}
