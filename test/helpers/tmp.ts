/**
 * Temporary folders for tests, removed after the suite.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Makes a fresh temporary folder.
 *
 * @param prefix - a name hint
 * @returns the absolute path
 */
export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `mmh-${prefix}-`));
}
