/**
 * Executes every numbered notebook headless in a real Jupyter (tslab kernel), in order, on an EMPTY workspace with
 * the tiny cohort — no `npm start` first: each notebook's first cells run the pipeline steps it needs. Jupyter is
 * started with a PATH that has no `node_modules/.bin` on it, as a user's would be, so the kernel spec must name its
 * binaries itself (`npm run notebooks:setup`). `npm run test:notebooks`.
 *
 * Then it runs every notebook a second time on the same workspace and checks that nothing moved: every table a
 * notebook shows (HTML tables and danfo `print()` grids) is identical to the first run, and so are the dashboard's
 * data files. It also fails on a cell error, a cell that did not finish, and any output mentioning a deprecation or
 * EBADENGINE. Options by environment: `MMH_NOTEBOOKS` (comma-separated name prefixes), `MMH_NOTEBOOK_OUT` (where
 * executed copies go), `MMH_NOTEBOOK_PASSES` (1 = skip the second run; default 2), `MMH_WORKSPACE` (must be empty
 * or absent).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cellText, NOTEBOOK_DIR, notebookFiles, readNotebook } from './notebook-files';
import type { Notebook } from './notebook-files';

/** PATH without any `node_modules/.bin` folder. */
function userPath(): string {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((p) => p !== '' && !p.split(path.sep).includes('node_modules'))
    .join(path.delimiter);
}

/** The plain text of every table a notebook shows, per code cell, with run-specific values masked. */
function notebookTables(nb: Notebook): string[] {
  const tables: string[] = [];
  nb.cells.forEach((c, i) => {
    for (const o of c.outputs ?? []) {
      const data = (o as { data?: Record<string, unknown> }).data;
      const html = data?.['text/html'];
      const text = Array.isArray(html) ? html.join('') : typeof html === 'string' ? html : '';
      for (const table of text.match(/<table[\s\S]*?<\/table>/g) ?? []) {
        const cells = (table.match(/<tr[\s\S]*?<\/tr>/g) ?? []).map((r) => (r.match(/<t[hd][^>]*>[\s\S]*?<\/t[hd]>/g) ?? []).map((cell) => cell.replace(/<[^>]+>/g, '').trim()));
        // Columns that hold a time measurement (e.g. medianMs, p95Ms, seconds) differ between runs by nature.
        const timed = new Set((cells[0] ?? []).flatMap((h, k) => (/(ms|Ms|seconds|Seconds)$/.test(h) ? [k] : [])));
        const rows = cells.map((r, n) => r.map((cell, k) => (n > 0 && timed.has(k) ? '<duration>' : mask(cell))).join(' | '));
        tables.push(`cell ${String(i)}:\n${rows.join('\n')}`);
      }
      // danfo's DataFrame.print() draws a grid with box characters on stdout.
      const stream = (o as { name?: string; text?: string | string[] }).text;
      const streamText = Array.isArray(stream) ? stream.join('') : (stream ?? '');
      if (/[╔║╟]/.test(streamText)) {
        tables.push(`cell ${String(i)} (printed):\n${mask(streamText)}`);
      }
    }
  });
  return tables;
}

/**
 * Masks what legitimately differs between two runs: job ids, wall-clock times and durations.
 *
 * @param s - a cell's text
 * @returns the text with those values replaced by placeholders
 */
function mask(s: string): string {
  return s
    .replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?\b/g, '<time>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    // Job ids (HealthLake / HealthImaging style: 32 hex digits) are new for every job.
    .replace(/\b[0-9a-f]{32}\b/g, '<id>')
    .replace(/\b\d+(\.\d+)?\s?(ms|s)\b/g, '<duration>');
}

function outputProblems(nb: Notebook): string[] {
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
      const text = JSON.stringify(o);
      // Plotly's bundle is data, not a message; look at streams and errors for warnings.
      if ((o.output_type === 'stream' || o.output_type === 'error') && /deprecat|EBADENGINE/i.test(text)) {
        problems.push(`cell ${String(i)} printed a deprecation/engine warning: ${text.slice(0, 300)}`);
      }
    }
  });
  return problems;
}

function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    if (!fs.existsSync(d)) {
      return;
    }
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else {
        out.set(path.relative(dir, p), fs.readFileSync(p, 'utf8'));
      }
    }
  };
  walk(dir);
  return out;
}

/** The dashboard's data files (population aggregates and per-patient records). */
function dashboardData(workspace: string): Map<string, string> {
  const site = path.join(workspace, 'dashboard');
  const files = new Map<string, string>();
  for (const sub of ['data', 'patients']) {
    for (const [f, text] of filesUnder(path.join(site, sub))) {
      files.set(path.join(sub, f), mask(text));
    }
  }
  return files;
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) {
    i++;
  }
  const from = Math.max(0, a.lastIndexOf('\n', i) + 1, i - 150);
  return `first run:  …${a.slice(from, i + 150).split('\n')[0] ?? ''}\n    second run: …${b.slice(from, i + 150).split('\n')[0] ?? ''}`;
}

