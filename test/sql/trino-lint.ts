/**
 * A semantic lint for SQL meant to run on Athena engine v3 (Trino) as well as DuckDB — the traps DuckDB forgives and
 * Trino does not (docs/aws-semantics.md §6; Trino docs "Array functions and operators", "Map functions and operators";
 * Athena User Guide "Use parameterized queries"):
 * - `CAST(x AS T[])`: Trino spells array types `ARRAY(T)`.
 * - `m['key']` on a map raises on a missing key in Trino: use `element_at(m, 'key')`.
 * - `a[1]` raises when the array is shorter in Trino: use `element_at(a, i)` (NULL when out of range).
 * - `?` parameters: Athena binds them only in a WHERE clause (not in SELECT, VALUES, LIMIT …).
 * - `information_schema` reads must filter `table_schema` (unfiltered, Athena walks every database).
 */
import { TrinoSQL } from 'dt-sql-parser';

/** One finding. */
export interface LintFinding {
  /** Rule id. */
  readonly rule: 'trino-grammar' | 'array-cast' | 'map-subscript' | 'array-subscript' | 'parameter-position' | 'information-schema';
  /** What was found. */
  readonly detail: string;
}

const parser = new TrinoSQL();

/** Replaces string literals and quoted identifiers with blanks of the same length (so rules see only code). */
function codeOnly(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i] ?? '';
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === c) {
          if (sql[j + 1] === c) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      out += c === '"' ? `"${'x'.repeat(Math.max(0, j - i - 1))}"` : `'${' '.repeat(Math.max(0, j - i - 1))}'`;
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * Lints one statement.
 *
 * @param sql - the statement as the library sends it (with `?` placeholders)
 * @returns findings (empty when clean)
 */
export function lintTrinoSql(sql: string): LintFinding[] {
  const out: LintFinding[] = [];
  for (const e of parser.validate(sql)) {
    out.push({ rule: 'trino-grammar', detail: `${e.message} (line ${String(e.startLine)}, column ${String(e.startColumn)})` });
  }
  const code = codeOnly(sql);
  for (const m of code.matchAll(/\bAS\s+[A-Za-z_]+(\([^)]*\))?\s*\[\]/gi)) {
    out.push({ rule: 'array-cast', detail: m[0] });
  }
  // A subscript with a string key is a map lookup; with a number, an array index. `sql` keeps the literal text.
  // `ARRAY['a']` / `ARRAY[1]` construct arrays: not subscripts.
  for (const m of sql.matchAll(/([A-Za-z_][A-Za-z0-9_.]*|\))\s*\[\s*'[^']*'\s*\]/g)) {
    if (/^array$/i.test(m[1] ?? '')) {
      continue;
    }
    out.push({ rule: 'map-subscript', detail: m[0] });
  }
  for (const m of code.matchAll(/([A-Za-z_][A-Za-z0-9_.]*|\))\s*\[\s*-?\d+\s*\]/g)) {
    if (/^array$/i.test(m[1] ?? '')) {
      continue;
    }
    out.push({ rule: 'array-subscript', detail: m[0] });
  }
  const clause = /\b(WHERE|VALUES|SELECT|FROM|GROUP\s+BY|ORDER\s+BY|HAVING|LIMIT|OFFSET|ON|JOIN|WITH)\b|\?/gi;
  let current = '';
  for (const m of code.matchAll(clause)) {
    if (m[0] === '?') {
      if (current !== 'WHERE') {
        out.push({ rule: 'parameter-position', detail: `? in ${current === '' ? 'no clause' : current} (Athena binds parameters only in WHERE)` });
      }
    } else {
      current = m[0].toUpperCase().replace(/\s+/g, ' ');
    }
  }
  if (/\binformation_schema\s*\./i.test(code) && !/\btable_schema\s*(=|IN\b)/i.test(code)) {
    out.push({ rule: 'information-schema', detail: 'information_schema read without a table_schema filter' });
  }
  return out;
}
