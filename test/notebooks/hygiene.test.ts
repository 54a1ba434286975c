import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cellText, NOTEBOOK_DIR, notebookFiles, readNotebook } from './notebook-files';

/** Names `src/index.ts` exports (values and types). */
function exportedNames(): Set<string> {
  const index = fs.readFileSync(path.join(NOTEBOOK_DIR, '..', 'src', 'index.ts'), 'utf8');
  const names = new Set<string>();
  for (const m of index.matchAll(/export (?:type )?\{([^}]*)\}/g)) {
    for (const n of (m[1] ?? '').split(',')) {
      const name = n.trim().split(/\s+as\s+/).pop();
      if (name !== undefined && name !== '') {
        names.add(name);
      }
    }
  }
  return names;
}

/** Library calls a notebook's prose names in backticks: `camelCase(` not preceded by a dot (methods are checked by tsc). */
function namedCalls(markdown: string): string[] {
  const calls: string[] = [];
  for (const code of markdown.matchAll(/`([^`\n]+)`/g)) {
    for (const call of (code[1] ?? '').matchAll(/(?<![.\w])([a-z]+[A-Z]\w*)\(/g)) {
      calls.push(call[1] ?? '');
    }
  }
  return calls;
}

describe('committed notebooks', () => {
  const files = notebookFiles();
  const exported = exportedNames();

  it('finds the calls prose names (the check below can fail)', () => {
    assert.deepEqual(namedCalls('see `runDashboardCommand(ws, [])`, `ws.clinical.cohort({})`, `SELECT version()` and `npm start`'), ['runDashboardCommand']);
    assert.ok(!exported.has('runDashboardCommand'));
  });

  it('include 00-setup', () => {
    assert.ok(files.includes('00-setup.ipynb'));
  });

  for (const file of files) {
    describe(file, () => {
      const nb = readNotebook(file);

      it('is nbformat 4.5 on the tslab kernel, every cell with an id', () => {
        assert.equal(nb.nbformat, 4);
        assert.ok(nb.nbformat_minor >= 5);
        assert.equal(nb.metadata.kernelspec?.name, 'tslab');
        const ids = nb.cells.map((c) => c.id);
        assert.ok(ids.every((id) => typeof id === 'string' && id.length > 0), 'every cell needs an id');
        assert.equal(new Set(ids).size, ids.length, 'cell ids must be unique');
      });

      it('is committed with outputs cleared and no execution counts', () => {
        nb.cells.forEach((c, i) => {
          if (c.cell_type === 'code') {
            assert.deepEqual(c.outputs, [], `cell ${String(i)} has outputs; clear them before committing`);
            assert.equal(c.execution_count, null, `cell ${String(i)} has an execution count`);
          }
        });
      });

      it('starts with prose, says what it loads before loading, bootstraps its steps, and closes the workspace', () => {
        assert.equal(nb.cells[0]?.cell_type, 'markdown');
        const code = nb.cells.filter((c) => c.cell_type === 'code').map((c) => cellText(c.source));
        // The first code cell prints before anything loads: a cell with an import is type-checked (10–30 s) before
        // any of its statements run, so the message needs a cell of its own, with no import.
        assert.doesNotMatch(code[0] ?? '', /\bimport\b/);
        assert.match(code[0] ?? '', /console\.log\('Loading multimodal-health/);
        assert.match(code[1] ?? '', /from '\.\.\/dist\/index'/);
        assert.match(code[1] ?? '', /openWorkspace\(\{ create: true \}\)/);
        // Run All on an empty workspace, or this notebook alone: the steps it reads run first when missing.
        assert.match(code[1] ?? '', /await ensureSteps\(ws, \[('[a-z-]+'(, )?)+\]\);|await ensureDashboardSteps\(ws\);/);
        assert.match(code.at(-1) ?? '', /await ws\.close\(\)/);
        const all = code.join('\n');
        assert.doesNotMatch(all, /\/(work|home|Users|tmp)\//, 'no absolute paths in cells');
        assert.doesNotMatch(all, /AKIA[0-9A-Z]{16}|aws_secret_access_key/i, 'no credentials in cells');
      });

      it('names in its prose only calls the library exports or the notebook imports', () => {
        const code = nb.cells.filter((c) => c.cell_type === 'code').map((c) => cellText(c.source)).join('\n');
        const prose = nb.cells.filter((c) => c.cell_type === 'markdown').map((c) => cellText(c.source)).join('\n');
        const unknown = namedCalls(prose).filter((n) => !exported.has(n) && !new RegExp(`import \\{[^}]*\\b${n}\\b`).test(code));
        assert.deepEqual([...new Set(unknown)], [], 'the prose names a call that is not public: export it or name the public one');
      });

      it('is listed in notebooks/README.md', () => {
        const readme = fs.readFileSync(path.join(NOTEBOOK_DIR, 'README.md'), 'utf8');
        assert.ok(readme.includes(file), `${file} is missing from notebooks/README.md`);
      });
    });
  }
});
