/** Input folders a contract suite makes for one test, removed after it. */
import * as fs from 'node:fs';
import { tmpDir } from '../helpers/tmp';

/** Folders made since the last {@link removeScratch}. */
const made: string[] = [];

/**
 * Makes a fresh temporary folder that {@link removeScratch} removes.
 *
 * @param prefix - a name hint
 * @returns the absolute path
 */
export function scratch(prefix: string): string {
  const dir = tmpDir(prefix);
  made.push(dir);
  return dir;
}

/** Removes every folder {@link scratch} made since the last call (an `afterEach`). */
export function removeScratch(): void {
  for (const dir of made.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
