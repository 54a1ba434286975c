/**
 * Temporary folders for tests, removed after the run: every folder made here (or handed to {@link removeAfterRun})
 * is deleted by a root-level `after` hook, registered when a test file first imports this module.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const created: string[] = [];

// Outside mocha (a script importing a test helper) there is no `after`: the folders then stay.
if (typeof after === 'function') {
  after(() => {
    for (const d of created.splice(0)) {
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
}

/**
 * Marks a folder for removal after the test run.
 *
 * @param dir - an absolute path the test made
 * @returns the same path
 */
export function removeAfterRun(dir: string): string {
  created.push(dir);
  return dir;
}

/**
 * Makes a fresh temporary folder, removed after the test run.
 *
 * @param prefix - a name hint
 * @returns the absolute path
 */
export function tmpDir(prefix: string): string {
  return removeAfterRun(fs.mkdtempSync(path.join(os.tmpdir(), `mmh-${prefix}-`)));
}
