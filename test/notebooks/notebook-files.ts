/**
 * Reads the committed notebooks (shared by the hygiene test and the headless runner).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The notebooks folder. */
export const NOTEBOOK_DIR = path.join(__dirname, '..', '..', 'notebooks');

/** The part of an .ipynb file the checks read. */
export interface Notebook {
  readonly nbformat: number;
  readonly nbformat_minor: number;
  readonly metadata: { readonly kernelspec?: { readonly name?: string; readonly language?: string } };
  readonly cells: readonly {
    readonly cell_type: string;
    readonly id?: string;
    readonly source: string | readonly string[];
    readonly outputs?: readonly { readonly output_type: string; readonly ename?: string; readonly evalue?: string }[];
    readonly execution_count?: number | null;
    readonly metadata?: { readonly execution?: Readonly<Record<string, string>> };
  }[];
}

/**
 * Lists the numbered notebooks in order.
 *
 * @returns file names such as `00-setup.ipynb`
 */
export function notebookFiles(): string[] {
  return fs
    .readdirSync(NOTEBOOK_DIR)
    .filter((f) => /^\d\d-.+\.ipynb$/.test(f))
    .sort();
}

/**
 * Reads a notebook.
 *
 * @param file - path or a name inside the notebooks folder
 * @returns the parsed notebook
 */
export function readNotebook(file: string): Notebook {
  const p = path.isAbsolute(file) ? file : path.join(NOTEBOOK_DIR, file);
  return JSON.parse(fs.readFileSync(p, 'utf8')) as Notebook;
}

/**
 * Joins a cell's source lines.
 *
 * @param source - the source as stored
 * @returns the text
 */
export function cellText(source: string | readonly string[]): string {
  return typeof source === 'string' ? source : source.join('');
}
