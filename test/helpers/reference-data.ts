/**
 * Where the shared reference data (real public files with provenance) lives: `MMH_REFERENCE_DATA`, else
 * `../shared/reference-data` beside the repository, else `/work/shared/reference-data`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

function locate(): string {
  const candidates = [process.env.MMH_REFERENCE_DATA, path.resolve(__dirname, '..', '..', '..', 'shared', 'reference-data'), '/work/shared/reference-data'].filter(
    (c): c is string => c !== undefined && c !== '',
  );
  const found = candidates.find((c) => fs.existsSync(c));
  if (found === undefined) {
    throw new Error(`reference data not found (looked in ${candidates.join(', ')}); set MMH_REFERENCE_DATA to the shared reference-data folder`);
  }
  return found;
}

/** Absolute path of the shared reference-data folder. */
export const REFERENCE_DATA = locate();
