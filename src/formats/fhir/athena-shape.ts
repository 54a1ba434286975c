/**
 * The shape HealthLake gives resources in its Athena tables (docs/aws-semantics.md §2): every element name lower-cased
 * (`birthDate` → `birthdate`, `_family` siblings kept as `_family`), `0..1` complex elements as structs, `0..*`
 * elements as arrays (1-based in SQL), and every `extension` / `modifierExtension` item as JSON text, read with
 * `json_extract_scalar(extension[1], '$.valueString')`.
 */

function shape(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(shape);
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = k.toLowerCase();
    if ((k === 'extension' || k === 'modifierExtension') && Array.isArray(v)) {
      out[key] = v.map((x) => JSON.stringify(x));
    } else {
      out[key] = shape(v);
    }
  }
  return out;
}

/**
 * Converts a resource to its HealthLake-Athena row shape.
 *
 * @param resource - a parsed FHIR resource
 * @returns a new object with lower-case keys and extensions as JSON text
 * @example
 * ```ts
 * toAthenaShape({ resourceType: 'Patient', id: 'p1', birthDate: '1961-07-15' });
 * // → { resourcetype: 'Patient', id: 'p1', birthdate: '1961-07-15' }
 * ```
 */
export function toAthenaShape(resource: Record<string, unknown>): Record<string, unknown> {
  return shape(resource) as Record<string, unknown>;
}

/**
 * The Athena table name HealthLake uses for a resource type.
 *
 * @param resourceType - e.g. `MedicationRequest`
 * @returns e.g. `medicationrequest`
 */
export function athenaTableName(resourceType: string): string {
  return resourceType.toLowerCase();
}

const BACKSLASH = 92; // backslash
const COLON = 58; // :

/**
 * JSON text with every object key lower-cased, values untouched, in one linear pass (no regular expression: a
 * backtracking pattern over a long string value is quadratic, so one resource could stall an import).
 *
 * Works on `JSON.stringify` output (no whitespace between tokens): every string token is found by its unescaped
 * closing quote, and a string directly followed by `:` is a key.
 *
 * @param text - compact JSON text
 * @returns the text with lower-cased keys (the same string when no key needs it)
 */
export function lowerCaseJsonKeys(text: string): string {
  let out = '';
  let copied = 0;
  let i = text.indexOf('"');
  while (i >= 0) {
    let end = i + 1;
    for (;;) {
      end = text.indexOf('"', end);
      if (end < 0) {
        return copied === 0 ? text : out + text.slice(copied);
      }
      let slashes = 0;
      while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) {
        slashes++;
      }
      if (slashes % 2 === 0) {
        break;
      }
      end++;
    }
    if (text.charCodeAt(end + 1) === COLON) {
      const key = text.slice(i + 1, end);
      const lower = key.toLowerCase();
      if (lower !== key) {
        out += `${text.slice(copied, i + 1)}${lower}`;
        copied = end;
      }
    }
    i = text.indexOf('"', end + 1);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function extensionsAsText(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(extensionsAsText);
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = (k === 'extension' || k === 'modifierExtension') && Array.isArray(v) ? v.map((x) => JSON.stringify(x)) : extensionsAsText(v);
  }
  return out;
}

/**
 * A resource with its top-level keys ordered `resourceType`, `id`, `meta`, then the rest (the same object when
 * already so ordered): the order the store keeps bodies in, so the Athena text can be derived from the body text.
 *
 * @param resource - a parsed FHIR resource
 * @returns the resource, keys reordered if needed
 */
export function withLeadingKeys(resource: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(resource);
  const hasMeta = resource.meta !== undefined;
  if (keys[0] === 'resourceType' && keys[1] === 'id' && (!hasMeta || keys[2] === 'meta')) {
    return resource;
  }
  const { resourceType, id, meta, ...rest } = resource;
  return hasMeta ? { resourceType, id, meta, ...rest } : { resourceType, id, ...rest };
}

/**
 * The Athena-shaped JSON text of a resource — the text of `toAthenaShape(resource)` — with the top-level keys
 * ordered `resourcetype`, `id`, `meta` (an empty object when absent), then the rest; the store sets
 * `meta.versionid`/`meta.lastupdated` in there. Derived from the body's JSON text by lower-casing its keys,
 * without building a shaped copy, unless the resource holds extensions (their items become JSON text).
 *
 * @param resource - a parsed FHIR resource (original casing) ordered by {@link withLeadingKeys}
 * @param body - `JSON.stringify(resource)`
 * @returns the JSON text
 */
export function athenaJsonText(resource: Record<string, unknown>, body: string = JSON.stringify(resource)): string {
  let text: string;
  if (body.includes('xtension":')) {
    const { resourceType, id, meta, ...rest } = resource;
    text = JSON.stringify(extensionsAsText({ resourceType, id, meta: meta ?? {}, ...rest }));
  } else if (resource.meta !== undefined) {
    text = body;
  } else {
    // `{"resourceType":<type>,"id":<id>` then the rest: splice an empty meta in after the id.
    const head = `{"resourceType":${JSON.stringify(resource.resourceType)},"id":${JSON.stringify(resource.id)}`;
    text = body.startsWith(head) ? `${head},"meta":{}${body.slice(head.length)}` : JSON.stringify({ ...resource, meta: {} });
  }
  return lowerCaseJsonKeys(text);
}

