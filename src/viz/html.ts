/**
 * HTML escaping for every string that comes from data. Pure; no DOM.
 */

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @param text - any value; non-strings are stringified first
 * @returns the escaped text
 * @example
 * ```ts
 * escapeHtml('<b>') // '&lt;b&gt;'
 * ```
 */
export function escapeHtml(text: unknown): string {
  const s = typeof text === 'string' ? text : text === null || text === undefined ? '' : JSON.stringify(text);
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * Renders rows as an HTML table, escaping every header and cell.
 *
 * @param rows - objects with the same keys
 * @param options - `maxRows` (default 50) and a caption
 * @returns the HTML text
 */
export function htmlTable(rows: readonly Readonly<Record<string, unknown>>[], options: { readonly maxRows?: number; readonly caption?: string } = {}): string {
  const maxRows = options.maxRows ?? 50;
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown): string => (v instanceof Date ? escapeHtml(v.toISOString()) : typeof v === 'number' ? escapeHtml(String(v)) : escapeHtml(v));
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = rows
    .slice(0, maxRows)
    .map((r) => `<tr>${columns.map((c) => `<td>${cell(r[c])}</td>`).join('')}</tr>`)
    .join('');
  const more = rows.length > maxRows ? `<p>… ${String(rows.length - maxRows)} more rows</p>` : '';
  const caption = options.caption === undefined ? '' : `<caption>${escapeHtml(options.caption)}</caption>`;
  return `<table>${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${more}`;
}
