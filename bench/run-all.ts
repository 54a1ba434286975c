/**
 * Runs every benchmark under bench/ one after another (each in its own process, so one cannot warm the next), with
 * its default arguments, and prints their ratio lines. Run: npm run bench [-- name …] (e.g. npm run bench -- vcf fhir).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const dir = __dirname;
const wanted = process.argv.slice(2);
const scripts = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run-all.ts')
  .filter((f) => wanted.length === 0 || wanted.includes(path.basename(f, '.ts')))
  .sort();
if (scripts.length === 0) {
  console.error(
    `no benchmark matches ${wanted.join(', ')}; available: ${fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'run-all.ts')
      .map((f) => path.basename(f, '.ts'))
      .join(', ')}`,
  );
  process.exit(2);
}
let failed = 0;
for (const s of scripts) {
  console.log(`\n== bench/${s} ==`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, s)], { stdio: 'inherit' });
  if (r.status !== 0) {
    failed += 1;
    console.log(`bench/${s} exited with ${String(r.status ?? r.signal)}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
