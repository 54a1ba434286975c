/**
 * Splitting FHIR Bundles (Synthea writes one transaction Bundle per patient) into the one-resource-per-line form
 * HealthLake imports, rewriting `urn:uuid:` references to relative `Type/id` references on the way.
 */
import { HealthDataError } from '../../errors';
import { groupBy } from '../../util/collections';

/** A FHIR resource as parsed JSON. */
export type FhirJson = Record<string, unknown> & { resourceType: string; id?: string };

function rewrite(value: unknown, map: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => rewrite(v, map));
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === 'reference' && typeof v === 'string' ? (map.get(v) ?? v) : rewrite(v, map);
  }
  return out;
}

/**
 * Splits a Bundle into its resources, with `urn:uuid:` (and absolute) `fullUrl` references rewritten to `Type/id`.
 *
 * @param bundle - a parsed Bundle (transaction, batch, collection, searchset…)
 * @returns the entry resources in Bundle order
 * @throws {@link HealthDataError} (invalid-input) when the value is not a Bundle, or an entry has no resource
 * @example
 * ```ts
 * const resources = bundleToResources(JSON.parse(fs.readFileSync('Chet_Thompson.json', 'utf8')));
 * ```
 */
export function bundleToResources(bundle: unknown): FhirJson[] {
  const b = bundle as { resourceType?: unknown; entry?: unknown };
  if (typeof bundle !== 'object' || bundle === null || b.resourceType !== 'Bundle') {
    throw new HealthDataError('invalid-input', 'bundleToResources: the value is not a FHIR Bundle (resourceType must be "Bundle")');
  }
  const entries = Array.isArray(b.entry) ? (b.entry as { fullUrl?: unknown; resource?: unknown }[]) : [];
  const map = new Map<string, string>();
  entries.forEach((e, i) => {
    const r = e.resource as FhirJson | undefined;
    if (typeof r !== 'object' || typeof r.resourceType !== 'string') {
      throw new HealthDataError('invalid-input', `bundleToResources: entry ${i} has no resource`, { path: `Bundle.entry[${i}]` });
    }
    if (typeof e.fullUrl === 'string' && typeof r.id === 'string') {
      map.set(e.fullUrl, `${r.resourceType}/${r.id}`);
    }
  });
  return entries.map((e) => rewrite(e.resource, map) as FhirJson);
}

/**
 * Groups resources by type, as the `<ResourceType>.ndjson` files of an import folder.
 *
 * @param resources - resources of any types
 * @returns resource type → resources, in input order
 */
export function groupByResourceType(resources: Iterable<FhirJson>): Map<string, FhirJson[]> {
  return groupBy(resources, (r) => r.resourceType);
}
