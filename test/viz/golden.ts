/**
 * Golden-file check for JSON outputs (plotly figures, tables). A missing golden is written; `UPDATE_GOLDEN=1`
 * rewrites all; a mismatch writes `<name>.changed.json` (git-ignored) beside the golden and fails.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const DIR = path.join(__dirname, 'golden');

export function assertGolden(name: string, value: unknown): void {
  const file = path.join(DIR, `${name}.json`);
  const changed = path.join(DIR, `${name}.changed.json`);
  const text = `${JSON.stringify(value, null, 1)}\n`;
  if (process.env.UPDATE_GOLDEN === '1' || !fs.existsSync(file)) {
    fs.mkdirSync(DIR, { recursive: true });
    fs.writeFileSync(file, text);
    fs.rmSync(changed, { force: true });
    return;
  }
  const expected = fs.readFileSync(file, 'utf8');
  if (expected !== text) {
    fs.writeFileSync(changed, text);
    assert.deepEqual(JSON.parse(text), JSON.parse(expected), `${name}: output differs from ${file}; see ${changed} (UPDATE_GOLDEN=1 to accept)`);
  }
  fs.rmSync(changed, { force: true });
}
