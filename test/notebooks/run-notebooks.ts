/**
 * Executes every numbered notebook headless in a real Jupyter (tslab kernel), in order, on a fresh workspace with
 * the tiny cohort; fails on the first cell error or on a code cell that did not run. `npm run test:notebooks`.
 *
 * Needs Jupyter (`jupyter nbconvert`) and the tslab kernel spec (.ci/run installs both). Options by environment:
 * `MMH_NOTEBOOKS` (comma-separated names to run), `MMH_NOTEBOOK_OUT` (where executed copies go).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cellText, NOTEBOOK_DIR, notebookFiles, readNotebook } from './notebook-files';

const ROOT = path.join(__dirname, '..', '..');

function main(): number {
  const only = process.env.MMH_NOTEBOOKS?.split(',').map((s) => s.trim());
  const files = notebookFiles().filter((f) => only === undefined || only.some((o) => f.startsWith(o)));
  const out = process.env.MMH_NOTEBOOK_OUT ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-notebooks-'));
  const workspace = process.env.MMH_WORKSPACE ?? path.join(out, 'workspace');
  const env = {
    ...process.env,
    PATH: `${path.join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`,
    MMH_WORKSPACE: workspace,
    MMH_PRESET: process.env.MMH_PRESET ?? 'tiny',
    MMH_PROGRESS: 'notebook',
  };
  console.log(`notebooks: ${files.join(', ')}\nworkspace: ${workspace}\noutputs: ${out}`);
  // The pipeline prepares what each notebook expects to find from the steps before it (state lives in the workspace).
  execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'pipeline'], { env, stdio: 'inherit' });
  let failed = 0;
  for (const file of files) {
    const t0 = Date.now();
    const r = spawnSync(
      'jupyter',
      ['nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.timeout=600', path.join(NOTEBOOK_DIR, file), '--output-dir', out],
      { env, cwd: NOTEBOOK_DIR, encoding: 'utf8' },
    );
    const secs = ((Date.now() - t0) / 1000).toFixed(1);
    if (r.status !== 0) {
      failed += 1;
      console.error(`✘ ${file} (${secs}s)\n${(r.stderr || '').split('\n').slice(-40).join('\n')}`);
      continue;
    }
    const nb = readNotebook(path.join(out, file));
    const problems: string[] = [];
    nb.cells.forEach((c, i) => {
      if (c.cell_type !== 'code' || cellText(c.source).trim() === '') {
        return;
      }
      // tslab reports no execution_count; nbclient records when each cell went idle, which a crash prevents.
      if (c.metadata?.execution?.['iopub.status.idle'] === undefined) {
        problems.push(`cell ${String(i)} did not finish (kernel crash?)`);
      }
      for (const o of c.outputs ?? []) {
        if (o.output_type === 'error') {
          problems.push(`cell ${String(i)}: ${o.ename ?? ''}: ${o.evalue ?? ''}`);
        }
      }
    });
    if (problems.length > 0) {
      failed += 1;
      console.error(`✘ ${file} (${secs}s)\n  ${problems.join('\n  ')}`);
    } else {
      console.log(`✔ ${file} (${secs}s)`);
    }
  }
  console.log(failed === 0 ? `all ${String(files.length)} notebooks ran` : `${String(failed)} of ${String(files.length)} notebooks failed`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();
