/**
 * Which tables and (nested) columns the workspace's SQL engine has, read once from `information_schema.columns`, so
 * the dashboard's queries select an optional FHIR element only where some resource carries it. FHIR tables are
 * schema-on-read (docs/aws-semantics.md §2): a cohort where no Patient has an `address` has no `address` column at all, and
 * one where no Encounter has `type.text` has a `type` struct without `text`. Asking for those would fail the whole
 * query; asking through {@link TableShapes.expr} yields an empty (NULL) column instead, and any other failure is
 * left to fail loudly.
 *
 * Understands DuckDB type strings (`STRUCT(a VARCHAR, "b" STRUCT(c INTEGER)[])[]`, `MAP(…)`) and Athena/Trino and Hive
 * ones (`array(row(a varchar, b row(c integer)))`, `array<struct<a:string>>`).
 */

/** A parsed column type: a struct with named fields, a list of one element type, or anything else. */
export type ColumnType = { readonly kind: 'struct'; readonly fields: ReadonlyMap<string, ColumnType> } | { readonly kind: 'list'; readonly of: ColumnType } | { readonly kind: 'scalar' };

const SCALAR: ColumnType = { kind: 'scalar' };

class TypeReader {
  private i = 0;
  constructor(private readonly s: string) {}

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i] ?? '')) {
      this.i++;
    }
  }

  private eat(c: string): boolean {
    this.ws();
    if (this.s[this.i] === c) {
      this.i++;
      return true;
    }
    return false;
  }

  private word(): string {
    this.ws();
    const q = this.s[this.i];
    if (q === '"' || q === '`') {
      const end = this.s.indexOf(q, this.i + 1);
      const w = this.s.slice(this.i + 1, end < 0 ? this.s.length : end);
      this.i = end < 0 ? this.s.length : end + 1;
      return w;
    }
    const start = this.i;
    while (this.i < this.s.length && /[A-Za-z0-9_$]/.test(this.s[this.i] ?? '')) {
      this.i++;
    }
    return this.s.slice(start, this.i);
  }

  /** Skips a balanced group opened by `open` (already consumed). */
  private skipGroup(open: string, close: string): void {
    let depth = 1;
    while (this.i < this.s.length && depth > 0) {
      const c = this.s[this.i];
      if (c === open) {
        depth++;
      } else if (c === close) {
        depth--;
      }
      this.i++;
    }
  }

  private fields(close: string, hive: boolean): Map<string, ColumnType> {
    const fields = new Map<string, ColumnType>();
    while (!this.eat(close)) {
      const name = this.word().toLowerCase();
      if (hive) {
        this.eat(':');
      }
      fields.set(name, this.type());
      this.eat(',');
      if (this.i >= this.s.length) {
        break;
      }
    }
    return fields;
  }

  type(): ColumnType {
    const w = this.word().toLowerCase();
    let t: ColumnType = SCALAR;
    if ((w === 'struct' || w === 'row') && this.eat('(')) {
      t = { kind: 'struct', fields: this.fields(')', false) };
    } else if (w === 'struct' && this.eat('<')) {
      t = { kind: 'struct', fields: this.fields('>', true) };
    } else if (w === 'array' && this.eat('(')) {
      t = { kind: 'list', of: this.type() };
      this.eat(')');
    } else if (w === 'array' && this.eat('<')) {
      t = { kind: 'list', of: this.type() };
      this.eat('>');
    } else if (this.eat('(')) {
      this.skipGroup('(', ')'); // DECIMAL(18,3), MAP(K, V), varchar(10), map(k, v)
    } else if (this.eat('<')) {
      this.skipGroup('<', '>'); // map<k,v>
    }
    // DuckDB lists: T[] (possibly nested, T[][]), fixed arrays T[3].
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '[') {
        return t;
      }
      const end = this.s.indexOf(']', this.i);
      this.i = end < 0 ? this.s.length : end + 1;
      t = { kind: 'list', of: t };
    }
  }
}

