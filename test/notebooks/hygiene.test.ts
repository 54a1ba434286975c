import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cellText, NOTEBOOK_DIR, notebookFiles, readNotebook } from './notebook-files';

describe('committed notebooks', () => {
  const files = notebookFiles();

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

      it('is listed in notebooks/README.md', () => {
        const readme = fs.readFileSync(path.join(NOTEBOOK_DIR, 'README.md'), 'utf8');
        assert.ok(readme.includes(file), `${file} is missing from notebooks/README.md`);
      });
    });
  }
});
