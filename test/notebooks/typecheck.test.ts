import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NOTEBOOK_DIR, notebookFiles } from './notebook-files';
import { notebookModule, typecheckNotebooks } from './typecheck';

describe('notebook cells type-check against src/', function () {
  this.timeout(300_000);

  it('every numbered notebook compiles (strict, top-level await)', function () {
    const diagnostics = typecheckNotebooks(notebookFiles());
    assert.deepEqual(
      diagnostics.map((d) => `${d.notebook} cell ${String(d.cell)} line ${String(d.line)}: ${d.message}`),
      [],
    );
  });

  it('reports a broken call in the cell that holds it (the check can fail)', function () {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-nb-bad-')), '99-broken.ipynb');
    const nb = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'tslab' } },
      cells: [
        { cell_type: 'markdown', id: 'a', source: '# broken' },
        { cell_type: 'code', id: 'b', source: ["import { openWorkspace } from '../dist/index';\n", 'const ws = await openWorkspace({ create: true });'], outputs: [], execution_count: null },
        { cell_type: 'code', id: 'c', source: 'await ws.genomics.noSuchMethod();', outputs: [], execution_count: null },
      ],
    };
    fs.writeFileSync(file, JSON.stringify(nb));
    try {
      assert.match(notebookModule(file).text, new RegExp(`from '${path.join(NOTEBOOK_DIR, '..', 'src').split(path.sep).join('/')}/index'`));
      const diagnostics = typecheckNotebooks([file]);
      assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
      const [d] = diagnostics;
      assert.ok(d !== undefined);
      assert.equal(d.cell, 2);
      assert.equal(d.line, 1);
      assert.match(d.message, /noSuchMethod/);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });
});
