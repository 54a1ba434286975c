/**
 * Converting Synthea's per-patient Bundle files into an import folder of `<ResourceType>.ndjson` files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HealthDataError } from '../errors';
import { bundleToResources, groupByResourceType } from '../formats/fhir/bundle';
import type { FhirJson } from '../formats/fhir/bundle';
import { toNdjson } from '../formats/ndjson/read-lines';

/**
 * Splits Bundle JSON files into `<outDir>/<ResourceType>.ndjson` (references rewritten to `Type/id`).
 *
 * @param bundleFiles - paths of Bundle JSON files
 * @param outDir - output folder (created; existing `.ndjson` files of the same types are overwritten)
 * @returns resource type → number of resources written
 * @throws {@link HealthDataError} (invalid-input) naming a file that is not JSON or not a Bundle
 * @example
 * ```ts
 * bundlesToNdjsonFolder(['Chet_Thompson.json'], 'dataset/clinical');
 * ```
 */
export function bundlesToNdjsonFolder(bundleFiles: readonly string[], outDir: string): Record<string, number> {
  const all: FhirJson[] = [];
  for (const f of bundleFiles) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(f, 'utf8'));
    } catch (e) {
      throw new HealthDataError('invalid-input', `bundlesToNdjsonFolder: ${f} is not JSON (${e instanceof Error ? e.message : String(e)})`, { path: f, cause: e });
    }
    try {
      all.push(...bundleToResources(parsed));
    } catch (e) {
      throw new HealthDataError('invalid-input', `bundlesToNdjsonFolder: ${f}: ${e instanceof Error ? e.message : String(e)}`, { path: f, cause: e });
    }
  }
  fs.mkdirSync(outDir, { recursive: true });
  const counts: Record<string, number> = {};
  for (const [type, list] of groupByResourceType(all)) {
    fs.writeFileSync(path.join(outDir, `${type}.ndjson`), toNdjson(list));
    counts[type] = list.length;
  }
  return counts;
}
