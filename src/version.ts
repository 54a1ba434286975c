/**
 * The library's version (a leaf module: step fingerprints in every domain include it).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The library version from package.json.
 *
 * @returns e.g. `0.1.0`
 */
export function libraryVersion(): string {
  const file = path.join(__dirname, '..', 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}