/**
 * Parses a column type as `information_schema.columns.data_type` prints it.
 *
 * @param dataType - e.g. `STRUCT("text" VARCHAR)[]` or `array(row(text varchar))`
 * @returns the parsed type (unknown parts read as scalar)
 */
export function parseColumnType(dataType: string): ColumnType {
  return new TypeReader(dataType).type();
}

/** Tables and their column types, as the engine reports them. */
export class TableShapes {
  private readonly tables = new Map<string, Map<string, ColumnType>>();

  /**
   * @param columns - rows of `information_schema.columns` (table_name, column_name, data_type)
   */
  constructor(columns: readonly { readonly table_name: string; readonly column_name: string; readonly data_type?: string | null }[]) {
    for (const c of columns) {
      const t = c.table_name.toLowerCase();
      const cols = this.tables.get(t) ?? new Map<string, ColumnType>();
      cols.set(c.column_name.toLowerCase(), parseColumnType(c.data_type ?? ''));
      this.tables.set(t, cols);
    }
  }

  /** Names of all tables (lower case). */
  get names(): string[] {
    return [...this.tables.keys()];
  }

  /**
   * Whether a table exists.
   *
   * @param table - table name
   * @returns true when it has columns
   */
  has(table: string): boolean {
    return this.tables.has(table.toLowerCase());
  }

  /**
   * The table's top-level column names (lower case; empty when the table is missing).
   *
   * @param table - table name
   * @returns the column names
   */
  columns(table: string): Set<string> {
    return new Set(this.tables.get(table.toLowerCase())?.keys() ?? []);
  }

  /**
   * Whether a column path exists: `name`, `valuequantity.value`, `address[1].line[1]`, `type[1].text`.
   *
   * @param table - table name
   * @param path - dotted fields with `[n]` list subscripts
   * @returns true when every field exists and every subscript is applied to a list
   */
  hasPath(table: string, path: string): boolean {
    const cols = this.tables.get(table.toLowerCase());
    if (cols === undefined) {
      return false;
    }
    let t: ColumnType | undefined;
    for (const [i, part] of path.split('.').entries()) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$/.exec(part);
      if (m === null) {
        return false;
      }
      const name = (m[1] ?? '').toLowerCase();
      t = i === 0 ? cols.get(name) : t?.kind === 'struct' ? t.fields.get(name) : undefined;
      for (let k = 0; k < (m[2] ?? '').split('[').length - 1; k++) {
        t = t?.kind === 'list' ? t.of : undefined;
      }
      if (t === undefined) {
        return false;
      }
    }
    return true;
  }

  /**
   * The SQL for an optional column path: the path itself when it exists, else a typed NULL (an empty column).
   *
   * @param table - table name
   * @param path - as for {@link hasPath}; written into the SQL as given (paths are fixed strings, never data)
   * @param sqlType - the NULL's type (default VARCHAR)
   * @returns SQL text
   */
  expr(table: string, path: string, sqlType = 'VARCHAR'): string {
    return this.hasPath(table, path) ? portablePath(path) : `CAST(NULL AS ${sqlType})`;
  }
}

/**
 * A column path with its list subscripts as `element_at` (NULL when out of range on both engines; Trino's `a[1]`
 * raises on an empty array): `name[1].given[1]` → `element_at((element_at(name, 1)).given, 1)`.
 *
 * @param path - dotted fields with `[n]` subscripts
 * @returns SQL text
 */
export function portablePath(path: string): string {
  let expr = '';
  for (const part of path.split('.')) {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(part);
    const name = m?.[1] ?? part;
    expr = expr === '' ? name : expr.startsWith('element_at(') ? `(${expr}).${name}` : `${expr}.${name}`;
    for (const i of (m?.[2] ?? '').matchAll(/\[(\d+)\]/g)) {
      expr = `element_at(${expr}, ${i[1] ?? '1'})`;
    }
  }
  return expr;
}
