/**
 * Type-checks the notebooks' code cells against the library's TypeScript source, so an API change that breaks a
 * notebook fails `npm test` instead of a Jupyter run.
 *
 * Each notebook becomes one module: its code cells in order, with `'../dist/…'` imports pointing at `src/…`. tslab
 * runs every cell as part of one top-level-await module scope (a later cell sees an earlier cell's declarations), so
 * the module is compiled with `module: es2022` (top-level `await` allowed) and the cells simply concatenated.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { cellText, NOTEBOOK_DIR, readNotebook } from './notebook-files';

/** One diagnostic, located in the notebook. */
export interface NotebookDiagnostic {
  /** Notebook file name. */
  readonly notebook: string;
  /** Code cell index in the notebook (0-based, counting all cells), or -1 when outside any cell. */
  readonly cell: number;
  /** Line inside the cell (1-based). */
  readonly line: number;
  /** The compiler's message. */
  readonly message: string;
}

const SRC = path.join(NOTEBOOK_DIR, '..', 'src');

interface Extracted {
  readonly text: string;
  /** For each line of `text`: [cell index, line in cell]. */
  readonly origin: readonly (readonly [number, number])[];
}

/**
 * Extracts a notebook's code cells as one module, imports rewritten to the TypeScript source.
 *
 * @param file - notebook file name
 * @returns the module text and the line → cell map
 */
export function notebookModule(file: string): Extracted {
  const lines: string[] = [];
  const origin: (readonly [number, number])[] = [];
  readNotebook(file).cells.forEach((cell, i) => {
    if (cell.cell_type !== 'code') {
      return;
    }
    const text = cellText(cell.source).replace(/(['"])\.\.\/dist\//g, (_m, q: string) => `${q}${SRC.split(path.sep).join('/')}/`);
    text.split('\n').forEach((l, k) => {
      lines.push(l);
      origin.push([i, k + 1]);
    });
  });
  lines.push('export {};');
  origin.push([-1, 0]);
  return { text: lines.join('\n'), origin };
}

/**
 * Type-checks the given notebooks in one compiler program.
 *
 * @param files - notebook file names
 * @returns the diagnostics (empty when every notebook compiles)
 */
export function typecheckNotebooks(files: readonly string[]): NotebookDiagnostic[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmh-nb-types-'));
  try {
    const modules = new Map<string, { readonly notebook: string; readonly extracted: Extracted }>();
    for (const nb of files) {
      const extracted = notebookModule(nb);
      const file = path.join(dir, `${path.basename(nb).replace(/\.ipynb$/, '')}.ts`);
      fs.writeFileSync(file, extracted.text);
      modules.set(path.resolve(file), { notebook: nb, extracted });
    }
    const program = ts.createProgram([...modules.keys()], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ES2022,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      lib: ['lib.es2023.d.ts'],
      strict: true,
      noUncheckedIndexedAccess: true,
      esModuleInterop: true,
      resolveJsonModule: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      typeRoots: [path.join(NOTEBOOK_DIR, '..', 'node_modules', '@types')],
    });
    const out: NotebookDiagnostic[] = [];
    for (const [file, { notebook, extracted }] of modules) {
      const sf = program.getSourceFile(file);
      if (sf === undefined) {
        throw new Error(`typecheckNotebooks: the compiler did not load ${file}`);
      }
      for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
        const line = d.start === undefined ? 0 : sf.getLineAndCharacterOfPosition(d.start).line;
        const [cell, cellLine] = extracted.origin[line] ?? [-1, 0];
        out.push({ notebook, cell, line: cellLine, message: ts.flattenDiagnosticMessageText(d.messageText, '\n') });
      }
    }
    return out;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