/**
 * The DuckDB type of Athena-shaped values, inferred as DuckDB's `read_json` infers it over every row
 * (`sample_size := -1`): strings VARCHAR (dates stay strings, ids never become UUID), integers BIGINT, other numbers
 * DOUBLE, objects STRUCT (fields in first-seen order), arrays LIST, clashing scalars VARCHAR, clashing shapes JSON.
 * Plain data: workers send it to the main thread and the store keeps it per resource type.
 */
export type AthenaType = 'NULL' | 'VARCHAR' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'JSON' | { readonly s: Record<string, AthenaType> } | { readonly l: AthenaType };

function scalarType(v: unknown): AthenaType {
  if (typeof v === 'string') {
    return 'VARCHAR';
  }
  if (typeof v === 'boolean') {
    return 'BOOLEAN';
  }
  if (typeof v === 'number') {
    return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? 'BIGINT' : 'DOUBLE';
  }
  return 'NULL';
}

/**
 * Merges two inferred types (the first may be updated in place and is returned when possible).
 *
 * @param a - a type
 * @param b - another type
 * @returns their least common type
 */
export function mergeAthenaType(a: AthenaType, b: AthenaType): AthenaType {
  if (a === b || b === 'NULL') {
    return a;
  }
  if (a === 'NULL') {
    return b;
  }
  if (typeof a === 'string' || typeof b === 'string') {
    if (typeof a === 'string' && typeof b === 'string') {
      if (a === 'JSON' || b === 'JSON') {
        return 'JSON';
      }
      return (a === 'BIGINT' && b === 'DOUBLE') || (a === 'DOUBLE' && b === 'BIGINT') ? 'DOUBLE' : 'VARCHAR';
    }
    return 'JSON';
  }
  if ('s' in a && 's' in b) {
    for (const [k, t] of Object.entries(b.s)) {
      const had = a.s[k];
      a.s[k] = had === undefined ? t : mergeAthenaType(had, t);
    }
    return a;
  }
  if ('l' in a && 'l' in b) {
    return { l: mergeAthenaType(a.l, b.l) };
  }
  return 'JSON';
}

// Element names repeat across resources: their lower-case forms are kept (up to a bound, so unknown keys in bad
// input cannot grow it without limit).
const lowerKeys = new Map<string, string>();

function lowerKey(k: string): string {
  let lower = lowerKeys.get(k);
  if (lower === undefined) {
    lower = k.toLowerCase();
    if (lowerKeys.size < 10_000) {
      lowerKeys.set(k, lower);
    }
  }
  return lower;
}

/**
 * Folds one resource (original FHIR casing) into the inferred type of its Athena table: keys lower-cased,
 * `extension`/`modifierExtension` items as VARCHAR (they are JSON text in the table).
 *
 * @param value - a parsed resource, or a value inside one
 * @param prev - the type inferred so far (`NULL` at first)
 * @returns the merged type
 */
export function observeAthenaType(value: unknown, prev: AthenaType = 'NULL'): AthenaType {
  if (typeof value !== 'object' || value === null) {
    return mergeAthenaType(prev, scalarType(value));
  }
  if (Array.isArray(value)) {
    const list = typeof prev === 'object' && 'l' in prev ? prev : undefined;
    let el: AthenaType = list?.l ?? 'NULL';
    for (const x of value) {
      el = observeAthenaType(x, el);
    }
    // The usual case, a list of the type already seen, keeps the list type as it is (no new object).
    return list?.l === el ? list : mergeAthenaType(prev, { l: el });
  }
  const struct: { s: Record<string, AthenaType> } = typeof prev === 'object' && 's' in prev ? prev : { s: {} };
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    const key = lowerKey(k);
    const had = struct.s[key];
    const before = had ?? 'NULL';
    const after = (k === 'extension' || k === 'modifierExtension') && Array.isArray(v) ? mergeAthenaType(before, { l: 'VARCHAR' }) : observeAthenaType(v, before);
    if (after !== had) {
      struct.s[key] = after;
    }
  }
  return prev === struct ? struct : mergeAthenaType(prev, struct);
}

/**
 * The DuckDB type text of an inferred type (`STRUCT("code" VARCHAR, …)[]`); a type seen only as null is JSON.
 *
 * @param t - the inferred type
 * @returns DuckDB type text
 */
export function athenaTypeSql(t: AthenaType): string {
  if (typeof t === 'string') {
    return t === 'NULL' ? 'JSON' : t;
  }
  if ('l' in t) {
    return `${athenaTypeSql(t.l)}[]`;
  }
  const fields = Object.entries(t.s);
  return fields.length === 0 ? 'JSON' : `STRUCT(${fields.map(([k, v]) => `"${k.replace(/"/g, '""')}" ${athenaTypeSql(v)}`).join(', ')})`;
}
