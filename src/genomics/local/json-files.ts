/**
 * The local genomics backend's JSON files (store, job and item records): read whole, written to `<file>.tmp` and
 * renamed into place, so a kill leaves the previous version (and at most a stray `.tmp`, which recovery removes).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Reads a JSON file of the backend.
 *
 * @param file - the file
 * @returns its value, typed as the caller's record type
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- typed view of our own JSON files
export function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/**
 * Writes a JSON file of the backend atomically (temp file, then rename), creating its folder.
 *
 * @param file - the file
 * @param value - the value (pretty-printed)
 */
export function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}
