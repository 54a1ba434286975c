import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KERNEL_NAME, setupNotebookKernel, tslabKernelSpec } from '../src/kernel-setup';

describe('notebook kernel spec', () => {
  it('names Node.js and tslab by absolute path, so Jupyter needs nothing on PATH', () => {
    const spec = tslabKernelSpec();
    const [node, entry, ...rest] = spec.argv;
    assert.ok(node !== undefined && path.isAbsolute(node) && fs.existsSync(node), `node: ${String(node)}`);
    assert.ok(entry !== undefined && path.isAbsolute(entry) && fs.existsSync(entry), `tslab: ${String(entry)}`);
    assert.match(entry, /node_modules[/\\]tslab[/\\]bin[/\\]tslab$/);
    assert.deepEqual(rest, ['kernel', '--config-path', '{connection_file}']);
    assert.equal(spec.language, 'typescript');
    assert.equal(KERNEL_NAME, 'tslab');
  });

  it('uses the Node.js binary it is given', () => {
    assert.equal(tslabKernelSpec('/opt/node-24/bin/node').argv[0], '/opt/node-24/bin/node');
  });

  it('a python without Jupyter gets a message saying what to install', () => {
    assert.throws(
      () => setupNotebookKernel({ python: '/no/such/python3', check: false, log: () => undefined }),
      (e: Error & { code?: string }) => e.code === 'not-found' && /installing the kernel spec with \/no\/such\/python3 failed/.test(e.message),
    );
  });
});
