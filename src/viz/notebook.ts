/**
 * Display helpers for notebooks: rich output in a tslab kernel, plain text anywhere else.
 */
import { htmlTable } from './html';

interface TslabDisplay {
  html(s: string): void;
  markdown(s: string): void;
  raw(contentType: string, data: string): void;
}

/**
 * The tslab display object when running inside a tslab kernel, else undefined.
 *
 * @returns the display API or undefined
 */
export function tslabDisplay(): TslabDisplay | undefined {
  if (!process.argv.some((a) => a.includes('tslab'))) {
    return undefined;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- only present inside the notebook kernel
    return (require('tslab') as { display: TslabDisplay }).display;
  } catch {
    return undefined;
  }
}

/**
 * Shows rows as a table: escaped HTML in a notebook, `console.table` elsewhere.
 *
 * @param rows - objects with the same keys
 * @param options - `maxRows` and a caption
 */
export function showTable(rows: readonly Readonly<Record<string, unknown>>[], options: { readonly maxRows?: number; readonly caption?: string } = {}): void {
  const display = tslabDisplay();
  if (display !== undefined) {
    display.html(htmlTable(rows, options));
    return;
  }
  if (options.caption !== undefined) {
    console.log(options.caption);
  }
  console.table(rows.slice(0, options.maxRows ?? 50));
}