interface RunResult {
  readonly file: string;
  readonly secs: number;
  readonly bytes: number;
  readonly problems: string[];
  readonly tables: string[];
}

function execute(file: string, out: string, env: NodeJS.ProcessEnv): RunResult {
  fs.mkdirSync(out, { recursive: true });
  const t0 = Date.now();
  const r = spawnSync(
    'jupyter',
    ['nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.timeout=1200', path.join(NOTEBOOK_DIR, file), '--output-dir', out],
    { env, cwd: NOTEBOOK_DIR, encoding: 'utf8' },
  );
  const secs = (Date.now() - t0) / 1000;
  const executed = path.join(out, file);
  if (r.status !== 0 || !fs.existsSync(executed)) {
    return { file, secs, bytes: 0, problems: [`nbconvert failed:\n${(r.stderr || r.error?.message || '').split('\n').slice(-40).join('\n')}`], tables: [] };
  }
  const nb = readNotebook(executed);
  return { file, secs, bytes: fs.statSync(executed).size, problems: outputProblems(nb), tables: notebookTables(nb) };
}

function main(): number {
  const only = process.env.MMH_NOTEBOOKS?.split(',').map((s) => s.trim());
  const files = notebookFiles().filter((f) => only === undefined || only.some((o) => f.startsWith(o)));
  const out = process.env.MMH_NOTEBOOK_OUT ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-notebooks-'));
  const workspace = process.env.MMH_WORKSPACE ?? path.join(out, 'workspace');
  if (fs.existsSync(workspace) && fs.readdirSync(workspace).length > 0) {
    console.error(`MMH_WORKSPACE ${workspace} is not empty: the notebooks must bootstrap an empty workspace; point it at a new folder`);
    return 1;
  }
  const passes = Math.max(1, Math.min(2, Number(process.env.MMH_NOTEBOOK_PASSES ?? '2') || 2));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: userPath(),
    MMH_WORKSPACE: workspace,
    MMH_PRESET: process.env.MMH_PRESET ?? 'tiny',
    MMH_PROGRESS: 'notebook',
  };
  console.log(`notebooks: ${files.join(', ')}\nworkspace (empty, no npm start): ${workspace}\noutputs: ${out}\nPATH for Jupyter: ${env.PATH ?? ''}`);
  let failed = 0;
  const first = new Map<string, RunResult>();
  let dashboardAfterFirst = new Map<string, string>();
  for (let pass = 1; pass <= passes; pass++) {
    console.log(pass === 1 ? '— first run, in order, from an empty workspace —' : '— second run: every table and the dashboard data must be unchanged —');
    for (const file of files) {
      const r = execute(file, path.join(out, `run${String(pass)}`), env);
      const problems = [...r.problems];
      if (pass === 1) {
        first.set(file, r);
      } else {
        const before = first.get(file);
        if (before !== undefined && before.problems.length === 0) {
          if (before.tables.length !== r.tables.length) {
            problems.push(`shows ${String(r.tables.length)} tables, ${String(before.tables.length)} the first time`);
          }
          before.tables.forEach((t, k) => {
            const now = r.tables[k];
            if (now !== undefined && now !== t) {
              problems.push(`table ${t.split('\n')[0] ?? ''} changed:\n    ${firstDifference(t, now)}`);
            }
          });
        }
      }
      const line = `${file} (${r.secs.toFixed(1)} s, ${(r.bytes / 1024).toFixed(0)} KB, ${String(r.tables.length)} tables)`;
      if (problems.length > 0) {
        failed += 1;
        console.error(`✘ ${line}\n  ${problems.join('\n  ')}`);
      } else {
        console.log(`✔ ${line}`);
      }
    }
    if (pass === 1) {
      dashboardAfterFirst = dashboardData(workspace);
      if (fs.existsSync(path.join(workspace, 'dashboard'))) {
        fs.cpSync(path.join(workspace, 'dashboard'), path.join(out, 'dashboard-run1'), { recursive: true });
      }
    } else {
      const now = dashboardData(workspace);
      const changed = [...new Set([...dashboardAfterFirst.keys(), ...now.keys()])].filter((f) => dashboardAfterFirst.get(f) !== now.get(f));
      if (changed.length > 0) {
        failed += 1;
        const f = changed[0] ?? '';
        console.error(`✘ dashboard data changed on the second run: ${changed.slice(0, 10).join(', ')}${changed.length > 10 ? ' …' : ''}\n    ${firstDifference(dashboardAfterFirst.get(f) ?? '', now.get(f) ?? '')}`);
      } else {
        console.log(`✔ dashboard data unchanged (${String(now.size)} files)`);
      }
    }
  }
  console.log(failed === 0 ? `all ${String(files.length)} notebooks ran ${passes === 2 ? 'twice, with the same results' : 'once'}` : `${String(failed)} failure(s)`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = main();
